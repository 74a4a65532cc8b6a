/*
 * Counters stored in strings: INCR DECR INCRBY DECRBY INCRBYFLOAT.
 *
 * Integers follow Redis's signed 64-bit rules (string2ll parsing: no '+', no spaces, no leading
 * zeros; overflow is an error, never a wrap). The arithmetic stays on JS numbers while values are
 * safe integers and switches to bigint only beyond 2^53, so the usual INCR allocates nothing but the
 * new object. Results are stored 'int' encoded, as Redis does; the TTL of the key is kept.
 *
 * INCRBYFLOAT computes in emulated x87 long double (data/strnum.ts) so that its replies match
 * Redis digit for digit, and propagates as SET key <result> KEEPTTL so every replica stores exactly
 * the printed value.
 */

import { command, type CommandSpec } from './table';
import type { Ctx } from './context';
import { ERR } from './util';
import { RObj } from '../data/keyspace';
import { strValue } from '../data/bytes';
import { addInt64, formatLongDoubleHuman, ldAdd, ldFromInteger, LLONG_MIN_N, parseInt64, parseLongDouble, type LDouble } from '../data/strnum';
import { lookupWrite, keySpec, KEY_ARG } from './strings-shared';

function incrDecr(ctx: Ctx, incr: number | bigint): void {
  const key = ctx.argv[1];
  const o = lookupWrite(ctx, key);
  let value: number | bigint = 0;
  if (o !== undefined) {
    if (o.type !== 'string') return ctx.reply.error(ERR.WRONGTYPE);
    const v = parseInt64(strValue(o.value));
    if (v === null) return ctx.reply.error(ERR.NOT_INTEGER);
    value = v;
  }
  const r = addInt64(value, incr);
  if (r === null) return ctx.reply.error(ERR.OVERFLOW);
  const s = typeof r === 'number' ? '' + r : r.toString();
  ctx.db.set(key, new RObj('string', s, 'int', ctx.server.lruClock), true);
  ctx.server.signalModifiedKey(ctx.db, key);
  ctx.server.notifyKeyspaceEvent('$', 'incrby', key, ctx.db.id);
  ctx.server.dirty++;
  ctx.reply.int(r);
}

function incrby(ctx: Ctx): void {
  const incr = parseInt64(ctx.argv[2]);
  if (incr === null) return ctx.reply.error(ERR.NOT_INTEGER);
  incrDecr(ctx, incr);
}

function decrby(ctx: Ctx): void {
  const incr = parseInt64(ctx.argv[2]);
  if (incr === null) return ctx.reply.error(ERR.NOT_INTEGER);
  // -LLONG_MIN is not a 64-bit integer
  if (incr === LLONG_MIN_N) return ctx.reply.error('ERR decrement would overflow');
  incrDecr(ctx, -incr);
}

const NAN_OR_INF = 'ERR increment would produce NaN or Infinity';
const ZERO: LDouble = { neg: false, m: 0n, e: 0 };

function incrbyfloat(ctx: Ctx): void {
  const key = ctx.argv[1];
  const o = lookupWrite(ctx, key);
  let value: LDouble | 'inf' | '-inf' | null = ZERO;
  if (o !== undefined) {
    if (o.type !== 'string') return ctx.reply.error(ERR.WRONGTYPE);
    value = o.enc === 'int' ? ldFromInteger(BigInt(o.value)) : parseLongDouble(strValue(o.value));
    if (value === null) return ctx.reply.error(ERR.NOT_FLOAT);
  }
  const incr = parseLongDouble(ctx.argv[2]);
  if (incr === null) return ctx.reply.error(ERR.NOT_FLOAT);
  // any infinite operand makes the sum infinite or NaN
  if (typeof value === 'string' || typeof incr === 'string') return ctx.reply.error(NAN_OR_INF);
  const sum = ldAdd(value, incr);
  if (sum === null) return ctx.reply.error(NAN_OR_INF);
  const s = formatLongDoubleHuman(sum);
  ctx.db.set(key, new RObj('string', s, s.length <= 44 ? 'embstr' : 'raw', ctx.server.lruClock), true);
  ctx.server.signalModifiedKey(ctx.db, key);
  ctx.server.notifyKeyspaceEvent('$', 'incrbyfloat', key, ctx.db.id);
  ctx.server.dirty++;
  ctx.reply.bulk(s);
  ctx.propagateAs = [['SET', key, s, 'KEEPTTL']];
}

const RW = keySpec(['RW', 'access', 'update']);
const FLAGS: CommandSpec['flags'] = ['write', 'denyoom', 'fast'];

export const NUM_COMMANDS: CommandSpec[] = [
  command({
    name: 'incr', arity: 2, flags: FLAGS, categories: ['string'], keys: [RW],
    docs: { summary: 'Adds one to the integer stored at a key.', since: '1.0.0', group: 'string', complexity: 'O(1)', arguments: [KEY_ARG] },
    handler: (ctx) => incrDecr(ctx, 1),
  }),
  command({
    name: 'decr', arity: 2, flags: FLAGS, categories: ['string'], keys: [RW],
    docs: { summary: 'Subtracts one from the integer stored at a key.', since: '1.0.0', group: 'string', complexity: 'O(1)', arguments: [KEY_ARG] },
    handler: (ctx) => incrDecr(ctx, -1),
  }),
  command({
    name: 'incrby', arity: 3, flags: FLAGS, categories: ['string'], keys: [RW],
    docs: { summary: 'Adds an integer to the integer stored at a key.', since: '1.0.0', group: 'string', complexity: 'O(1)',
      arguments: [KEY_ARG, { name: 'increment', type: 'integer' }] },
    handler: incrby,
  }),
  command({
    name: 'decrby', arity: 3, flags: FLAGS, categories: ['string'], keys: [RW],
    docs: { summary: 'Subtracts an integer from the integer stored at a key.', since: '1.0.0', group: 'string', complexity: 'O(1)',
      arguments: [KEY_ARG, { name: 'decrement', type: 'integer' }] },
    handler: decrby,
  }),
  command({
    name: 'incrbyfloat', arity: 3, flags: FLAGS, categories: ['string'], keys: [RW],
    docs: { summary: 'Adds a floating-point number to the number stored at a key.', since: '2.6.0', group: 'string', complexity: 'O(1)',
      arguments: [KEY_ARG, { name: 'increment', type: 'double' }] },
    handler: incrbyfloat,
  }),
];
