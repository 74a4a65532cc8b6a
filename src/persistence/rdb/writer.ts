/*
 * A growing output buffer with the RDB primitive writers: lengths, strings (with Redis's integer
 * and LZF choices), binary doubles, fixed-width little-endian integers.
 *
 * Design: one Buffer doubled as needed (amortised O(1) per byte, no string concatenation); callers
 * take the filled prefix. Strings are latin1 JS strings (1 char = 1 byte) or Buffers.
 *
 * Speed (a BGSAVE writes millions of small records): nothing is allocated per record. Short
 * strings are copied char by char (cheaper than a native call), long ones with latin1Write at the
 * offset; a string that may compress is staged once in a shared scratch buffer and LZF writes its
 * output straight into this buffer, the header being fixed up after the compressed size is known.
 *
 * rawString mirrors rdbSaveRawString: a string of at most 11 bytes that is a canonical integer
 * fitting 32 bits is written as an encoded integer; otherwise, with compression on and more than 20
 * bytes, LZF is tried with an output budget of len - 4 bytes (it must save at least 4 bytes); else
 * the plain length + bytes.
 */

import { lzfCompressInto } from './lzf';
import { LEN_32BIT, LEN_64BIT, ENC_INT8, ENC_INT16, ENC_INT32, ENC_LZF } from './constants';

export class ByteWriter {
  buf: Buffer;
  pos = 0;
  constructor(initial = 4096) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const nb = Buffer.allocUnsafe(cap);
    this.buf.copy(nb, 0, 0, this.pos);
    this.buf = nb;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  bytes(src: Uint8Array): void {
    this.ensure(src.length);
    this.buf.set(src, this.pos);
    this.pos += src.length;
  }

  latin1(s: string): void {
    const n = s.length;
    this.ensure(n);
    this.pos = putLatin1(this.buf, this.pos, s);
  }

  /** Bytes src[start, end). */
  range(src: Uint8Array, start: number, end: number): void {
    const n = end - start;
    this.ensure(n);
    copyBytes(src, start, end, this.buf, this.pos);
    this.pos += n;
  }

  u16le(v: number): void {
    this.ensure(2);
    this.buf.writeUInt16LE(v, this.pos);
    this.pos += 2;
  }

  u32le(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32LE(v >>> 0, this.pos);
    this.pos += 4;
  }

  i32le(v: number): void {
    this.ensure(4);
    this.buf.writeInt32LE(v, this.pos);
    this.pos += 4;
  }

  i64le(v: number | bigint): void {
    this.ensure(8);
    if (typeof v === 'number' && Number.isSafeInteger(v)) {
      // two's complement halves without a bigint: ToUint32 is the value modulo 2^32
      const b = this.buf;
      const p = this.pos;
      const lo = v >>> 0;
      const hi = Math.floor(v / 4294967296) >>> 0;
      b[p] = lo;
      b[p + 1] = lo >>> 8;
      b[p + 2] = lo >>> 16;
      b[p + 3] = lo >>> 24;
      b[p + 4] = hi;
      b[p + 5] = hi >>> 8;
      b[p + 6] = hi >>> 16;
      b[p + 7] = hi >>> 24;
    } else {
      this.buf.writeBigInt64LE(BigInt(v), this.pos);
    }
    this.pos += 8;
  }

  doubleLE(d: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(d, this.pos);
    this.pos += 8;
  }

  /** rdbSaveLen */
  len(n: number): void {
    if (n < 64) {
      this.byte(n);
    } else if (n < 16384) {
      this.ensure(2);
      this.buf[this.pos++] = 0x40 | (n >>> 8);
      this.buf[this.pos++] = n & 0xff;
    } else if (n <= 0xffffffff) {
      this.ensure(5);
      this.buf[this.pos++] = LEN_32BIT;
      this.buf.writeUInt32BE(n, this.pos);
      this.pos += 4;
    } else {
      this.ensure(9);
      this.buf[this.pos++] = LEN_64BIT;
      this.buf.writeBigUInt64BE(BigInt(n), this.pos);
      this.pos += 8;
    }
  }

  /** Writes an integer in the 8/16/32-bit encoded form; false if it does not fit 32 bits. */
  encodedInt(v: number): boolean {
    if (v >= -128 && v <= 127) {
      this.ensure(2);
      this.buf[this.pos++] = 0xc0 | ENC_INT8;
      this.buf.writeInt8(v, this.pos);
      this.pos += 1;
    } else if (v >= -32768 && v <= 32767) {
      this.ensure(3);
      this.buf[this.pos++] = 0xc0 | ENC_INT16;
      this.buf.writeInt16LE(v, this.pos);
      this.pos += 2;
    } else if (v >= -2147483648 && v <= 2147483647) {
      this.ensure(5);
      this.buf[this.pos++] = 0xc0 | ENC_INT32;
      this.buf.writeInt32LE(v, this.pos);
      this.pos += 4;
    } else {
      return false;
    }
    return true;
  }

