/*
 * String commands: the GET/SET family (GET SET SETNX SETEX PSETEX GETSET GETDEL GETEX MGET MSET
 * MSETNX). Counters live in strings-num.ts, APPEND/ranges/LCS in strings-range.ts; this file
 * assembles the whole family's table.
 *
 * Design:
 *  - GET, SET (without options), MGET and MSET are the hot path: one lookup or one RObj per key, no
 *    option parsing, no regex, no bigint.
 *  - Option parsing mirrors Redis's parseExtendedStringArgumentsOrReply: each option is accepted
 *    only if no conflicting one was seen before it, otherwise the whole command is a syntax error;
 *    repeating an option is allowed and the last value wins.
 *  - Relative expirations become absolute unix ms here, and the write is propagated in absolute
 *    form (SET ... PXAT, PEXPIREAT), as Redis 7.0 does, so a replica or an AOF replay lands on the
 *    same deadline.
 *  - server.dirty grows by one per key written, exactly where Redis increments it.
 */

import { command, type CommandSpec, type KeyRef, type KeySpecFlag } from './table';
import type { Ctx } from './context';
import { ERR } from './util';
import { LLONG_MAX_N, parseInt64 } from '../data/strnum';
import { RObj } from '../data/keyspace';
import { strValue } from '../data/bytes';
import { lookupRead, lookupWrite, newString, optIs, lazyFlag, keySpec, KEY_ARG, encodingOf } from './strings-shared';
import { NUM_COMMANDS } from './strings-num';
import { RANGE_COMMANDS } from './strings-range';

/* Option bits, as in Redis's t_string.c */
const NX = 1 << 0;
const XX = 1 << 1;
const EX = 1 << 2;
const PX = 1 << 3;
const KEEPTTL = 1 << 4;
const GET = 1 << 5;
const EXAT = 1 << 6;
const PXAT = 1 << 7;
const PERSIST = 1 << 8;
const ANY_EXPIRE = EX | PX | EXAT | PXAT;

/* ------------------------------------------------------------------ GET */

function get(ctx: Ctx): void {
  const o = lookupRead(ctx, ctx.argv[1]);
  if (o === undefined) return ctx.reply.nullBulk();
  if (o.type !== 'string') return ctx.reply.error(ERR.WRONGTYPE);
  ctx.reply.bulk(strValue(o.value));
}

/** GET's reply for SET ... GET, GETSET and GETDEL; false when the key holds another type. */
function replyGet(ctx: Ctx): boolean {
  const o = lookupRead(ctx, ctx.argv[1]);
  if (o === undefined) {
    ctx.reply.nullBulk();
    return true;
  }
  if (o.type !== 'string') {
    ctx.reply.error(ERR.WRONGTYPE);
    return false;
  }
  ctx.reply.bulk(strValue(o.value));
  return true;
}

/* ------------------------------------------------------------------ option parsing */

interface Parsed {
  flags: number;
  /** index in argv of the expire value, or 0 */
  expireAt: number;
}

const parsed: Parsed = { flags: 0, expireAt: 0 };

/**
 * Parses SET options (from argv[3]) or GETEX options (from argv[2]). Returns null after replying
 * a syntax error. The returned object is reused: read it before the next call.
 */
function parseOptions(ctx: Ctx, forSet: boolean): Parsed | null {
  const argv = ctx.argv;
  let flags = 0;
  let expireAt = 0;
  for (let j = forSet ? 3 : 2; j < argv.length; j++) {
    const a = argv[j];
    const hasNext = j < argv.length - 1;
    if (forSet && optIs(a, 'NX') && !(flags & XX)) {
      flags |= NX;
    } else if (forSet && optIs(a, 'XX') && !(flags & NX)) {
      flags |= XX;
    } else if (forSet && optIs(a, 'GET')) {
      flags |= GET;
    } else if (forSet && optIs(a, 'KEEPTTL') && !(flags & (PERSIST | ANY_EXPIRE))) {
      flags |= KEEPTTL;
    } else if (!forSet && optIs(a, 'PERSIST') && !(flags & (ANY_EXPIRE | KEEPTTL))) {
      flags |= PERSIST;
    } else if (optIs(a, 'EX') && !(flags & (KEEPTTL | PERSIST | EXAT | PX | PXAT)) && hasNext) {
      flags |= EX;
      expireAt = ++j;
    } else if (optIs(a, 'PX') && !(flags & (KEEPTTL | PERSIST | EX | EXAT | PXAT)) && hasNext) {
      flags |= PX;
      expireAt = ++j;
    } else if (optIs(a, 'EXAT') && !(flags & (KEEPTTL | PERSIST | EX | PX | PXAT)) && hasNext) {
      flags |= EXAT;
      expireAt = ++j;
    } else if (optIs(a, 'PXAT') && !(flags & (KEEPTTL | PERSIST | EX | EXAT | PX)) && hasNext) {
      flags |= PXAT;
      expireAt = ++j;
    } else {
      ctx.reply.error(ERR.SYNTAX);
      return null;
    }
  }
  parsed.flags = flags;
  parsed.expireAt = expireAt;
  return parsed;
}

