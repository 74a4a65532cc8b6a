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

function widthOf(v: IntMember): number {
  if (typeof v === 'bigint') return 8;
  if (v >= -32768 && v <= 32767) return 2;
  if (v >= -2147483648 && v <= 2147483647) return 4;
  return 8;
}

/** The intset blob for sorted, distinct values. */
export function buildIntset(values: readonly IntMember[]): Buffer {
  let w = 2;
  for (const v of values) {
    const x = widthOf(v);
    if (x > w) w = x;
  }
  const b = Buffer.allocUnsafe(8 + values.length * w);
  b.writeUInt32LE(w, 0);
  b.writeUInt32LE(values.length, 4);
  let p = 8;
  for (const v of values) {
    if (w === 2) b.writeInt16LE(v as number, p);
    else if (w === 4) b.writeInt32LE(v as number, p);
    else b.writeBigInt64LE(BigInt(v), p);
    p += w;
  }
  return b;
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
