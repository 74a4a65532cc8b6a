/*
 * used_memory: what the dataset and the clients cost, kept current without asking the heap.
 *
 * Why not process.memoryUsage(): V8's heapUsed counts garbage until the collector runs, so right
 * after an eviction it has not moved, and an eviction loop steered by it would empty the keyspace.
 * Instead every stored object carries an estimate of its bytes (RObj.mem, with its key), kept by
 * the keyspace on set/add/delete and after each in-place write (signalModifiedKey → remeasure),
 * and each database keeps the sum (Database.usedBytes). The estimate is O(1) per write: strings are
 * measured exactly, aggregates as count × (entry overhead + mean size of a few sampled members),
 * the constants being V8's measured costs (flat one-byte strings, Map/ScanMap entries, skip-list
 * nodes; see COST below).
 *
 * Calibration: after each major (mark-sweep) collection the heap holds little garbage, so live
 * bytes above the start-up baseline, divided by the raw estimate, give a correction factor. It is
 * smoothed, bounded to [0.75, 1.5], and only learned from datasets of 8 MB and more, where the
 * noise of the rest of the heap is small.
 *
 * used_memory = used_memory_startup (heap + external when the server started) + dataset (raw
 * estimate × factor, TTL entries included) + client buffers (query and output) + the replication
 * backlog. Eviction compares it, minus the backlog (mem_not_counted_for_evict, as Redis), with
 * maxmemory.
 *
 * Client memory (ClientMemory) is a running total per client class, moved by each client's own
 * changes in O(1), never summed per command; evictable clients also sit in size buckets so
 * maxmemory-clients finds the largest without a sort. MEMORY STATS / DOCTOR read the same figures
 * (memoryOverhead).
 */

import { PerformanceObserver, constants as perfConstants } from 'node:perf_hooks';
import { memoryMeter, type RObj } from '../data/keyspace';
import { ScanMap } from '../data/scanmap';
import { Quicklist } from '../data/quicklist';
import { ZSet } from '../data/zset';
import { ByteString } from '../data/bytes';
import type { Server } from './server';

/** Measured per-item costs in bytes (node 20, x64, no pointer compression). */
const COST = {
  /** the RObj and its slot in the database's ScanMap */
  key: 122,
  /** an entry in `expires` (Map entry + boxed double) */
  ttl: 83,
  /** a flat one-byte string: header, then the bytes rounded up to 8 */
  strHeader: 16,
  /** a Buffer-backed mutable string (ByteString): the JS objects around the storage */
  byteString: 96,
  list: 80,
  listEntry: 12,
  smallMap: 64,
  smallMapEntry: 48,
  scanMap: 96,
  scanMapEntry: 90,
  intset: 40,
  intsetEntry: 16,
  zset: 160,
  zsetEntry: 200,
};

const SAMPLES = 5;

export function stringBytes(s: string): number {
  return COST.strHeader + ((s.length + 7) & ~7);
}

function valueBytes(v: unknown): number {
  if (typeof v === 'string') return stringBytes(v);
  if (v instanceof ByteString) return COST.byteString + v.buf.length;
  return 16;
}

/** Mean bytes of up to `samples` members of a ScanMap (and their values when `withValues`). */
function sampleScanMap(m: ScanMap<unknown>, withValues: boolean, samples: number): number {
  const n = m.size;
  if (n === 0) return 0;
  const k = Math.min(samples, n);
  let sum = 0;
  for (let i = 0; i < k; i++) {
    const at = n <= samples ? i : Math.floor(Math.random() * n);
    sum += stringBytes(m.keyAt(at));
    if (withValues) sum += valueBytes(m.valueAt(at));
  }
  return sum / k;
}

function sampleMap(m: Map<string, unknown>, withValues: boolean, samples: number): number {
  if (m.size === 0) return 0;
  let sum = 0;
  let k = 0;
  for (const [f, v] of m) {
    sum += stringBytes(f);
    if (withValues) sum += valueBytes(v);
    if (++k === samples) break;
  }
  return sum / k;
}

/**
 * Estimated bytes of a key and its value (no TTL). Aggregates are sampled: `samples` members
 * (Infinity: all of them, MEMORY USAGE ... SAMPLES 0), so the keyspace's O(1) calls use 5.
 */
