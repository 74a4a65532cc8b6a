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
 *    event-loop turn (one pipeline sees one clock), supplied by the caller. On a replica
 *    (`replicaExpiry`) such a key is hidden instead of deleted: the primary's DEL removes it.
 *  - Every removal of a key, whatever the cause, goes through `delete`, so the keyspace listeners
 *    (expired-key stats, later: keyspace notifications, copy-on-write snapshots) see all of them.
 */

import { ScanMap } from './scanmap';

export type ObjType = 'string' | 'list' | 'set' | 'zset' | 'hash' | 'stream';

/** A stored value: its type, representation, and the access clock OBJECT IDLETIME reads. */
export class RObj {
  /** Last access, in seconds of the server LRU clock. */
  lru: number;
  /**
   * An int-encoded string that Redis would hold as its own object rather than one of the shared
   * integers 0..9999 (set by COPY); only OBJECT REFCOUNT looks at it.
   */
  privateInt?: boolean;
  /** This object's (and its key's) estimated bytes, as counted in its database's `usedBytes`. */
  mem = 0;
  /** Elements of the collection when `mem` was estimated (src/server/memory.ts resizeOf). */
  memN = 0;
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

/**
 * Memory accounting and access tracking, installed by src/server/memory.ts and src/server/evict.ts:
 * `sizeOf` estimates a key and its value in bytes; `touch`, when set (an LFU maxmemory-policy),
 * replaces the plain LRU clock store on access.
 */
export const memoryMeter: {
  sizeOf: (key: string, o: RObj) => number;
  /** re-estimate after an in-place change, given the last estimate in `o.mem` (cheaper than sizeOf) */
  resize: (key: string, o: RObj) => number;
  touch: ((o: RObj) => void) | null;
} = {
  sizeOf: () => 0,
  resize: () => 0,
  touch: null,
};

export interface KeyspaceHooks {
  /** Called when a key is removed because its TTL passed (lazily or by the active cycle). */
  onExpired(db: Database, key: string): void;
}

export class Database {
  // not readonly: clear() swaps in fresh maps, so a running snapshot keeps walking the old ones
  dict = new ScanMap<RObj>();
  expires = new Map<string, number>();
  /**
   * The exact expiry of the rare keys whose time is not a safe JS integer (PEXPIREAT near 2^63):
   * `expires` holds the rounded number (good enough to compare with the clock), this map the value
   * replies and propagation must show. Usually empty, so it costs one size check.
   */
  bigExpires = new Map<string, bigint>();
  /** Persistent cursor of the active expiry cycle into `expires` (Map iterators are live). */
  expireCursor: Iterator<[string, number]> | null = null;
  /** Average TTL statistic for INFO keyspace (avg_ttl), estimated like Redis. */
  avgTtl = 0;
  /** Estimated bytes of the keys and values held (memoryMeter.sizeOf summed; TTLs not included). */
  usedBytes = 0;
  /**
   * Called after a key that did not exist is created (Redis's dbAdd -> signalKeyAsReady), so
   * clients blocked on it (BLPOP, BZPOPMIN, ...) can be served. The blocking registry installs it
   * only while some client waits on this database; otherwise it is null and costs one check.
   */
  keyAdded: ((db: Database, key: string) => void) | null = null;
  /**
   * Called after any key is created (Redis's dbAdd "new" keyspace event); installed only while
   * notify-keyspace-events enables the `n` class, otherwise null and one check.
   */
  keyCreated: ((db: Database, key: string) => void) | null = null;
  /**
   * Copy-on-write hook of running snapshots (src/persistence/snapshot.ts): called before a key's
   * value or TTL is replaced or removed. Null, one check, while no snapshot runs.
   */
  cow: ((db: Database, key: string) => void) | null = null;
  /**
   * Set on a replica (src/replication/link.ts): expired keys are the primary's to delete (its DEL
   * arrives in the stream). Returns true while the primary's own commands run, which see such a
   * key as present; everyone else sees it as missing, and it stays in memory. Null on a primary.
   */
  replicaExpiry: (() => boolean) | null = null;

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
    if (this.replicaExpiry !== null) return !this.replicaExpiry();
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
    if (o !== undefined) {
      const t = memoryMeter.touch;
      if (t === null) o.lru = lruClock;
      else t(o);
    }
    return o;
  }

  exists(key: string, now: number): boolean {
    return this.lookup(key, now) !== undefined;
  }

  /** Sets a key's value, clearing its TTL unless keepTtl. */
  set(key: string, obj: RObj, keepTtl = false): void {
    if (this.cow !== null) this.cow(this, key);
    // one lookup: the slot serves both the old value and the replacement
    const dict = this.dict;
    const slot = dict.indexOf(key);
    if (slot !== undefined) this.usedBytes -= dict.valueAt(slot).mem;
    this.usedBytes += obj.mem = memoryMeter.sizeOf(key, obj);
    if (slot !== undefined) dict.setAt(slot, obj);
    else {
      dict.insertNew(key, obj);
      if (this.keyAdded !== null) this.keyAdded(this, key);
      if (this.keyCreated !== null) this.keyCreated(this, key);
    }
    if (!keepTtl && this.expires.size !== 0) {
      this.expires.delete(key);
      if (this.bigExpires.size !== 0) this.bigExpires.delete(key);
    }
  }

