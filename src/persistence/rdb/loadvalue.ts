/*
 * Reading one value (rdbLoadObject of Redis 7.0) into Redoubt's value types.
 *
 * Every type Redis 7.0 reads is accepted, including the pre-7.0 encodings (zipmap, ziplist,
 * quicklist of ziplists, string-scored zsets). A loaded value gets the encoding Redis's loader
 * gives it: big collections in a compact payload convert (a listpack hash with more fields than
 * hash-max-listpack-entries becomes a hashtable), small ones in a big payload become compact
 * (a 3-member ZSET_2 becomes a listpack zset), with the same thresholds Redis's loader applies.
 *
 * Validation is always deep, whatever sanitize-dump-payload says: Redoubt rebuilds every value in
 * its own structures, so each compact blob is parsed entry by entry anyway, and a value that would
 * be corrupt (a duplicate member or field, a NaN score, an odd listpack zset, an unsorted intset)
 * is refused instead of being half-loaded. A collection whose count says it is empty is "an empty
 * key": null is returned and the caller decides (RESTORE: bad format; file loading: skip, as Redis).
 */

import { RdbError } from './errors';
import { ByteReader, parseCDouble } from './reader';
import { TYPE, QL_PLAIN, QL_PACKED, unsupportedTypeName } from './constants';
import { readListpack } from './listpack';
import { readZiplist } from './ziplist';
import { readIntset } from './intset';
import { readZipmap } from './zipmap';
import { RObj, stringEncoding } from '../../data/keyspace';
import { Quicklist } from '../../data/quicklist';
import { ZSet, encodingFor } from '../../data/zset';
import { ScanMap } from '../../data/scanmap';
import { setAdd } from '../../data/settype';
import { limits } from '../../data/encoding';

function corrupt(msg: string): never {
  throw new RdbError(msg);
}

function loadString(r: ByteReader, lru: number): RObj {
  const s = r.string();
  return new RObj('string', s, stringEncoding(s), lru);
}

function loadLinkedList(r: ByteReader, lru: number): RObj | null {
  const n = r.len();
  if (n === 0) return null;
  const q = new Quicklist();
  for (let i = 0; i < n; i++) q.pushTail(r.string());
  return new RObj('list', q, 'quicklist', lru);
}

function loadSet(r: ByteReader, lru: number): RObj | null {
  const n = r.len();
  if (n === 0) return null;
  const o =
    n <= limits.setMaxIntsetEntries ? new RObj('set', [], 'intset', lru) : new RObj('set', new ScanMap<null>(), 'hashtable', lru);
  for (let i = 0; i < n; i++) {
    if (!setAdd(o, r.string())) corrupt('Duplicate set members detected');
  }
  return o;
}

function zsetFromPairs(z: ZSet, member: string, score: number): void {
  if (Number.isNaN(score)) corrupt('Zset with NAN score detected');
  if (z.score(member) !== undefined) corrupt('Duplicate zset fields detected');
  z.set(member, score);
}

function loadZset(r: ByteReader, binaryScores: boolean, lru: number): RObj | null {
  const n = r.len();
  if (n === 0) return null;
  const z = new ZSet();
  let maxLen = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const m = r.string();
    const score = binaryScores ? r.doubleLE() : r.stringDouble();
    zsetFromPairs(z, m, score);
    if (m.length > maxLen) maxLen = m.length;
    total += m.length;
  }
  // lpSafeToAdd: a listpack never grows past 1 GB
  const enc = total > 1 << 30 ? 'skiplist' : encodingFor(z.size, maxLen);
  return new RObj('zset', z, enc, lru);
}

function loadHash(r: ByteReader, lru: number): RObj | null {
  const n = r.len();
  if (n === 0) return null;
  let small: Map<string, string> | null = n > limits.hashMaxListpackEntries ? null : new Map();
  const big = new ScanMap<string>();
  for (let i = 0; i < n; i++) {
    const f = r.string();
    const v = r.string();
    if (small !== null) {
      if (small.has(f)) corrupt('Duplicate hash fields detected');
      if (f.length > limits.hashMaxListpackValue || v.length > limits.hashMaxListpackValue) {
        for (const [k, x] of small) big.set(k, x);
        small = null;
        big.set(f, v);
      } else {
        small.set(f, v);
      }
    } else {
      if (big.has(f)) corrupt('Duplicate hash fields detected');
      big.set(f, v);
    }
  }
  return small !== null ? new RObj('hash', small, 'listpack', lru) : new RObj('hash', big, 'hashtable', lru);
}

/**
 * A compact hash (zipmap, ziplist, listpack) as Redis converts it after loading. `items` holds
 * field, value, field, value... (flat: no pair arrays per field).
 */
