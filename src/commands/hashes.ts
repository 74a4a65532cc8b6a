/*
 * Hash commands: HSET HSETNX HGET HMGET HMSET HDEL HLEN HSTRLEN HEXISTS HKEYS HVALS HGETALL HINCRBY
 * HINCRBYFLOAT HRANDFIELD HSCAN, as Redis 7.0's t_hash.c.
 *
 * Design: the value structure and its encodings live in data/hashtype.ts; this file is argument
 * handling, replies and the write side effects (signalModifiedKey, keyspace events, dirty,
 * propagation) exactly where Redis has them. Invariant: no command leaves an empty hash in the
 * keyspace — HDEL deletes the key with its last field; the writes that create a key (HSET, HSETNX,
 * HINCRBY*) only do so once their arguments are known to be good, so an error never leaves an
 * empty hash behind.
 *
 * HINCRBYFLOAT computes in emulated long double (data/strnum.ts) like INCRBYFLOAT, and propagates as
 * HSET key field <printed result> so replicas store exactly the replied digits.
 */

import { command, type CommandSpec, type ArgSpec } from './table';
import type { Ctx } from './context';
import { ERR } from './util';
import { BulkArrayBuilder } from '../protocol/reply';
import { lookupRead, lookupWrite, keySpec, KEY_ARG } from './strings-shared';
import { parseScanCursor, parseScanOptions, replyEmptyScan, replyScan, filterPairs, scanPairs } from './scan-shared';
import { RObj } from '../data/keyspace';
import {
  newHash, hashTryConversion, hashSet, hashGet, hashHas, hashDelete, hashLen, hashEntries, type BigHash,
} from '../data/hashtype';
import { addInt64, formatLongDoubleHuman, ldAdd, parseInt64, parseLongDouble } from '../data/strnum';
import { HRANDFIELD } from './hashes-random';

/** The hash at argv[1] for a read, undefined when missing, null after a WRONGTYPE reply. */
function readHash(ctx: Ctx): RObj | undefined | null {
  const o = lookupRead(ctx, ctx.argv[1]);
  if (o !== undefined && o.type !== 'hash') {
    ctx.reply.error(ERR.WRONGTYPE);
    return null;
  }
  return o;
}

/** The hash at argv[1] for a write (no hit/miss stats), or null after a WRONGTYPE reply. */
function writeHash(ctx: Ctx): RObj | undefined | null {
  const o = lookupWrite(ctx, ctx.argv[1]);
  if (o !== undefined && o.type !== 'hash') {
    ctx.reply.error(ERR.WRONGTYPE);
    return null;
  }
  return o;
}

function created(ctx: Ctx, o: RObj): void {
  ctx.db.add(ctx.argv[1], o);
}

function written(ctx: Ctx, event: string, dirty: number, o?: RObj): void {
  const key = ctx.argv[1];
  ctx.server.signalModifiedKey(ctx.db, key, o);
  ctx.server.notifyKeyspaceEvent('h', event, key, ctx.db.id);
  ctx.server.dirty += dirty;
}

/* ------------------------------------------------------------------ writes */

/** HSET (replies the number of new fields) and HMSET (replies OK). */
function hsetGeneric(ctx: Ctx, isHset: boolean): void {
  const argv = ctx.argv;
  if (argv.length % 2 === 1) return ctx.reply.error(`ERR wrong number of arguments for '${ctx.cmd.fullname}' command`);
  let o = writeHash(ctx);
  if (o === null) return;
  if (o === undefined) {
    o = newHash(ctx.server.lruClock);
    created(ctx, o);
  }
  hashTryConversion(o, argv, 2, argv.length - 1);
  let added = 0;
  for (let i = 2; i < argv.length; i += 2) if (!hashSet(o, argv[i], argv[i + 1])) added++;
  if (isHset) ctx.reply.int(added);
  else ctx.reply.ok();
  written(ctx, 'hset', (argv.length - 2) / 2, o);
}

function hsetnx(ctx: Ctx): void {
  const argv = ctx.argv;
  let o = writeHash(ctx);
  if (o === null) return;
  if (o !== undefined && hashHas(o, argv[2])) return ctx.reply.int(0);
  if (o === undefined) {
    o = newHash(ctx.server.lruClock);
    created(ctx, o);
  }
  hashTryConversion(o, argv, 2, 3);
  hashSet(o, argv[2], argv[3]);
  ctx.reply.int(1);
  written(ctx, 'hset', 1);
}

