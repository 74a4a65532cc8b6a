/*
 * List commands: LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP LLEN LRANGE LINDEX LSET LINSERT LREM LTRIM
 * LPOS here; LMOVE RPOPLPUSH LMPOP and the blocking forms in lists-pop.ts. This file assembles the
 * family's table from those handlers and the metadata in lists-meta.ts.
 *
 * Design: values are Quicklist rings (src/data/quicklist.ts), OBJECT ENCODING 'quicklist' as in
 * Redis 7.0 whatever the size. Each handler follows t_list.c's order of checks — which argument is
 * parsed before the key is looked up, which lookup counts a keyspace hit — because that order
 * decides which error a bad request gets. Replies and errors are Redis's, RESP2 and RESP3.
 */

import type { CommandSpec, Handler } from './table';
import type { Ctx } from './context';
import { ERR, parseLongLong } from './util';
import { lookupRead, lookupWrite, optIs } from './strings-shared';
import { registerValueCopier } from '../data/keyspace';
import { Quicklist } from '../data/quicklist';
import { encodeBulk, BulkArrayBuilder, BUILD_MIN } from '../protocol/reply';
import { LIST_META } from './lists-meta';
import {
  HEAD, TAIL, type Where, createList, parseLongOrReply, parsePositiveOrReply, elementsRemoved, popRangeReply,
} from './lists-shared';
import { POP_HANDLERS } from './lists-pop';

registerValueCopier('list', (q: Quicklist) => q.clone());

/* ------------------------------------------------------------------ push */

function pushGeneric(ctx: Ctx, where: Where, xx: boolean): void {
  const argv = ctx.argv;
  const key = argv[1];
  const o = lookupWrite(ctx, key);
  if (o !== undefined && o.type !== 'list') return ctx.reply.error(ERR.WRONGTYPE);
  let q: Quicklist;
  if (o === undefined) {
    if (xx) return ctx.reply.int(0);
    q = createList(ctx, key);
  } else q = o.value;
  if (where === HEAD) for (let j = 2; j < argv.length; j++) q.pushHead(argv[j]);
  else for (let j = 2; j < argv.length; j++) q.pushTail(argv[j]);
  ctx.server.dirty += argv.length - 2;
  ctx.reply.int(q.length);
  ctx.server.signalModifiedKey(ctx.db, key, o);
  ctx.server.notifyKeyspaceEvent('l', where === HEAD ? 'lpush' : 'rpush', key, ctx.db.id);
}

/* ------------------------------------------------------------------ pop */

function popGeneric(ctx: Ctx, where: Where): void {
  const argv = ctx.argv;
  if (argv.length > 3) return ctx.reply.error(`ERR wrong number of arguments for '${ctx.cmd.fullname}' command`);
  const hasCount = argv.length === 3;
  let count = 0;
  if (hasCount) {
    const c = parsePositiveOrReply(ctx, argv[2]);
    if (c === null) return;
    count = c;
  }
  const key = argv[1];
  const o = lookupWrite(ctx, key);
  if (o === undefined) return hasCount ? ctx.reply.nullArray() : ctx.reply.nullBulk();
  if (o.type !== 'list') return ctx.reply.error(ERR.WRONGTYPE);
  const q: Quicklist = o.value;
  if (hasCount && count === 0) return ctx.reply.array(0);
  if (!hasCount) {
    ctx.reply.bulk((where === HEAD ? q.popHead() : q.popTail()) as string);
    elementsRemoved(ctx, key, where, q, 1);
    return;
  }
  const n = popRangeReply(ctx, q, where, count);
  elementsRemoved(ctx, key, where, q, n);
}

/* ------------------------------------------------------------------ reads */

function llen(ctx: Ctx): void {
  const o = lookupRead(ctx, ctx.argv[1]);
  if (o === undefined) return ctx.reply.int(0);
  if (o.type !== 'list') return ctx.reply.error(ERR.WRONGTYPE);
  ctx.reply.int((o.value as Quicklist).length);
}

function lindex(ctx: Ctx): void {
  const o = lookupRead(ctx, ctx.argv[1]);
  if (o === undefined) return ctx.reply.nullBulk();
  if (o.type !== 'list') return ctx.reply.error(ERR.WRONGTYPE);
  const index = parseLongOrReply(ctx, ctx.argv[2]);
  if (index === null) return;
  const v = (o.value as Quicklist).get(index);
  if (v === undefined) ctx.reply.nullBulk();
  else ctx.reply.bulk(v);
}

