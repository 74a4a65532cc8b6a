/*
 * Publish/subscribe commands: SUBSCRIBE UNSUBSCRIBE PSUBSCRIBE PUNSUBSCRIBE PUBLISH, the shard
 * forms SSUBSCRIBE SUNSUBSCRIBE SPUBLISH (a single node owns every slot, so they act on their own
 * channel namespace), and PUBSUB CHANNELS NUMSUB NUMPAT SHARDCHANNELS SHARDNUMSUB HELP.
 *
 * The registry (src/server/pubsub.ts, reached through ServerView.pubsub) holds the subscriptions
 * and delivers messages. Confirmations are pushes, as in Redis 7.0.15: they are written through
 * the registry's `push`, which reaches the client even under CLIENT REPLY OFF/SKIP (Redis's
 * CLIENT_PUSHING), as a RESP2 array or a RESP3 push. An unsubscribe with nothing to drop answers
 * once with a null channel. The RESP2 subscribed-context gate is the pipeline's (server.ts), and
 * PING's subscribed form is in connection.ts. ACL channel checks happen in the pipeline too
 * (security/acl.ts channelRefs: PSUBSCRIBE patterns are compared literally).
 */

import { command, type CommandSpec } from './table';
import type { Ctx } from './context';
import { Reply } from '../protocol/reply';
import { replyHelp } from './util';

type Kind = 'channel' | 'shard';

/** One confirmation: [verb, channel or null, count]. */
function confirm(ctx: Ctx, verb: string, channel: string | null, count: number): void {
  const r = new Reply();
  r.resp = ctx.client.resp;
  r.push(3);
  r.bulk(verb);
  r.bulkOrNull(channel);
  r.int(count);
  ctx.server.pubsub.push(ctx.client, r.out);
}

/**
 * Redis 7.0 refuses subscriptions from a client that may not block (inside EXEC), except that
 * SUBSCRIBE and PSUBSCRIBE keep working inside MULTI for backward compatibility.
 */
function denyBlocking(ctx: Ctx, name: string, multiExempt: boolean): boolean {
  const c = ctx.client as { denyBlocking?: boolean; multi?: unknown };
  if (c.denyBlocking !== true) return false;
  if (multiExempt && c.multi !== undefined && c.multi !== null) return false;
  ctx.reply.error(`ERR ${name} isn't allowed for a DENY BLOCKING client`);
  return true;
}

function subscribeTo(ctx: Ctx, kind: Kind, verb: string): void {
  const ps = ctx.server.pubsub;
  for (let i = 1; i < ctx.argv.length; i++) {
    ps.subscribe(ctx.client, kind, ctx.argv[i]);
    confirm(ctx, verb, ctx.argv[i], ps.subscriptionCount(ctx.client, kind));
  }
}

function unsubscribeFrom(ctx: Ctx, kind: Kind, verb: string): void {
  const ps = ctx.server.pubsub;
  const names = ctx.argv.length > 1 ? ctx.argv.slice(1) : ps.channelsOf(ctx.client, kind);
  if (names.length === 0) return confirm(ctx, verb, null, ps.subscriptionCount(ctx.client, kind));
  for (const ch of names) {
    ps.unsubscribe(ctx.client, kind, ch);
    confirm(ctx, verb, ch, ps.subscriptionCount(ctx.client, kind));
  }
}

function subscribe(ctx: Ctx): void {
  if (denyBlocking(ctx, 'SUBSCRIBE', true)) return;
  subscribeTo(ctx, 'channel', 'subscribe');
}

function ssubscribe(ctx: Ctx): void {
  if (denyBlocking(ctx, 'SSUBSCRIBE', false)) return;
  subscribeTo(ctx, 'shard', 'ssubscribe');
}

function unsubscribe(ctx: Ctx): void {
  unsubscribeFrom(ctx, 'channel', 'unsubscribe');
}

function sunsubscribe(ctx: Ctx): void {
  unsubscribeFrom(ctx, 'shard', 'sunsubscribe');
}

function psubscribe(ctx: Ctx): void {
  if (denyBlocking(ctx, 'PSUBSCRIBE', true)) return;
  const ps = ctx.server.pubsub;
  for (let i = 1; i < ctx.argv.length; i++) {
    ps.subscribePattern(ctx.client, ctx.argv[i]);
    confirm(ctx, 'psubscribe', ctx.argv[i], ps.subscriptionCount(ctx.client, 'channel'));
  }
}

