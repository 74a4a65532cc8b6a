/*
 * AofManager: the multi-part AOF's life cycle, as Redis 7.0 runs it (aof.c): start-up loading and
 * opening, the write feed, BGREWRITEAOF, automatic rewrites, CONFIG SET appendonly at run time,
 * shutdown, INFO fields and the MISCONF refusal while writes to the file fail.
 *
 * States (Redis's aof_state): 'off'; 'on' (every write is appended); 'wait_rewrite' (turned on at
 * run time: writes go to a temporary incr file until the first rewrite has produced a base, then
 * that file becomes the first incr file of the new manifest).
 *
 * A rewrite: in one event-loop turn the buffer is flushed, a new incr file is opened and recorded in
 * the manifest (new writes go there), and a Snapshot of the dataset is taken; the snapshot is then
 * written as the new base in the background. When it completes, the base is renamed into the
 * directory, older incr files become history, the manifest is replaced atomically, and history
 * files are deleted (unless aof-disable-auto-gc). Base + the incr files after it always describe
 * the dataset, whatever moment the process dies at.
 *
 * One background job at a time, shared with BGSAVE through PersistenceManager.childType.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Server } from '../../server/server';
import type { PersistenceManager } from '../manager';
import { AofWriter, type FsyncPolicy } from './writer';
import { Manifest, ManifestError, readManifest, writeManifest, tempIncrName } from './manifest';
import { loadAofFiles } from './loader';
import { startRewrite, writeBaseSync, type RewriteJob } from './rewrite';
import { errnoText, openAppend, openTemp, unlinkQuietly } from '../fsutil';

export type AofState = 'off' | 'on' | 'wait_rewrite';

/** After this many consecutive failures automatic rewrites back off (AOF_REWRITE_LIMITE_THRESHOLD). */
const LIMIT_THRESHOLD = 3;
const LIMIT_MAX_MINUTES = 60;

export class AofManager {
  state: AofState = 'off';
  manifest = new Manifest();
  readonly writer: AofWriter;
  rewriteScheduled = false;
  private job: RewriteJob | null = null;
  /** unix seconds when the running rewrite started, -1 when none */
  private rewriteTimeStart = -1;
  private rewriteTimeLast = -1;
  lastBgrewriteStatus: 'ok' | 'err' = 'ok';
  rewrites = 0;
  consecutiveFailures = 0;
  /** aof_rewrite_base_size: size after the last rewrite, the reference for automatic ones */
  rewriteBaseSize = 0;
  private nextDelayMinutes = 0;
  private nextRewriteTime = 0;
  /** set once start-up is over: CONFIG SET appendonly acts from then on */
  private live: boolean;

  constructor(
    private readonly server: Server,
    private readonly pm: PersistenceManager,
    private readonly inExec: () => boolean,
  ) {
    this.writer = new AofWriter({
      log: (level, msg) => server.log(level, msg),
      unixtime: () => Math.floor(server.now / 1000),
      childActive: () => pm.childType !== null,
      latencyOn: () => server.latency.on,
      latencySample: (event, ms) => server.latencySample(event, ms),
      fatal: (code) => {
        server.logger.close();
        process.exit(code);
      },
    });
    const config = server.config;
    this.live = config.get('appendonly') !== true;
    config.onChange('appendfsync', (v: FsyncPolicy) => (this.writer.policy = v));
    config.onChange('aof-timestamp-enabled', (v: boolean) => (this.writer.timestamps = v));
    config.onChange('no-appendfsync-on-rewrite', (v: boolean) => (this.writer.noFsyncOnRewrite = v));
    config.onChange('appendonly', (v: boolean) => {
      if (!this.live) return;
      if (v && this.state === 'off') {
        if (!this.startAppendOnly()) throw new Error('Unable to turn on AOF. Check server logs.');
      } else if (!v && this.state !== 'off') {
        this.stopAppendOnly();
      }
    });
    server.writeListeners.push((db, argv) => this.writer.feed(db, argv));
    server.propagationConsumers.push(() => this.writer.accepting);
    pm.diskErrorChecks.push(() => this.diskError());
    pm.cronHooks.push((now) => this.cron(now));
    pm.shutdownHooks.push(() => this.beforeShutdown());
    pm.aofInfoFields = () => this.infoFields();
    pm.aofStartupLoader = () => this.loadAtStartup();
  }

