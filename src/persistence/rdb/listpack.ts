/*
 * Listpacks (Redis 7's compact sequence: the serialised form of small hashes, small sorted sets and
 * quicklist nodes), written exactly as Redis's lpAppend builds them and read with full validation.
 *
 * Layout: total bytes (u32 LE) | element count (u16 LE, 65535 = "count it") | entries | 0xFF.
 * Entry: encoding + data, then its own size as a "backlen" (1-5 bytes, 7 bits each, read right to
 * left). A string that is a canonical signed 64-bit integer (lpStringToInt64's rules) is stored as
 * the smallest integer encoding that holds it, so reading it back gives the same bytes.
 *
 * Writing appends entries straight into a ByteWriter (lpBegin / lpAppend / lpFinish), so the RDB
 * encoder builds each listpack in a reused scratch buffer without allocating per value.
 *
 * Reading validates what lpValidateIntegrity checks deeply: the header size equals the blob, every
 * entry's encoding is known and lies inside the blob, every backlen matches its entry, the count
 * matches (unless 65535), and the terminator is where the header says.
 */

import { RdbError } from './errors';
import { ByteWriter, putLatin1 } from './writer';
import { latin1 } from './reader';
import { intMember } from '../../data/settype';

const HDR = 6;
const EOF_BYTE = 0xff;
const NUMELE_UNKNOWN = 65535;

/** Bytes of the backlen field for an entry of l bytes (lpEncodeBacklen's size classes). */
export function backlenSize(l: number): number {
  if (l <= 127) return 1;
  if (l < 16383) return 2;
  if (l < 2097151) return 3;
  if (l < 268435455) return 4;
  return 5;
}

/** Encoding + data bytes of an integer entry. */
function intEncodedSize(v: number | bigint): number {
  if (typeof v === 'number') {
    if (v >= 0 && v <= 127) return 1;
    if (v >= -4096 && v <= 4095) return 2;
    if (v >= -32768 && v <= 32767) return 3;
    if (v >= -8388608 && v <= 8388607) return 4;
    if (v >= -2147483648 && v <= 2147483647) return 5;
  }
  return 9;
}

function strEncodedSize(n: number): number {
  if (n < 64) return 1 + n;
  if (n < 4096) return 2 + n;
  return 5 + n;
}

/** Total bytes the element s takes in a listpack (encoding, data and backlen). */
export function lpEntrySize(s: string): number {
  const v = s.length <= 20 ? intMember(s) : null;
  const l = v !== null ? intEncodedSize(v) : strEncodedSize(s.length);
  return l + backlenSize(l);
}

function writeBacklen(b: Uint8Array, p: number, l: number): number {
  if (l <= 127) {
    b[p] = l;
    return p + 1;
  }
  const n = backlenSize(l);
  // most significant group first; every byte but the first carries the continuation bit
  for (let i = n - 1; i >= 0; i--) {
    const group = Math.floor(l / 2 ** (7 * i)) & 127;
    b[p++] = i === n - 1 ? group : group | 128;
  }
  return p;
}

/** Appends one element (lpAppend's encoding choice) at w's position. */
export function lpAppend(w: ByteWriter, s: string): void {
  const n = s.length;
  if (n <= 20 && n > 0) {
    // only a leading '-' or digit can start an integer: skip the parse for everything else
    const c = s.charCodeAt(0);
    if (c === 45 || (c >= 48 && c <= 57)) {
      const v = intMember(s);
      if (v !== null) {
        lpAppendInt(w, v);
        return;
      }
    }
  }
  w.ensure(n + 10);
  const b = w.buf;
  let p = w.pos;
  if (n < 64) b[p++] = 0x80 | n;
  else if (n < 4096) {
    b[p++] = 0xe0 | (n >> 8);
    b[p++] = n & 0xff;
  } else {
    b[p++] = 0xf0;
    b.writeUInt32LE(n, p);
    p += 4;
  }
  p = putLatin1(b, p, s);
  w.pos = writeBacklen(b, p, strEncodedSize(n));
}

/**
 * Appends an integer element: what lpAppend stores for the canonical decimal text of v (a signed
 * 64-bit value; numbers must be safe integers).
 */
export function lpAppendInt(w: ByteWriter, v: number | bigint): void {
  const l = intEncodedSize(v);
  w.ensure(l + 1);
  const b = w.buf;
  const p = w.pos;
  if (l === 1) b[p] = v as number;
  else if (l === 2) {
    const u = (v as number) < 0 ? (1 << 13) + (v as number) : (v as number);
    b[p] = 0xc0 | (u >> 8);
    b[p + 1] = u & 0xff;
  } else if (l === 3) {
    b[p] = 0xf1;
    b[p + 1] = (v as number) & 0xff;
    b[p + 2] = ((v as number) >> 8) & 0xff;
  } else if (l === 4) {
    b[p] = 0xf2;
    b[p + 1] = (v as number) & 0xff;
    b[p + 2] = ((v as number) >> 8) & 0xff;
    b[p + 3] = ((v as number) >> 16) & 0xff;
  } else if (l === 5) {
    b[p] = 0xf3;
    b.writeInt32LE(v as number, p + 1);
  } else {
    b[p] = 0xf4;
    b.writeBigInt64LE(BigInt(v), p + 1);
  }
  b[p + l] = l; // l <= 9: a one-byte backlen
  w.pos = p + l + 1;
}

