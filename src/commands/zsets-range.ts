/*
 * Range reads and removals: ZRANGE (BYSCORE BYLEX REV LIMIT WITHSCORES), ZRANGESTORE, ZREVRANGE,
 * Z[REV]RANGEBYSCORE, Z[REV]RANGEBYLEX, ZREMRANGEBYRANK/SCORE/LEX.
 *
 * One parser serves all the ZRANGE forms, as t_zset.c's zrangeGenericCommand: each legacy command
 * is ZRANGE with its range type and/or direction fixed in advance, so the option a legacy form
 * cannot take (BYSCORE on ZRANGEBYLEX, REV on ZREVRANGE) is a plain syntax error. Arguments are
 * validated before the key is looked up. Results are located in O(log n) (first node in range, or
 * node at rank) and walked in order, so a page costs O(log n + M).
 */

import type { Ctx } from './context';
import { ERR } from './util';
import { optIs } from './strings-shared';
import { ZSet, type ZNode } from '../data/zset';
import { scoreLteMax } from '../data/zset-range';
import { scoreGteMin } from '../data/zset-range';
import { lexLteMax } from '../data/zset-range';
import { lexGteMin } from '../data/zset-range';
import type { ScoreRange } from '../data/zset-range';
import type { LexRange } from '../data/zset-range';
import { asZset, parseScoreRange, parseLexRange, parseLong, longOrReply, PairWriter, storeObject } from './zsets-shared';
import { lookupWrite } from './strings-shared';
import { lookupRead } from './strings-shared';

const enum RangeType { Auto, Rank, Score, Lex }
const enum Dir { Auto, Forward, Reverse }

/** The selected nodes, in reply order. */
function selectRank(z: ZSet, start: number, end: number, reverse: boolean): ZNode[] {
  const len = z.size;
  if (start < 0) start = len + start;
  if (end < 0) end = len + end;
  if (start < 0) start = 0;
  if (start > end || start >= len) return [];
  if (end >= len) end = len - 1;
  const out: ZNode[] = [];
  let n = reverse ? z.atRank(len - 1 - start) : z.atRank(start);
  for (let i = start; i <= end && n !== null; i++) {
    out.push(n);
    n = reverse ? n.prev : n.next();
  }
  return out;
}


/** Walks from `first` skipping `offset` nodes (by rank, O(log n)), then takes up to `limit` nodes. */
function walk(z: ZSet, first: ZNode | null, offset: number, limit: number, reverse: boolean, inside: (n: ZNode) => boolean): ZNode[] {
  const out: ZNode[] = [];
  if (first === null || offset < 0) return out;
  let n: ZNode | null = first;
  if (offset > 0) {
    if (offset >= z.size) return out;
    const r = z.rank(first.member) + (reverse ? -offset : offset);
    n = r < 0 ? null : z.atRank(r);
  }
  while (n !== null && limit !== 0 && inside(n)) {
    out.push(n);
    if (limit > 0) limit--;
    n = reverse ? n.prev : n.next();
  }
  return out;
}

interface RangeArgs {
  type: RangeType;
  reverse: boolean;
  withScores: boolean;
  start: number;
  end: number;
  score: ScoreRange | null;
  lex: LexRange | null;
  offset: number;
  limit: number;
}

