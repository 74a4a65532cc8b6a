/*
 * Active expiry: Redis's adaptive cycle. Each cron tick (hz times a second) walks the keys that have
 * a TTL, a sample at a time, deleting the expired ones; while more than 10% of a sample was expired
 * it keeps going, within a time budget of 25% of the tick. The walk resumes where the previous tick
 * stopped (a live Map iterator per database), so over time every key with a TTL is visited and
 * memory is reclaimed without a full scan in one go.
 */

import type { Database } from './keyspace';

const KEYS_PER_LOOP = 20;
const ACCEPTABLE_STALE = 10; // percent
const SLOW_TIME_PERC = 25;

export interface ExpireHost {
  dbs: Database[];
  now: number;
  config: { get(name: string): any };
  stats: { expiredKeys: number; expiredStalePerc: number; expiredTimeCapReachedCount: number; expireCycleCpuMs: number };
  activeExpireEnabled?: boolean;
}

export function activeExpireCycle(host: ExpireHost): void {
  if (host.activeExpireEnabled === false) return;
  const hz = Math.max(1, host.config.get('hz') as number);
  const budgetMs = (1000 / hz) * (SLOW_TIME_PERC / 100);
  const start = performance.now();
  const now = Date.now();
  let sampledTotal = 0;
  let expiredTotal = 0;
  let timedOut = false;
  for (const db of host.dbs) {
    if (db.expires.size === 0) continue;
    for (;;) {
      let sampled = 0;
      let expired = 0;
      let it = db.expireCursor ?? db.expires.entries();
      for (let i = 0; i < KEYS_PER_LOOP; i++) {
        let r = it.next();
        if (r.done) {
          it = db.expires.entries();
          r = it.next();
          if (r.done) break;
        }
        sampled++;
        const [key, when] = r.value;
        if (when <= now) {
          db.expireIfNeeded(key, now);
          expired++;
        }
      }
      db.expireCursor = it;
      sampledTotal += sampled;
      expiredTotal += expired;
      if (performance.now() - start > budgetMs) {
        timedOut = true;
        break;
      }
      if (sampled === 0 || (expired * 100) / sampled <= ACCEPTABLE_STALE) break;
    }
    if (timedOut) break;
  }
  const elapsed = performance.now() - start;
  host.stats.expireCycleCpuMs += elapsed;
  if (timedOut) host.stats.expiredTimeCapReachedCount++;
  const perc = sampledTotal ? expiredTotal / sampledTotal : 0;
  host.stats.expiredStalePerc = perc * 0.05 + host.stats.expiredStalePerc * 0.95;
}