  /** rdbSaveRawString for a latin1 string. */
  string(s: string, compress: boolean): void {
    const n = s.length;
    if (n <= 11 && n > 0) {
      const v = canonicalInt32(s);
      if (v !== null && this.encodedInt(v)) return;
    }
    if (compress && n > 20) {
      const src = stage(n);
      putLatin1(src, 0, s);
      if (this.lzf(src, 0, n)) return;
      this.len(n);
      this.range(src, 0, n);
      return;
    }
    this.len(n);
    this.latin1(s);
  }

  /** rdbSaveRawString for bytes (listpacks, intsets, ziplists are saved this way). */
  blob(b: Uint8Array, compress: boolean): void {
    this.blobRange(b, 0, b.length, compress);
  }

  /** rdbSaveRawString for the bytes b[start, end). */
  blobRange(b: Uint8Array, start: number, end: number, compress: boolean): void {
    const n = end - start;
    if (n <= 11 && n > 0) {
      const v = canonicalInt32(Buffer.from(b.buffer, b.byteOffset + start, n).toString('latin1'));
      if (v !== null && this.encodedInt(v)) return;
    }
    if (compress && n > 20 && this.lzf(b, start, end)) return;
    this.len(n);
    this.range(b, start, end);
  }

  /**
   * rdbSaveLzfStringObject for src[start, end): true when written compressed. The compressed bytes
   * land after the largest possible header, which is then written in front of them (moving them
   * down when the real header is shorter).
   */
  private lzf(src: Uint8Array, start: number, end: number): boolean {
    const n = end - start;
    if (n <= 4) return false;
    const budget = n - 4;
    const lenBytes = lenSize(n);
    const room = 1 + lenSize(budget) + lenBytes;
    this.ensure(room + budget + 4);
    const buf = this.buf;
    const at = this.pos + room;
    const c = lzfCompressInto(src, start, end, buf, at, budget);
    if (c === 0) return false;
    const hdr = 1 + lenSize(c) + lenBytes;
    if (hdr !== room) buf.copyWithin(this.pos + hdr, at, at + c);
    this.byte(0xc0 | ENC_LZF);
    this.len(c);
    this.len(n);
    this.pos += c;
    return true;
  }

  /** An already-compressed blob: 0xC3, compressed length, original length, bytes. */
  lzfBlob(c: Uint8Array, originalLen: number): void {
    this.byte(0xc0 | ENC_LZF);
    this.len(c.length);
    this.len(originalLen);
    this.bytes(c);
  }

  /** The bytes written so far (a view; valid until the next write). */
  view(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  /** A copy of the bytes written so far, and an empty writer afterwards. */
  takeCopy(): Buffer {
    const b = Buffer.from(this.buf.subarray(0, this.pos));
    this.pos = 0;
    return b;
  }
}

/** Bytes rdbSaveLen uses for n. */
export function lenSize(n: number): number {
  return n < 64 ? 1 : n < 16384 ? 2 : n <= 0xffffffff ? 5 : 9;
}

/** Strings shorter than this are copied in JS; longer ones by the native latin1 writer. */
const NATIVE_COPY = 16;

/** Writes the latin1 string s at out[at] (room already ensured); returns the end offset. */
export function putLatin1(out: Buffer, at: number, s: string): number {
  const n = s.length;
  if (n < NATIVE_COPY) {
    for (let i = 0; i < n; i++) out[at + i] = s.charCodeAt(i);
    return at + n;
  }
  return at + (out as unknown as LatinWriter).latin1Write(s, at, n);
}

/** Node's Buffer has this (the body of buf.write(s, at, 'latin1')) without its argument juggling. */
interface LatinWriter {
  latin1Write(s: string, offset: number, length: number): number;
}

/** Copies src[start, end) to dst[at]: small runs in JS, big ones natively. */
export function copyBytes(src: Uint8Array, start: number, end: number, dst: Uint8Array, at: number): void {
  const n = end - start;
  if (n < 64) {
    for (let i = 0; i < n; i++) dst[at + i] = src[start + i];
  } else {
    dst.set(src.subarray(start, end), at);
  }
}

/** Shared staging area for strings on their way to LZF (single-threaded, never held across calls). */
let stageBuf = Buffer.allocUnsafe(4096);

function stage(n: number): Buffer {
  if (stageBuf.length < n) stageBuf = Buffer.allocUnsafe(Math.max(n, stageBuf.length * 2));
  else if (stageBuf.length > 1 << 20 && n <= 4096) stageBuf = Buffer.allocUnsafe(4096); // give a huge one back
  return stageBuf;
}

/**
 * The value of s if it is the canonical decimal form of an integer that fits 32 bits (what
 * rdbTryIntegerEncoding + rdbEncodeInteger accept), else null.
 */
export function canonicalInt32(s: string): number | null {
  const n = s.length;
  if (n === 0 || n > 11) return null;
  let i = 0;
  if (s.charCodeAt(0) === 45) {
    if (n === 1) return null;
    i = 1;
  }
  const first = s.charCodeAt(i);
  if (first === 48) return n === 1 ? 0 : null; // "0" only; "-0" and leading zeros do not round-trip
  if (first < 49 || first > 57) return null;
  for (let j = i + 1; j < n; j++) {
    const c = s.charCodeAt(j);
    if (c < 48 || c > 57) return null;
  }
  const v = Number(s);
  return v >= -2147483648 && v <= 2147483647 ? v : null;
}
