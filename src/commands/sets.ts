/*
 * Set commands: SADD SREM SCARD SISMEMBER SMISMEMBER SMEMBERS SPOP SRANDMEMBER SMOVE SINTER
 * SINTERCARD SINTERSTORE SUNION SUNIONSTORE SDIFF SDIFFSTORE SSCAN, as Redis 7.0's t_set.c.
 *
 * Design: the value structure and its encodings (intset / hashtable) live in data/settype.ts; the
 * multi-key algebra is in sets-ops.ts and the random commands in sets-random.ts; this file holds
 * the single-key commands and the command table. Invariant: no command leaves an empty set in the
 * keyspace (SREM, SPOP, SMOVE delete the key with its last member; *STORE deletes an empty
 * destination). Side effects (signalModifiedKey, keyspace events, dirty) are placed where t_set.c
 * places them; writes that change nothing leave dirty alone, so they are not propagated.
 */

import { command, type CommandSpec, type ArgSpec, type KeySpec } from './table';
import type { Ctx } from './context';
import { ERR } from './util';
import { lookupRead, lookupWrite, keySpec, KEY_ARG } from './strings-shared';
import { parseScanCursor, parseScanOptions, replyEmptyScan, replyScan, filterMembers, scanMembers } from './scan-shared';
import { newSetFor, setAdd, setHas, setMembers, setRemove, setSize, type HashSet } from '../data/settype';
import { sinterGeneric, sunionDiffGeneric, sintercard, SET_OP_DIFF, SET_OP_UNION } from './sets-ops';
import { spop, srandmember } from './sets-random';

function sadd(ctx: Ctx): void {
  const argv = ctx.argv;
  const key = argv[1];
  let o = lookupWrite(ctx, key);
  if (o !== undefined && o.type !== 'set') return ctx.reply.error(ERR.WRONGTYPE);
  if (o === undefined) {
    o = newSetFor(argv[2], ctx.server.lruClock);
    ctx.db.add(key, o);
  }
  let added = 0;
  for (let j = 2; j < argv.length; j++) if (setAdd(o, argv[j])) added++;
  if (added > 0) {
    ctx.server.signalModifiedKey(ctx.db, key, o);
    ctx.server.notifyKeyspaceEvent('s', 'sadd', key, ctx.db.id);
  }
  ctx.server.dirty += added;
  ctx.reply.int(added);
}

function srem(ctx: Ctx): void {
  const argv = ctx.argv;
  const key = argv[1];
  const o = lookupWrite(ctx, key);
  if (o === undefined) return ctx.reply.int(0);
  if (o.type !== 'set') return ctx.reply.error(ERR.WRONGTYPE);
  let deleted = 0;
  let keyRemoved = false;
  for (let j = 2; j < argv.length; j++) {
    if (setRemove(o, argv[j])) {
      deleted++;
      if (setSize(o) === 0) {
        ctx.db.delete(key);
        keyRemoved = true;
        break;
      }
    }
  }
  if (deleted > 0) {
    ctx.server.signalModifiedKey(ctx.db, key);
    ctx.server.notifyKeyspaceEvent('s', 'srem', key, ctx.db.id);
    if (keyRemoved) ctx.server.notifyKeyspaceEvent('g', 'del', key, ctx.db.id);
    ctx.server.dirty += deleted;
  }
  ctx.reply.int(deleted);
}

