/*
 * Clients blocked on keys: BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP, BZPOPMIN, BZPOPMAX, BZMPOP.
 *
 * Design, following Redis 7.0's blocked.c:
 *  - A blocked client is registered under each (database, key) it waits on, in arrival order. A
 *    Set per key keeps that order and removes a client in O(1) when it leaves for another reason.
 *  - A key becomes "ready" when it is created (Database.keyAdded, Redis's dbAdd ->
 *    signalKeyAsReady). The hook is installed on a database only while someone waits there, so an
 *    idle server pays one null check per key creation.
 *  - After each top-level command (and after EXEC) the server calls `handleReady`: for every ready
 *    key, the clients waiting on it are offered the key first-come first-served; each `serve` pops
 *    what it needs or declines (key gone, wrong type), and stops the walk once the key is empty.
 *    Serving can create keys (BLMOVE pushes to its destination), which queues more ready keys: the
 *    loop runs until none is left, as Redis's handleClientsBlockedOnKeys does.
 *  - A client that has been served (or timed out, or unblocked by CLIENT UNBLOCK) resumes its
 *    pipelined input on the next event-loop turn, not inside the loop, as Redis defers it to
 *    beforeSleep: one client's follow-up commands never run in the middle of serving the others.
 *  - Timeouts use one timer per blocked client (re-armed if the deadline is beyond setTimeout's
 *    range); a deadline fires once the clock has passed it.
 * Invariant: a client is in `blocked` iff it is registered under each of its keys and its
 * connection is suspended; `unblock` undoes all three together.
 */

import type { Database } from '../data/keyspace';
import type { Ctx, KeyWaiter } from '../commands/context';
import type { Connection } from '../net/connection';
import type { Command } from '../commands/table';

interface Blocked {
  conn: Connection;
  ctx: Ctx;
  db: Database;
  keys: string[];
  deadline: number;
  waiter: KeyWaiter;
  timer: NodeJS.Timeout | null;
  /** CLIENT REPLY OFF/SKIP silenced the blocking command: its eventual reply stays silent too */
  silent: boolean;
}

/** What the registry needs from the server. */
export interface BlockingHost {
  readonly dbs: Database[];
  readonly now: number;
  dirty: number;
  updateClock(): void;
  propagate(dbIndex: number, argv: string[]): void;
  log(level: 'warning', msg: string): void;
  /** copy-on-write for running snapshots, before the served command writes */
  beforeWrite(db: Database, cmd: Command, argv: string[]): void;
}

const MAX_TIMER_MS = 2 ** 31 - 1;

export class BlockingRegistry {
  /** db -> key -> clients waiting on it, in arrival order */
  private readonly waiting = new Map<Database, Map<string, Set<Blocked>>>();
  private readonly blocked = new Map<Connection, Blocked>();
  /** ready keys, in signal order, without duplicates */
  private ready: Array<[Database, string]> = [];
  private readonly readySeen = new Map<Database, Set<string>>();
  private resumeQueued: Connection[] = [];
  private readonly onKeyAdded = (db: Database, key: string) => this.signal(db, key);

  constructor(private readonly host: BlockingHost) {}

  /** INFO blocked_clients */
  get count(): number {
    return this.blocked.size;
  }

  /** INFO clients_in_timeout_table */
  get withTimeout(): number {
    let n = 0;
    for (const b of this.blocked.values()) if (b.deadline !== 0) n++;
    return n;
  }

  isBlocked(conn: Connection): boolean {
    return this.blocked.has(conn);
  }

  get hasReady(): boolean {
    return this.ready.length !== 0;
  }

  block(ctx: Ctx, keys: string[], deadline: number, waiter: KeyWaiter): void {
    const conn = ctx.client as Connection;
    if (conn.denyBlocking) {
      waiter.timeout(ctx);
      return;
    }
    const db = ctx.db;
    const b: Blocked = {
      conn, ctx, db, keys: [...new Set(keys)], deadline, waiter, timer: null,
      silent: conn.replyMode === 'off' || conn.replySkipping,
    };
    let byKey = this.waiting.get(db);
    if (byKey === undefined) {
      byKey = new Map();
      this.waiting.set(db, byKey);
      db.keyAdded = this.onKeyAdded;
    }
    for (const k of b.keys) {
      let set = byKey.get(k);
      if (set === undefined) byKey.set(k, (set = new Set()));
      set.add(b);
    }
    this.blocked.set(conn, b);
    conn.suspend();
    if (deadline !== 0) this.arm(b);
  }

