/*
 * Sorted-set commands that touch single members: ZADD ZINCRBY ZREM ZCARD ZSCORE ZMSCORE ZRANK
 * ZREVRANK, plus the range counts ZCOUNT ZLEXCOUNT.
 *
 * ZADD follows t_zset.c's zaddGenericCommand: options first (any order, until the first word that
 * is not one), then the pair-count and option-conflict checks in Redis's order, then every score
 * is parsed before the key is touched, so a bad score changes nothing. A score "update" to an
 * equal value (0 and -0 compare equal, as in C) is no change at all.
 */

import type { Ctx } from './context';
import { ERR } from './util';
import { optIs } from './strings-shared';
import { ZSet } from '../data/zset';
import { asZset, newZsetObject, noteInsert, listpackScore, parseScore, scoreOrReply, parseScoreRange, parseLexRange } from './zsets-shared';
import { lookupWrite } from './strings-shared';
import { lookupRead } from './strings-shared';

const NX = 1, XX = 2, GT = 4, LT = 8, CH = 16, INCR = 32;
/** ZADD option bits, for GEOADD (which is a ZADD with computed scores). */
export const ZADD_NX = NX, ZADD_XX = XX, ZADD_CH = CH;

/**
 * ZADD from the score index on. `parsed`, when given, holds the scores already parsed from the
 * score arguments (GEOADD computes them: re-parsing its own text would be wasted work).
 */
export function zaddGeneric(ctx: Ctx, flags: number, scoreIdx: number, parsed?: number[]): void {
  const argv = ctx.argv;
  const key = argv[1];
  const elements = argv.length - scoreIdx;
  if (elements === 0 || elements % 2 !== 0) return ctx.reply.error(ERR.SYNTAX);
  const pairs = elements / 2;
  if (flags & NX && flags & XX) return ctx.reply.error('ERR XX and NX options at the same time are not compatible');
  if ((flags & GT && flags & NX) || (flags & LT && flags & NX) || (flags & GT && flags & LT)) {
    return ctx.reply.error('ERR GT, LT, and/or NX options at the same time are not compatible');
  }
  if (flags & INCR && pairs > 1) return ctx.reply.error('ERR INCR option supports a single increment-element pair');
  let scores: number[];
  if (parsed !== undefined) scores = parsed;
  else {
    scores = new Array(pairs);
    for (let i = 0; i < pairs; i++) {
      const v = parseScore(argv[scoreIdx + i * 2]);
      if (v === null) return ctx.reply.error(ERR.NOT_FLOAT);
      scores[i] = v;
    }
  }
  let o = lookupWrite(ctx, key);
  let z: ZSet | undefined;
  if (o !== undefined) {
    z = asZset(ctx, o);
    if (z === undefined) return;
  }
  let added = 0;
  let updated = 0;
  let processed = 0;
  let lastScore = 0;
  let nanError = false;
  if (o === undefined && !(flags & XX)) {
    o = newZsetObject(ctx, argv[scoreIdx + 1]);
    z = o.value as ZSet;
    ctx.db.add(key, o);
  }
  if (o !== undefined && z !== undefined) {
    for (let i = 0; i < pairs; i++) {
      const member = argv[scoreIdx + i * 2 + 1];
      let score = scores[i];
      // one index lookup per pair: the slot serves the prior score and the update
      const slot = z.find(member);
      if (slot >= 0) {
        if (flags & NX) continue;
        const cur = z.scoreAt(slot);
        if (flags & INCR) {
          score = cur + score;
          if (Number.isNaN(score)) {
            nanError = true;
            break;
          }
        }
        if ((flags & LT && score >= cur) || (flags & GT && score <= cur)) continue;
        lastScore = score;
        processed++;
        if (score !== cur) {
          z.update(slot, o.enc === 'listpack' ? listpackScore(score) : score, member);
          updated++;
        } else lastScore = cur;
      } else {
        if (flags & XX) continue;
        const at = z.insert(member, score);
        noteInsert(o, member);
        if (o.enc === 'listpack' && score === 0) z.update(at, 0, member);
        lastScore = score;
        added++;
        processed++;
      }
    }
  }
  if (added + updated > 0) {
    ctx.server.signalModifiedKey(ctx.db, key, o);
    ctx.server.notifyKeyspaceEvent('z', flags & INCR ? 'zincr' : 'zadd', key, ctx.db.id);
  }
  ctx.server.dirty += added + updated;
  // A key created for members that all turned out to be NOPs cannot happen (no XX on creation,
  // and a fresh set has no member for NX/GT/LT to refuse), but never leave an empty set behind.
  if (z !== undefined && z.size === 0) ctx.db.delete(key);
  if (nanError) return ctx.reply.error('ERR resulting score is not a number (NaN)');
  if (flags & INCR) {
    if (processed > 0) ctx.reply.double(lastScore);
    else ctx.reply.nullBulk();
  } else ctx.reply.int(flags & CH ? added + updated : added);
}

