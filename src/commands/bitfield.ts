/*
 * BITFIELD and BITFIELD_RO: signed and unsigned integers of 1..64 bits (u64 excepted) at any bit
 * offset of a string, with GET, SET, INCRBY and the OVERFLOW WRAP|SAT|FAIL policy.
 *
 * Design: as in bitops.c, every subcommand is parsed and checked first (so a bad argument anywhere
 * means nothing is executed), then the key is looked up once — created or zero-padded up to the
 * farthest bit a SET/INCRBY writes — and the operations run in order. Field arithmetic is done in
 * bigint with explicit 64-bit wrapping, so the overflow checks are Redis's own, including the
 * corner cases of i64 and of SET values that do not fit the type.
 */

import { command, type ArgSpec, type CommandSpec, type KeyRef, type KeySpecFlag } from './table';
import type { Ctx } from './context';
import { ERR, parseLongLong } from './util';
import { strBytes, strLength } from '../data/bytes';
import { lookupRead, optIs, KEY_ARG } from './strings-shared';
import { lookupStringForBit, parseBitOffset, type BitTarget } from './bitmaps-shared';

const GET = 0;
const SET = 1;
const INCRBY = 2;

const WRAP = 0;
const SAT = 1;
const FAIL = 2;

const TYPE_ERR = 'ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.';

interface Op {
  offset: number;
  value: bigint;
  opcode: number;
  overflow: number;
  bits: number;
  signed: boolean;
}

/** "i<bits>" or "u<bits>", read as a C string (it ends at its first NUL). Null after replying. */
function parseType(ctx: Ctx, arg: string): { signed: boolean; bits: number } | null {
  const c = arg.charCodeAt(0);
  if (c !== 105 && c !== 117) {
    ctx.reply.error(TYPE_ERR);
    return null;
  }
  const signed = c === 105;
  const nul = arg.indexOf('\0');
  const n = parseLongLong(arg.slice(1, nul === -1 ? arg.length : nul));
  if (n === null || n < 1n || (signed && n > 64n) || (!signed && n > 63n)) {
    ctx.reply.error(TYPE_ERR);
    return null;
  }
  return { signed, bits: Number(n) };
}

/** Unsigned field of `bits` at bit `offset`; bytes past the end of `p` read as zero. */
function getField(p: Uint8Array, offset: number, bits: number): bigint {
  let v = 0n;
  for (let j = 0; j < bits; j++, offset++) {
    const byte = p[Math.floor(offset / 8)] ?? 0;
    v = (v << 1n) | BigInt((byte >> (7 - (offset & 7))) & 1);
  }
  return v;
}

function setField(p: Uint8Array, offset: number, bits: number, value: bigint): void {
  const u = BigInt.asUintN(64, value);
  for (let j = 0; j < bits; j++, offset++) {
    const bit = Number((u >> BigInt(bits - 1 - j)) & 1n);
    const i = Math.floor(offset / 8);
    const sh = 7 - (offset & 7);
    p[i] = (p[i] & ~(1 << sh)) | (bit << sh);
  }
}

function toSigned(u: bigint, bits: number): bigint {
  return BigInt.asIntN(bits, u);
}

/** Result of an overflow check: 0 fits, 1 overflow, -1 underflow; `limit` is the value to store. */
let limit = 0n;

function checkUnsigned(value: bigint, incr: bigint, bits: number, owtype: number): number {
  const max = (1n << BigInt(bits)) - 1n;
  const maxincr = BigInt.asIntN(64, max - value);
  const minincr = BigInt.asIntN(64, -value);
  let r = 0;
  if (value > max || (incr > 0n && incr > maxincr)) r = 1;
  else if (incr < 0n && incr < minincr) r = -1;
  if (r !== 0) {
    if (owtype === WRAP) limit = BigInt.asUintN(bits, value + incr);
    else if (owtype === SAT) limit = r === 1 ? max : 0n;
  }
  return r;
}