  /** Adds a new key (caller guarantees absence) without touching TTLs. */
  add(key: string, obj: RObj): void {
    this.usedBytes += obj.mem = memoryMeter.sizeOf(key, obj);
    this.dict.set(key, obj);
    if (this.keyAdded !== null) this.keyAdded(this, key);
    if (this.keyCreated !== null) this.keyCreated(this, key);
  }

  delete(key: string): boolean {
    if (this.cow !== null) this.cow(this, key);
    const o = this.dict.get(key);
    if (o === undefined) return false;
    this.dict.delete(key);
    this.usedBytes -= o.mem;
    if (this.expires.size !== 0) {
      this.expires.delete(key);
      if (this.bigExpires.size !== 0) this.bigExpires.delete(key);
    }
    return true;
  }

  /**
   * Re-estimates a value changed in place (signalModifiedKey calls it after every write); `o` is
   * the key's object when the caller holds it, which saves the lookup.
   */
  remeasure(key: string, o: RObj | undefined = this.dict.get(key)): void {
    if (o === undefined) return;
    const m = memoryMeter.resize(key, o);
    this.usedBytes += m - o.mem;
    o.mem = m;
  }

  setExpire(key: string, whenMs: number): void {
    if (this.cow !== null) this.cow(this, key);
    this.expires.set(key, whenMs);
    if (this.bigExpires.size !== 0) this.bigExpires.delete(key);
  }

  /** Sets an expiry given as a 64-bit integer, keeping it exact even beyond 2^53. */
  setExpireBig(key: string, whenMs: bigint): void {
    if (this.cow !== null) this.cow(this, key);
    const n = Number(whenMs);
    this.expires.set(key, n);
    if (Number.isSafeInteger(n)) {
      if (this.bigExpires.size !== 0) this.bigExpires.delete(key);
    } else {
      this.bigExpires.set(key, whenMs);
    }
  }

  /** The exact expiry as a 64-bit integer, or undefined when the key has none. */
  getExpireBig(key: string): bigint | undefined {
    const t = this.expires.get(key);
    if (t === undefined) return undefined;
    if (this.bigExpires.size !== 0) {
      const b = this.bigExpires.get(key);
      if (b !== undefined) return b;
    }
    return BigInt(t);
  }

  getExpire(key: string): number | undefined {
    return this.expires.get(key);
  }

  /** Removes the TTL; true if there was one. */
  persist(key: string): boolean {
    if (this.cow !== null) this.cow(this, key);
    if (this.bigExpires.size !== 0) this.bigExpires.delete(key);
    return this.expires.delete(key);
  }

  clear(): number {
    const n = this.dict.size;
    // fresh maps rather than emptied ones: a running snapshot keeps walking the old
    this.dict = new ScanMap<RObj>();
    this.expires = new Map();
    this.bigExpires = new Map();
    this.expireCursor = null;
    this.avgTtl = 0;
    this.usedBytes = 0;
    return n;
  }

  /** Swaps the whole contents with another database (SWAPDB). */
  swapWith(other: Database): void {
    const a = this as any;
    const b = other as any;
    for (const f of ['dict', 'expires', 'bigExpires', 'expireCursor', 'avgTtl', 'usedBytes']) {
      const t = a[f];
      a[f] = b[f];
      b[f] = t;
    }
  }

  /** A random live key (expired candidates are reclaimed while looking), or undefined. */
  randomKey(now: number): string | undefined {
    // As Redis on a primary: every miss deletes the expired key it drew, so this ends after at
    // most `size` draws, and never reports an empty keyspace while a live key remains.
    // On a replica nothing is deleted: when every key has a TTL they may all be logically
    // expired, so after 100 draws an expired name is returned rather than looping forever (Redis).
    let tries = 100;
    for (;;) {
      const k = this.dict.randomKey();
      if (k === undefined) return undefined;
      if (this.expires.size === 0 || !this.expireIfNeeded(k, now)) return k;
      if (this.replicaExpiry !== null && this.dict.size === this.expires.size && --tries === 0) return k;
    }
  }
}

/** Deep copies of values, for COPY. Each value type registers how its representation is copied. */
const valueCopiers = new Map<ObjType, (value: any) => any>();

export function registerValueCopier(type: ObjType, copy: (value: any) => any): void {
  valueCopiers.set(type, copy);
}

/**
 * An independent copy of a stored object (COPY). Strings held as immutable JS strings are shared
 * (a mutable ByteString string copies itself with `clone()`); other types use their registered
 * copier, or the value's own `clone()`. A type with neither is
 * refused with an exception (an error reply) rather than aliased, which would corrupt both keys.
 */
export function duplicateObject(o: RObj, lruClock: number): RObj {
  let value: any;
  const copier = valueCopiers.get(o.type);
  if (copier !== undefined) value = copier(o.value);
  else if (typeof o.value === 'string') value = o.value;
  else if (o.value !== null && typeof o.value === 'object' && typeof o.value.clone === 'function') value = o.value.clone();
  else throw new Error(`no copier registered for values of type ${o.type}`);
  const d = new RObj(o.type, value, o.enc, lruClock);
  // Redis's copy of a shared small integer is a private object (OBJECT REFCOUNT 1).
  if (o.type === 'string' && o.enc === 'int') d.privateInt = true;
  return d;
}
