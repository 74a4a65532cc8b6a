/*
 * CONFIG GET / SET / RESETSTAT / REWRITE / HELP. All knowledge of directives lives in the config
 * registry (src/config); this file only adapts it to the wire: reply shapes, Redis's error texts,
 * the enable-protected-configs gate, and redaction of sensitive values in the command's argv
 * (the slow log and audit trail see "(redacted)" instead of a password).
 */

import { command, type CommandSpec } from './table';
import type { Ctx } from './context';
import { globMatch } from '../data/glob';
import { rewriteConfigFile } from '../config/rewrite';
import { replyHelp } from './util';

const FLAGS = ['admin', 'noscript', 'loading', 'stale'] as const;

function configGet(ctx: Ctx): void {
  const pairs = ctx.server.config.match(ctx.argv.slice(2), globMatch);
  ctx.reply.map(pairs.length);
  for (const [k, v] of pairs) {
    ctx.reply.bulk(k);
    ctx.reply.bulk(v);
  }
}

function configSet(ctx: Ctx): void {
  const argv = ctx.argv;
  if (argv.length % 2 === 1) {
    ctx.reply.error('ERR syntax error');
    return;
  }
  const cfg = ctx.server.config;
  const pairs: [string, string][] = [];
  for (let i = 2; i < argv.length; i += 2) {
    pairs.push([argv[i], argv[i + 1]]);
    // Redact before anything can fail, so no log or slow-log entry ever carries the secret.
    if (cfg.lookup(argv[i])?.sensitive) argv[i + 1] = '(redacted)';
  }
  const epc = cfg.get('enable-protected-configs') as string;
  const allowProtected = epc === 'yes' || (epc === 'local' && ctx.client.local === true);
  const listenerNames = pairs.map(([n]) => cfg.lookup(n)?.name).filter((n) => n === 'port' || n === 'bind') as string[];
  const previous: [string, string][] = listenerNames.map((n) => [n, cfg.show(cfg.lookup(n)!)]);
  const err = cfg.setMany(pairs, allowProtected);
  if (err !== null) return ctx.reply.error(err);
  if (listenerNames.length === 0 || previous.every(([n, v]) => cfg.show(cfg.lookup(n)!) === v)) return ctx.reply.ok();
  // New listeners must be bound before we can answer, as Redis does; this session waits.
  const blamed = listenerNames.includes('bind') ? 'bind' : 'port';
  ctx.client.block(ctx.server.reopenListeners(), (failure) => {
    if (failure === null) return ctx.reply.ok();
    cfg.setMany(previous, true); // the old listeners were kept: put the values back to match them
    const why = blamed === 'bind' ? 'Failed to bind to specified addresses.' : 'Unable to listen on this port. Check server logs.';
    ctx.reply.error(`ERR CONFIG SET failed (possibly related to argument '${blamed}') - ${why}`);
  });
}

/** Redis's resetServerStats + resetCommandTableStats + resetErrorTableStats. */
function configResetStat(ctx: Ctx): void {
  const stats = ctx.server.stats as unknown as Record<string, unknown>;
  for (const k of Object.keys(stats)) {
    const v = stats[k];
    if (typeof v === 'number') stats[k] = 0;
    else if (v instanceof Map) v.clear();
  }
  ctx.server.stats.resetTime = Date.now();
  const seen = new Set<unknown>();
  for (const c of ctx.server.commands.values()) {
    if (seen.has(c)) continue;
    seen.add(c);
    for (const x of [c, ...(c.subcommands?.values() ?? [])]) {
      x.calls = 0;
      x.usec = 0;
      x.rejectedCalls = 0;
      x.failedCalls = 0;
      x.latency = null;
    }
  }
  ctx.reply.ok();
}

function configRewrite(ctx: Ctx): void {
  const file = ctx.server.config.configFile;
  if (file === null) {
    ctx.reply.error('ERR The server is running without a config file');
    return;
  }
  const err = rewriteConfigFile(file, ctx.server.config);
  if (err === null) {
    ctx.server.log('warning', 'CONFIG REWRITE executed with success.');
    ctx.reply.ok();
  } else {
    ctx.server.log('warning', `CONFIG REWRITE failed: ${err}`);
    ctx.reply.error(`ERR Rewriting config file: ${err}`);
  }
}

/** CONFIG HELP, in our own words. */
const HELP = [
  'GET <pattern> [<pattern> ...]',
  '    Reply with every parameter whose name matches a glob-style <pattern>,',
  '    with its value.',
  'SET <directive> <value> [<directive> <value> ...]',
  '    Change parameters at run time; when one change is refused, none is applied.',
  'RESETSTAT',
  '    Zero the counters and statistics that INFO reports.',
  'REWRITE',
  '    Write the running configuration back into the configuration file.',
];

function configHelp(ctx: Ctx): void {
  replyHelp(ctx, HELP);
}

export const COMMANDS: CommandSpec[] = [
  command({
    name: 'config', arity: -2,
    docs: { summary: 'Reads and changes the server configuration.', since: '2.0.0', group: 'server', complexity: 'Varies with the subcommand.' },
    subcommands: [
      command({
        name: 'get', arity: -3, flags: [...FLAGS],
        docs: { summary: 'Returns the values of the configuration parameters matching the patterns.', since: '2.0.0', group: 'server',
          complexity: 'O(N), N being the number of parameters named.',
          history: [['7.0.0', 'Accepts several patterns in one call.']],
          arguments: [{ name: 'parameter', type: 'block', flags: ['multiple'], arguments: [{ name: 'parameter', type: 'string' }] }] },
        handler: configGet,
      }),
      command({
        name: 'set', arity: -4, flags: [...FLAGS], tips: ['request_policy:all_nodes', 'response_policy:all_succeeded'],
        docs: { summary: 'Sets configuration parameters, all of them or none.', since: '2.0.0', group: 'server',
          complexity: 'O(N), N being the number of parameters named.',
          history: [['7.0.0', 'Accepts several parameter-value pairs in one call.']],
          arguments: [{ name: 'parameter_value', type: 'block', flags: ['multiple'], arguments: [
            { name: 'parameter', type: 'string' }, { name: 'value', type: 'string' }] }] },
        handler: configSet,
      }),
      command({
        name: 'resetstat', arity: 2, flags: [...FLAGS],
        docs: { summary: 'Resets the statistics that INFO reports.', since: '2.0.0', group: 'server', complexity: 'O(1)' },
        handler: configResetStat,
      }),
      command({
        name: 'rewrite', arity: 2, flags: [...FLAGS],
        docs: { summary: 'Writes the running configuration back to the configuration file.', since: '2.8.0', group: 'server', complexity: 'O(1)' },
        handler: configRewrite,
      }),
      command({
        name: 'help', arity: 2, flags: ['loading', 'stale'],
        docs: { summary: 'Lists the CONFIG subcommands.', since: '5.0.0', group: 'server', complexity: 'O(1)' },
        handler: configHelp,
      }),
    ],
  }),
];