function hdel(ctx: Ctx): void {
  const argv = ctx.argv;
  const o = writeHash(ctx);
  if (o === null) return;
  if (o === undefined) return ctx.reply.int(0);
  let deleted = 0;
  let keyRemoved = false;
  for (let j = 2; j < argv.length; j++) {
    if (hashDelete(o, argv[j])) {
      deleted++;
      if (hashLen(o) === 0) {
        ctx.db.delete(argv[1]);
        keyRemoved = true;
        break;
      }
    }
  }
  if (deleted > 0) {
    written(ctx, 'hdel', deleted);
    if (keyRemoved) ctx.server.notifyKeyspaceEvent('g', 'del', argv[1], ctx.db.id);
  }
  ctx.reply.int(deleted);
}

function hincrby(ctx: Ctx): void {
  const argv = ctx.argv;
  const incr = parseInt64(argv[3]);
  if (incr === null) return ctx.reply.error(ERR.NOT_INTEGER);
  const found = writeHash(ctx);
  if (found === null) return;
  let value: number | bigint = 0;
  const old = found === undefined ? undefined : hashGet(found, argv[2]);
  if (old !== undefined) {
    const v = parseInt64(old);
    if (v === null) return ctx.reply.error('ERR hash value is not an integer');
    value = v;
  }
  const r = addInt64(value, incr);
  if (r === null) return ctx.reply.error(ERR.OVERFLOW);
  let o = found;
  if (o === undefined) {
    o = newHash(ctx.server.lruClock);
    created(ctx, o);
  }
  hashSet(o, argv[2], typeof r === 'number' ? '' + r : r.toString());
  ctx.reply.int(r);
  written(ctx, 'hincrby', 1);
}

function hincrbyfloat(ctx: Ctx): void {
  const argv = ctx.argv;
  const incr = parseLongDouble(argv[3]);
  if (incr === null) return ctx.reply.error(ERR.NOT_FLOAT);
  if (typeof incr === 'string') return ctx.reply.error('ERR value is NaN or Infinity');
  const found = writeHash(ctx);
  if (found === null) return;
  const old = found === undefined ? undefined : hashGet(found, argv[2]);
  let sum = incr;
  if (old !== undefined) {
    const v = parseLongDouble(old);
    if (v === null) return ctx.reply.error('ERR hash value is not a float');
    const s = typeof v === 'string' ? null : ldAdd(v, incr);
    if (s === null) return ctx.reply.error('ERR increment would produce NaN or Infinity');
    sum = s;
  }
  const printed = formatLongDoubleHuman(sum);
  let o = found;
  if (o === undefined) {
    o = newHash(ctx.server.lruClock);
    created(ctx, o);
  }
  hashSet(o, argv[2], printed);
  ctx.reply.bulk(printed);
  written(ctx, 'hincrbyfloat', 1);
  ctx.propagateAs = [['HSET', argv[1], argv[2], printed]];
}

/* ------------------------------------------------------------------ reads */

function hget(ctx: Ctx): void {
  const o = readHash(ctx);
  if (o === null) return;
  ctx.reply.bulkOrNull(o === undefined ? undefined : hashGet(o, ctx.argv[2]));
}

function hmget(ctx: Ctx): void {
  const o = readHash(ctx);
  if (o === null) return;
  const argv = ctx.argv;
  ctx.reply.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) ctx.reply.bulkOrNull(o === undefined ? undefined : hashGet(o, argv[i]));
}

function hlen(ctx: Ctx): void {
  const o = readHash(ctx);
  if (o === null) return;
  ctx.reply.int(o === undefined ? 0 : hashLen(o));
}

function hstrlen(ctx: Ctx): void {
  const o = readHash(ctx);
  if (o === null) return;
  const v = o === undefined ? undefined : hashGet(o, ctx.argv[2]);
  ctx.reply.int(v === undefined ? 0 : v.length);
}

function hexists(ctx: Ctx): void {
  const o = readHash(ctx);
  if (o === null) return;
  ctx.reply.int(o !== undefined && hashHas(o, ctx.argv[2]) ? 1 : 0);
}

const KEYS = 1;
const VALUES = 2;

