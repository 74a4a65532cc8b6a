/*
 * Admission: every decision taken when a connection is accepted, before a single byte of it is
 * read (listeners accept sockets paused), plus the source-address side of authentication.
 *
 * Order, cheapest and least informative first:
 *   1. trusted-networks   — a peer outside the allowlist is dropped without a reply (loopback and
 *                           the Unix socket are the host itself and always pass);
 *   2. per-address rate   — max-new-connections-per-ip-per-second, counted on every attempt;
 *   3. maxclients         — Redis's error text;
 *   4. per-address count  — maxclients-per-ip;
 *   5. protected mode     — Redis 7.0's DENIED text, byte for byte;
 *   6. unauthenticated network guard — a non-loopback peer is never let in as a passwordless
 *                           default user unless `allow-unauthenticated-network yes` (the start-up
 *                           refusal's run-time half: ACL SETUSER default nopass cannot reopen it);
 *   7. the default user's `from:` networks, when that user needs no password (the peer would
 *      otherwise be logged in as it with no AUTH at all).
 * Each refusal is counted (Redis's rejected_connections plus a Redoubt counter per reason) and
 * logged with the peer address, at most once a second per reason with a count of the lines
 * skipped, so a flood cannot flood the log.
 *
 * Invariants: the per-address tables only hold addresses with live connections (count) or
 * attempts in the current second (rate; the cron sweeps older entries), so their size is bounded
 * by the clients actually present; the peer address a session authenticates against is the one
 * recorded at accept time, never re-read from a socket that may have closed.
 */

import type * as net from 'node:net';
import { anyContains, isLoopbackIp, parseCidr, parseIp, type Cidr, type IpAddr } from '../security/cidr';
import type { User } from '../security/aclrules';
import { formatAddr } from './address';

export type RefusalReason = 'untrusted' | 'rate' | 'maxclients' | 'per-ip' | 'protected' | 'unauthenticated-network' | 'default-user-source';

/** What the accept path does with a refused socket: close silently, or write one error first. */
export interface Refusal {
  reason: RefusalReason;
  reply: string | null;
}

/** The configuration and state admission reads (Server implements it). */
export interface AdmissionHost {
  configValue(name: string): unknown;
  connectionCount(): number;
  maxClients: number;
  defaultUser(): User;
  log(level: 'verbose' | 'notice' | 'warning', msg: string): void;
  now: number;
  /** when CONFIG RESETSTAT last ran: the counters here restart from zero with the others */
  statsResetTime(): number;
}

const LOOPBACK_V4 = parseIp('127.0.0.1')!;
const LOOPBACK_V6 = parseIp('::1')!;

/** A session's source: a literal address, or 'unix' (the Unix socket: the local host). */
export type Source = IpAddr | 'unix';

/**
 * Whether `user` may authenticate from `src` (the ACL `from:` rule). A Unix-socket session is
 * local: it matches a rule that covers a loopback address.
 */
export function sourceAllowed(user: User, src: Source | undefined): boolean {
  if (user.from.length === 0) return true;
  if (src === undefined) return false;
  if (src === 'unix') return anyContains(user.from, LOOPBACK_V4) || anyContains(user.from, LOOPBACK_V6);
  return anyContains(user.from, src);
}

/** True for a bind address that only the local host can reach: 127.x.y.z or ::1. */
export function isLoopbackBind(addr: string): boolean {
  const a = addr.startsWith('-') ? addr.slice(1) : addr;
  const ip = parseIp(a);
  return ip !== null && isLoopbackIp(ip);
}

/**
 * The start-up refusal: listening on a non-loopback address while the default user is enabled and
 * needs no password gives anyone who reaches the port every permission. Returns the reason to stop,
 * or null. `protected-mode` does not lift it: protected mode is a run-time switch anyone on the
 * host can turn off with CONFIG SET, and it leaves the port answering to scanners.
 */
