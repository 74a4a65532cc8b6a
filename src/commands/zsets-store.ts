/*
 * Set algebra over sorted sets (and plain sets, whose members score 1): ZUNION ZINTER ZDIFF, their
 * *STORE forms, and ZINTERCARD — t_zset.c's zunionInterDiffGenericCommand.
 *
 * Order of checks, which decides the error a bad request gets: numkeys, then every input key's
 * type, then the options (WEIGHTS and AGGREGATE not for ZDIFF, WITHSCORES not for *STORE, only
 * LIMIT for ZINTERCARD). Inputs are visited smallest first (a stable sort, as Redis's qsort on
 * glibc), which also fixes the order in which SUM adds floating-point scores. A weighted score or
 * a sum that is NaN (inf * 0, inf + -inf) counts as 0, as in Redis. A STORE result is encoded for
 * its final size (listpack when small) and an empty result deletes the destination.
 */

import type { Ctx } from './context';
import { ERR } from './util';
import { optIs } from './strings-shared';
import { ZSet } from '../data/zset';
import { parseScore, parseLong, sourceOf, PairWriter, storeObject, type ZSource } from './zsets-shared';
import { lookupWrite } from './strings-shared';
import { lookupRead } from './strings-shared';

const enum Op { Union, Inter, Diff }
const SUM = 0, MIN = 1, MAX = 2;

function aggregate(target: number, v: number, agg: number): number {
  if (agg === SUM) {
    const s = target + v;
    return Number.isNaN(s) ? 0 : s;
  }
  if (agg === MIN) return v < target ? v : target;
  return v > target ? v : target;
}

function weighted(score: number, weight: number): number {
  const v = score * weight;
  return Number.isNaN(v) ? 0 : v;
}

/**
 * dstIdx: index of the destination key (0 when none); numIdx: index of numkeys.
 * cardOnly: ZINTERCARD.
 */
function generic(ctx: Ctx, dstIdx: number, numIdx: number, op: Op, cardOnly = false): void {
  const argv = ctx.argv;
  const setnum = parseLong(argv[numIdx]);
  if (setnum === null) return ctx.reply.error(ERR.NOT_INTEGER);
  if (setnum < 1) return ctx.reply.error(`ERR at least 1 input key is needed for '${ctx.cmd.name}' command`);
  if (setnum > argv.length - numIdx - 1) return ctx.reply.error(ERR.SYNTAX);
  const srcs: { src: ZSource; weight: number }[] = [];
  for (let i = 0; i < setnum; i++) {
    const key = argv[numIdx + 1 + i];
    const o = dstIdx > 0 ? lookupWrite(ctx, key) : lookupRead(ctx, key);
    const src = sourceOf(ctx, o);
    if (src === null) return;
    srcs.push({ src, weight: 1 });
  }
  let agg = SUM;
  let withScores = false;
  let limit = 0;
  let j = numIdx + 1 + setnum;
  while (j < argv.length) {
    const remaining = argv.length - j;
    const a = argv[j];
    if (cardOnly) {
      if (optIs(a, 'LIMIT') && remaining >= 2) {
        const l = parseLong(argv[j + 1]);
        if (l === null || l < 0) return ctx.reply.error("ERR LIMIT can't be negative");
        limit = l;
        j += 2;
      } else return ctx.reply.error(ERR.SYNTAX);
    } else if (op !== Op.Diff && remaining >= setnum + 1 && optIs(a, 'WEIGHTS')) {
      j++;
      for (let i = 0; i < setnum; i++, j++) {
        const w = parseScore(argv[j]);
        if (w === null) return ctx.reply.error('ERR weight value is not a float');
        srcs[i].weight = w;
      }
    } else if (op !== Op.Diff && remaining >= 2 && optIs(a, 'AGGREGATE')) {
      const v = argv[j + 1];
      if (optIs(v, 'SUM')) agg = SUM;
      else if (optIs(v, 'MIN')) agg = MIN;
      else if (optIs(v, 'MAX')) agg = MAX;
      else return ctx.reply.error(ERR.SYNTAX);
      j += 2;
    } else if (dstIdx === 0 && optIs(a, 'WITHSCORES')) {
      withScores = true;
      j++;
    } else return ctx.reply.error(ERR.SYNTAX);
  }

  if (op !== Op.Diff) srcs.sort((x, y) => x.src.size - y.src.size);

  const result = new Map<string, number>();
  if (op === Op.Union) {
    for (const { src, weight } of srcs) {
      src.each((m, s) => {
        const v = weighted(s, weight);
        const cur = result.get(m);
        result.set(m, cur === undefined ? v : aggregate(cur, v, agg));
      });
    }
  } else if (op === Op.Inter) {
    const first = srcs[0];
    if (cardOnly) {
      let n = 0;
      if (first.src.size > 0) {
        try {
          first.src.each((m) => {
            for (let i = 1; i < srcs.length; i++) if (srcs[i].src.get(m) === undefined) return;
            n++;
            if (limit > 0 && n >= limit) throw STOP;
          });
        } catch (e) {
          if (e !== STOP) throw e;
        }
      }
      return ctx.reply.int(n);
    }
    first.src.each((m, s) => {
      let score = weighted(s, first.weight);
      for (let i = 1; i < srcs.length; i++) {
        const other = srcs[i].src.get(m);
        if (other === undefined) return;
        score = aggregate(score, weighted(other, srcs[i].weight), agg);
      }
      result.set(m, score);
    });
  } else {
    srcs[0].src.each((m, s) => {
      for (let i = 1; i < srcs.length; i++) if (srcs[i].src.get(m) !== undefined) return;
      result.set(m, s);
    });
  }

  const out = new ZSet();
  let maxLen = 0;
  for (const [m, s] of result) {
    out.set(m, s);
    if (m.length > maxLen) maxLen = m.length;
  }
  if (dstIdx > 0) {
    const dst = argv[dstIdx];
    if (out.size > 0) {
      ctx.db.set(dst, storeObject(ctx, out, maxLen));
      ctx.server.signalModifiedKey(ctx.db, dst);
      ctx.reply.int(out.size);
      const ev = op === Op.Union ? 'zunionstore' : op === Op.Inter ? 'zinterstore' : 'zdiffstore';
      ctx.server.notifyKeyspaceEvent('z', ev, dst, ctx.db.id);
      ctx.server.dirty++;
    } else {
      ctx.reply.int(0);
      if (ctx.db.delete(dst)) {
        ctx.server.signalModifiedKey(ctx.db, dst);
        ctx.server.notifyKeyspaceEvent('g', 'del', dst, ctx.db.id);
        ctx.server.dirty++;
      }
    }
    return;
  }
  const w = new PairWriter(ctx, withScores);
  w.begin(out.size, true);
  for (let n = out.first(); n !== null; n = n.next()) w.emit(n.member, n.score);
  w.end();
}

const STOP = {};

export const STORE_HANDLERS = {
  zunion: (ctx: Ctx) => generic(ctx, 0, 1, Op.Union),
  zinter: (ctx: Ctx) => generic(ctx, 0, 1, Op.Inter),
  zdiff: (ctx: Ctx) => generic(ctx, 0, 1, Op.Diff),
  zunionstore: (ctx: Ctx) => generic(ctx, 1, 2, Op.Union),
  zinterstore: (ctx: Ctx) => generic(ctx, 1, 2, Op.Inter),
  zdiffstore: (ctx: Ctx) => generic(ctx, 1, 2, Op.Diff),
  zintercard: (ctx: Ctx) => generic(ctx, 0, 1, Op.Inter, true),
};
