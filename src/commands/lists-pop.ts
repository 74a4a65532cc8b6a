/*
 * The list commands that take elements from one list and hand them elsewhere: LMOVE RPOPLPUSH
 * LMPOP, and the blocking BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP.
 *
 * Design, after Redis 7.0's t_list.c and blocked.c:
 *  - A blocking command first tries to serve itself like its non-blocking form; only when every
 *    key is missing (or empty) does it call ServerView.blockOnKeys with a KeyWaiter. The waiter
 *    captures everything it needs from the arguments at blocking time (the per-connection context
 *    is reused for later commands) and re-checks the key when offered it: a missing key or one of
 *    another type declines, which leaves the client blocked, as Redis does.
 *  - Propagation follows Redis: served at once or later, BLPOP/BRPOP replicate as LPOP/RPOP key,
 *    LMPOP/BLMPOP as LPOP/RPOP key count (count capped at the list's length), BLMOVE as LMOVE
 *    with the caller's own LEFT/RIGHT words, BRPOPLPUSH as RPOPLPUSH (checked against a Redis
 *    replication stream in test/interop/blocking.test.ts).
 *  - A BLMOVE woken when its destination holds another type gets WRONGTYPE and is unblocked
 *    without popping, as Redis's serveClientBlockedOnList does.
 */

import type { Handler } from './table';
import type { Ctx, KeyWaiter } from './context';
import { ERR, parseBlockTimeout } from './util';
import { lookupWrite, optIs } from './strings-shared';
import type { Quicklist } from '../data/quicklist';
import {
  HEAD, TAIL, type Where, parseWhereOrReply, parseAtLeastOneOrReply, elementsRemoved, popRangeWithKeyReply, movePush,
} from './lists-shared';

/* ------------------------------------------------------------------ LMOVE / RPOPLPUSH */

/**
 * Redis's lmoveGenericCommand once the source is known to be a non-empty list: checks the
 * destination's type, moves one element and does both keys' bookkeeping. False (after a
 * WRONGTYPE reply) when the destination holds another type.
 */
function moveOne(ctx: Ctx, src: string, q: Quicklist, dstKey: string, from: Where, to: Where): boolean {
  const d = lookupWrite(ctx, dstKey);
  if (d !== undefined && d.type !== 'list') {
    ctx.reply.error(ERR.WRONGTYPE);
    return false;
  }
  const value = (from === HEAD ? q.popHead() : q.popTail()) as string;
  movePush(ctx, dstKey, d === undefined ? null : d.value, value, to);
  const s = ctx.server;
  s.notifyKeyspaceEvent('l', from === HEAD ? 'lpop' : 'rpop', src, ctx.db.id);
  if (q.length === 0) {
    ctx.db.delete(src);
    s.notifyKeyspaceEvent('g', 'del', src, ctx.db.id);
  }
  s.signalModifiedKey(ctx.db, src);
  s.dirty++;
  return true;
}

/** LMOVE / RPOPLPUSH / the immediate path of BLMOVE / BRPOPLPUSH; `rewrite` replicates blocking forms. */
function lmoveGeneric(ctx: Ctx, from: Where, to: Where, rewrite: string[] | null): void {
  const argv = ctx.argv;
  const o = lookupWrite(ctx, argv[1]);
  if (o === undefined) return ctx.reply.nullBulk();
  if (o.type !== 'list') return ctx.reply.error(ERR.WRONGTYPE);
  if (moveOne(ctx, argv[1], o.value, argv[2], from, to) && rewrite !== null) ctx.propagateAs = [rewrite];
}

function lmove(ctx: Ctx): void {
  const from = parseWhereOrReply(ctx, ctx.argv[3]);
  if (from === null) return;
  const to = parseWhereOrReply(ctx, ctx.argv[4]);
  if (to === null) return;
  lmoveGeneric(ctx, from, to, null);
}

function rpoplpush(ctx: Ctx): void {
  lmoveGeneric(ctx, TAIL, HEAD, null);
}