/** HKEYS, HVALS (arrays) and HGETALL (a map). */
function hgetallGeneric(ctx: Ctx, what: number): void {
  const o = readHash(ctx);
  if (o === null) return;
  const r = ctx.reply;
  const both = what === (KEYS | VALUES);
  if (o === undefined) return both ? r.map(0) : r.array(0);
  const n = hashLen(o);
  if (both) r.map(n);
  else r.array(n);
  // built as one flat string (see BulkArrayBuilder): a big hash is thousands of elements
  BulkArrayBuilder.begin('');
  for (const [k, v] of hashEntries(o)) {
    if (what & KEYS) BulkArrayBuilder.bulk(k);
    if (what & VALUES) BulkArrayBuilder.bulk(v);
  }
  r.raw(BulkArrayBuilder.finish());
}

function hscan(ctx: Ctx): void {
  const cursor = parseScanCursor(ctx, 2);
  if (cursor === null) return;
  const o = readHash(ctx);
  if (o === null) return;
  if (o === undefined) return replyEmptyScan(ctx);
  const opts = parseScanOptions(ctx, 3);
  if (opts === null) return;
  if (o.enc === 'listpack') {
    const flat: string[] = [];
    for (const [k, v] of hashEntries(o)) flat.push(k, v);
    return replyScan(ctx, 0, filterPairs(opts, flat));
  }
  const flat: string[] = [];
  const next = scanPairs(o.value as BigHash, cursor, opts, flat, (_k, v) => v);
  replyScan(ctx, next, flat);
}

/* ------------------------------------------------------------------ table */

const FIELD: ArgSpec = { name: 'field', type: 'string' };
const FIELDS: ArgSpec = { name: 'field', type: 'string', flags: ['multiple'] };
const FIELD_VALUE: ArgSpec = {
  name: 'field_value', type: 'block', flags: ['multiple'],
  arguments: [{ name: 'field', type: 'string' }, { name: 'value', type: 'string' }],
};
const SCAN_ARGS: ArgSpec[] = [
  KEY_ARG, { name: 'cursor', type: 'integer' },
  { name: 'pattern', type: 'pattern', token: 'MATCH', flags: ['optional'] },
  { name: 'count', type: 'integer', token: 'COUNT', flags: ['optional'] },
];

const WRITE_FAST: CommandSpec['flags'] = ['write', 'denyoom', 'fast'];
const READ_FAST: CommandSpec['flags'] = ['readonly', 'fast'];

