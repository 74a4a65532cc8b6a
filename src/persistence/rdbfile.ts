/*
 * RDB files on disk: writing a dump (synchronously for SAVE/SHUTDOWN/DEBUG RELOAD/FLUSHALL, or
 * in the background from a point-in-time Snapshot for BGSAVE) and loading one into the databases.
 *
 * Writing: the codec (rdb/encode.ts) turns keys into bytes as the snapshot delivers them; this file
 * moves those bytes to a temporary file in `dir` (mode 0600), then fsync, rename over `dbfilename`,
 * fsync of the directory (fsutil.ts). A failure at any step removes the temporary file and leaves
 * the previous dump untouched. The snapshot may deliver keys of several databases interleaved (its
 * copy-on-write hook hands over a key of another db before it changes), so the writer emits a
 * SELECTDB whenever the db changes; Redis's loader accepts repeated SELECTDB records.
 *
 * Loading: the whole file is read and decoded into a sink that places keys into the databases,
 * skipping keys whose TTL has passed (as a primary does) and counting both kinds.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RObj } from '../data/keyspace';
import { RdbEncoder } from './rdb/encode';
import { loadRdb, type RdbSink } from './rdb/decode';
import { RdbError } from './rdb/errors';
import { Snapshot, type SnapshotHost, type SnapshotSink } from './snapshot';
import { openTemp, writeAllSync, writeAll, fsyncAsync, commitTemp, closeQuietly, unlinkQuietly, fsyncDir, tag } from './fsutil';
import { REDIS_COMPAT_VERSION } from '../commands/connection';

/** Bytes gathered before a write to the file. */
const FLUSH_BYTES = 1 << 20;
/** rdb-save-incremental-fsync: fsync every 4 MB written, as Redis's REDIS_AUTOSYNC_BYTES. */
const AUTOSYNC_BYTES = 4 * 1024 * 1024;

export interface RdbWriteOptions {
  compress: boolean;
  checksum: boolean;
  /** true when the RDB is the preamble of an AOF base file */
  aofBase?: boolean;
  usedMemory: number;
  /** repl-stream-db, repl-id, repl-offset (Redis's rdbSaveInfo), so a restarted replica can PSYNC */
  repl?: Array<[string, string]> | null;
}

/** The AUX fields Redis 7.0 writes (the replication ones when `repl` is given). */
export function auxFields(opts: RdbWriteOptions): Array<[string, string]> {
  return [
    ['redis-ver', REDIS_COMPAT_VERSION],
    ['redis-bits', '64'],
    ['ctime', String(Math.floor(Date.now() / 1000))],
    ['used-mem', String(opts.usedMemory)],
    ...(opts.repl ?? []),
    ['aof-base', opts.aofBase ? '1' : '0'],
  ];
}

/**
 * A snapshot sink that encodes into an RdbEncoder, switching SELECTDB as keys of other dbs arrive.
 * `sizes` gives RESIZEDB hints the first time each db is selected.
 */
export class RdbStreamSink implements SnapshotSink {
  private currentDb = -1;
  private readonly announced = new Set<number>();
  /** set by the owner to move bytes out between slices */
  onDrain: (() => Promise<void> | void) | null = null;

  constructor(readonly enc: RdbEncoder, private readonly sizes: Array<{ size: number; expires: number }>) {}

  entry(dbIndex: number, key: string, obj: RObj, expireMs: number | bigint | undefined): void {
    if (dbIndex !== this.currentDb) {
      if (this.announced.has(dbIndex)) this.enc.selectDb(dbIndex);
      else {
        this.announced.add(dbIndex);
        const s = this.sizes[dbIndex];
        if (s !== undefined) this.enc.selectDb(dbIndex, s.size, s.expires);
        else this.enc.selectDb(dbIndex);
      }
      this.currentDb = dbIndex;
    }
    this.enc.entry(key, obj, expireMs);
  }

  drain(): Promise<void> | void {
    return this.onDrain?.();
  }
}

function encoderFor(opts: RdbWriteOptions): RdbEncoder {
  const enc = new RdbEncoder({ compress: opts.compress, checksum: opts.checksum });
  enc.header(auxFields(opts));
  return enc;
}

/**
 * Bytes of a whole dump taken synchronously (SAVE). `out` must be done with the chunks when it
 * returns: their memory is reused for the bytes that follow.
 */
