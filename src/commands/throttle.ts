/*
 * Rate-limiting commands for applications: CL.THROTTLE (redis-cell's GCRA limiter, built in) and
 * INCREX (Redis 8.8's bounded counter with an expiry, one atomic command).
 *
 * CL.THROTTLE key max_burst count_per_period period [quantity]
 *  - GCRA as redis-cell computes it: emission interval = period/count (ns, float division then
 *    truncation), delay variation tolerance = interval * (max_burst + 1). The key holds the
 *    theoretical arrival time (TAT) as decimal unix nanoseconds, with a TTL of TAT - now truncated
 *    to ms, so a key written by redis-cell reads back here and the other way round.
 *  - Time is the server's cached clock of this event-loop turn (ms, scaled to ns), so a pipeline
 *    sees one clock, and the key is propagated as `SET key <tat> PXAT <deadline>`: replicas and the
 *    AOF store the primary's result instead of recomputing it against their own clock (redis-cell
 *    replicates the command verbatim, so its replicas drift).
 *  - A limited call writes nothing and propagates nothing.
 *  - Replies and error texts are redis-cell's ("Cell error: ..."), including its usage error for a
 *    wrong argument count (the table arity is -1, as for a module command). Deliberate differences,
 *    all refusals of inputs on which redis-cell misbehaves: negative parameters and values whose
 *    nanosecond arithmetic leaves 64 bits are errors, and a key of another type is WRONGTYPE.
 *
 * INCREX key [BYINT n | BYFLOAT f] [LBOUND l] [UBOUND u] [SATURATE]
 *        [EX s | PX ms | EXAT ts | PXAT ms-ts | PERSIST] [ENX]
 *  - Semantics from Redis 8.8's increx.json, its command page and tests/unit/type/increx.tcl:
 *    options in any order, each at most once; an out-of-bounds result (explicit bound or the type
 *    limit) is skipped and answers [current, 0] leaving value and TTL alone, or with SATURATE is
 *    clamped to the bound and answers [bound, bound - current].
 *  - Integer mode is exact 64-bit (bigint); BYFLOAT uses the x87 long double model of strnum.ts,
 *    like INCRBYFLOAT, and answers bulk strings in RESP2, doubles in RESP3.
 *  - Propagated as SET carrying the final value: KEEPTTL with no expiry option (or ENX on a key that
 *    has one), PXAT <absolute ms> with EX/PX/EXAT/PXAT, plain SET with PERSIST, DEL/UNLINK when an
 *    absolute deadline has already passed.
 */

import { command, type CommandSpec } from './table';
import type { Ctx } from './context';
import { ERR } from './util';
import { RObj } from '../data/keyspace';
import { strValue } from '../data/bytes';
import {
  formatLongDoubleHuman, ldAdd, ldFromInteger, LLONG_MAX_N, LLONG_MIN_N, parseInt64, parseLongDouble, type LDouble,
} from '../data/strnum';
import { encodingOf, keySpec, KEY_ARG, lazyFlag, lookupWrite, optIs } from './strings-shared';

/* ================================================================== CL.THROTTLE */

const I64_MAX = LLONG_MAX_N;
const I64_MIN = LLONG_MIN_N;
const NS_PER_MS = 1_000_000n;
const NS_PER_S = 1_000_000_000n;

const CELL_USAGE = 'Cell error: Store error: Usage: cl.throttle <key> <max_burst> <count per period> <period> [<quantity>]';
const CELL_ZERO_RATE = 'Cell error: Store error: Zero rates are not supported';
const CELL_OVERFLOW = 'Cell error: Store error: Rate limit parameters overflow 64-bit nanosecond time';

/** Rust's i64::from_str outcome: the value, or ParseIntError's message. */
function rustParseI64(s: string): bigint | string {
  if (s.length === 0) return 'cannot parse integer from empty string';
  let i = 0;
  const c0 = s.charCodeAt(0);
  if (c0 === 43 || c0 === 45) i = 1;
  if (i === s.length) return 'invalid digit found in string';
  for (let j = i; j < s.length; j++) {
    const c = s.charCodeAt(j);
    if (c < 48 || c > 57) return 'invalid digit found in string';
  }
  const v = BigInt(c0 === 43 ? s.slice(1) : s);
  if (v > I64_MAX) return 'number too large to fit in target type';
  if (v < I64_MIN) return 'number too small to fit in target type';
  return v;
}

