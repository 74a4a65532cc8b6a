/*
 * Active expiry: Redis 7.0's adaptive activeExpireCycle.
 *
 * Lazy expiry (keyspace.ts) only reclaims keys that are accessed; this cycle reclaims the rest
 * without a full scan. Each slow cycle (run by the cron, hz times a second) visits the databases in
 * turn and, per database, samples up to 20 keys that have a TTL, deleting the expired ones. While
 * more than 10% of a sample was stale it samples again, within a budget of 25% of one cron tick.
 * The walk over a database's TTLs resumes where the previous cycle stopped (a live Map iterator),
 * so over time every key with a TTL is visited. A fast cycle (1 ms budget, at most every 2 ms) can
 * be run before the event loop sleeps, as Redis does, when the last slow cycle ran out of time or
 * the keyspace is estimated to hold many stale keys.
 *
 * The effort knob (active-expire-effort, 1..10) scales the sample size, the stale threshold and the
 * budgets as in Redis. Nothing runs while clients are paused (the dataset must look static) or when
 * active expiry is switched off (DEBUG SET-ACTIVE-EXPIRE 0).
 */

import type { Database } from './keyspace';

const KEYS_PER_LOOP = 20;
const ACCEPTABLE_STALE = 10; // percent
const SLOW_TIME_PERC = 25; // percent of a cron tick
const FAST_DURATION_US = 1000;
const DBS_PER_CALL = 16;

export interface ExpireHost {
  dbs: Database[];
  now: number;
  config: { get(name: string): any; lookup?(name: string): { value: unknown } | undefined };
  stats: { expiredKeys: number; expiredStalePerc: number; expiredTimeCapReachedCount: number; expireCycleCpuMs: number };
  activeExpireEnabled?: boolean;
  /** CLIENT PAUSE deadline (ms), 0 when not paused */
  pausedUntil?: number;
  /** the cron's current frequency (dynamic-hz), when the host adapts it; else the `hz` directive */
  hz?: number;
  /** the latency monitor ('expire-cycle'), when the host has one */
  latencySample?(event: string, ms: number): void;
}

/** Per-host state kept between cycles, as Redis keeps static variables in the function. */
interface CycleState {
  currentDb: number;
  timelimitExit: boolean;
  lastFastCycle: number; // µs
}
const states = new WeakMap<ExpireHost, CycleState>();

function configNumber(host: ExpireHost, name: string, dflt: number): number {
  const v = host.config.lookup ? host.config.lookup(name)?.value : undefined;
  return v === undefined || v === null ? dflt : Number(v);
}

function microseconds(): number {
  return performance.now() * 1000;
}

export function activeExpireCycle(host: ExpireHost, type: 'slow' | 'fast' = 'slow'): void {
  if (host.activeExpireEnabled === false) return;
  if (host.pausedUntil !== undefined && host.pausedUntil > Date.now()) return;
  let st = states.get(host);
  if (st === undefined) {
    st = { currentDb: 0, timelimitExit: false, lastFastCycle: 0 };
    states.set(host, st);
  }
  const effort = Math.min(10, Math.max(1, configNumber(host, 'active-expire-effort', 1))) - 1;
  const keysPerLoop = KEYS_PER_LOOP + (KEYS_PER_LOOP / 4) * effort;
  const fastDuration = FAST_DURATION_US + (FAST_DURATION_US / 4) * effort;
  const slowTimePerc = SLOW_TIME_PERC + 2 * effort;
  const acceptableStale = ACCEPTABLE_STALE - effort;
  const start = microseconds();

  if (type === 'fast') {
    // Only worth it when the last slow cycle was cut short or many keys are known to be stale;
    // and never more often than twice its own duration.
    // (Redis compares the stale fraction with a percentage here, so in practice only a
    // time-limited slow cycle triggers it; kept as is.)
    if (!st.timelimitExit && host.stats.expiredStalePerc < acceptableStale) return;
    if (start < st.lastFastCycle + fastDuration * 2) return;
    st.lastFastCycle = start;
  }

  const dbs = host.dbs;
  // Visit every database when the previous cycle ran out of time, else a bounded number of them.
  let dbsPerCall = Math.min(DBS_PER_CALL, dbs.length);
  if (st.timelimitExit) dbsPerCall = dbs.length;
  const hz = Math.max(1, host.hz ?? configNumber(host, 'hz', 10));
  const timelimit = type === 'fast' ? fastDuration : Math.max(1, (slowTimePerc * 1000000) / hz / 100);
  st.timelimitExit = false;

  let totalSampled = 0;
  let totalExpired = 0;
  for (let j = 0; j < dbsPerCall && !st.timelimitExit; j++) {
    const db = dbs[st.currentDb % dbs.length];
    // Advance first, so a time-limited exit resumes with the next database.
    st.currentDb = (st.currentDb + 1) % dbs.length;
    for (;;) {
      const size = db.expires.size;
      if (size === 0) {
        db.avgTtl = 0;
        break;
      }
      const now = Date.now();
      const num = Math.min(size, keysPerLoop);
      let sampled = 0;
      let expired = 0;
      let ttlSum = 0;
      let ttlSamples = 0;
      let it = db.expireCursor ?? db.expires.entries();
      while (sampled < num) {
        let r = it.next();
        if (r.done) {
          it = db.expires.entries(); // wrapped around: start a new pass
          r = it.next();
          if (r.done) break;
        }
        sampled++;
        const [key, when] = r.value;
        if (when <= now) {
          if (db.expireIfNeeded(key, now)) expired++;
        } else {
          ttlSum += when - now;
          ttlSamples++;
        }
      }
      db.expireCursor = it;
      totalSampled += sampled;
      totalExpired += expired;
      if (ttlSamples > 0) {
        // Running average: 2% weight to this sample, as Redis does (integer arithmetic).
        const avg = Math.floor(ttlSum / ttlSamples);
        if (db.avgTtl === 0) db.avgTtl = avg;
        db.avgTtl = Math.floor(db.avgTtl / 50) * 49 + Math.floor(avg / 50);
      }
      if (microseconds() - start > timelimit) {
        st.timelimitExit = true;
        host.stats.expiredTimeCapReachedCount++;
        break;
      }
      if (sampled === 0 || Math.floor((expired * 100) / sampled) <= acceptableStale) break;
    }
  }

  const elapsedMs = (microseconds() - start) / 1000;
  host.stats.expireCycleCpuMs += elapsedMs;
  host.latencySample?.('expire-cycle', elapsedMs);
  const perc = totalSampled ? totalExpired / totalSampled : 0;
  host.stats.expiredStalePerc = perc * 0.05 + host.stats.expiredStalePerc * 0.95;
}
