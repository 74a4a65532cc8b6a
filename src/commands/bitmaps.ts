/*
 * Bitmap commands: SETBIT GETBIT BITCOUNT BITPOS BITOP, plus BITFIELD/BITFIELD_RO (bitfield.ts).
 *
 * A bitmap is a string value; bit 0 is the most significant bit of the first byte. Reads work on
 * either representation of a string (JS string or ByteString) through data/bytes.ts, copying at
 * most the bytes of the requested range; writes edit a ByteString in place.
 *
 * Order of checks follows bitops.c exactly, because it decides which error a bad call gets:
 * SETBIT/GETBIT parse arguments before the lookup; BITCOUNT looks the key up first (a missing key
 * answers 0 whatever the arguments), BITPOS parses the bit, then looks up (a missing key answers
 * 0 or -1 whatever the range), then parses the range. Ranges are normalised in 64-bit integers
 * (bigint), as Redis does in long long, so extreme indexes clamp exactly.
 */

import { command, type ArgSpec, type CommandSpec } from './table';
import type { Ctx } from './context';
import { ERR, parseLongLong } from './util';
import { RObj } from '../data/keyspace';
import { ByteString, strBytes, strByteAt, strLength } from '../data/bytes';
import { lookupRead, optIs, KEY_ARG } from './strings-shared';
import { POPCOUNT, lookupStringForBit, parseBitOffset } from './bitmaps-shared';
import { BITFIELD_COMMANDS } from './bitfield';

const BIT_VALUE_ERR = 'ERR bit is not an integer or out of range';

function setbit(ctx: Ctx): void {
  const offset = parseBitOffset(ctx, ctx.argv[2]);
  if (offset === null) return;
  const on = parseLongLong(ctx.argv[3]);
  if (on === null || (on !== 0n && on !== 1n)) return ctx.reply.error(BIT_VALUE_ERR);
  const t = lookupStringForBit(ctx, offset);
  if (t === null) return;
  const byte = Math.floor(offset / 8);
  const bit = 7 - (offset & 7);
  const buf = t.b.buf;
  const old = (buf[byte] >> bit) & 1;
  const want = on === 1n ? 1 : 0;
  if (t.dirty || old !== want) {
    buf[byte] = (buf[byte] & ~(1 << bit)) | (want << bit);
    t.b.touched();
    ctx.server.signalModifiedKey(ctx.db, ctx.argv[1]);
    ctx.server.notifyKeyspaceEvent('$', 'setbit', ctx.argv[1], ctx.db.id);
    ctx.server.dirty++;
  }
  ctx.reply.int(old);
}

function getbit(ctx: Ctx): void {
  const offset = parseBitOffset(ctx, ctx.argv[2]);
  if (offset === null) return;
  const o = lookupRead(ctx, ctx.argv[1]);
  if (o === undefined) return ctx.reply.int(0);
  if (o.type !== 'string') return ctx.reply.error(ERR.WRONGTYPE);
  const byte = Math.floor(offset / 8);
  const v = o.value;
  if (byte >= strLength(v)) return ctx.reply.int(0);
  ctx.reply.int((strByteAt(v, byte) >> (7 - (offset & 7))) & 1);
}

/** A normalised range: byte indexes [start, end] plus the masks of bits outside it (BIT unit). */
interface Range {
  start: number;
  end: number;
  firstNegMask: number;
  lastNegMask: number;
}

/** Redis's index normalisation for BITCOUNT/BITPOS, in 64-bit arithmetic. */
function normalise(start: bigint, end: bigint, strlen: number, isBit: boolean): Range {
  let totlen = BigInt(strlen);
  if (isBit) totlen <<= 3n;
  if (start < 0n) start = totlen + start;
  if (end < 0n) end = totlen + end;
  if (start < 0n) start = 0n;
  if (end < 0n) end = 0n;
  if (end >= totlen) end = totlen - 1n;
  let firstNegMask = 0;
  let lastNegMask = 0;
  if (isBit && start <= end) {
    const s = Number(start & 7n);
    const e = Number(end & 7n);
    firstNegMask = ~((1 << (8 - s)) - 1) & 0xff;
    lastNegMask = (1 << (7 - e)) - 1;
    start >>= 3n;
    end >>= 3n;
  }
  // both are now within [-1, strlen], so Numbers are exact
  return { start: Number(start), end: Number(end), firstNegMask, lastNegMask };
}

