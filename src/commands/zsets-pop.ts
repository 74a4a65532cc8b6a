/*
 * Removing from the ends and sampling: ZPOPMIN ZPOPMAX ZMPOP, their blocking forms BZPOPMIN
 * BZPOPMAX BZMPOP, ZRANDMEMBER and ZSCAN.
 *
 * Pops follow t_zset.c's genericZpopCommand: the count is validated before the key is read, the
 * first existing key of the list is the candidate (a wrong type there is an error even if a later
 * key would do), and the reply shape depends on the form: ZPOPMIN without a count is a flat
 * [member, score]; with a count RESP2 stays flat and RESP3 nests pairs; ZMPOP/BZMPOP answer
 * [key, [[member, score], ...]]; BZPOPMIN answers [key, member, score]. Every pop is propagated as
 * ZPOPMIN/ZPOPMAX (with a COUNT for the *MPOP forms), so replicas never block.
 */

import type { Ctx, KeyWaiter } from './context';
import { ERR, parseBlockTimeout } from './util';
import { optIs } from './strings-shared';
import type { ZSet } from '../data/zset';
import { parseScanCursor, parseScanOptions, replyEmptyScan, replyScan } from './scan-shared';
import { asZset, parseLong, PairWriter, scoreString } from './zsets-shared';
import { lookupWrite } from './strings-shared';
import { lookupRead } from './strings-shared';

const MIN = 0;
const MAX = 1;

/**
 * Pops up to `count` (-1: one, unnested) members of the zset at `key`, which must exist with the
 * right type, and writes the reply. `emitKey` prefixes the key; `nested` nests each pair.
 */
function popFrom(ctx: Ctx, key: string, z: ZSet, where: number, count: number, emitKey: boolean, nested: boolean): void {
  const r = ctx.reply;
  const n = Math.min(count === -1 ? 1 : count, z.size);
  if (nested) {
    if (emitKey) {
      r.array(2);
      r.bulk(key);
    }
    r.array(n);
  } else {
    r.array(n * 2 + (emitKey ? 1 : 0));
    if (emitKey) r.bulk(key);
  }
  for (let i = 0; i < n; i++) {
    const node = where === MIN ? z.first()! : z.last()!;
    const member = node.member;
    const score = node.score;
    z.delete(member);
    if (nested) r.array(2);
    r.bulk(member);
    r.double(score);
  }
  ctx.server.dirty += n;
  ctx.server.signalModifiedKey(ctx.db, key);
  ctx.server.notifyKeyspaceEvent('z', where === MIN ? 'zpopmin' : 'zpopmax', key, ctx.db.id);
  if (z.size === 0) {
    ctx.db.delete(key);
    ctx.server.notifyKeyspaceEvent('g', 'del', key, ctx.db.id);
  }
}

function popName(where: number): string {
  return where === MIN ? 'ZPOPMIN' : 'ZPOPMAX';
}

function zpop(ctx: Ctx, where: number): void {
  const argv = ctx.argv;
  if (argv.length > 3) return ctx.reply.error(ERR.SYNTAX);
  let count = -1;
  if (argv.length === 3) {
    const c = parseLong(argv[2]);
    if (c === null || c < 0) return ctx.reply.error('ERR value is out of range, must be positive');
    count = c;
  }
  const key = argv[1];
  const o = lookupWrite(ctx, key);
  if (o === undefined) return ctx.reply.array(0);
  const z = asZset(ctx, o);
  if (z === undefined) return;
  if (count === 0) return ctx.reply.array(0);
  popFrom(ctx, key, z, where, count, false, count !== -1 && ctx.reply.resp === 3);
}

/** Parses `numkeys key... MIN|MAX [COUNT n]` from argv[idx]; null after an error. */
function parseMpop(ctx: Ctx, idx: number): { keys: string[]; where: number; count: number } | null {
  const argv = ctx.argv;
  const nk = parseLong(argv[idx]);
  if (nk === null || nk < 1) {
    ctx.reply.error('ERR numkeys should be greater than 0');
    return null;
  }
  const whereIdx = idx + nk + 1;
  if (whereIdx >= argv.length) {
    ctx.reply.error(ERR.SYNTAX);
    return null;
  }
  let where: number;
  if (optIs(argv[whereIdx], 'MIN')) where = MIN;
  else if (optIs(argv[whereIdx], 'MAX')) where = MAX;
  else {
    ctx.reply.error(ERR.SYNTAX);
    return null;
  }
  let count = -1;
  for (let j = whereIdx + 1; j < argv.length; j++) {
    if (count === -1 && optIs(argv[j], 'COUNT') && j + 1 < argv.length) {
      const c = parseLong(argv[j + 1]);
      if (c === null || c < 1) {
        ctx.reply.error('ERR count should be greater than 0');
        return null;
      }
      count = c;
      j++;
    } else {
      ctx.reply.error(ERR.SYNTAX);
      return null;
    }
  }
  if (count === -1) count = 1;
  return { keys: argv.slice(idx + 1, whereIdx), where, count };
}

function zmpop(ctx: Ctx): void {
  const p = parseMpop(ctx, 1);
  if (p === null) return;
  for (const key of p.keys) {
    const o = lookupWrite(ctx, key);
    if (o === undefined) continue;
    const z = asZset(ctx, o);
    if (z === undefined) return;
    popFrom(ctx, key, z, p.where, p.count, true, true);
    ctx.propagateAs = [[popName(p.where), key, '' + p.count]];
    return;
  }
  ctx.reply.nullArray();
}