/** Normalises LRANGE/LTRIM indexes: [start, end] within the list, or null when the range is empty. */
function normaliseRange(start: number, end: number, llen: number): [number, number] | null {
  if (start < 0) start = llen + start;
  if (end < 0) end = llen + end;
  if (start < 0) start = 0;
  if (start > end || start >= llen) return null;
  if (end >= llen) end = llen - 1;
  return [start, end];
}

function lrange(ctx: Ctx): void {
  const argv = ctx.argv;
  const start = parseLongOrReply(ctx, argv[2]);
  if (start === null) return;
  const end = parseLongOrReply(ctx, argv[3]);
  if (end === null) return;
  const o = lookupRead(ctx, argv[1]);
  if (o === undefined) return ctx.reply.array(0);
  if (o.type !== 'list') return ctx.reply.error(ERR.WRONGTYPE);
  const q: Quicklist = o.value;
  const r = normaliseRange(start, end, q.length);
  if (r === null) return ctx.reply.array(0);
  // the whole reply as one flat string (LRANGE 0 599 is a 600-element array): see BulkArrayBuilder
  const last = r[1];
  const header = '*' + (last - r[0] + 1) + '\r\n';
  if (last - r[0] + 1 < BUILD_MIN) {
    let out = header;
    for (let i = r[0]; i <= last; i++) out += encodeBulk(q.at(i));
    ctx.reply.raw(out);
    return;
  }
  BulkArrayBuilder.begin(header);
  for (let i = r[0]; i <= last; i++) BulkArrayBuilder.bulk(q.at(i));
  ctx.reply.raw(BulkArrayBuilder.finish());
}

const RANK_ZERO =
  "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list";

function lpos(ctx: Ctx): void {
  const argv = ctx.argv;
  const ele = argv[2];
  let fromTail = false;
  let rank = 1;
  /** RANK LONG_MIN: Redis's negation overflows, so every match qualifies and COUNT never stops it */
  let rankMin = false;
  let count = -1;
  let maxlen = 0;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j];
    const more = j < argv.length - 1;
    if (optIs(opt, 'RANK') && more) {
      j++;
      const v = parseLongLong(argv[j]);
      if (v === null) return ctx.reply.error(ERR.NOT_INTEGER);
      if (v === 0n) return ctx.reply.error(RANK_ZERO);
      rankMin = v === -9223372036854775808n;
      rank = Number(v);
    } else if (optIs(opt, 'COUNT') && more) {
      j++;
      const v = parsePositiveOrReply(ctx, argv[j], "ERR COUNT can't be negative");
      if (v === null) return;
      count = v;
    } else if (optIs(opt, 'MAXLEN') && more) {
      j++;
      const v = parsePositiveOrReply(ctx, argv[j], "ERR MAXLEN can't be negative");
      if (v === null) return;
      maxlen = v;
    } else {
      return ctx.reply.error(ERR.SYNTAX);
    }
  }
  if (rank < 0) {
    rank = -rank;
    fromTail = true;
  }
  const o = lookupRead(ctx, argv[1]);
  if (o === undefined) return count !== -1 ? ctx.reply.array(0) : ctx.reply.nullBulk();
  if (o.type !== 'list') return ctx.reply.error(ERR.WRONGTYPE);
  const q: Quicklist = o.value;
  const llen = q.length;
  const limit = maxlen === 0 || maxlen > llen ? llen : maxlen;
  const found: number[] = [];
  let matches = 0;
  for (let index = 0; index < limit; index++) {
    const pos = fromTail ? llen - index - 1 : index;
    if (q.at(pos) !== ele) continue;
    matches++;
    if (!rankMin && matches < rank) continue;
    found.push(pos);
    if (count === -1) break;
    if (count !== 0 && !rankMin && matches - rank + 1 >= count) break;
  }
  if (count !== -1) {
    ctx.reply.array(found.length);
    for (const p of found) ctx.reply.int(p);
  } else if (found.length !== 0) ctx.reply.int(found[0]);
  else ctx.reply.nullBulk();
}

/* ------------------------------------------------------------------ edits */

function lset(ctx: Ctx): void {
  const argv = ctx.argv;
  const key = argv[1];
  const o = lookupWrite(ctx, key);
  if (o === undefined) return ctx.reply.error(ERR.NO_KEY);
  if (o.type !== 'list') return ctx.reply.error(ERR.WRONGTYPE);
  const index = parseLongOrReply(ctx, argv[2]);
  if (index === null) return;
  if (!(o.value as Quicklist).set(index, argv[3])) return ctx.reply.error('ERR index out of range');
  ctx.reply.ok();
  ctx.server.signalModifiedKey(ctx.db, key);
  ctx.server.notifyKeyspaceEvent('l', 'lset', key, ctx.db.id);
  ctx.server.dirty++;
}