/** A Duration in ns as redis-cell reports it: whole seconds, plus one if a millisecond part is left. */
function cellSeconds(ns: bigint): bigint {
  const whole = ns / NS_PER_S; // truncates toward zero, like Duration::whole_seconds
  const subMs = (ns % NS_PER_S) / NS_PER_MS; // negative for negative durations
  return subMs > 0n ? whole + 1n : whole;
}

function fitsI64(v: bigint): boolean {
  return v <= I64_MAX && v >= I64_MIN;
}

function clThrottle(ctx: Ctx): void {
  const argv = ctx.argv;
  if (argv.length !== 5 && argv.length !== 6) return ctx.reply.error(CELL_USAGE);
  const key = argv[1];
  const nums: bigint[] = [];
  for (let j = 2; j < argv.length; j++) {
    const v = rustParseI64(argv[j]);
    if (typeof v === 'string') return ctx.reply.error('Cell error: Store error: Couldn\'t parse as integer: ' + argv[j]);
    nums.push(v);
  }
  const [maxBurst, count, period] = nums;
  const quantity = nums.length === 4 ? nums[3] : 1n;
  // redis-cell lets these through and then computes nonsense (a negative quantity even leaves a
  // key without its TTL); a limiter has no use for them
  if (maxBurst < 0n) return ctx.reply.error('Cell error: Store error: max_burst must not be negative');
  if (count < 0n) return ctx.reply.error('Cell error: Store error: count per period must not be negative');
  if (period < 0n) return ctx.reply.error('Cell error: Store error: period must not be negative');
  if (quantity < 0n) return ctx.reply.error('Cell error: Store error: quantity must not be negative');

  const periodNs = period * NS_PER_S;
  if (!fitsI64(periodNs)) return ctx.reply.error(CELL_OVERFLOW);
  // Rate::per_period: f64 division truncated to whole ns; zero count or period is a zero rate
  let interval = 0n;
  if (count !== 0n && periodNs !== 0n) {
    const q = Math.trunc(Number(periodNs) / Number(count));
    interval = q >= 2 ** 63 ? I64_MAX : BigInt(q);
  }
  if (interval === 0n) return ctx.reply.error(CELL_ZERO_RATE);
  const limit = maxBurst + 1n;
  const tolerance = interval * limit;
  const increment = interval * quantity;
  if (!fitsI64(limit) || !fitsI64(tolerance) || !fitsI64(increment)) return ctx.reply.error(CELL_OVERFLOW);

  const o = lookupWrite(ctx, key);
  const now = BigInt(ctx.now) * NS_PER_MS;
  let tat = now;
  if (o !== undefined) {
    if (o.type !== 'string') return ctx.reply.error(ERR.WRONGTYPE);
    const stored = rustParseI64(strValue(o.value));
    if (typeof stored === 'string') return ctx.reply.error('Cell error: ' + stored);
    // redis-cell reads -1 as "no key"
    if (stored !== -1n) tat = stored;
  }
  const newTat = (now > tat ? now : tat) + increment;
  if (!fitsI64(newTat)) return ctx.reply.error(CELL_OVERFLOW);
  const diff = now - (newTat - tolerance);

  let limited: boolean;
  let retryAfter = -NS_PER_S;
  let ttl: bigint;
  if (diff < 0n) {
    limited = true;
    // a request larger than the whole burst can never pass: no point telling it when to retry
    if (increment <= tolerance) retryAfter = -diff;
    ttl = tat - now;
  } else {
    limited = false;
    ttl = newTat - now;
    storeTat(ctx, key, newTat, ttl, o !== undefined);
  }

  let remaining = 0n;
  const next = tolerance - ttl;
  if (next > -interval) remaining = floatQuotient(next / 1000n, interval / 1000n);

  ctx.reply.array(5);
  ctx.reply.int(limited ? 1 : 0);
  ctx.reply.int(limit);
  ctx.reply.int(remaining);
  ctx.reply.int(cellSeconds(retryAfter));
  ctx.reply.int(cellSeconds(ttl));
}

