/*
 * LATENCY: the latency monitor's commands (src/server/latency.ts keeps the series). Replies as
 * Redis 7.0's: LATEST and HISTORY as arrays of integers, RESET a count, GRAPH and DOCTOR
 * verbatim text (a bulk string in RESP2). LATENCY HISTOGRAM (per-command latency tracking) is not
 * implemented: it answers as an unknown subcommand.
 */

import type { Ctx } from './context';
import { command, type CommandSpec, type CommandFlag } from './table';
import { replyHelp } from './util';

const ADMIN: CommandFlag[] = ['admin', 'noscript', 'loading', 'stale'];
const PER_NODE = ['nondeterministic_output', 'request_policy:all_nodes', 'response_policy:special'];

function nowSec(ctx: Ctx): number {
  return Math.floor(ctx.server.now / 1000);
}

function latest(ctx: Ctx): void {
  const events = ctx.server.latency.latest();
  const r = ctx.reply;
  r.array(events.length);
  for (const [name, time, last, max] of events) {
    r.array(4);
    r.bulk(name);
    r.int(time);
    r.int(last);
    r.int(max);
  }
}

function history(ctx: Ctx): void {
  const samples = ctx.server.latency.history(ctx.argv[2]) ?? [];
  const r = ctx.reply;
  r.array(samples.length);
  for (const [time, ms] of samples) {
    r.array(2);
    r.int(time);
    r.int(ms);
  }
}

function reset(ctx: Ctx): void {
  const lat = ctx.server.latency;
  let n = 0;
  if (ctx.argv.length === 2) n = lat.reset();
  else for (let i = 2; i < ctx.argv.length; i++) n += lat.reset(ctx.argv[i]);
  ctx.reply.int(n);
}

function graph(ctx: Ctx): void {
  const g = ctx.server.latency.graph(ctx.argv[2], nowSec(ctx));
  if (g === undefined) ctx.reply.error(`ERR No samples available for event '${ctx.argv[2]}'`);
  else ctx.reply.verbatim(g);
}

function doctor(ctx: Ctx): void {
  const cfg = ctx.server.config;
  ctx.reply.verbatim(ctx.server.latency.doctor(nowSec(ctx), {
    slowlogSlowerThan: Number(cfg.get('slowlog-log-slower-than')),
    appendfsync: String(cfg.get('appendfsync')),
    hz: Number(cfg.get('hz')),
  }));
}

const HELP = [
  'DOCTOR',
  '    Reply with a report of the latency spikes recorded and advice on them.',
  'GRAPH <event>',
  '    Reply with an ASCII graph of the samples of <event>.',
  'HISTORY <event>',
  '    Reply with the samples of <event>: Unix time and latency in milliseconds.',
  'LATEST',
  '    Reply with, per event, its latest sample and its all-time high.',
  'RESET [<event> ...]',
  '    Drop the samples of the events named, or of every event.',
];

export const COMMANDS: CommandSpec[] = [
  command({
    name: 'latency', arity: -2, flags: [], categories: [],
    docs: { summary: 'Container for the latency monitor commands.', since: '2.8.13', group: 'server', complexity: 'Varies with the subcommand.' },
    subcommands: [
      command({
        name: 'doctor', arity: 2, flags: ADMIN, tips: PER_NODE,
        docs: { summary: 'Reports the latency spikes recorded, with advice.', since: '2.8.13', group: 'server', complexity: 'O(1)' },
        handler: doctor,
      }),
      command({
        name: 'graph', arity: 3, flags: ADMIN, tips: PER_NODE,
        docs: { summary: 'Draws the samples of one event as an ASCII graph.', since: '2.8.13', group: 'server', complexity: 'O(1)', arguments: [{ name: 'event', type: 'string' }] },
        handler: graph,
      }),
      command({
        name: 'help', arity: 2, flags: ['loading', 'stale'],
        docs: { summary: 'Lists the LATENCY subcommands.', since: '2.8.13', group: 'server', complexity: 'O(1)' },
        handler: (ctx) => replyHelp(ctx, HELP),
      }),
      command({
        name: 'history', arity: 3, flags: ADMIN, tips: PER_NODE,
        docs: { summary: 'Returns the samples of one event.', since: '2.8.13', group: 'server', complexity: 'O(1)', arguments: [{ name: 'event', type: 'string' }] },
        handler: history,
      }),
      command({
        name: 'latest', arity: 2, flags: ADMIN, tips: PER_NODE,
        docs: { summary: 'Returns the latest sample of every event.', since: '2.8.13', group: 'server', complexity: 'O(1)' },
        handler: latest,
      }),
      command({
        name: 'reset', arity: -2, flags: ADMIN, tips: ['request_policy:all_nodes', 'response_policy:all_succeeded'],
        docs: { summary: 'Drops the samples of some events, or of all.', since: '2.8.13', group: 'server', complexity: 'O(1)', arguments: [{ name: 'event', type: 'string', flags: ['optional', 'multiple'] }] },
        handler: reset,
      }),
    ],
  }),
];