export function encodeRdbSync(host: SnapshotHost, opts: RdbWriteOptions, out: (chunks: Buffer[]) => void): void {
  const enc = encoderFor(opts);
  const sizes = host.dbs.map((db) => ({ size: db.dict.size, expires: db.expires.size }));
  const sink = new RdbStreamSink(enc, sizes);
  const flush = (): void => {
    const chunks = enc.take();
    out(chunks);
    enc.recycle(chunks);
  };
  sink.onDrain = () => { if (enc.pending >= FLUSH_BYTES) flush(); };
  const realEntry = sink.entry.bind(sink);
  // runSync never calls drain between slices: flush from entry when enough bytes piled up
  sink.entry = (db, key, obj, exp) => {
    realEntry(db, key, obj, exp);
    if (enc.pending >= FLUSH_BYTES) flush();
  };
  Snapshot.runSync(host, sink);
  enc.footer();
  flush();
}

/** Temporary file name for a dump being written by this process. */
export function tempRdbName(background: boolean): string {
  return background ? `temp-bg-${process.pid}.rdb` : `temp-${process.pid}.rdb`;
}

/**
 * SAVE: the whole dump written now, atomically replacing `file` (relative to the cwd = `dir`).
 * Throws an Error tagged with the failing step ('open' | 'write' | 'rename' | 'dirsync').
 */
export function saveRdbSync(host: SnapshotHost, file: string, opts: RdbWriteOptions & { incrementalFsync: boolean }): void {
  const tmp = path.join(path.dirname(file), tempRdbName(false));
  let fd: number;
  try {
    fd = openTemp(tmp);
  } catch (e) {
    throw tag(e, 'open');
  }
  let sinceSync = 0;
  try {
    encodeRdbSync(host, opts, (chunks) => {
      const n = writeAllSync(fd, chunks);
      sinceSync += n;
      if (opts.incrementalFsync && sinceSync >= AUTOSYNC_BYTES) {
        fs.fdatasyncSync(fd);
        sinceSync = 0;
      }
    });
  } catch (e) {
    closeQuietly(fd);
    unlinkQuietly(tmp);
    if (e instanceof RdbError) throw tag(e, 'write');
    throw tag(e, 'write');
  }
  commitTemp(fd, tmp, file);
}

/**
 * BGSAVE: a dump written from a point-in-time Snapshot while the server keeps serving. `done`
 * settles when the file is in place (or rejects with a tagged error, the temp file removed).
 */
export class BackgroundRdbSave {
  readonly snapshot: Snapshot;
  readonly done: Promise<void>;
  private readonly tmp: string;
  private fd: number | null = null;
  private aborted: string | null = null;

  constructor(host: SnapshotHost, private readonly file: string, private readonly opts: RdbWriteOptions & { incrementalFsync: boolean }) {
    this.tmp = path.join(path.dirname(file), tempRdbName(true));
    this.enc = encoderFor(opts);
    const sizes: Array<{ size: number; expires: number }> = [];
    const sink = new RdbStreamSink(this.enc, sizes);
    // the snapshot point is now, before anything else can run
    this.snapshot = new Snapshot(host, sink);
    sizes.push(...this.snapshot.dbSizes);
    sink.onDrain = () => this.flush(false);
    this.done = this.write();
  }

  private readonly enc: RdbEncoder;
  private sinceSync = 0;

  /** Moves encoded bytes to the file once enough piled up (or all of them when `force`). */
  private async flush(force: boolean): Promise<void> {
    if (!force && this.enc.pending < FLUSH_BYTES) return;
    const chunks = this.enc.take();
    if (chunks.length === 0 || this.fd === null) return;
    this.sinceSync += await writeAll(this.fd, chunks);
    this.enc.recycle(chunks);
    if (this.opts.incrementalFsync && this.sinceSync >= AUTOSYNC_BYTES && this.fd !== null) {
      await fsyncAsync(this.fd);
      this.sinceSync = 0;
    }
  }

  private async write(): Promise<void> {
    try {
      this.fd = openTemp(this.tmp);
    } catch (e) {
      this.snapshot.abort('open failed');
      throw tag(e, 'open');
    }
    try {
      await this.snapshot.run();
      if (this.aborted !== null) throw new Error(this.aborted);
      this.enc.footer();
      await this.flush(true);
      await fsyncAsync(this.fd);
    } catch (e) {
      this.cleanup();
      throw tag(e, 'write');
    }
    if (this.aborted !== null) {
      this.cleanup();
      throw tag(new Error(this.aborted), 'write');
    }
    const fd = this.fd;
    this.fd = null;
    fs.closeSync(fd);
    try {
      fs.renameSync(this.tmp, this.file);
    } catch (e) {
      unlinkQuietly(this.tmp);
      throw tag(e, 'rename');
    }
    try {
      fsyncDir(path.dirname(path.resolve(this.file)));
    } catch (e) {
      throw tag(e, 'dirsync');
    }
  }

