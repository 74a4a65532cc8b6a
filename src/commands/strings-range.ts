/*
 * String commands that work on parts of a value: APPEND STRLEN GETRANGE SUBSTR SETRANGE LCS.
 *
 * Invariants:
 *  - APPEND and SETRANGE store 'raw' objects (Redis unshares the value into a plain SDS before
 *    editing it); APPEND on a missing key stores its argument encoded like a SET value.
 *  - No value longer than proto-max-bulk-len (nor than V8's own string limit) is ever built: the
 *    size is checked before the new string exists.
 *  - LCS is Redis's O(N*M) dynamic programme over a flat Uint32Array, walked back from the end so
 *    the match ranges come out in the same order as Redis emits them. Its table is refused, as in
 *    Redis, when it would exceed proto-max-bulk-len.
 */

import { command, type CommandSpec } from './table';
import type { Ctx } from './context';
import { ERR } from './util';
import { parseInt64 } from '../data/strnum';
import { checkStringLength, lookupRead, lookupWrite, newRawString, newString, optIs, keySpec, KEY_ARG, unshareString } from './strings-shared';
import { strLength, strSlice, strValue, type ByteString } from '../data/bytes';

function append(ctx: Ctx): void {
  const key = ctx.argv[1];
  const add = ctx.argv[2];
  const o = lookupWrite(ctx, key);
  let total: number;
  if (o === undefined) {
    ctx.db.add(key, newString(ctx, add));
    total = add.length;
  } else {
    if (o.type !== 'string') return ctx.reply.error(ERR.WRONGTYPE);
    const old: string | ByteString = o.value;
    if (!checkStringLength(ctx, strLength(old), add.length)) return;
    if (typeof old === 'string') {
      // V8 concatenation is a rope: cheap until read, and GET stays a plain string
      const v = old + add;
      ctx.db.set(key, newRawString(ctx, v), true);
      total = v.length;
    } else {
      // already edited in place (SETBIT, SETRANGE, ...): append into its spare room
      old.appendLatin1(add);
      o.enc = 'raw';
      total = old.len;
    }
  }
  ctx.server.signalModifiedKey(ctx.db, key);
  ctx.server.notifyKeyspaceEvent('$', 'append', key, ctx.db.id);
  ctx.server.dirty++;
  ctx.reply.int(total);
}

function strlen(ctx: Ctx): void {
  const o = lookupRead(ctx, ctx.argv[1]);
  if (o === undefined) return ctx.reply.int(0);
  if (o.type !== 'string') return ctx.reply.error(ERR.WRONGTYPE);
  ctx.reply.int(strLength(o.value));
}

/** GETRANGE and SUBSTR. Indexes beyond 2^53 lose precision but keep their sign, which is all the clamping below needs. */
function getrange(ctx: Ctx): void {
  const a = parseInt64(ctx.argv[2]);
  if (a === null) return ctx.reply.error(ERR.NOT_INTEGER);
  const b = parseInt64(ctx.argv[3]);
  if (b === null) return ctx.reply.error(ERR.NOT_INTEGER);
  const o = lookupRead(ctx, ctx.argv[1]);
  if (o === undefined) return ctx.reply.bulk('');
  if (o.type !== 'string') return ctx.reply.error(ERR.WRONGTYPE);
  const s: string | ByteString = o.value;
  const len = strLength(s);
  let start = Number(a);
  let end = Number(b);
  if (start < 0 && end < 0 && start > end) return ctx.reply.bulk('');
  if (start < 0) start = len + start;
  if (end < 0) end = len + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  if (start > end || len === 0) return ctx.reply.bulk('');
  ctx.reply.bulk(start === 0 && end === len - 1 ? strValue(s) : strSlice(s, start, end + 1));
}

function setrange(ctx: Ctx): void {
  const key = ctx.argv[1];
  const value = ctx.argv[3];
  const off = parseInt64(ctx.argv[2]);
  if (off === null) return ctx.reply.error(ERR.NOT_INTEGER);
  if (off < 0) return ctx.reply.error('ERR offset is out of range');
  const o = lookupWrite(ctx, key);
  let oldLen = 0;
  if (o === undefined) {
    // setting nothing on a missing key creates nothing
    if (value.length === 0) return ctx.reply.int(0);
  } else {
    if (o.type !== 'string') return ctx.reply.error(ERR.WRONGTYPE);
    oldLen = strLength(o.value);
    if (value.length === 0) return ctx.reply.int(oldLen);
  }
  // a bigint offset is beyond any representable string; let the size check refuse it
  const offset = typeof off === 'number' ? off : Number.MAX_SAFE_INTEGER;
  if (!checkStringLength(ctx, offset, value.length)) return;
  if (o === undefined) {
    ctx.db.add(key, newRawString(ctx, '\0'.repeat(offset) + value));
    ctx.server.signalModifiedKey(ctx.db, key);
    ctx.server.notifyKeyspaceEvent('$', 'setrange', key, ctx.db.id);
    ctx.server.dirty++;
    return ctx.reply.int(offset + value.length);
  }
  // edit in place: O(M) for M written bytes once the value is mutable
  const b = unshareString(o);
  b.growZero(offset);
  b.writeLatin1(offset, value);
  ctx.server.signalModifiedKey(ctx.db, key);
  ctx.server.notifyKeyspaceEvent('$', 'setrange', key, ctx.db.id);
  ctx.server.dirty++;
  ctx.reply.int(b.len);
}