function smove(ctx: Ctx): void {
  const [, srcKey, dstKey, member] = ctx.argv;
  const src = lookupWrite(ctx, srcKey);
  const dst = lookupWrite(ctx, dstKey);
  if (src === undefined) return ctx.reply.int(0);
  if (src.type !== 'set' || (dst !== undefined && dst.type !== 'set')) return ctx.reply.error(ERR.WRONGTYPE);
  if (src === dst) return ctx.reply.int(setHas(src, member) ? 1 : 0);
  if (!setRemove(src, member)) return ctx.reply.int(0);
  const db = ctx.db;
  ctx.server.notifyKeyspaceEvent('s', 'srem', srcKey, db.id);
  if (setSize(src) === 0) {
    db.delete(srcKey);
    ctx.server.notifyKeyspaceEvent('g', 'del', srcKey, db.id);
  }
  let target = dst;
  if (target === undefined) {
    target = newSetFor(member, ctx.server.lruClock);
    db.add(dstKey, target);
  }
  ctx.server.signalModifiedKey(db, srcKey);
  ctx.server.dirty++;
  if (setAdd(target, member)) {
    ctx.server.dirty++;
    ctx.server.signalModifiedKey(db, dstKey);
    ctx.server.notifyKeyspaceEvent('s', 'sadd', dstKey, db.id);
  }
  ctx.reply.int(1);
}

function sismember(ctx: Ctx): void {
  const o = lookupRead(ctx, ctx.argv[1]);
  if (o === undefined) return ctx.reply.int(0);
  if (o.type !== 'set') return ctx.reply.error(ERR.WRONGTYPE);
  ctx.reply.int(setHas(o, ctx.argv[2]) ? 1 : 0);
}

function smismember(ctx: Ctx): void {
  const argv = ctx.argv;
  const o = lookupRead(ctx, argv[1]);
  if (o !== undefined && o.type !== 'set') return ctx.reply.error(ERR.WRONGTYPE);
  let out = '*' + (argv.length - 2) + '\r\n';
  for (let j = 2; j < argv.length; j++) out += o !== undefined && setHas(o, argv[j]) ? ':1\r\n' : ':0\r\n';
  ctx.reply.raw(out);
}

function scard(ctx: Ctx): void {
  const o = lookupRead(ctx, ctx.argv[1]);
  if (o === undefined) return ctx.reply.int(0);
  if (o.type !== 'set') return ctx.reply.error(ERR.WRONGTYPE);
  ctx.reply.int(setSize(o));
}

function sscan(ctx: Ctx): void {
  const cursor = parseScanCursor(ctx, 2);
  if (cursor === null) return;
  const o = lookupRead(ctx, ctx.argv[1]);
  if (o === undefined) return replyEmptyScan(ctx);
  if (o.type !== 'set') return ctx.reply.error(ERR.WRONGTYPE);
  const opts = parseScanOptions(ctx, 3);
  if (opts === null) return;
  if (o.enc === 'intset') return replyScan(ctx, 0, filterMembers(opts, setMembers(o)));
  const out: string[] = [];
  const next = scanMembers(o.value as HashSet, cursor, opts, out);
  replyScan(ctx, next, out);
}

/* ------------------------------------------------------------------ table */

const MEMBER: ArgSpec = { name: 'member', type: 'string' };
const MEMBERS: ArgSpec = { name: 'member', type: 'string', flags: ['multiple'] };
const KEYS_ARG: ArgSpec = { name: 'key', type: 'key', key_spec_index: 0, flags: ['multiple'] };
const STORE_ARGS: ArgSpec[] = [
  { name: 'destination', type: 'key', key_spec_index: 0 },
  { name: 'key', type: 'key', key_spec_index: 1, flags: ['multiple'] },
];
const ALL_KEYS: KeySpec[] = [keySpec(['RO', 'access'], -1)];
const SOURCES: KeySpec = { flags: ['RO', 'access'], begin: { index: 2 }, find: { range: [-1, 1, 0] } };
const ALGEBRA = 'O(N*M) worst case, N the size of the smallest set, M the number of sets.';
const TOTAL = 'O(N), N the total number of members of all the sets.';