export function sizeOf(key: string, o: RObj, samples = SAMPLES): number {
  const base = COST.key + stringBytes(key);
  const v = o.value;
  // strings first and without the switch: SET is the write the bookkeeping must not slow
  if (typeof v === 'string') return base + COST.strHeader + ((v.length + 7) & ~7);
  switch (o.type) {
    case 'string':
      return base + valueBytes(v);
    case 'list': {
      const q = v as Quicklist;
      const n = q.length;
      if (n === 0) return base + COST.list;
      let sum = 0;
      const k = Math.min(samples, n);
      for (let i = 0; i < k; i++) sum += stringBytes(q.at(n <= samples ? i : Math.floor(Math.random() * n)));
      return base + COST.list + n * (COST.listEntry + sum / k);
    }
    case 'hash':
    case 'set': {
      const withValues = o.type === 'hash';
      if (v instanceof ScanMap) return base + COST.scanMap + v.size * (COST.scanMapEntry + sampleScanMap(v, withValues, samples));
      if (v instanceof Map) return base + COST.smallMap + v.size * (COST.smallMapEntry + sampleMap(v, withValues, samples));
      if (Array.isArray(v)) return base + COST.intset + v.length * COST.intsetEntry;
      return base;
    }
    case 'zset': {
      const z = v as ZSet;
      const n = z.size;
      if (n === 0) return base + COST.zset;
      let sum = 0;
      const k = Math.min(samples, n);
      for (let i = 0; i < k; i++) sum += stringBytes(z.randomMember()!);
      return base + COST.zset + n * (COST.zsetEntry + sum / k);
    }
    default:
      return base;
  }
}

/** Elements of a collection (0 for strings), and the bytes of its key and empty container. */
function shapeOf(key: string, o: RObj): [number, number] {
  const v = o.value;
  const base = COST.key + stringBytes(key);
  switch (o.type) {
    case 'list':
      return [(v as Quicklist).length, base + COST.list];
    case 'hash':
    case 'set':
      if (v instanceof ScanMap) return [v.size, base + COST.scanMap];
      if (v instanceof Map) return [v.size, base + COST.smallMap];
      if (Array.isArray(v)) return [v.length, base + COST.intset];
      return [0, base];
    case 'zset':
      return [(v as ZSet).size, base + COST.zset];
    default:
      return [0, base];
  }
}

/** Writes since start-up; every RESAMPLE_EVERY-th re-estimate of a collection samples afresh. */
let resizes = 0;
const RESAMPLE_EVERY = 32;

/**
 * The estimate after an in-place write (every LPUSH, SADD, HSET, ZADD... calls it): a collection's
 * per-element part of its last estimate is scaled by its new element count, so a write costs O(1)
 * instead of SAMPLES random lookups. Small collections, a count that doubled or halved since the
 * last estimate, and one re-estimate in RESAMPLE_EVERY sample again, which bounds the drift.
 */
export function resizeOf(key: string, o: RObj): number {
  if (typeof o.value === 'string' || o.type === 'string') return sizeOf(key, o);
  const [n, fixed] = shapeOf(key, o);
  const prevN = o.memN;
  o.memN = n;
  if (n <= SAMPLES || prevN <= SAMPLES || o.mem <= fixed || n > 2 * prevN || 2 * n < prevN || ++resizes % RESAMPLE_EVERY === 0) return sizeOf(key, o);
  return fixed + Math.round(((o.mem - fixed) * n) / prevN);
}

/** Installs the estimator into the keyspace. Idempotent. */
export function installMemoryMeter(): void {
  memoryMeter.sizeOf = sizeOf;
  memoryMeter.resize = resizeOf;
}

