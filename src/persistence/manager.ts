/*
 * PersistenceManager: the server's persistence state machine, as Redis keeps it in `server.*`.
 *
 * One "child" at a time (Redis's hasActiveChildProcess): `childType` is 'rdb' while a BGSAVE
 * snapshot runs, 'aof' while an AOF rewrite snapshot runs, null otherwise. We have no child
 * process — a background job is an in-process Snapshot walk — but the rule and every observable
 * consequence (BGSAVE refusals and scheduling, INFO fields, log lines, MISCONF) are Redis's.
 *
 * State and where Redis keeps it: lastSave (server.lastsave), lastBgsaveStatus
 * (lastbgsave_status), lastBgsaveTry, bgsaveScheduled (rdb_bgsave_scheduled), dirtyBeforeBgsave,
 * rdbSaves (stat_rdb_saves), save times, last load counters. `server.dirty` stays on the Server.
 *
 * Hooks for the AOF side (set by src/persistence/aof/*): `diskErrorChecks` (MISCONF reasons),
 * `cronHooks`, `shutdownHooks` (run before the final RDB save), `aofInfoFields`, `aofStartupLoader`.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Server } from '../server/server';
import { BackgroundRdbSave, saveRdbSync, loadRdbInto, auxLogLines, RdbLoadError, tempRdbName, type RdbWriteOptions, type LoadResult } from './rdbfile';
import { errnoText } from './fsutil';
import { AofManager } from './aof/manager';

/** Redis's CONFIG_BGSAVE_RETRY_DELAY: seconds before a failed BGSAVE is retried by save points. */
const BGSAVE_RETRY_DELAY = 5;

export const MISCONF_RDB = "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.";

export type BgsaveOutcome = 'started' | 'scheduled' | 'in-progress' | 'other-child' | 'failed';

export class PersistenceManager {
  childType: 'rdb' | 'aof' | null = null;
  /** unix seconds of the last successful save (start-up time until one happens) */
  lastSave: number;
  lastBgsaveStatus: 'ok' | 'err' = 'ok';
  lastBgsaveTry = 0;
  bgsaveScheduled = false;
  private dirtyBeforeBgsave = 0;
  /** unix seconds when the running BGSAVE started, -1 when none runs */
  rdbSaveTimeStart = -1;
  rdbSaveTimeLast = -1;
  rdbSaves = 0;
  lastLoadKeysLoaded = 0;
  lastLoadKeysExpired = 0;
  /** true while DEBUG RELOAD loads (commands without the `loading` flag get -LOADING) */
  loading = false;
  private bg: BackgroundRdbSave | null = null;

  /** AOF side: returns a MISCONF text while AOF writes fail, else null */
  readonly diskErrorChecks: Array<() => string | null> = [];
  /** AOF side: run from the server cron (auto rewrite, everysec fsync) */
  readonly cronHooks: Array<(now: number) => void> = [];
  /** AOF side: before the final save of SHUTDOWN; return false to refuse the shutdown */
  readonly shutdownHooks: Array<(force: boolean) => boolean> = [];
  /** AOF side: the aof_* INFO fields */
  aofInfoFields: (() => Array<[string, string | number]>) | null = null;
  /** AOF side: loads the AOF at start-up when `appendonly yes` (instead of the RDB) */
  aofStartupLoader: (() => Promise<void> | void) | null = null;

  /** the append-only file (src/persistence/aof/manager.ts); registers the AOF hooks above */
  readonly aof: AofManager;

  constructor(private readonly server: Server, private readonly inExec: () => boolean) {
    this.lastSave = Math.floor(server.startTime / 1000);
    this.aof = new AofManager(server, this, inExec);
  }

  /* ------------------------------------------------------------------ configuration */

  private get savePoints(): Array<[number, number]> {
    return (this.server.config.get('save') as Array<[number, number]>) ?? [];
  }

  get hasSavePoints(): boolean {
    return this.savePoints.length > 0;
  }

  /** `dbfilename`, relative to the working directory (which `dir` sets). */
  get rdbFile(): string {
    return this.server.config.get('dbfilename') as string;
  }

  private writeOptions(): RdbWriteOptions & { incrementalFsync: boolean } {
    const c = this.server.config;
    return {
      compress: c.get('rdbcompression') === true,
      checksum: c.get('rdbchecksum') === true,
      incrementalFsync: c.get('rdb-save-incremental-fsync') === true,
      usedMemory: this.server.infoState.usedMemory(),
      repl: this.replAux(),
    };
  }

