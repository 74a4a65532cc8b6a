/*
 * The AOF rewrite's new base file, written from a point-in-time snapshot while the server keeps
 * serving (Redis forks a child for this; Redoubt walks a Snapshot between event-loop turns).
 *
 * Two formats, as aof-use-rdb-preamble chooses: an RDB (the `aof-base` aux field set), or the
 * commands of rewriteAppendOnlyFileRio — SET, RPUSH/SADD/ZADD/HMSET in batches of 64 items, then
 * PEXPIREAT for keys with a TTL, a SELECT before each database's keys.
 *
 * Invariants: the temp file is created 0600 and only reaches its final name after fsync (the
 * caller renames it and rewrites the manifest); an aborted or failed rewrite removes it. Values are
 * serialised synchronously inside `entry`, since the object may change right after.
 */

import * as fs from 'node:fs';
import { Snapshot, type SnapshotHost, type SnapshotSink } from '../snapshot';
import type { RObj } from '../../data/keyspace';
import { strValue } from '../../data/bytes';
import type { Quicklist } from '../../data/quicklist';
import { hashEntries } from '../../data/hashtype';
import { setForEach } from '../../data/settype';
import type { ZSet } from '../../data/zset';
import { formatDouble17g } from '../../protocol/reply';
import { RdbEncoder } from '../rdb/encode';
import { openTemp, writeAll, writeAllSync, fsyncAsync, closeQuietly, unlinkQuietly } from '../fsutil';

function fdatasyncAsync(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fs.fdatasync(fd, (err) => (err ? reject(err) : resolve())));
}
import { REDIS_COMPAT_VERSION } from '../../commands/connection';

/** AOF_REWRITE_ITEMS_PER_CMD */
export const ITEMS_PER_CMD = 64;

export interface RewriteOptions {
  /** where the temp file goes (Redis: temp-rewriteaof-bg-<pid>.aof in `dir`) */
  tmpFile: string;
  rdbPreamble: boolean;
  compress: boolean;
  checksum: boolean;
  /** `#TS:<unix>` first (aof-timestamp-enabled), command format only */
  timestamp: string | null;
  /** aof-rewrite-incremental-fsync: fdatasync every AUTOSYNC_BYTES written */
  incrementalFsync: boolean;
}

/**
 * REDIS_AUTOSYNC_BYTES: with aof-rewrite-incremental-fsync the temp base file is fdatasync'd every
 * 4 MB, so the dirty pages reach the disk in small steps instead of one burst at the final fsync
 * (which would stall the disk, and with it the incr file's own fsyncs, for the whole base).
 */
const AUTOSYNC_BYTES = 4 * 1024 * 1024;
/** The sink hands its bytes to the file once this much is pending. */
const WRITE_CHUNK = 64 * 1024;

const bulk = (s: string) => `$${s.length}\r\n${s}\r\n`;

/** Commands that rebuild one key (rewriteAppendOnlyFileRio's per-key part). */
export function keyCommands(key: string, obj: RObj, expireMs: number | bigint | undefined): string {
  let out = '';
  switch (obj.type) {
    case 'string':
      out += `*3\r\n$3\r\nSET\r\n${bulk(key)}${bulk(strValue(obj.value))}`;
      break;
    case 'list': {
      const q = obj.value as Quicklist;
      out += batched('RPUSH', key, q.length, 1, (emit) => {
        for (let i = 0; i < q.length; i++) emit(bulk(q.at(i)));
      });
      break;
    }
    case 'set': {
      let n = 0;
      setForEach(obj, () => { n++; });
      out += batched('SADD', key, n, 1, (emit) => setForEach(obj, (m) => { emit(bulk(m)); }));
      break;
    }
    case 'zset': {
      const z = obj.value as ZSet;
      out += batched('ZADD', key, z.size, 2, (emit) => {
        for (const [m, score] of z.entries()) emit(bulk(formatDouble17g(score)) + bulk(m));
      });
      break;
    }
    case 'hash': {
      const entries = [...hashEntries(obj)];
      out += batched('HMSET', key, entries.length, 2, (emit) => {
        for (const [f, v] of entries) emit(bulk(f) + bulk(v));
      });
      break;
    }
    default:
      throw new Error(`AOF rewrite: the ${obj.type} type cannot be rewritten by this version of Redoubt`);
  }
  if (expireMs !== undefined) out += `*3\r\n$9\r\nPEXPIREAT\r\n${bulk(key)}${bulk(String(expireMs))}`;
  return out;
}

/** Variadic commands of at most ITEMS_PER_CMD items (`width` arguments per item). */
function batched(name: string, key: string, items: number, width: number, each: (emit: (item: string) => void) => void): string {
  let out = '';
  let count = 0;
  let left = items;
  each((item) => {
    if (count === 0) {
      const n = Math.min(left, ITEMS_PER_CMD);
      out += `*${2 + n * width}\r\n${bulk(name)}${bulk(key)}`;
    }
    out += item;
    if (++count === ITEMS_PER_CMD) count = 0;
    left--;
  });
  return out;
}

/** Aux fields of an AOF base RDB, in rdbSaveInfoAuxFields order. */
export function baseAux(): Array<[string, string]> {
  return [
    ['redis-ver', REDIS_COMPAT_VERSION],
    ['redis-bits', '64'],
    ['ctime', String(Math.floor(Date.now() / 1000))],
    ['used-mem', String(process.memoryUsage().rss)],
    ['aof-base', '1'],
  ];
}

