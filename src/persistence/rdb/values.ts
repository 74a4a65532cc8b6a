/*
 * Serialising one value (rdbSaveObjectType + rdbSaveObject of Redis 7.0).
 *
 * The RDB type follows the value's OBJECT ENCODING exactly as Redis 7.0 picks it: strings as
 * strings; lists as QUICKLIST_2; listpack hashes/zsets as HASH_LISTPACK/ZSET_LISTPACK; intsets as
 * SET_INTSET; the big encodings as HASH, SET and ZSET_2 (skiplist members from the highest score
 * down, as Redis walks its skiplist from the tail so the loader inserts at the head cheaply).
 *
 * Lists: Redoubt holds a list as one ring buffer, Redis as a chain of listpack nodes. The nodes
 * written here are the ones Redis's quicklist builds when the list is pushed on its tail one
 * element at a time under the current list-max-listpack-size (and list-compress-depth), so a list
 * built that way dumps byte-identically; any other history gives the same elements in a different
 * node split, which every loader accepts.
 */

import { RdbError } from './errors';
import { ByteWriter } from './writer';
import { TYPE, QL_PLAIN, QL_PACKED, PACKED_THRESHOLD } from './constants';
import { buildListpack, lpEntrySize } from './listpack';
import { buildIntset } from './intset';
import { lzfCompress } from './lzf';
import type { RObj } from '../../data/keyspace';
import { strValue } from '../../data/bytes';
import { limits } from '../../data/encoding';
import type { Quicklist } from '../../data/quicklist';
import type { ZSet } from '../../data/zset';
import type { IntSet, HashSet } from '../../data/settype';
import type { ScanMap } from '../../data/scanmap';

/** Redis's per-node byte limits for list-max-listpack-size -1 .. -5. */
const OPTIMIZATION_LEVEL = [4096, 8192, 16384, 32768, 65536];
/** A node under a count limit (positive fill) still never grows past this many bytes. */
const SIZE_SAFETY_LIMIT = 8192;
/** Overestimate of an entry's bookkeeping bytes used by _quicklistNodeAllowInsert. */
const SIZE_ESTIMATE_OVERHEAD = 8;
/** Inner nodes smaller than this are never compressed, and compression must save this much. */
const MIN_COMPRESS_BYTES = 48;
const MIN_COMPRESS_IMPROVE = 8;
const EMPTY_LISTPACK = 7;

/** The RDB type byte for a value. */
export function rdbTypeOf(o: RObj): number {
  switch (o.type) {
    case 'string':
      return TYPE.STRING;
    case 'list':
      return TYPE.LIST_QUICKLIST_2;
    case 'set':
      return o.enc === 'intset' ? TYPE.SET_INTSET : TYPE.SET;
    case 'zset':
      return o.enc === 'listpack' ? TYPE.ZSET_LISTPACK : TYPE.ZSET_2;
    case 'hash':
      return o.enc === 'listpack' ? TYPE.HASH_LISTPACK : TYPE.HASH;
    default:
      throw new RdbError(`${o.type} values cannot be serialised by Redoubt`);
  }
}

/** d2string of Redis 7.0: integers below 2^52 in plain decimal, other finite values as %.17g. */
export function scoreString(d: number): string {
  if (Number.isNaN(d)) return 'nan';
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  if (d === 0) return Object.is(d, -0) ? '-0' : '0';
  if (d > -4503599627370495 && d < 4503599627370496 && Number.isInteger(d)) return String(d);
  return format17g(d);
}

/** printf("%.17g") for a finite non-zero double. */
function format17g(d: number): string {
  const e = Number(d.toExponential(16).split('e')[1]);
  if (e < -4 || e >= 17) {
    let [mant, ex] = d.toExponential(16).split('e');
    if (mant.includes('.')) mant = mant.replace(/0+$/, '').replace(/\.$/, '');
    const sign = ex[0] === '-' ? '-' : '+';
    let digits = ex.replace(/^[+-]/, '');
    if (digits.length < 2) digits = '0' + digits;
    return `${mant}e${sign}${digits}`;
  }
  let s = d.toFixed(Math.max(0, 16 - e));
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return s;
}

interface Node {
  items: string[];
  sz: number;
  plain: boolean;
}