  /** A key may now hold data for its waiters (Redis's signalKeyAsReady). */
  signal(db: Database, key: string): void {
    const byKey = this.waiting.get(db);
    if (byKey === undefined || !byKey.has(key)) return;
    let seen = this.readySeen.get(db);
    if (seen === undefined) this.readySeen.set(db, (seen = new Set()));
    if (seen.has(key)) return;
    seen.add(key);
    this.ready.push([db, key]);
  }

  /** After SWAPDB: every awaited key that now exists in `db` is ready (scanDatabaseForReadyKeys). */
  scanDatabase(db: Database): void {
    const byKey = this.waiting.get(db);
    if (byKey === undefined) return;
    for (const key of byKey.keys()) if (db.lookup(key, this.host.now) !== undefined) this.signal(db, key);
  }

  /** Serves the clients waiting on ready keys until no key is ready. */
  handleReady(): void {
    while (this.ready.length !== 0) {
      const batch = this.ready;
      this.ready = [];
      this.readySeen.clear();
      for (const [db, key] of batch) {
        const set = this.waiting.get(db)?.get(key);
        if (set === undefined) continue;
        // a snapshot: serving unregisters clients from `set` while we walk it
        for (const b of [...set]) {
          if (!this.blocked.has(b.conn)) continue;
          if (db.lookup(key, this.host.now) === undefined) break;
          if (this.serve(b, key)) this.finish(b);
        }
      }
    }
    this.resumeLater();
  }

  /** CLIENT UNBLOCK: true if the client was blocked on keys. */
  unblockByRequest(conn: Connection, withError: boolean): boolean {
    const b = this.blocked.get(conn);
    if (b === undefined) return false;
    this.reply(b, () => {
      if (withError) b.ctx.reply.error('UNBLOCKED client unblocked via CLIENT UNBLOCK');
      else b.waiter.timeout(b.ctx);
    });
    this.finish(b);
    this.resumeLater();
    return true;
  }

  /** The connection is closing: forget it without replying. */
  remove(conn: Connection): void {
    const b = this.blocked.get(conn);
    if (b !== undefined) this.detach(b);
  }

  private serve(b: Blocked, key: string): boolean {
    const ctx = this.refresh(b);
    const dirtyBefore = this.host.dirty;
    this.host.beforeWrite(ctx.db, ctx.cmd, ctx.argv);
    let served = false;
    this.reply(b, () => {
      served = b.waiter.serve(ctx, key);
    });
    if (served && this.host.dirty !== dirtyBefore && ctx.propagateAs !== null) {
      for (const argv of ctx.propagateAs) this.host.propagate(b.db.id, argv);
    }
    return served;
  }

  private arm(b: Blocked): void {
    const wait = Math.min(MAX_TIMER_MS, Math.max(0, b.deadline - Date.now()) + 1);
    b.timer = setTimeout(() => {
      b.timer = null;
      if (this.blocked.get(b.conn) !== b) return;
      if (Date.now() <= b.deadline) {
        this.arm(b);
        return;
      }
      this.host.updateClock();
      this.reply(b, () => b.waiter.timeout(this.refresh(b)));
      this.finish(b);
      this.resumeLater();
    }, wait);
  }

  private refresh(b: Blocked): Ctx {
    const ctx = b.ctx;
    ctx.now = this.host.now;
    ctx.db = b.db;
    ctx.reply = b.conn.reply;
    ctx.propagateAs = null;
    return ctx;
  }

  /** Runs a reply writer for a blocked client, honouring CLIENT REPLY OFF/SKIP and never throwing. */
  private reply(b: Blocked, write: () => void): void {
    const out = b.conn.reply;
    const before = out.out.length;
    try {
      write();
    } catch (e) {
      this.host.log('warning', `Serving a blocked client raised an internal error: ${(e as Error)?.stack ?? e}`);
      out.error('ERR internal error while executing the command');
    }
    if (b.silent) out.out = out.out.slice(0, before);
  }

  private finish(b: Blocked): void {
    this.detach(b);
    this.resumeQueued.push(b.conn);
  }

  private detach(b: Blocked): void {
    if (b.timer !== null) clearTimeout(b.timer);
    b.timer = null;
    this.blocked.delete(b.conn);
    const byKey = this.waiting.get(b.db);
    if (byKey === undefined) return;
    for (const k of b.keys) {
      const set = byKey.get(k);
      if (set === undefined) continue;
      set.delete(b);
      if (set.size === 0) byKey.delete(k);
    }
    if (byKey.size === 0) {
      this.waiting.delete(b.db);
      b.db.keyAdded = null;
    }
  }

  private resumeLater(): void {
    if (this.resumeQueued.length === 0) return;
    const conns = this.resumeQueued;
    this.resumeQueued = [];
    for (const c of conns) c.scheduleFlush();
    setImmediate(() => {
      this.host.updateClock();
      for (const c of conns) c.unsuspend();
    });
  }
}