/** redis-cell's `(a as f64 / b as f64) as i64` on whole microseconds (saturating, NaN as 0). */
function floatQuotient(a: bigint, b: bigint): bigint {
  const q = Number(a) / Number(b);
  if (Number.isNaN(q)) return 0n;
  if (q >= 2 ** 63) return I64_MAX;
  if (q <= -(2 ** 63)) return I64_MIN;
  return BigInt(Math.trunc(q));
}

/**
 * Writes the new TAT with its TTL, truncated to whole ms as redis-cell's RedisModule_SetExpire
 * call does. A TTL under 1 ms expires the key at once there; here the key is simply removed.
 */
function storeTat(ctx: Ctx, key: string, tat: bigint, ttlNs: bigint, existed: boolean): void {
  const ttlMs = ttlNs / NS_PER_MS;
  if (ttlMs <= 0n) {
    if (existed && ctx.db.delete(key)) {
      ctx.server.signalModifiedKey(ctx.db, key);
      ctx.server.notifyKeyspaceEvent('g', 'del', key, ctx.db.id);
      ctx.server.dirty++;
      ctx.propagateAs = [[lazyFlag(ctx, 'lazyfree-lazy-expire') ? 'UNLINK' : 'DEL', key]];
    }
    return;
  }
  const value = tat.toString();
  const deadline = ctx.now + Number(ttlMs);
  ctx.db.set(key, new RObj('string', value, encodingOf(value), ctx.server.lruClock));
  ctx.db.setExpire(key, deadline);
  ctx.server.signalModifiedKey(ctx.db, key);
  ctx.server.notifyKeyspaceEvent('$', 'set', key, ctx.db.id);
  ctx.server.notifyKeyspaceEvent('g', 'expire', key, ctx.db.id);
  ctx.server.dirty++;
  ctx.propagateAs = [['SET', key, value, 'PXAT', '' + deadline]];
}

/* ================================================================== INCREX */

const O_BYINT = 1 << 0;
const O_BYFLOAT = 1 << 1;
const O_LBOUND = 1 << 2;
const O_UBOUND = 1 << 3;
const O_SATURATE = 1 << 4;
const O_EX = 1 << 5;
const O_PX = 1 << 6;
const O_EXAT = 1 << 7;
const O_PXAT = 1 << 8;
const O_PERSIST = 1 << 9;
const O_ENX = 1 << 10;
const O_ANY_EXPIRE = O_EX | O_PX | O_EXAT | O_PXAT;
const O_EXPIRY_GROUP = O_ANY_EXPIRE | O_PERSIST;

/** A long double operand that may also be infinite (bounds accept strtold's "inf"). */
type LDx = LDouble | 'inf' | '-inf';

const LDBL_MAX: LDouble = { neg: false, m: (1n << 64n) - 1n, e: 16384 - 64 };
const LDBL_LOWEST: LDouble = { neg: true, m: (1n << 64n) - 1n, e: 16384 - 64 };
const LD_ZERO: LDouble = { neg: false, m: 0n, e: 0 };

/** Exact comparison of two long doubles (infinities included): -1, 0 or 1. */
function ldCompare(a: LDx, b: LDx): number {
  const rank = (x: LDx) => (x === 'inf' ? 1 : x === '-inf' ? -1 : 0);
  if (typeof a === 'string' || typeof b === 'string') return Math.sign(rank(a) - rank(b));
  const sa = a.m === 0n ? 0n : a.neg ? -a.m : a.m;
  const sb = b.m === 0n ? 0n : b.neg ? -b.m : b.m;
  if (sa === 0n || sb === 0n) return sa === sb ? 0 : (sa === 0n ? (sb > 0n ? -1 : 1) : (sa > 0n ? 1 : -1));
  const e = Math.min(a.e, b.e);
  const x = sa << BigInt(a.e - e);
  const y = sb << BigInt(b.e - e);
  return x === y ? 0 : x < y ? -1 : 1;
}

function ldNegate(a: LDouble): LDouble {
  return { neg: !a.neg, m: a.m, e: a.e };
}

/** Long double reply: bulk string in RESP2, double in RESP3 (Redis's addReplyHumanLongDouble). */
function replyLongDouble(ctx: Ctx, s: string): void {
  if (ctx.reply.resp === 2) ctx.reply.bulk(s);
  else ctx.reply.raw(',' + s + '\r\n');
}

interface IncrexArgs {
  flags: number;
  by: number; // argv index of the increment, 0 when absent
  lb: number;
  ub: number;
  expire: number;
}