/** A sink writing the snapshot to `fd`, in either base format. */
class BaseFileSink implements SnapshotSink {
  private db = -1;
  private text: string[] = [];
  private textBytes = 0;
  private readonly rdb: RdbEncoder | null;
  bytes = 0;
  /** bytes written since the last incremental fdatasync */
  private sinceSync = 0;
  private readonly incrementalFsync: boolean;

  constructor(
    private readonly fd: number,
    private readonly snapshotSizes: () => Array<{ size: number; expires: number }>,
    opts: RewriteOptions,
  ) {
    this.incrementalFsync = opts.incrementalFsync;
    if (opts.rdbPreamble) {
      this.rdb = new RdbEncoder({ compress: opts.compress, checksum: opts.checksum });
      this.rdb.header(baseAux());
    } else {
      this.rdb = null;
      if (opts.timestamp !== null) this.push(opts.timestamp);
    }
  }

  private push(s: string): void {
    this.text.push(s);
    this.textBytes += s.length;
  }

  entry(dbIndex: number, key: string, obj: RObj, expireMs: number | bigint | undefined): void {
    if (this.rdb !== null) {
      if (dbIndex !== this.db) {
        const sz = this.snapshotSizes()[dbIndex];
        this.rdb.selectDb(dbIndex, sz?.size, sz?.expires);
        this.db = dbIndex;
      }
      this.rdb.entry(key, obj, expireMs);
      return;
    }
    if (dbIndex !== this.db) {
      const d = String(dbIndex);
      this.push(`*2\r\n$6\r\nSELECT\r\n$${d.length}\r\n${d}\r\n`);
      this.db = dbIndex;
    }
    this.push(keyCommands(key, obj, expireMs));
  }

  get pending(): number {
    return this.rdb !== null ? this.rdb.pending : this.textBytes;
  }

  drain(): Promise<void> | void {
    if (this.pending < WRITE_CHUNK) return;
    return this.writeOut();
  }

  async writeOut(): Promise<void> {
    const n = await writeAll(this.fd, this.takeAll());
    this.bytes += n;
    this.sinceSync += n;
    if (this.incrementalFsync && this.sinceSync >= AUTOSYNC_BYTES) {
      this.sinceSync = 0;
      await fdatasyncAsync(this.fd);
    }
  }

  writeOutSync(): void {
    const n = writeAllSync(this.fd, this.takeAll());
    this.bytes += n;
    this.sinceSync += n;
    if (this.incrementalFsync && this.sinceSync >= AUTOSYNC_BYTES) {
      this.sinceSync = 0;
      fs.fdatasyncSync(this.fd);
    }
  }

  private takeAll(): Buffer[] {
    if (this.rdb !== null) return this.rdb.take();
    const chunks = [Buffer.from(this.text.join(''), 'latin1')];
    this.text = [];
    this.textBytes = 0;
    return chunks;
  }

  async finish(): Promise<void> {
    if (this.rdb !== null) this.rdb.footer();
    await this.writeOut();
  }

  finishSync(): void {
    if (this.rdb !== null) this.rdb.footer();
    this.writeOutSync();
  }
}

export interface RewriteJob {
  readonly snapshot: Snapshot;
  /** resolves with the base file size once the temp file is complete and fsync'd */
  readonly done: Promise<number>;
  abort(reason: string): void;
}

/**
 * Starts writing a new base file from the dataset as it is right now. The caller must switch the
 * incr file in the same event-loop turn, so no write falls between the snapshot and the new incr.
 */
export function startRewrite(host: SnapshotHost, opts: RewriteOptions): RewriteJob {
  const fd = openTemp(opts.tmpFile);
  let snapshot: Snapshot | null = null;
  const sink = new BaseFileSink(fd, () => snapshot!.dbSizes, opts);
  snapshot = new Snapshot(host, sink);
  const s = snapshot;
  const done = (async () => {
    try {
      await s.run();
      await sink.finish();
      await fsyncAsync(fd);
      await new Promise<void>((resolve, reject) => fs.close(fd, (e) => (e ? reject(e) : resolve())));
      return sink.bytes;
    } catch (e) {
      closeQuietly(fd);
      unlinkQuietly(opts.tmpFile);
      throw e;
    }
  })();
  return { snapshot: s, done, abort: (reason) => s.abort(reason) };
}

/** A synchronous base file for start-up with an empty dataset (rewriteAppendOnlyFile in the main thread). */
export function writeBaseSync(host: SnapshotHost, opts: RewriteOptions, target: string): void {
  const fd = openTemp(opts.tmpFile);
  try {
    const sizes = host.dbs.map((d) => ({ size: d.dict.size, expires: d.expires.size }));
    const sink = new BaseFileSink(fd, () => sizes, opts);
    Snapshot.runSync(host, {
      entry: (db, k, o, e) => {
        sink.entry(db, k, o, e);
        if (sink.pending >= WRITE_CHUNK) sink.writeOutSync();
      },
      drain: () => {},
    });
    sink.finishSync();
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync(opts.tmpFile, target);
  } catch (e) {
    closeQuietly(fd);
    unlinkQuietly(opts.tmpFile);
    throw e;
  }
}
