/*
 * SPOP and SRANDMEMBER, as Redis 7.0's t_set.c, case by case so every reply has Redis's shape and
 * a popped set is left in the encoding Redis would leave it in:
 *
 * SPOP key count (a set reply; count must be a non-negative 64-bit integer):
 *  1. count >= size: the whole set (through SUNION's temporary set, so a set of few integers comes
 *     back sorted), the key is deleted, propagated as DEL (UNLINK with lazyfree-lazy-server-del);
 *  2. remaining * 5 > count: `count` random removals;
 *  3. otherwise the `remaining` members that stay are drawn into a new set (created for the
 *     first of them, so it can be an intset again) and the rest of the old set is the reply.
 *  Cases 2 and 3 propagate one SREM per popped member.
 * SRANDMEMBER key count (an array reply): negative counts (or 1) pick with repeats; count >= size is
 * the whole set; otherwise distinct members by partial shuffle (count * 3 > size) or by random
 * picks deduplicated with a Set.
 */

import type { Ctx } from './context';
import { ERR } from './util';
import { lookupRead, lookupWrite, lazyFlag } from './strings-shared';
import { writeRepeatedPicks } from './scan-shared';
import type { RObj } from '../data/keyspace';
import { newSetFor, setAdd, setMembers, setPopRandom, setRandom, setRemove, setSize } from '../data/settype';
import { parseInt64 } from '../data/strnum';
import { sunionDiffGeneric, SET_OP_UNION } from './sets-ops';

const SPOP_MOVE_STRATEGY_MUL = 5;
const SRANDMEMBER_SUB_STRATEGY_MUL = 3;

function bulk(s: string): string {
  return '$' + s.length + '\r\n' + s + '\r\n';
}

export function spop(ctx: Ctx): void {
  const argv = ctx.argv;
  if (argv.length === 3) return spopWithCount(ctx);
  if (argv.length > 3) return ctx.reply.error(ERR.SYNTAX);
  const key = argv[1];
  const o = lookupWrite(ctx, key);
  if (o === undefined) return ctx.reply.nullBulk();
  if (o.type !== 'set') return ctx.reply.error(ERR.WRONGTYPE);
  const m = setPopRandom(o);
  ctx.server.notifyKeyspaceEvent('s', 'spop', key, ctx.db.id);
  ctx.propagateAs = [['SREM', key, m]];
  ctx.reply.bulk(m);
  if (setSize(o) === 0) {
    ctx.db.delete(key);
    ctx.server.notifyKeyspaceEvent('g', 'del', key, ctx.db.id);
  }
  ctx.server.signalModifiedKey(ctx.db, key);
  ctx.server.dirty++;
}

function spopWithCount(ctx: Ctx): void {
  const key = ctx.argv[1];
  const l = parseInt64(ctx.argv[2]);
  if (l === null || l < 0) return ctx.reply.error('ERR value is out of range, must be positive');
  const o = lookupWrite(ctx, key);
  if (o === undefined) return ctx.reply.set(0);
  if (o.type !== 'set') return ctx.reply.error(ERR.WRONGTYPE);
  const count = Number(l);
  if (count === 0) return ctx.reply.set(0);
  const size = setSize(o);
  ctx.server.notifyKeyspaceEvent('s', 'spop', key, ctx.db.id);
  ctx.server.dirty += count >= size ? size : count;

  if (count >= size) {
    sunionDiffGeneric(ctx, [key], null, SET_OP_UNION);
    ctx.db.delete(key);
    ctx.server.notifyKeyspaceEvent('g', 'del', key, ctx.db.id);
    ctx.propagateAs = [[lazyFlag(ctx, 'lazyfree-lazy-server-del') ? 'UNLINK' : 'DEL', key]];
    ctx.server.signalModifiedKey(ctx.db, key);
    return;
  }

  const prop: string[][] = [];
  let out = '';
  const remaining = size - count;
  if (remaining * SPOP_MOVE_STRATEGY_MUL > count) {
    for (let i = 0; i < count; i++) {
      const m = setRandom(o);
      setRemove(o, m);
      out += bulk(m);
      prop.push(['SREM', key, m]);
    }
  } else {
    let kept: RObj | null = null;
    for (let i = 0; i < remaining; i++) {
      const m = setRandom(o);
      if (kept === null) kept = newSetFor(m, o.lru);
      setAdd(kept, m);
      setRemove(o, m);
    }
    for (const m of setMembers(o)) {
      out += bulk(m);
      prop.push(['SREM', key, m]);
    }
    // the survivors become the key's value; the object keeps its identity (LRU, key entry)
    const k = kept as RObj;
    o.value = k.value;
    o.enc = k.enc;
  }
  ctx.reply.set(count);
  ctx.reply.raw(out);
  ctx.propagateAs = prop;
  ctx.server.signalModifiedKey(ctx.db, key);
}

export function srandmember(ctx: Ctx): void {
  const argv = ctx.argv;
  if (argv.length === 3) return srandmemberWithCount(ctx);
  if (argv.length > 3) return ctx.reply.error(ERR.SYNTAX);
  const o = lookupRead(ctx, argv[1]);
  if (o === undefined) return ctx.reply.nullBulk();
  if (o.type !== 'set') return ctx.reply.error(ERR.WRONGTYPE);
  ctx.reply.bulk(setRandom(o));
}

function srandmemberWithCount(ctx: Ctx): void {
  const l = parseInt64(ctx.argv[2]);
  if (l === null) return ctx.reply.error(ERR.NOT_INTEGER);
  if (l === -9223372036854775808n) {
    return ctx.reply.error('ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807');
  }
  const o = lookupRead(ctx, ctx.argv[1]);
  if (o === undefined) return ctx.reply.array(0);
  if (o.type !== 'set') return ctx.reply.error(ERR.WRONGTYPE);
  const n = Number(l);
  const uniq = n >= 0;
  const count = Math.abs(n);
  const size = setSize(o);
  const r = ctx.reply;
  if (count === 0) return r.array(0);

  if (!uniq || count === 1) {
    const mark = r.out.length;
    // the header must be exact even beyond 2^53 (the reply is then cut short, see replyTooLarge)
    r.raw('*' + (typeof l === 'bigint' ? (l < 0n ? -l : l) : count) + '\r\n');
    writeRepeatedPicks(ctx, mark, count, () => bulk(setRandom(o)));
    return;
  }

  let out = '';
  if (count >= size) {
    r.array(size);
    for (const m of setMembers(o)) out += bulk(m);
  } else if (count * SRANDMEMBER_SUB_STRATEGY_MUL > size) {
    r.array(count);
    const all = setMembers(o);
    for (let i = 0; i < count; i++) {
      const j = i + Math.floor(Math.random() * (size - i));
      const t = all[i];
      all[i] = all[j];
      all[j] = t;
      out += bulk(all[i]);
    }
  } else {
    r.array(count);
    const seen = new Set<string>();
    while (seen.size < count) {
      const m = setRandom(o);
      if (seen.has(m)) continue;
      seen.add(m);
      out += bulk(m);
    }
  }
  r.raw(out);
}
