/*
 * maxmemory: key eviction with Redis's approximated LRU / LFU / TTL policies, the OOM gate, and
 * client eviction (maxmemory-clients).
 *
 * Design, after Redis's evict.c (facts, not code):
 *  - The access field of every object (RObj.lru) holds the LRU clock in seconds, or, under an LFU
 *    policy, Redis's packing: the last decrement time in minutes (16 bits) << 8 | a logarithmic
 *    counter (8 bits). `Server.lruClock` is what a new object starts with (the packed initial
 *    counter LFU_INIT_VAL under LFU), and lookups update the field through memoryMeter.touch.
 *  - Before each command, when maxmemory is set, `performEvictions` frees keys until used_memory
 *    (src/server/memory.ts, minus the replication backlog) is under the limit. Candidates come from
 *    `maxmemory-samples` keys per database (random for allkeys-*, a rotating walk of the TTL table
 *    for volatile-*) into a 16-entry pool sorted by "idle" (LRU idle seconds, 255 - LFU counter, or
 *    nearness of the TTL); the best is evicted. Each eviction is propagated as DEL (UNLINK with
 *    lazyfree-lazy-eviction), raises the `evicted` keyspace event and counts in evicted_keys.
 *  - maxmemory-eviction-tenacity bounds the time one call spends (Redis's formula); past it the
 *    rest continues on a timer between event-loop turns and the command is let through.
 *  - Nothing happens while maxmemory is 0: the dispatcher reads one number.
 */

import type { Database, RObj } from '../data/keyspace';
import { memoryMeter } from '../data/keyspace';
import type { Command } from '../commands/table';
import type { Connection } from '../net/connection';
import type { Server } from './server';
import { MemoryAccount } from './memory';

export const OOM_ERROR = "OOM command not allowed when used memory > 'maxmemory'.";

/* ------------------------------------------------------------------ LFU arithmetic */

export const LFU_INIT_VAL = 5;
const lfu = { logFactor: 10, decayTime: 1 };

/** Minutes, 16 bits, as the LFU half of the access field keeps time. */
export function lfuMinutes(nowMs: number): number {
  return Math.floor(nowMs / 60000) & 0xffff;
}

function lfuElapsed(ldt: number, now: number): number {
  return now >= ldt ? now - ldt : 65535 - ldt + now;
}

/** The counter after the decay owed since its last decrement (not stored: OBJECT FREQ, pools). */
export function lfuDecrAndReturn(o: RObj, nowMs: number): number {
  const ldt = (o.lru >>> 8) & 0xffff;
  const counter = o.lru & 255;
  const periods = lfu.decayTime !== 0 ? Math.floor(lfuElapsed(ldt, lfuMinutes(nowMs)) / lfu.decayTime) : 0;
  return periods === 0 ? counter : periods > counter ? 0 : counter - periods;
}

/** Logarithmic increment: the higher the counter, the less likely one access raises it. */
function lfuLogIncr(counter: number): number {
  if (counter === 255) return 255;
  const base = Math.max(0, counter - LFU_INIT_VAL);
  return Math.random() < 1 / (base * lfu.logFactor + 1) ? counter + 1 : counter;
}

/** An access under an LFU policy (Redis's updateLFU). */
function touchLfu(o: RObj): void {
  const now = Date.now();
  o.lru = (lfuMinutes(now) << 8) | lfuLogIncr(lfuDecrAndReturn(o, now));
}

/**
 * What the current maxmemory-policy makes the RDB codec do with access data (rdbSaveKeyValuePair,
 * objectSetLRUOrLFU): under an LRU policy each key record carries IDLE, under an LFU policy FREQ;
 * a key loaded under LFU takes its FREQ, or LFU_INIT_VAL when the record has none, and under any
 * other policy its IDLE. Module state, as the keyspace's memoryMeter, set by the Evictor.
 */
export const accessPolicy = { lru: false, lfu: false };