/**
 * Converts an EX/PX/EXAT/PXAT argument to an absolute unix time in ms, with Redis's checks: not an
 * integer, not positive, or overflowing 64 bits once scaled and offset by now is an error (replied
 * here; the return is then null). Large deadlines come back as bigint so propagation stays exact.
 */
function absoluteExpire(ctx: Ctx, arg: string, flags: number): number | bigint | null {
  const v = parseInt64(arg);
  if (v === null) {
    ctx.reply.error(ERR.NOT_INTEGER);
    return null;
  }
  const seconds = (flags & (EX | EXAT)) !== 0;
  const relative = (flags & (EX | PX)) !== 0;
  if (typeof v === 'number') {
    if (v <= 0) {
      ctx.reply.error(ERR.INVALID_EXPIRE(ctx.cmd.fullname));
      return null;
    }
    const ms = (seconds ? v * 1000 : v) + (relative ? ctx.now : 0);
    if (Number.isSafeInteger(ms)) return ms;
  }
  const b = BigInt(v);
  if (b <= 0n || (seconds && b > LLONG_MAX_N / 1000n)) {
    ctx.reply.error(ERR.INVALID_EXPIRE(ctx.cmd.fullname));
    return null;
  }
  const ms = (seconds ? b * 1000n : b) + (relative ? BigInt(ctx.now) : 0n);
  if (ms > LLONG_MAX_N) {
    // Redis's signed addition wraps negative here and it reports the same error
    ctx.reply.error(ERR.INVALID_EXPIRE(ctx.cmd.fullname));
    return null;
  }
  return ms;
}

/* ------------------------------------------------------------------ SET family */

const REPLY_OK = 0;
const REPLY_ONE = 1;

/**
 * The common body of SET, SETNX, SETEX and PSETEX. `okReply` says what success answers (+OK or
 * :1); a refused NX/XX answers null for SET and :0 for SETNX.
 */
function setGeneric(ctx: Ctx, flags: number, key: string, val: string, expireArg: string | null, okReply: number): void {
  let when: number | bigint = 0;
  if (expireArg !== null) {
    const w = absoluteExpire(ctx, expireArg, flags);
    if (w === null) return;
    when = w;
  }
  if (flags & GET && !replyGet(ctx)) return;
  const found = lookupWrite(ctx, key) !== undefined;
  if ((flags & NX && found) || (flags & XX && !found)) {
    if (!(flags & GET)) {
      if (okReply === REPLY_ONE) ctx.reply.int(0);
      else ctx.reply.nullBulk();
    }
    return;
  }
  ctx.db.set(key, newString(ctx, val), (flags & KEEPTTL) !== 0);
  ctx.server.signalModifiedKey(ctx.db, key);
  ctx.server.dirty++;
  ctx.server.notifyKeyspaceEvent('$', 'set', key, ctx.db.id);
  if (expireArg !== null) {
    ctx.db.setExpire(key, Number(when));
    ctx.server.notifyKeyspaceEvent('g', 'expire', key, ctx.db.id);
    ctx.propagateAs = [['SET', key, val, 'PXAT', typeof when === 'number' ? '' + when : when.toString()]];
  } else if (flags & GET) {
    // replicas do not need the old value: drop every GET token
    const argv = ctx.argv;
    const out = [argv[0], argv[1], argv[2]];
    for (let j = 3; j < argv.length; j++) if (!optIs(argv[j], 'GET')) out.push(argv[j]);
    ctx.propagateAs = [out];
  }
  if (!(flags & GET)) {
    if (okReply === REPLY_ONE) ctx.reply.int(1);
    else ctx.reply.ok();
  }
}