  /* ------------------------------------------------------------------ names and paths */

  get dirName(): string {
    return this.server.config.get('appenddirname') as string;
  }

  get fileName(): string {
    return this.server.config.get('appendfilename') as string;
  }

  private inDir(name: string): string {
    return path.join(this.dirName, name);
  }

  private get rdbPreamble(): boolean {
    return this.server.config.get('aof-use-rdb-preamble') === true;
  }

  private persistManifest(m: Manifest): boolean {
    try {
      writeManifest(this.dirName, this.fileName, m);
      return true;
    } catch (e) {
      const name = `temp-${this.fileName}.manifest`;
      const step = (e as { step?: string }).step;
      if (step === 'rename') this.server.log('warning', `Error trying to rename the temporary AOF manifest file ${name} into ${this.fileName}.manifest: ${errnoText(e)}`);
      else if (step === 'dirsync') this.server.log('warning', `Fail to fsync AOF directory ${this.inDir(this.fileName + '.manifest')}: ${errnoText(e)}.`);
      else this.server.log('warning', `Can't open the AOF manifest file ${name}: ${errnoText(e)}`);
      return false;
    }
  }

  private ensureDir(): void {
    fs.mkdirSync(this.dirName, { recursive: true, mode: 0o700 });
  }

  private setFlushHook(on: boolean): void {
    this.server.flushWrites = on ? this.flushHook : null;
  }

  private readonly flushHook = (): void => {
    if (this.writer.pending !== 0 || this.writer.policy === 'everysec') this.writer.flush(false);
  };

  /* ------------------------------------------------------------------ start-up */

  /** loadDataFromDisk's AOF branch, then aofOpenIfNeededOnServerStart. Throws to stop start-up. */
  loadAtStartup(): void {
    this.live = true;
    this.state = 'on';
    const log = (level: 'debug' | 'verbose' | 'notice' | 'warning', msg: string) => this.server.log(level, msg);
    const t0 = process.hrtime.bigint();
    let m: Manifest | null;
    try {
      m = readManifest(this.dirName, this.fileName);
    } catch (e) {
      if (!(e instanceof ManifestError)) throw new Error(`Fatal error: can't open the AOF manifest file ${this.inDir(this.fileName + '.manifest')} for reading: ${errnoText(e)}`);
      const lines = e.logLines();
      for (const l of lines.slice(0, -1)) log('warning', l);
      throw new Error(lines[lines.length - 1]);
    }
    this.manifest = m ?? new Manifest();
    this.upgradeIfNeeded();
    const r = loadAofFiles(this.server, this.manifest, {
      dir: this.dirName,
      appendFilename: this.fileName,
      loadTruncated: this.server.config.get('aof-load-truncated') === true,
      rdbChecksum: this.server.config.get('rdbchecksum') === true,
    }, log);
    if (r.status === 'failed' || r.status === 'open-err') throw new Error('AOF loading failed: see the log lines above');
    if (r.status !== 'not-exist') {
      log('notice', `DB loaded from append only file: ${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(3)} seconds`);
    }
    this.server.dirty = 0;
    this.writer.currentSize = r.totalSize;
    this.writer.fsyncOffset = r.totalSize;
    this.rewriteBaseSize = r.baseSize;
    this.openOnStart();
  }

  /** An old single-file AOF in `dir` is moved into the directory as its base (aofUpgradePrepare). */
  private upgradeIfNeeded(): void {
    const file = this.fileName;
    if (!fs.existsSync(file)) return;
    const m = this.manifest;
    const dirExists = fs.existsSync(this.dirName);
    if (dirExists && !m.empty && !(m.base !== null && m.incr.length === 0 && m.base.name === file && !fs.existsSync(this.inDir(file)))) return;
    try {
      this.ensureDir();
    } catch (e) {
      throw new Error(`Can't open or create append-only dir ${this.dirName}: ${errnoText(e)}`);
    }
    m.base = { name: file, seq: 1, type: 'b' };
    m.currBaseSeq = 1;
    if (!this.persistManifest(m)) throw new Error('Failed to persist the AOF manifest while upgrading an old-style AOF');
    try {
      fs.renameSync(file, this.inDir(file));
    } catch (e) {
      throw new Error(`Error trying to move the old AOF file ${file} into dir ${this.dirName}: ${errnoText(e)}`);
    }
    this.server.log('notice', `Successfully migrated an old-style AOF file (${file}) into the AOF directory (${this.dirName}).`);
  }

