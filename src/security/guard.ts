/*
 * Brute-force guard for AUTH and HELLO ... AUTH: failures are counted per source address and per
 * user name; past a few free failures each further attempt waits (exponentially longer, on a timer
 * — the event loop never blocks and every other client keeps being served), and past a threshold
 * the source or the user is locked out for a while: attempts are answered WRONGPASS without the
 * password being looked at.
 *
 * Rules (all times on the server's cached clock):
 *  - a source is an IPv4 address, an IPv6 /64 by default (`auth-guard-ipv6-prefix`: one host
 *    owns a whole /64, so counting single IPv6 addresses would count nothing), or the Unix socket;
 *  - k failures recorded for a key: the next attempt waits 0 while k < free, else
 *    delay·2^(k−free), at most max-delay, counted from the last failure;
 *  - once free failures are reached, attempts are serialised per key: while one is waiting or
 *    being checked, another one on any connection is refused at once — parallel connections
 *    cannot multiply an attacker's rate;
 *  - k ≥ lockout-failures: the key is locked for lockout-seconds; failures are forgotten only
 *    after window-seconds without one, so after a lockout each new failure locks again at once
 *    (one guess per lockout period);
 *  - a success never resets a counter (an attacker with an account of their own could otherwise
 *    reset their address's count), but it marks the source as known-good for that user: the
 *    user's own counter and lockout do not apply to its known-good sources, so guessing a user's
 *    password from elsewhere cannot lock that user's real clients out (their address's own counter
 *    still applies);
 *  - an attempt inside EXEC cannot wait (the transaction's reply is one array): it is refused
 *    when it would have to.
 * Sessions already authenticated are never affected. Sources in `auth-guard-exempt-networks`
 * (default: loopback and the Unix socket, the host's own clients, as protected mode trusts them)
 * are not guarded, and their attempts do not count against users either.
 *
 * Logging, for fail2ban: every failure the guard lets through and every lockout is logged at
 * warning level with the address right after `from`, user names escaped (\xNN for bytes outside
 * printable ASCII, quote and backslash), so a crafted name cannot forge a second line or another
 * address (docs/security.md gives the filter regex). Refused attempts are logged at most once a
 * second with a count. Bounds: at most MAX_ENTRIES keys per table (oldest idle dropped first),
 * long user names stored as a digest, known-good sources capped per user.
 */

import { createHash } from 'node:crypto';
import { anyContains, parseIp, type Cidr, type IpAddr } from './cidr';

export interface GuardHost {
  configValue(name: string): unknown;
  now: number;
  log(level: 'verbose' | 'notice' | 'warning', msg: string): void;
  statsResetTime(): number;
}

interface Entry {
  failures: number;
  lastFailure: number;
  /** earliest time the next attempt may be checked */
  nextAt: number;
  lockedUntil: number;
  /** attempts waiting or being checked */
  pending: number;
}

interface Settings {
  free: number;
  delay: number;
  maxDelay: number;
  lockoutFailures: number;
  lockoutMs: number;
  windowMs: number;
  v6prefix: number;
}

const MAX_ENTRIES = 100000;
const KNOWN_GOOD_PER_USER = 32;
const KNOWN_GOOD_MS = 30 * 24 * 3600 * 1000;

/** A session's source as the guard keys it, and as the log shows it. */
export interface GuardSource {
  key: string;
  ip: string;
  /** in auth-guard-exempt-networks: the guard does not apply */
  exempt: boolean;
}

const LOOPBACK_V4 = parseIp('127.0.0.1')!;

/** Escapes a client-chosen name for a log line: printable ASCII only, no quote or backslash. */
export function logEscape(s: string, max = 128): string {
  let out = '';
  for (let i = 0; i < s.length && i < max; i++) {
    const c = s.charCodeAt(i);
    out += c < 0x20 || c > 0x7e || c === 0x27 || c === 0x5c ? '\\x' + c.toString(16).padStart(2, '0') : s[i];
  }
  return s.length > max ? out + '...' : out;
}

export class AuthGuard {
  private readonly bySource = new Map<string, Entry>();
  private readonly byUser = new Map<string, Entry>();
  private readonly knownGood = new Map<string, Map<string, number>>();
  private readonly logState = new Map<string, { last: number; skipped: number }>();
  private delayed = 0;
  private refused = 0;
  private lockouts = 0;
  private countersSince = -1;

  constructor(private readonly host: GuardHost) {}

  get enabled(): boolean {
    return this.host.configValue('auth-guard') === true;
  }

  /** Forgets every counter, lockout and known-good source (auth-guard switched off). */
  clear(): void {
    this.bySource.clear();
    this.byUser.clear();
    this.knownGood.clear();
  }

