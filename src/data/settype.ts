/*
 * The set value type, with Redis 7.0's two encodings.
 *
 * - 'intset': every member is a signed 64-bit integer in canonical form (string2ll rules: no '+',
 *   no leading zeros, no spaces, "-0" is not canonical). Held as a sorted JS array of numbers, or
 *   bigints for the rare values beyond 2^53, so a value has exactly one representation and `===`
 *   is equality. Sorted order is what SMEMBERS, SSCAN, SUNION ... show for an intset, as Redis
 *   does. Search is a binary search; insert and remove shift the array, O(n) like Redis's memmove,
 *   with n bounded by set-max-intset-entries.
 * - 'hashtable': a ScanMap (O(1) add/remove/has, O(1) fair random pick, SCAN cursors).
 *
 * Conversions follow setTypeAdd: an intset becomes a hashtable when a non-integer member arrives
 * or when its size passes set-max-intset-entries (read live from `limits`); never back. The RObj's
 * `enc` names the encoding and `value` holds the matching structure.
 */

import { RObj, registerValueCopier } from './keyspace';
import { ScanMap } from './scanmap';
import { limits } from './encoding';

export type IntMember = number | bigint;
export type IntSet = IntMember[];
export type HashSet = ScanMap<null>;

const I64_MAX = 9223372036854775807n;
const I64_MIN = -9223372036854775808n;

/**
 * The member as an intset value, if it is a canonical signed 64-bit integer (Redis's
 * isSdsRepresentableAsLongLong); else null.
 */
export function intMember(s: string): IntMember | null {
  const n = s.length;
  if (n === 0 || n > 20) return null;
  let i = 0;
  if (s.charCodeAt(0) === 45) {
    if (n === 1) return null;
    i = 1;
  }
  const first = s.charCodeAt(i);
  if (first === 48) return n === 1 ? 0 : null;
  if (first < 49 || first > 57) return null;
  for (let j = i + 1; j < n; j++) {
    const c = s.charCodeAt(j);
    if (c < 48 || c > 57) return null;
  }
  if (n - i < 16) return Number(s);
  const b = BigInt(s);
  if (b > I64_MAX || b < I64_MIN) return null;
  return normalize(b);
}

function normalize(b: bigint): IntMember {
  const v = Number(b);
  return Number.isSafeInteger(v) ? v : b;
}

/** Index of v in the sorted intset, or -(insertion point) - 1. */
function search(a: IntSet, v: IntMember): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const x = a[mid];
    if (x < v) lo = mid + 1;
    else if (x > v) hi = mid - 1;
    else return mid;
  }
  return -lo - 1;
}

/** A new, empty set object able to hold `first` (Redis's setTypeCreate). */
export function newSetFor(first: string, lru: number): RObj {
  return intMember(first) !== null ? new RObj('set', [] as IntSet, 'intset', lru) : new RObj('set', new ScanMap<null>(), 'hashtable', lru);
}

/** A new empty intset-encoded set (the starting point of the *STORE results, as in Redis). */
export function newIntsetObject(lru: number): RObj {
  return new RObj('set', [] as IntSet, 'intset', lru);
}

function toHashtable(o: RObj): HashSet {
  const m = new ScanMap<null>();
  for (const v of o.value as IntSet) m.set('' + v, null);
  o.value = m;
  o.enc = 'hashtable';
  return m;
}

/** Adds a member; true if it was not there. */
export function setAdd(o: RObj, member: string): boolean {
  if (o.enc === 'intset') {
    const v = intMember(member);
    if (v === null) {
      toHashtable(o).set(member, null);
      return true;
    }
    const a = o.value as IntSet;
    const i = search(a, v);
    if (i >= 0) return false;
    a.splice(-i - 1, 0, v);
    if (a.length > limits.setMaxIntsetEntries) toHashtable(o);
    return true;
  }
  return !(o.value as HashSet).put(member, null);
}

/** Removes a member; true if it was there. */
export function setRemove(o: RObj, member: string): boolean {
  if (o.enc === 'intset') {
    const v = intMember(member);
    if (v === null) return false;
    const a = o.value as IntSet;
    const i = search(a, v);
    if (i < 0) return false;
    a.splice(i, 1);
    return true;
  }
  return (o.value as HashSet).delete(member);
}

export function setHas(o: RObj, member: string): boolean {
  if (o.enc === 'intset') {
    const v = intMember(member);
    return v !== null && search(o.value as IntSet, v) >= 0;
  }
  return (o.value as HashSet).has(member);
}

export function setSize(o: RObj): number {
  return o.enc === 'intset' ? (o.value as IntSet).length : (o.value as HashSet).size;
}

/** A uniformly random member of a non-empty set. */
export function setRandom(o: RObj): string {
  if (o.enc === 'intset') {
    const a = o.value as IntSet;
    return '' + a[Math.floor(Math.random() * a.length)];
  }
  return (o.value as HashSet).randomKey() as string;
}

/** Removes and returns a random member of a non-empty set (SPOP without a count). */
export function setPopRandom(o: RObj): string {
  if (o.enc === 'intset') {
    const m = setRandom(o);
    setRemove(o, m);
    return m;
  }
  return (o.value as HashSet).popRandom() as string;
}

/**
 * Calls fn for every member in the encoding's iteration order (ascending for an intset). fn may
 * return true to stop early. The set must not be modified meanwhile.
 */
export function setForEach(o: RObj, fn: (member: string) => boolean | void): void {
  if (o.enc === 'intset') {
    for (const v of o.value as IntSet) if (fn('' + v) === true) return;
    return;
  }
  for (const k of (o.value as HashSet).keys()) if (fn(k) === true) return;
}

/** All members, in iteration order. */
export function setMembers(o: RObj): string[] {
  if (o.enc === 'intset') return (o.value as IntSet).map((v) => '' + v);
  return Array.from((o.value as HashSet).keys());
}

registerValueCopier('set', (v: IntSet | HashSet) => {
  if (Array.isArray(v)) return v.slice();
  const m = new ScanMap<null>();
  for (const k of v.keys()) m.set(k, null);
  return m;
});