  private openOnStart(): void {
    try {
      this.ensureDir();
    } catch (e) {
      throw new Error(`Can't open or create append-only dir ${this.dirName}: ${errnoText(e)}`);
    }
    const m = this.manifest;
    let changed = false;
    if (m.empty) {
      const base = m.newBase(this.fileName, this.rdbPreamble);
      try {
        writeBaseSync(this.server, this.rewriteOptions(`temp-rewriteaof-${process.pid}.aof`), this.inDir(base));
      } catch (e) {
        throw new Error(`Write error writing append only file on disk: ${errnoText(e)}`);
      }
      this.server.log('notice', `Creating AOF base file ${base} on server start`);
      changed = true;
    }
    const hadIncr = m.incr.length > 0;
    if (!hadIncr) changed = true;
    const name = hadIncr ? m.incr[m.incr.length - 1].name : m.newIncr(this.fileName);
    let fd: number;
    try {
      fd = openAppend(this.inDir(name));
    } catch (e) {
      throw new Error(`Can't open the append-only file ${name}: ${errnoText(e)}`);
    }
    if (changed && !this.persistManifest(m)) throw new Error('Failed to persist the AOF manifest');
    this.writer.switchTo(fd);
    this.writer.lastIncrSize = fs.fstatSync(fd).size;
    if (m.base !== null && !hadIncr) {
      try { this.writer.currentSize = this.rewriteBaseSize = fs.statSync(this.inDir(m.base.name)).size; } catch { /* sized at load */ }
    }
    this.writer.fsyncOffset = this.writer.currentSize;
    this.writer.selectedDb = -1;
    this.writer.accepting = true;
    this.setFlushHook(true);
    this.server.log('notice', `${hadIncr ? 'Opening' : 'Creating'} AOF incr file ${name} on server start`);
  }

  /* ------------------------------------------------------------------ run time on / off */

  /** startAppendOnly (CONFIG SET appendonly yes). */
  private startAppendOnly(): boolean {
    this.state = 'wait_rewrite';
    if (this.pm.childType !== null && this.pm.childType !== 'aof') {
      this.rewriteScheduled = true;
      this.server.log('warning', 'AOF was enabled but there is already another background operation. An AOF background was scheduled to start when possible.');
    } else if (this.inExec()) {
      this.rewriteScheduled = true;
      this.server.log('warning', 'AOF was enabled during a transaction. An AOF background was scheduled to start when possible.');
    } else {
      if (this.pm.childType === 'aof') {
        this.server.log('warning', 'AOF was enabled but there is already an AOF rewriting in background. Stopping background AOF and starting a rewrite now.');
        this.killRewrite();
      }
      if (!this.rewriteBackground()) {
        this.state = 'off';
        this.server.log('warning', "Redis needs to enable the AOF but can't trigger a background AOF rewrite operation. Check the above logs for more info about the error.");
        return false;
      }
    }
    this.writer.lastFsync = Math.floor(this.server.now / 1000);
    if (this.writer.bgFsyncError !== null) {
      this.server.log('warning', 'AOF reopen, just ignore the AOF fsync error in bio job');
      this.writer.bgFsyncError = null;
    }
    if (!this.writer.lastWriteOk) {
      this.server.log('warning', 'AOF reopen, just ignore the last error.');
      this.writer.lastWriteOk = true;
      this.writer.lastWriteError = null;
    }
    this.setFlushHook(true);
    return true;
  }

  /** stopAppendOnly (CONFIG SET appendonly no). */
  private stopAppendOnly(): void {
    const err = this.writer.syncNow(true);
    if (err !== null) this.server.log('warning', `Fail to fsync the AOF file: ${err}`);
    this.writer.selectedDb = -1;
    this.state = 'off';
    this.rewriteScheduled = false;
    this.writer.lastIncrSize = 0;
    this.writer.accepting = false;
    this.killRewrite();
    this.writer.discard();
    this.setFlushHook(false);
  }