function heapNow(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

const LEARN_MIN = 8 * 1024 * 1024;

export class MemoryAccount {
  /** heap + external when the server started: code, the command table, empty structures */
  readonly startup: number;
  /** correction of the raw estimate learned after major collections */
  factor = 1;
  peak = 0;
  private observer: PerformanceObserver | null = null;

  constructor(private readonly server: Server) {
    installMemoryMeter();
    this.startup = heapNow();
    try {
      this.observer = new PerformanceObserver((list) => {
        for (const e of list.getEntries()) {
          const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind;
          if (kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR) this.learn();
        }
      });
      this.observer.observe({ entryTypes: ['gc'] });
    } catch {
      this.observer = null;
    }
  }

  stop(): void {
    this.observer?.disconnect();
    this.observer = null;
  }

  /** Raw estimate of the dataset: keys, values and TTL entries. */
  rawDataset(): number {
    let sum = 0;
    for (const db of this.server.dbs) sum += db.usedBytes + db.expires.size * COST.ttl;
    return sum;
  }

  private learn(): void {
    const raw = this.rawDataset();
    if (raw < LEARN_MIN) return;
    const live = heapNow() - this.startup - this.clients();
    if (live <= 0) return;
    const seen = Math.min(1.5, Math.max(0.75, live / raw));
    this.factor = this.factor * 0.7 + seen * 0.3;
  }

  dataset(): number {
    return Math.round(this.rawDataset() * this.factor);
  }

  /** Client memory, kept incrementally (see ClientMemory below). */
  readonly clientMem = new ClientMemory();

  /** A full recount of every connection (INFO, MEMORY STATS, turning tracking on): O(clients). */
  sampleClients(): number {
    const cm = this.clientMem;
    for (const c of this.server.connections.values()) cm.update(c);
    return cm.all();
  }

  clients(): number {
    return this.clientMem.all();
  }

  /** The replication backlog's bytes (Redis leaves them out of the eviction comparison). */
  backlog(): number {
    return this.server.replication.backlog?.histlen ?? 0;
  }

  /** used_memory: start-up baseline + dataset + client buffers + backlog. O(databases). */
  used(): number {
    const u = this.startup + this.dataset() + this.clientMem.all() + this.backlog();
    if (u > this.peak) this.peak = u;
    return u;
  }
}

/* ------------------------------------------------------------------ client memory */

/** What ClientMemory needs of a connection; the three `mem*` fields are its bookkeeping. */
export interface MeteredClient {
  parser: { pending: number };
  readonly outputPending: number;
  kind: string;
  monitor: boolean;
  noEvict: boolean;
  closed: boolean;
  /** bytes this client contributes to ClientMemory's totals (valid while memClass >= 0) */
  memBytes: number;
  /** which total it is counted in (CLASS_*), -1 when not counted */
  memClass: number;
  /** its eviction bucket, -1 when not evictable */
  memBucket: number;
}

/** Client classes as Redis's getClientType sorts them (a MONITOR counts as a normal client). */
export const CLASS_NORMAL = 0;
export const CLASS_REPLICA = 1;
export const CLASS_PUBSUB = 2;
export const CLASS_MASTER = 3;

function classOf(c: MeteredClient): number {
  const k = c.kind;
  if (k === 'replica') return c.monitor ? CLASS_NORMAL : CLASS_REPLICA;
  if (k === 'pubsub') return CLASS_PUBSUB;
  if (k === 'master') return CLASS_MASTER;
  return CLASS_NORMAL;
}

/** Buckets by powers of two, as Redis's client eviction pools: < 32 KB, then one per doubling. */
const BUCKET_MIN_LOG = 15;
const BUCKET_MAX_LOG = 33;
export const BUCKETS = BUCKET_MAX_LOG - BUCKET_MIN_LOG + 1;

function bucketOf(bytes: number): number {
  if (bytes < 1 << BUCKET_MIN_LOG) return 0;
  const log = Math.min(BUCKET_MAX_LOG, Math.floor(Math.log2(bytes)));
  return log - BUCKET_MIN_LOG;
}

/**
 * Client memory in O(1) per change: each client remembers what it last contributed (memBytes, in
 * the total of its class), so an update adds the difference instead of summing every connection.
 * Evictable clients (normal and pub/sub, without CLIENT NO-EVICT) also sit in a bucket of their
 * size, so client eviction finds the largest without sorting. Totals can lag a client's real
 * buffers (a socket draining on its own) until its next update: after each read and write of it,
 * before each of its commands, and in the cron's rotating walk.
 */
export class ClientMemory {
  readonly byClass = [0, 0, 0, 0];
  readonly buckets: Set<MeteredClient>[] = Array.from({ length: BUCKETS }, () => new Set());

  /** Re-reads one client's buffers and moves the difference into the totals. O(1). */
  update(c: MeteredClient): void {
    if (c.closed) return;
    const bytes = clientBytes(c);
    const cls = classOf(c);
    if (cls !== c.memClass) {
      if (c.memClass >= 0) this.byClass[c.memClass] -= c.memBytes;
      this.byClass[cls] += bytes;
      c.memClass = cls;
    } else {
      this.byClass[cls] += bytes - c.memBytes;
    }
    c.memBytes = bytes;
    const evictable = (cls === CLASS_NORMAL || cls === CLASS_PUBSUB) && !c.noEvict;
    const b = evictable ? bucketOf(bytes) : -1;
    if (b !== c.memBucket) {
      if (c.memBucket >= 0) this.buckets[c.memBucket].delete(c);
      if (b >= 0) this.buckets[b].add(c);
      c.memBucket = b;
    }
  }

  /** A closed connection leaves the totals and its bucket. */
  remove(c: MeteredClient): void {
    if (c.memClass >= 0) this.byClass[c.memClass] -= c.memBytes;
    if (c.memBucket >= 0) this.buckets[c.memBucket].delete(c);
    c.memClass = -1;
    c.memBucket = -1;
    c.memBytes = 0;
  }

  /** What maxmemory-clients compares with its limit: normal and pub/sub clients (Redis). */
  evictable(): number {
    return this.byClass[CLASS_NORMAL] + this.byClass[CLASS_PUBSUB];
  }

  all(): number {
    const t = this.byClass;
    return t[0] + t[1] + t[2] + t[3];
  }
}

/** A connection's memory as client eviction counts it: fixed part plus its buffers. */
export function clientBytes(c: { parser: { pending: number }; readonly outputPending: number }): number {
  return CLIENT_FIXED + c.parser.pending + c.outputPending;
}

/** The connection object, its parser, reply writer and socket: measured ~20 KB per idle client. */
export const CLIENT_FIXED = 20 * 1024;

/* ------------------------------------------------------------------ MEMORY STATS / DOCTOR */

/** One database's share of the overhead (MEMORY STATS db.N). */
export interface DbOverhead {
  id: number;
  main: number;
  expires: number;
}

/**
 * Redis's memory overhead breakdown (getMemoryOverheadData) from our accounting: used_memory as
 * INFO reports it; the overhead is the start-up baseline, the backlog, the clients and, per
 * database, what the keyspace structures cost around the values (the per-key and per-TTL costs);
 * the dataset is the rest. Allocator figures are V8's heap, as INFO memory shows them.
 */
export interface MemoryOverhead {
  peak: number;
  total: number;
  startup: number;
  backlog: number;
  clientsReplicas: number;
  clientsNormal: number;
  aofBuffer: number;
  dbs: DbOverhead[];
  overheadTotal: number;
  keys: number;
  bytesPerKey: number;
  dataset: number;
  datasetPerc: number;
  peakPerc: number;
  allocated: number;
  active: number;
  resident: number;
  allocatorFrag: number;
  allocatorFragBytes: number;
  allocatorRss: number;
  allocatorRssBytes: number;
  rssExtra: number;
  rssExtraBytes: number;
  totalFrag: number;
  totalFragBytes: number;
  /** connections other than replicas, and replicas */
  numClients: number;
  numReplicas: number;
}

const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);

