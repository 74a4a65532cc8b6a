/*
 * Ziplists (the compact encoding of Redis before 7.0), read-only: Redis 7.0 still loads them from
 * old RDB files and converts them, and so do we. Validation follows ziplistValidateIntegrity's
 * deep mode: header size and tail offset agree with the blob, every entry's prevlen equals the
 * previous entry's size, encodings are known and inside the blob, the count matches (unless 65535).
 *
 * Layout: zlbytes (u32 LE) | zltail (u32 LE) | zllen (u16 LE) | entries | 0xFF. Entry: prevlen
 * (1 byte, or 0xFE + u32 LE) | encoding (strings: 00pppppp, 01pppppp qqqqqqqq, 10000000 + u32 BE;
 * integers: C0 i16, D0 i32, E0 i64, F0 i24, FE i8, F1..FD immediate 0..12) | data.
 */

import { RdbError } from './errors';

const HDR = 10;

function bad(): never {
  throw new RdbError('Ziplist integrity check failed');
}

/** Every element of a ziplist, validated, as latin1 strings. */
export function readZiplist(blob: Uint8Array): string[] {
  const size = blob.length;
  if (size < HDR + 1) bad();
  const b = Buffer.from(blob.buffer, blob.byteOffset, size);
  if (b.readUInt32LE(0) !== size) bad();
  const tail = b.readUInt32LE(4);
  const declared = b.readUInt16LE(8);
  if (b[size - 1] !== 0xff) bad();
  const end = size - 1;
  const out: string[] = [];
  let p = HDR;
  let prevSize = 0;
  let lastStart = HDR;
  while (p < end) {
    const start = p;
    let prevlen = b[p++];
    if (prevlen === 0xfe) {
      if (p + 4 > end) bad();
      prevlen = b.readUInt32LE(p);
      p += 4;
    } else if (prevlen === 0xff) bad();
    if (prevlen !== prevSize) bad();
    if (p >= end) bad();
    const c = b[p];
    let s: string;
    const kind = c >> 6;
    if (kind === 0 || kind === 1 || kind === 2) {
      let n: number;
      if (kind === 0) {
        n = c & 0x3f;
        p += 1;
      } else if (kind === 1) {
        if (p + 2 > end) bad();
        n = ((c & 0x3f) << 8) | b[p + 1];
        p += 2;
      } else {
        if (c !== 0x80 || p + 5 > end) bad();
        n = b.readUInt32BE(p + 1);
        p += 5;
      }
      if (p + n > end) bad();
      s = b.toString('latin1', p, p + n);
      p += n;
    } else {
      p += 1;
      let w: number;
      if (c === 0xc0) w = 2;
      else if (c === 0xd0) w = 4;
      else if (c === 0xe0) w = 8;
      else if (c === 0xf0) w = 3;
      else if (c === 0xfe) w = 1;
      else if (c >= 0xf1 && c <= 0xfd) w = 0;
      else bad();
      if (p + w > end) bad();
      if (w === 0) s = String((c & 0x0f) - 1);
      else if (w === 8) s = String(b.readBigInt64LE(p));
      else s = String(b.readIntLE(p, w));
      p += w;
    }
    out.push(s);
    prevSize = p - start;
    lastStart = start;
  }
  if (p !== end) bad();
  if (tail !== lastStart) bad();
  if (declared !== 65535 && declared !== out.length) bad();
  return out;
}