  /* ------------------------------------------------------------------ rewrite */

  private rewriteOptions(tmpFile: string) {
    const c = this.server.config;
    return {
      tmpFile,
      rdbPreamble: this.rdbPreamble,
      compress: c.get('rdbcompression') === true,
      checksum: c.get('rdbchecksum') === true,
      timestamp: this.writer.timestamps ? this.writer.forcedTimestamp() : null,
      incrementalFsync: c.get('aof-rewrite-incremental-fsync') === true,
    };
  }

  private get tmpBase(): string {
    return `temp-rewriteaof-bg-${process.pid}.aof`;
  }

  /** The BGREWRITEAOF command's outcome. */
  bgrewriteaofCommand(): 'started' | 'scheduled' | 'in-progress' | 'failed' {
    if (this.pm.childType === 'aof') return 'in-progress';
    if (this.pm.childType !== null || this.inExec()) {
      this.rewriteScheduled = true;
      this.consecutiveFailures = 0;
      return 'scheduled';
    }
    return this.rewriteBackground() ? 'started' : 'failed';
  }

  /** rewriteAppendOnlyFileBackground. */
  rewriteBackground(): boolean {
    if (this.pm.childType !== null) return false;
    try {
      this.ensureDir();
    } catch (e) {
      this.server.log('warning', `Can't open or create append-only dir ${this.dirName}: ${errnoText(e)}`);
      this.lastBgrewriteStatus = 'err';
      return false;
    }
    this.writer.selectedDb = -1;
    this.writer.flush(true);
    if (!this.openNewIncr()) {
      this.lastBgrewriteStatus = 'err';
      return false;
    }
    this.rewrites++;
    let job: RewriteJob;
    try {
      job = startRewrite(this.server, this.rewriteOptions(this.tmpBase));
    } catch (e) {
      this.lastBgrewriteStatus = 'err';
      this.server.log('warning', `Can't rewrite append only file in background: ${errnoText(e)}`);
      return false;
    }
    this.job = job;
    this.pm.childType = 'aof';
    this.writer.accepting = this.state !== 'off';
    this.server.log('notice', `Background append only file rewriting started by pid ${process.pid}`);
    this.rewriteScheduled = false;
    this.rewriteTimeStart = Math.floor(Date.now() / 1000);
    job.done.then((size) => this.rewriteDone(job, null, size), (e) => this.rewriteDone(job, e, 0));
    return true;
  }

  /** openNewIncrAofForAppend: new writes go to a new incr file (a temp one while waiting to turn on). */
  private openNewIncr(): boolean {
    if (this.state === 'off') return true;
    let temp: Manifest | null = null;
    let name: string;
    if (this.state === 'wait_rewrite') {
      name = tempIncrName(this.fileName);
    } else {
      temp = this.manifest.clone();
      name = temp.newIncr(this.fileName);
    }
    let fd: number;
    try {
      fd = openTemp(this.inDir(name));
    } catch (e) {
      this.server.log('warning', `Can't open the append-only file ${name}: ${errnoText(e)}`);
      return false;
    }
    if (temp !== null && !this.persistManifest(temp)) {
      fs.closeSync(fd);
      return false;
    }
    this.server.log('notice', `Creating AOF incr file ${name} on background rewrite`);
    this.writer.switchTo(fd);
    if (temp !== null) this.manifest = temp;
    return true;
  }

  /** backgroundRewriteDoneHandler. */
  private rewriteDone(job: RewriteJob, err: unknown, _size: number): void {
    if (this.job !== job) return;
    this.job = null;
    this.pm.childType = null;
    if (err === null) this.rewriteSucceeded();
    else if (!this.killing) {
      this.lastBgrewriteStatus = 'err';
      this.consecutiveFailures++;
      this.server.log('warning', `Write error writing append only file on disk: ${errnoText(err)}`);
      this.server.log('warning', 'Background AOF rewrite terminated with error');
    }
    unlinkQuietly(this.tmpBase);
    if (this.state === 'wait_rewrite') {
      this.writer.discard();
      const tmp = tempIncrName(this.fileName);
      this.server.log('notice', `Removing the temp incr aof file ${tmp} in the background`);
      unlinkQuietly(this.inDir(tmp));
      this.writer.accepting = false;
    }
    this.rewriteTimeLast = Math.floor(Date.now() / 1000) - this.rewriteTimeStart;
    this.rewriteTimeStart = -1;
    if (this.state === 'wait_rewrite') this.rewriteScheduled = true;
  }

