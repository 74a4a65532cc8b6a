/*
 * A bounds-checked cursor over an RDB buffer with the primitive readers (lengths, strings in all
 * their encodings, doubles, fixed-width integers).
 *
 * Invariants: every read checks the bytes are there first and throws RdbError otherwise; a length
 * read from the input is never used to allocate before it is checked against the bytes that remain
 * (LZF: the compressed size must be present, and the announced size must be reachable from it), so
 * a forged length cannot cause a huge allocation. Strings come back as latin1 JS strings, or as
 * Buffers (views or fresh copies) for the blob readers. An LZF string read as a JS string is
 * decompressed into one reused scratch buffer (the string is a copy), so loading allocates no
 * intermediate Buffer per compressed value.
 */

import { RdbError } from './errors';
import { lzfDecompressInto } from './lzf';
import { LEN_6BIT, LEN_14BIT, LEN_32BIT, LEN_64BIT, LEN_ENCVAL, ENC_INT8, ENC_INT16, ENC_INT32, ENC_LZF } from './constants';

/** Largest string the loader accepts (Redis's proto-max-bulk-len ceiling for values is 512 MB; RDB allows more, we do not). */
const MAX_STRING = 0x7fffffff;
/** Upper bound of LZF's expansion: a 3-byte back reference yields at most 264 bytes. */
const LZF_MAX_RATIO = 88;

/** Decompressed strings up to this size go through one reused buffer. */
const SCRATCH_MAX = 1 << 20;
let scratch = Buffer.allocUnsafe(4096);

/** Node's Buffer has this (the body of toString('latin1', start, end)) without the wrapper. */
interface LatinSlicer {
  latin1Slice(start: number, end: number): string;
}

/** buf[start, end) as a latin1 string. */
export function latin1(buf: Buffer, start: number, end: number): string {
  return (buf as unknown as LatinSlicer).latin1Slice(start, end);
}

export class ByteReader {
  pos: number;
  constructor(
    readonly buf: Buffer,
    start = 0,
    /** one past the last readable byte */
    readonly end = buf.length,
  ) {
    this.pos = start;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  need(n: number): void {
    if (n < 0 || this.pos + n > this.end) throw new RdbError('Unexpected EOF reading RDB file');
  }

  byte(): number {
    if (this.pos >= this.end) throw new RdbError('Unexpected EOF reading RDB file');
    return this.buf[this.pos++];
  }

  take(n: number): Buffer {
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  u32le(): number {
    this.need(4);
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  i32le(): number {
    this.need(4);
    const v = this.buf.readInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  i64le(): bigint {
    this.need(8);
    const v = this.buf.readBigInt64LE(this.pos);
    this.pos += 8;
    return v;
  }

  doubleLE(): number {
    this.need(8);
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  /**
   * rdbLoadLenByRef: returns the length, or for an encoded string prefix (11xxxxxx) -(enc + 1).
   */
  lenOrEnc(): number {
    const b = this.byte();
    const kind = (b & 0xc0) >> 6;
    if (kind === LEN_ENCVAL) return -((b & 0x3f) + 1);
    if (kind === LEN_6BIT) return b & 0x3f;
    if (kind === LEN_14BIT) return ((b & 0x3f) << 8) | this.byte();
    if (b === LEN_32BIT) {
      this.need(4);
      const v = this.buf.readUInt32BE(this.pos);
      this.pos += 4;
      return v;
    }
    if (b === LEN_64BIT) {
      this.need(8);
      const v = this.buf.readBigUInt64BE(this.pos);
      this.pos += 8;
      if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new RdbError('Length too large in RDB');
      return Number(v);
    }
    throw new RdbError(`Unknown length encoding ${b} in rdbLoadLen()`);
  }

  /** A plain length (an encoded-string prefix here is an error). */
  len(): number {
    const v = this.lenOrEnc();
    if (v < 0) throw new RdbError('Unexpected encoded length in RDB');
    return v;
  }

  /** A string in any encoding, as latin1. */
  string(): string {
    const v = this.lenOrEnc();
    if (v >= 0) {
      this.need(v);
      const s = latin1(this.buf, this.pos, this.pos + v);
      this.pos += v;
      return s;
    }
    const enc = -v - 1;
    if (enc === ENC_LZF) return latin1(this.lzfInto(true), 0, this.lzfLen);
    return String(this.encodedInt(enc));
  }

  /**
   * A string as bytes. Plain strings come back as a view into the input (valid as long as the
   * input is); integer-encoded ones as their decimal text, LZF ones decompressed.
   */
  blob(): Buffer {
    const v = this.lenOrEnc();
    if (v >= 0) return this.take(v);
    const enc = -v - 1;
    if (enc === ENC_LZF) return this.lzf();
    return Buffer.from(String(this.encodedInt(enc)), 'latin1');
  }

  private encodedInt(enc: number): number {
    switch (enc) {
      case ENC_INT8: {
        this.need(1);
        const v = this.buf.readInt8(this.pos);
        this.pos += 1;
        return v;
      }
      case ENC_INT16: {
        this.need(2);
        const v = this.buf.readInt16LE(this.pos);
        this.pos += 2;
        return v;
      }
      case ENC_INT32: {
        this.need(4);
        const v = this.buf.readInt32LE(this.pos);
        this.pos += 4;
        return v;
      }
      default:
        throw new RdbError(`Unknown RDB string encoding type ${enc}`);
    }
  }

  private lzf(): Buffer {
    return this.lzfInto(false);
  }

  /** length of the string the last lzfInto produced */
  private lzfLen = 0;

  /**
   * An LZF string decompressed into a fresh buffer, or (shared) into the reusable scratch buffer
   * for a caller that turns it into a string at once; the length is left in lzfLen.
   */
  private lzfInto(shared: boolean): Buffer {
    const clen = this.len();
    const len = this.len();
    this.need(clen);
    if (clen === 0 || len === 0 || len > MAX_STRING || len > clen * LZF_MAX_RATIO + 64) {
      throw new RdbError('Invalid LZF compressed string');
    }
    let out: Buffer;
    if (shared && len <= SCRATCH_MAX) {
      if (scratch.length < len) scratch = Buffer.allocUnsafe(Math.max(len, scratch.length * 2));
      out = scratch;
    } else {
      out = Buffer.allocUnsafe(len);
    }
    lzfDecompressInto(this.buf, this.pos, this.pos + clen, out, len);
    this.pos += clen;
    this.lzfLen = len;
    return out;
  }

  /** rdbLoadDoubleValue: the textual double of old zsets (RDB_TYPE_ZSET). */
  stringDouble(): number {
    const n = this.byte();
    if (n === 253) return NaN;
    if (n === 254) return Infinity;
    if (n === 255) return -Infinity;
    const s = this.take(n).toString('latin1');
    const d = parseCDouble(s);
    if (d === null) throw new RdbError('Invalid double value in RDB');
    return d;
  }
}

const NUM_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * A double as C's strtod reads a whole field: decimal forms, inf/infinity/nan in any case. Null
 * when the text is not entirely a number (stricter than strtod's prefix parse, on purpose: the
 * writer never produces trailing bytes).
 */
export function parseCDouble(s: string): number | null {
  if (NUM_RE.test(s)) return Number(s);
  const l = s.toLowerCase();
  const neg = l.startsWith('-');
  const body = l.replace(/^[+-]/, '');
  if (body === 'inf' || body === 'infinity') return neg ? -Infinity : Infinity;
  if (body === 'nan') return NaN;
  return null;
}