export function unauthenticatedNetworkRefusal(opts: {
  bind: string[]; tcpPorts: number[]; defaultUser: User; allow: boolean;
}): string | null {
  if (opts.allow || opts.tcpPorts.every((p) => p === 0)) return null;
  const u = opts.defaultUser;
  if (!u.enabled || !u.nopass) return null;
  const open = opts.bind.filter((a) => !isLoopbackBind(a));
  if (open.length === 0) return null;
  const shown = open.map((a) => (a.startsWith('-') ? a.slice(1) : a)).join(' ');
  return `Refusing to listen on the non-loopback address(es) ${shown} while the default user needs no password: ` +
    'anyone who can reach the port would have full access. Set a password (requirepass, or a `user default` rule), ' +
    "bind to loopback addresses only, or set 'allow-unauthenticated-network yes' to accept the risk.";
}

const REASON_TEXT: Record<RefusalReason, string> = {
  untrusted: 'address not in trusted-networks',
  rate: 'too many new connections per second from this address (max-new-connections-per-ip-per-second)',
  maxclients: 'max number of clients reached',
  'per-ip': 'too many connections from this address (maxclients-per-ip)',
  protected: 'protected mode',
  'unauthenticated-network': 'the default user needs no password and allow-unauthenticated-network is no',
  'default-user-source': "address not in the default user's from: networks",
};

/** INFO stats field per reason (maxclients and protected mode are counted by Redis's field only). */
const INFO_FIELDS: [string, RefusalReason][] = [
  ['redoubt_rejected_untrusted_network', 'untrusted'],
  ['redoubt_rejected_per_ip_rate', 'rate'],
  ['redoubt_rejected_per_ip_limit', 'per-ip'],
  ['redoubt_rejected_unauthenticated_network', 'unauthenticated-network'],
  ['redoubt_rejected_default_user_source', 'default-user-source'],
];

export class Admission {
  private readonly refused = new Map<RefusalReason, number>();
  /** AUTH refused because of the user's from: rule (also counted as acl_access_denied_auth) */
  private authSourceDenied = 0;
  /** connections closed by auth-timeout */
  private authTimeouts = 0;
  private countersSince = -1;
  private readonly perIp = new Map<string, number>();
  private readonly rate = new Map<string, { second: number; attempts: number }>();
  private readonly sources = new Map<number, { key: string | null; src: Source }>();
  private readonly logState = new Map<string, { last: number; skipped: number }>();

  constructor(private readonly host: AdmissionHost) {}

  /** Decides about a freshly accepted (paused) socket. Null admits it. */
  decide(socket: net.Socket, isUnix: boolean): Refusal | null {
    const h = this.host;
    if (isUnix) {
      if (h.connectionCount() >= h.maxClients) return this.refuse('maxclients', null, '-ERR max number of clients reached\r\n');
      return null;
    }
    const ip = socket.remoteAddress === undefined ? null : parseIp(socket.remoteAddress);
    // a peer that is already gone (or an address node cannot report) is nobody to admit
    if (ip === null) return { reason: 'untrusted', reply: null };
    const key = ipKey(socket.remoteAddress!);
    const addr = formatAddr(socket.remoteAddress, socket.remotePort);
    const loopback = isLoopbackIp(ip);

    const trusted = h.configValue('trusted-networks') as Cidr[];
    if (!loopback && trusted.length !== 0 && !anyContains(trusted, ip)) return this.refuse('untrusted', addr, null);

    const maxRate = h.configValue('max-new-connections-per-ip-per-second') as number;
    if (maxRate > 0) {
      const second = Math.floor(h.now / 1000);
      let r = this.rate.get(key);
      if (r === undefined || r.second !== second) this.rate.set(key, (r = { second, attempts: 0 }));
      if (++r.attempts > maxRate) return this.refuse('rate', addr, '-ERR too many new connections from this address, try again later\r\n');
    }

    if (h.connectionCount() >= h.maxClients) return this.refuse('maxclients', null, '-ERR max number of clients reached\r\n');

    const maxPerIp = h.configValue('maxclients-per-ip') as number;
    if (maxPerIp > 0 && (this.perIp.get(key) ?? 0) >= maxPerIp) {
      return this.refuse('per-ip', addr, '-ERR max number of clients from this address reached\r\n');
    }

    const def = h.defaultUser();
    // Redis refuses when the default user is nopass, whether or not it is on
    if (!loopback && def.nopass && h.configValue('protected-mode') === true) {
      return this.refuse('protected', addr, `-${PROTECTED_MODE_DENIED}\r\n`);
    }
    if (!loopback && def.nopass && def.enabled && h.configValue('allow-unauthenticated-network') !== true) {
      return this.refuse('unauthenticated-network', addr, null);
    }
    if (def.nopass && def.enabled && !sourceAllowed(def, ip)) return this.refuse('default-user-source', addr, null);
    return null;
  }

