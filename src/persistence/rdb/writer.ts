/*
 * A growing output buffer with the RDB primitive writers: lengths, strings (with Redis's integer
 * and LZF choices), binary doubles, fixed-width little-endian integers.
 *
 * Design: one Buffer doubled as needed (amortised O(1) per byte, no string concatenation); callers
 * take the filled prefix. Strings are latin1 JS strings (1 char = 1 byte) or Buffers.
 *
 * rawString mirrors rdbSaveRawString: a string of at most 11 bytes that is a canonical integer
 * fitting 32 bits is written as an encoded integer; otherwise, with compression on and more than 20
 * bytes, LZF is tried with an output budget of len - 4 bytes (it must save at least 4 bytes); else
 * the plain length + bytes.
 */

import { lzfCompress } from './lzf';
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
    this.ensure(s.length);
    this.pos += this.buf.write(s, this.pos, 'latin1');
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
    this.buf.writeBigInt64LE(BigInt(v), this.pos);
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
      const b = Buffer.from(s, 'latin1');
      if (this.lzf(b)) return;
      this.len(n);
      this.bytes(b);
      return;
    }
    this.len(n);
    this.latin1(s);
  }

  /** rdbSaveRawString for bytes (listpacks, intsets, ziplists are saved this way). */
  blob(b: Uint8Array, compress: boolean): void {
    const n = b.length;
    if (n <= 11 && n > 0) {
      const v = canonicalInt32(Buffer.from(b.buffer, b.byteOffset, n).toString('latin1'));
      if (v !== null && this.encodedInt(v)) return;
    }
    if (compress && n > 20 && this.lzf(b)) return;
    this.len(n);
    this.bytes(b);
  }

  /** rdbSaveLzfStringObject: true when written compressed. */
  private lzf(b: Uint8Array): boolean {
    const n = b.length;
    if (n <= 4) return false;
    const c = lzfCompress(b, n - 4);
    if (c === null) return false;
    this.lzfBlob(c, n);
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
