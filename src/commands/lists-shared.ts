/*
 * Pieces shared by the list command files (lists.ts, lists-pop.ts): creating a list key, popping
 * ranges with their reply, the bookkeeping after elements leave a list, and argument parsing with
 * Redis's exact error texts.
 *
 * Invariants kept here for every list command:
 *  - A list key never holds an empty list: the command that takes the last element deletes the
 *    key (with a 'del' event), as Redis 7.0 does.
 *  - Each write calls signalModifiedKey / notifyKeyspaceEvent with t_list.c's event names and
 *    increments server.dirty by the number of elements changed, so propagation happens exactly
 *    when Redis would propagate.
 */

import type { Ctx } from './context';
import { RObj } from '../data/keyspace';
import { Quicklist } from '../data/quicklist';
import { parseInteger } from './util';
import { optIs } from './strings-shared';

export const HEAD = 0;
export const TAIL = 1;
export type Where = typeof HEAD | typeof TAIL;

/** Creates an empty list under `key` (caller knows it is absent); the caller pushes at once. */
export function createList(ctx: Ctx, key: string): Quicklist {
  const q = new Quicklist();
  ctx.db.add(key, new RObj('list', q, 'quicklist', ctx.server.lruClock));
  return q;
}

/** getLongFromObjectOrReply: a signed 64-bit integer, else `msg` (default: not an integer). */
export function parseLongOrReply(ctx: Ctx, arg: string, msg = 'ERR value is not an integer or out of range'): number | null {
  const v = parseInteger(arg);
  if (v === null) ctx.reply.error(msg);
  return v;
}

/** getPositiveLongFromObjectOrReply: 0..LONG_MAX; both failures answer with `msg`. */
export function parsePositiveOrReply(ctx: Ctx, arg: string, msg = 'ERR value is out of range, must be positive'): number | null {
  const v = parseInteger(arg);
  if (v === null || v < 0) {
    ctx.reply.error(msg);
    return null;
  }
  return v;
}

/** getRangeLongFromObjectOrReply(1, LONG_MAX) with one message for every failure. */
export function parseAtLeastOneOrReply(ctx: Ctx, arg: string, msg: string): number | null {
  const v = parseInteger(arg);
  if (v === null || v < 1) {
    ctx.reply.error(msg);
    return null;
  }
  return v;
}

/** LEFT / RIGHT (case-insensitive, C-string semantics); null after a syntax error. */
export function parseWhereOrReply(ctx: Ctx, arg: string): Where | null {
  if (optIs(arg, 'RIGHT')) return TAIL;
  if (optIs(arg, 'LEFT')) return HEAD;
  ctx.reply.error('ERR syntax error');
  return null;
}

/**
 * Redis's listElementsRemoved: the pop event, deletion of an emptied key (with its 'del' event),
 * signalModifiedKey and dirty. Returns true when the key was deleted.
 */
export function elementsRemoved(ctx: Ctx, key: string, where: Where, q: Quicklist, count: number): boolean {
  const s = ctx.server;
  s.notifyKeyspaceEvent('l', where === HEAD ? 'lpop' : 'rpop', key, ctx.db.id);
  let deleted = false;
  if (q.length === 0) {
    ctx.db.delete(key);
    s.notifyKeyspaceEvent('g', 'del', key, ctx.db.id);
    deleted = true;
  }
  s.signalModifiedKey(ctx.db, key);
  s.dirty += count;
  return deleted;
}

/**
 * Pops up to `count` elements from one end and replies them as an array, head-first for HEAD and
 * tail-first for TAIL (the order Redis's addListRangeReply gives). Returns how many were popped.
 */
export function popRangeReply(ctx: Ctx, q: Quicklist, where: Where, count: number): number {
  const n = count > q.length ? q.length : count;
  const r = ctx.reply;
  r.array(n);
  if (where === HEAD) for (let i = 0; i < n; i++) r.bulk(q.popHead() as string);
  else for (let i = 0; i < n; i++) r.bulk(q.popTail() as string);
  return n;
}

/**
 * Redis's listPopRangeAndReplyWithKey (LMPOP, BLMPOP): [key, [elements...]] and the removal
 * bookkeeping. Returns the number of elements popped.
 */
export function popRangeWithKeyReply(ctx: Ctx, key: string, q: Quicklist, where: Where, count: number): number {
  ctx.reply.array(2);
  ctx.reply.bulk(key);
  const n = popRangeReply(ctx, q, where, count);
  elementsRemoved(ctx, key, where, q, n);
  return n;
}

/**
 * Redis's lmoveHandlePush: pushes `value` into the destination (created when absent), signals it,
 * emits its push event and replies the moved value.
 */
export function movePush(ctx: Ctx, dstKey: string, dst: Quicklist | null, value: string, where: Where): void {
  const q = dst ?? createList(ctx, dstKey);
  ctx.server.signalModifiedKey(ctx.db, dstKey);
  if (where === HEAD) q.pushHead(value);
  else q.pushTail(value);
  ctx.server.notifyKeyspaceEvent('l', where === HEAD ? 'lpush' : 'rpush', dstKey, ctx.db.id);
  ctx.reply.bulk(value);
}
