/*
 * The AOF append path: Redis's feedAppendOnlyFile + flushAppendOnlyFile.
 *
 * Design: every propagated write is encoded at once as a RESP multibulk (a SELECT first when the
 * database differs from the last one written, a `#TS:<unix>` annotation first when
 * aof-timestamp-enabled and the second changed) straight into a reusable byte buffer: no string
 * ropes to flatten and no per-flush conversion, since this runs once per write command. The buffer
 * is written with one synchronous write per event-loop turn, before the replies of that turn leave
 * the process (the server calls `flush` from its reply path). appendfsync always then fdatasyncs
 * synchronously before those replies; everysec queues an fdatasync on the thread pool at most
 * once a second; no never asks.
 *
 * everysec, as Redis: while a background fdatasync of the file is still running, write(2) on the
 * same file would wait for it, so the write is postponed (the replies still go out) for up to two
 * seconds, retried on every turn and every cron tick; past two seconds it is written anyway and
 * counted in aof_delayed_fsync. An acknowledged write may thus wait in memory for ~2 s under
 * everysec, as in Redis; never under always.
 *
 * Invariants:
 *  - Background jobs (fsync, fsync-and-close of a retired file) run one at a time, in order, like
 *    Redis's single bio thread, so a retired descriptor is never closed under a pending fsync.
 *  - A failed write keeps the unwritten bytes in the buffer and marks the status `err`; writes are
 *    then refused (MISCONF) until a later flush succeeds. Under appendfsync always a write or
 *    fsync failure exits the process, as Redis does: the reply may already be promised.
 *  - Arguments are latin1 strings (1 char = 1 byte), so a string's length is its byte length.
 */

import * as fs from 'node:fs';
import { errnoText } from '../fsutil';

export type FsyncPolicy = 'always' | 'everysec' | 'no';

export interface WriterHost {
  log(level: 'debug' | 'verbose' | 'notice' | 'warning', msg: string): void;
  /** unix seconds of the cached clock */
  unixtime(): number;
  /** a background rewrite is running (no-appendfsync-on-rewrite) */
  childActive(): boolean;
  /** a fatal error under appendfsync always */
  fatal(code: number): void;
  /** the latency monitor is sampling: writes and fsyncs are then timed */
  latencyOn(): boolean;
  /** a latency-monitor sample: `event` took `ms` milliseconds */
  latencySample(event: string, ms: number): void;
}

/** How often a repeated write error is logged (seconds), as AOF_WRITE_LOG_ERROR_RATE. */
const WRITE_ERROR_LOG_RATE = 30;
/** How long an everysec write may wait behind a running fsync (seconds), as Redis. */
const POSTPONE_MAX_SEC = 2;
/** The buffer kept between flushes; a bigger one (a large value) is dropped once written. */
const BUFFER_KEEP = 64 * 1024;
/** Arguments shorter than this are copied by a JS loop, cheaper than a native call for them. */
const SHORT_ARG = 48;

/** RESP multibulk of argv, as catAppendOnlyGenericCommand writes it. */
export function encodeCommand(argv: readonly string[]): string {
  let s = `*${argv.length}\r\n`;
  for (const a of argv) s += `$${a.length}\r\n${a}\r\n`;
  return s;
}

export class AofWriter {
  /** descriptor of the incr file being appended to, -1 when none */
  fd = -1;
  /** bytes encoded and not yet written: out[0, outLen) */
  private out = Buffer.allocUnsafe(BUFFER_KEEP);
  private outLen = 0;
  /** db of the last command in the file; -1 forces a SELECT */
  selectedDb = -1;
  private curTimestamp = 0;
  /** base + incr sizes (aof_current_size), and the incr file alone */
  currentSize = 0;
  lastIncrSize = 0;
  fsyncOffset = 0;
  lastFsync = 0;
  /** queued or running fsyncs of the appended file (aof_pending_bio_fsync) */
  pendingFsyncs = 0;
  private jobs: Promise<void> = Promise.resolve();
  /** unix seconds since an everysec write has been waiting for a running fsync, 0 when none */
  private postponedSince = 0;
  /** writes done while an fsync was still running, past the two seconds (aof_delayed_fsync) */
  delayedFsyncs = 0;
  lastWriteOk = true;
  lastWriteError: unknown = null;
  /** the last background fsync's failure, null once one succeeds (aof_bio_fsync_status) */
  bgFsyncError: unknown = null;
  private lastErrorLog = 0;
  policy: FsyncPolicy = 'everysec';
  timestamps = false;
  noFsyncOnRewrite = false;
  /** commands are buffered only while this is true (AOF on, or waiting for its first rewrite) */
  accepting = false;

  constructor(private readonly host: WriterHost) {}

  /** Bytes buffered and not yet written (aof_buffer_length). */
  get pending(): number {
    return this.outLen;
  }

