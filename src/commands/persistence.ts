/*
 * Snapshot commands: SAVE, BGSAVE [SCHEDULE], LASTSAVE.
 *
 * The handlers only translate the persistence manager's outcome into Redis's replies; the state
 * machine (one background job at a time, scheduling, MISCONF after a failure) lives in
 * src/persistence/manager.ts. SAVE blocks the event loop for the whole dump, as Redis's does.
 */

import { command, type CommandSpec } from './table';
import type { Ctx } from './context';
import { ERR, isOpt } from './util';

function save(ctx: Ctx): void {
  const r = ctx.server.persistence.saveCommand();
  if (r === 'ok') ctx.reply.ok();
  else if (r === 'in-progress') ctx.reply.error('ERR Background save already in progress');
  // Redis answers a failed save with its bare shared error, "-ERR"
  else ctx.reply.error('ERR');
}

function bgsave(ctx: Ctx): void {
  let schedule = false;
  if (ctx.argv.length > 1) {
    if (ctx.argv.length === 2 && isOpt(ctx.argv[1], 'SCHEDULE')) schedule = true;
    else return ctx.reply.error(ERR.SYNTAX);
  }
  switch (ctx.server.persistence.bgsaveCommand(schedule)) {
    case 'started': return ctx.reply.simple('Background saving started');
    case 'scheduled': return ctx.reply.simple('Background saving scheduled');
    case 'in-progress': return ctx.reply.error('ERR Background save already in progress');
    case 'other-child':
      return ctx.reply.error("ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.");
    default: return ctx.reply.error('ERR');
  }
}

function lastsave(ctx: Ctx): void {
  ctx.reply.int(ctx.server.persistence.lastSave);
}

export const COMMANDS: CommandSpec[] = [
  command({
    name: 'save', arity: 1, flags: ['admin', 'noscript', 'no_async_loading', 'no_multi'],
    docs: { summary: 'Writes the whole dataset to the RDB file now, blocking the server until it is done.', since: '1.0.0', group: 'server', complexity: 'O(N) where N is the total number of keys in all databases' },
    handler: save,
  }),
  command({
    name: 'bgsave', arity: -1, flags: ['admin', 'noscript', 'no_async_loading'],
    docs: { summary: 'Writes a point-in-time image of the dataset to the RDB file while the server keeps serving.', since: '1.0.0', group: 'server', complexity: 'O(1)', history: [['3.2.2', 'Added the `SCHEDULE` option.']], arguments: [{ name: 'schedule', type: 'pure-token', token: 'SCHEDULE', since: '3.2.2', flags: ['optional'] }] },
    handler: bgsave,
  }),
  command({
    name: 'lastsave', arity: 1, flags: ['loading', 'stale', 'fast'], categories: ['admin', 'dangerous'], tips: ['nondeterministic_output'],
    docs: { summary: 'Returns the Unix time of the last successful save to disk.', since: '1.0.0', group: 'server', complexity: 'O(1)' },
    handler: lastsave,
  }),
];
