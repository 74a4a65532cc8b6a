/*
 * WATCH: optimistic locking for MULTI/EXEC.
 *
 * Design, as Redis's multi.c: each database maps a watched key to the sessions watching it, and
 * each session lists what it watches, so that a write marks the watchers dirty in O(watchers)
 * and UNWATCH / EXEC / disconnect clean up in O(watched keys). Every write command reports the
 * keys it changed through ServerView.signalModifiedKey, which lands in `touch`; while nobody
 * watches anything `touch` returns after one comparison, so the write path pays nothing.
 *
 * Invariants:
 *  - `byDb` holds a WatchedKey under (db, key) iff it is in its owner's `watched` list.
 *  - A watched key is "dirty" after any change: a write, an expiry (lazy or active), a flush that
 *    removes it, SWAPDB that replaces it. A key that was already logically expired when WATCH ran
 *    is not made dirty by its later removal, as Redis 7.0 remembers `expired` at WATCH time.
 */

import type { Database } from '../data/keyspace';

/** What WATCH needs from a session. */
export interface Watcher {
  watched: WatchedKey[];
  /** Redis's CLIENT_DIRTY_CAS: EXEC will answer with a null array */
  dirtyCas: boolean;
}

export interface WatchedKey {
  owner: Watcher;
  db: Database;
  key: string;
  /** the key existed but its TTL had passed when it was watched */
  expiredAtWatch: boolean;
}

export class WatchRegistry {
  private readonly byDb = new Map<Database, Map<string, Set<WatchedKey>>>();
  private watchedCount = 0;

  watch(w: Watcher, db: Database, key: string, now: number): void {
    for (const wk of w.watched) if (wk.db === db && wk.key === key) return;
    let keys = this.byDb.get(db);
    if (keys === undefined) this.byDb.set(db, (keys = new Map()));
    let set = keys.get(key);
    if (set === undefined) keys.set(key, (set = new Set()));
    const wk: WatchedKey = { owner: w, db, key, expiredAtWatch: db.dict.has(key) && db.isExpired(key, now) };
    set.add(wk);
    w.watched.push(wk);
    this.watchedCount++;
  }

  unwatchAll(w: Watcher): void {
    for (const wk of w.watched) {
      const keys = this.byDb.get(wk.db);
      const set = keys?.get(wk.key);
      if (set === undefined) continue;
      set.delete(wk);
      this.watchedCount--;
      if (set.size === 0) {
        keys!.delete(wk.key);
        if (keys!.size === 0) this.byDb.delete(wk.db);
      }
    }
    w.watched = [];
  }

  /** A write changed `key` (Redis's touchWatchedKey). */
  touch(db: Database, key: string): void {
    if (this.watchedCount === 0) return;
    const set = this.byDb.get(db)?.get(key);
    if (set === undefined) return;
    for (const wk of set) {
      // the removal of a key that had already expired when it was watched is no logical change
      if (wk.expiredAtWatch && !db.dict.has(key)) wk.expiredAtWatch = false;
      else wk.owner.dirtyCas = true;
    }
  }

  /**
   * FLUSHDB / FLUSHALL is about to empty `db`, or SWAPDB is about to replace its contents with
   * `replacement`'s: watchers of keys that exist now, or will exist after the swap, are dirty.
   */
  touchAllInDb(db: Database, replacement?: Database): void {
    if (this.watchedCount === 0) return;
    const keys = this.byDb.get(db);
    if (keys === undefined) return;
    for (const [key, set] of keys) {
      const replaced = replacement !== undefined && replacement.dict.has(key);
      if (!db.dict.has(key) && !replaced) continue;
      for (const wk of set) {
        if (wk.expiredAtWatch && !replaced) wk.expiredAtWatch = false;
        else wk.owner.dirtyCas = true;
      }
    }
  }

  /** EXEC: a watched key whose TTL has passed since WATCH makes the transaction fail (7.0). */
  anyExpiredSinceWatch(w: Watcher, now: number): boolean {
    for (const wk of w.watched) {
      if (!wk.expiredAtWatch && wk.db.dict.has(wk.key) && wk.db.isExpired(wk.key, now)) return true;
    }
    return false;
  }
}