  /** Drops what is buffered (AOF turned off, a failed turn-on). */
  discard(): void {
    this.outLen = 0;
    this.postponedSince = 0;
    if (this.out.length > BUFFER_KEEP) this.out = Buffer.allocUnsafe(BUFFER_KEEP);
  }

  /** feedAppendOnlyFile: appends one propagated command. */
  feed(dbIndex: number, argv: readonly string[]): void {
    if (!this.accepting) return;
    // bound: per argument '$' + up to 20 digits + 2 CRLFs; the header and a SELECT likewise
    let need = 64 + 24 * argv.length;
    for (let i = 0; i < argv.length; i++) need += argv[i].length;
    this.reserve(need);
    if (this.timestamps) {
      const now = this.host.unixtime();
      if (this.curTimestamp < now) {
        this.curTimestamp = now;
        this.putString(`#TS:${now}\r\n`);
      }
    }
    if (dbIndex !== this.selectedDb) {
      const d = String(dbIndex);
      this.putString(`*2\r\n$6\r\nSELECT\r\n$${d.length}\r\n${d}\r\n`);
      this.selectedDb = dbIndex;
    }
    this.putLen(0x2a, argv.length);
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i];
      this.putLen(0x24, a.length);
      this.putString(a);
      this.out[this.outLen++] = 13;
      this.out[this.outLen++] = 10;
    }
  }

  /** Makes room for `n` more bytes, keeping what is buffered. */
  private reserve(n: number): void {
    const want = this.outLen + n;
    if (want <= this.out.length) return;
    let size = this.out.length * 2;
    while (size < want) size *= 2;
    const bigger = Buffer.allocUnsafe(size);
    this.out.copy(bigger, 0, 0, this.outLen);
    this.out = bigger;
  }

  /** `*<n>\r\n` or `$<n>\r\n` (room already reserved). */
  private putLen(prefix: number, n: number): void {
    const b = this.out;
    let p = this.outLen;
    b[p++] = prefix;
    if (n < 10) {
      b[p++] = 48 + n;
    } else {
      const d = String(n);
      for (let i = 0; i < d.length; i++) b[p++] = d.charCodeAt(i);
    }
    b[p++] = 13;
    b[p++] = 10;
    this.outLen = p;
  }

  /** A latin1 string's bytes (room already reserved). */
  private putString(s: string): void {
    const n = s.length;
    if (n < SHORT_ARG) {
      const b = this.out;
      let p = this.outLen;
      for (let i = 0; i < n; i++) b[p++] = s.charCodeAt(i);
      this.outLen = p;
    } else {
      this.outLen += this.out.write(s, this.outLen, n, 'latin1');
    }
  }

  /** The annotation a rewrite writes first (genAofTimestampAnnotationIfNeeded(1)). */
  forcedTimestamp(): string {
    this.curTimestamp = Math.floor(Date.now() / 1000);
    return `#TS:${this.curTimestamp}\r\n`;
  }

  /**
   * flushAppendOnlyFile: writes the buffer, then fsyncs per policy. Without `force`, an everysec
   * write waits (up to two seconds) for a running background fsync to finish.
   */
  flush(force = false): void {
    if (this.fd < 0) return;
    const everysec = this.policy === 'everysec';
    let syncInProgress = false;
    if (this.outLen === 0) {
      // an everysec fsync is still owed for bytes written in an earlier second
      if (everysec && this.fsyncOffset !== this.currentSize && this.host.unixtime() > this.lastFsync && this.pendingFsyncs === 0) this.fsync(false);
      return;
    }
    if (everysec) syncInProgress = this.pendingFsyncs !== 0;
    if (everysec && !force && syncInProgress) {
      const now = this.host.unixtime();
      if (this.postponedSince === 0) {
        this.postponedSince = now;
        return;
      }
      if (now - this.postponedSince < POSTPONE_MAX_SEC) return;
      this.delayedFsyncs++;
      this.host.log('notice', 'Asynchronous AOF fsync is taking too long (disk is busy?). Writing the AOF buffer without waiting for fsync to complete, this may slow down Redis.');
    }
    const data = this.out;
    const len = this.outLen;
    let written = 0;
    let error: unknown = null;
    const timed = this.host.latencyOn();
    const t0 = timed ? performance.now() : 0;
    try {
      while (written < len) written += fs.writeSync(this.fd, data, written, len - written);
    } catch (e) {
      error = e;
    }
    if (timed) {
      // as Redis: the write by its circumstance, and every write as 'aof-write'
      const ms = performance.now() - t0;
      this.host.latencySample(syncInProgress ? 'aof-write-pending-fsync' : this.host.childActive() ? 'aof-write-active-child' : 'aof-write-alone', ms);
      this.host.latencySample('aof-write', ms);
    }
    this.postponedSince = 0;
    if (error !== null) {
      this.writeFailed(error, written, len);
      return;
    }
    if (!this.lastWriteOk) {
      this.host.log('warning', 'AOF write error looks solved, Redis can write again.');
      this.lastWriteOk = true;
      this.lastWriteError = null;
    }
    this.currentSize += written;
    this.lastIncrSize += written;
    this.outLen = 0;
    if (this.out.length > BUFFER_KEEP) this.out = Buffer.allocUnsafe(BUFFER_KEEP);
    this.fsync(syncInProgress);
  }

  private writeFailed(error: unknown, written: number, expected: number): void {
    const now = this.host.unixtime();
    const canLog = now - this.lastErrorLog > WRITE_ERROR_LOG_RATE;
    if (canLog) this.lastErrorLog = now;
    if (written === 0) {
      if (canLog) this.host.log('warning', `Error writing to the AOF file: ${errnoText(error)}`);
    } else {
      if (canLog) this.host.log('warning', `Short write while writing to the AOF file: (nwritten=${written}, expected=${expected})`);
      try {
        fs.ftruncateSync(this.fd, this.lastIncrSize);
        written = 0;
      } catch (e) {
        if (canLog) this.host.log('warning', `Could not remove short write from the append-only file.  Redis may refuse to load the AOF the next time it starts.  ftruncate: ${errnoText(e)}`);
      }
    }
    if (this.policy === 'always') {
      this.host.log('warning', "Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting...");
      this.host.fatal(1);
      return;
    }
    this.lastWriteOk = false;
    this.lastWriteError = error;
    if (written > 0) {
      this.currentSize += written;
      this.lastIncrSize += written;
      this.out.copyWithin(0, written, this.outLen);
      this.outLen -= written;
    }
  }

  /** The fsync part of flushAppendOnlyFile; `syncInProgress` as sampled before the write. */
  private fsync(syncInProgress: boolean): void {
    if (this.noFsyncOnRewrite && this.host.childActive()) return;
    if (this.policy === 'always') {
      const timed = this.host.latencyOn();
      const t0 = timed ? performance.now() : 0;
      try {
        fs.fdatasyncSync(this.fd);
        if (timed) this.host.latencySample('aof-fsync-always', performance.now() - t0);
      } catch (e) {
        this.host.log('warning', `Can't persist AOF for fsync error when the AOF fsync policy is 'always': ${errnoText(e)}. Exiting...`);
        this.host.fatal(1);
        return;
      }
      this.fsyncOffset = this.currentSize;
      this.lastFsync = this.host.unixtime();
    } else if (this.policy === 'everysec' && this.host.unixtime() > this.lastFsync) {
      if (!syncInProgress) {
        const fd = this.fd;
        this.pendingFsyncs++;
        this.background((done) => fs.fdatasync(fd, (err) => {
          this.pendingFsyncs--;
          this.bgFsyncDone(err);
          done();
        }));
        this.fsyncOffset = this.currentSize;
      }
      this.lastFsync = this.host.unixtime();
    }
  }

  /**
   * A background fsync's outcome: a failure refuses writes (MISCONF) until one succeeds. EBADF and
   * EINVAL are not failures of the data (the descriptor went away), as Redis's bio treats them.
   */
  private bgFsyncDone(err: NodeJS.ErrnoException | null): void {
    if (err !== null && err.code !== 'EBADF' && err.code !== 'EINVAL') {
      if (this.bgFsyncError === null) this.host.log('warning', `Fail to fsync the AOF file: ${errnoText(err)}`);
      this.bgFsyncError = err;
    } else {
      this.bgFsyncError = null;
    }
  }

  private background(job: (done: () => void) => void): Promise<void> {
    this.jobs = this.jobs.then(() => new Promise<void>((resolve) => job(resolve)));
    return this.jobs;
  }

  /** Makes `fd` the file appended to; the previous one is fsync'd and closed in the background. */
  switchTo(fd: number): void {
    const old = this.fd;
    this.fd = fd;
    if (old >= 0) {
      this.background((done) => fs.fdatasync(old, () => fs.close(old, () => done())));
      this.fsyncOffset = this.currentSize;
      this.lastFsync = this.host.unixtime();
    }
    this.lastIncrSize = 0;
  }

  /** Writes and fsyncs everything now (shutdown, appendonly no); closes the file when asked. */
  syncNow(close: boolean): string | null {
    this.flush(true);
    let err: string | null = null;
    if (this.fd >= 0) {
      try {
        fs.fsyncSync(this.fd);
        this.fsyncOffset = this.currentSize;
        this.lastFsync = this.host.unixtime();
      } catch (e) {
        err = errnoText(e);
      }
      if (close) {
        try { fs.closeSync(this.fd); } catch { /* already gone */ }
        this.fd = -1;
      }
    }
    return err;
  }

  /** Resolves once every queued background job has finished (tests, shutdown). */
  idle(): Promise<void> {
    return this.jobs;
  }
}