/** Pass one: option syntax only, as Redis rejects a repeated or conflicting option. */
function scanIncrexOptions(ctx: Ctx): IncrexArgs | null {
  const argv = ctx.argv;
  const a: IncrexArgs = { flags: 0, by: 0, lb: 0, ub: 0, expire: 0 };
  for (let j = 2; j < argv.length; j++) {
    const t = argv[j];
    const hasNext = j + 1 < argv.length;
    let bit = 0;
    if (optIs(t, 'BYINT') || optIs(t, 'BYFLOAT')) {
      if (a.flags & (O_BYINT | O_BYFLOAT) || !hasNext) bit = -1;
      else { bit = optIs(t, 'BYINT') ? O_BYINT : O_BYFLOAT; a.by = ++j; }
    } else if (optIs(t, 'LBOUND') || optIs(t, 'UBOUND')) {
      bit = optIs(t, 'LBOUND') ? O_LBOUND : O_UBOUND;
      if (a.flags & bit || !hasNext) bit = -1;
      else if (bit === O_LBOUND) a.lb = ++j;
      else a.ub = ++j;
    } else if (optIs(t, 'SATURATE')) {
      bit = a.flags & O_SATURATE ? -1 : O_SATURATE;
    } else if (optIs(t, 'PERSIST')) {
      bit = a.flags & (O_EXPIRY_GROUP | O_ENX) ? -1 : O_PERSIST;
    } else if (optIs(t, 'ENX')) {
      bit = a.flags & (O_ENX | O_PERSIST) ? -1 : O_ENX;
    } else if (optIs(t, 'EX') || optIs(t, 'PX') || optIs(t, 'EXAT') || optIs(t, 'PXAT')) {
      if (a.flags & O_EXPIRY_GROUP || !hasNext) bit = -1;
      else {
        bit = optIs(t, 'EX') ? O_EX : optIs(t, 'PX') ? O_PX : optIs(t, 'EXAT') ? O_EXAT : O_PXAT;
        a.expire = ++j;
      }
    } else {
      bit = -1;
    }
    if (bit < 0) {
      ctx.reply.error(ERR.SYNTAX);
      return null;
    }
    a.flags |= bit;
  }
  if (a.flags & O_ENX && !(a.flags & O_ANY_EXPIRE)) {
    ctx.reply.error('ERR ENX flag requires an expiration');
    return null;
  }
  return a;
}

/**
 * The absolute deadline (unix ms, exact) of EX/PX/EXAT/PXAT, with SET's checks: an integer, > 0,
 * and no 64-bit overflow once scaled to ms and offset by now. Null after replying an error.
 */
function increxDeadline(ctx: Ctx, arg: string, flags: number): bigint | null {
  const v = parseInt64(arg);
  if (v === null) {
    ctx.reply.error(ERR.NOT_INTEGER);
    return null;
  }
  const b = BigInt(v);
  const seconds = (flags & (O_EX | O_EXAT)) !== 0;
  if (b <= 0n || (seconds && b > I64_MAX / 1000n)) {
    ctx.reply.error(ERR.INVALID_EXPIRE('increx'));
    return null;
  }
  const ms = (seconds ? b * 1000n : b) + ((flags & (O_EX | O_PX)) !== 0 ? BigInt(ctx.now) : 0n);
  if (ms > I64_MAX) {
    ctx.reply.error(ERR.INVALID_EXPIRE('increx'));
    return null;
  }
  return ms;
}

/** The outcome of the arithmetic: null value = skipped (out of bounds, no SATURATE). */
interface Outcome {
  stored: string | null;
  value: string;
  applied: string;
}