function punsubscribe(ctx: Ctx): void {
  const ps = ctx.server.pubsub;
  const names = ctx.argv.length > 1 ? ctx.argv.slice(1) : ps.patternsOf(ctx.client);
  if (names.length === 0) return confirm(ctx, 'punsubscribe', null, ps.subscriptionCount(ctx.client, 'channel'));
  for (const p of names) {
    ps.unsubscribePattern(ctx.client, p);
    confirm(ctx, 'punsubscribe', p, ps.subscriptionCount(ctx.client, 'channel'));
  }
}

function publish(ctx: Ctx): void {
  ctx.reply.int(ctx.server.pubsub.publish('channel', ctx.argv[1], ctx.argv[2]));
}

function spublish(ctx: Ctx): void {
  ctx.reply.int(ctx.server.pubsub.publish('shard', ctx.argv[1], ctx.argv[2]));
}

/** Redis's addReplySubcommandSyntaxError (the subcommand printed with %.128s). */
function syntaxError(ctx: Ctx): void {
  const sub = ctx.argv[1];
  const z = sub.indexOf('\0');
  const shown = (z < 0 ? sub : sub.slice(0, z)).slice(0, 128);
  ctx.reply.error(`ERR unknown subcommand or wrong number of arguments for '${shown}'. Try ${ctx.argv[0].replace(/[a-z]+/g, (m) => m.toUpperCase())} HELP.`);
}

function channelList(ctx: Ctx, kind: Kind): void {
  if (ctx.argv.length > 3) return syntaxError(ctx);
  ctx.reply.bulkArray(ctx.server.pubsub.list(kind, ctx.argv.length === 3 ? ctx.argv[2] : null));
}

function numSub(ctx: Ctx, kind: Kind): void {
  const ps = ctx.server.pubsub;
  ctx.reply.array((ctx.argv.length - 2) * 2);
  for (let i = 2; i < ctx.argv.length; i++) {
    ctx.reply.bulk(ctx.argv[i]);
    ctx.reply.int(ps.numSub(kind, ctx.argv[i]));
  }
}

const HELP = [
  'CHANNELS [<pattern>]',
  "    List the channels that have a subscriber, those matching <pattern> when given.",
  'NUMPAT',
  '    Count the distinct patterns that have a subscriber.',
  'NUMSUB [<channel> ...]',
  '    For each <channel>, count its subscribers (pattern subscriptions are not counted).',
  'SHARDCHANNELS [<pattern>]',
  '    List the shard channels that have a subscriber, those matching <pattern> when given.',
  'SHARDNUMSUB [<shardchannel> ...]',
  '    For each <shardchannel>, count its subscribers.',
];

const SUB_FLAGS = ['pubsub', 'noscript', 'loading', 'stale'] as const;