  /** Replication aux fields of a dump (rdbPopulateSaveInfo): none when there is no history to continue. */
  private replAux(): Array<[string, string]> | null {
    const repl = this.server.replication;
    const db = repl.linkStreamDb();
    return db === -1 ? null : repl.rdbAux(db);
  }

  /** AUX fields of the last RDB loaded (a restarted replica continues its primary's history from them). */
  lastLoadAux: Array<[string, string]> = [];

  private nowSec(): number {
    return Math.floor(Date.now() / 1000);
  }

  /* ------------------------------------------------------------------ SAVE */

  /** rdbSave: the whole dataset written now. Logs as Redis does; true on success. */
  saveSync(): boolean {
    const file = this.rdbFile;
    try {
      saveRdbSync(this.server, file, this.writeOptions());
    } catch (e) {
      this.logSaveError(e, file, false);
      return false;
    }
    this.server.log('notice', 'DB saved on disk');
    this.server.dirty = 0;
    this.lastSave = this.nowSec();
    this.lastBgsaveStatus = 'ok';
    return true;
  }

  private logSaveError(e: unknown, file: string, background: boolean): void {
    const step = (e as { step?: string }).step;
    const cwd = process.cwd();
    if (step === 'open') {
      this.server.log('warning', `Failed opening the temp RDB file ${tempRdbName(background)} (in server root dir ${cwd}) for saving: ${errnoText(e)}`);
    } else if (step === 'rename') {
      this.server.log('warning', `Error moving temp DB file ${tempRdbName(background)} on the final destination ${file} (in server root dir ${cwd}): ${errnoText(e)}`);
    } else if (step === 'dirsync') {
      this.server.log('warning', `Failed to fsync directory while saving DB: ${errnoText(e)}`);
    } else {
      this.server.log('warning', `Write error saving DB on disk: ${errnoText(e)}`);
    }
  }

  /** The SAVE command: ok, or why not. */
  saveCommand(): 'ok' | 'in-progress' | 'failed' {
    if (this.childType === 'rdb') return 'in-progress';
    this.rdbSaves++;
    return this.saveSync() ? 'ok' : 'failed';
  }

  /* ------------------------------------------------------------------ BGSAVE */

  /** The BGSAVE command (with SCHEDULE when `schedule`). */
  bgsaveCommand(schedule: boolean): BgsaveOutcome {
    if (this.childType === 'rdb') return 'in-progress';
    if (this.childType !== null || this.inExec()) {
      if (schedule || this.inExec()) {
        this.bgsaveScheduled = true;
        return 'scheduled';
      }
      return 'other-child';
    }
    return this.startBgsave() ? 'started' : 'failed';
  }

  /** rdbSaveBackground: starts the snapshot walk; false if another job runs. */
  startBgsave(): boolean {
    if (this.childType !== null) return false;
    this.rdbSaves++;
    this.dirtyBeforeBgsave = this.server.dirty;
    this.lastBgsaveTry = this.nowSec();
    const file = this.rdbFile;
    const job = new BackgroundRdbSave(this.server, file, this.writeOptions());
    this.bg = job;
    this.childType = 'rdb';
    this.rdbSaveTimeStart = this.nowSec();
    this.server.log('notice', `Background saving started by pid ${process.pid}`);
    job.done.then(
      () => this.bgsaveDone(job, null),
      (e) => this.bgsaveDone(job, e),
    );
    return true;
  }

  /** backgroundSaveDoneHandler */
  private bgsaveDone(job: BackgroundRdbSave, err: unknown): void {
    if (this.bg !== job) return;
    this.bg = null;
    this.childType = null;
    this.rdbSaveTimeLast = this.nowSec() - this.rdbSaveTimeStart;
    this.rdbSaveTimeStart = -1;
    if (err === null) {
      this.server.log('notice', 'DB saved on disk');
      this.server.log('notice', 'Background saving terminated with success');
      this.server.dirty -= this.dirtyBeforeBgsave;
      if (this.server.dirty < 0) this.server.dirty = 0;
      this.lastSave = this.nowSec();
      this.lastBgsaveStatus = 'ok';
    } else if (job.aborting) {
      // Redis kills the child with SIGUSR1, which is not counted as a failure
      this.server.log('warning', `Background saving terminated: ${(err as Error).message}`);
    } else {
      this.logSaveError(err, this.rdbFile, true);
      this.server.log('warning', 'Background saving error');
      this.lastBgsaveStatus = 'err';
    }
  }

