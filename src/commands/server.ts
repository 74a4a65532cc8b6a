/*
 * Server commands: INFO TIME SLOWLOG MONITOR SHUTDOWN, and DEBUG (declared in debug.ts).
 *
 * The handlers format; the server owns the state (INFO text, slow log, monitor list, shutdown
 * sequence) and hands it over through ServerView, so nothing here reaches a socket.
 */

import { command, type CommandSpec } from './table';
import type { Ctx } from './context';
import { ERR, isOpt, parseLongLong, replyHelp } from './util';
import { subcommandSyntaxError } from './client';
import { DEBUG } from './debug';

function info(ctx: Ctx): void {
  const sections: string[] = [];
  for (let i = 1; i < ctx.argv.length; i++) sections.push(ctx.argv[i].toLowerCase());
  ctx.reply.verbatim(ctx.server.infoString(sections));
}

/** Wall-clock time with microseconds, read fresh like Redis's gettimeofday (not the cached clock). */
function time(ctx: Ctx): void {
  const us = BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000));
  ctx.reply.array(2);
  ctx.reply.bulk(String(us / 1000000n));
  ctx.reply.bulk(String(us % 1000000n));
}

function slowlogGet(ctx: Ctx): void {
  const entries = ctx.server.slowlog.entries;
  let count = 10;
  if (ctx.argv.length === 3) {
    const n = parseLongLong(ctx.argv[2]);
    if (n === null || n < -1n) return ctx.reply.error('ERR count should be greater than or equal to -1');
    count = n === -1n ? entries.length : Number(n > BigInt(entries.length) ? BigInt(entries.length) : n);
  } else if (ctx.argv.length > 3) {
    return subcommandSyntaxError(ctx);
  }
  const n = Math.min(count, entries.length);
  const r = ctx.reply;
  r.array(n);
  for (let i = 0; i < n; i++) {
    const e = entries[i];
    r.array(6);
    r.int(e.id);
    r.int(e.time);
    r.int(e.duration);
    r.bulkArray(e.argv);
    r.bulk(e.peer);
    r.bulk(e.name);
  }
}

function slowlogLen(ctx: Ctx): void {
  ctx.reply.int(ctx.server.slowlog.entries.length);
}

function slowlogReset(ctx: Ctx): void {
  ctx.server.slowlog.reset();
  ctx.reply.ok();
}

/** SLOWLOG HELP, in our own words. */
const SLOWLOG_HELP = [
  'GET [<count>]',
  '    Reply with the <count> most recent entries (10 when omitted, all with -1).',
  '    Each entry holds: id, Unix time, duration in microseconds, arguments,',
  '    client address, client name.',
  'LEN',
  '    Reply with the number of entries the slow log holds.',
  'RESET',
  '    Remove every entry from the slow log.',
];

function slowlogHelp(ctx: Ctx): void {
  replyHelp(ctx, SLOWLOG_HELP);
}

/** A replica or an existing monitor ignores MONITOR without a reply, as Redis does. */
function monitor(ctx: Ctx): void {
  if (ctx.client.kind === 'replica' || ctx.client.kind === 'monitor') return;
  ctx.client.startMonitor();
  ctx.reply.ok();
}

/**
 * SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]. The server decides whether a final save is due
 * and whether it can exit; on success the process ends and no reply is sent.
 */
function shutdown(ctx: Ctx): void {
  const opts = { save: false, nosave: false, now: false, force: false, abort: false };
  for (let i = 1; i < ctx.argv.length; i++) {
    const a = ctx.argv[i];
    if (isOpt(a, 'NOSAVE')) opts.nosave = true;
    else if (isOpt(a, 'SAVE')) opts.save = true;
    else if (isOpt(a, 'NOW')) opts.now = true;
    else if (isOpt(a, 'FORCE')) opts.force = true;
    else if (isOpt(a, 'ABORT')) opts.abort = true;
    else return ctx.reply.error(ERR.SYNTAX);
  }
  if ((opts.abort && (opts.save || opts.nosave || opts.now || opts.force)) || (opts.save && opts.nosave)) {
    return ctx.reply.error(ERR.SYNTAX);
  }
  // inside MULTI or a script the caller cannot block: no waiting for replicas (Redis's rule)
  if ((ctx.client as { denyBlocking?: boolean }).denyBlocking === true) opts.now = true;
  let cancelled: ((error: string) => void) | undefined;
  const wait = new Promise<string>((resolve) => (cancelled = resolve));
  const err = ctx.server.shutdown(opts, cancelled);
  if (err === 'OK') ctx.reply.ok();
  else if (err !== null) ctx.reply.error(err);
  // waiting for replicas: the caller blocks; a completed shutdown exits, a cancelled one answers
  else if (ctx.server.shutdownWaiting) ctx.client.block(wait, (error) => ctx.reply.error(error));
}