/** The record's IDLE seconds (lru) or FREQ counter (lfu) for one object, or undefined. */
export function rdbAccessOf(o: RObj, nowMs: number): { idle?: number; freq?: number } | undefined {
  if (accessPolicy.lru) return { idle: Math.max(0, Math.floor(nowMs / 1000) - o.lru) };
  if (accessPolicy.lfu) return { freq: lfuDecrAndReturn(o, nowMs) };
  return undefined;
}

/** The access field holding `freq` as its counter (RESTORE FREQ, RDB FREQ). */
export function lfuPack(freq: number, nowMs: number): number {
  return (lfuMinutes(nowMs) << 8) | (freq & 255);
}

/* ------------------------------------------------------------------ eviction */

type Policy = 'volatile-lru' | 'volatile-lfu' | 'volatile-random' | 'volatile-ttl' | 'allkeys-lru' | 'allkeys-lfu' | 'allkeys-random' | 'noeviction';

interface PoolEntry {
  idle: number;
  key: string;
  db: number;
}

const POOL_SIZE = 16;

/** Microseconds one performEvictions call may spend (Redis's evictionTimeLimitUs). */
export function evictionTimeLimitUs(tenacity: number): number {
  if (tenacity <= 10) return 50 * tenacity;
  if (tenacity < 100) return Math.floor(500 * Math.pow(1.15, tenacity - 10));
  return Infinity;
}

export type EvictResult = 'ok' | 'running' | 'fail';

export class Evictor {
  /** bytes; 0 = no limit (the dispatcher's only check) */
  maxmemory = 0;
  policy: Policy = 'noeviction';
  samples = 5;
  tenacity = 10;
  /** resolved maxmemory-clients in bytes (0 = off) */
  clientLimit = 0;
  private clientSetting = 0;
  readonly mem: MemoryAccount;
  private readonly pool: PoolEntry[] = [];
  private nextDb = 0;
  /** rotating walks of each TTL table, keyed by the Map (FLUSH swaps in a fresh one) */
  private readonly walks = new WeakMap<Map<string, number>, Iterator<[string, number]>>();
  private timer: NodeJS.Immediate | null = null;
  evictedClients = 0;

  constructor(private readonly server: Server) {
    this.mem = new MemoryAccount(server);
    const cfg = server.config;
    cfg.onChange('maxmemory-policy', (v: Policy) => {
      this.policy = v;
      this.pool.length = 0;
      memoryMeter.touch = v.endsWith('lfu') ? touchLfu : null;
      accessPolicy.lru = v.endsWith('lru');
      accessPolicy.lfu = v.endsWith('lfu');
      server.lruClock = this.accessClock(server.now);
    });
    cfg.onChange('maxmemory-samples', (v) => (this.samples = Number(v)));
    cfg.onChange('maxmemory-eviction-tenacity', (v) => (this.tenacity = Number(v)));
    cfg.onChange('lfu-log-factor', (v) => (lfu.logFactor = Number(v)));
    cfg.onChange('lfu-decay-time', (v) => (lfu.decayTime = Number(v)));
    cfg.onChange('maxmemory-clients', (v) => {
      this.clientSetting = Number(v);
      this.resolveClientLimit();
      this.retrack();
    });
    cfg.onChange('maxmemory', (v) => {
      const was = this.maxmemory;
      this.maxmemory = Number(v);
      this.resolveClientLimit();
      this.retrack();
      if (this.maxmemory === 0) return;
      if (this.maxmemory < 1024 * 1024 && was === 0) {
        server.log('warning', `WARNING: You specified a maxmemory value that is less than 1MB (current value is ${this.maxmemory} bytes). Are you sure this is what you really want?`);
      }
      const used = this.usedForEviction();
      if (this.maxmemory < used) {
        server.log('warning', `WARNING: the new maxmemory value set via CONFIG SET (${this.maxmemory}) is smaller than the current memory usage (${used}). This will result in key eviction and/or the inability to accept new write commands depending on the maxmemory-policy.`);
        this.scheduleBackground();
      }
    });
  }