  /** killRDBChild: stops a running BGSAVE (FLUSHALL, SHUTDOWN). */
  killRdbChild(reason: string): void {
    const job = this.bg;
    if (job === null) return;
    job.abort(reason);
    // the state is released now, as Redis's parent forgets the child it killed
    this.bgsaveDone(job, new Error(reason));
  }

  /** Progress of the running job for INFO current_save_keys_*. */
  get currentSave(): { processed: number; total: number } {
    const s = this.bg?.snapshot;
    return s ? { processed: s.keysDone, total: s.keysTotal } : { processed: 0, total: 0 };
  }

  /* ------------------------------------------------------------------ cron, gates, shutdown */

  /** serverCron's persistence part: save points, a scheduled BGSAVE, the AOF hooks. */
  cron(now: number): void {
    const sec = Math.floor(now / 1000);
    if (this.childType === null) {
      for (const [seconds, changes] of this.savePoints) {
        if (this.server.dirty >= changes && sec - this.lastSave > seconds &&
            (sec - this.lastBgsaveTry > BGSAVE_RETRY_DELAY || this.lastBgsaveStatus === 'ok')) {
          this.server.log('notice', `${changes} changes in ${seconds} seconds. Saving...`);
          this.startBgsave();
          break;
        }
      }
    }
    for (const h of this.cronHooks) h(now);
    if (this.childType === null && this.bgsaveScheduled &&
        (sec - this.lastBgsaveTry > BGSAVE_RETRY_DELAY || this.lastBgsaveStatus === 'ok')) {
      if (this.startBgsave()) this.bgsaveScheduled = false;
    }
  }

  /** writeCommandsDeniedByDiskError: the MISCONF text refusing writes (and PING), or null. */
  diskError(): string | null {
    if (this.lastBgsaveStatus === 'err' && this.server.config.get('stop-writes-on-bgsave-error') === true && this.hasSavePoints) {
      return MISCONF_RDB;
    }
    for (const check of this.diskErrorChecks) {
      const e = check();
      if (e !== null) return e;
    }
    return null;
  }

  /** FLUSHALL (flushAllDataAndResetRDB): stop a BGSAVE, then save the empty dataset if save points exist. */
  afterFlushAll(): void {
    if (this.childType === 'rdb') this.killRdbChild('the dataset was flushed');
    if (this.hasSavePoints) {
      const saved = this.server.dirty;
      this.saveSync();
      this.server.dirty = saved;
    }
  }

  /**
   * SHUTDOWN's persistence part (finishShutdown): kill a running BGSAVE, run the AOF hooks, make the
   * final save when due. False when the shutdown must be cancelled.
   */
  prepareShutdown(opts: { save?: boolean; nosave?: boolean; force?: boolean }): boolean {
    const force = opts.force === true;
    if (this.childType === 'rdb') {
      this.server.log('warning', 'There is a child saving an .rdb. Killing it!');
      this.killRdbChild('the server is shutting down');
    }
    for (const h of this.shutdownHooks) if (!h(force)) return false;
    if ((this.hasSavePoints && !opts.nosave) || opts.save) {
      this.server.log('notice', 'Saving the final RDB snapshot before exiting.');
      if (!this.saveSync()) {
        if (force) {
          this.server.log('warning', 'Error trying to save the DB. Exit anyway.');
        } else {
          this.server.log('warning', "Error trying to save the DB, can't exit.");
          return false;
        }
      }
    }
    return true;
  }

  /* ------------------------------------------------------------------ loading */

  private loadOptions(now: number) {
    const c = this.server.config;
    return {
      checksum: c.get('rdbchecksum') === true,
      deepSanitize: c.lookup('sanitize-dump-payload')?.value === 'yes',
      now,
      // a replica keeps expired keys for its primary to delete; Redoubt loads as a primary
      skipExpired: this.server.role !== 'replica',
    };
  }