  /** Stops the save (FLUSHALL, SHUTDOWN): `done` rejects, the temporary file is removed. */
  abort(reason: string): void {
    if (this.aborted !== null) return;
    this.aborted = reason;
    this.snapshot.abort(reason);
  }

  get aborting(): boolean {
    return this.aborted !== null;
  }

  private cleanup(): void {
    if (this.fd !== null) closeQuietly(this.fd);
    this.fd = null;
    unlinkQuietly(this.tmp);
  }
}

/* ------------------------------------------------------------------ loading */

/** Where loaded keys go: the server's databases (or, for check-rdb, nowhere). */
export interface LoadTarget {
  readonly dbs: Array<{ id: number; dict: { has(k: string): boolean }; set(key: string, obj: RObj): void; setExpire(key: string, ms: number): void; setExpireBig(key: string, ms: bigint): void }>;
}

export interface LoadResult {
  keysLoaded: number;
  keysExpired: number;
  aux: Array<[string, string]>;
  version: number;
  /** offset where the RDB ended (the AOF tail starts there in a preamble file) */
  end: number;
}

export class RdbLoadError extends Error {
  constructor(message: string, readonly offset: number | null, readonly kind: 'corrupt' | 'truncated' | 'config') {
    super(message);
  }
}

/**
 * Decodes `buf` into `target`. Keys whose expiry passed before `now` are skipped when `skipExpired`
 * (a primary's behaviour); a duplicate key is an error unless `merge` (DEBUG RELOAD MERGE).
 */
export function loadRdbInto(buf: Buffer, target: LoadTarget, opts: { checksum: boolean; deepSanitize: boolean; now: number; skipExpired: boolean; merge?: boolean }): LoadResult {
  const res: LoadResult = { keysLoaded: 0, keysExpired: 0, aux: [], version: 0, end: 0 };
  let db = target.dbs[0];
  const sink: RdbSink = {
    aux(key, value) { res.aux.push([key, value]); },
    selectDb(i) {
      if (i >= target.dbs.length) {
        throw new RdbLoadError(`FATAL: Data file was created with a Redis server configured to handle more than ${target.dbs.length} databases. Exiting`, null, 'config');
      }
      db = target.dbs[i];
    },
    entry(key, obj, expireMs) {
      if (expireMs !== undefined && opts.skipExpired && Number(expireMs) < opts.now) {
        res.keysExpired++;
        return;
      }
      if (!opts.merge && db.dict.has(key)) {
        throw new RdbLoadError(`RDB has duplicated key '${key}' in DB ${db.id}`, null, 'corrupt');
      }
      db.set(key, obj);
      if (expireMs !== undefined) {
        if (typeof expireMs === 'bigint') db.setExpireBig(key, expireMs);
        else db.setExpire(key, expireMs);
      }
      res.keysLoaded++;
    },
  };
  try {
    const r = loadRdb(buf, sink, { checksum: opts.checksum, deepSanitize: opts.deepSanitize, now: opts.now });
    res.version = r.version;
    res.end = r.end;
  } catch (e) {
    if (e instanceof RdbLoadError) throw e;
    if (e instanceof RdbError) {
      const off = (e as RdbError & { offset?: number }).offset ?? null;
      const truncated = /unexpected end|truncat|short read|EOF/i.test(e.message);
      throw new RdbLoadError(e.message, off, truncated ? 'truncated' : 'corrupt');
    }
    throw e;
  }
  return res;
}

/** Log lines Redis prints for the AUX fields it recognises while loading. */
export function auxLogLines(aux: Array<[string, string]>, nowMs: number): string[] {
  const out: string[] = [];
  for (const [k, v] of aux) {
    if (k === 'redis-ver') out.push(`Loading RDB produced by version ${v}`);
    else if (k === 'ctime') out.push(`RDB age ${Math.max(0, Math.floor(nowMs / 1000) - Number(v))} seconds`);
    else if (k === 'used-mem') out.push(`RDB memory usage when created ${(Number(v) / (1024 * 1024)).toFixed(2)} Mb`);
  }
  return out;
}