export const COMMANDS: CommandSpec[] = [
  command({
    name: 'hset', arity: -4, flags: WRITE_FAST, categories: ['hash'], keys: [keySpec(['RW', 'update'])],
    docs: { summary: 'Sets the values of one or more fields of a hash, creating the hash if needed.', since: '2.0.0', group: 'hash',
      complexity: 'O(1) per field/value pair.', history: [['4.0.0', 'Takes several field/value pairs.']], arguments: [KEY_ARG, FIELD_VALUE] },
    handler: (ctx) => hsetGeneric(ctx, true),
  }),
  command({
    name: 'hsetnx', arity: 4, flags: WRITE_FAST, categories: ['hash'], keys: [keySpec(['RW', 'insert'])],
    docs: { summary: 'Sets a field of a hash only if the field does not exist yet.', since: '2.0.0', group: 'hash', complexity: 'O(1)',
      arguments: [KEY_ARG, FIELD, { name: 'value', type: 'string' }] },
    handler: hsetnx,
  }),
  command({
    name: 'hget', arity: 3, flags: READ_FAST, categories: ['hash'], keys: [keySpec(['RO', 'access'])],
    docs: { summary: 'Returns the value of one field of a hash.', since: '2.0.0', group: 'hash', complexity: 'O(1)', arguments: [KEY_ARG, FIELD] },
    handler: hget,
  }),
  command({
    name: 'hmget', arity: -3, flags: READ_FAST, categories: ['hash'], keys: [keySpec(['RO', 'access'])],
    docs: { summary: 'Returns the values of several fields of a hash.', since: '2.0.0', group: 'hash', complexity: 'O(N), N the number of fields asked for.',
      arguments: [KEY_ARG, FIELDS] },
    handler: hmget,
  }),
  command({
    name: 'hmset', arity: -4, flags: WRITE_FAST, categories: ['hash'], keys: [keySpec(['RW', 'update'])],
    docs: { summary: 'Sets the values of several fields of a hash.', since: '2.0.0', group: 'hash', complexity: 'O(N), N the number of fields set.',
      doc_flags: ['deprecated'], deprecated_since: '4.0.0', replaced_by: '`HSET` with several field/value pairs',
      arguments: [KEY_ARG, FIELD_VALUE] },
    handler: (ctx) => hsetGeneric(ctx, false),
  }),
  command({
    name: 'hdel', arity: -3, flags: ['write', 'fast'], categories: ['hash'], keys: [keySpec(['RW', 'delete'])],
    docs: { summary: 'Removes fields from a hash; the key goes with its last field.', since: '2.0.0', group: 'hash',
      complexity: 'O(N), N the number of fields removed.', history: [['2.4.0', 'Takes several fields.']], arguments: [KEY_ARG, FIELDS] },
    handler: hdel,
  }),
  command({
    name: 'hlen', arity: 2, flags: READ_FAST, categories: ['hash'], keys: [keySpec(['RO'])],
    docs: { summary: 'Returns the number of fields of a hash.', since: '2.0.0', group: 'hash', complexity: 'O(1)', arguments: [KEY_ARG] },
    handler: hlen,
  }),
  command({
    name: 'hstrlen', arity: 3, flags: READ_FAST, categories: ['hash'], keys: [keySpec(['RO'])],
    docs: { summary: 'Returns the length in bytes of the value of a hash field.', since: '3.2.0', group: 'hash', complexity: 'O(1)', arguments: [KEY_ARG, FIELD] },
    handler: hstrlen,
  }),
  command({
    name: 'hexists', arity: 3, flags: READ_FAST, categories: ['hash'], keys: [keySpec(['RO'])],
    docs: { summary: 'Tells whether a field exists in a hash.', since: '2.0.0', group: 'hash', complexity: 'O(1)', arguments: [KEY_ARG, FIELD] },
    handler: hexists,
  }),
  command({
    name: 'hkeys', arity: 2, flags: ['readonly'], categories: ['hash'], keys: [keySpec(['RO', 'access'])], tips: ['nondeterministic_output_order'],
    docs: { summary: 'Returns all field names of a hash.', since: '2.0.0', group: 'hash', complexity: 'O(N), N the size of the hash.', arguments: [KEY_ARG] },
    handler: (ctx) => hgetallGeneric(ctx, KEYS),
  }),
  command({
    name: 'hvals', arity: 2, flags: ['readonly'], categories: ['hash'], keys: [keySpec(['RO', 'access'])], tips: ['nondeterministic_output_order'],
    docs: { summary: 'Returns all values of a hash.', since: '2.0.0', group: 'hash', complexity: 'O(N), N the size of the hash.', arguments: [KEY_ARG] },
    handler: (ctx) => hgetallGeneric(ctx, VALUES),
  }),
  command({
    name: 'hgetall', arity: 2, flags: ['readonly'], categories: ['hash'], keys: [keySpec(['RO', 'access'])], tips: ['nondeterministic_output_order'],
    docs: { summary: 'Returns every field and value of a hash.', since: '2.0.0', group: 'hash', complexity: 'O(N), N the size of the hash.', arguments: [KEY_ARG] },
    handler: (ctx) => hgetallGeneric(ctx, KEYS | VALUES),
  }),
  command({
    name: 'hincrby', arity: 4, flags: WRITE_FAST, categories: ['hash'], keys: [keySpec(['RW', 'access', 'update'])],
    docs: { summary: 'Adds an integer to the integer value of a hash field.', since: '2.0.0', group: 'hash', complexity: 'O(1)',
      arguments: [KEY_ARG, FIELD, { name: 'increment', type: 'integer' }] },
    handler: hincrby,
  }),
  command({
    name: 'hincrbyfloat', arity: 4, flags: WRITE_FAST, categories: ['hash'], keys: [keySpec(['RW', 'access', 'update'])],
    docs: { summary: 'Adds a floating-point number to the numeric value of a hash field.', since: '2.6.0', group: 'hash', complexity: 'O(1)',
      arguments: [KEY_ARG, FIELD, { name: 'increment', type: 'double' }] },
    handler: hincrbyfloat,
  }),
  HRANDFIELD,
  command({
    name: 'hscan', arity: -3, flags: ['readonly'], categories: ['hash'], keys: [keySpec(['RO', 'access'])], tips: ['nondeterministic_output'],
    docs: { summary: 'Iterates over the fields and values of a hash with a cursor.', since: '2.8.0', group: 'hash',
      complexity: 'O(1) per call, O(N) for a whole iteration.', arguments: SCAN_ARGS },
    handler: hscan,
  }),
];