/* ------------------------------------------------------------------ LMPOP / BLMPOP parsing */

interface MpopArgs {
  keys: string[];
  where: Where;
  count: number;
}

/** Redis's lmpopGenericCommand argument parsing; null after replying the error. */
function parseMpop(ctx: Ctx, numkeysIdx: number): MpopArgs | null {
  const argv = ctx.argv;
  const numkeys = parseAtLeastOneOrReply(ctx, argv[numkeysIdx], 'ERR numkeys should be greater than 0');
  if (numkeys === null) return null;
  const whereIdx = numkeysIdx + numkeys + 1;
  if (whereIdx >= argv.length) {
    ctx.reply.error(ERR.SYNTAX);
    return null;
  }
  const where = parseWhereOrReply(ctx, argv[whereIdx]);
  if (where === null) return null;
  let count = -1;
  for (let j = whereIdx + 1; j < argv.length; j++) {
    if (count === -1 && optIs(argv[j], 'COUNT') && j < argv.length - 1) {
      j++;
      const c = parseAtLeastOneOrReply(ctx, argv[j], 'ERR count should be greater than 0');
      if (c === null) return null;
      count = c;
    } else {
      ctx.reply.error(ERR.SYNTAX);
      return null;
    }
  }
  return { keys: argv.slice(numkeysIdx + 1, whereIdx), where, count: count === -1 ? 1 : count };
}

function popName(where: Where): string {
  return where === HEAD ? 'LPOP' : 'RPOP';
}

/**
 * The non-blocking part shared by LMPOP, BLMPOP, BLPOP and BRPOP: pops from the first non-empty
 * list among `keys`. `count` -1 means the single-element BLPOP/BRPOP reply. Returns 'served',
 * 'error' (WRONGTYPE replied) or 'empty' (nothing replied).
 */
function popFirstNonEmpty(ctx: Ctx, keys: string[], where: Where, count: number): 'served' | 'error' | 'empty' {
  for (const key of keys) {
    const o = lookupWrite(ctx, key);
    if (o === undefined) continue;
    if (o.type !== 'list') {
      ctx.reply.error(ERR.WRONGTYPE);
      return 'error';
    }
    const q: Quicklist = o.value;
    if (q.length === 0) continue;
    popFrom(ctx, key, q, where, count);
    return 'served';
  }
  return 'empty';
}

/** Pops from a known non-empty list, replies, and sets the replicated form. */
function popFrom(ctx: Ctx, key: string, q: Quicklist, where: Where, count: number): void {
  if (count !== -1) {
    const n = popRangeWithKeyReply(ctx, key, q, where, count);
    ctx.propagateAs = [[popName(where), key, '' + n]];
    return;
  }
  const value = (where === HEAD ? q.popHead() : q.popTail()) as string;
  ctx.reply.array(2);
  ctx.reply.bulk(key);
  ctx.reply.bulk(value);
  elementsRemoved(ctx, key, where, q, 1);
  ctx.propagateAs = [[popName(where), key]];
}

function lmpop(ctx: Ctx): void {
  const a = parseMpop(ctx, 1);
  if (a === null) return;
  if (popFirstNonEmpty(ctx, a.keys, a.where, a.count) === 'empty') ctx.reply.nullArray();
}

/* ------------------------------------------------------------------ blocking pops */

/** A waiter that pops from whichever awaited list becomes ready (BLPOP, BRPOP, BLMPOP). */
function popWaiter(where: Where, count: number): KeyWaiter {
  return {
    serve(ctx: Ctx, key: string): boolean {
      const o = ctx.db.lookup(key, ctx.now);
      if (o === undefined || o.type !== 'list' || (o.value as Quicklist).length === 0) return false;
      popFrom(ctx, key, o.value, where, count);
      return true;
    },
    timeout(ctx: Ctx): void {
      ctx.reply.nullArray();
    },
  };
}

