/*
 * AOF loading: Redis's loadSingleAppendOnlyFile and loadAppendOnlyFiles.
 *
 * Design: each file (base, then incr files in manifest order) is read whole; a file that begins
 * with "REDIS" starts with an RDB (a preamble base, or an old-style preamble AOF) that the RDB
 * codec loads straight into the databases, and the rest is parsed as RESP multibulks and replayed
 * by a pseudo client through the normal pipeline (a fresh one per file, as Redis creates one fake
 * client per file, so every file starts in db 0 outside MULTI).
 *
 * The parser mirrors Redis's reads so the same bytes get the same verdict: lines are read like
 * fgets with a 1024-byte buffer, `#` lines are annotations, a missing `*`/`$` prefix is a format
 * error, and running out of bytes anywhere is a short read. A short read (or a MULTI without EXEC at
 * the end) of the last file is cut back to the last complete command when aof-load-truncated is
 * yes; otherwise it is fatal. A short read in any earlier file is fatal either way.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Server } from '../../server/server';
import { PseudoClient } from '../../server/pseudoclient';
import { RObj } from '../../data/keyspace';
import { loadRdb, type RdbSink } from '../rdb/decode';
import { errnoText } from '../fsutil';
import type { Manifest } from './manifest';

export type LoadStatus = 'ok' | 'truncated' | 'not-exist' | 'empty' | 'open-err' | 'failed';

export interface LoadOptions {
  /** the AOF directory (relative to the working directory, which is `dir`) */
  dir: string;
  /** appendfilename: a file of that name holds an old-style AOF (its RDB part is a "preamble") */
  appendFilename: string;
  loadTruncated: boolean;
  rdbChecksum: boolean;
}

type Log = (level: 'debug' | 'verbose' | 'notice' | 'warning', msg: string) => void;

/** fgets(buf, 1024, fp): at most 1023 bytes, through the first newline. */
const LINE_MAX = 1024;

class ShortRead extends Error {}
class FormatError extends Error {}

export interface FileLoadResult {
  status: LoadStatus;
  /** commands replayed, and those that answered with an error */
  commands: number;
  errors: number;
  firstErrors: string[];
}

/** A sink that puts RDB entries into the server's databases, as the RDB loader does for a preamble. */
export function keyspaceSink(server: Server): RdbSink & { keys: number } {
  let db = server.dbs[0];
  const sink = {
    keys: 0,
    aux(): void {},
    selectDb(i: number): void {
      if (i < 0 || i >= server.dbs.length) throw new RangeError(`FATAL: Data file was created with a Redis server configured to handle more than ${server.dbs.length} databases. Exiting\n`);
      db = server.dbs[i];
    },
    entry(key: string, obj: RObj, expireMs: number | bigint | undefined): void {
      db.set(key, obj);
      if (expireMs !== undefined) {
        if (typeof expireMs === 'bigint') {
          if (expireMs >= BigInt(Number.MIN_SAFE_INTEGER) && expireMs <= BigInt(Number.MAX_SAFE_INTEGER)) db.setExpire(key, Number(expireMs));
          else db.setExpireBig(key, expireMs);
        } else {
          db.setExpire(key, expireMs);
        }
      }
      sink.keys++;
    },
  };
  return sink;
}

/** Loads one AOF file of the directory into the server. */
export function loadSingleFile(server: Server, name: string, opts: LoadOptions, log: Log): FileLoadResult {
  const result: FileLoadResult = { status: 'ok', commands: 0, errors: 0, firstErrors: [] };
  const file = path.join(opts.dir, name);
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      log('warning', `The append log file ${name} doesn't exist: ${errnoText(e)}`);
      result.status = 'not-exist';
    } else {
      log('warning', `Fatal error: can't open the append log file ${name} for reading: ${errnoText(e)}`);
      result.status = 'open-err';
    }
    return result;
  }
  if (buf.length === 0) {
    result.status = 'empty';
    return result;
  }

  let pos = 0;
  if (buf.length >= 5 && buf.toString('latin1', 0, 5) === 'REDIS') {
    const oldStyle = name === opts.appendFilename;
    log('notice', oldStyle ? 'Reading RDB preamble from AOF file...' : 'Reading RDB base file on AOF loading...');
    try {
      pos = loadRdb(buf, keyspaceSink(server), { checksum: opts.rdbChecksum, deepSanitize: false, now: Date.now() }).end;
    } catch (e) {
      log('warning', (e as Error).message);
      log('warning', oldStyle ? `Error reading the RDB preamble of the AOF file ${name}, AOF loading aborted` : `Error reading the RDB base file ${name}, AOF loading aborted`);
      result.status = 'failed';
      return result;
    }
    if (oldStyle) log('notice', 'Reading the remaining AOF tail...');
  }

  const pseudo = new PseudoClient(server, { kind: 'normal' });
  let validUpTo = 0;
  let validBeforeMulti = 0;
  const fgets = (): string | null => {
    if (pos >= buf.length) return null;
    const limit = Math.min(buf.length, pos + LINE_MAX - 1);
    let end = buf.indexOf(10, pos);
    end = end < 0 || end >= limit ? limit : end + 1;
    const line = buf.toString('latin1', pos, end);
    pos = end;
    return line;
  };
  try {
    for (;;) {
      const head = fgets();
      if (head === null) break;
      if (head[0] === '#') continue;
      if (head[0] !== '*') throw new FormatError();
      if (head.length === 1) throw new ShortRead();
      const argc = atoi(head, 1);
      if (argc < 1) throw new FormatError();
      const argv: string[] = new Array(argc);
      for (let j = 0; j < argc; j++) {
        const lenLine = fgets();
        if (lenLine === null) throw new ShortRead();
        if (lenLine[0] !== '$') throw new FormatError();
        const len = atoi(lenLine, 1);
        if (len < 0) throw new FormatError();
        if (pos + len > buf.length) throw new ShortRead();
        argv[j] = buf.toString('latin1', pos, pos + len);
        pos += len;
        // the CRLF after the payload is skipped unread, as Redis does
        if (pos + 2 > buf.length) throw new ShortRead();
        pos += 2;
      }
      const cmd = server.lookupCommand(argv);
      if (cmd === undefined) {
        log('warning', `Unknown command '${cstr(argv[0])}' reading the append only file ${name}`);
        result.status = 'failed';
        return result;
      }
      if (cmd.name === 'multi') validBeforeMulti = validUpTo;
      pseudo.run(argv);
      result.commands++;
      if (opts.loadTruncated) validUpTo = pos;
    }
    if (pseudo.multi !== null) {
      log('warning', `Revert incomplete MULTI/EXEC transaction in AOF file ${name}`);
      server.discardTransaction(pseudo);
      validUpTo = validBeforeMulti;
      throw new ShortRead();
    }
  } catch (e) {
    if (e instanceof FormatError) {
      log('warning', `Bad file format reading the append only file ${name}: make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>`);
      log('warning', `(the first unreadable command starts before offset ${pos} of ${name})`);
      result.status = 'failed';
      return result;
    }
    if (!(e instanceof ShortRead)) throw e;
    if (pseudo.multi !== null) server.discardTransaction(pseudo);
    result.status = truncateTail(file, name, validUpTo, opts, log);
  } finally {
    result.errors = pseudo.errors;
    result.firstErrors.push(...pseudo.firstErrors);
  }
  return result;
}

