/*
 * RDB file framing and DUMP payloads.
 *
 * RdbEncoder produces a whole RDB file in pieces: header + AUX fields, then per database SELECTDB
 * (+ RESIZEDB), then key records (optional EXPIRETIME_MS, IDLE or FREQ, type, key, value), then
 * EOF and the CRC-64 of every byte before the checksum (eight zero bytes when checksums are off,
 * which loaders read as "not computed"). Each key is serialised the moment entry() is called, so
 * the caller may change the value right after (the snapshot's copy-on-write depends on it).
 *
 * Bytes accumulate in one growing buffer; take() hands them over (the CRC is advanced over them
 * first and carried across takes), so a writer can flush between slices without copying. A writer
 * that is done with taken bytes may recycle() them: the next take() then continues in that buffer
 * instead of allocating a new one, so a whole BGSAVE runs on two buffers (allocating one per flush
 * makes external-memory pressure that forces full GCs of a large heap).
 */

import { ByteWriter } from './writer';
import { Crc64 } from './crc64';
import { OP, RDB_VERSION } from './constants';
import { rdbTypeOf, writeObject, writeValue } from './values';
import type { RObj } from '../../data/keyspace';
import { accessPolicy, rdbAccessOf } from '../../server/evict';

export interface EncodeOptions {
  /** rdbcompression: LZF for strings over 20 bytes when it saves at least 4 */
  compress: boolean;
}

export class RdbEncoder {
  private w = new ByteWriter(64 * 1024);
  private readonly crc = new Crc64();
  /** bytes of the current buffer already folded into the CRC */
  private crcPos = 0;
  private readonly compress: boolean;
  private readonly checksum: boolean;
  /** the whole buffer handed out by the last take(), and a written one ready for reuse */
  private lastTaken: Buffer | null = null;
  private spare: Buffer | null = null;

  constructor(opts: EncodeOptions & { checksum: boolean }) {
    this.compress = opts.compress;
    this.checksum = opts.checksum;
  }

  /** "REDIS0010" and one AUX record per pair. */
  header(aux: Array<[string, string]>): void {
    this.w.latin1('REDIS' + String(RDB_VERSION).padStart(4, '0'));
    for (const [k, v] of aux) {
      this.w.byte(OP.AUX);
      this.w.string(k, this.compress);
      this.w.string(v, this.compress);
    }
  }

  /** SELECTDB, and RESIZEDB when the sizes are known. */
  selectDb(db: number, dbSize?: number, expiresSize?: number): void {
    this.w.byte(OP.SELECTDB);
    this.w.len(db);
    if (dbSize !== undefined) {
      this.w.byte(OP.RESIZEDB);
      this.w.len(dbSize);
      this.w.len(expiresSize ?? 0);
    }
  }

  /**
   * One key (rdbSaveKeyValuePair): absolute expiry in ms, then IDLE (LRU policies) or FREQ (LFU
   * policies) when given, then the object.
   */
  entry(key: string, obj: RObj, expireMs?: number | bigint, lruIdleSec?: number, lfuFreq?: number): void {
    const w = this.w;
    // the policy decides when the caller does not (rdbSaveKeyValuePair: IDLE under LRU, FREQ under LFU)
    if (lruIdleSec === undefined && lfuFreq === undefined && (accessPolicy.lru || accessPolicy.lfu)) {
      const a = rdbAccessOf(obj, Date.now());
      lruIdleSec = a?.idle;
      lfuFreq = a?.freq;
    }
    if (expireMs !== undefined) {
      w.byte(OP.EXPIRETIME_MS);
      w.i64le(expireMs);
    }
    if (lruIdleSec !== undefined) {
      w.byte(OP.IDLE);
      w.len(Math.max(0, Math.floor(lruIdleSec)));
    }
    if (lfuFreq !== undefined) {
      w.byte(OP.FREQ);
      w.byte(lfuFreq & 0xff);
    }
    w.byte(rdbTypeOf(obj));
    w.string(key, this.compress);
    writeValue(w, obj, this.compress);
  }

  /** EOF and the checksum. */
  footer(): void {
    this.w.byte(OP.EOF);
    this.w.ensure(8);
    if (this.checksum) {
      this.crc.update(this.w.buf, this.crcPos, this.w.pos);
      this.crc.writeLE(this.w.buf, this.w.pos);
    } else {
      this.w.buf.fill(0, this.w.pos, this.w.pos + 8);
    }
    this.w.pos += 8;
    this.crcPos = this.w.pos;
  }

  /** Bytes produced since the last take(). */
  take(): Buffer[] {
    const w = this.w;
    if (w.pos === 0) return [];
    if (this.checksum && this.crcPos < w.pos) this.crc.update(w.buf, this.crcPos, w.pos);
    const out = w.buf.subarray(0, w.pos);
    this.lastTaken = w.buf;
    const spare = this.spare;
    this.spare = null;
    if (spare !== null) {
      w.buf = spare;
      w.pos = 0;
    } else {
      this.w = new ByteWriter(Math.min(Math.max(64 * 1024, w.buf.length), 16 * 1024 * 1024));
    }
    this.crcPos = 0;
    return [out];
  }

  /**
   * The chunks of the last take() are written and will not be read again: their memory may be
   * reused for what follows. (Chunks of an earlier take, or of another encoder, are ignored.)
   */
  recycle(chunks: Buffer[]): void {
    const last = this.lastTaken;
    if (last === null || chunks.length !== 1 || chunks[0].buffer !== last.buffer || chunks[0].byteOffset !== last.byteOffset) return;
    this.lastTaken = null;
    // keep one spare, never a huge one (a single big value may have grown it)
    if (last.length <= 16 * 1024 * 1024) this.spare = last;
  }

  get pending(): number {
    return this.w.pos;
  }
}

/** DUMP's payload: type + value, RDB version (u16 LE), CRC-64 (LE) of everything before it. */
export function dumpPayload(obj: RObj, compress: boolean): Buffer {
  const w = new ByteWriter(256);
  writeObject(w, obj, compress);
  w.u16le(RDB_VERSION);
  const crc = new Crc64();
  crc.update(w.buf, 0, w.pos);
  w.ensure(8);
  crc.writeLE(w.buf, w.pos);
  w.pos += 8;
  return w.takeCopy();
}