function increxInt(ctx: Ctx, a: IncrexArgs, current: string | null): Outcome | null {
  const argv = ctx.argv;
  let incr = 1n;
  if (a.by) {
    const v = parseInt64(argv[a.by]);
    if (v === null) return fail(ctx, 'ERR Increment is not an integer or out of range');
    incr = BigInt(v);
  }
  let lb = I64_MIN;
  let ub = I64_MAX;
  if (a.lb) {
    const v = parseInt64(argv[a.lb]);
    if (v === null) return fail(ctx, 'ERR LBOUND is not an integer or out of range');
    lb = BigInt(v);
  }
  if (a.ub) {
    const v = parseInt64(argv[a.ub]);
    if (v === null) return fail(ctx, 'ERR UBOUND is not an integer or out of range');
    ub = BigInt(v);
  }
  if (lb > ub) return fail(ctx, 'ERR LBOUND can\'t be greater than UBOUND');
  let cur = 0n;
  if (current !== null) {
    const v = parseInt64(current);
    if (v === null) return fail(ctx, ERR.NOT_INTEGER);
    cur = BigInt(v);
  }
  const sum = cur + incr; // exact: type overflow is just another bound violation
  let final = sum;
  if (sum > ub || sum < lb) {
    if (!(a.flags & O_SATURATE)) return { stored: null, value: cur.toString(), applied: '0' };
    final = sum > ub ? ub : lb;
  }
  const applied = final - cur;
  if (!fitsI64(applied)) return fail(ctx, 'ERR applied increment would overflow');
  const s = final.toString();
  return { stored: s, value: s, applied: applied.toString() };
}

function increxFloat(ctx: Ctx, a: IncrexArgs, current: RObj | undefined): Outcome | null {
  const argv = ctx.argv;
  const incr = parseLongDouble(argv[a.by]);
  if (incr === null) return fail(ctx, 'ERR Increment is not a valid float');
  if (typeof incr === 'string') return fail(ctx, 'ERR BYFLOAT increment cannot be Infinity');
  let lb: LDx = LDBL_LOWEST;
  let ub: LDx = LDBL_MAX;
  if (a.lb) {
    const v = parseLongDouble(argv[a.lb]);
    if (v === null) return fail(ctx, 'ERR LBOUND is not a valid float');
    lb = v;
  }
  if (a.ub) {
    const v = parseLongDouble(argv[a.ub]);
    if (v === null) return fail(ctx, 'ERR UBOUND is not a valid float');
    ub = v;
  }
  if (ldCompare(lb, ub) > 0) return fail(ctx, 'ERR LBOUND can\'t be greater than UBOUND');
  let cur: LDouble = LD_ZERO;
  if (current !== undefined) {
    const v = current.enc === 'int' ? ldFromInteger(BigInt(strValue(current.value))) : parseLongDouble(strValue(current.value));
    if (v === null) return fail(ctx, ERR.NOT_FLOAT);
    if (typeof v === 'string') return fail(ctx, 'ERR value cannot be Infinity');
    cur = v;
  }
  const sum = ldAdd(cur, incr);
  // an overflowing sum is past the type limit on the side of the increment's sign
  const above = sum === null ? !incr.neg : ldCompare(sum, ub) > 0;
  const below = sum === null ? incr.neg : ldCompare(sum, lb) < 0;
  let final: LDx;
  let applied: LDouble | null = incr;
  if (above || below) {
    if (!(a.flags & O_SATURATE)) return { stored: null, value: formatLongDoubleHuman(cur), applied: '0' };
    final = above ? ub : lb;
    applied = typeof final === 'string' ? null : ldAdd(final, ldNegate(cur));
  } else {
    final = sum!;
  }
  if (applied === null || typeof final === 'string') return fail(ctx, 'ERR applied increment would be Infinity');
  const s = formatLongDoubleHuman(final);
  return { stored: s, value: s, applied: formatLongDoubleHuman(applied) };
}

function fail(ctx: Ctx, msg: string): null {
  ctx.reply.error(msg);
  return null;
}

