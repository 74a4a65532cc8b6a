/*
 * Key expiry commands: EXPIRE PEXPIRE EXPIREAT PEXPIREAT TTL PTTL EXPIRETIME PEXPIRETIME PERSIST,
 * and the small lookup helpers the generic key commands share.
 *
 * Times are 64-bit integers end to end (BigInt while computing, exact in the keyspace through
 * setExpireBig/getExpireBig), so overflow checks, replies and propagation match Redis bit for bit,
 * at the edges of the 64-bit range.
 *
 * Propagation (AOF, replicas) never carries a relative time: a successful EXPIRE family command is
 * propagated as PEXPIREAT with the absolute time in ms (its NX/XX/GT/LT options kept), and a time
 * already in the past deletes the key and is propagated as DEL (UNLINK with lazyfree-lazy-expire).
 */

import { command, type CommandSpec } from './table';
import type { Ctx } from './context';
import type { RObj } from '../data/keyspace';
import { ERR, LLONG_MAX, LLONG_MIN, parseLongLong } from './util';

/** Lookup for a command that reads: lazy expiry, keyspace hit/miss stats, and (if touch) the LRU clock. */
export function lookupRead(ctx: Ctx, key: string, touch: boolean): RObj | undefined {
  const o = touch ? ctx.db.lookupTouch(key, ctx.now, ctx.server.lruClock) : ctx.db.lookup(key, ctx.now);
  if (o === undefined) ctx.server.stats.keyspaceMisses++;
  else ctx.server.stats.keyspaceHits++;
  return o;
}

/** Lookup for a command that writes: lazy expiry and LRU clock, no hit/miss stats (as Redis). */
export function lookupWrite(ctx: Ctx, key: string): RObj | undefined {
  return ctx.db.lookupTouch(key, ctx.now, ctx.server.lruClock);
}

/** A C string view of an argument: printf's %s stops at the first NUL byte. */
export function cstr(s: string): string {
  const z = s.indexOf('\0');
  return z < 0 ? s : s.slice(0, z);
}

/** Reads a boolean directive that may not be declared yet. */
export function configFlag(ctx: Ctx, name: string): boolean {
  const v = ctx.server.config.lookup(name)?.value;
  return v === true || v === 'yes';
}

const EXPIRE_NX = 1;
const EXPIRE_XX = 2;
const EXPIRE_GT = 4;
const EXPIRE_LT = 8;

/** Parses NX/XX/GT/LT after the time; returns the flag bits or null after replying an error. */
function parseExpireFlags(ctx: Ctx): number | null {
  let flags = 0;
  for (let j = 3; j < ctx.argv.length; j++) {
    const opt = ctx.argv[j].toLowerCase();
    if (opt === 'nx') flags |= EXPIRE_NX;
    else if (opt === 'xx') flags |= EXPIRE_XX;
    else if (opt === 'gt') flags |= EXPIRE_GT;
    else if (opt === 'lt') flags |= EXPIRE_LT;
    else {
      ctx.reply.error(`ERR Unsupported option ${cstr(ctx.argv[j])}`);
      return null;
    }
  }
  if (flags & EXPIRE_NX && flags & (EXPIRE_XX | EXPIRE_GT | EXPIRE_LT)) {
    ctx.reply.error('ERR NX and XX, GT or LT options at the same time are not compatible');
    return null;
  }
  if (flags & EXPIRE_GT && flags & EXPIRE_LT) {
    ctx.reply.error('ERR GT and LT options at the same time are not compatible');
    return null;
  }
  return flags;
}

/**
 * The EXPIRE family. `relative`: the time is added to now; `seconds`: the unit is seconds.
 */
function expireGeneric(ctx: Ctx, relative: boolean, seconds: boolean): void {
  const key = ctx.argv[1];
  const flags = parseExpireFlags(ctx);
  if (flags === null) return;
  let when = parseLongLong(ctx.argv[2]);
  if (when === null) return ctx.reply.error(ERR.NOT_INTEGER);
  const basetime = relative ? BigInt(ctx.now) : 0n;
  if (seconds) {
    // C's LLONG_MAX / 1000 truncates toward zero, as BigInt division does.
    if (when > LLONG_MAX / 1000n || when < LLONG_MIN / 1000n) return ctx.reply.error(ERR.INVALID_EXPIRE(ctx.cmd.fullname));
    when *= 1000n;
  }
  if (when > LLONG_MAX - basetime) return ctx.reply.error(ERR.INVALID_EXPIRE(ctx.cmd.fullname));
  when += basetime;

  if (lookupWrite(ctx, key) === undefined) return ctx.reply.int(0);

  if (flags !== 0) {
    const current = ctx.db.getExpireBig(key);
    if (flags & EXPIRE_NX && current !== undefined) return ctx.reply.int(0);
    if (flags & EXPIRE_XX && current === undefined) return ctx.reply.int(0);
    // No TTL counts as an infinite one: GT never beats it, LT always does.
    if (flags & EXPIRE_GT && (current === undefined || when <= current)) return ctx.reply.int(0);
    if (flags & EXPIRE_LT && current !== undefined && when >= current) return ctx.reply.int(0);
  }

  if (when <= BigInt(ctx.now)) {
    ctx.db.delete(key);
    ctx.server.signalModifiedKey(ctx.db, key);
    ctx.server.notifyKeyspaceEvent('g', 'del', key, ctx.db.id);
    ctx.server.dirty++;
    ctx.propagateAs = [[configFlag(ctx, 'lazyfree-lazy-expire') ? 'UNLINK' : 'DEL', key]];
    return ctx.reply.int(1);
  }
  ctx.db.setExpireBig(key, when);
  ctx.server.signalModifiedKey(ctx.db, key);
  ctx.server.notifyKeyspaceEvent('g', 'expire', key, ctx.db.id);
  ctx.server.dirty++;
  const argv = ctx.argv.slice();
  if (ctx.cmd.fullname !== 'pexpireat') argv[0] = 'PEXPIREAT';
  argv[2] = when.toString();
  ctx.propagateAs = [argv];
  ctx.reply.int(1);
}