  /** rdbLoad of `dbfilename` into the (empty or merged) databases. Throws RdbLoadError / fs errors. */
  loadRdbFile(merge = false): LoadResult {
    const buf = fs.readFileSync(this.rdbFile);
    const now = Date.now();
    const res = loadRdbInto(buf, this.server, { ...this.loadOptions(now), merge });
    for (const line of auxLogLines(res.aux, now)) this.server.log('notice', line);
    this.server.log('notice', `Done loading RDB, keys loaded: ${res.keysLoaded}, keys expired: ${res.keysExpired}.`);
    this.lastLoadKeysLoaded = res.keysLoaded;
    this.lastLoadKeysExpired = res.keysExpired;
    this.lastLoadAux = res.aux;
    return res;
  }

  /**
   * loadDataFromDisk: the AOF when `appendonly yes` (the AOF side's loader), else the RDB. A missing
   * RDB is fine; a corrupt or truncated one is an Error whose message the caller logs before exit(1).
   */
  async loadAtStartup(): Promise<void> {
    const t0 = process.hrtime.bigint();
    if (this.server.config.lookup('appendonly')?.value === true && this.aofStartupLoader !== null) {
      await this.aofStartupLoader();
      return;
    }
    try {
      this.loadRdbFile();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      for (const db of this.server.dbs) db.clear();
      if (e instanceof RdbLoadError) {
        if (e.kind === 'config') throw new Error(e.message);
        if (e.kind === 'truncated') this.server.log('warning', 'Short read or OOM loading DB. Unrecoverable error, aborting now.');
        const where = e.offset === null ? '' : ` at offset ${e.offset}`;
        this.server.log('warning', `Internal error in RDB reading${where} (${path.resolve(this.rdbFile)}) -> ${e.message}`);
        throw new Error('Terminating server after rdb file reading failure.');
      }
      throw new Error(`Fatal error loading the DB: ${errnoText(e)}. Exiting.`);
    }
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    this.server.log('notice', `DB loaded from disk: ${secs.toFixed(3)} seconds`);
  }

  /**
   * DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: save, empty, load back. Returns an error reply text or
   * null. Unlike Redis, a duplicate key without MERGE is an error reply rather than a crash.
   */
  debugReload(opts: { merge: boolean; flush: boolean; save: boolean }): string | null {
    if (opts.save && !this.saveSync()) return 'ERR';
    if (opts.flush) {
      for (const db of this.server.dbs) {
        this.server.touchAllWatchedKeysInDb(db);
        db.clear();
      }
    }
    this.loading = true;
    try {
      this.loadRdbFile(opts.merge);
    } catch (e) {
      this.server.log('warning', `Error loading the RDB dump for DEBUG RELOAD: ${e instanceof RdbLoadError ? e.message : errnoText(e)}`);
      return 'ERR Error trying to load the RDB dump, check server logs.';
    } finally {
      this.loading = false;
    }
    this.server.log('warning', 'DB reloaded by DEBUG RELOAD');
    return null;
  }

  /** INFO persistence: the loading and rdb_* fields, in Redis 7.0's order. */
  infoFields(): Array<[string, string | number]> {
    const cur = this.currentSave;
    const inProgress = this.childType === 'rdb';
    const perc = this.childType !== null && cur.total > 0 ? ((cur.processed * 100) / cur.total).toFixed(2) : '0.00';
    return [
      ['loading', this.loading ? 1 : 0],
      ['async_loading', 0],
      // no process is forked, so no page is ever copied on write
      ['current_cow_peak', 0],
      ['current_cow_size', 0],
      ['current_cow_size_age', 0],
      ['current_fork_perc', perc],
      ['current_save_keys_processed', cur.processed],
      ['current_save_keys_total', cur.total],
      ['rdb_changes_since_last_save', this.server.dirty],
      ['rdb_bgsave_in_progress', inProgress ? 1 : 0],
      ['rdb_last_save_time', this.lastSave],
      ['rdb_last_bgsave_status', this.lastBgsaveStatus],
      ['rdb_last_bgsave_time_sec', this.rdbSaveTimeLast],
      ['rdb_current_bgsave_time_sec', inProgress ? this.nowSec() - this.rdbSaveTimeStart : -1],
      ['rdb_saves', this.rdbSaves],
      ['rdb_last_cow_size', 0],
      ['rdb_last_load_keys_expired', this.lastLoadKeysExpired],
      ['rdb_last_load_keys_loaded', this.lastLoadKeysLoaded],
    ];
  }
}
