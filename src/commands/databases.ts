/*
 * Database commands: SELECT SWAPDB DBSIZE FLUSHDB FLUSHALL.
 *
 * A connection only holds the index of its database; the Database objects themselves never move.
 * SWAPDB therefore swaps the contents of two Database objects, so every client keeps its index and
 * sees the other data set, as in Redis. Flushing is synchronous whatever ASYNC says: freeing a JS
 * heap structure is the garbage collector's job and costs the event loop nothing here.
 */

import { command, type CommandSpec } from './table';
import type { Ctx } from './context';
import { ERR } from './util';
import { parseIntArg } from './keys';

function selectCommand(ctx: Ctx): void {
  const id = parseIntArg(ctx, ctx.argv[1]);
  if (id === null) return;
  if (id < 0 || id >= ctx.server.dbs.length) return ctx.reply.error(ERR.DB_INDEX);
  ctx.client.dbIndex = id;
  ctx.db = ctx.server.dbs[id];
  ctx.reply.ok();
}

function swapdbCommand(ctx: Ctx): void {
  const id1 = parseIntArg(ctx, ctx.argv[1], 'ERR invalid first DB index');
  if (id1 === null) return;
  const id2 = parseIntArg(ctx, ctx.argv[2], 'ERR invalid second DB index');
  if (id2 === null) return;
  const dbs = ctx.server.dbs;
  if (id1 < 0 || id1 >= dbs.length || id2 < 0 || id2 >= dbs.length) return ctx.reply.error(ERR.DB_INDEX);
  if (id1 !== id2) {
    ctx.server.touchAllWatchedKeysInDb(dbs[id1], dbs[id2]);
    ctx.server.touchAllWatchedKeysInDb(dbs[id2], dbs[id1]);
    dbs[id1].swapWith(dbs[id2]);
    ctx.server.keysMayBeReady(dbs[id1]);
    ctx.server.keysMayBeReady(dbs[id2]);
  }
  ctx.server.dirty++;
  ctx.reply.ok();
}

function dbsizeCommand(ctx: Ctx): void {
  ctx.reply.int(ctx.db.size);
}

/** The optional SYNC/ASYNC argument; false after replying a syntax error. */
function flushArgOk(ctx: Ctx): boolean {
  if (ctx.argv.length === 1) return true;
  const a = ctx.argv[1].toLowerCase();
  if (ctx.argv.length === 2 && (a === 'sync' || a === 'async')) return true;
  ctx.reply.error(ERR.SYNTAX);
  return false;
}

function flushdbCommand(ctx: Ctx): void {
  if (!flushArgOk(ctx)) return;
  ctx.server.touchAllWatchedKeysInDb(ctx.db);
  ctx.server.tracking.flushed();
  const removed = ctx.db.clear();
  ctx.server.dirty += removed;
  // Redis propagates FLUSHDB even when the database was already empty (the dirty counter does not
  // move then, so the pipeline would not): a replica may still hold keys there.
  if (removed === 0) ctx.server.propagate(ctx.client.dbIndex, ctx.argv);
  ctx.reply.ok();
}

function flushallCommand(ctx: Ctx): void {
  if (!flushArgOk(ctx)) return;
  let removed = 0;
  ctx.server.tracking.flushed();
  for (const db of ctx.server.dbs) {
    ctx.server.touchAllWatchedKeysInDb(db);
    removed += db.clear();
  }
  ctx.server.dirty += removed;
  // Redis 7.0 stops a running BGSAVE and, when save points exist, saves the empty dataset at once
  ctx.server.persistence.afterFlushAll();
  // Redis counts the removed keys plus one, so FLUSHALL always propagates.
  ctx.server.dirty += 1;
  ctx.reply.ok();
}

export const COMMANDS: CommandSpec[] = [
  command({
    name: 'select', arity: 2, flags: ['loading', 'stale', 'fast'], categories: ['connection'],
    docs: { summary: 'Changes the database of the current connection.', since: '1.0.0', group: 'connection', complexity: 'O(1)', arguments: [{ name: 'index', type: 'integer' }] },
    handler: selectCommand,
  }),
  command({
    name: 'swapdb', arity: 3, flags: ['write', 'fast'], categories: ['keyspace', 'dangerous'],
    docs: { summary: 'Exchanges the contents of two databases.', since: '4.0.0', group: 'server', complexity: 'O(N), N being the number of clients watching or blocked on keys of either database.', arguments: [{ name: 'index1', type: 'integer' }, { name: 'index2', type: 'integer' }] },
    handler: swapdbCommand,
  }),
  command({
    name: 'dbsize', arity: 1, flags: ['readonly', 'fast'], categories: ['keyspace'], tips: ['request_policy:all_shards', 'response_policy:agg_sum'],
    docs: { summary: 'Returns the number of keys in the current database.', since: '1.0.0', group: 'server', complexity: 'O(1)' },
    handler: dbsizeCommand,
  }),
  command({
    name: 'flushdb', arity: -1, flags: ['write'], categories: ['keyspace', 'dangerous'], tips: ['request_policy:all_shards', 'response_policy:all_succeeded'],
    docs: { summary: 'Removes every key from the current database.', since: '1.0.0', group: 'server', complexity: 'O(N), N being the number of keys in the current database.', history: [['4.0.0', 'Accepts `ASYNC`, to free the memory in the background.'], ['6.2.0', 'Accepts `SYNC`, to free the memory before replying.']], arguments: [{ name: 'async', type: 'oneof', flags: ['optional'], arguments: [{ name: 'async', type: 'pure-token', token: 'ASYNC', since: '4.0.0' }, { name: 'sync', type: 'pure-token', token: 'SYNC', since: '6.2.0' }] }] },
    handler: flushdbCommand,
  }),
  command({
    name: 'flushall', arity: -1, flags: ['write'], categories: ['keyspace', 'dangerous'], tips: ['request_policy:all_shards', 'response_policy:all_succeeded'],
    docs: { summary: 'Removes every key from every database.', since: '1.0.0', group: 'server', complexity: 'O(N), N being the number of keys across all databases.', history: [['4.0.0', 'Accepts `ASYNC`, to free the memory in the background.'], ['6.2.0', 'Accepts `SYNC`, to free the memory before replying.']], arguments: [{ name: 'async', type: 'oneof', flags: ['optional'], arguments: [{ name: 'async', type: 'pure-token', token: 'ASYNC', since: '4.0.0' }, { name: 'sync', type: 'pure-token', token: 'SYNC', since: '6.2.0' }] }] },
    handler: flushallCommand,
  }),
];
