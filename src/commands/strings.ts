/*
 * String commands.
 */

import { command, type CommandSpec } from './table';
import type { Ctx } from './context';
import { RObj, stringEncoding } from '../data/keyspace';

const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';

function get(ctx: Ctx): void {
  const o = ctx.db.lookupTouch(ctx.argv[1], ctx.now, ctx.server.lruClock);
  if (o === undefined) {
    ctx.server.stats.keyspaceMisses++;
    return ctx.reply.nullBulk();
  }
  ctx.server.stats.keyspaceHits++;
  if (o.type !== 'string') return ctx.reply.error(WRONGTYPE);
  ctx.reply.bulk(o.value);
}

function set(ctx: Ctx): void {
  const v = ctx.argv[2];
  ctx.db.set(ctx.argv[1], new RObj('string', v, stringEncoding(v), ctx.server.lruClock));
  ctx.server.dirty++;
  ctx.reply.ok();
}

export const COMMANDS: CommandSpec[] = [
  command({
    name: 'get', arity: 2, flags: ['readonly', 'fast'], categories: ['string'],
    keys: [{ flags: ['RO', 'access'], begin: { index: 1 }, find: { range: [0, 1, 0] } }],
    docs: { summary: 'Returns the string value of a key.', since: '1.0.0', group: 'string', complexity: 'O(1)',
      arguments: [{ name: 'key', type: 'key', key_spec_index: 0 }] },
    handler: get,
  }),
  command({
    name: 'set', arity: -3, flags: ['write', 'denyoom'], categories: ['string'],
    keys: [{ flags: ['RW', 'access', 'update', 'variable_flags'], begin: { index: 1 }, find: { range: [0, 1, 0] } }],
    docs: { summary: 'Sets the string value of a key, ignoring its type. The key is created if it doesn\'t exist.', since: '1.0.0', group: 'string', complexity: 'O(1)',
      arguments: [{ name: 'key', type: 'key', key_spec_index: 0 }, { name: 'value', type: 'string' }] },
    handler: set,
  }),
];
