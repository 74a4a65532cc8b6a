/*
 * Connection commands: PING ECHO QUIT SELECT HELLO RESET CLIENT.
 */

import { command, type CommandSpec } from './table';
import type { Ctx } from './context';

function ping(ctx: Ctx): void {
  // In RESP2 a subscribed client gets an array; handled by the pub/sub issue.
  if (ctx.argv.length > 2) return ctx.reply.error(`ERR wrong number of arguments for 'ping' command`);
  if (ctx.argv.length === 2) ctx.reply.bulk(ctx.argv[1]);
  else ctx.reply.simple('PONG');
}

export const COMMANDS: CommandSpec[] = [
  command({
    name: 'ping', arity: -1, flags: ['fast', 'sentinel'], categories: ['connection'], tips: ['request_policy:all_shards', 'response_policy:all_succeeded'],
    docs: { summary: 'Returns the server\'s liveliness response.', since: '1.0.0', group: 'connection', complexity: 'O(1)',
      arguments: [{ name: 'message', type: 'string', flags: ['optional'] }] },
    handler: ping,
  }),
  command({
    name: 'echo', arity: 2, flags: ['fast'], categories: ['connection'],
    docs: { summary: 'Returns the given string.', since: '1.0.0', group: 'connection', complexity: 'O(1)',
      arguments: [{ name: 'message', type: 'string' }] },
    handler: (ctx) => ctx.reply.bulk(ctx.argv[1]),
  }),
];