export function memoryOverhead(acct: MemoryAccount, server: Server): MemoryOverhead {
  acct.sampleClients();
  const cm = acct.clientMem;
  const m = process.memoryUsage();
  const total = acct.used();
  const backlog = acct.backlog();
  const clientsReplicas = cm.byClass[CLASS_REPLICA];
  const clientsNormal = cm.byClass[CLASS_NORMAL] + cm.byClass[CLASS_PUBSUB] + cm.byClass[CLASS_MASTER];
  let overhead = acct.startup + backlog + clientsReplicas + clientsNormal;
  const dbs: DbOverhead[] = [];
  let keys = 0;
  for (const db of server.dbs) {
    const n = db.dict.size;
    if (n === 0) continue;
    keys += n;
    const main = Math.round(n * (COST.key) * acct.factor);
    const expires = Math.round(db.expires.size * COST.ttl * acct.factor);
    dbs.push({ id: db.id, main, expires });
    overhead += main + expires;
  }
  const net = total > acct.startup ? total - acct.startup : 1;
  const dataset = total - overhead;
  let numReplicas = 0;
  for (const c of server.connections.values()) if (c.kind === 'replica' && !c.monitor) numReplicas++;
  const rss = m.rss;
  return {
    peak: acct.peak,
    total,
    startup: acct.startup,
    backlog,
    clientsReplicas,
    clientsNormal,
    aofBuffer: 0,
    dbs,
    overheadTotal: overhead,
    keys,
    bytesPerKey: keys === 0 ? 0 : Math.floor(net / keys),
    dataset,
    // Redis computes the percentages in single precision
    datasetPerc: Math.fround((dataset * 100) / net),
    peakPerc: Math.fround(acct.peak === 0 ? 0 : (total * 100) / acct.peak),
    allocated: m.heapUsed,
    active: m.heapTotal,
    resident: rss,
    allocatorFrag: Math.fround(ratio(m.heapTotal, m.heapUsed)),
    allocatorFragBytes: m.heapTotal - m.heapUsed,
    allocatorRss: Math.fround(ratio(rss, m.heapTotal)),
    allocatorRssBytes: rss - m.heapTotal,
    // the allocator's resident figure is the process's RSS: nothing lies outside it
    rssExtra: 1,
    rssExtraBytes: 0,
    totalFrag: Math.fround(ratio(rss, total)),
    totalFragBytes: rss - total,
    numClients: server.connections.size - numReplicas,
    numReplicas,
  };
}

