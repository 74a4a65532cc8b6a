/*
 * The MEMORY container: USAGE, STATS, DOCTOR, MALLOC-STATS, PURGE, HELP (Redis 7.0 shapes).
 *
 * Design: every figure comes from the one accounting used_memory and eviction use
 * (src/server/memory.ts): MEMORY USAGE is the per-key estimate the keyspace keeps (recomputed here
 * with the requested number of samples), MEMORY STATS the overhead breakdown of that same
 * used_memory. Replies have Redis's types and order (STATS is a map of 27 entries plus one per
 * non-empty database, percentages and ratios as doubles); the values are ours. MALLOC-STATS answers
 * as Redis built without jemalloc does, since V8's allocator has no such report; PURGE has nothing
 * to ask of it and answers OK.
 */

import { command, type CommandSpec } from './table';
import type { Ctx } from './context';
import { ERR, isOpt, parseLongLong, replyHelp } from './util';
import type { Server } from '../server/server';
import { doctorReport, memoryOverhead, sizeOf } from '../server/memory';

function serverOf(ctx: Ctx): Server {
  return ctx.server as unknown as Server;
}

/** MEMORY USAGE key [SAMPLES count]: the options are checked before the key is looked at. */
function usageCommand(ctx: Ctx): void {
  const { argv, reply } = ctx;
  let samples = 5;
  for (let j = 3; j < argv.length; j++) {
    if (isOpt(argv[j], 'SAMPLES') && j + 1 < argv.length) {
      const n = parseLongLong(argv[j + 1]);
      if (n === null) return reply.error(ERR.NOT_INTEGER);
      if (n < 0n) return reply.error(ERR.SYNTAX);
      // 0 samples every nested value
      samples = n === 0n ? Infinity : Number(n);
      j++;
    } else {
      return reply.error(ERR.SYNTAX);
    }
  }
  // as Redis: a plain dictionary probe, no expiry check and no access-time update
  const key = argv[2];
  const o = ctx.db.dict.get(key);
  if (o === undefined) return reply.nullBulk();
  reply.int(Math.round(sizeOf(key, o, samples)));
}

function statsCommand(ctx: Ctx): void {
  const server = serverOf(ctx);
  const o = memoryOverhead(server.evictor.mem, server);
  const r = ctx.reply;
  const int = (k: string, v: number) => {
    r.bulk(k);
    r.int(Math.round(v));
  };
  const dbl = (k: string, v: number) => {
    r.bulk(k);
    r.double(v);
  };
  r.map(27 + o.dbs.length);
  int('peak.allocated', o.peak);
  int('total.allocated', o.total);
  int('startup.allocated', o.startup);
  int('replication.backlog', o.backlog);
  int('clients.slaves', o.clientsReplicas);
  int('clients.normal', o.clientsNormal);
  int('cluster.links', 0);
  int('aof.buffer', o.aofBuffer);
  // no scripting engine, no functions: nothing cached
  int('lua.caches', 0);
  int('functions.caches', 0);
  for (const d of o.dbs) {
    r.bulk(`db.${d.id}`);
    r.map(3);
    int('overhead.hashtable.main', d.main);
    int('overhead.hashtable.expires', d.expires);
    int('overhead.hashtable.slot-to-keys', 0);
  }
  int('overhead.total', o.overheadTotal);
  int('keys.count', o.keys);
  int('keys.bytes-per-key', o.bytesPerKey);
  int('dataset.bytes', o.dataset);
  dbl('dataset.percentage', o.datasetPerc);
  dbl('peak.percentage', o.peakPerc);
  int('allocator.allocated', o.allocated);
  int('allocator.active', o.active);
  int('allocator.resident', o.resident);
  dbl('allocator-fragmentation.ratio', o.allocatorFrag);
  int('allocator-fragmentation.bytes', o.allocatorFragBytes);
  dbl('allocator-rss.ratio', o.allocatorRss);
  int('allocator-rss.bytes', o.allocatorRssBytes);
  dbl('rss-overhead.ratio', o.rssExtra);
  int('rss-overhead.bytes', o.rssExtraBytes);
  dbl('fragmentation', o.totalFrag);
  int('fragmentation.bytes', o.totalFragBytes);
}