/** BLPOP / BRPOP / BLMPOP once the arguments are parsed (timeout at `timeoutArg`). */
function blockingPop(ctx: Ctx, keys: string[], where: Where, timeoutArg: string, count: number): void {
  const deadline = parseBlockTimeout(ctx, timeoutArg);
  if (deadline === null) return;
  if (popFirstNonEmpty(ctx, keys, where, count) !== 'empty') return;
  ctx.server.blockOnKeys(ctx, keys, deadline, popWaiter(where, count));
}

function bpop(ctx: Ctx, where: Where): void {
  const argv = ctx.argv;
  blockingPop(ctx, argv.slice(1, argv.length - 1), where, argv[argv.length - 1], -1);
}

function blmpop(ctx: Ctx): void {
  const a = parseMpop(ctx, 2);
  if (a === null) return;
  blockingPop(ctx, a.keys, a.where, ctx.argv[1], a.count);
}

/* ------------------------------------------------------------------ blocking moves */

/**
 * Redis answers a BLMOVE that may not block (inside MULTI) with a null bulk, but one that timed out
 * (or was unblocked with TIMEOUT) with a null array, as every blocked list command. blockOnKeys
 * calls `timeout` synchronously only in the first case, which `state.blocking` tells apart.
 */
function moveWaiter(argv: readonly string[], from: Where, to: Where, isRpoplpush: boolean, state: { blocking: boolean }): KeyWaiter {
  const [, src, dst, fromArg, toArg] = argv;
  return {
    serve(ctx: Ctx, key: string): boolean {
      const o = ctx.db.lookup(key, ctx.now);
      if (o === undefined || o.type !== 'list' || (o.value as Quicklist).length === 0) return false;
      // a destination of another type answers WRONGTYPE and ends the wait, without popping
      if (moveOne(ctx, src, o.value, dst, from, to)) {
        ctx.propagateAs = [isRpoplpush ? ['RPOPLPUSH', src, dst] : ['LMOVE', src, dst, fromArg, toArg]];
      }
      return true;
    },
    timeout(ctx: Ctx): void {
      if (state.blocking) ctx.reply.nullBulk();
      else ctx.reply.nullArray();
    },
  };
}

function blmoveGeneric(ctx: Ctx, from: Where, to: Where, deadline: number, isRpoplpush: boolean): void {
  const argv = ctx.argv;
  const src = argv[1];
  const o = lookupWrite(ctx, src);
  if (o !== undefined && o.type !== 'list') return ctx.reply.error(ERR.WRONGTYPE);
  if (o === undefined) {
    const state = { blocking: true };
    ctx.server.blockOnKeys(ctx, [src], deadline, moveWaiter(argv.slice(), from, to, isRpoplpush, state));
    state.blocking = false;
    return;
  }
  lmoveGeneric(ctx, from, to, isRpoplpush ? ['RPOPLPUSH', src, argv[2]] : ['LMOVE', src, argv[2], argv[3], argv[4]]);
}

function blmove(ctx: Ctx): void {
  const argv = ctx.argv;
  const from = parseWhereOrReply(ctx, argv[3]);
  if (from === null) return;
  const to = parseWhereOrReply(ctx, argv[4]);
  if (to === null) return;
  const deadline = parseBlockTimeout(ctx, argv[5]);
  if (deadline === null) return;
  blmoveGeneric(ctx, from, to, deadline, false);
}

function brpoplpush(ctx: Ctx): void {
  const deadline = parseBlockTimeout(ctx, ctx.argv[3]);
  if (deadline === null) return;
  blmoveGeneric(ctx, TAIL, HEAD, deadline, true);
}

export const POP_HANDLERS: Record<string, Handler> = {
  lmove,
  rpoplpush,
  lmpop,
  blpop: (ctx) => bpop(ctx, HEAD),
  brpop: (ctx) => bpop(ctx, TAIL),
  blmove,
  brpoplpush,
  blmpop,
};