/** BYTE or BIT, or null after a syntax error. */
function parseUnit(ctx: Ctx, arg: string): boolean | null {
  if (optIs(arg, 'BIT')) return true;
  if (optIs(arg, 'BYTE')) return false;
  ctx.reply.error(ERR.SYNTAX);
  return null;
}

function bitcount(ctx: Ctx): void {
  const argv = ctx.argv;
  const o = lookupRead(ctx, argv[1]);
  if (o === undefined) return ctx.reply.int(0);
  if (o.type !== 'string') return ctx.reply.error(ERR.WRONGTYPE);
  const v = o.value;
  const strlen = strLength(v);
  let r: Range;
  if (argv.length === 4 || argv.length === 5) {
    const start = parseLongLong(argv[2]);
    if (start === null) return ctx.reply.error(ERR.NOT_INTEGER);
    const end = parseLongLong(argv[3]);
    if (end === null) return ctx.reply.error(ERR.NOT_INTEGER);
    if (start < 0n && end < 0n && start > end) return ctx.reply.int(0);
    let isBit = false;
    if (argv.length === 5) {
      const u = parseUnit(ctx, argv[4]);
      if (u === null) return;
      isBit = u;
    }
    r = normalise(start, end, strlen, isBit);
  } else if (argv.length === 2) {
    r = { start: 0, end: strlen - 1, firstNegMask: 0, lastNegMask: 0 };
  } else {
    return ctx.reply.error(ERR.SYNTAX);
  }
  if (r.start > r.end) return ctx.reply.int(0);
  const bytes = strBytes(v, r.start, r.end + 1);
  let count = 0;
  for (let i = 0; i < bytes.length; i++) count += POPCOUNT[bytes[i]];
  // bits of the edge bytes that lie outside a BIT range
  if (r.firstNegMask !== 0) count -= POPCOUNT[bytes[0] & r.firstNegMask];
  if (r.lastNegMask !== 0) count -= POPCOUNT[bytes[bytes.length - 1] & r.lastNegMask];
  ctx.reply.int(count);
}

/**
 * Redis's redisBitpos: position of the first bit equal to `bit` in bytes [from, to), counting
 * from `from`; when there is none, -1 for a 1, and the first bit past the end for a 0 (the
 * string is taken as zero padded on the right).
 */
function firstBit(bytes: Uint8Array, from: number, to: number, bit: number): number {
  const skip = bit ? 0 : 0xff;
  for (let i = from; i < to; i++) {
    const c = bytes[i];
    if (c !== skip) {
      for (let j = 7; j >= 0; j--) if (((c >> j) & 1) === bit) return (i - from) * 8 + (7 - j);
    }
  }
  return bit ? -1 : (to - from) * 8;
}