/** The uxeof path: cut the file back to its last complete command, or fail. */
function truncateTail(file: string, name: string, validUpTo: number, opts: LoadOptions, log: Log): LoadStatus {
  if (opts.loadTruncated) {
    log('warning', `!!! Warning: short read while loading the AOF file ${name}!!!`);
    log('warning', `!!! Truncating the AOF ${name} at offset ${validUpTo} !!!`);
    try {
      fs.truncateSync(file, validUpTo);
      log('warning', `AOF ${name} loaded anyway because aof-load-truncated is enabled`);
      return 'truncated';
    } catch (e) {
      log('warning', `Error truncating the AOF file ${name}: ${errnoText(e)}`);
    }
  }
  log('warning', `Unexpected end of file reading the append only file ${name}. You can: 1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server.`);
  return 'failed';
}

export interface LoadAllResult {
  status: LoadStatus;
  totalSize: number;
  baseSize: number;
}

/** loadAppendOnlyFiles: base then incr files; a truncated file must be the last one. */
export function loadAofFiles(server: Server, m: Manifest, opts: LoadOptions, log: Log): LoadAllResult {
  const files = m.loadOrder;
  if (files.length === 0) return { status: 'not-exist', totalSize: 0, baseSize: 0 };
  let total = 0;
  let baseSize = 0;
  for (const f of files) {
    try {
      const size = fs.statSync(path.join(opts.dir, f.name)).size;
      total += size;
      if (f.type === 'b') baseSize = size;
    } catch (e) {
      log('warning', `Unable to obtain the AOF file ${f.name} length. stat: ${errnoText(e)}`);
      return { status: 'failed', totalSize: 0, baseSize: 0 };
    }
  }
  if (total === 0) return { status: 'empty', totalSize: 0, baseSize: 0 };
  let status: LoadStatus = 'ok';
  for (let i = 0; i < files.length; i++) {
    const f = files[i];
    const last = i === files.length - 1;
    const t0 = process.hrtime.bigint();
    const r = loadSingleFile(server, f.name, opts, log);
    status = r.status;
    if (r.errors > 0) {
      log('warning', `${r.errors} of the ${r.commands} commands replayed from ${f.name} answered with an error (first: ${r.firstErrors.join(' | ')})`);
    }
    if (status === 'ok' || (status === 'truncated' && last)) {
      const secs = Number(process.hrtime.bigint() - t0) / 1e9;
      log('notice', `DB loaded from ${f.type === 'b' ? 'base' : 'incr'} file ${f.name}: ${secs.toFixed(3)} seconds`);
    }
    // an empty incr file next to files with data is fine
    if (status === 'empty' && f.type === 'i') status = 'ok';
    if (status === 'truncated' && !last) {
      status = 'failed';
      log('warning', 'Fatal error: the truncated file is not the last file');
    }
    if (status === 'open-err' || status === 'failed' || status === 'not-exist') return { status: status === 'not-exist' ? 'failed' : status, totalSize: total, baseSize };
  }
  // truncation may have shrunk the last file
  if (status === 'truncated') {
    total = 0;
    for (const f of files) try { total += fs.statSync(path.join(opts.dir, f.name)).size; } catch { /* checked above */ }
  }
  return { status, totalSize: total, baseSize };
}

/** C atoi/strtol from `from`: optional spaces and sign, then digits. */
function atoi(s: string, from: number): number {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(from === 0 ? s : s.slice(from));
  return m ? Number(m[1]) : 0;
}

/** printf %s stops at a NUL byte. */
function cstr(s: string): string {
  const z = s.indexOf('\0');
  return z < 0 ? s : s.slice(0, z);
}