  /** A negative setting is a percentage of maxmemory (and off while maxmemory is 0). */
  private resolveClientLimit(): void {
    const s = this.clientSetting;
    this.clientLimit = s >= 0 ? s : Math.floor((this.maxmemory * -s) / 100);
  }

  /** What Server.lruClock holds: LRU seconds, or the packed initial LFU value. */
  accessClock(nowMs: number): number {
    return this.policy.endsWith('lfu') ? lfuPack(LFU_INIT_VAL, nowMs) : Math.floor(nowMs / 1000);
  }

  /** used_memory minus what Redis leaves out of the comparison (the replication backlog). */
  usedForEviction(): number {
    return this.mem.used() - this.notCounted();
  }

  notCounted(): number {
    return this.mem.backlog();
  }

  /**
   * The OOM gate of processCommand: evicts as needed, then refuses `denyoom` commands (and, inside
   * MULTI, anything but EXEC/DISCARD/QUIT/RESET; EXEC of a queue holding a denyoom command) while
   * memory stays over the limit. Only called when maxmemory is set.
   */
  refuses(conn: Connection, cmd: Command): boolean {
    if (conn.kind === 'master') return false;
    if (this.performEvictions() !== 'fail') return false;
    if (cmd.flags.has('denyoom')) return true;
    const name = cmd.name;
    if (conn.multi !== null) {
      if (name === 'exec') return conn.multi.some((q) => q.cmd.flags.has('denyoom'));
      return name !== 'discard' && name !== 'quit' && name !== 'reset';
    }
    return false;
  }

  /** Frees keys until under maxmemory (Redis's performEvictions). */
  performEvictions(): EvictResult {
    const server = this.server;
    if (this.maxmemory === 0) return 'ok';
    // a replica leaves its dataset to its primary (replica-ignore-maxmemory yes)
    if (server.primaryLink !== null) return 'ok';
    if (this.usedForEviction() <= this.maxmemory) return 'ok';
    if (this.policy === 'noeviction') return 'fail';
    const t0 = performance.now();
    const limitMs = evictionTimeLimitUs(this.tenacity) / 1000;
    // the latency monitor: each key's deletion ('eviction-del') and the whole cycle ('eviction-cycle')
    const sampling = server.latency.on;
    let freed = 0;
    let result: EvictResult = 'ok';
    while (this.usedForEviction() > this.maxmemory) {
      const victim = this.pickVictim();
      if (victim === null) {
        result = 'fail';
        break;
      }
      const d0 = sampling ? performance.now() : 0;
      this.evict(victim.db, victim.key);
      if (sampling) server.latencySample('eviction-del', performance.now() - d0);
      // Redis looks at the clock every 16 keys
      if (++freed % 16 === 0 && performance.now() - t0 > limitMs) {
        if (this.usedForEviction() > this.maxmemory) {
          this.scheduleBackground();
          result = 'running';
        }
        break;
      }
    }
    if (sampling) server.latencySample('eviction-cycle', performance.now() - t0);
    return result;
  }

  /** Eviction that ran out of time continues between event-loop turns (evictionTimeProc). */
  private scheduleBackground(): void {
    if (this.timer !== null) return;
    this.timer = setImmediate(() => {
      this.timer = null;
      this.server.updateClock();
      if (this.performEvictions() === 'running') this.scheduleBackground();
    });
  }

  private evict(dbIndex: number, key: string): void {
    const server = this.server;
    const db = server.dbs[dbIndex];
    const lazy = server.config.lookup('lazyfree-lazy-eviction')?.value === true;
    server.propagate(dbIndex, [lazy ? 'UNLINK' : 'DEL', key]);
    db.delete(key);
    server.stats.evictedKeys++;
    server.signalModifiedKey(db, key);
    server.notifyKeyspaceEvent('e', 'evicted', key, dbIndex);
  }

