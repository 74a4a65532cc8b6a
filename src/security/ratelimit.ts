/*
 * Server-side command rate limits: token buckets per ACL user (`rate:<n>/<period>[:<burst>]`) and
 * per connection (`connection-rate-limit`).
 *
 * Design: a bucket holds up to `burst` tokens and refills at count/period tokens per ms, measured
 * on the server's cached clock (one reading per event-loop turn, like Redis's): a command takes a
 * token or is refused with a RATELIMITED error that says which limit and how long until the next
 * token. Refills are computed lazily from the elapsed time when a command arrives, so an idle
 * bucket costs nothing and no timer runs.
 *
 * Grammar (chosen so it can never collide with a Redis ACL rule or key pattern: no Redis rule
 * starts with `rate:` or is `norate`, and none contains ':'):
 *   rate:<count>/<period>[:<burst>]   count 1..1e9, burst 1..1e9 (default: count)
 *   period = [<int>]<unit>, unit ms|s|m|h, between 1 ms and 24 h ("s" = "1s")
 * The canonical text (ACL LIST, GETUSER, SAVE, CONFIG GET) uses the largest unit that divides the
 * period exactly and omits a burst equal to count: `rate:6000/60s` → `rate:6000/1m`.
 *
 * Invariants: per-user buckets are keyed by the User object (ACL SETUSER keeps it, so a change of
 * rule keeps the bucket's level, clamped to the new burst); per-connection buckets are keyed by
 * the session and vanish with it (WeakMap). The primary's replication link, replicas and the
 * no_auth commands (AUTH, HELLO, QUIT, RESET) are never limited: a limit must not break
 * replication, nor stop a client from leaving or re-authenticating.
 */

export interface RateSpec {
  count: number;
  periodMs: number;
  burst: number;
  /** canonical text without the `rate:` prefix */
  text: string;
}

const UNITS: [string, number][] = [['h', 3600000], ['m', 60000], ['s', 1000], ['ms', 1]];
const MAX_N = 1e9;
const MAX_PERIOD = 24 * 3600000;

function formatPeriod(ms: number): string {
  for (const [u, f] of UNITS) if (ms % f === 0) return `${ms / f}${u}`;
  return `${ms}ms`;
}

/** Parses `<count>/<period>[:<burst>]` (no `rate:` prefix); null if malformed or out of range. */
export function parseRateSpec(s: string): RateSpec | null {
  const m = /^([0-9]{1,10})\/([0-9]{0,8})(ms|s|m|h)(?::([0-9]{1,10}))?$/i.exec(s);
  if (m === null) return null;
  const count = Number(m[1]);
  const mult = m[2] === '' ? 1 : Number(m[2]);
  const unit = UNITS.find(([u]) => u === m[3].toLowerCase())![1];
  const periodMs = mult * unit;
  const burst = m[4] === undefined ? count : Number(m[4]);
  if (count < 1 || count > MAX_N || burst < 1 || burst > MAX_N || periodMs < 1 || periodMs > MAX_PERIOD) return null;
  const text = `${count}/${formatPeriod(periodMs)}${burst !== count ? `:${burst}` : ''}`;
  return { count, periodMs, burst, text };
}

/** The ACL rule for a spec, as ACL LIST shows it. */
export function rateRule(spec: RateSpec): string {
  return `rate:${spec.text}`;
}

class Bucket {
  tokens: number;
  last: number;
  constructor(public spec: RateSpec, now: number) {
    this.tokens = spec.burst;
    this.last = now;
  }

  /** Takes one token: 0 when granted, else the ms until one is available. */
  take(spec: RateSpec, now: number): number {
    if (spec !== this.spec) {
      // a changed rule keeps what was left, within the new burst
      this.spec = spec;
      if (this.tokens > spec.burst) this.tokens = spec.burst;
    }
    const perMs = spec.count / spec.periodMs;
    if (now > this.last) {
      this.tokens = Math.min(spec.burst, this.tokens + (now - this.last) * perMs);
      this.last = now;
    }
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - this.tokens) / perMs));
  }
}

/** What the limiter needs from a session. */
export interface LimitedSession {
  kind: string;
  aclUser: { name: string; rate: RateSpec | null };
}

export class RateLimiter {
  /** connection-rate-limit, or null (off) */
  perConnection: RateSpec | null = null;
  private readonly userBuckets = new WeakMap<object, Bucket>();
  private readonly connBuckets = new WeakMap<object, Bucket>();
  private userRefused = 0;
  private connRefused = 0;
  private countersSince = -1;

  constructor(private readonly statsResetTime: () => number) {}

  /**
   * Null when the command may run (a token was taken from every bucket that applies), else the
   * error reply text. Only called when some limit applies (the caller checks `rate`/perConnection).
   */
  check(s: LimitedSession, now: number): string | null {
    if (s.kind === 'master' || s.kind === 'replica') return null;
    const user = s.aclUser;
    if (user.rate !== null) {
      let b = this.userBuckets.get(user);
      if (b === undefined) this.userBuckets.set(user, (b = new Bucket(user.rate, now)));
      const wait = b.take(user.rate, now);
      if (wait !== 0) {
        this.sync();
        this.userRefused++;
        return `RATELIMITED too many commands for user '${user.name}': limit ${user.rate.text}, retry in ${wait} ms`;
      }
    }
    const pc = this.perConnection;
    if (pc !== null) {
      let b = this.connBuckets.get(s);
      if (b === undefined) this.connBuckets.set(s, (b = new Bucket(pc, now)));
      const wait = b.take(pc, now);
      if (wait !== 0) {
        this.sync();
        this.connRefused++;
        return `RATELIMITED too many commands on this connection: limit ${pc.text}, retry in ${wait} ms`;
      }
    }
    return null;
  }

  private sync(): void {
    const t = this.statsResetTime();
    if (t === this.countersSince) return;
    this.countersSince = t;
    this.userRefused = 0;
    this.connRefused = 0;
  }

  infoLines(): [string, number][] {
    this.sync();
    return [
      ['redoubt_rate_limited_user_commands', this.userRefused],
      ['redoubt_rate_limited_connection_commands', this.connRefused],
    ];
  }
}