/** Parses argv[from+1..] of a ZRANGE form (from = index of the source key); null after an error. */
function parseRange(ctx: Ctx, from: number, store: boolean, type: RangeType, dir: Dir): RangeArgs | null {
  const argv = ctx.argv;
  let withScores = false;
  let offset = 0;
  let limit = -1;
  for (let j = from + 3; j < argv.length; j++) {
    const left = argv.length - j - 1;
    const a = argv[j];
    if (!store && optIs(a, 'WITHSCORES')) withScores = true;
    else if (optIs(a, 'LIMIT') && left >= 2) {
      const o = longOrReply(ctx, argv[j + 1]);
      if (o === null) return null;
      const l = longOrReply(ctx, argv[j + 2]);
      if (l === null) return null;
      offset = o;
      limit = l;
      j += 2;
    } else if (dir === Dir.Auto && optIs(a, 'REV')) dir = Dir.Reverse;
    else if (type === RangeType.Auto && optIs(a, 'BYLEX')) type = RangeType.Lex;
    else if (type === RangeType.Auto && optIs(a, 'BYSCORE')) type = RangeType.Score;
    else {
      ctx.reply.error(ERR.SYNTAX);
      return null;
    }
  }
  if (dir === Dir.Auto) dir = Dir.Forward;
  if (type === RangeType.Auto) type = RangeType.Rank;
  if (limit !== -1 && type === RangeType.Rank) {
    ctx.reply.error('ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX');
    return null;
  }
  if (withScores && type === RangeType.Lex) {
    ctx.reply.error('ERR syntax error, WITHSCORES not supported in combination with BYLEX');
    return null;
  }
  const reverse = dir === Dir.Reverse;
  let minIdx = from + 1;
  let maxIdx = from + 2;
  if (reverse && type !== RangeType.Rank) [minIdx, maxIdx] = [maxIdx, minIdx];
  const r: RangeArgs = { type, reverse, withScores, start: 0, end: 0, score: null, lex: null, offset, limit };
  if (type === RangeType.Rank) {
    const s = parseLong(argv[minIdx]);
    const e = s === null ? null : parseLong(argv[maxIdx]);
    if (s === null || e === null) {
      ctx.reply.error(ERR.NOT_INTEGER);
      return null;
    }
    r.start = s;
    r.end = e;
  } else if (type === RangeType.Score) {
    r.score = parseScoreRange(argv[minIdx], argv[maxIdx]);
    if (r.score === null) {
      ctx.reply.error('ERR min or max is not a float');
      return null;
    }
  } else {
    r.lex = parseLexRange(argv[minIdx], argv[maxIdx]);
    if (r.lex === null) {
      ctx.reply.error('ERR min or max not valid string range item');
      return null;
    }
  }
  return r;
}

function select(z: ZSet, r: RangeArgs): ZNode[] {
  if (r.type === RangeType.Rank) return selectRank(z, r.start, r.end, r.reverse);
  if (r.type === RangeType.Score) {
    const sr = r.score!;
    const first = r.reverse ? z.lastInScore(sr) : z.firstInScore(sr);
    return walk(z, first, r.offset, r.limit, r.reverse, r.reverse ? (n) => scoreGteMin(n.score, sr) : (n) => scoreLteMax(n.score, sr));
  }
  const lr = r.lex!;
  const first = r.reverse ? z.lastInLex(lr) : z.firstInLex(lr);
  return walk(z, first, r.offset, r.limit, r.reverse, r.reverse ? (n) => lexGteMin(n.member, lr) : (n) => lexLteMax(n.member, lr));
}

function zrangeGeneric(ctx: Ctx, type: RangeType, dir: Dir): void {
  const r = parseRange(ctx, 1, false, type, dir);
  if (r === null) return;
  const o = lookupRead(ctx, ctx.argv[1]);
  if (o === undefined) return ctx.reply.array(0);
  const z = asZset(ctx, o);
  if (z === undefined) return;
  const nodes = select(z, r);
  const w = new PairWriter(ctx, r.withScores);
  w.begin(nodes.length, true);
  for (const n of nodes) w.emit(n.member, n.score);
  w.end();
}