  private rewriteSucceeded(): void {
    const log = (msg: string) => this.server.log('notice', msg);
    log('Background AOF rewrite terminated with success');
    const temp = this.manifest.clone();
    const base = temp.newBase(this.fileName, this.rdbPreamble);
    const basePath = this.inDir(base);
    const fail = () => {
      this.lastBgrewriteStatus = 'err';
      this.consecutiveFailures++;
    };
    try {
      fs.renameSync(this.tmpBase, basePath);
    } catch (e) {
      this.server.log('warning', `Error trying to rename the temporary AOF base file ${this.tmpBase} into ${basePath}: ${errnoText(e)}`);
      return fail();
    }
    log(`Successfully renamed the temporary AOF base file ${this.tmpBase} into ${base}`);
    if (this.state === 'wait_rewrite') {
      const tmpIncr = tempIncrName(this.fileName);
      const incr = temp.newIncr(this.fileName);
      try {
        fs.renameSync(this.inDir(tmpIncr), this.inDir(incr));
      } catch (e) {
        this.server.log('warning', `Error trying to rename the temporary AOF incr file ${this.inDir(tmpIncr)} into ${this.inDir(incr)}: ${errnoText(e)}`);
        unlinkQuietly(basePath);
        return fail();
      }
      log(`Successfully renamed the temporary AOF incr file ${tmpIncr} into ${incr}`);
    }
    temp.markRewrittenIncrAsHistory(this.writer.fd >= 0);
    if (!this.persistManifest(temp)) {
      unlinkQuietly(basePath);
      return fail();
    }
    this.manifest = temp;
    if (this.writer.fd >= 0) {
      this.writer.selectedDb = -1;
      let baseSize = 0;
      try { baseSize = fs.statSync(basePath).size; } catch { /* just renamed */ }
      this.writer.currentSize = baseSize + this.writer.lastIncrSize;
      this.rewriteBaseSize = this.writer.currentSize;
      this.writer.fsyncOffset = this.writer.currentSize;
      this.writer.lastFsync = Math.floor(this.server.now / 1000);
    }
    this.deleteHistory();
    this.lastBgrewriteStatus = 'ok';
    this.consecutiveFailures = 0;
    log('Background AOF rewrite finished successfully');
    if (this.state === 'wait_rewrite') {
      this.state = 'on';
      // the temp incr file is now the manifest's last incr file: nothing to remove afterwards
      this.writer.accepting = true;
    }
  }

  private deleteHistory(): void {
    if (this.server.config.get('aof-disable-auto-gc') === true || this.manifest.history.length === 0) return;
    for (const f of this.manifest.history) {
      this.server.log('notice', `Removing the history file ${f.name} in the background`);
      const p = this.inDir(f.name);
      fs.unlink(p, () => { /* already gone is fine */ });
    }
    this.manifest.history = [];
    this.persistManifest(this.manifest);
  }

  private killing = false;

  /** killAppendOnlyChild: stops a running rewrite (not counted as a failure). */
  killRewrite(): void {
    const job = this.job;
    if (job === null) return;
    this.server.log('notice', `Killing running AOF rewrite child: ${process.pid}`);
    this.killing = true;
    job.abort('killed');
    this.rewriteDone(job, new Error('killed'), 0);
    this.killing = false;
    this.rewriteTimeStart = -1;
  }