export const COMMANDS: CommandSpec[] = [
  command({
    name: 'info', arity: -1, flags: ["loading","stale","sentinel"], categories: ["dangerous"], tips: ["nondeterministic_output","request_policy:all_shards","response_policy:special"],
    docs: {summary:"Reports the server's state and statistics, section by section.",since:"1.0.0",group:"server",complexity:"O(1)",history:[["7.0.0","Accepts several sections in one call."]],arguments:[{name:"section",type:"string",flags:["optional","multiple"]}]},
    handler: info,
  }),
  command({
    name: 'time', arity: 1, flags: ["loading","stale","fast"], tips: ["nondeterministic_output"],
    docs: {summary:"Returns the server clock as Unix seconds and microseconds.",since:"2.6.0",group:"server",complexity:"O(1)"},
    handler: time,
  }),
  command({
    name: 'slowlog', arity: -2,
    docs: {summary:"Groups the subcommands that read and clear the slow log.",since:"2.2.12",group:"server",complexity:"Varies with the subcommand."},
    subcommands: [
      command({
        name: 'len', arity: 2, flags: ["admin","loading","stale"], tips: ["request_policy:all_nodes","response_policy:agg_sum","nondeterministic_output"],
        docs: {summary:"Returns how many entries the slow log holds.",since:"2.2.12",group:"server",complexity:"O(1)"},
        handler: slowlogLen,
      }),
      command({
        name: 'reset', arity: 2, flags: ["admin","loading","stale"], tips: ["request_policy:all_nodes","response_policy:all_succeeded"],
        docs: {summary:"Empties the slow log.",since:"2.2.12",group:"server",complexity:"O(N), N being the number of entries in the slow log."},
        handler: slowlogReset,
      }),
      command({
        name: 'get', arity: -2, flags: ["admin","loading","stale"], tips: ["request_policy:all_nodes","nondeterministic_output"],
        docs: {summary:"Returns the most recent slow log entries.",since:"2.2.12",group:"server",complexity:"O(N), N being the number of entries in the reply.",history:[["4.0.0","Entries carry the client's address and name."]],arguments:[{name:"count",type:"integer",flags:["optional"]}]},
        handler: slowlogGet,
      }),
      command({
        name: 'help', arity: 2, flags: ["loading","stale"],
        docs: {summary:"Lists the SLOWLOG subcommands.",since:"6.2.0",group:"server",complexity:"O(1)"},
        handler: slowlogHelp,
      }),
    ],
  }),
  command({
    name: 'monitor', arity: 1, flags: ["admin","noscript","loading","stale"],
    docs: {summary:"Streams every command the server processes to this connection, live.",since:"1.0.0",group:"server"},
    handler: monitor,
  }),
  command({
    name: 'shutdown', arity: -1, flags: ["admin","noscript","loading","stale","no_multi","sentinel","allow_busy"],
    docs: {summary:"Stops the server, first saving the data when snapshots are configured.",since:"1.0.0",group:"server",complexity:"O(N) when it saves, N being the number of keys across all databases; O(1) otherwise.",history:[["7.0.0","Accepts `NOW`, `FORCE` and `ABORT`."]],arguments:[{name:"nosave_save",type:"oneof",flags:["optional"],arguments:[{name:"nosave",type:"pure-token",token:"NOSAVE"},{name:"save",type:"pure-token",token:"SAVE"}]},{name:"now",type:"pure-token",token:"NOW",since:"7.0.0",flags:["optional"]},{name:"force",type:"pure-token",token:"FORCE",since:"7.0.0",flags:["optional"]},{name:"abort",type:"pure-token",token:"ABORT",since:"7.0.0",flags:["optional"]}]},
    handler: shutdown,
  }),
  DEBUG,
];