function compactHash(items: string[], what: string, checkValueLength: boolean, lru: number): RObj | null {
  if (items.length % 2 !== 0) corrupt(`${what} with an odd number of entries`);
  if (items.length === 0) return null;
  const m = new Map<string, string>();
  let maxLen = 0;
  for (let i = 0; i < items.length; i += 2) {
    const f = items[i];
    const v = items[i + 1];
    if (m.has(f)) corrupt('Duplicate hash fields detected');
    m.set(f, v);
    if (f.length > maxLen) maxLen = f.length;
    if (v.length > maxLen) maxLen = v.length;
  }
  if (m.size > limits.hashMaxListpackEntries || (checkValueLength && maxLen > limits.hashMaxListpackValue)) {
    const big = new ScanMap<string>();
    m.forEach((v, f) => big.set(f, v));
    return new RObj('hash', big, 'hashtable', lru);
  }
  return new RObj('hash', m, 'listpack', lru);
}

function compactZset(items: string[], what: string, lru: number): RObj | null {
  if (items.length % 2 !== 0) corrupt(`${what} with an odd number of entries`);
  if (items.length === 0) return null;
  const z = new ZSet();
  for (let i = 0; i < items.length; i += 2) {
    const score = parseCDouble(items[i + 1]);
    if (score === null) corrupt('Zset listpack with an invalid score');
    zsetFromPairs(z, items[i], score);
  }
  return new RObj('zset', z, z.size > limits.zsetMaxListpackEntries ? 'skiplist' : 'listpack', lru);
}

function loadQuicklist(r: ByteReader, v2: boolean, lru: number): RObj | null {
  const nodes = r.len();
  if (nodes === 0) return null;
  const q = new Quicklist();
  for (let i = 0; i < nodes; i++) {
    let container = QL_PACKED;
    if (v2) {
      container = r.len();
      if (container !== QL_PACKED && container !== QL_PLAIN) corrupt('Quicklist integrity check failed.');
    }
    if (container === QL_PLAIN) {
      q.pushTail(r.string());
      continue;
    }
    const blob = r.blob();
    const items = v2 ? readListpack(blob) : readZiplist(blob);
    // an empty node is dropped, as Redis's loader does
    for (const s of items) q.pushTail(s);
  }
  if (q.length === 0) return null;
  return new RObj('list', q, 'quicklist', lru);
}

/**
 * The value of RDB type `type` at the reader's position, or null for an empty collection.
 * `lru` is the access clock (seconds) the object starts with.
 */
export function readValue(r: ByteReader, type: number, lru: number): RObj | null {
  switch (type) {
    case TYPE.STRING:
      return loadString(r, lru);
    case TYPE.LIST:
      return loadLinkedList(r, lru);
    case TYPE.SET:
      return loadSet(r, lru);
    case TYPE.ZSET:
      return loadZset(r, false, lru);
    case TYPE.ZSET_2:
      return loadZset(r, true, lru);
    case TYPE.HASH:
      return loadHash(r, lru);
    case TYPE.HASH_ZIPMAP:
      return compactHash(readZipmap(r.blob()).flat(), 'Hash zipmap', true, lru);
    case TYPE.LIST_ZIPLIST: {
      const items = readZiplist(r.blob());
      return items.length === 0 ? null : new RObj('list', Quicklist.from(items), 'quicklist', lru);
    }
    case TYPE.SET_INTSET: {
      const values = readIntset(r.blob());
      if (values.length > limits.setMaxIntsetEntries) {
        const s = new ScanMap<null>();
        for (const v of values) s.set(String(v), null);
        return new RObj('set', s, 'hashtable', lru);
      }
      return new RObj('set', values, 'intset', lru);
    }
    case TYPE.ZSET_ZIPLIST:
      return compactZset(readZiplist(r.blob()), 'Zset listpack', lru);
    case TYPE.ZSET_LISTPACK:
      return compactZset(readListpack(r.blob()), 'Zset listpack', lru);
    case TYPE.HASH_ZIPLIST:
      return compactHash(readZiplist(r.blob()), 'Hash ziplist', false, lru);
    case TYPE.HASH_LISTPACK:
      return compactHash(readListpack(r.blob()), 'Hash listpack', false, lru);
    case TYPE.LIST_QUICKLIST:
      return loadQuicklist(r, false, lru);
    case TYPE.LIST_QUICKLIST_2:
      return loadQuicklist(r, true, lru);
    default: {
      const name = unsupportedTypeName(type);
      if (name !== null) throw new RdbError(`${name} (RDB type ${type}) are not supported by Redoubt`);
      throw new RdbError(`Unknown RDB encoding type ${type}`);
    }
  }
}