export const COMMANDS: CommandSpec[] = [
  command({
    name: 'subscribe', arity: -2, flags: [...SUB_FLAGS, 'sentinel'],
    docs: { summary: 'Starts receiving the messages published to the given channels.', since: '2.0.0', group: 'pubsub',
      complexity: 'O(N), N being the number of channels named.',
      arguments: [{ name: 'channel', type: 'string', flags: ['multiple'] }] },
    handler: subscribe,
  }),
  command({
    name: 'unsubscribe', arity: -1, flags: [...SUB_FLAGS, 'sentinel'],
    docs: { summary: 'Stops receiving the messages of the given channels, or of every channel.', since: '2.0.0', group: 'pubsub',
      complexity: 'O(N), N being the number of subscribers of the channels left.',
      arguments: [{ name: 'channel', type: 'string', flags: ['optional', 'multiple'] }] },
    handler: unsubscribe,
  }),
  command({
    name: 'psubscribe', arity: -2, flags: [...SUB_FLAGS, 'sentinel'],
    docs: { summary: 'Starts receiving the messages published to channels that match the given patterns.', since: '2.0.0', group: 'pubsub',
      complexity: 'O(N), N being the number of patterns this client already subscribes to.',
      arguments: [{ name: 'pattern', type: 'block', flags: ['multiple'], arguments: [{ name: 'pattern', type: 'pattern' }] }] },
    handler: psubscribe,
  }),
  command({
    name: 'punsubscribe', arity: -1, flags: [...SUB_FLAGS, 'sentinel'],
    docs: { summary: 'Stops receiving the messages of the given patterns, or of every pattern.', since: '2.0.0', group: 'pubsub',
      complexity: 'O(N+M), N being the patterns of this client and M the patterns subscribed by all clients.',
      arguments: [{ name: 'pattern', type: 'pattern', flags: ['optional', 'multiple'] }] },
    handler: punsubscribe,
  }),
  command({
    name: 'publish', arity: 3, flags: ['pubsub', 'loading', 'stale', 'fast', 'may_replicate', 'sentinel'],
    docs: { summary: 'Sends a message to the subscribers of a channel and of the patterns it matches.', since: '2.0.0', group: 'pubsub',
      complexity: 'O(N+M), N being the subscribers of the channel and M the patterns subscribed by all clients.',
      arguments: [{ name: 'channel', type: 'string' }, { name: 'message', type: 'string' }] },
    handler: publish,
  }),
  command({
    name: 'ssubscribe', arity: -2, flags: [...SUB_FLAGS],
    keys: [{ flags: ['not_key'], begin: { index: 1 }, find: { range: [-1, 1, 0] } }],
    docs: { summary: 'Starts receiving the messages published to the given shard channels.', since: '7.0.0', group: 'pubsub',
      complexity: 'O(N), N being the number of shard channels named.',
      arguments: [{ name: 'shardchannel', type: 'string', flags: ['multiple'] }] },
    handler: ssubscribe,
  }),
  command({
    name: 'sunsubscribe', arity: -1, flags: [...SUB_FLAGS],
    keys: [{ flags: ['not_key'], begin: { index: 1 }, find: { range: [-1, 1, 0] } }],
    docs: { summary: 'Stops receiving the messages of the given shard channels, or of every shard channel.', since: '7.0.0', group: 'pubsub',
      complexity: 'O(N), N being the number of subscribers of the shard channels left.',
      arguments: [{ name: 'shardchannel', type: 'string', flags: ['optional', 'multiple'] }] },
    handler: sunsubscribe,
  }),
  command({
    name: 'spublish', arity: 3, flags: ['pubsub', 'loading', 'stale', 'fast', 'may_replicate'],
    keys: [{ flags: ['not_key'], begin: { index: 1 }, find: { range: [0, 1, 0] } }],
    docs: { summary: 'Sends a message to the subscribers of a shard channel.', since: '7.0.0', group: 'pubsub',
      complexity: 'O(N), N being the subscribers of the shard channel.',
      arguments: [{ name: 'shardchannel', type: 'string' }, { name: 'message', type: 'string' }] },
    handler: spublish,
  }),
  command({
    name: 'pubsub', arity: -2,
    docs: { summary: 'Inspects the publish/subscribe state.', since: '2.8.0', group: 'pubsub', complexity: 'Varies with the subcommand.' },
    subcommands: [
      command({
        name: 'channels', arity: -2, flags: ['pubsub', 'loading', 'stale'],
        docs: { summary: 'Lists the channels that have a subscriber.', since: '2.8.0', group: 'pubsub',
          complexity: 'O(N), N being the number of active channels (each matched against the pattern).',
          arguments: [{ name: 'pattern', type: 'pattern', flags: ['optional'] }] },
        handler: (ctx) => channelList(ctx, 'channel'),
      }),
      command({
        name: 'help', arity: 2, flags: ['loading', 'stale'],
        docs: { summary: 'Lists the PUBSUB subcommands.', since: '6.2.0', group: 'pubsub', complexity: 'O(1)' },
        handler: (ctx) => replyHelp(ctx, HELP),
      }),
      command({
        name: 'numpat', arity: 2, flags: ['pubsub', 'loading', 'stale'],
        docs: { summary: 'Counts the distinct patterns that have a subscriber.', since: '2.8.0', group: 'pubsub', complexity: 'O(1)' },
        handler: (ctx) => ctx.reply.int(ctx.server.pubsub.patternCount),
      }),
      command({
        name: 'numsub', arity: -2, flags: ['pubsub', 'loading', 'stale'],
        docs: { summary: 'Counts the subscribers of each given channel.', since: '2.8.0', group: 'pubsub',
          complexity: 'O(N), N being the number of channels named.',
          arguments: [{ name: 'channel', type: 'string', flags: ['optional', 'multiple'] }] },
        handler: (ctx) => numSub(ctx, 'channel'),
      }),
      command({
        name: 'shardchannels', arity: -2, flags: ['pubsub', 'loading', 'stale'],
        docs: { summary: 'Lists the shard channels that have a subscriber.', since: '7.0.0', group: 'pubsub',
          complexity: 'O(N), N being the number of active shard channels (each matched against the pattern).',
          arguments: [{ name: 'pattern', type: 'pattern', flags: ['optional'] }] },
        handler: (ctx) => channelList(ctx, 'shard'),
      }),
      command({
        name: 'shardnumsub', arity: -2, flags: ['pubsub', 'loading', 'stale'],
        docs: { summary: 'Counts the subscribers of each given shard channel.', since: '7.0.0', group: 'pubsub',
          complexity: 'O(N), N being the number of shard channels named.',
          arguments: [{ name: 'shardchannel', type: 'string', flags: ['optional', 'multiple'] }] },
        handler: (ctx) => numSub(ctx, 'shard'),
      }),
    ],
  }),
];
