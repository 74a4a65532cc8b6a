/*
 * Loading a full sync on the replica (the second half of Redis's readSyncBulkPayload): the RDB the
 * primary sent becomes our dataset.
 *
 * repl-diskless-load disabled (the default): the bytes are written to a temporary file in `dir`
 * (mode 0600, fsync), renamed over `dbfilename` (the dump is now the primary's data, as in Redis),
 * the directory fsync'd, then loaded after flushing the old data. on-empty-db (with no keys):
 * loaded straight from memory. swapdb: loaded into fresh databases that replace ours only once the
 * load succeeded, so a corrupt transfer leaves the old data serving.
 *
 * Before the old data goes, what Redis stops goes too: a BGSAVE in flight (it would write the old
 * data over the new dump), the cached primary, our own replicas and backlog (they followed the old
 * history). Expired keys are loaded: on a replica only the primary's DEL removes a key.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Server } from '../server/server';
import { Database } from '../data/keyspace';
import { loadRdbInto, auxLogLines, RdbLoadError } from '../persistence/rdbfile';
import { openTemp, writeAll, fsyncAsync, closeQuietly, unlinkQuietly, fsyncDir, errnoText } from '../persistence/fsutil';

/** What the loader needs from the link. */
export interface LoadHost {
  readonly server: Server;
  /** false once the sync attempt was abandoned (REPLICAOF elsewhere, timeout) */
  current(): boolean;
  /** the temporary file in flight, removed by the link if the attempt is abandoned */
  tempFile: string | null;
  discardCached(): void;
}

/** A load failure already logged. */
export class LoadFailed extends Error {}

function cfg(h: LoadHost, name: string): any {
  return h.server.config.lookup(name)?.value;
}

/** repl-diskless-load disabled: the RDB becomes our dump file (0600, fsync, rename), then loads. */
export async function loadFromDisk(h: LoadHost, payload: Buffer): Promise<Array<[string, string]>> {
  const tmp = `temp-${Math.floor(Date.now() / 1000)}.${process.pid}.rdb`;
  let fd: number;
  try {
    fd = openTemp(tmp);
  } catch (e) {
    h.server.log('warning', `Opening the temp file needed for MASTER <-> REPLICA synchronization: ${errnoText(e)}`);
    throw new LoadFailed();
  }
  h.tempFile = tmp;
  try {
    await writeAll(fd, [payload]);
    await fsyncAsync(fd);
  } catch (e) {
    closeQuietly(fd);
    h.server.log('warning', `Write error or short write writing to the DB dump file needed for MASTER <-> REPLICA synchronization: ${errnoText(e)}`);
    throw new LoadFailed();
  }
  closeQuietly(fd);
  if (!h.current()) throw new LoadFailed();
  const file = cfg(h, 'dbfilename') as string;
  try {
    fs.renameSync(tmp, file);
    h.tempFile = null;
  } catch (e) {
    h.server.log('warning', `Failed trying to rename the temp DB into ${file} in MASTER <-> REPLICA synchronization: ${errnoText(e)}`);
    throw new LoadFailed();
  }
  try {
    fsyncDir(path.dirname(path.resolve(file)));
  } catch (e) {
    h.server.log('warning', `Failed trying to sync DB directory ${file} in MASTER <-> REPLICA synchronization: ${errnoText(e)}`);
    throw new LoadFailed();
  }
  prepareForNewData(h);
  flushOldData(h);
  const aux = load(h, payload, h.server.dbs, 'Failed trying to load the MASTER synchronization DB from disk, check server logs.');
  if (aux === null) {
    flushOldData(h, false);
    throw new LoadFailed();
  }
  if (cfg(h, 'rdb-del-sync-files') === true && persistenceDisabled(h)) {
    h.server.log('notice', 'Removing the RDB file obtained from the master. This replica has persistence disabled');
    unlinkQuietly(file);
  }
  return aux;
}