function bitpos(ctx: Ctx): void {
  const argv = ctx.argv;
  const b = parseLongLong(argv[2]);
  if (b === null) return ctx.reply.error(ERR.NOT_INTEGER);
  if (b !== 0n && b !== 1n) return ctx.reply.error('ERR The bit argument must be 1 or 0.');
  const bit = Number(b);
  const o = lookupRead(ctx, argv[1]);
  // a missing key is an endless run of zeros
  if (o === undefined) return ctx.reply.int(bit ? -1 : 0);
  if (o.type !== 'string') return ctx.reply.error(ERR.WRONGTYPE);
  const v = o.value;
  const strlen = strLength(v);
  let endGiven = false;
  let r: Range;
  if (argv.length >= 4 && argv.length <= 6) {
    const start = parseLongLong(argv[3]);
    if (start === null) return ctx.reply.error(ERR.NOT_INTEGER);
    let isBit = false;
    if (argv.length === 6) {
      const u = parseUnit(ctx, argv[5]);
      if (u === null) return;
      isBit = u;
    }
    let end: bigint;
    if (argv.length >= 5) {
      const e = parseLongLong(argv[4]);
      if (e === null) return ctx.reply.error(ERR.NOT_INTEGER);
      end = e;
      endGiven = true;
    } else {
      end = isBit ? (BigInt(strlen) << 3n) + 7n : BigInt(strlen) - 1n;
    }
    r = normalise(start, end, strlen, isBit);
  } else if (argv.length === 3) {
    r = { start: 0, end: strlen - 1, firstNegMask: 0, lastNegMask: 0 };
  } else {
    return ctx.reply.error(ERR.SYNTAX);
  }
  if (r.start > r.end) return ctx.reply.int(-1);

  const p = strBytes(v, r.start, r.end + 1); // p[0] is byte r.start
  let start = 0; // relative to r.start
  let bytes = r.end - r.start + 1;
  const endIdx = bytes - 1;
  let pos: number;
  const one = new Uint8Array(1);
  found: {
    if (r.firstNegMask) {
      let c = bit ? p[0] & ~r.firstNegMask : p[0] | r.firstNegMask;
      if (r.lastNegMask && bytes === 1) c = bit ? c & ~r.lastNegMask : c | r.lastNegMask;
      one[0] = c;
      pos = firstBit(one, 0, 1, bit);
      if (bytes === 1 || (pos !== -1 && pos !== 8)) break found;
      start++;
      bytes--;
    }
    // the last byte is handled apart when part of it lies outside the range
    const cur = bytes - (r.lastNegMask ? 1 : 0);
    if (cur > 0) {
      pos = firstBit(p, start, start + cur, bit);
      if (bytes === cur || (pos !== -1 && pos !== cur * 8)) break found;
      start += cur;
      bytes -= cur;
    }
    one[0] = bit ? p[endIdx] & ~r.lastNegMask : p[endIdx] | r.lastNegMask;
    pos = firstBit(one, 0, 1, bit);
  }
  // with an explicit end, the zero padding past the range does not count as a clear bit
  if (endGiven && bit === 0 && pos === bytes * 8) return ctx.reply.int(-1);
  if (pos !== -1) pos += (r.start + start) * 8;
  ctx.reply.int(pos);
}

const AND = 0;
const OR = 1;
const XOR = 2;
const NOT = 3;

function bitop(ctx: Ctx): void {
  const argv = ctx.argv;
  const name = argv[1];
  let op: number;
  if (optIs(name, 'AND')) op = AND;
  else if (optIs(name, 'OR')) op = OR;
  else if (optIs(name, 'XOR')) op = XOR;
  else if (optIs(name, 'NOT')) op = NOT;
  else return ctx.reply.error(ERR.SYNTAX);
  if (op === NOT && argv.length !== 4) return ctx.reply.error('ERR BITOP NOT must be called with a single source key.');

  const srcs: Uint8Array[] = [];
  let maxlen = 0;
  for (let j = 3; j < argv.length; j++) {
    const o = lookupRead(ctx, argv[j]);
    if (o === undefined) {
      srcs.push(new Uint8Array(0));
      continue;
    }
    if (o.type !== 'string') return ctx.reply.error(ERR.WRONGTYPE);
    const v = o.value;
    const src = strBytes(v, 0, strLength(v));
    srcs.push(src);
    if (src.length > maxlen) maxlen = src.length;
  }

  const target = argv[2];
  if (maxlen > 0) {
    const res = Buffer.alloc(maxlen);
    const first = srcs[0];
    res.set(first, 0);
    if (op === NOT) {
      for (let i = 0; i < maxlen; i++) res[i] = ~res[i] & 0xff;
    } else {
      for (let k = 1; k < srcs.length; k++) {
        const s = srcs[k];
        const n = s.length;
        if (op === AND) {
          for (let i = 0; i < n; i++) res[i] &= s[i];
          // a shorter source is zero padded
          if (n < maxlen) res.fill(0, n);
        } else if (op === OR) {
          for (let i = 0; i < n; i++) res[i] |= s[i];
        } else {
          for (let i = 0; i < n; i++) res[i] ^= s[i];
        }
      }
    }
    ctx.db.set(target, new RObj('string', new ByteString(res, maxlen), 'raw', ctx.server.lruClock));
    ctx.server.signalModifiedKey(ctx.db, target);
    ctx.server.notifyKeyspaceEvent('$', 'set', target, ctx.db.id);
    ctx.server.dirty++;
  } else if (ctx.db.delete(target)) {
    ctx.server.signalModifiedKey(ctx.db, target);
    ctx.server.notifyKeyspaceEvent('g', 'del', target, ctx.db.id);
    ctx.server.dirty++;
  }
  ctx.reply.int(maxlen);
}

