/*
 * Transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH.
 *
 * Design: the pipeline (Server.dispatch) queues every admitted command of a session in MULTI,
 * except these five, QUIT and RESET, and marks the transaction aborted when it refuses one while
 * queueing (unknown command, arity, ACL, no_multi...). EXEC then either refuses the whole block —
 * EXECABORT after a refusal, a null array when a watched key changed — or hands the queue to the
 * server, which runs each command through the same call step as a top-level command (stats,
 * slowlog, MONITOR, propagation), re-checking ACL first. Nothing else runs in between: the event
 * loop is ours until EXEC returns, which is what makes the block atomic.
 *
 * WATCH state lives in src/server/watch.ts; every write reports the keys it changes through
 * ServerView.signalModifiedKey.
 */

import { command, type CommandSpec } from './table';
import type { Ctx } from './context';

function multiCommand(ctx: Ctx): void {
  if (ctx.client.multi !== null) return ctx.reply.error('ERR MULTI calls can not be nested');
  ctx.client.multi = [];
  ctx.client.multiAborted = false;
  ctx.reply.ok();
}

function discardCommand(ctx: Ctx): void {
  if (ctx.client.multi === null) return ctx.reply.error('ERR DISCARD without MULTI');
  ctx.server.discardTransaction(ctx.client);
  ctx.reply.ok();
}

function execCommand(ctx: Ctx): void {
  const c = ctx.client;
  const queued = c.multi;
  if (queued === null) return ctx.reply.error('ERR EXEC without MULTI');
  if (!c.dirtyCas && ctx.server.watchedKeyExpired(c)) c.dirtyCas = true;
  if (c.multiAborted || c.dirtyCas) {
    if (c.multiAborted) ctx.reply.error('EXECABORT Transaction discarded because of previous errors.');
    else ctx.reply.nullArray();
    ctx.server.discardTransaction(c);
    return;
  }
  // watched keys no longer matter once the block starts: unwatch first, as Redis does
  ctx.server.unwatchAll(c);
  try {
    ctx.server.runQueued(ctx, queued);
  } finally {
    ctx.server.discardTransaction(c);
  }
}

function watchCommand(ctx: Ctx): void {
  if (ctx.client.multi !== null) return ctx.reply.error('ERR WATCH inside MULTI is not allowed');
  for (let i = 1; i < ctx.argv.length; i++) ctx.server.watchKey(ctx.client, ctx.db, ctx.argv[i]);
  ctx.reply.ok();
}

function unwatchCommand(ctx: Ctx): void {
  ctx.server.unwatchAll(ctx.client);
  ctx.client.dirtyCas = false;
  ctx.reply.ok();
}

const TX_FLAGS = ['noscript', 'loading', 'stale', 'fast', 'allow_busy'] as const;

export const COMMANDS: CommandSpec[] = [
  command({
    name: 'multi', arity: 1, flags: [...TX_FLAGS], categories: ['transaction'],
    docs: { summary: 'Starts a transaction: later commands are queued until EXEC or DISCARD.', since: '1.2.0', group: 'transactions', complexity: 'O(1)' },
    handler: multiCommand,
  }),
  command({
    name: 'exec', arity: 1, flags: ['noscript', 'loading', 'stale', 'skip_slowlog'], categories: ['transaction'],
    docs: { summary: 'Runs the commands queued since MULTI, as one atomic block.', since: '1.2.0', group: 'transactions', complexity: 'Depends on commands in the transaction' },
    handler: execCommand,
  }),
  command({
    name: 'discard', arity: 1, flags: [...TX_FLAGS], categories: ['transaction'],
    docs: { summary: 'Drops the commands queued since MULTI and leaves the transaction.', since: '2.0.0', group: 'transactions', complexity: 'O(N), when N is the number of queued commands' },
    handler: discardCommand,
  }),
  command({
    name: 'watch', arity: -2, flags: [...TX_FLAGS], categories: ['transaction'],
    keys: [{ flags: ['RO'], begin: { index: 1 }, find: { range: [-1, 1, 0] } }],
    docs: { summary: 'Makes the next EXEC fail if any of these keys changes before it.', since: '2.2.0', group: 'transactions', complexity: 'O(1) for every key.', arguments: [{ name: 'key', type: 'key', key_spec_index: 0, flags: ['multiple'] }] },
    handler: watchCommand,
  }),
  command({
    name: 'unwatch', arity: 1, flags: [...TX_FLAGS], categories: ['transaction'],
    docs: { summary: 'Forgets every key this connection watches.', since: '2.2.0', group: 'transactions', complexity: 'O(1)' },
    handler: unwatchCommand,
  }),
];