/** repl-diskless-load on-empty-db / swapdb: loaded from memory, no file written. */
export function loadFromMemory(h: LoadHost, payload: Buffer): Array<[string, string]> {
  const swap = cfg(h, 'repl-diskless-load') === 'swapdb';
  prepareForNewData(h);
  if (!swap) {
    flushOldData(h);
    const aux = load(h, payload, h.server.dbs, 'Failed trying to load the MASTER synchronization DB from socket, check server logs.');
    if (aux === null) {
      flushOldData(h, false);
      throw new LoadFailed();
    }
    h.server.dirty++;
    return aux;
  }
  const fresh = h.server.dbs.map((db) => new Database(db.id, { onExpired() { /* nothing expires while loading */ } }));
  const aux = load(h, payload, fresh, 'Failed trying to load the MASTER synchronization DB from socket, check server logs.');
  if (aux === null) {
    h.server.log('notice', 'MASTER <-> REPLICA sync: Discarding temporary DB in background');
    throw new LoadFailed();
  }
  h.server.log('notice', 'MASTER <-> REPLICA sync: Swapping active DB with loaded DB');
  h.server.tracking.flushed();
  for (const db of h.server.dbs) {
    h.server.touchAllWatchedKeysInDb(db);
    db.swapWith(fresh[db.id]);
    h.server.keysMayBeReady(db);
  }
  h.server.log('notice', 'MASTER <-> REPLICA sync: Discarding old DB in background');
  h.server.dirty++;
  return aux;
}

/**
 * replicationAttachToNewMaster plus what Redis stops before loading: a BGSAVE in flight (it would
 * overwrite the dump with the old data), our replicas and backlog (they follow the old history).
 */
function prepareForNewData(h: LoadHost): void {
  const p = h.server.persistence;
  if (p.childType === 'rdb') p.killRdbChild('the replica is loading the dataset received from its master');
  h.discardCached();
  h.server.replication.disconnectReplicas();
  h.server.replication.freeBacklog();
}

function flushOldData(h: LoadHost, log = true): void {
  if (log) h.server.log('notice', 'MASTER <-> REPLICA sync: Flushing old data');
  h.server.tracking.flushed();
  for (const db of h.server.dbs) {
    h.server.touchAllWatchedKeysInDb(db);
    db.clear();
  }
}

/** Loads an RDB image into `dbs`; null (logged) on failure. Expired keys are kept: the primary deletes them. */
function load(h: LoadHost, payload: Buffer, dbs: Database[], failure: string): Array<[string, string]> | null {
  h.server.log('notice', 'MASTER <-> REPLICA sync: Loading DB in memory');
  const c = h.server.config;
  const now = Date.now();
  try {
    const res = loadRdbInto(payload, { dbs }, {
      checksum: c.get('rdbchecksum') === true,
      deepSanitize: c.lookup('sanitize-dump-payload')?.value === 'yes',
      now,
      skipExpired: false,
    });
    for (const line of auxLogLines(res.aux, now)) h.server.log('notice', line);
    h.server.log('notice', `Done loading RDB, keys loaded: ${res.keysLoaded}, keys expired: ${res.keysExpired}.`);
    return res.aux;
  } catch (e) {
    const msg = e instanceof RdbLoadError || e instanceof Error ? e.message : String(e);
    h.server.log('warning', `Internal error in RDB reading -> ${msg}`);
    h.server.log('warning', failure);
    return null;
  }
}

function persistenceDisabled(h: LoadHost): boolean {
  const save = cfg(h, 'save') as unknown[] | undefined;
  return (save === undefined || save.length === 0) && cfg(h, 'appendonly') !== true;
}

/** After a full sync (or promotion) an AOF in use restarts from a rewrite of the new dataset. */
export function restartAofAfterSync(server: Server): void {
  const aof = (server.persistence as unknown as { aof?: { state?: string; rewriteBackground?: () => boolean } }).aof;
  if (aof?.state === 'on' && typeof aof.rewriteBackground === 'function') aof.rewriteBackground();
}
