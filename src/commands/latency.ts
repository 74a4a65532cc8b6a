/*
 * LATENCY: the latency monitor's commands (src/server/latency.ts keeps the series). Replies as
 * Redis 7.0's: LATEST and HISTORY as arrays of integers, RESET a count, GRAPH and DOCTOR
 * verbatim text (a bulk string in RESP2). LATENCY HISTOGRAM reads the per-command run-time
 * histograms of latency-tracking (src/server/latency-histogram.ts): maps in RESP3, flat arrays in
 * RESP2.
 */

import type { Ctx } from './context';
import { command, type Command, type CommandSpec, type CommandFlag } from './table';
import type { LatencyHistogram } from '../server/latency-histogram';
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

/** The calls and distribution of one command's run times (Redis's fillCommandCDF). */
function histogramOf(ctx: Ctx, h: LatencyHistogram): void {
  const r = ctx.reply;
  r.map(2);
  r.bulk('calls');
  r.int(h.total);
  r.bulk('histogram_usec');
  const d = h.distribution();
  r.map(d.length);
  for (const [usec, count] of d) {
    r.int(usec);
    r.int(count);
  }
}

/**
 * LATENCY HISTOGRAM [command ...]: per command (subcommands by their full name) that has run with
 * latency-tracking on, its calls and run-time distribution; names that are unknown or have no
 * data are left out, and a container named brings its subcommands.
 */
function histogram(ctx: Ctx): void {
  const table = ctx.server.commands;
  // a Set: a command named twice, or under a container and by itself, is listed once
  const found = new Set<Command>();
  const add = (c: Command): void => {
    if (c.latency !== null) found.add(c);
  };
  if (ctx.argv.length === 2) {
    for (const c of new Set(table.values())) {
      add(c);
      for (const s of c.subcommands?.values() ?? []) add(s);
    }
  } else {
    for (let i = 2; i < ctx.argv.length; i++) {
      const name = ctx.argv[i].toLowerCase();
      const bar = name.indexOf('|');
      const c = bar < 0 ? table.get(name) : table.get(name.slice(0, bar))?.subcommands?.get(name.slice(bar + 1));
      if (c === undefined) continue;
      add(c);
      for (const s of c.subcommands?.values() ?? []) add(s);
    }
  }
  ctx.reply.map(found.size);
  for (const c of found) {
    ctx.reply.bulk(c.fullname);
    histogramOf(ctx, c.latency!);
  }
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
  'HISTOGRAM [<command> ...]',
  '    Reply with, per command (all of them by default), its calls and the cumulative distribution',
  '    of its run times in microseconds (latency-tracking).',
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
        name: 'histogram', arity: -2, flags: ADMIN, tips: PER_NODE,
        docs: { summary: 'Returns the distribution of the run times of some commands, or of all.', since: '7.0.0', group: 'server', complexity: 'O(N) where N is the number of commands whose distribution is returned.', arguments: [{ name: 'command', type: 'string', flags: ['optional', 'multiple'] }] },
        handler: histogram,
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
