/*
 * HyperLogLog commands: PFADD PFCOUNT PFMERGE PFDEBUG (the value format lives in data/hll.ts).
 *
 * Design: an HLL is an ordinary string value; the commands edit it in place as a ByteString
 * (unshareString), as Redis edits its SDS, so PFADD costs O(1) on a dense value and O(sparse
 * size <= hll-sparse-max-bytes) on a sparse one. Any string may reach these commands (SET can
 * store any bytes), so each value is checked the way Redis checks it before use, and every
 * corruption found while walking it is answered with Redis's INVALIDOBJ error.
 *
 * Side effects mirror hyperloglog.c: PFADD signals, notifies 'pfadd' and adds the number of
 * changed registers to dirty; PFCOUNT of one key stores a recomputed cardinality in the header
 * (dirty++, so it is propagated as called); PFMERGE notifies 'pfadd'; PFDEBUG GETREG/TODENSE count
 * a conversion to dense as a change. PFSELFTEST is absent (it would block the event loop for
 * seconds on ten million insertions).
 */

import { command, type CommandSpec } from './table';
import type { Ctx } from './context';
import { ERR } from './util';
import { RObj } from '../data/keyspace';
import { strBytes, strLength } from '../data/bytes';
import { lookupRead, lookupWrite, unshareString, optIs } from './strings-shared';
import {
  HLL_DENSE, HLL_REGISTERS, HLL_SPARSE, cacheValid, createHll, decodeSparse, denseRegisters, hllAdd, hllCount,
  hllMerge, hllStoreMax, invalidateCache, looksLikeHll, rawCount, readCachedCard, sparseToDense, writeCachedCard,
} from '../data/hll';

const INVALID_HLL = 'INVALIDOBJ Corrupted HLL object detected';
const NOT_HLL = 'WRONGTYPE Key is not a valid HyperLogLog string value.';

/** Redis's isHLLObjectOrReply: false after replying when `o` is not a usable HLL string. */
function checkHll(ctx: Ctx, o: RObj): boolean {
  if (o.type !== 'string') {
    ctx.reply.error(ERR.WRONGTYPE);
    return false;
  }
  if (o.enc === 'int') {
    ctx.reply.error(NOT_HLL);
    return false;
  }
  const v = o.value;
  const len = strLength(v);
  if (!looksLikeHll(strBytes(v, 0, Math.min(len, 16)), len)) {
    ctx.reply.error(NOT_HLL);
    return false;
  }
  return true;
}

/** The bytes of a (checked) HLL value for reading. */
function bytesOf(o: RObj): Uint8Array {
  const v = o.value;
  return strBytes(v, 0, strLength(v));
}

function pfadd(ctx: Ctx): void {
  const argv = ctx.argv;
  const key = argv[1];
  let o = lookupWrite(ctx, key);
  let updated = 0;
  if (o === undefined) {
    o = new RObj('string', createHll(), 'raw', ctx.server.lruClock);
    ctx.db.add(key, o);
    updated++;
  } else if (!checkHll(ctx, o)) {
    return;
  }
  const b = unshareString(o, 8);
  for (let j = 2; j < argv.length; j++) {
    const r = hllAdd(b, argv[j]);
    if (r === 1) updated++;
    else if (r === -1) {
      // registers changed before the corruption was met stay changed, as in Redis, but nothing
      // is counted as dirty, so nothing is propagated
      b.touched();
      return ctx.reply.error(INVALID_HLL);
    }
  }
  if (updated) {
    invalidateCache(b);
    ctx.server.signalModifiedKey(ctx.db, key);
    ctx.server.notifyKeyspaceEvent('$', 'pfadd', key, ctx.db.id);
    ctx.server.dirty += updated;
  }
  ctx.reply.int(updated ? 1 : 0);
}

function pfcount(ctx: Ctx): void {
  const argv = ctx.argv;
  if (argv.length > 2) {
    // cardinality of the union, in a scratch array of one byte per register
    const max = new Uint8Array(HLL_REGISTERS);
    for (let j = 1; j < argv.length; j++) {
      const o = lookupRead(ctx, argv[j]);
      if (o === undefined) continue;
      if (!checkHll(ctx, o)) return;
      const v = o.value;
      if (!hllMerge(max, bytesOf(o), strLength(v))) return ctx.reply.error(INVALID_HLL);
    }
    return ctx.reply.int(rawCount(max));
  }
  const key = argv[1];
  const o = lookupRead(ctx, key);
  if (o === undefined) return ctx.reply.int(0);
  if (!checkHll(ctx, o)) return;
  const b = unshareString(o);
  if (cacheValid(b.buf)) return ctx.reply.int(readCachedCard(b.buf));
  const card = hllCount(b.buf, b.len);
  if (card === null) return ctx.reply.error(INVALID_HLL);
  writeCachedCard(b, card);
  ctx.server.signalModifiedKey(ctx.db, key);
  ctx.server.dirty++;
  ctx.reply.int(card);
}