function zrangestore(ctx: Ctx): void {
  const r = parseRange(ctx, 2, true, RangeType.Auto, Dir.Auto);
  if (r === null) return;
  const dst = ctx.argv[1];
  const o = lookupWrite(ctx, ctx.argv[2]);
  let nodes: ZNode[] = [];
  if (o !== undefined) {
    const z = asZset(ctx, o);
    if (z === undefined) return;
    nodes = select(z, r);
  }
  if (nodes.length === 0) {
    ctx.reply.int(0);
    if (ctx.db.delete(dst)) {
      ctx.server.signalModifiedKey(ctx.db, dst);
      ctx.server.notifyKeyspaceEvent('g', 'del', dst, ctx.db.id);
      ctx.server.dirty++;
    }
    return;
  }
  const out = new ZSet();
  let maxLen = 0;
  for (const n of nodes) {
    out.set(n.member, n.score);
    if (n.member.length > maxLen) maxLen = n.member.length;
  }
  ctx.db.set(dst, storeObject(ctx, out, maxLen));
  ctx.server.signalModifiedKey(ctx.db, dst);
  ctx.reply.int(out.size);
  ctx.server.notifyKeyspaceEvent('z', 'zrangestore', dst, ctx.db.id);
  ctx.server.dirty++;
}

/* ------------------------------------------------------------------ ZREMRANGEBY* */

function zremrange(ctx: Ctx, type: RangeType): void {
  const key = ctx.argv[1];
  let start = 0;
  let end = 0;
  let sr: ScoreRange | null = null;
  let lr: LexRange | null = null;
  if (type === RangeType.Rank) {
    const s = longOrReply(ctx, ctx.argv[2]);
    if (s === null) return;
    const e = longOrReply(ctx, ctx.argv[3]);
    if (e === null) return;
    start = s;
    end = e;
  } else if (type === RangeType.Score) {
    sr = parseScoreRange(ctx.argv[2], ctx.argv[3]);
    if (sr === null) return ctx.reply.error('ERR min or max is not a float');
  } else {
    lr = parseLexRange(ctx.argv[2], ctx.argv[3]);
    if (lr === null) return ctx.reply.error('ERR min or max not valid string range item');
  }
  const o = lookupWrite(ctx, key);
  if (o === undefined) return ctx.reply.int(0);
  const z = asZset(ctx, o);
  if (z === undefined) return;
  let removed: string[];
  if (type === RangeType.Rank) {
    const len = z.size;
    if (start < 0) start = len + start;
    if (end < 0) end = len + end;
    if (start < 0) start = 0;
    if (start > end || start >= len) return ctx.reply.int(0);
    if (end >= len) end = len - 1;
    removed = z.deleteRangeByRank(start, end);
  } else if (type === RangeType.Score) removed = z.deleteRangeByScore(sr!);
  else removed = z.deleteRangeByLex(lr!);
  const deleted = removed.length;
  if (deleted > 0) {
    const event = type === RangeType.Rank ? 'zremrangebyrank' : type === RangeType.Score ? 'zremrangebyscore' : 'zremrangebylex';
    ctx.server.signalModifiedKey(ctx.db, key);
    ctx.server.notifyKeyspaceEvent('z', event, key, ctx.db.id);
    if (z.size === 0) {
      ctx.db.delete(key);
      ctx.server.notifyKeyspaceEvent('g', 'del', key, ctx.db.id);
    }
  }
  ctx.server.dirty += deleted;
  ctx.reply.int(deleted);
}

export const RANGE_HANDLERS = {
  zrange: (ctx: Ctx) => zrangeGeneric(ctx, RangeType.Auto, Dir.Auto),
  zrevrange: (ctx: Ctx) => zrangeGeneric(ctx, RangeType.Rank, Dir.Reverse),
  zrangebyscore: (ctx: Ctx) => zrangeGeneric(ctx, RangeType.Score, Dir.Forward),
  zrevrangebyscore: (ctx: Ctx) => zrangeGeneric(ctx, RangeType.Score, Dir.Reverse),
  zrangebylex: (ctx: Ctx) => zrangeGeneric(ctx, RangeType.Lex, Dir.Forward),
  zrevrangebylex: (ctx: Ctx) => zrangeGeneric(ctx, RangeType.Lex, Dir.Reverse),
  zrangestore,
  zremrangebyrank: (ctx: Ctx) => zremrange(ctx, RangeType.Rank),
  zremrangebyscore: (ctx: Ctx) => zremrange(ctx, RangeType.Score),
  zremrangebylex: (ctx: Ctx) => zremrange(ctx, RangeType.Lex),
};