function expireCommand(ctx: Ctx): void {
  expireGeneric(ctx, true, true);
}
function pexpireCommand(ctx: Ctx): void {
  expireGeneric(ctx, true, false);
}
function expireatCommand(ctx: Ctx): void {
  expireGeneric(ctx, false, true);
}
function pexpireatCommand(ctx: Ctx): void {
  expireGeneric(ctx, false, false);
}

/** TTL and friends: -2 no key, -1 no expiry; `absolute` reports the expiry time itself. */
function ttlGeneric(ctx: Ctx, ms: boolean, absolute: boolean): void {
  const key = ctx.argv[1];
  if (lookupRead(ctx, key, false) === undefined) return ctx.reply.int(-2);
  const expire = ctx.db.getExpireBig(key);
  if (expire === undefined) return ctx.reply.int(-1);
  let ttl = absolute ? expire : expire - BigInt(ctx.now);
  if (ttl < 0n) ttl = 0n;
  // Rounded to the nearest second; ttl is non-negative here, so near 2^63 this does not wrap
  // (Redis's compiled arithmetic does not either).
  ctx.reply.int(ms ? ttl : (ttl + 500n) / 1000n);
}

function ttlCommand(ctx: Ctx): void {
  ttlGeneric(ctx, false, false);
}
function pttlCommand(ctx: Ctx): void {
  ttlGeneric(ctx, true, false);
}
function expiretimeCommand(ctx: Ctx): void {
  ttlGeneric(ctx, false, true);
}
function pexpiretimeCommand(ctx: Ctx): void {
  ttlGeneric(ctx, true, true);
}

function persistCommand(ctx: Ctx): void {
  const key = ctx.argv[1];
  if (lookupWrite(ctx, key) === undefined || !ctx.db.persist(key)) return ctx.reply.int(0);
  ctx.server.signalModifiedKey(ctx.db, key);
  ctx.server.notifyKeyspaceEvent('g', 'persist', key, ctx.db.id);
  ctx.server.dirty++;
  ctx.reply.int(1);
}