/* ------------------------------------------------------------------ LCS */

function lcs(ctx: Ctx): void {
  const argv = ctx.argv;
  const reply = ctx.reply;
  const oa = lookupRead(ctx, argv[1]);
  const ob = lookupRead(ctx, argv[2]);
  if ((oa !== undefined && oa.type !== 'string') || (ob !== undefined && ob.type !== 'string')) {
    return reply.error('ERR The specified keys must contain string values');
  }
  const a: string = oa === undefined ? '' : strValue(oa.value);
  const b: string = ob === undefined ? '' : strValue(ob.value);
  let getLen = false;
  let getIdx = false;
  let withMatchLen = false;
  let minMatchLen = 0;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j];
    const moreArgs = argv.length - 1 - j;
    if (optIs(opt, 'IDX')) {
      getIdx = true;
    } else if (optIs(opt, 'LEN')) {
      getLen = true;
    } else if (optIs(opt, 'WITHMATCHLEN')) {
      withMatchLen = true;
    } else if (optIs(opt, 'MINMATCHLEN') && moreArgs > 0) {
      const v = parseInt64(argv[j + 1]);
      if (v === null) return reply.error(ERR.NOT_INTEGER);
      minMatchLen = v < 0 ? 0 : Number(v);
      j++;
    } else {
      return reply.error(ERR.SYNTAX);
    }
  }
  if (getIdx && getLen) return reply.error('ERR If you want both the length and indexes, please just use IDX.');

  const alen = a.length;
  const blen = b.length;
  const width = blen + 1;
  const cells = (alen + 1) * width;
  const maxBulk = Number(ctx.server.config.lookup('proto-max-bulk-len')?.value ?? 512 * 1024 * 1024);
  if (cells * 4 > maxBulk) {
    return reply.error('ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len');
  }
  let t: Uint32Array;
  try {
    t = new Uint32Array(cells);
  } catch {
    return reply.error('ERR Insufficient memory, failed allocating transient memory for LCS');
  }
  // t[i*width + j] = length of the LCS of a[0..i) and b[0..j); row 0 and column 0 stay zero
  for (let i = 1; i <= alen; i++) {
    const ca = a.charCodeAt(i - 1);
    const row = i * width;
    const prev = row - width;
    for (let j = 1; j <= blen; j++) {
      if (ca === b.charCodeAt(j - 1)) {
        t[row + j] = t[prev + j - 1] + 1;
      } else {
        const up = t[prev + j];
        const left = t[row + j - 1];
        t[row + j] = up > left ? up : left;
      }
    }
  }
  const total = t[alen * width + blen];
  if (getLen && !getIdx) return reply.int(total);

  // Walk back from the end, collecting the common subsequence and (for IDX) the ranges in the
  // order Redis emits them: from the end of the strings towards their start.
  const chars: number[] = getIdx ? [] : new Array<number>(total);
  let k = total;
  const ranges: number[] = [];
  let aStart = alen; // alen means "no range open"
  let aEnd = 0;
  let bStart = 0;
  let bEnd = 0;
  let i = alen;
  let j = blen;
  while (i > 0 && j > 0) {
    let emit = false;
    if (a.charCodeAt(i - 1) === b.charCodeAt(j - 1)) {
      if (!getIdx) chars[k - 1] = a.charCodeAt(i - 1);
      if (aStart === alen) {
        aStart = i - 1;
        aEnd = i - 1;
        bStart = j - 1;
        bEnd = j - 1;
      } else if (aStart === i && bStart === j) {
        aStart--;
        bStart--;
      } else {
        emit = true;
      }
      if (aStart === 0 || bStart === 0) emit = true;
      k--;
      i--;
      j--;
    } else {
      if (t[(i - 1) * width + j] > t[i * width + j - 1]) i--;
      else j--;
      if (aStart !== alen) emit = true;
    }
    if (emit) {
      const matchLen = aEnd - aStart + 1;
      if (getIdx && (minMatchLen === 0 || matchLen >= minMatchLen)) ranges.push(aStart, aEnd, bStart, bEnd, matchLen);
      aStart = alen;
    }
  }
  if (!getIdx) return reply.bulk(fromCodes(chars));

  reply.map(2);
  reply.bulk('matches');
  reply.array(ranges.length / 5);
  for (let r = 0; r < ranges.length; r += 5) {
    reply.array(withMatchLen ? 3 : 2);
    reply.array(2);
    reply.int(ranges[r]);
    reply.int(ranges[r + 1]);
    reply.array(2);
    reply.int(ranges[r + 2]);
    reply.int(ranges[r + 3]);
    if (withMatchLen) reply.int(ranges[r + 4]);
  }
  reply.bulk('len');
  reply.int(total);
}

