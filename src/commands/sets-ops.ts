/*
 * Multi-set algebra: SINTER SINTERCARD SINTERSTORE SUNION SUNIONSTORE SDIFF SDIFFSTORE (and
 * SMEMBERS, which Redis 7.0 serves as a one-key SINTER), as t_set.c's sinterGenericCommand and
 * sunionDiffGenericCommand.
 *
 * The algorithms are Redis's, not just the results, because the results' order and encoding show:
 *  - SINTER walks the smallest set (stable sort by size) and replies members in that set's order
 *    (ascending when it is an intset);
 *  - SUNION / SDIFF build a temporary set that starts as an intset and grows through setAdd, then
 *    reply it in its own order: a result of few integers comes back sorted, whatever the inputs;
 *  - SDIFF picks Redis's algorithm 1 (walk the first set, probe the others, sorted by decreasing
 *    size) or 2 (add the first, remove the others) by the same cost estimate — the two can leave
 *    the stored destination in different encodings;
 *  - every *STORE result starts as an intset, replaces the destination (TTL dropped) when not
 *    empty, and deletes it when empty.
 * A missing key is an empty set, but every key is still type-checked first (Redis 7.0 order).
 */

import type { Ctx } from './context';
import { ERR } from './util';
import { BulkArrayBuilder } from '../protocol/reply';
import { lookupRead } from './strings-shared';
import type { RObj } from '../data/keyspace';
import { newIntsetObject, setAdd, setForEach, setHas, setMembers, setRemove, setSize } from '../data/settype';

/** Looks up every key; null after a WRONGTYPE reply. Missing keys are undefined entries. */
function lookupSets(ctx: Ctx, keys: readonly string[]): (RObj | undefined)[] | null {
  const sets: (RObj | undefined)[] = [];
  for (const k of keys) {
    const o = lookupRead(ctx, k);
    if (o !== undefined && o.type !== 'set') {
      ctx.reply.error(ERR.WRONGTYPE);
      return null;
    }
    sets.push(o);
  }
  return sets;
}

/** Stores a result set at `dst` (or deletes `dst` when the result is empty) and replies its size. */
function storeResult(ctx: Ctx, dst: string, result: RObj, event: string): void {
  const n = setSize(result);
  if (n > 0) {
    ctx.db.set(dst, result);
    ctx.server.signalModifiedKey(ctx.db, dst);
    ctx.reply.int(n);
    ctx.server.notifyKeyspaceEvent('s', event, dst, ctx.db.id);
    ctx.server.dirty++;
  } else {
    ctx.reply.int(0);
    deleteDestination(ctx, dst);
  }
}

function deleteDestination(ctx: Ctx, dst: string): void {
  if (ctx.db.delete(dst)) {
    ctx.server.dirty++;
    ctx.server.signalModifiedKey(ctx.db, dst);
    ctx.server.notifyKeyspaceEvent('g', 'del', dst, ctx.db.id);
  }
}

/**
 * SINTER / SMEMBERS (dst null), SINTERSTORE (dst set) and SINTERCARD (cardinalityOnly, with
 * `limit`, 0 = none).
 */
export function sinterGeneric(ctx: Ctx, keys: readonly string[], dst: string | null, cardinalityOnly: boolean, limit: number): void {
  const found = lookupSets(ctx, keys);
  if (found === null) return;
  if (found.some((o) => o === undefined)) {
    if (dst !== null) {
      deleteDestination(ctx, dst);
      ctx.reply.int(0);
    } else if (cardinalityOnly) {
      ctx.reply.int(0);
    } else {
      ctx.reply.set(0);
    }
    return;
  }
  const sets = (found as RObj[]).slice().sort((a, b) => setSize(a) - setSize(b));
  const first = sets[0];
  let cardinality = 0;
  const result = dst !== null ? newIntsetObject(ctx.server.lruClock) : null;
  // the reply is built as one flat string (see BulkArrayBuilder): SMEMBERS of a big set
  if (result === null && !cardinalityOnly) BulkArrayBuilder.begin('');
  setForEach(first, (m) => {
    for (let j = 1; j < sets.length; j++) {
      if (sets[j] === first) continue;
      if (!setHas(sets[j], m)) return false;
    }
    if (cardinalityOnly) {
      cardinality++;
      return limit !== 0 && cardinality >= limit;
    }
    if (result !== null) {
      setAdd(result, m);
    } else {
      BulkArrayBuilder.bulk(m);
      cardinality++;
    }
    return false;
  });
  if (cardinalityOnly) return ctx.reply.int(cardinality);
  if (result !== null) return storeResult(ctx, dst as string, result, 'sinterstore');
  ctx.reply.set(cardinality);
  ctx.reply.raw(BulkArrayBuilder.finish());
}