function linsert(ctx: Ctx): void {
  const argv = ctx.argv;
  let after: boolean;
  if (optIs(argv[2], 'AFTER')) after = true;
  else if (optIs(argv[2], 'BEFORE')) after = false;
  else return ctx.reply.error(ERR.SYNTAX);
  const key = argv[1];
  const o = lookupWrite(ctx, key);
  if (o === undefined) return ctx.reply.int(0);
  if (o.type !== 'list') return ctx.reply.error(ERR.WRONGTYPE);
  const q: Quicklist = o.value;
  const at = q.indexOf(argv[3]);
  if (at < 0) return ctx.reply.int(-1);
  q.insertAt(after ? at + 1 : at, argv[4]);
  ctx.server.signalModifiedKey(ctx.db, key);
  ctx.server.notifyKeyspaceEvent('l', 'linsert', key, ctx.db.id);
  ctx.server.dirty++;
  ctx.reply.int(q.length);
}

function lrem(ctx: Ctx): void {
  const argv = ctx.argv;
  const toremove = parseLongOrReply(ctx, argv[2]);
  if (toremove === null) return;
  const key = argv[1];
  const o = lookupWrite(ctx, key);
  if (o === undefined) return ctx.reply.int(0);
  if (o.type !== 'list') return ctx.reply.error(ERR.WRONGTYPE);
  const q: Quicklist = o.value;
  // a negative count scans from the tail; LONG_MIN's magnitude exceeds any list, so "all" there too
  const removed = q.removeMatching(argv[3], toremove < 0 ? -toremove : toremove, toremove < 0);
  const s = ctx.server;
  s.dirty += removed;
  if (removed !== 0) s.notifyKeyspaceEvent('l', 'lrem', key, ctx.db.id);
  if (q.length === 0) {
    ctx.db.delete(key);
    s.notifyKeyspaceEvent('g', 'del', key, ctx.db.id);
  }
  if (removed !== 0) s.signalModifiedKey(ctx.db, key);
  ctx.reply.int(removed);
}

function ltrim(ctx: Ctx): void {
  const argv = ctx.argv;
  const start = parseLongOrReply(ctx, argv[2]);
  if (start === null) return;
  const end = parseLongOrReply(ctx, argv[3]);
  if (end === null) return;
  const key = argv[1];
  const o = lookupWrite(ctx, key);
  if (o === undefined) return ctx.reply.ok();
  if (o.type !== 'list') return ctx.reply.error(ERR.WRONGTYPE);
  const q: Quicklist = o.value;
  const llen = q.length;
  const r = normaliseRange(start, end, llen);
  const ltrimN = r === null ? llen : r[0];
  const rtrimN = r === null ? 0 : llen - r[1] - 1;
  q.trim(ltrimN, rtrimN);
  const s = ctx.server;
  s.notifyKeyspaceEvent('l', 'ltrim', key, ctx.db.id);
  if (q.length === 0) {
    ctx.db.delete(key);
    s.notifyKeyspaceEvent('g', 'del', key, ctx.db.id);
  }
  s.signalModifiedKey(ctx.db, key);
  s.dirty += ltrimN + rtrimN;
  ctx.reply.ok();
}

/* ------------------------------------------------------------------ table */

const HANDLERS: Record<string, Handler> = {
  lpush: (ctx) => pushGeneric(ctx, HEAD, false),
  rpush: (ctx) => pushGeneric(ctx, TAIL, false),
  lpushx: (ctx) => pushGeneric(ctx, HEAD, true),
  rpushx: (ctx) => pushGeneric(ctx, TAIL, true),
  lpop: (ctx) => popGeneric(ctx, HEAD),
  rpop: (ctx) => popGeneric(ctx, TAIL),
  llen,
  lrange,
  lindex,
  lset,
  linsert,
  lrem,
  ltrim,
  lpos,
  ...POP_HANDLERS,
};

export const COMMANDS: CommandSpec[] = Object.keys(LIST_META).map((name) => {
  const handler = HANDLERS[name];
  if (handler === undefined) throw new Error(`list command ${name} has no handler`);
  return { ...LIST_META[name], handler };
});
