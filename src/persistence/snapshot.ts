/*
 * Point-in-time snapshots without fork: one mechanism for BGSAVE, the AOF rewrite and a replica's
 * full sync (DESIGN.md §6).
 *
 * Design: a Snapshot captures, per database, the ScanMap and TTL maps that hold its keys at the
 * moment it is constructed, and walks each ScanMap from the top slot down, a slice per event-loop
 * turn, handing every key to a sink that serialises it at once. Writes keep running meanwhile; a
 * copy-on-write hook delivers a key's old value just before it changes, if the walk has not reached
 * it yet. The hook fires from three places:
 *  - Server.call, before any command flagged `write` runs, for each of its key arguments (most
 *    values are mutated in place by their commands, invisibly to the keyspace);
 *  - the blocking registry, before a blocked client's command is served (BLMOVE writes a key the
 *    waking command never named);
 *  - Database.set/delete/setExpire/persist, for every other way a key changes (expiry, RENAME's
 *    target, COPY into another db, RESTORE).
 * Whole-database changes need no copies: FLUSHDB/FLUSHALL give the Database fresh maps (the old ones
 * stay frozen for the walk) and SWAPDB moves maps between Database objects, so a view is found by
 * its ScanMap's identity, not by the Database that holds it now.
 *
 * Which keys the walk has delivered: the walk's cursor splits a ScanMap into slots [0, cursor), not
 * yet visited, and the rest. New keys are appended above the cursor, so they are never delivered.
 * A ScanMap only moves an entry from its last slot into a hole left by a removal; when that carries
 * an entry from above the cursor to below it, the key is added to `done`, as is every key delivered
 * early by the hook. A key is pending exactly when its slot is below the cursor and it is not in
 * `done`; `done` only grows with keys touched during the snapshot.
 *
 * Invariants: every key present at construction is delivered exactly once, with the value and TTL
 * it had at construction; no other key is delivered.
 */

import type { Database, RObj } from '../data/keyspace';
import type { ScanMap } from '../data/scanmap';

export interface SnapshotSink {
  /** One key as it was when the snapshot began. Serialise synchronously: obj changes right after. Any db order. */
  entry(dbIndex: number, key: string, obj: RObj, expireMs: number | bigint | undefined): void;
  /** Called between slices; return a promise to apply back-pressure (e.g. flush to a file). */
  drain(): Promise<void> | void;
}

/** What a snapshot needs from the server. */
export interface SnapshotHost {
  readonly dbs: Database[];
  readonly snapshots: SnapshotRegistry;
  /** defers `cb` until the replies queued in this turn are written; false when none are queued */
  afterPendingReplies?(cb: () => void): boolean;
}

interface View {
  dbIndex: number;
  dict: ScanMap<RObj>;
  expires: Map<string, number>;
  bigExpires: Map<string, bigint>;
  /** slots [0, cursor) are not visited yet */
  cursor: number;
  /** keys below the cursor that must not be delivered (already delivered, or moved down from above) */
  done: Set<string>;
}

/**
 * Slice tuning. Between two slices the walk yields one turn of the event loop; the time that turn
 * took (the gap) is what clients and timers needed. A gap of a few microseconds means nothing was
 * waiting: the walk then doubles its slice, up to IDLE_SLICE_MS, so an idle server saves nearly as
 * fast as SAVE while a request arriving meanwhile waits at most that long. A longer gap means
 * clients were served: the next slice lasts BUSY_SHARE / (1 - BUSY_SHARE) of the gap (at least
 * MIN_SLICE_MS), so the walk takes about BUSY_SHARE of a busy server's time. Counting time rather
 * than commands keeps a monitoring poll from slowing a save down.
 */
const DEFAULT_SLICE_KEYS = 4096;
const IDLE_GAP_MS = 0.05;
const IDLE_SLICE_MS = 2;
const BUSY_SHARE = 0.15;
const MIN_SLICE_MS = 0.1;
const MAX_SLICE_MS = 4;

export class Snapshot {
  readonly dbSizes: Array<{ size: number; expires: number }> = [];
  readonly keysTotal: number;
  keysDone = 0;
  /** When the snapshot point was taken (ms). */
  readonly startedAt = Date.now();
  private readonly views: View[] = [];
  /** views by the ScanMap they walk, for the copy-on-write hook */
  readonly byDict = new Map<ScanMap<RObj>, View>();
  private aborted: string | null = null;
  private finished = false;

  constructor(
    private readonly host: SnapshotHost,
    private readonly sink: SnapshotSink,
    private readonly opts: { sliceKeys?: number; sliceMs?: number } = {},
  ) {
    let total = 0;
    for (const db of host.dbs) {
      this.dbSizes.push({ size: db.dict.size, expires: db.expires.size });
      total += db.dict.size;
      if (db.dict.size === 0) continue;
      const v: View = { dbIndex: db.id, dict: db.dict, expires: db.expires, bigExpires: db.bigExpires, cursor: db.dict.size, done: new Set() };
      this.views.push(v);
      this.byDict.set(db.dict, v);
    }
    this.keysTotal = total;
    host.snapshots.add(this);
  }

  /** Synchronous variant for SAVE, SHUTDOWN and DEBUG RELOAD: delivers everything now. */
  static runSync(host: SnapshotHost, sink: SnapshotSink): void {
    const s = new Snapshot(host, sink);
    try {
      for (const v of s.views) s.walk(v, Infinity, Infinity);
    } finally {
      s.close();
    }
  }

