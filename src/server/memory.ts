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

/** Mean bytes of up to SAMPLES members of a ScanMap (and their values when `withValues`). */
function sampleScanMap(m: ScanMap<unknown>, withValues: boolean): number {
  const n = m.size;
  if (n === 0) return 0;
  const k = Math.min(SAMPLES, n);
  let sum = 0;
  for (let i = 0; i < k; i++) {
    const at = n <= SAMPLES ? i : Math.floor(Math.random() * n);
    sum += stringBytes(m.keyAt(at));
    if (withValues) sum += valueBytes(m.valueAt(at));
  }
  return sum / k;
}

function sampleMap(m: Map<string, unknown>, withValues: boolean): number {
  if (m.size === 0) return 0;
  let sum = 0;
  let k = 0;
  for (const [f, v] of m) {
    sum += stringBytes(f);
    if (withValues) sum += valueBytes(v);
    if (++k === SAMPLES) break;
  }
  return sum / k;
}

/** Estimated bytes of a key and its value (no TTL). O(1): aggregates are sampled. */
export function sizeOf(key: string, o: RObj): number {
  const base = COST.key + stringBytes(key);
  const v = o.value;
  switch (o.type) {
    case 'string':
      return base + valueBytes(v);
    case 'list': {
      const q = v as Quicklist;
      const n = q.length;
      if (n === 0) return base + COST.list;
      let sum = 0;
      const k = Math.min(SAMPLES, n);
      for (let i = 0; i < k; i++) sum += stringBytes(q.at(n <= SAMPLES ? i : Math.floor(Math.random() * n)));
      return base + COST.list + n * (COST.listEntry + sum / k);
    }
    case 'hash':
    case 'set': {
      const withValues = o.type === 'hash';
      if (v instanceof ScanMap) return base + COST.scanMap + v.size * (COST.scanMapEntry + sampleScanMap(v, withValues));
      if (v instanceof Map) return base + COST.smallMap + v.size * (COST.smallMapEntry + sampleMap(v, withValues));
      if (Array.isArray(v)) return base + COST.intset + v.length * COST.intsetEntry;
      return base;
    }
    case 'zset': {
      const z = v as ZSet;
      const n = z.size;
      if (n === 0) return base + COST.zset;
      let sum = 0;
      const k = Math.min(SAMPLES, n);
      for (let i = 0; i < k; i++) sum += stringBytes(z.randomMember()!);
      return base + COST.zset + n * (COST.zsetEntry + sum / k);
    }
    default:
      return base;
  }
}

/** Installs the estimator into the keyspace. Idempotent. */
export function installMemoryMeter(): void {
  memoryMeter.sizeOf = sizeOf;
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

  /** Client memory as last summed (by the cron, INFO and client eviction): O(1) to read. */
  private clientsCached = 0;

  /** Sums the fixed part and the query and output buffers of every connection. */
  sampleClients(): number {
    let sum = 0;
    for (const c of this.server.connections.values()) sum += clientBytes(c);
    this.clientsCached = sum;
    return sum;
  }

  clients(): number {
    return this.clientsCached;
  }

  /** The replication backlog's bytes (Redis leaves them out of the eviction comparison). */
  backlog(): number {
    return this.server.replication.backlog?.histlen ?? 0;
  }

  /** used_memory: start-up baseline + dataset + client buffers + backlog. O(databases). */
  used(): number {
    const u = this.startup + this.dataset() + this.clientsCached + this.backlog();
    if (u > this.peak) this.peak = u;
    return u;
  }
}

/** A connection's memory as client eviction counts it: fixed part plus its buffers. */
export function clientBytes(c: { parser: { pending: number }; outputPending: number; argvBytes?: number }): number {
  return CLIENT_FIXED + c.parser.pending + c.outputPending;
}

/** The connection object, its parser, reply writer and socket: measured ~20 KB per idle client. */
export const CLIENT_FIXED = 20 * 1024;