function increx(ctx: Ctx): void {
  const a = scanIncrexOptions(ctx);
  if (a === null) return;
  const floatMode = (a.flags & O_BYFLOAT) !== 0;
  const key = ctx.argv[1];
  const o = lookupWrite(ctx, key);
  if (o !== undefined && o.type !== 'string') return ctx.reply.error(ERR.WRONGTYPE);
  const out = floatMode ? increxFloat(ctx, a, o) : increxInt(ctx, a, o === undefined ? null : strValue(o.value));
  if (out === null) return;
  let deadline: bigint | null = null;
  if (a.flags & O_ANY_EXPIRE) {
    deadline = increxDeadline(ctx, ctx.argv[a.expire], a.flags);
    if (deadline === null) return;
  }
  const reply = (): void => {
    ctx.reply.array(2);
    if (floatMode) {
      replyLongDouble(ctx, out.value);
      replyLongDouble(ctx, out.applied);
    } else {
      ctx.reply.int(BigInt(out.value));
      ctx.reply.int(BigInt(out.applied));
    }
  };
  // a skipped increment leaves value and TTL exactly as they were
  if (out.stored === null) return reply();

  const s = out.stored;
  const hadTtl = o !== undefined && ctx.db.getExpire(key) !== undefined;
  const setsTtl = deadline !== null && !(a.flags & O_ENX && hadTtl);
  const db = ctx.db;
  if (setsTtl && deadline! <= BigInt(ctx.now)) {
    // an absolute deadline already past: the key is written and expires in the same step
    if (o !== undefined) db.delete(key);
    ctx.server.signalModifiedKey(db, key);
    ctx.server.notifyKeyspaceEvent('g', 'del', key, db.id);
    ctx.server.dirty++;
    ctx.propagateAs = [[lazyFlag(ctx, 'lazyfree-lazy-expire') ? 'UNLINK' : 'DEL', key]];
    return reply();
  }
  const enc = floatMode ? (s.length <= 44 ? 'embstr' : 'raw') : 'int';
  db.set(key, new RObj('string', s, enc, ctx.server.lruClock), true);
  ctx.server.signalModifiedKey(db, key);
  ctx.server.notifyKeyspaceEvent('$', floatMode ? 'incrbyfloat' : 'incrby', key, db.id);
  if (setsTtl) {
    db.setExpireBig(key, deadline!);
    ctx.server.notifyKeyspaceEvent('g', 'expire', key, db.id);
    ctx.propagateAs = [['SET', key, s, 'PXAT', deadline!.toString()]];
  } else if (a.flags & O_PERSIST) {
    if (db.persist(key)) ctx.server.notifyKeyspaceEvent('g', 'persist', key, db.id);
    ctx.propagateAs = [['SET', key, s]];
  } else {
    ctx.propagateAs = [['SET', key, s, 'KEEPTTL']];
  }
  ctx.server.dirty++;
  reply();
}

/* ================================================================== table */

export const COMMANDS: CommandSpec[] = [
  command({
    name: 'cl.throttle', arity: -1, flags: ['write', 'denyoom', 'fast'], categories: ['string'],
    keys: [keySpec(['RW', 'access', 'update'])],
    docs: {
      summary: 'Applies a generic cell rate algorithm (GCRA) limit to a key, as the redis-cell module does.',
      since: '7.0.0', group: 'string', complexity: 'O(1)',
      arguments: [
        KEY_ARG,
        { name: 'max_burst', type: 'integer' },
        { name: 'count_per_period', type: 'integer' },
        { name: 'period', type: 'integer' },
        { name: 'quantity', type: 'integer', flags: ['optional'] },
      ],
    },
    handler: clThrottle,
  }),
  command({
    name: 'increx', arity: -2, flags: ['write', 'denyoom', 'fast'], categories: ['string'],
    keys: [keySpec(['RW', 'access', 'update'])],
    docs: {
      summary: 'Increments the numeric value of a key by a number and sets its expiration time. Uses 0 as initial value if the key doesn\'t exist.',
      since: '8.8.0', group: 'string', complexity: 'O(1)',
      arguments: [
        KEY_ARG,
        { name: 'increment', type: 'oneof', flags: ['optional'], arguments: [
          { name: 'float', type: 'double', token: 'BYFLOAT' },
          { name: 'integer', type: 'integer', token: 'BYINT' },
        ] },
        { name: 'saturate', type: 'pure-token', token: 'SATURATE', flags: ['optional'] },
        { name: 'lowerbound', type: 'string', token: 'LBOUND', flags: ['optional'] },
        { name: 'upperbound', type: 'string', token: 'UBOUND', flags: ['optional'] },
        { name: 'expiration', type: 'oneof', flags: ['optional'], arguments: [
          { name: 'seconds', type: 'integer', token: 'EX' },
          { name: 'milliseconds', type: 'integer', token: 'PX' },
          { name: 'unix-time-seconds', type: 'unix-time', token: 'EXAT' },
          { name: 'unix-time-milliseconds', type: 'unix-time', token: 'PXAT' },
          { name: 'persist', type: 'pure-token', token: 'PERSIST' },
        ] },
        { name: 'enx', type: 'pure-token', token: 'ENX', flags: ['optional'] },
      ],
    },
    handler: increx,
  }),
];