  private pickVictim(): PoolEntry | null {
    const dbs = this.server.dbs;
    const volatile = this.policy.startsWith('volatile');
    if (this.policy.endsWith('random')) {
      // rotate over the databases, one random (allkeys) or next (volatile) key from each
      for (let i = 0; i < dbs.length; i++) {
        const db = dbs[this.nextDb];
        this.nextDb = (this.nextDb + 1) % dbs.length;
        const key = volatile ? this.walk(db, 1)[0] : db.dict.randomKey();
        if (key !== undefined) return { idle: 0, key, db: db.id };
      }
      return null;
    }
    for (;;) {
      let any = false;
      for (const db of dbs) {
        const n = volatile ? db.expires.size : db.dict.size;
        if (n === 0) continue;
        any = true;
        this.populate(db, volatile);
      }
      if (!any) return null;
      // the best candidate sits at the right end; it may have gone since it was sampled
      while (this.pool.length !== 0) {
        const e = this.pool.pop()!;
        const db = dbs[e.db];
        const o = db.dict.get(e.key);
        if (o === undefined || (volatile && !db.expires.has(e.key))) continue;
        // a key read since it was sampled is judged on its current idleness (Redis keeps the old
        // figure, which evicts keys of the hot set that happened to be sampled while cold)
        const now = this.score(db, e.key, o);
        if (now < e.idle && this.pool.length !== 0 && now < this.pool[this.pool.length - 1].idle) {
          this.populateOne(db, e.key, o, now);
          continue;
        }
        return e;
      }
    }
  }

  /** The next `n` keys of a rotating walk of the database's TTL table. */
  private walk(db: Database, n: number): string[] {
    const map = db.expires;
    const out: string[] = [];
    if (map.size === 0) return out;
    let it = this.walks.get(map);
    if (it === undefined) this.walks.set(map, (it = map.entries()));
    let restarted = false;
    while (out.length < n && out.length < map.size) {
      const r = it.next();
      if (r.done) {
        if (restarted) break;
        restarted = true;
        this.walks.set(map, (it = map.entries()));
        continue;
      }
      out.push(r.value[0]);
    }
    return out;
  }

  private score(db: Database, key: string, o: RObj): number {
    const p = this.policy;
    if (p.endsWith('lru')) return this.server.lruClock - o.lru;
    if (p.endsWith('lfu')) return 255 - lfuDecrAndReturn(o, this.server.now);
    // volatile-ttl: the sooner it expires, the better a candidate
    return Number.MAX_SAFE_INTEGER - (db.expires.get(key) ?? Number.MAX_SAFE_INTEGER);
  }

  /** Samples keys of one database into the pool (evictionPoolPopulate). */
  private populate(db: Database, volatile: boolean): void {
    const keys = volatile ? this.walk(db, this.samples) : null;
    const dict = db.dict;
    const n = keys !== null ? keys.length : Math.min(this.samples, dict.size);
    for (let i = 0; i < n; i++) {
      let key: string;
      let o: RObj | undefined;
      if (keys !== null) {
        key = keys[i];
        o = dict.get(key);
        if (o === undefined) continue;
      } else {
        // a uniform pick by slot: no hash probe needed
        const at = Math.floor(Math.random() * dict.size);
        key = dict.keyAt(at);
        o = dict.valueAt(at);
      }
      this.populateOne(db, key, o, this.score(db, key, o));
    }
  }

  private populateOne(db: Database, key: string, o: RObj, idle: number): void {
    const pool = this.pool;
    if (pool.length === POOL_SIZE && idle <= pool[0].idle) return;
    for (const e of pool) {
      if (e.key === key && e.db === db.id) {
        e.idle = idle;
        pool.sort((a, b) => a.idle - b.idle);
        return;
      }
    }
    let at = 0;
    while (at < pool.length && pool[at].idle < idle) at++;
    pool.splice(at, 0, { idle, key, db: db.id });
    if (pool.length > POOL_SIZE) pool.shift();
  }