function doctorCommand(ctx: Ctx): void {
  const server = serverOf(ctx);
  ctx.reply.verbatim(doctorReport(memoryOverhead(server.evictor.mem, server)));
}

function mallocStatsCommand(ctx: Ctx): void {
  ctx.reply.bulk('Stats not supported for the current allocator');
}

function purgeCommand(ctx: Ctx): void {
  ctx.reply.ok();
}

/** MEMORY HELP, in our own words. */
const MEMORY_HELP = [
  'DOCTOR',
  '    Reply with a short report on possible memory problems.',
  'MALLOC-STATS',
  "    Reply with the allocator's internal statistics, when it keeps any.",
  'PURGE',
  '    Ask the allocator to give unused pages back to the system.',
  'STATS',
  '    Reply with a breakdown of the memory the server uses.',
  'USAGE <key> [SAMPLES <count>]',
  '    Reply with the estimated bytes used by <key> and its value. Aggregate values',
  '    are estimated from <count> sampled members (default: 5, 0 means all).',
];

function helpCommand(ctx: Ctx): void {
  replyHelp(ctx, MEMORY_HELP);
}

const SHARDS_SPECIAL = ['nondeterministic_output', 'request_policy:all_shards', 'response_policy:special'];

export const COMMANDS: CommandSpec[] = [
  command({
    name: 'memory', arity: -2, flags: [], categories: [],
    docs: { summary: 'Container for the memory diagnostics commands.', since: '4.0.0', group: 'server', complexity: 'Varies with the subcommand.' },
    subcommands: [
      command({
        name: 'doctor', arity: 2, flags: [], categories: [], tips: SHARDS_SPECIAL,
        docs: { summary: 'Reports possible memory problems.', since: '4.0.0', group: 'server', complexity: 'O(1)' },
        handler: doctorCommand,
      }),
      command({
        name: 'help', arity: 2, flags: ['loading', 'stale'], categories: [],
        docs: { summary: 'Lists the MEMORY subcommands.', since: '4.0.0', group: 'server', complexity: 'O(1)' },
        handler: helpCommand,
      }),
      command({
        name: 'malloc-stats', arity: 2, flags: [], categories: [], tips: SHARDS_SPECIAL,
        docs: { summary: "Reports the allocator's internal statistics.", since: '4.0.0', group: 'server', complexity: 'Grows with the memory allocated; may be slow.' },
        handler: mallocStatsCommand,
      }),
      command({
        name: 'purge', arity: 2, flags: [], categories: [], tips: ['request_policy:all_shards', 'response_policy:all_succeeded'],
        docs: { summary: 'Asks the allocator to release unused memory.', since: '4.0.0', group: 'server', complexity: 'Grows with the memory allocated; may be slow.' },
        handler: purgeCommand,
      }),
      command({
        name: 'stats', arity: 2, flags: [], categories: [], tips: SHARDS_SPECIAL,
        docs: { summary: 'Reports a breakdown of the memory in use.', since: '4.0.0', group: 'server', complexity: 'O(1)' },
        handler: statsCommand,
      }),
      command({
        name: 'usage', arity: -3, flags: ['readonly'], categories: [],
        keys: [{ flags: ['RO'], begin: { index: 2 }, find: { range: [0, 1, 0] } }],
        docs: { summary: 'Estimates the memory used by a key and its value.', since: '4.0.0', group: 'server', complexity: 'O(N) where N is the number of samples.', arguments: [{ name: 'key', type: 'key', key_spec_index: 0 }, { name: 'count', type: 'integer', token: 'SAMPLES', flags: ['optional'] }] },
        handler: usageCommand,
      }),
    ],
  }),
];
