/*
 * Databases and the keyspace.
 *
 * Design: each database holds its keys in a ScanMap (lookups, SCAN cursors, random keys) and the
 * TTLs in a separate Map (absolute unix time in ms), as Redis keeps `dict` and `expires` apart:
 * only keys with a TTL pay for one, and the active expiry cycle walks just the `expires` map.
 *
 * Invariants:
 *  - Keys are byte strings (latin1), never decoded as UTF-8.
 *  - A key in `expires` is always in `dict`.
 *  - Every read goes through `lookup*`, which deletes the key first if its TTL has passed (lazy
 *    expiry), so no command ever sees an expired value. `now` is the cached clock of the current
 *    event-loop turn (one pipeline sees one clock), supplied by the caller.
 *  - Every removal of a key, whatever the cause, goes through `delete`, so the keyspace listeners
 *    (expired-key stats, later: keyspace notifications, copy-on-write snapshots) see all of them.
 */

import { ScanMap } from './scanmap';

export type ObjType = 'string' | 'list' | 'set' | 'zset' | 'hash' | 'stream';

/** A stored value: its type, representation, and the access clock OBJECT IDLETIME reads. */
export class RObj {
  /** Last access, in seconds of the server LRU clock. */
  lru: number;
  constructor(
    public type: ObjType,
    public value: any,
    /** OBJECT ENCODING name: 'embstr' | 'raw' | 'int' | 'listpack' | 'hashtable' | ... */
    public enc: string,
    now: number,
  ) {
    this.lru = now;
  }
}

/** Largest integer a Redis string may hold as an "int" encoded value (signed 64-bit). */
const INT_RE = /^-?[1-9][0-9]{0,18}$|^0$/;

/** Encoding Redis picks for a string value that was just SET. */
export function stringEncoding(v: string): string {
  if (v.length <= 20 && INT_RE.test(v)) {
    const b = BigInt(v);
    if (b >= -9223372036854775808n && b <= 9223372036854775807n) return 'int';
  }
  return v.length <= 44 ? 'embstr' : 'raw';
}

export interface KeyspaceHooks {
  /** Called when a key is removed because its TTL passed (lazily or by the active cycle). */
  onExpired(db: Database, key: string): void;
}

export class Database {
  readonly dict = new ScanMap<RObj>();
  readonly expires = new Map<string, number>();
  /** Persistent cursor of the active expiry cycle into `expires` (Map iterators are live). */
  expireCursor: Iterator<[string, number]> | null = null;
  /** Average TTL statistic for INFO keyspace (avg_ttl), estimated like Redis. */
  avgTtl = 0;

  constructor(
    public id: number,
    private readonly hooks: KeyspaceHooks,
  ) {}

  get size(): number {
    return this.dict.size;
  }

  /** True if the key exists and its TTL has passed; the caller decides whether to delete. */
  isExpired(key: string, now: number): boolean {
    const t = this.expires.get(key);
    return t !== undefined && t <= now;
  }

  /** Deletes the key if expired. Returns true if it was removed. */
  expireIfNeeded(key: string, now: number): boolean {
    const t = this.expires.get(key);
    if (t === undefined || t > now) return false;
    this.delete(key);
    this.hooks.onExpired(this, key);
    return true;
  }

  /** Returns the live value, or undefined. Lazy expiry happens here. */
  lookup(key: string, now: number): RObj | undefined {
    const o = this.dict.get(key);
    if (o === undefined) return undefined;
    if (this.expires.size !== 0 && this.expireIfNeeded(key, now)) return undefined;
    return o;
  }

  /** Like lookup, and also updates the object's access clock (OBJECT IDLETIME). */
  lookupTouch(key: string, now: number, lruClock: number): RObj | undefined {
    const o = this.lookup(key, now);
    if (o !== undefined) o.lru = lruClock;
    return o;
  }

  exists(key: string, now: number): boolean {
    return this.lookup(key, now) !== undefined;
  }

  /** Sets a key's value, clearing its TTL unless keepTtl. */
  set(key: string, obj: RObj, keepTtl = false): void {
    this.dict.set(key, obj);
    if (!keepTtl && this.expires.size !== 0) this.expires.delete(key);
  }

  /** Adds a new key (caller guarantees absence) without touching TTLs. */
  add(key: string, obj: RObj): void {
    this.dict.set(key, obj);
  }

  delete(key: string): boolean {
    if (!this.dict.delete(key)) return false;
    if (this.expires.size !== 0) this.expires.delete(key);
    return true;
  }

  setExpire(key: string, whenMs: number): void {
    this.expires.set(key, whenMs);
  }

  getExpire(key: string): number | undefined {
    return this.expires.get(key);
  }

  /** Removes the TTL; true if there was one. */
  persist(key: string): boolean {
    return this.expires.delete(key);
  }

  clear(): number {
    const n = this.dict.size;
    this.dict.clear();
    this.expires.clear();
    this.expireCursor = null;
    this.avgTtl = 0;
    return n;
  }

  /** Swaps the whole contents with another database (SWAPDB). */
  swapWith(other: Database): void {
    const a = this as any;
    const b = other as any;
    for (const f of ['dict', 'expires', 'expireCursor', 'avgTtl']) {
      const t = a[f];
      a[f] = b[f];
      b[f] = t;
    }
  }

  /** A random live key (expired candidates are reclaimed while looking), or undefined. */
  randomKey(now: number): string | undefined {
    // Bounded retries like Redis: if every key has expired we eventually report the keyspace empty.
    for (let tries = 0; tries < 100 && this.dict.size > 0; tries++) {
      const k = this.dict.randomKey()!;
      if (!this.expireIfNeeded(k, now)) return k;
    }
    return undefined;
  }
}
