/*
 * Reading RDB files and DUMP payloads.
 *
 * loadRdb walks a whole file (or the RDB preamble of an AOF, returning where it ended): the
 * "REDISnnnn" header (versions 1..10, as Redis 7.0 accepts), then opcodes and key records until
 * EOF, then (version >= 5) the CRC-64 of every byte before it; a stored checksum of zero means
 * "saved without a checksum" and is not verified. Keys go to the sink with their absolute expiry
 * (expired ones too: whether to drop them is the caller's policy, e.g. a primary drops them while
 * an AOF preamble keeps them). Opcodes Redoubt cannot honour (module data, pre-GA functions,
 * functions when the sink takes none) are RdbErrors naming what is unsupported, never skipped.
 *
 * parseDumpPayload checks the 10-byte footer (RDB version <= 10, CRC-64) before parsing a byte of
 * the value, and maps every failure to one of RESTORE's two messages.
 */

import { RdbError } from './errors';
import { Crc64 } from './crc64';
import { ByteReader } from './reader';
import { OP, RDB_VERSION } from './constants';
import { readValue } from './loadvalue';
import type { RObj } from '../../data/keyspace';
import { LFU_INIT_VAL, accessPolicy, lfuPack } from '../../server/evict';

export interface RdbSink {
  aux(key: string, value: string): void;
  selectDb(db: number): void;
  resizeDb?(dbSize: number, expiresSize: number): void;
  entry(key: string, obj: RObj, expireMs: number | bigint | undefined, lruIdleSec?: number, lfuFreq?: number): void;
  functions?(payload: string): void;
}

export interface LoadOptions {
  /** rdbchecksum: verify the trailing CRC-64 (unless the file stored zero) */
  checksum: boolean;
  /** sanitize-dump-payload; Redoubt validates deeply in every case (see loadvalue.ts) */
  deepSanitize: boolean;
  /** unix ms: the access clock loaded objects start with */
  now: number;
}

/** A 64-bit expiry as a number when exact, else as a bigint. */
function expiryValue(v: bigint): number | bigint {
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : v;
}

/**
 * Applies IDLE / FREQ to a loaded object as objectSetLRUOrLFU does: under an LFU policy the FREQ
 * counter, or LFU_INIT_VAL with the current time when the record has none (what a new object gets);
 * under any other policy the IDLE seconds.
 */
function applyAccessInfo(o: RObj, lruSec: number, nowMs: number, idle?: number, freq?: number): void {
  if (accessPolicy.lfu) o.lru = lfuPack(freq ?? LFU_INIT_VAL, nowMs);
  else if (idle !== undefined) o.lru = lruSec - idle;
}

export function loadRdb(buf: Buffer, sink: RdbSink, opts: LoadOptions): { end: number; version: number } {
  if (buf.length < 9 || buf.toString('latin1', 0, 5) !== 'REDIS') {
    throw new RdbError('Wrong signature trying to load DB from file');
  }
  const verText = buf.toString('latin1', 5, 9);
  const version = /^[0-9]{4}$/.test(verText) ? Number(verText) : -1;
  if (version < 1 || version > RDB_VERSION) throw new RdbError(`Can't handle RDB format version ${verText}`);
  const r = new ByteReader(buf, 9);
  const lruSec = Math.floor(opts.now / 1000);
  let expire: number | bigint | undefined;
  let idle: number | undefined;
  let freq: number | undefined;
  for (;;) {
    const type = r.byte();
    switch (type) {
      case OP.EXPIRETIME:
        expire = r.i32le() * 1000;
        continue;
      case OP.EXPIRETIME_MS:
        expire = expiryValue(r.i64le());
        continue;
      case OP.FREQ:
        freq = r.byte();
        continue;
      case OP.IDLE:
        idle = r.len();
        continue;
      case OP.SELECTDB:
        sink.selectDb(r.len());
        continue;
      case OP.RESIZEDB: {
        const size = r.len();
        const expires = r.len();
        sink.resizeDb?.(size, expires);
        continue;
      }
      case OP.AUX: {
        const k = r.string();
        const v = r.string();
        sink.aux(k, v);
        continue;
      }
      case OP.MODULE_AUX:
        throw new RdbError('module auxiliary data (RDB opcode 247) is not supported by Redoubt');
      case OP.FUNCTION_PRE_GA:
        throw new RdbError('pre-release function libraries (RDB opcode 245) are not supported by Redoubt');
      case OP.FUNCTION2: {
        const code = r.string();
        if (sink.functions === undefined) throw new RdbError('function libraries (RDB opcode 246) are not supported by Redoubt');
        sink.functions(code);
        continue;
      }
      case OP.EOF:
        break;
      default: {
        const key = r.string();
        const obj = readValue(r, type, lruSec);
        if (obj !== null) {
          applyAccessInfo(obj, lruSec, opts.now, idle, freq);
          sink.entry(key, obj, expire, idle, freq);
        }
        expire = undefined;
        idle = undefined;
        freq = undefined;
        continue;
      }
    }
    break;
  }
  if (version >= 5) {
    const at = r.pos;
    r.need(8);
    r.pos += 8;
    if (opts.checksum) {
      let stored = false;
      for (let i = 0; i < 8; i++) if (buf[at + i] !== 0) stored = true;
      if (stored) {
        const crc = new Crc64();
        crc.update(buf, 0, at);
        if (!crc.equalsLE(buf, at)) {
          const stored = buf.readBigUInt64LE(at).toString(16);
          throw new RdbError(`Wrong RDB checksum expected: (${crc.value.toString(16)}) got (${stored}).`);
        }
      }
    }
  }
  return { end: r.pos, version };
}

const WRONG_FOOTER = 'DUMP payload version or checksum are wrong';
const BAD_FORMAT = 'Bad data format';

/** Checks a DUMP payload's footer (verifyDumpPayload); returns false if RESTORE must refuse it. */
export function verifyDumpPayload(buf: Buffer): boolean {
  if (buf.length < 10) return false;
  const f = buf.length - 10;
  const version = buf[f] | (buf[f + 1] << 8);
  if (version > RDB_VERSION) return false;
  const crc = new Crc64();
  crc.update(buf, 0, buf.length - 8);
  return crc.equalsLE(buf, buf.length - 8);
}

/** The object a DUMP payload holds; RdbError with RESTORE's message otherwise. */
export function parseDumpPayload(buf: Buffer, opts: { deepSanitize: boolean; now: number }): RObj {
  if (!verifyDumpPayload(buf)) throw new RdbError(WRONG_FOOTER);
  // Redis parses the value from the whole argument, footer included: a value that runs into the
  // footer bytes is read from them (the CRC already vouched for every byte), never past the end
  const r = new ByteReader(buf, 0, buf.length);
  let obj: RObj | null;
  try {
    const type = r.byte();
    obj = readValue(r, type, Math.floor(opts.now / 1000));
  } catch (e) {
    if (e instanceof RdbError) throw new RdbError(BAD_FORMAT);
    throw e;
  }
  if (obj === null) throw new RdbError(BAD_FORMAT);
  return obj;
}