  /** Walks the keyspace between event-loop turns; resolves when every key was delivered. */
  async run(): Promise<void> {
    try {
      const sliceKeys = this.opts.sliceKeys ?? DEFAULT_SLICE_KEYS;
      let lastEnd = performance.now();
      let idleSlice = MIN_SLICE_MS;
      for (const v of this.views) {
        for (;;) {
          if (this.aborted !== null) throw new Error(this.aborted);
          const gap = performance.now() - lastEnd;
          let budget: number;
          if (this.opts.sliceMs !== undefined) {
            budget = this.opts.sliceMs;
          } else if (gap < IDLE_GAP_MS) {
            idleSlice = Math.min(IDLE_SLICE_MS, idleSlice * 2);
            budget = idleSlice;
          } else {
            idleSlice = MIN_SLICE_MS;
            budget = Math.min(MAX_SLICE_MS, Math.max(MIN_SLICE_MS, (gap * BUSY_SHARE) / (1 - BUSY_SHARE)));
          }
          const more = this.walk(v, sliceKeys, budget);
          // the time until the next slice (drain, then a turn of the loop) belongs to the clients
          lastEnd = performance.now();
          const d = this.sink.drain();
          if (d !== undefined) await d;
          if (this.aborted !== null) throw new Error(this.aborted);
          await new Promise<void>((r) => setImmediate(r));
          // replies of the commands that ran in this turn go out before the next slice
          const host = this.host;
          if (host.afterPendingReplies !== undefined) await new Promise<void>((r) => { if (!host.afterPendingReplies!(r)) r(); });
          if (!more) break;
        }
      }
    } finally {
      this.close();
    }
  }

  /** Stops the walk (FLUSHALL, SHUTDOWN, errors); run() rejects with this reason. */
  abort(reason: string): void {
    if (this.aborted === null) this.aborted = reason;
    this.close();
  }

  get running(): boolean {
    return !this.finished;
  }

  /** Delivers up to `maxKeys` keys or for about `budgetMs`; false once the view is exhausted. */
  private walk(v: View, maxKeys: number, budgetMs: number): boolean {
    const t0 = budgetMs === Infinity ? 0 : performance.now();
    let n = 0;
    while (v.cursor > 0) {
      if (v.cursor > v.dict.size) v.cursor = v.dict.size;
      if (v.cursor === 0) break;
      const pos = --v.cursor;
      const key = v.dict.keyAt(pos);
      if (v.done.size !== 0 && v.done.delete(key)) continue;
      this.deliver(v, key, v.dict.valueAt(pos));
      if (++n >= maxKeys) break;
      if ((n & 15) === 0 && performance.now() - t0 >= budgetMs) break;
    }
    return v.cursor > 0;
  }

  private deliver(v: View, key: string, obj: RObj): void {
    let exp: number | bigint | undefined = v.expires.size === 0 ? undefined : v.expires.get(key);
    if (exp !== undefined && v.bigExpires.size !== 0) exp = v.bigExpires.get(key) ?? exp;
    this.sink.entry(v.dbIndex, key, obj, exp);
    this.keysDone++;
  }

  /** Copy-on-write: `key` of `dict` is about to change; deliver its old value if still pending. */
  preserve(dict: ScanMap<RObj>, key: string): void {
    const v = this.byDict.get(dict);
    if (v === undefined) return;
    const i = dict.indexOf(key);
    if (i === undefined || i >= v.cursor || v.done.has(key)) return;
    v.done.add(key);
    this.deliver(v, key, dict.valueAt(i));
  }

  /** The ScanMap moved `key` from slot `from` (its last) to `to`, or removed slot `to` (key null). */
  moved(dict: ScanMap<RObj>, key: string | null, from: number, to: number): void {
    const v = this.byDict.get(dict);
    if (v === undefined) return;
    if (key !== null && from >= v.cursor && to < v.cursor) v.done.add(key);
    // the last slot is gone: a cursor above it would later read a slot a new key will reuse
    if (v.cursor > from) v.cursor = from;
  }

  private close(): void {
    if (this.finished) return;
    this.finished = true;
    this.host.snapshots.remove(this);
  }
}

/**
 * The running snapshots of a server, and the hooks that keep them point-in-time. Hooks are
 * installed on the databases and their ScanMaps only while at least one snapshot runs, so a server
 * without one pays a null check.
 */
export class SnapshotRegistry {
  readonly active = new Set<Snapshot>();

  constructor(private readonly dbs: () => Database[]) {}

  get size(): number {
    return this.active.size;
  }

  add(s: Snapshot): void {
    this.active.add(s);
    if (this.active.size === 1) this.install();
  }

  remove(s: Snapshot): void {
    if (!this.active.delete(s)) return;
    if (this.active.size === 0) this.uninstall();
    else this.install();
  }

  /** Before a write command runs: its keys in `db` may be mutated in place. */
  beforeWrite(db: Database, keys: Iterable<string>): void {
    for (const key of keys) this.preserve(db.dict, key);
  }

  private readonly preserve = (dict: ScanMap<RObj>, key: string): void => {
    for (const s of this.active) s.preserve(dict, key);
  };

  private readonly onKeyChange = (db: Database, key: string): void => {
    for (const s of this.active) s.preserve(db.dict, key);
  };

  /** The hooks go on every ScanMap a snapshot walks (wherever SWAPDB put it) and on every Database. */
  private install(): void {
    for (const db of this.dbs()) db.cow = this.onKeyChange;
    for (const s of this.active) {
      for (const dict of s.byDict.keys()) {
        dict.mover = (key, from, to) => {
          for (const t of this.active) t.moved(dict, key, from, to);
        };
      }
    }
  }

  private uninstall(): void {
    for (const db of this.dbs()) {
      db.cow = null;
      db.dict.mover = null;
    }
  }

  /** FLUSHALL: Redis kills a running BGSAVE child; the caller decides which snapshots stop. */
  abortAll(reason: string, filter: (s: Snapshot) => boolean = () => true): void {
    for (const s of [...this.active]) if (filter(s)) s.abort(reason);
  }
}