function set(ctx: Ctx): void {
  const argv = ctx.argv;
  if (argv.length === 3) {
    const v = argv[2];
    const o = new RObj('string', v, encodingOf(v), ctx.server.lruClock);
    ctx.db.set(argv[1], o);
    ctx.server.signalModifiedKey(ctx.db, argv[1], o);
    ctx.server.dirty++;
    ctx.server.notifyKeyspaceEvent('$', 'set', argv[1], ctx.db.id);
    return ctx.reply.ok();
  }
  const p = parseOptions(ctx, true);
  if (p === null) return;
  setGeneric(ctx, p.flags, argv[1], argv[2], p.expireAt ? argv[p.expireAt] : null, REPLY_OK);
}

function setnx(ctx: Ctx): void {
  setGeneric(ctx, NX, ctx.argv[1], ctx.argv[2], null, REPLY_ONE);
}

function setex(ctx: Ctx): void {
  setGeneric(ctx, EX, ctx.argv[1], ctx.argv[3], ctx.argv[2], REPLY_OK);
}

function psetex(ctx: Ctx): void {
  setGeneric(ctx, PX, ctx.argv[1], ctx.argv[3], ctx.argv[2], REPLY_OK);
}

function getset(ctx: Ctx): void {
  if (!replyGet(ctx)) return;
  const key = ctx.argv[1];
  ctx.db.set(key, newString(ctx, ctx.argv[2]));
  ctx.server.signalModifiedKey(ctx.db, key);
  ctx.server.notifyKeyspaceEvent('$', 'set', key, ctx.db.id);
  ctx.server.dirty++;
  ctx.propagateAs = [['SET', key, ctx.argv[2]]];
}

function getdel(ctx: Ctx): void {
  if (!replyGet(ctx)) return;
  const key = ctx.argv[1];
  if (ctx.db.delete(key)) {
    ctx.propagateAs = [[lazyFlag(ctx, 'lazyfree-lazy-user-del') ? 'UNLINK' : 'DEL', key]];
    ctx.server.signalModifiedKey(ctx.db, key);
    ctx.server.notifyKeyspaceEvent('g', 'del', key, ctx.db.id);
    ctx.server.dirty++;
  }
}

function getex(ctx: Ctx): void {
  const p = parseOptions(ctx, false);
  if (p === null) return;
  const flags = p.flags;
  const expireArg = p.expireAt ? ctx.argv[p.expireAt] : null;
  const key = ctx.argv[1];
  const o = lookupRead(ctx, key);
  if (o === undefined) return ctx.reply.nullBulk();
  if (o.type !== 'string') return ctx.reply.error(ERR.WRONGTYPE);
  let when: number | bigint = 0;
  if (expireArg !== null) {
    const w = absoluteExpire(ctx, expireArg, flags);
    if (w === null) return;
    when = w;
  }
  ctx.reply.bulk(strValue(o.value));
  if (flags & (EXAT | PXAT) && when <= ctx.now) {
    // an absolute deadline already in the past deletes the key right away
    ctx.db.delete(key);
    ctx.propagateAs = [[lazyFlag(ctx, 'lazyfree-lazy-expire') ? 'UNLINK' : 'DEL', key]];
    ctx.server.signalModifiedKey(ctx.db, key);
    ctx.server.notifyKeyspaceEvent('g', 'del', key, ctx.db.id);
    ctx.server.dirty++;
  } else if (expireArg !== null) {
    ctx.db.setExpire(key, Number(when));
    ctx.propagateAs = [['PEXPIREAT', key, typeof when === 'number' ? '' + when : when.toString()]];
    ctx.server.signalModifiedKey(ctx.db, key);
    ctx.server.notifyKeyspaceEvent('g', 'expire', key, ctx.db.id);
    ctx.server.dirty++;
  } else if (flags & PERSIST) {
    if (ctx.db.persist(key)) {
      ctx.propagateAs = [['PERSIST', key]];
      ctx.server.signalModifiedKey(ctx.db, key);
      ctx.server.notifyKeyspaceEvent('g', 'persist', key, ctx.db.id);
      ctx.server.dirty++;
    }
  }
}

/**
 * SET's key is read (and so needs read access) only with GET; otherwise it is overwritten, as in
 * Redis's setGetKeys.
 */
function setKeyRefs(argv: string[]): KeyRef[] {
  for (let i = 3; i < argv.length; i++) if (optIs(argv[i], 'GET')) return [{ index: 1, flags: SET_GET_FLAGS }];
  return [{ index: 1, flags: SET_PLAIN_FLAGS }];
}
const SET_GET_FLAGS: KeySpecFlag[] = ['RW', 'access', 'update'];
const SET_PLAIN_FLAGS: KeySpecFlag[] = ['OW', 'update'];