export const SET_OP_UNION = 0;
export const SET_OP_DIFF = 1;

/** SUNION / SDIFF (dst null) and SUNIONSTORE / SDIFFSTORE. */
export function sunionDiffGeneric(ctx: Ctx, keys: readonly string[], dst: string | null, op: number): void {
  const sets = lookupSets(ctx, keys);
  if (sets === null) return;
  let sameset = false;
  for (let j = 1; j < sets.length; j++) if (sets[j] !== undefined && sets[j] === sets[0]) sameset = true;

  let algo = 1;
  const first = sets[0];
  if (op === SET_OP_DIFF && first !== undefined && !sameset) {
    let one = 0;
    let two = 0;
    for (const s of sets) {
      if (s === undefined) continue;
      one += setSize(first);
      two += setSize(s);
    }
    one = Math.floor(one / 2);
    algo = one <= two ? 1 : 2;
    if (algo === 1 && sets.length > 1) {
      const rest = sets.slice(1).sort((a, b) => (b === undefined ? 0 : setSize(b)) - (a === undefined ? 0 : setSize(a)));
      for (let j = 1; j < sets.length; j++) sets[j] = rest[j - 1];
    }
  }

  const result = newIntsetObject(ctx.server.lruClock);
  let cardinality = 0;
  if (op === SET_OP_UNION) {
    for (const s of sets) {
      if (s === undefined) continue;
      for (const m of setMembers(s)) if (setAdd(result, m)) cardinality++;
    }
  } else if (sameset || first === undefined) {
    // the difference with itself, or of nothing, is empty
  } else if (algo === 1) {
    setForEach(first, (m) => {
      for (let j = 1; j < sets.length; j++) {
        const s = sets[j];
        if (s === undefined) continue;
        if (s === first || setHas(s, m)) return false;
      }
      setAdd(result, m);
      cardinality++;
      return false;
    });
  } else {
    for (let j = 0; j < sets.length; j++) {
      const s = sets[j];
      if (s === undefined) continue;
      for (const m of setMembers(s)) {
        if (j === 0) {
          if (setAdd(result, m)) cardinality++;
        } else if (setRemove(result, m)) {
          cardinality--;
        }
      }
      if (cardinality === 0) break;
    }
  }

  if (dst === null) {
    ctx.reply.set(cardinality);
    BulkArrayBuilder.begin('');
    setForEach(result, (m) => {
      BulkArrayBuilder.bulk(m);
    });
    ctx.reply.raw(BulkArrayBuilder.finish());
    return;
  }
  storeResult(ctx, dst, result, op === SET_OP_UNION ? 'sunionstore' : 'sdiffstore');
}

/** SINTERCARD numkeys key [key ...] [LIMIT limit] */
export function sintercard(ctx: Ctx): void {
  const argv = ctx.argv;
  const numkeys = positiveLong(argv[1]);
  if (numkeys === null || numkeys < 1) return ctx.reply.error('ERR numkeys should be greater than 0');
  if (numkeys > argv.length - 2) return ctx.reply.error("ERR Number of keys can't be greater than number of args");
  let limit = 0;
  for (let j = 2 + numkeys; j < argv.length; j++) {
    const moreArgs = argv.length - 1 - j;
    if (moreArgs > 0 && optIsLimit(argv[j])) {
      j++;
      const l = positiveLong(argv[j]);
      if (l === null) return ctx.reply.error("ERR LIMIT can't be negative");
      limit = l;
    } else {
      return ctx.reply.error(ERR.SYNTAX);
    }
  }
  sinterGeneric(ctx, argv.slice(2, 2 + numkeys), null, true, limit);
}

function optIsLimit(s: string): boolean {
  const nul = s.indexOf('\0');
  return (nul >= 0 ? s.slice(0, nul) : s).toUpperCase() === 'LIMIT';
}

/** A string2ll integer in [0, LONG_MAX] as a number, or null. */
function positiveLong(s: string): number | null {
  if (!/^(0|[1-9][0-9]{0,18})$/.test(s)) return null;
  if (s.length === 19 && s > '9223372036854775807') return null;
  return Number(s);
}