/** Byte codes to a latin1 string, in chunks (apply has an argument-count limit). */
function fromCodes(codes: number[]): string {
  let s = '';
  for (let p = 0; p < codes.length; p += 32768) s += String.fromCharCode.apply(null, codes.slice(p, p + 32768));
  return s;
}

/* ------------------------------------------------------------------ table */

const RANGE_DOC = 'O(N), N being the length of the returned substring; a short substring is cheap enough to count as O(1).';

export const RANGE_COMMANDS: CommandSpec[] = [
  command({
    name: 'append', arity: 3, flags: ['write', 'denyoom', 'fast'], categories: ['string'],
    keys: [keySpec(['RW', 'insert'])],
    docs: { summary: 'Adds bytes to the end of the string at a key, creating the key when missing.', since: '2.0.0', group: 'string',
      complexity: 'O(1) amortized for a small appended value, whatever the length of the existing string, because strings grow with spare room.',
      arguments: [KEY_ARG, { name: 'value', type: 'string' }] },
    handler: append,
  }),
  command({
    name: 'strlen', arity: 2, flags: ['readonly', 'fast'], categories: ['string'],
    keys: [keySpec(['RO'])],
    docs: { summary: 'Returns the length in bytes of the string at a key.', since: '2.2.0', group: 'string', complexity: 'O(1)', arguments: [KEY_ARG] },
    handler: strlen,
  }),
  command({
    name: 'getrange', arity: 4, flags: ['readonly'], categories: ['string'],
    keys: [keySpec(['RO', 'access'])],
    docs: { summary: 'Returns the bytes of a string between two offsets, both included.', since: '2.4.0', group: 'string', complexity: RANGE_DOC,
      arguments: [KEY_ARG, { name: 'start', type: 'integer' }, { name: 'end', type: 'integer' }] },
    handler: getrange,
  }),
  command({
    name: 'substr', arity: 4, flags: ['readonly'], categories: ['string'],
    keys: [keySpec(['RO', 'access'])],
    docs: { summary: 'Returns the bytes of a string between two offsets (the old name of GETRANGE).', since: '1.0.0', group: 'string', complexity: RANGE_DOC,
      doc_flags: ['deprecated'], deprecated_since: '2.0.0', replaced_by: '`GETRANGE`',
      arguments: [KEY_ARG, { name: 'start', type: 'integer' }, { name: 'end', type: 'integer' }] },
    handler: getrange,
  }),
  command({
    name: 'setrange', arity: 4, flags: ['write', 'denyoom'], categories: ['string'],
    keys: [keySpec(['RW', 'update'])],
    docs: { summary: 'Writes bytes into a string at an offset, padding with zero bytes as needed.', since: '2.2.0', group: 'string',
      complexity: 'O(1) plus copying the value in: O(M) for a value of M bytes, which is usually small.',
      arguments: [KEY_ARG, { name: 'offset', type: 'integer' }, { name: 'value', type: 'string' }] },
    handler: setrange,
  }),
  command({
    name: 'lcs', arity: -3, flags: ['readonly'], categories: ['string'],
    keys: [keySpec(['RO', 'access'], 1)],
    docs: { summary: 'Computes the longest common subsequence of the strings at two keys.', since: '7.0.0', group: 'string', complexity: 'O(N*M), N and M being the lengths of the two strings.',
      arguments: [
        { name: 'key1', type: 'key', key_spec_index: 0 },
        { name: 'key2', type: 'key', key_spec_index: 0 },
        { name: 'len', type: 'pure-token', token: 'LEN', flags: ['optional'] },
        { name: 'idx', type: 'pure-token', token: 'IDX', flags: ['optional'] },
        { name: 'len', type: 'integer', token: 'MINMATCHLEN', flags: ['optional'] },
        { name: 'withmatchlen', type: 'pure-token', token: 'WITHMATCHLEN', flags: ['optional'] },
      ] },
    handler: lcs,
  }),
];