/* ------------------------------------------------------------------ multi-key */

function mget(ctx: Ctx): void {
  const argv = ctx.argv;
  const reply = ctx.reply;
  reply.array(argv.length - 1);
  for (let j = 1; j < argv.length; j++) {
    const o = lookupRead(ctx, argv[j]);
    if (o === undefined || o.type !== 'string') reply.nullBulk();
    else reply.bulk(strValue(o.value));
  }
}

function msetGeneric(ctx: Ctx, nx: boolean): void {
  const argv = ctx.argv;
  if (argv.length % 2 === 0) return ctx.reply.error(`ERR wrong number of arguments for '${ctx.cmd.fullname}' command`);
  if (nx) {
    for (let j = 1; j < argv.length; j += 2) {
      if (lookupWrite(ctx, argv[j]) !== undefined) return ctx.reply.int(0);
    }
  }
  const lru = ctx.server.lruClock;
  for (let j = 1; j < argv.length; j += 2) {
    const v = argv[j + 1];
    ctx.db.set(argv[j], new RObj('string', v, encodingOf(v), lru));
    ctx.server.signalModifiedKey(ctx.db, argv[j]);
    ctx.server.notifyKeyspaceEvent('$', 'set', argv[j], ctx.db.id);
  }
  ctx.server.dirty += (argv.length - 1) / 2;
  if (nx) ctx.reply.int(1);
  else ctx.reply.ok();
}

/* ------------------------------------------------------------------ table */

const EXPIRATION_ARGS = [
  { name: 'seconds', type: 'integer', token: 'EX' },
  { name: 'milliseconds', type: 'integer', token: 'PX' },
  { name: 'unix-time-seconds', type: 'unix-time', token: 'EXAT' },
  { name: 'unix-time-milliseconds', type: 'unix-time', token: 'PXAT' },
] as const;