/** Starts a listpack at w's position (header filled in by lpFinish); returns where it starts. */
export function lpBegin(w: ByteWriter): number {
  const start = w.pos;
  w.ensure(HDR);
  w.pos += HDR;
  return start;
}

/** Terminates the listpack begun at `start` holding `count` elements and fills in its header. */
export function lpFinish(w: ByteWriter, start: number, count: number): void {
  w.byte(EOF_BYTE);
  w.buf.writeUInt32LE(w.pos - start, start);
  w.buf.writeUInt16LE(count < NUMELE_UNKNOWN ? count : NUMELE_UNKNOWN, start + 4);
}

/**
 * A shared scratch writer for building listpacks and intsets before they are written as a blob
 * (single-threaded; the caller is done with it before anything else can use it). Reset to empty;
 * one that grew huge is replaced so a single big value does not pin the memory.
 */
let scratch = new ByteWriter(4096);
export function scratchWriter(): ByteWriter {
  if (scratch.buf.length > 4 * 1024 * 1024) scratch = new ByteWriter(4096);
  scratch.pos = 0;
  return scratch;
}

/** A listpack holding the elements in order. */
export function buildListpack(items: Iterable<string>): Buffer {
  const w = new ByteWriter(256);
  let count = 0;
  lpBegin(w);
  for (const s of items) {
    lpAppend(w, s);
    count++;
  }
  lpFinish(w, 0, count);
  return w.takeCopy();
}

function bad(): never {
  throw new RdbError('Listpack integrity check failed');
}

/** Decodes a backlen that ends at byte `last` (inclusive); returns [value, bytes]. */
function readBacklen(b: Uint8Array, last: number, min: number): [number, number] {
  let v = 0;
  let shift = 1;
  let n = 0;
  let p = last;
  for (;;) {
    if (p < min || n === 5) bad();
    const c = b[p];
    v += (c & 127) * shift;
    n++;
    if ((c & 128) === 0) break;
    shift *= 128;
    p--;
  }
  return [v, n];
}

/**
 * Every element of a listpack, validated, as latin1 strings (integers in decimal). `blob` is the
 * whole listpack.
 */
export function readListpack(blob: Uint8Array): string[] {
  const size = blob.length;
  if (size < HDR + 1) bad();
  const b = Buffer.from(blob.buffer, blob.byteOffset, size);
  if (b.readUInt32LE(0) !== size) bad();
  const declared = b.readUInt16LE(4);
  if (b[size - 1] !== EOF_BYTE) bad();
  const out: string[] = [];
  let p = HDR;
  const end = size - 1; // the terminator
  while (p < end) {
    const c = b[p];
    let l: number; // encoding + data
    let s: string;
    if (c < 0x80) {
      l = 1;
      s = String(c);
    } else if (c < 0xc0) {
      const n = c & 0x3f;
      l = 1 + n;
      if (p + l > end) bad();
      s = latin1(b, p + 1, p + l);
    } else if (c < 0xe0) {
      l = 2;
      if (p + 2 > end) bad();
      let u = ((c & 0x1f) << 8) | b[p + 1];
      if (u >= 1 << 12) u -= 1 << 13;
      s = String(u);
    } else if (c < 0xf0) {
      if (p + 2 > end) bad();
      const n = ((c & 0x0f) << 8) | b[p + 1];
      l = 2 + n;
      if (p + l > end) bad();
      s = latin1(b, p + 2, p + l);
    } else if (c === 0xf0) {
      if (p + 5 > end) bad();
      const n = b.readUInt32LE(p + 1);
      l = 5 + n;
      if (p + l > end) bad();
      s = latin1(b, p + 5, p + l);
    } else if (c === 0xf1) {
      l = 3;
      if (p + l > end) bad();
      s = String(b.readInt16LE(p + 1));
    } else if (c === 0xf2) {
      l = 4;
      if (p + l > end) bad();
      s = String(b.readIntLE(p + 1, 3));
    } else if (c === 0xf3) {
      l = 5;
      if (p + l > end) bad();
      s = String(b.readInt32LE(p + 1));
    } else if (c === 0xf4) {
      l = 9;
      if (p + l > end) bad();
      s = String(b.readBigInt64LE(p + 1));
    } else {
      bad();
    }
    const bl = backlenSize(l);
    if (p + l + bl > end) bad();
    const [v, n] = readBacklen(b, p + l + bl - 1, p + l);
    if (v !== l || n !== bl) bad();
    out.push(s);
    p += l + bl;
  }
  if (p !== end) bad();
  if (declared !== NUMELE_UNKNOWN && declared !== out.length) bad();
  return out;
}