export const EXPIRE_COMMANDS: CommandSpec[] = [
  command({
    name: 'expire', arity: -3, flags: ['write', 'fast'], categories: ['keyspace'],
    keys: [{ flags: ['RW', 'update'], begin: {index: 1}, find: {range: [0, 1, 0]} }],
    docs: { summary: "Sets a key's time to live, in seconds.", since: '1.0.0', group: 'generic', complexity: 'O(1)', history: [['7.0.0', 'Accepts the `NX`, `XX`, `GT` and `LT` conditions.']], arguments: [{ name: 'key', type: 'key', key_spec_index: 0 }, { name: 'seconds', type: 'integer' }, { name: 'condition', type: 'oneof', since: '7.0.0', flags: ['optional'], arguments: [{ name: 'nx', type: 'pure-token', token: 'NX' }, { name: 'xx', type: 'pure-token', token: 'XX' }, { name: 'gt', type: 'pure-token', token: 'GT' }, { name: 'lt', type: 'pure-token', token: 'LT' }] }] },
    handler: expireCommand,
  }),
  command({
    name: 'pexpire', arity: -3, flags: ['write', 'fast'], categories: ['keyspace'],
    keys: [{ flags: ['RW', 'update'], begin: {index: 1}, find: {range: [0, 1, 0]} }],
    docs: { summary: "Sets a key's time to live, in milliseconds.", since: '2.6.0', group: 'generic', complexity: 'O(1)', history: [['7.0.0', 'Accepts the `NX`, `XX`, `GT` and `LT` conditions.']], arguments: [{ name: 'key', type: 'key', key_spec_index: 0 }, { name: 'milliseconds', type: 'integer' }, { name: 'condition', type: 'oneof', since: '7.0.0', flags: ['optional'], arguments: [{ name: 'nx', type: 'pure-token', token: 'NX' }, { name: 'xx', type: 'pure-token', token: 'XX' }, { name: 'gt', type: 'pure-token', token: 'GT' }, { name: 'lt', type: 'pure-token', token: 'LT' }] }] },
    handler: pexpireCommand,
  }),
  command({
    name: 'expireat', arity: -3, flags: ['write', 'fast'], categories: ['keyspace'],
    keys: [{ flags: ['RW', 'update'], begin: {index: 1}, find: {range: [0, 1, 0]} }],
    docs: { summary: 'Sets the expiry of a key as a Unix time in seconds.', since: '1.2.0', group: 'generic', complexity: 'O(1)', history: [['7.0.0', 'Accepts the `NX`, `XX`, `GT` and `LT` conditions.']], arguments: [{ name: 'key', type: 'key', key_spec_index: 0 }, { name: 'unix-time-seconds', type: 'unix-time' }, { name: 'condition', type: 'oneof', since: '7.0.0', flags: ['optional'], arguments: [{ name: 'nx', type: 'pure-token', token: 'NX' }, { name: 'xx', type: 'pure-token', token: 'XX' }, { name: 'gt', type: 'pure-token', token: 'GT' }, { name: 'lt', type: 'pure-token', token: 'LT' }] }] },
    handler: expireatCommand,
  }),
  command({
    name: 'pexpireat', arity: -3, flags: ['write', 'fast'], categories: ['keyspace'],
    keys: [{ flags: ['RW', 'update'], begin: {index: 1}, find: {range: [0, 1, 0]} }],
    docs: { summary: 'Sets the expiry of a key as a Unix time in milliseconds.', since: '2.6.0', group: 'generic', complexity: 'O(1)', history: [['7.0.0', 'Accepts the `NX`, `XX`, `GT` and `LT` conditions.']], arguments: [{ name: 'key', type: 'key', key_spec_index: 0 }, { name: 'unix-time-milliseconds', type: 'unix-time' }, { name: 'condition', type: 'oneof', since: '7.0.0', flags: ['optional'], arguments: [{ name: 'nx', type: 'pure-token', token: 'NX' }, { name: 'xx', type: 'pure-token', token: 'XX' }, { name: 'gt', type: 'pure-token', token: 'GT' }, { name: 'lt', type: 'pure-token', token: 'LT' }] }] },
    handler: pexpireatCommand,
  }),
  command({
    name: 'ttl', arity: 2, flags: ['readonly', 'fast'], categories: ['keyspace'], tips: ['nondeterministic_output'],
    keys: [{ flags: ['RO', 'access'], begin: {index: 1}, find: {range: [0, 1, 0]} }],
    docs: { summary: 'Returns the remaining time to live of a key, in seconds.', since: '1.0.0', group: 'generic', complexity: 'O(1)', history: [['2.8.0', 'Replies -2 for a missing key (-1 before).']], arguments: [{ name: 'key', type: 'key', key_spec_index: 0 }] },
    handler: ttlCommand,
  }),
  command({
    name: 'pttl', arity: 2, flags: ['readonly', 'fast'], categories: ['keyspace'], tips: ['nondeterministic_output'],
    keys: [{ flags: ['RO', 'access'], begin: {index: 1}, find: {range: [0, 1, 0]} }],
    docs: { summary: 'Returns the remaining time to live of a key, in milliseconds.', since: '2.6.0', group: 'generic', complexity: 'O(1)', history: [['2.8.0', 'Replies -2 for a missing key (-1 before).']], arguments: [{ name: 'key', type: 'key', key_spec_index: 0 }] },
    handler: pttlCommand,
  }),
  command({
    name: 'expiretime', arity: 2, flags: ['readonly', 'fast'], categories: ['keyspace'],
    keys: [{ flags: ['RO', 'access'], begin: {index: 1}, find: {range: [0, 1, 0]} }],
    docs: { summary: 'Returns the Unix time, in seconds, at which a key expires.', since: '7.0.0', group: 'generic', complexity: 'O(1)', arguments: [{ name: 'key', type: 'key', key_spec_index: 0 }] },
    handler: expiretimeCommand,
  }),
  command({
    name: 'pexpiretime', arity: 2, flags: ['readonly', 'fast'], categories: ['keyspace'],
    keys: [{ flags: ['RO', 'access'], begin: {index: 1}, find: {range: [0, 1, 0]} }],
    docs: { summary: 'Returns the Unix time, in milliseconds, at which a key expires.', since: '7.0.0', group: 'generic', complexity: 'O(1)', arguments: [{ name: 'key', type: 'key', key_spec_index: 0 }] },
    handler: pexpiretimeCommand,
  }),
  command({
    name: 'persist', arity: 2, flags: ['write', 'fast'], categories: ['keyspace'],
    keys: [{ flags: ['RW', 'update'], begin: {index: 1}, find: {range: [0, 1, 0]} }],
    docs: { summary: 'Removes the expiry of a key.', since: '2.2.0', group: 'generic', complexity: 'O(1)', arguments: [{ name: 'key', type: 'key', key_spec_index: 0 }] },
    handler: persistCommand,
  }),
];