const OWN_COMMANDS: CommandSpec[] = [
  command({
    name: 'get', arity: 2, flags: ['readonly', 'fast'], categories: ['string'],
    keys: [keySpec(['RO', 'access'])],
    docs: { summary: 'Returns the string stored at a key.', since: '1.0.0', group: 'string', complexity: 'O(1)', arguments: [KEY_ARG] },
    handler: get,
  }),
  command({
    name: 'set', arity: -3, flags: ['write', 'denyoom'], categories: ['string'],
    keys: [keySpec(['RW', 'access', 'update', 'variable_flags'], 0, 1, 'Read as well as written: with `GET` the old value is returned.')],
    docs: {
      summary: 'Stores a string at a key, optionally under a condition and with an expiry.', since: '1.0.0', group: 'string', complexity: 'O(1)',
      history: [
        ['2.6.12', 'Accepts `EX`, `PX`, `NX` and `XX`.'],
        ['6.0.0', 'Accepts `KEEPTTL`.'],
        ['6.2.0', 'Accepts `GET`, `EXAT` and `PXAT`.'],
        ['7.0.0', '`NX` and `GET` may be combined.'],
      ],
      arguments: [
        KEY_ARG,
        { name: 'value', type: 'string' },
        { name: 'condition', type: 'oneof', since: '2.6.12', flags: ['optional'], arguments: [
          { name: 'nx', type: 'pure-token', token: 'NX' },
          { name: 'xx', type: 'pure-token', token: 'XX' },
        ] },
        { name: 'get', type: 'pure-token', token: 'GET', since: '6.2.0', flags: ['optional'] },
        { name: 'expiration', type: 'oneof', flags: ['optional'], arguments: [
          { ...EXPIRATION_ARGS[0], since: '2.6.12' },
          { ...EXPIRATION_ARGS[1], since: '2.6.12' },
          { ...EXPIRATION_ARGS[2], since: '6.2.0' },
          { ...EXPIRATION_ARGS[3], since: '6.2.0' },
          { name: 'keepttl', type: 'pure-token', token: 'KEEPTTL', since: '6.0.0' },
        ] },
      ],
    },
    handler: set,
    getKeyRefs: setKeyRefs,
  }),
  command({
    name: 'setnx', arity: 3, flags: ['write', 'denyoom', 'fast'], categories: ['string'],
    keys: [keySpec(['OW', 'insert'])],
    docs: { summary: 'Stores a string at a key unless the key already exists.', since: '1.0.0', group: 'string', complexity: 'O(1)',
      arguments: [KEY_ARG, { name: 'value', type: 'string' }] },
    handler: setnx,
  }),
  command({
    name: 'setex', arity: 4, flags: ['write', 'denyoom'], categories: ['string'],
    keys: [keySpec(['OW', 'update'])],
    docs: { summary: 'Stores a string at a key with a time to live in seconds.', since: '2.0.0', group: 'string', complexity: 'O(1)',
      arguments: [KEY_ARG, { name: 'seconds', type: 'integer' }, { name: 'value', type: 'string' }] },
    handler: setex,
  }),
  command({
    name: 'psetex', arity: 4, flags: ['write', 'denyoom'], categories: ['string'],
    keys: [keySpec(['OW', 'update'])],
    docs: { summary: 'Stores a string at a key with a time to live in milliseconds.', since: '2.6.0', group: 'string', complexity: 'O(1)',
      arguments: [KEY_ARG, { name: 'milliseconds', type: 'integer' }, { name: 'value', type: 'string' }] },
    handler: psetex,
  }),
  command({
    name: 'getset', arity: 3, flags: ['write', 'denyoom', 'fast'], categories: ['string'],
    keys: [keySpec(['RW', 'access', 'update'])],
    docs: { summary: 'Stores a string at a key and returns the string it replaced.', since: '1.0.0', group: 'string', complexity: 'O(1)',
      doc_flags: ['deprecated'], deprecated_since: '6.2.0', replaced_by: '`SET` with its `GET` option',
      arguments: [KEY_ARG, { name: 'value', type: 'string' }] },
    handler: getset,
  }),
  command({
    name: 'getdel', arity: 2, flags: ['write', 'fast'], categories: ['string'],
    keys: [keySpec(['RW', 'access', 'delete'])],
    docs: { summary: 'Returns the string stored at a key and removes the key.', since: '6.2.0', group: 'string', complexity: 'O(1)', arguments: [KEY_ARG] },
    handler: getdel,
  }),
  command({
    name: 'getex', arity: -2, flags: ['write', 'fast'], categories: ['string'],
    keys: [keySpec(['RW', 'access', 'update'], 0, 1, 'Written as well as read: the options change the expiry.')],
    docs: { summary: 'Returns the string stored at a key, optionally changing or removing its expiry.', since: '6.2.0', group: 'string', complexity: 'O(1)',
      arguments: [KEY_ARG, { name: 'expiration', type: 'oneof', flags: ['optional'], arguments: [
        ...EXPIRATION_ARGS,
        { name: 'persist', type: 'pure-token', token: 'PERSIST' },
      ] }] },
    handler: getex,
  }),
  command({
    name: 'mget', arity: -2, flags: ['readonly', 'fast'], categories: ['string'],
    keys: [keySpec(['RO', 'access'], -1)], tips: ['request_policy:multi_shard'],
    docs: { summary: 'Returns the strings stored at several keys.', since: '1.0.0', group: 'string', complexity: 'O(N), N being the number of keys named.',
      arguments: [{ ...KEY_ARG, flags: ['multiple'] }] },
    handler: mget,
  }),
  command({
    name: 'mset', arity: -3, flags: ['write', 'denyoom'], categories: ['string'],
    keys: [keySpec(['OW', 'update'], -1, 2)], tips: ['request_policy:multi_shard', 'response_policy:all_succeeded'],
    docs: { summary: 'Stores strings at several keys at once.', since: '1.0.1', group: 'string', complexity: 'O(N), N being the number of keys written.',
      arguments: [{ name: 'key_value', type: 'block', flags: ['multiple'], arguments: [KEY_ARG, { name: 'value', type: 'string' }] }] },
    handler: (ctx) => msetGeneric(ctx, false),
  }),
  command({
    name: 'msetnx', arity: -3, flags: ['write', 'denyoom'], categories: ['string'],
    keys: [keySpec(['OW', 'insert'], -1, 2)], tips: ['request_policy:multi_shard', 'response_policy:agg_min'],
    docs: { summary: 'Stores strings at several keys, only when none of them exists.', since: '1.0.1', group: 'string', complexity: 'O(N), N being the number of keys written.',
      arguments: [{ name: 'key_value', type: 'block', flags: ['multiple'], arguments: [KEY_ARG, { name: 'value', type: 'string' }] }] },
    handler: (ctx) => msetGeneric(ctx, true),
  }),
];

export const COMMANDS: CommandSpec[] = [...OWN_COMMANDS, ...NUM_COMMANDS, ...RANGE_COMMANDS];