/** BZPOPMIN/BZPOPMAX (count -1) and BZMPOP (count >= 1) once arguments are valid. */
function blockingPop(ctx: Ctx, keys: string[], where: number, count: number, deadline: number): void {
  const mpop = count !== -1;
  const propagate = (key: string): string[][] => [mpop ? [popName(where), key, '' + count] : [popName(where), key]];
  for (const key of keys) {
    const o = lookupWrite(ctx, key);
    if (o === undefined) continue;
    const z = asZset(ctx, o);
    if (z === undefined) return;
    if (z.size === 0) continue;
    popFrom(ctx, key, z, where, count, true, mpop);
    ctx.propagateAs = propagate(key);
    return;
  }
  const waiter: KeyWaiter = {
    serve(c: Ctx, key: string): boolean {
      const o = c.db.lookup(key, c.now);
      if (o === undefined || o.type !== 'zset') return false;
      const z = o.value as ZSet;
      if (z.size === 0) return false;
      popFrom(c, key, z, where, count, true, mpop);
      c.propagateAs = propagate(key);
      return true;
    },
    timeout(c: Ctx): void {
      c.reply.nullArray();
    },
  };
  ctx.server.blockOnKeys(ctx, keys, deadline, waiter);
}

function bzpop(ctx: Ctx, where: number): void {
  const argv = ctx.argv;
  const deadline = parseBlockTimeout(ctx, argv[argv.length - 1]);
  if (deadline === null) return;
  blockingPop(ctx, argv.slice(1, argv.length - 1), where, -1, deadline);
}

function bzmpop(ctx: Ctx): void {
  const p = parseMpop(ctx, 2);
  if (p === null) return;
  const deadline = parseBlockTimeout(ctx, ctx.argv[1]);
  if (deadline === null) return;
  blockingPop(ctx, p.keys, p.where, p.count, deadline);
}

/* ------------------------------------------------------------------ ZRANDMEMBER */

/** Counts beyond this would build a reply no client can take; Redis 7.0 dies on them. */
const MAX_RANDOM_COUNT = 2 ** 31;

function zrandmember(ctx: Ctx): void {
  const argv = ctx.argv;
  if (argv.length === 2) {
    const o = lookupRead(ctx, argv[1]);
    if (o === undefined) return ctx.reply.nullBulk();
    const z = asZset(ctx, o);
    if (z === undefined) return;
    return ctx.reply.bulk(z.randomMember()!);
  }
  const l = parseLong(argv[2]);
  if (l === null) return ctx.reply.error(ERR.NOT_INTEGER);
  if (argv[2] === '-9223372036854775808') {
    return ctx.reply.error('ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807');
  }
  let withScores = false;
  if (argv.length === 4 && optIs(argv[3], 'WITHSCORES')) withScores = true;
  else if (argv.length >= 4) return ctx.reply.error(ERR.SYNTAX);
  const o = lookupRead(ctx, argv[1]);
  if (o === undefined) return ctx.reply.array(0);
  const z = asZset(ctx, o);
  if (z === undefined) return;
  const uniq = l >= 0;
  const count = Math.abs(l);
  if (count === 0) return ctx.reply.array(0);
  if (count > MAX_RANDOM_COUNT) return ctx.reply.error('ERR value is out of range');
  const w = new PairWriter(ctx, withScores);
  const size = z.size;
  if (!uniq || count === 1) {
    w.begin(count);
    for (let i = 0; i < count; i++) {
      const m = z.randomMember()!;
      w.emit(m, z.score(m)!);
    }
    return;
  }
  if (count >= size) {
    // the whole set, highest first, as Redis 7.0 answers it
    w.begin(size);
    for (let n = z.last(); n !== null; n = n.prev) w.emit(n.member, n.score);
    return;
  }
  // Distinct sample: partial Fisher-Yates over the ranks when most of the set is wanted, random
  // draws with rejection when few are (each draw then rarely repeats).
  const picked = new Set<string>();
  if (count * 3 > size) {
    const all: string[] = [];
    for (let n = z.first(); n !== null; n = n.next()) all.push(n.member);
    for (let i = 0; i < count; i++) {
      const j = i + Math.floor(Math.random() * (size - i));
      const t = all[i];
      all[i] = all[j];
      all[j] = t;
      picked.add(all[i]);
    }
  } else {
    while (picked.size < count) picked.add(z.randomMember()!);
  }
  w.begin(count);
  for (const m of picked) w.emit(m, z.score(m)!);
}

/* ------------------------------------------------------------------ ZSCAN */

function zscan(ctx: Ctx): void {
  const cursor = parseScanCursor(ctx, 2);
  if (cursor === null) return;
  const o = lookupRead(ctx, ctx.argv[1]);
  if (o === undefined) return replyEmptyScan(ctx);
  const z = asZset(ctx, o);
  if (z === undefined) return;
  const opts = parseScanOptions(ctx, 3);
  if (opts === null) return;
  const flat: string[] = [];
  if (o.enc === 'listpack') {
    const m = opts.match;
    for (let n = z.first(); n !== null; n = n.next()) if (m === null || m(n.member)) flat.push(n.member, scoreString(n.score));
    return replyScan(ctx, 0, flat);
  }
  const m = opts.match;
  const next = z.scan(cursor, opts.count, (member, score) => {
    if (m === null || m(member)) flat.push(member, scoreString(score));
  });
  replyScan(ctx, next, flat);
}

export const POP_HANDLERS = {
  zpopmin: (ctx: Ctx) => zpop(ctx, MIN),
  zpopmax: (ctx: Ctx) => zpop(ctx, MAX),
  bzpopmin: (ctx: Ctx) => bzpop(ctx, MIN),
  bzpopmax: (ctx: Ctx) => bzpop(ctx, MAX),
  zmpop,
  bzmpop,
  zrandmember,
  zscan,
};