function pfmerge(ctx: Ctx): void {
  const argv = ctx.argv;
  const max = new Uint8Array(HLL_REGISTERS);
  let useDense = false;
  for (let j = 1; j < argv.length; j++) {
    const o = lookupRead(ctx, argv[j]);
    if (o === undefined) continue;
    if (!checkHll(ctx, o)) return;
    const bytes = bytesOf(o);
    if (bytes[4] === HLL_DENSE) useDense = true;
    if (!hllMerge(max, bytes, bytes.length)) return ctx.reply.error(INVALID_HLL);
  }
  const key = argv[1];
  let o = lookupWrite(ctx, key);
  if (o === undefined) {
    o = new RObj('string', createHll(), 'raw', ctx.server.lruClock);
    ctx.db.add(key, o);
  }
  // an existing destination was checked above, as the first source
  const b = unshareString(o, 8);
  if (useDense && !sparseToDense(b)) return ctx.reply.error(INVALID_HLL);
  hllStoreMax(b, max);
  invalidateCache(b);
  ctx.server.signalModifiedKey(ctx.db, key);
  ctx.server.notifyKeyspaceEvent('$', 'pfadd', key, ctx.db.id);
  ctx.server.dirty++;
  ctx.reply.ok();
}

function pfdebug(ctx: Ctx): void {
  const sub = ctx.argv[1];
  const key = ctx.argv[2];
  const o = lookupWrite(ctx, key);
  if (o === undefined) return ctx.reply.error('ERR The specified key does not exist');
  if (!checkHll(ctx, o)) return;
  const b = unshareString(o, 8);
  // strcasecmp on a C string: optIs ends the argument at its first NUL
  const is = (name: string) => optIs(sub, name);
  if (is('GETREG')) {
    if (b.buf[4] === HLL_SPARSE) {
      if (!sparseToDense(b)) return ctx.reply.error(INVALID_HLL);
      ctx.server.dirty++;
    }
    const regs = denseRegisters(b.buf);
    ctx.reply.array(regs.length);
    for (const r of regs) ctx.reply.int(r);
  } else if (is('DECODE')) {
    if (b.buf[4] !== HLL_SPARSE) return ctx.reply.error('ERR HLL encoding is not sparse');
    ctx.reply.bulk(decodeSparse(b.buf, b.len));
  } else if (is('ENCODING')) {
    ctx.reply.simple(b.buf[4] === HLL_DENSE ? 'dense' : 'sparse');
  } else if (is('TODENSE')) {
    let conv = 0;
    if (b.buf[4] === HLL_SPARSE) {
      if (!sparseToDense(b)) return ctx.reply.error(INVALID_HLL);
      conv = 1;
      ctx.server.dirty++;
    }
    ctx.reply.int(conv);
  } else {
    const name = sub.indexOf('\0') === -1 ? sub : sub.slice(0, sub.indexOf('\0'));
    ctx.reply.error(`ERR Unknown PFDEBUG subcommand '${name}'`);
  }
}

/* ------------------------------------------------------------------ table */

const key0 = (flags: ('RO' | 'RW' | 'access' | 'insert')[], begin = 1, lastkey = 0) => ({
  flags, begin: { index: begin }, find: { range: [lastkey, 1, 0] as [number, number, number] },
});

export const COMMANDS: CommandSpec[] = [
  command({
    name: 'pfadd', arity: -2, flags: ['write', 'denyoom', 'fast'], categories: ['hyperloglog'],
    keys: [key0(['RW', 'insert'])],
    docs: { summary: 'Adds elements to a HyperLogLog, creating the key when missing.', since: '2.8.9', group: 'hyperloglog', complexity: 'O(1) to add every element.',
      arguments: [{ name: 'key', type: 'key', key_spec_index: 0 }, { name: 'element', type: 'string', flags: ['optional', 'multiple'] }] },
    handler: pfadd,
  }),
  command({
    name: 'pfcount', arity: -2, flags: ['readonly', 'may_replicate'], categories: ['hyperloglog'],
    keys: [{ ...key0(['RW', 'access'], 1, -1), notes: 'RW because it may change the internal representation of the key, and propagate to replicas' }],
    docs: { summary: 'Returns the estimated number of distinct elements seen by one HyperLogLog, or by the union of several.', since: '2.8.9', group: 'hyperloglog',
      complexity: 'O(1) with a very small average constant time when called with a single key. O(N) with N being the number of keys, and much bigger constant times, when called with multiple keys.',
      arguments: [{ name: 'key', type: 'key', key_spec_index: 0, flags: ['multiple'] }] },
    handler: pfcount,
  }),
  command({
    name: 'pfmerge', arity: -2, flags: ['write', 'denyoom'], categories: ['hyperloglog'],
    keys: [key0(['RW', 'access', 'insert']), key0(['RO', 'access'], 2, -1)],
    docs: { summary: 'Merges HyperLogLogs into one stored at the destination key.', since: '2.8.9', group: 'hyperloglog', complexity: 'O(N) to merge N HyperLogLogs, but with high constant times.',
      arguments: [{ name: 'destkey', type: 'key', key_spec_index: 0 }, { name: 'sourcekey', type: 'key', key_spec_index: 1, flags: ['multiple'] }] },
    handler: pfmerge,
  }),
  command({
    name: 'pfdebug', arity: 3, flags: ['write', 'denyoom', 'admin'], categories: ['hyperloglog'],
    keys: [key0(['RW', 'access'], 2)],
    docs: { summary: 'Inspects or converts the representation of a HyperLogLog (internal, for debugging).', since: '2.8.9', group: 'hyperloglog', complexity: 'N/A',
      doc_flags: ['syscmd'],
      arguments: [{ name: 'subcommand', type: 'string' }, { name: 'key', type: 'key', key_spec_index: 0 }] },
    handler: pfdebug,
  }),
];