function zadd(ctx: Ctx): void {
  const argv = ctx.argv;
  let flags = 0;
  let i = 2;
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (optIs(a, 'NX')) flags |= NX;
    else if (optIs(a, 'XX')) flags |= XX;
    else if (optIs(a, 'CH')) flags |= CH;
    else if (optIs(a, 'INCR')) flags |= INCR;
    else if (optIs(a, 'GT')) flags |= GT;
    else if (optIs(a, 'LT')) flags |= LT;
    else break;
  }
  zaddGeneric(ctx, flags, i);
}

function zincrby(ctx: Ctx): void {
  zaddGeneric(ctx, INCR, 2);
}

function zrem(ctx: Ctx): void {
  const key = ctx.argv[1];
  const o = lookupWrite(ctx, key);
  if (o === undefined) return ctx.reply.int(0);
  const z = asZset(ctx, o);
  if (z === undefined) return;
  let deleted = 0;
  for (let i = 2; i < ctx.argv.length && z.size > 0; i++) if (z.delete(ctx.argv[i])) deleted++;
  if (deleted > 0) {
    ctx.server.signalModifiedKey(ctx.db, key);
    ctx.server.notifyKeyspaceEvent('z', 'zrem', key, ctx.db.id);
    if (z.size === 0) {
      ctx.db.delete(key);
      ctx.server.notifyKeyspaceEvent('g', 'del', key, ctx.db.id);
    }
    ctx.server.dirty += deleted;
  }
  ctx.reply.int(deleted);
}

function zcard(ctx: Ctx): void {
  const o = lookupRead(ctx, ctx.argv[1]);
  if (o === undefined) return ctx.reply.int(0);
  const z = asZset(ctx, o);
  if (z !== undefined) ctx.reply.int(z.size);
}

function zscore(ctx: Ctx): void {
  const o = lookupRead(ctx, ctx.argv[1]);
  if (o === undefined) return ctx.reply.nullBulk();
  const z = asZset(ctx, o);
  if (z === undefined) return;
  const s = z.score(ctx.argv[2]);
  if (s === undefined) ctx.reply.nullBulk();
  else ctx.reply.double(s);
}

function zmscore(ctx: Ctx): void {
  const o = lookupRead(ctx, ctx.argv[1]);
  let z: ZSet | undefined;
  if (o !== undefined) {
    z = asZset(ctx, o);
    if (z === undefined) return;
  }
  const n = ctx.argv.length - 2;
  ctx.reply.array(n);
  for (let i = 2; i < ctx.argv.length; i++) {
    const s = z?.score(ctx.argv[i]);
    if (s === undefined) ctx.reply.nullBulk();
    else ctx.reply.double(s);
  }
}

function zrankGeneric(ctx: Ctx, reverse: boolean): void {
  const o = lookupRead(ctx, ctx.argv[1]);
  if (o === undefined) return ctx.reply.nullBulk();
  const z = asZset(ctx, o);
  if (z === undefined) return;
  const r = z.rank(ctx.argv[2], reverse);
  if (r < 0) ctx.reply.nullBulk();
  else ctx.reply.int(r);
}

function zcount(ctx: Ctx): void {
  const range = parseScoreRange(ctx.argv[2], ctx.argv[3]);
  if (range === null) return ctx.reply.error('ERR min or max is not a float');
  const o = lookupRead(ctx, ctx.argv[1]);
  if (o === undefined) return ctx.reply.int(0);
  const z = asZset(ctx, o);
  if (z !== undefined) ctx.reply.int(z.countInScore(range));
}

function zlexcount(ctx: Ctx): void {
  const range = parseLexRange(ctx.argv[2], ctx.argv[3]);
  if (range === null) return ctx.reply.error('ERR min or max not valid string range item');
  const o = lookupRead(ctx, ctx.argv[1]);
  if (o === undefined) return ctx.reply.int(0);
  const z = asZset(ctx, o);
  if (z !== undefined) ctx.reply.int(z.countInLex(range));
}

export const BASIC_HANDLERS = {
  zadd, zincrby, zrem, zcard, zscore, zmscore, zcount, zlexcount,
  zrank: (ctx: Ctx) => zrankGeneric(ctx, false),
  zrevrank: (ctx: Ctx) => zrankGeneric(ctx, true),
};

