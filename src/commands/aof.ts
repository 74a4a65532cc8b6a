/*
 * BGREWRITEAOF: starts (or schedules) a rewrite of the append-only file's base. The handler only
 * maps the AOF manager's outcome to Redis's replies; the state machine (one background job at a
 * time with BGSAVE, scheduling inside MULTI or behind a BGSAVE) is src/persistence/aof/manager.ts.
 */

import { command, type CommandSpec } from './table';
import type { Ctx } from './context';

function bgrewriteaof(ctx: Ctx): void {
  switch (ctx.server.persistence.aof.bgrewriteaofCommand()) {
    case 'started': return ctx.reply.simple('Background append only file rewriting started');
    case 'scheduled': return ctx.reply.simple('Background append only file rewriting scheduled');
    case 'in-progress': return ctx.reply.error('ERR Background append only file rewriting already in progress');
    default: return ctx.reply.error("ERR Can't execute an AOF background rewriting. Please check the server logs for more information.");
  }
}

export const COMMANDS: CommandSpec[] = [
  command({
    name: 'bgrewriteaof', arity: 1, flags: ['noscript', 'admin', 'no_async_loading'],
    docs: { summary: 'Rewrites the append-only file in the background, from a point-in-time image of the dataset.', since: '1.0.0', group: 'server', complexity: 'O(1)' },
    handler: bgrewriteaof,
  }),
];