/* ------------------------------------------------------------------ table */

const ks = (flags: ('RO' | 'RW' | 'OW' | 'access' | 'update')[], index = 1, lastkey = 0) => ({
  flags, begin: { index }, find: { range: [lastkey, 1, 0] as [number, number, number] },
});

const INDEX_UNIT: ArgSpec = {
  name: 'index_unit', type: 'oneof', since: '7.0.0', flags: ['optional'],
  arguments: [{ name: 'byte', type: 'pure-token', token: 'BYTE' }, { name: 'bit', type: 'pure-token', token: 'BIT' }],
};

const OWN_COMMANDS: CommandSpec[] = [
  command({
    name: 'setbit', arity: 4, flags: ['write', 'denyoom'], categories: ['bitmap'],
    keys: [ks(['RW', 'access', 'update'])],
    docs: { summary: 'Sets or clears one bit of the string at a key, creating or extending the string as needed.', since: '2.2.0', group: 'bitmap', complexity: 'O(1)',
      arguments: [KEY_ARG, { name: 'offset', type: 'integer' }, { name: 'value', type: 'integer' }] },
    handler: setbit,
  }),
  command({
    name: 'getbit', arity: 3, flags: ['readonly', 'fast'], categories: ['bitmap'],
    keys: [ks(['RO', 'access'])],
    docs: { summary: 'Returns one bit of the string at a key.', since: '2.2.0', group: 'bitmap', complexity: 'O(1)',
      arguments: [KEY_ARG, { name: 'offset', type: 'integer' }] },
    handler: getbit,
  }),
  command({
    name: 'bitcount', arity: -2, flags: ['readonly'], categories: ['bitmap'],
    keys: [ks(['RO', 'access'])],
    docs: { summary: 'Counts the set bits of a string, or of a byte or bit range of it.', since: '2.6.0', group: 'bitmap', complexity: 'O(N)',
      history: [['7.0.0', 'Accepts the `BYTE|BIT` unit.']],
      arguments: [KEY_ARG, { name: 'index', type: 'block', flags: ['optional'], arguments: [
        { name: 'start', type: 'integer' }, { name: 'end', type: 'integer' }, INDEX_UNIT,
      ] }] },
    handler: bitcount,
  }),
  command({
    name: 'bitpos', arity: -3, flags: ['readonly'], categories: ['bitmap'],
    keys: [ks(['RO', 'access'])],
    docs: { summary: 'Finds the first set or clear bit of a string, optionally within a byte or bit range.', since: '2.8.7', group: 'bitmap', complexity: 'O(N)',
      history: [['7.0.0', 'Accepts the `BYTE|BIT` unit.']],
      arguments: [KEY_ARG, { name: 'bit', type: 'integer' }, { name: 'index', type: 'block', flags: ['optional'], arguments: [
        { name: 'start', type: 'integer' },
        { name: 'end_index', type: 'block', flags: ['optional'], arguments: [{ name: 'end', type: 'integer' }, INDEX_UNIT] },
      ] }] },
    handler: bitpos,
  }),
  command({
    name: 'bitop', arity: -4, flags: ['write', 'denyoom'], categories: ['bitmap'],
    keys: [ks(['OW', 'update'], 2), ks(['RO', 'access'], 3, -1)],
    docs: { summary: 'Stores the bitwise AND, OR, XOR or NOT of strings at a destination key.', since: '2.6.0', group: 'bitmap', complexity: 'O(N)',
      arguments: [{ name: 'operation', type: 'string' }, { name: 'destkey', type: 'key', key_spec_index: 0 }, { name: 'key', type: 'key', key_spec_index: 1, flags: ['multiple'] }] },
    handler: bitop,
  }),
];

export const COMMANDS: CommandSpec[] = [...OWN_COMMANDS, ...BITFIELD_COMMANDS];