/**
 * MEMORY DOCTOR: Redis's checks, on our figures, reported in our words. Fragmentation findings
 * are measured against V8's heap, which the collector compacts: they point at a memory peak or at
 * garbage not yet collected rather than at allocator fragmentation.
 */
export function doctorReport(o: MemoryOverhead): string {
  if (o.total < 5 * 1024 * 1024) {
    return 'This instance holds too little data (under 5 MB) for a meaningful memory diagnosis. Load a representative dataset and ask again.\n';
  }
  const findings: string[] = [];
  if (o.peak / o.total > 1.5) {
    findings.push(' * Memory peak: at some point this instance used more than 150% of what it uses now. The JavaScript heap returns pages to the system only gradually after a peak, so the resident size may stay high for a while; this is harmless.');
  }
  if (o.totalFrag > 1.4 && o.totalFragBytes > 10 << 20) {
    findings.push(` * High resident size: the process's RSS is more than 1.4 times used_memory (${o.totalFragBytes} bytes above it). This usually follows a memory peak, or garbage that the collector has not reclaimed yet.`);
  }
  if (o.allocatorFrag > 1.1 && o.allocatorFragBytes > 10 << 20) {
    findings.push(' * Heap slack: the V8 heap reserves more than 1.1 times what it holds live. This shrinks after the next major collections.');
  }
  if (o.allocatorRss > 1.1 && o.allocatorRssBytes > 10 << 20) {
    findings.push(' * Memory outside the heap: the RSS is more than 1.1 times the V8 heap (buffers, code, native memory of the runtime).');
  }
  if (o.numClients > 0 && o.clientsNormal / o.numClients > 200 * 1024) {
    findings.push(' * Large client buffers: clients use more than 200 KB each on average. Look for slow pub/sub subscribers, large replies or long pipelines with CLIENT LIST (qbuf, omem).');
  }
  if (o.numReplicas > 0 && o.clientsReplicas / o.numReplicas > 10 * 1024 * 1024) {
    findings.push(' * Large replica buffers: replica output buffers exceed 10 MB each on average; a replica is not keeping up (see INFO replication and CLIENT LIST).');
  }
  if (findings.length === 0) return 'No memory issue detected: used memory, peak, resident size and client buffers all look ordinary.\n';
  return 'Memory issues detected:\n\n' + findings.map((f) => f + '\n\n').join('') + 'Figures: see MEMORY STATS and INFO memory.\n';
}