function checkSigned(value: bigint, incr: bigint, bits: number, owtype: number): number {
  const max = bits === 64 ? 9223372036854775807n : (1n << BigInt(bits - 1)) - 1n;
  const min = -max - 1n;
  const maxincr = BigInt.asIntN(64, BigInt.asUintN(64, max) - value);
  const minincr = BigInt.asIntN(64, min - value);
  let r = 0;
  if (value > max || (bits !== 64 && incr > maxincr) || (value >= 0n && incr > 0n && incr > maxincr)) r = 1;
  else if (value < min || (bits !== 64 && incr < minincr) || (value < 0n && incr < 0n && incr < minincr)) r = -1;
  if (r !== 0) {
    if (owtype === WRAP) limit = BigInt.asIntN(bits, value + incr);
    else if (owtype === SAT) limit = r === 1 ? max : min;
  }
  return r;
}

function bitfieldGeneric(ctx: Ctx, readonlyCommand: boolean): void {
  const argv = ctx.argv;
  const ops: Op[] = [];
  let overflow = WRAP;
  let readonly = true;
  let highestWrite = 0;
  for (let j = 2; j < argv.length; j++) {
    const rem = argv.length - j - 1;
    const sub = argv[j];
    let opcode: number;
    if (optIs(sub, 'GET') && rem >= 2) opcode = GET;
    else if (optIs(sub, 'SET') && rem >= 3) opcode = SET;
    else if (optIs(sub, 'INCRBY') && rem >= 3) opcode = INCRBY;
    else if (optIs(sub, 'OVERFLOW') && rem >= 1) {
      const t = argv[++j];
      if (optIs(t, 'WRAP')) overflow = WRAP;
      else if (optIs(t, 'SAT')) overflow = SAT;
      else if (optIs(t, 'FAIL')) overflow = FAIL;
      else return ctx.reply.error('ERR Invalid OVERFLOW type specified');
      continue;
    } else {
      return ctx.reply.error(ERR.SYNTAX);
    }
    const type = parseType(ctx, argv[j + 1]);
    if (type === null) return;
    const offset = parseBitOffset(ctx, argv[j + 2], type.bits);
    if (offset === null) return;
    let value = 0n;
    if (opcode !== GET) {
      readonly = false;
      if (highestWrite < offset + type.bits - 1) highestWrite = offset + type.bits - 1;
      const v = parseLongLong(argv[j + 3]);
      if (v === null) return ctx.reply.error(ERR.NOT_INTEGER);
      value = v;
    }
    ops.push({ offset, value, opcode, overflow, bits: type.bits, signed: type.signed });
    j += opcode === GET ? 2 : 3;
  }

  let data: Uint8Array | null = null;
  let written: BitTarget | null = null;
  if (readonly) {
    const o = lookupRead(ctx, argv[1]);
    if (o !== undefined) {
      if (o.type !== 'string') return ctx.reply.error(ERR.WRONGTYPE);
      data = strBytes(o.value, 0, strLength(o.value));
    }
  } else {
    if (readonlyCommand) return ctx.reply.error('ERR BITFIELD_RO only supports the GET subcommand');
    const t = lookupStringForBit(ctx, highestWrite);
    if (t === null) return;
    written = t;
  }

  ctx.reply.array(ops.length);
  let changes = 0;
  for (const op of ops) {
    if (op.opcode === GET) {
      const p = written !== null ? written.b.view() : data;
      const u = p === null ? 0n : getField(p, op.offset, op.bits);
      ctx.reply.int(op.signed ? toSigned(u, op.bits) : u);
      continue;
    }
    const buf = written!.b.buf;
    const oldU = getField(buf, op.offset, op.bits);
    let oldval: bigint;
    let newval: bigint;
    let retval: bigint;
    let ovf: number;
    if (op.signed) {
      oldval = toSigned(oldU, op.bits);
      if (op.opcode === INCRBY) {
        ovf = checkSigned(oldval, op.value, op.bits, op.overflow);
        newval = ovf ? limit : oldval + op.value;
        retval = newval;
      } else {
        newval = op.value;
        ovf = checkSigned(newval, 0n, op.bits, op.overflow);
        if (ovf) newval = limit;
        retval = oldval;
      }
    } else {
      oldval = oldU;
      if (op.opcode === INCRBY) {
        newval = BigInt.asUintN(64, oldval + op.value);
        ovf = checkUnsigned(oldval, op.value, op.bits, op.overflow);
        if (ovf) newval = limit;
        retval = newval;
      } else {
        newval = BigInt.asUintN(64, op.value);
        ovf = checkUnsigned(newval, 0n, op.bits, op.overflow);
        if (ovf) newval = limit;
        retval = oldval;
      }
    }
    if (ovf && op.overflow === FAIL) {
      ctx.reply.nullBulk();
      continue;
    }
    ctx.reply.int(retval);
    setField(buf, op.offset, op.bits, newval);
    written!.b.touched();
    if (written!.dirty || oldval !== newval) changes++;
  }
  if (changes) {
    ctx.server.signalModifiedKey(ctx.db, argv[1]);
    ctx.server.notifyKeyspaceEvent('$', 'setbit', argv[1], ctx.db.id);
    ctx.server.dirty += changes;
  }
}

