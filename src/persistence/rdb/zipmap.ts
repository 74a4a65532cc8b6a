/*
 * Zipmaps (the hash encoding of Redis before 2.6), read-only, for old RDB files that Redis 7.0 still
 * loads. Layout: zmlen (1 byte, count when < 254) | repeated [len key, len free value, free bytes]
 * | 0xFF, where len is one byte below 254 or 0xFE + u32 LE. Validated like zipmapValidateIntegrity:
 * every length stays inside the blob, the terminator ends it, the count matches when known.
 */

import { RdbError } from './errors';

function bad(): never {
  throw new RdbError('Zipmap integrity check failed');
}

/** [field, value] pairs of a zipmap blob, validated. */
export function readZipmap(blob: Uint8Array): Array<[string, string]> {
  const b = Buffer.from(blob.buffer, blob.byteOffset, blob.length);
  const size = b.length;
  if (size < 2) bad();
  const declared = b[0];
  let p = 1;
  const out: Array<[string, string]> = [];
  const readLen = (): number => {
    if (p >= size) bad();
    const c = b[p++];
    if (c < 254) return c;
    if (c === 255) return -1;
    if (p + 4 > size) bad();
    const v = b.readUInt32LE(p);
    p += 4;
    return v;
  };
  for (;;) {
    const kl = readLen();
    if (kl === -1) break;
    if (p + kl > size) bad();
    const k = b.toString('latin1', p, p + kl);
    p += kl;
    const vl = readLen();
    if (vl === -1) bad();
    if (p >= size) bad();
    const free = b[p++];
    if (p + vl + free > size) bad();
    const v = b.toString('latin1', p, p + vl);
    p += vl + free;
    out.push([k, v]);
  }
  if (p !== size) bad();
  if (declared < 254 && declared !== out.length) bad();
  return out;
}
