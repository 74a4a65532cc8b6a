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
import { lpAppend, lpAppendInt, lpBegin, lpFinish, scratchWriter } from './listpack';
import { writeIntset } from './intset';
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
  // A multiple of 2^-10 below 2^16 in magnitude has an exact decimal form of at most 15
  // significant digits, and no other decimal of that length is within half an ulp of it: the
  // shortest round-trip text (String) is then exactly what %.17g prints (fixed notation, since
  // such a value is at least 2^-10 > 1e-4 in magnitude).
  if (d > -65536 && d < 65536 && Number.isInteger(d * 1024)) return String(d);
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

/** _quicklistNodeAllowInsert for a packed node of `sz` bytes and `count` entries. */
function allowInsert(sz: number, count: number, fill: number, elemLen: number): boolean {
  if (elemLen >= PACKED_THRESHOLD) return false;
  const newSz = sz + elemLen + SIZE_ESTIMATE_OVERHEAD;
  if (fill < 0) {
    const off = -fill - 1;
    if (off < OPTIMIZATION_LEVEL.length && newSz <= OPTIMIZATION_LEVEL[off]) return true;
  }
  if (newSz > SIZE_SAFETY_LIMIT) return false;
  return count < fill;
}

/**
 * Node bounds of the list being written, reused across lists: a packed node is [start, end) of
 * the scratch writer; a plain node (one element of PACKED_THRESHOLD bytes or more) has start
 * -1 - (its element's index).
 */
const nodeStart: number[] = [];
const nodeEnd: number[] = [];

/**
 * Builds the listpacks of a tail-pushed quicklist holding the list's elements, one after another in
 * the scratch writer (one pass: a node's size is the bytes built so far), then writes them.
 */
function writeList(w: ByteWriter, q: Quicklist, compress: boolean): void {
  let fill = limits.listMaxListpackSize;
  if (fill > 32767) fill = 32767;
  else if (fill < -5) fill = -5;
  const sw = scratchWriter();
  nodeStart.length = 0;
  nodeEnd.length = 0;
  const n = q.length;
  let cur = -1; // start of the open packed node, or -1 when none (none yet, or a plain node last)
  let count = 0;
  for (let i = 0; i < n; i++) {
    const s = q.at(i);
    if (s.length >= PACKED_THRESHOLD) {
      if (cur >= 0) {
        lpFinish(sw, cur, count);
        nodeEnd.push(sw.pos);
      }
      nodeStart.push(-1 - i);
      nodeEnd.push(0);
      cur = -1;
    } else if (cur >= 0 && allowInsert(sw.pos - cur + 1, count, fill, s.length)) {
      lpAppend(sw, s);
      count++;
    } else {
      if (cur >= 0) {
        lpFinish(sw, cur, count);
        nodeEnd.push(sw.pos);
      }
      cur = lpBegin(sw);
      nodeStart.push(cur);
      lpAppend(sw, s);
      count = 1;
    }
  }
  if (cur >= 0) {
    lpFinish(sw, cur, count);
    nodeEnd.push(sw.pos);
  }
  const nodes = nodeStart.length;
  const depth = limits.listCompressDepth;
  w.len(nodes);
  for (let i = 0; i < nodes; i++) {
    const st = nodeStart[i];
    let src: Uint8Array = sw.buf;
    let a = st;
    let b = nodeEnd[i];
    if (st < 0) {
      src = Buffer.from(q.at(-1 - st), 'latin1');
      a = 0;
      b = src.length;
    }
    w.len(st < 0 ? QL_PLAIN : QL_PACKED);
    if (depth > 0 && i >= depth && i < nodes - depth && b - a >= MIN_COMPRESS_BYTES) {
      const bytes = src.subarray(a, b);
      const c = lzfCompress(bytes, bytes.length);
      if (c !== null && c.length + MIN_COMPRESS_IMPROVE < bytes.length) {
        w.lzfBlob(c, bytes.length);
        continue;
      }
    }
    w.blobRange(src, a, b, compress);
  }
}

function writeZsetListpack(w: ByteWriter, z: ZSet, compress: boolean): void {
  const sw = scratchWriter();
  const start = lpBegin(sw);
  let count = 0;
  for (let n = z.first(); n !== null; n = n.next()) {
    lpAppend(sw, n.member);
    const d = n.score;
    // an integral score's text is its plain decimal (scoreString), which lpAppend stores as that
    // integer; -0 prints as "-0", which is not an integer's canonical text
    if (Number.isInteger(d) && d > -4503599627370495 && d < 4503599627370496 && !Object.is(d, -0)) lpAppendInt(sw, d);
    else lpAppend(sw, scoreString(d));
    count += 2;
  }
  lpFinish(sw, start, count);
  w.blobRange(sw.buf, start, sw.pos, compress);
}

function writeHashListpack(w: ByteWriter, m: Map<string, string>, compress: boolean): void {
  const sw = scratchWriter();
  const start = lpBegin(sw);
  m.forEach((v, k) => {
    lpAppend(sw, k);
    lpAppend(sw, v);
  });
  lpFinish(sw, start, m.size * 2);
  w.blobRange(sw.buf, start, sw.pos, compress);
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
        const sw = scratchWriter();
        writeIntset(sw, o.value as IntSet);
        w.blobRange(sw.buf, 0, sw.pos, compress);
      } else {
        const s = o.value as HashSet;
        w.len(s.size);
        for (const m of s.keys()) w.string(m, compress);
      }
      return;
    case 'zset': {
      const z = o.value as ZSet;
      if (o.enc === 'listpack') {
        writeZsetListpack(w, z, compress);
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
        writeHashListpack(w, o.value as Map<string, string>, compress);
      } else {
        const h = o.value as ScanMap<string>;
        w.len(h.size);
        const n = h.size;
        for (let i = 0; i < n; i++) {
          w.string(h.keyAt(i), compress);
          w.string(h.valueAt(i), compress);
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