  /** Records an admitted connection's source (for the per-address count and for AUTH). */
  opened(id: number, socket: net.Socket, isUnix: boolean): void {
    if (isUnix) {
      this.sources.set(id, { key: null, src: 'unix' });
      return;
    }
    const key = ipKey(socket.remoteAddress ?? '');
    const src = parseIp(socket.remoteAddress ?? '');
    if (src === null) return;
    this.sources.set(id, { key, src });
    this.perIp.set(key, (this.perIp.get(key) ?? 0) + 1);
  }

  closed(id: number): void {
    const s = this.sources.get(id);
    if (s === undefined) return;
    this.sources.delete(id);
    if (s.key === null) return;
    const n = (this.perIp.get(s.key) ?? 1) - 1;
    if (n <= 0) this.perIp.delete(s.key);
    else this.perIp.set(s.key, n);
  }

  source(id: number): Source | undefined {
    return this.sources.get(id)?.src;
  }

  /** The AUTH half of `from:`: false (and a log line) when the user may not log in from there. */
  authAllowed(id: number, user: User, addr: string): boolean {
    if (sourceAllowed(user, this.source(id))) return true;
    this.syncReset();
    this.authSourceDenied++;
    this.rateLimitedLog('auth-source', `AUTH as '${user.name}' refused from ${addr}: address not in the user's from: networks`);
    return false;
  }

  /** Cron: forget rate windows of past seconds. */
  sweep(): void {
    if (this.rate.size === 0) return;
    const second = Math.floor(this.host.now / 1000);
    for (const [k, r] of this.rate) if (r.second !== second) this.rate.delete(k);
  }

  countAuthTimeout(): void {
    this.syncReset();
    this.authTimeouts++;
  }

  private syncReset(): void {
    const t = this.host.statsResetTime();
    if (t === this.countersSince) return;
    this.countersSince = t;
    this.refused.clear();
    this.authSourceDenied = 0;
    this.authTimeouts = 0;
  }

  infoLines(): [string, number][] {
    this.syncReset();
    const lines: [string, number][] = INFO_FIELDS.map(([f, r]) => [f, this.refused.get(r) ?? 0]);
    lines.push(['redoubt_auth_source_denied', this.authSourceDenied], ['redoubt_auth_timeouts', this.authTimeouts]);
    return lines;
  }

  rateLimitedLog(kind: string, msg: string): void {
    const now = this.host.now;
    let st = this.logState.get(kind);
    if (st === undefined) this.logState.set(kind, (st = { last: -Infinity, skipped: 0 }));
    if (now - st.last < 1000) {
      st.skipped++;
      return;
    }
    const tail = st.skipped > 0 ? ` (${st.skipped} similar events not logged)` : '';
    st.last = now;
    st.skipped = 0;
    this.host.log('warning', msg + tail);
  }

  private refuse(reason: RefusalReason, addr: string | null, reply: string | null): Refusal {
    this.syncReset();
    this.refused.set(reason, (this.refused.get(reason) ?? 0) + 1);
    // protected mode and maxclients are answered with Redis's text and were never logged by Redis
    if (addr !== null && reason !== 'protected') this.rateLimitedLog(reason, `Refused connection from ${addr}: ${REASON_TEXT[reason]}`);
    return { reason, reply };
  }
}

/** The per-address table key: IPv4-mapped IPv6 shown as IPv4, so both spellings share a count. */
function ipKey(remote: string): string {
  return remote.startsWith('::ffff:') && remote.includes('.') ? remote.slice(7) : remote;
}


// Byte-for-byte what redis-server 7.0.15 sends, including its "Setup a an" wording: clients and
// scanners match on this text.
export const PROTECTED_MODE_DENIED =
  "DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.";