  /* ------------------------------------------------------------------ client eviction */

  /**
   * True while client memory is kept incrementally (maxmemory or maxmemory-clients set): the
   * connection's read and write paths test this one flag. While false, INFO and MEMORY STATS
   * recount on demand.
   */
  trackClients = false;
  /** the cron's rotating walk over the connections (Map iterators stay valid as it changes) */
  private clientWalk: Iterator<Connection> | null = null;
  private clientTimer: NodeJS.Immediate | null = null;

  private retrack(): void {
    const on = this.maxmemory !== 0 || this.clientLimit !== 0;
    if (on && !this.trackClients) this.mem.sampleClients();
    this.trackClients = on;
  }

  /**
   * Before each command (processCommand's order: clients, then keys), when maxmemory-clients is
   * set: the caller's own memory is brought up to date, then, while the normal and pub/sub clients
   * hold the limit or more, clients are closed from the largest bucket down (Redis's
   * evictClients). O(1) unless someone is evicted. Returns true if `current` itself was closed, so
   * its command is not run.
   */
  evictClients(current: Connection | null): boolean {
    if (this.clientLimit === 0) return false;
    const cm = this.mem.clientMem;
    if (current !== null) cm.update(current);
    if (cm.evictable() < this.clientLimit) return false;
    let self = false;
    for (let b = cm.buckets.length - 1; b >= 0 && cm.evictable() >= this.clientLimit; b--) {
      // closing removes the client from its bucket; iterate over a copy of this one
      for (const c of [...cm.buckets[b]] as Connection[]) {
        if (cm.evictable() < this.clientLimit) break;
        this.server.log('notice', `Evicting client: ${c.infoLine()}`);
        this.evictedClients++;
        if (c === current) self = true;
        c.close();
      }
    }
    if (cm.evictable() >= this.clientLimit) this.server.log('warning', 'Over client maxmemory after evicting all evictable clients');
    return self;
  }

  /**
   * A connection's buffers changed (it read input, or wrote output). O(1). If that puts the clients
   * over maxmemory-clients, eviction runs after the current I/O callbacks (Redis does it in
   * beforeSleep), except for a read, whose caller evicts at once so an oversized request is not
   * parsed (returns true if the connection itself was closed).
   */
  clientChanged(c: Connection, reading: boolean): boolean {
    const cm = this.mem.clientMem;
    cm.update(c);
    if (this.clientLimit === 0 || cm.evictable() < this.clientLimit) return false;
    if (reading) return this.evictClients(c);
    if (this.clientTimer === null) {
      this.clientTimer = setImmediate(() => {
        this.clientTimer = null;
        this.evictClients(null);
      });
    }
    return false;
  }

  /** A closing connection leaves the client totals. */
  clientClosed(c: Connection): void {
    this.mem.clientMem.remove(c);
  }

  /**
   * From the server cron: refresh a share of the connections (all of them once a second at any
   * hz, at least 5 per call, as Redis's clientsCron), which catches output that drained on its own,
   * then evict if over. O(clients / hz) per call, never per command.
   */
  cron(): void {
    if (!this.trackClients) return;
    const conns = this.server.connections;
    const hz = Math.max(1, this.server.hz);
    let n = Math.min(conns.size, Math.max(5, Math.ceil(conns.size / hz)));
    const cm = this.mem.clientMem;
    let restarted = false;
    while (n > 0) {
      if (this.clientWalk === null) this.clientWalk = conns.values();
      const r = this.clientWalk.next();
      if (r.done) {
        this.clientWalk = null;
        if (restarted) break;
        restarted = true;
        continue;
      }
      cm.update(r.value);
      n--;
    }
    if (this.clientLimit !== 0) this.evictClients(null);
  }
}