/** _quicklistNodeAllowInsert for a node of `sz` bytes and `count` entries. */
function allowInsert(n: Node, fill: number, elemLen: number): boolean {
  if (n.plain || elemLen >= PACKED_THRESHOLD) return false;
  const newSz = n.sz + elemLen + SIZE_ESTIMATE_OVERHEAD;
  if (fill < 0) {
    const off = -fill - 1;
    if (off < OPTIMIZATION_LEVEL.length && newSz <= OPTIMIZATION_LEVEL[off]) return true;
  }
  if (newSz > SIZE_SAFETY_LIMIT) return false;
  return n.items.length < fill;
}

/** The node split of a tail-pushed quicklist holding these elements. */
export function splitNodes(items: Iterable<string>, fill: number): Node[] {
  if (fill > 32767) fill = 32767;
  else if (fill < -5) fill = -5;
  const nodes: Node[] = [];
  let cur: Node | null = null;
  for (const s of items) {
    if (s.length >= PACKED_THRESHOLD) {
      cur = { items: [s], sz: s.length, plain: true };
      nodes.push(cur);
    } else if (cur !== null && allowInsert(cur, fill, s.length)) {
      cur.items.push(s);
      cur.sz += lpEntrySize(s);
    } else {
      cur = { items: [s], sz: EMPTY_LISTPACK + lpEntrySize(s), plain: false };
      nodes.push(cur);
    }
  }
  return nodes;
}

function writeList(w: ByteWriter, q: Quicklist, compress: boolean): void {
  const nodes = splitNodes(listItems(q), limits.listMaxListpackSize);
  const depth = limits.listCompressDepth;
  w.len(nodes.length);
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i];
    w.len(n.plain ? QL_PLAIN : QL_PACKED);
    const bytes = n.plain ? Buffer.from(n.items[0], 'latin1') : buildListpack(n.items);
    if (depth > 0 && i >= depth && i < nodes.length - depth && bytes.length >= MIN_COMPRESS_BYTES) {
      const c = lzfCompress(bytes, bytes.length);
      if (c !== null && c.length + MIN_COMPRESS_IMPROVE < bytes.length) {
        w.lzfBlob(c, bytes.length);
        continue;
      }
    }
    w.blob(bytes, compress);
  }
}

function* listItems(q: Quicklist): Generator<string> {
  const n = q.length;
  for (let i = 0; i < n; i++) yield q.at(i);
}

function* zsetListpackItems(z: ZSet): Generator<string> {
  for (let n = z.first(); n !== null; n = n.next()) {
    yield n.member;
    yield scoreString(n.score);
  }
}

function* hashListpackItems(m: Map<string, string>): Generator<string> {
  for (const [k, v] of m) {
    yield k;
    yield v;
  }
}

/** rdbSaveObject: the value's bytes after its type byte. */
export function writeValue(w: ByteWriter, o: RObj, compress: boolean): void {
  switch (o.type) {
    case 'string':
      w.string(strValue(o.value), compress);
      return;
    case 'list':
      writeList(w, o.value as Quicklist, compress);
      return;
    case 'set':
      if (o.enc === 'intset') {
        w.blob(buildIntset(o.value as IntSet), compress);
      } else {
        const s = o.value as HashSet;
        w.len(s.size);
        for (const m of s.keys()) w.string(m, compress);
      }
      return;
    case 'zset': {
      const z = o.value as ZSet;
      if (o.enc === 'listpack') {
        w.blob(buildListpack(zsetListpackItems(z)), compress);
      } else {
        w.len(z.size);
        for (let n = z.last(); n !== null; n = n.prev) {
          w.string(n.member, compress);
          w.doubleLE(n.score);
        }
      }
      return;
    }
    case 'hash':
      if (o.enc === 'listpack') {
        w.blob(buildListpack(hashListpackItems(o.value as Map<string, string>)), compress);
      } else {
        const h = o.value as ScanMap<string>;
        w.len(h.size);
        for (const [k, v] of h.entries()) {
          w.string(k, compress);
          w.string(v, compress);
        }
      }
      return;
    default:
      throw new RdbError(`${o.type} values cannot be serialised by Redoubt`);
  }
}

/** Type byte + value. */
export function writeObject(w: ByteWriter, o: RObj, compress: boolean): void {
  w.byte(rdbTypeOf(o));
  writeValue(w, o, compress);
}
