/*
 * Intsets (the compact encoding of small all-integer sets): encoding width (u32 LE: 2, 4 or 8),
 * count (u32 LE), then the values little-endian, strictly ascending.
 *
 * Writing picks the narrowest width that holds every value, as a freshly built intset has (Redis
 * never narrows an intset after its widest member is removed, so such a set can differ in width,
 * never in content). Reading validates like intsetValidateIntegrity in deep mode: known width,
 * exact size, non-empty, strictly ascending (which also rules out duplicates).
 */

import { RdbError } from './errors';
import type { IntMember } from '../../data/settype';
import { ByteWriter } from './writer';

function widthOf(v: IntMember): number {
  if (typeof v === 'bigint') return 8;
  if (v >= -32768 && v <= 32767) return 2;
  if (v >= -2147483648 && v <= 2147483647) return 4;
  return 8;
}

/** Appends the intset blob for sorted, distinct values to w. */
export function writeIntset(w: ByteWriter, values: readonly IntMember[]): void {
  let width = 2;
  for (let i = 0; i < values.length; i++) {
    const x = widthOf(values[i]);
    if (x > width) width = x;
  }
  w.ensure(8 + values.length * width);
  const b = w.buf;
  let p = w.pos;
  b.writeUInt32LE(width, p);
  b.writeUInt32LE(values.length, p + 4);
  p += 8;
  for (let i = 0; i < values.length; i++, p += width) {
    const v = values[i];
    if (width === 2) {
      b[p] = (v as number) & 0xff;
      b[p + 1] = ((v as number) >> 8) & 0xff;
    } else if (width === 4) {
      b.writeInt32LE(v as number, p);
    } else {
      b.writeBigInt64LE(BigInt(v), p);
    }
  }
  w.pos = p;
}

/** The intset blob for sorted, distinct values. */
export function buildIntset(values: readonly IntMember[]): Buffer {
  const w = new ByteWriter(8 + values.length * 8);
  writeIntset(w, values);
  return w.takeCopy();
}

function bad(): never {
  throw new RdbError('Intset integrity check failed');
}

/** The values of an intset blob, validated, ascending (numbers, or bigints beyond 2^53). */
export function readIntset(blob: Uint8Array): IntMember[] {
  if (blob.length < 8) bad();
  const b = Buffer.from(blob.buffer, blob.byteOffset, blob.length);
  const w = b.readUInt32LE(0);
  if (w !== 2 && w !== 4 && w !== 8) bad();
  const n = b.readUInt32LE(4);
  if (n === 0 || 8 + n * w !== b.length) bad();
  const out: IntMember[] = new Array(n);
  let prev: IntMember | null = null;
  for (let i = 0, p = 8; i < n; i++, p += w) {
    let v: IntMember;
    if (w === 2) v = b.readInt16LE(p);
    else if (w === 4) v = b.readInt32LE(p);
    else {
      const big = b.readBigInt64LE(p);
      const num = Number(big);
      v = Number.isSafeInteger(num) ? num : big;
    }
    if (prev !== null && !(prev < v)) bad();
    out[i] = v;
    prev = v;
  }
  return out;
}