export const COMMANDS: CommandSpec[] = [
  command({
    name: 'sadd', arity: -3, flags: ['write', 'denyoom', 'fast'], categories: ['set'], keys: [keySpec(['RW', 'insert'])],
    docs: { summary: 'Adds members to a set, creating it if needed.', since: '1.0.0', group: 'set', complexity: 'O(1) per member added.',
      history: [['2.4.0', 'Takes several members.']], arguments: [KEY_ARG, MEMBERS] },
    handler: sadd,
  }),
  command({
    name: 'srem', arity: -3, flags: ['write', 'fast'], categories: ['set'], keys: [keySpec(['RW', 'delete'])],
    docs: { summary: 'Removes members from a set; the key goes with its last member.', since: '1.0.0', group: 'set',
      complexity: 'O(N), N the number of members removed.', history: [['2.4.0', 'Takes several members.']], arguments: [KEY_ARG, MEMBERS] },
    handler: srem,
  }),
  command({
    name: 'scard', arity: 2, flags: ['readonly', 'fast'], categories: ['set'], keys: [keySpec(['RO'])],
    docs: { summary: 'Returns the number of members of a set.', since: '1.0.0', group: 'set', complexity: 'O(1)', arguments: [KEY_ARG] },
    handler: scard,
  }),
  command({
    name: 'sismember', arity: 3, flags: ['readonly', 'fast'], categories: ['set'], keys: [keySpec(['RO'])],
    docs: { summary: 'Tells whether a value is a member of a set.', since: '1.0.0', group: 'set', complexity: 'O(1)', arguments: [KEY_ARG, MEMBER] },
    handler: sismember,
  }),
  command({
    name: 'smismember', arity: -3, flags: ['readonly', 'fast'], categories: ['set'], keys: [keySpec(['RO', 'access'])],
    docs: { summary: 'Tells, for each of several values, whether it is a member of a set.', since: '6.2.0', group: 'set',
      complexity: 'O(N), N the number of values checked.', arguments: [KEY_ARG, MEMBERS] },
    handler: smismember,
  }),
  command({
    name: 'smembers', arity: 2, flags: ['readonly'], categories: ['set'], keys: [keySpec(['RO', 'access'])], tips: ['nondeterministic_output_order'],
    docs: { summary: 'Returns all members of a set.', since: '1.0.0', group: 'set', complexity: 'O(N), N the size of the set.', arguments: [KEY_ARG] },
    handler: (ctx) => sinterGeneric(ctx, [ctx.argv[1]], null, false, 0),
  }),
  command({
    name: 'spop', arity: -2, flags: ['write', 'fast'], categories: ['set'], keys: [keySpec(['RW', 'access', 'delete'])], tips: ['nondeterministic_output'],
    docs: { summary: 'Removes and returns one or more random members of a set.', since: '1.0.0', group: 'set',
      complexity: 'O(1) without count, else O(N), N the count.', history: [['3.2.0', 'Takes a `count`.']],
      arguments: [KEY_ARG, { name: 'count', type: 'integer', since: '3.2.0', flags: ['optional'] }] },
    handler: spop,
  }),
  command({
    name: 'srandmember', arity: -2, flags: ['readonly'], categories: ['set'], keys: [keySpec(['RO', 'access'])], tips: ['nondeterministic_output'],
    docs: { summary: 'Returns one or more random members of a set, leaving the set as it is.', since: '1.0.0', group: 'set',
      complexity: 'O(1) without count, else O(N), N the absolute count.', history: [['2.6.0', 'Takes a `count`.']],
      arguments: [KEY_ARG, { name: 'count', type: 'integer', since: '2.6.0', flags: ['optional'] }] },
    handler: srandmember,
  }),
  command({
    name: 'smove', arity: 4, flags: ['write', 'fast'], categories: ['set'],
    keys: [keySpec(['RW', 'access', 'delete']), { flags: ['RW', 'insert'], begin: { index: 2 }, find: { range: [0, 1, 0] } }],
    docs: { summary: 'Moves a member from one set to another.', since: '1.0.0', group: 'set', complexity: 'O(1)',
      arguments: [{ name: 'source', type: 'key', key_spec_index: 0 }, { name: 'destination', type: 'key', key_spec_index: 1 }, MEMBER] },
    handler: smove,
  }),
  command({
    name: 'sinter', arity: -2, flags: ['readonly'], categories: ['set'], keys: ALL_KEYS, tips: ['nondeterministic_output_order'],
    docs: { summary: 'Returns the intersection of sets.', since: '1.0.0', group: 'set', complexity: ALGEBRA, arguments: [KEYS_ARG] },
    handler: (ctx) => sinterGeneric(ctx, ctx.argv.slice(1), null, false, 0),
  }),
  command({
    name: 'sintercard', arity: -3, flags: ['readonly'], categories: ['set'],
    keys: [{ flags: ['RO', 'access'], begin: { index: 1 }, find: { keynum: [0, 1, 1] } }],
    docs: { summary: 'Returns the size of the intersection of sets, optionally capped.', since: '7.0.0', group: 'set', complexity: ALGEBRA,
      arguments: [{ name: 'numkeys', type: 'integer' }, KEYS_ARG, { name: 'limit', type: 'integer', token: 'LIMIT', flags: ['optional'] }] },
    handler: sintercard,
  }),
  command({
    name: 'sinterstore', arity: -3, flags: ['write', 'denyoom'], categories: ['set'], keys: [keySpec(['RW', 'update']), SOURCES],
    docs: { summary: 'Stores the intersection of sets in a key.', since: '1.0.0', group: 'set', complexity: ALGEBRA, arguments: STORE_ARGS },
    handler: (ctx) => sinterGeneric(ctx, ctx.argv.slice(2), ctx.argv[1], false, 0),
  }),
  command({
    name: 'sunion', arity: -2, flags: ['readonly'], categories: ['set'], keys: ALL_KEYS, tips: ['nondeterministic_output_order'],
    docs: { summary: 'Returns the union of sets.', since: '1.0.0', group: 'set', complexity: TOTAL, arguments: [KEYS_ARG] },
    handler: (ctx) => sunionDiffGeneric(ctx, ctx.argv.slice(1), null, SET_OP_UNION),
  }),
  command({
    name: 'sunionstore', arity: -3, flags: ['write', 'denyoom'], categories: ['set'], keys: [keySpec(['OW', 'update']), SOURCES],
    docs: { summary: 'Stores the union of sets in a key.', since: '1.0.0', group: 'set', complexity: TOTAL, arguments: STORE_ARGS },
    handler: (ctx) => sunionDiffGeneric(ctx, ctx.argv.slice(2), ctx.argv[1], SET_OP_UNION),
  }),
  command({
    name: 'sdiff', arity: -2, flags: ['readonly'], categories: ['set'], keys: ALL_KEYS, tips: ['nondeterministic_output_order'],
    docs: { summary: 'Returns the members of the first set that are in none of the others.', since: '1.0.0', group: 'set', complexity: TOTAL,
      arguments: [KEYS_ARG] },
    handler: (ctx) => sunionDiffGeneric(ctx, ctx.argv.slice(1), null, SET_OP_DIFF),
  }),
  command({
    name: 'sdiffstore', arity: -3, flags: ['write', 'denyoom'], categories: ['set'], keys: [keySpec(['OW', 'update']), SOURCES],
    docs: { summary: 'Stores the difference of sets in a key.', since: '1.0.0', group: 'set', complexity: TOTAL, arguments: STORE_ARGS },
    handler: (ctx) => sunionDiffGeneric(ctx, ctx.argv.slice(2), ctx.argv[1], SET_OP_DIFF),
  }),
  command({
    name: 'sscan', arity: -3, flags: ['readonly'], categories: ['set'], keys: [keySpec(['RO', 'access'])], tips: ['nondeterministic_output'],
    docs: { summary: 'Iterates over the members of a set with a cursor.', since: '2.8.0', group: 'set',
      complexity: 'O(1) per call, O(N) for a whole iteration.',
      arguments: [KEY_ARG, { name: 'cursor', type: 'integer' },
        { name: 'pattern', type: 'pattern', token: 'MATCH', flags: ['optional'] },
        { name: 'count', type: 'integer', token: 'COUNT', flags: ['optional'] }] },
    handler: sscan,
  }),
];