  private settings(): Settings {
    const v = (n: string) => Number(this.host.configValue(n));
    return {
      free: v('auth-guard-free-failures'),
      delay: v('auth-guard-delay-ms'),
      maxDelay: v('auth-guard-max-delay-ms'),
      lockoutFailures: v('auth-guard-lockout-failures'),
      lockoutMs: v('auth-guard-lockout-seconds') * 1000,
      windowMs: v('auth-guard-window-seconds') * 1000,
      v6prefix: v('auth-guard-ipv6-prefix'),
    };
  }

  /** `addr` is the session's "ip:port" (or the socket path for a Unix socket). */
  source(ip: IpAddr | 'unix' | undefined, addr: string): GuardSource {
    const exempt = this.host.configValue('auth-guard-exempt-networks') as Cidr[];
    // the Unix socket is the local host: exempt when loopback is
    if (ip === undefined || ip === 'unix') return { key: 'unix', ip: 'unix-socket', exempt: anyContains(exempt, LOOPBACK_V4) };
    const shown = addr.slice(0, addr.lastIndexOf(':'));
    if (ip.family === 4) return { key: `4:${ip.value}`, ip: shown, exempt: anyContains(exempt, ip) };
    const prefix = this.settings().v6prefix;
    return { key: `6:${ip.value >> BigInt(128 - prefix)}/${prefix}`, ip: shown, exempt: anyContains(exempt, ip) };
  }

  /**
   * Runs one authentication attempt through the guard. `check` verifies the credentials (and does
   * Redis's own failure accounting); `refuse` answers a failure without checking anything. The
   * result is what `check` returns, possibly later.
   */
  attempt(src: GuardSource, username: string, canWait: boolean, isClosed: () => boolean,
    check: () => boolean | Promise<boolean>, refuse: () => false): boolean | Promise<boolean> {
    if (src.exempt || !this.enabled) return check();
    const st = this.settings();
    const now = this.host.now;
    const userKey = username.length > 128 ? 'sha256:' + createHash('sha256').update(username, 'latin1').digest('hex') : username;
    const a = this.live(this.bySource, src.key, now, st);
    // a user's own counter does not apply to addresses it has logged in from
    const userGuarded = !this.isKnownGood(username, src.key, now);
    const u = userGuarded ? this.live(this.byUser, userKey, now, st) : undefined;
    const locked = (a !== undefined && a.lockedUntil > now) || (u !== undefined && u.lockedUntil > now);
    const waitA = this.waitFor(a, now, st);
    const waitU = this.waitFor(u, now, st);
    const wait = Math.max(waitA, waitU);
    if (locked || waitA < 0 || waitU < 0 || (wait > 0 && !canWait)) {
      this.count('refused');
      this.rateLimitedLog('refused', `AUTH refused from ${src.ip} for user '${logEscape(username)}': ${locked ? 'locked out' : 'too many attempts at once'}`);
      return refuse();
    }
    const ea = this.entry(this.bySource, src.key, now);
    const eu = userGuarded ? this.entry(this.byUser, userKey, now) : undefined;
    ea.pending++;
    if (eu !== undefined) eu.pending++;
    const finish = (ok: boolean): boolean => {
      ea.pending--;
      if (eu !== undefined) eu.pending--;
      if (ok) this.succeeded(username, src.key);
      else this.failed(src, username, ea, eu);
      // a key with nothing against it is not kept: the tables hold only failing sources and users
      if (ea.failures === 0 && ea.pending === 0) this.bySource.delete(src.key);
      if (eu !== undefined && eu.failures === 0 && eu.pending === 0) this.byUser.delete(userKey);
      return ok;
    };
    const run = (): boolean | Promise<boolean> => {
      const r = check();
      return typeof r === 'boolean' ? finish(r) : r.then(finish, () => finish(false));
    };
    if (wait === 0) return run();
    this.count('delayed');
    return new Promise<void>((resolve) => setTimeout(resolve, wait)).then(() => {
      if (!isClosed()) return run();
      ea.pending--;
      if (eu !== undefined) eu.pending--;
      return false;
    });
  }

  /** The entry for `key`, or undefined (stale ones are dropped here). */
  private live(map: Map<string, Entry>, key: string, now: number, st: Settings): Entry | undefined {
    const e = map.get(key);
    if (e === undefined) return undefined;
    if (e.pending === 0 && e.lockedUntil <= now && now - e.lastFailure > st.windowMs) {
      map.delete(key);
      return undefined;
    }
    return e;
  }