  /** aofRewriteLimited: after repeated failures, automatic rewrites wait 1, 2, 4 ... 60 minutes. */
  private rewriteLimited(): boolean {
    if (this.consecutiveFailures < LIMIT_THRESHOLD) {
      this.nextDelayMinutes = 0;
      this.nextRewriteTime = 0;
      return false;
    }
    const now = Math.floor(Date.now() / 1000);
    if (this.nextRewriteTime !== 0) {
      if (now < this.nextRewriteTime) return true;
      this.nextRewriteTime = 0;
      return false;
    }
    this.nextDelayMinutes = Math.min(LIMIT_MAX_MINUTES, this.nextDelayMinutes === 0 ? 1 : this.nextDelayMinutes * 2);
    this.nextRewriteTime = now + this.nextDelayMinutes * 60;
    this.server.log('warning', `Background AOF rewrite has repeatedly failed and triggered the limit, will retry in ${this.nextDelayMinutes} minutes`);
    return true;
  }

  /* ------------------------------------------------------------------ cron, gates, shutdown */

  /** serverCron's AOF part: scheduled and automatic rewrites, retry of failed writes, everysec fsync. */
  cron(_now: number): void {
    if (this.pm.childType === null && this.rewriteScheduled && !this.rewriteLimited()) this.rewriteBackground();
    const c = this.server.config;
    const perc = c.get('auto-aof-rewrite-percentage') as number;
    const min = Number(c.get('auto-aof-rewrite-min-size'));
    if (this.state === 'on' && this.pm.childType === null && perc > 0 && this.writer.currentSize > min) {
      const base = this.rewriteBaseSize > 0 ? this.rewriteBaseSize : 1;
      const growth = Math.floor((this.writer.currentSize * 100) / base) - 100;
      if (growth >= perc && !this.rewriteLimited()) {
        this.server.log('notice', `Starting automatic rewriting of AOF on ${growth}% growth`);
        this.rewriteBackground();
      }
    }
    if (this.state !== 'off' && this.writer.fd >= 0) this.writer.flush(false);
  }

  /** writeCommandsDeniedByDiskError's AOF case. */
  diskError(): string | null {
    if (this.state === 'off') return null;
    const w = this.writer;
    if (!w.lastWriteOk) return `MISCONF Errors writing to the AOF file: ${errnoText(w.lastWriteError)}`;
    if (w.bgFsyncError !== null) return `MISCONF Errors writing to the AOF file: ${errnoText(w.bgFsyncError)}`;
    return null;
  }

  /** finishShutdown's AOF part: stop a rewrite, write and fsync what is buffered. */
  private beforeShutdown(): boolean {
    if (this.pm.childType === 'aof') {
      this.server.log('warning', 'There is a child rewriting the AOF. Killing it!');
      this.killRewrite();
    }
    if (this.state !== 'off') {
      this.server.log('notice', 'Calling fsync() on the AOF file.');
      this.writer.syncNow(false);
    }
    return true;
  }

  /* ------------------------------------------------------------------ INFO */

  infoFields(): Array<[string, string | number]> {
    const running = this.pm.childType === 'aof';
    const now = Math.floor(Date.now() / 1000);
    const f: Array<[string, string | number]> = [
      ['aof_enabled', this.state !== 'off' ? 1 : 0],
      ['aof_rewrite_in_progress', running ? 1 : 0],
      ['aof_rewrite_scheduled', this.rewriteScheduled ? 1 : 0],
      ['aof_last_rewrite_time_sec', this.rewriteTimeLast],
      ['aof_current_rewrite_time_sec', running ? now - this.rewriteTimeStart : -1],
      ['aof_last_bgrewrite_status', this.lastBgrewriteStatus],
      ['aof_rewrites', this.rewrites],
      ['aof_rewrites_consecutive_failures', this.consecutiveFailures],
      ['aof_last_write_status', this.writer.lastWriteOk && this.writer.bgFsyncError === null ? 'ok' : 'err'],
      ['aof_last_cow_size', 0],
      ['module_fork_in_progress', 0],
      ['module_fork_last_cow_size', 0],
    ];
    if (this.state !== 'off') {
      f.push(
        ['aof_current_size', this.writer.currentSize],
        ['aof_base_size', this.rewriteBaseSize],
        ['aof_pending_rewrite', this.rewriteScheduled ? 1 : 0],
        ['aof_buffer_length', this.writer.pending],
        ['aof_pending_bio_fsync', this.writer.pendingFsyncs],
        ['aof_delayed_fsync', this.writer.delayedFsyncs],
      );
    }
    return f;
  }
}