/**
 * BITFIELD reads its key unless a SET or INCRBY (or anything unparsable) appears, as Redis's
 * bitfieldGetKeys decides; the flags then become those of a write.
 */
function bitfieldKeyRefs(argv: string[]): KeyRef[] {
  for (let i = 2; i < argv.length; i++) {
    const rem = argv.length - i - 1;
    if (optIs(argv[i], 'GET') && rem >= 2) i += 2;
    else if (optIs(argv[i], 'OVERFLOW') && rem >= 1) i += 1;
    else return [{ index: 1, flags: RW_FLAGS }];
  }
  return [{ index: 1, flags: RO_FLAGS }];
}
const RO_FLAGS: KeySpecFlag[] = ['RO', 'access'];
const RW_FLAGS: KeySpecFlag[] = ['RW', 'access', 'update'];

const GET_BLOCK: ArgSpec = {
  name: 'encoding_offset', type: 'block', token: 'GET',
  arguments: [{ name: 'encoding', type: 'string' }, { name: 'offset', type: 'integer' }],
};

export const BITFIELD_COMMANDS: CommandSpec[] = [
  command({
    name: 'bitfield', arity: -2, flags: ['write', 'denyoom'], categories: ['bitmap'],
    keys: [{ flags: ['RW', 'access', 'update', 'variable_flags'], begin: { index: 1 }, find: { range: [0, 1, 0] },
      notes: 'This command allows both access and modification of the key' }],
    docs: { summary: 'Reads, writes and increments integers of any width at any bit offset of a string.', since: '3.2.0', group: 'bitmap',
      complexity: 'O(1) for each subcommand specified',
      arguments: [KEY_ARG, { name: 'operation', type: 'oneof', flags: ['optional', 'multiple'], arguments: [
        GET_BLOCK,
        { name: 'write', type: 'block', arguments: [
          { name: 'wrap_sat_fail', type: 'oneof', token: 'OVERFLOW', flags: ['optional'], arguments: [
            { name: 'wrap', type: 'pure-token', token: 'WRAP' },
            { name: 'sat', type: 'pure-token', token: 'SAT' },
            { name: 'fail', type: 'pure-token', token: 'FAIL' },
          ] },
          { name: 'write_operation', type: 'oneof', arguments: [
            { name: 'encoding_offset_value', type: 'block', token: 'SET', arguments: [
              { name: 'encoding', type: 'string' }, { name: 'offset', type: 'integer' }, { name: 'value', type: 'integer' },
            ] },
            { name: 'encoding_offset_increment', type: 'block', token: 'INCRBY', arguments: [
              { name: 'encoding', type: 'string' }, { name: 'offset', type: 'integer' }, { name: 'increment', type: 'integer' },
            ] },
          ] },
        ] },
      ] }] },
    handler: (ctx) => bitfieldGeneric(ctx, false),
    getKeyRefs: bitfieldKeyRefs,
  }),
  command({
    name: 'bitfield_ro', arity: -2, flags: ['readonly', 'fast'], categories: ['bitmap'],
    keys: [{ flags: ['RO', 'access'], begin: { index: 1 }, find: { range: [0, 1, 0] } }],
    docs: { summary: 'Reads integers of any width at any bit offset of a string (the read-only form of BITFIELD).', since: '6.0.0', group: 'bitmap',
      complexity: 'O(1) for each subcommand specified',
      arguments: [KEY_ARG, { ...GET_BLOCK, flags: ['optional', 'multiple', 'multiple_token'] }] },
    handler: (ctx) => bitfieldGeneric(ctx, true),
  }),
];