  private entry(map: Map<string, Entry>, key: string, now: number): Entry {
    let e = map.get(key);
    if (e === undefined) {
      if (map.size >= MAX_ENTRIES) {
        for (const [k, old] of map) {
          if (old.pending === 0 && old.lockedUntil <= now) {
            map.delete(k);
            break;
          }
        }
      }
      e = { failures: 0, lastFailure: now, nextAt: 0, lockedUntil: 0, pending: 0 };
      map.set(key, e);
    }
    return e;
  }

  /** ms to wait before checking, or -1 when another attempt on this key must finish first. */
  private waitFor(e: Entry | undefined, now: number, st: Settings): number {
    if (e === undefined || e.failures + e.pending < st.free) return 0;
    if (e.pending > 0) return -1;
    return Math.max(0, e.nextAt - now);
  }

  private delayAfter(failures: number, st: Settings): number {
    if (failures < st.free) return 0;
    const exp = Math.min(40, failures - st.free);
    return Math.min(st.maxDelay, st.delay * 2 ** exp);
  }

  private failed(src: GuardSource, username: string, a: Entry, u: Entry | undefined): void {
    const st = this.settings();
    const now = this.host.now;
    a.failures++;
    a.lastFailure = now;
    a.nextAt = now + this.delayAfter(a.failures, st);
    this.host.log('warning', `AUTH failed from ${src.ip} for user '${logEscape(username)}' (${a.failures} failures from this address)`);
    if (a.failures >= st.lockoutFailures && a.lockedUntil <= now) {
      a.lockedUntil = now + st.lockoutMs;
      this.count('lockouts');
      this.host.log('warning', `AUTH lockout from ${src.ip} for ${st.lockoutMs / 1000} seconds after ${a.failures} failures`);
    }
    if (u !== undefined) {
      u.failures++;
      u.lastFailure = now;
      u.nextAt = now + this.delayAfter(u.failures, st);
      if (u.failures >= st.lockoutFailures && u.lockedUntil <= now) {
        u.lockedUntil = now + st.lockoutMs;
        this.count('lockouts');
        this.host.log('warning', `AUTH lockout of user '${logEscape(username)}' for ${st.lockoutMs / 1000} seconds after ${u.failures} failures (last from ${src.ip}); its known-good addresses are not affected`);
      }
    }
  }

  private succeeded(username: string, srcKey: string): void {
    let m = this.knownGood.get(username);
    if (m === undefined) this.knownGood.set(username, (m = new Map()));
    m.delete(srcKey);
    m.set(srcKey, this.host.now);
    if (m.size > KNOWN_GOOD_PER_USER) m.delete(m.keys().next().value as string);
  }

  private isKnownGood(username: string, srcKey: string, now: number): boolean {
    const t = this.knownGood.get(username)?.get(srcKey);
    return t !== undefined && now - t < KNOWN_GOOD_MS;
  }

  /** Cron: drops entries whose window has passed (so the tables only hold active attackers). */
  sweep(): void {
    if (this.bySource.size === 0 && this.byUser.size === 0) return;
    const st = this.settings();
    const now = this.host.now;
    for (const map of [this.bySource, this.byUser]) {
      for (const [k, e] of map) {
        if (e.pending === 0 && e.lockedUntil <= now && now - e.lastFailure > st.windowMs) map.delete(k);
      }
    }
  }

  private count(what: 'delayed' | 'refused' | 'lockouts'): void {
    this.sync();
    this[what]++;
  }

  private sync(): void {
    const t = this.host.statsResetTime();
    if (t === this.countersSince) return;
    this.countersSince = t;
    this.delayed = this.refused = this.lockouts = 0;
  }

  private rateLimitedLog(kind: string, msg: string): void {
    const now = this.host.now;
    let s = this.logState.get(kind);
    if (s === undefined) this.logState.set(kind, (s = { last: -Infinity, skipped: 0 }));
    if (now - s.last < 1000) {
      s.skipped++;
      return;
    }
    const tail = s.skipped > 0 ? ` (${s.skipped} similar events not logged)` : '';
    s.last = now;
    s.skipped = 0;
    this.host.log('warning', msg + tail);
  }

  infoLines(): [string, number][] {
    this.sync();
    const now = this.host.now;
    const locked = (m: Map<string, Entry>) => {
      let n = 0;
      for (const e of m.values()) if (e.lockedUntil > now) n++;
      return n;
    };
    return [
      ['redoubt_auth_guard_delayed', this.delayed],
      ['redoubt_auth_guard_refused', this.refused],
      ['redoubt_auth_guard_lockouts', this.lockouts],
      ['redoubt_auth_guard_locked_sources', locked(this.bySource)],
      ['redoubt_auth_guard_locked_users', locked(this.byUser)],
    ];
  }
}
