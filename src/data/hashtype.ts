/*
 * The hash value type, with Redis 7.0's two encodings.
 *
 * - 'listpack': a JS Map field -> value. Map keeps insertion order and updates in place, which is
 *   exactly the order Redis's listpack shows (HGETALL, HKEYS, HSCAN of a small hash), and it is
 *   the lightest keyed structure V8 offers for many small hashes.
 * - 'hashtable': a ScanMap (O(1) operations, fair O(1) random picks for HRANDFIELD, SCAN cursors).
 *
 * Conversion (never back), as hashTypeTryConversion / hashTypeSet do: before a write, a field or
 * value longer than hash-max-listpack-value converts; after an insert, more entries than
 * hash-max-listpack-entries converts. Limits are read live from `limits` (CONFIG SET applies to
 * the next write). Values are stored as byte strings; Redis's listpack keeps integer-looking values
 * as integers but only canonical forms, so the string round-trips identically.
 */

import { RObj, registerValueCopier } from './keyspace';
import { ScanMap } from './scanmap';
import { limits } from './encoding';

export type SmallHash = Map<string, string>;
export type BigHash = ScanMap<string>;
type AnyHash = SmallHash | BigHash;

export function newHash(lru: number): RObj {
  return new RObj('hash', new Map<string, string>(), 'listpack', lru);
}

function toHashtable(o: RObj): BigHash {
  const m = new ScanMap<string>();
  for (const [k, v] of o.value as SmallHash) m.set(k, v);
  o.value = m;
  o.enc = 'hashtable';
  return m;
}

/**
 * Converts a listpack hash when any of argv[start..end] (fields and values about to be written)
 * is longer than hash-max-listpack-value (hashTypeTryConversion).
 */
export function hashTryConversion(o: RObj, argv: readonly string[], start: number, end: number): void {
  if (o.enc !== 'listpack') return;
  const max = limits.hashMaxListpackValue;
  for (let i = start; i <= end; i++) {
    if (argv[i].length > max) {
      toHashtable(o);
      return;
    }
  }
}

/** Sets field to value; returns true if the field already existed (an update). */
export function hashSet(o: RObj, field: string, value: string): boolean {
  if (o.enc === 'listpack') {
    const max = limits.hashMaxListpackValue;
    if (field.length > max || value.length > max) {
      toHashtable(o);
    } else {
      const m = o.value as SmallHash;
      const size = m.size;
      m.set(field, value);
      // an update converts too when hash-max-listpack-entries was lowered below the size, as
      // Redis's hashTypeSet checks the length after every write
      if (m.size > limits.hashMaxListpackEntries) toHashtable(o);
      return m.size === size;
    }
  }
  return (o.value as BigHash).put(field, value);
}

export function hashGet(o: RObj, field: string): string | undefined {
  return (o.value as AnyHash).get(field);
}

export function hashHas(o: RObj, field: string): boolean {
  return (o.value as AnyHash).has(field);
}

export function hashDelete(o: RObj, field: string): boolean {
  return (o.value as AnyHash).delete(field);
}

export function hashLen(o: RObj): number {
  return (o.value as AnyHash).size;
}

/** Field/value pairs in iteration order (insertion order for a listpack). */
export function hashEntries(o: RObj): IterableIterator<[string, string]> {
  return (o.value as AnyHash).entries();
}

/**
 * A random-access view for repeated random picks: fields and values as parallel arrays. O(n) to
 * build, like the listpack walk Redis does for each batch of picks; for a hashtable, callers use
 * `hashRandomField` instead (O(1) per pick).
 */
export function hashArrays(o: RObj): { fields: string[]; values: string[] } {
  const fields: string[] = [];
  const values: string[] = [];
  for (const [k, v] of (o.value as AnyHash).entries()) {
    fields.push(k);
    values.push(v);
  }
  return { fields, values };
}

/** A uniformly random field of a non-empty hashtable-encoded hash. */
export function hashRandomField(o: RObj): string {
  return (o.value as BigHash).randomKey() as string;
}

registerValueCopier('hash', (v: AnyHash) => {
  if (v instanceof Map) return new Map(v);
  const m = new ScanMap<string>();
  for (const [k, x] of v.entries()) m.set(k, x);
  return m;
});
