/*
 * COMMAND and its subcommands: the command table describing itself.
 *
 * Design: every reply here is a rendering of the resolved table (`Command`, table.ts) and nothing
 * else; there is no second list of commands, flags or documents. The reply shapes are Redis 7.0's:
 * an INFO entry is a 10-element array (name, arity, flag set, legacy first/last/step, category set,
 * tip set, key-spec set, subcommand array); DOCS is a map of documentation maps. Names given by a
 * client are resolved like Redis's lookupCommandBySds: `name` or `container|sub`, case-insensitive,
 * against the table after rename-command. Table order replaces Redis's hash order, which clients
 * must not rely on (the tip nondeterministic_output_order says so).
 */

import { command, ACL_CATEGORIES, SHOWN_COMMAND_FLAGS, KEY_SPEC_FLAGS, type Command, type CommandSpec, type KeySpec, type ArgSpec, type KeySpecFlag } from './table';
import type { Ctx } from './context';
import type { Reply } from '../protocol/reply';
import { globMatch } from '../data/glob';
import { replyHelp } from './util';

/* ------------------------------------------------------------------ name resolution */

/** `get` or `config|get` → the command, or undefined (more than one '|' never resolves). */
function lookupByFullName(table: Map<string, Command>, name: string): Command | undefined {
  const parts = name.toLowerCase().split('|');
  if (parts.length > 2) return undefined;
  const base = table.get(parts[0]);
  if (parts.length === 1 || base === undefined) return base;
  return base.subcommands?.get(parts[1]);
}

/** Every command and subcommand, parents before their children. */
function* walk(table: Map<string, Command>): Generator<Command> {
  for (const c of table.values()) {
    yield c;
    if (c.subcommands) for (const s of c.subcommands.values()) yield s;
  }
}

/* ------------------------------------------------------------------ INFO rendering */

function replyFlagSet(reply: Reply, order: readonly string[], has: (f: string) => boolean): void {
  const shown = order.filter(has);
  reply.set(shown.length);
  for (const f of shown) reply.simple(f);
}

function replyKeySpecs(reply: Reply, specs: KeySpec[]): void {
  reply.set(specs.length);
  for (const ks of specs) {
    reply.map(ks.notes !== undefined ? 4 : 3);
    if (ks.notes !== undefined) {
      reply.bulk('notes');
      reply.bulk(ks.notes);
    }
    reply.bulk('flags');
    replyFlagSet(reply, KEY_SPEC_FLAGS, (f) => ks.flags.includes(f as KeySpecFlag));
    reply.bulk('begin_search');
    reply.map(2);
    reply.bulk('type');
    if ('index' in ks.begin) {
      reply.bulk('index');
      reply.bulk('spec');
      reply.map(1);
      reply.bulk('index');
      reply.int(ks.begin.index);
    } else if ('keyword' in ks.begin) {
      reply.bulk('keyword');
      reply.bulk('spec');
      reply.map(2);
      reply.bulk('keyword');
      reply.bulk(ks.begin.keyword);
      reply.bulk('startfrom');
      reply.int(ks.begin.startfrom);
    } else {
      reply.bulk('unknown');
      reply.bulk('spec');
      reply.map(0);
    }
    reply.bulk('find_keys');
    reply.map(2);
    reply.bulk('type');
    if ('range' in ks.find) {
      const [lastkey, keystep, limit] = ks.find.range;
      reply.bulk('range');
      reply.bulk('spec');
      reply.map(3);
      reply.bulk('lastkey');
      reply.int(lastkey);
      reply.bulk('keystep');
      reply.int(keystep);
      reply.bulk('limit');
      reply.int(limit);
    } else if ('keynum' in ks.find) {
      const [keynumidx, firstkey, keystep] = ks.find.keynum;
      reply.bulk('keynum');
      reply.bulk('spec');
      reply.map(3);
      reply.bulk('keynumidx');
      reply.int(keynumidx);
      reply.bulk('firstkey');
      reply.int(firstkey);
      reply.bulk('keystep');
      reply.int(keystep);
    } else {
      reply.bulk('unknown');
      reply.bulk('spec');
      reply.map(0);
    }
  }
}

function replyCommandInfo(reply: Reply, cmd: Command | undefined): void {
  if (cmd === undefined) return reply.nullBulk();
  reply.array(10);
  reply.bulk(cmd.fullname);
  reply.int(cmd.arity);
  replyFlagSet(reply, SHOWN_COMMAND_FLAGS, (f) => cmd.flags.has(f as never));
  const [first, last, step] = cmd.legacy;
  reply.int(first);
  reply.int(last);
  reply.int(step);
  replyFlagSet(reply, ACL_CATEGORIES.map((c) => '@' + c), (c) => cmd.categories.has(c.slice(1) as never));
  reply.set(cmd.tips.length);
  for (const t of cmd.tips) reply.bulk(t);
  replyKeySpecs(reply, cmd.keys);
  if (cmd.subcommands === undefined) return reply.set(0);
  reply.array(cmd.subcommands.size);
  for (const s of cmd.subcommands.values()) replyCommandInfo(reply, s);
}

/* ------------------------------------------------------------------ DOCS rendering */

function replyArgs(reply: Reply, args: ArgSpec[]): void {
  reply.array(args.length);
  for (const a of args) {
    const nested = a.type === 'oneof' || a.type === 'block';
    const fields = 2 + (a.key_spec_index !== undefined ? 1 : 0) + (a.token !== undefined ? 1 : 0) +
      (a.since !== undefined ? 1 : 0) + (a.deprecated_since !== undefined ? 1 : 0) +
      (a.flags && a.flags.length > 0 ? 1 : 0) + (nested ? 1 : 0);
    reply.map(fields);
    reply.bulk('name');
    reply.bulk(a.name);
    reply.bulk('type');
    reply.bulk(a.type);
    if (a.key_spec_index !== undefined) {
      reply.bulk('key_spec_index');
      reply.int(a.key_spec_index);
    }
    if (a.token !== undefined) {
      reply.bulk('token');
      reply.bulk(a.token);
    }
    if (a.since !== undefined) {
      reply.bulk('since');
      reply.bulk(a.since);
    }
    if (a.deprecated_since !== undefined) {
      reply.bulk('deprecated_since');
      reply.bulk(a.deprecated_since);
    }
    if (a.flags && a.flags.length > 0) {
      reply.bulk('flags');
      const flags = a.flags;
      replyFlagSet(reply, ['optional', 'multiple', 'multiple_token'], (f) => flags.includes(f as never));
    }
    if (nested) {
      reply.bulk('arguments');
      replyArgs(reply, a.arguments ?? []);
    }
  }
}

function replyCommandDocs(reply: Reply, cmd: Command): void {
  const d = cmd.docs;
  const docFlags = d.doc_flags ?? [];
  const fields = 3 + (d.complexity !== undefined ? 1 : 0) + (docFlags.length > 0 ? 1 : 0) +
    (d.deprecated_since !== undefined ? 1 : 0) + (d.replaced_by !== undefined ? 1 : 0) +
    (d.history && d.history.length > 0 ? 1 : 0) + (d.arguments && d.arguments.length > 0 ? 1 : 0) +
    (cmd.subcommands !== undefined ? 1 : 0);
  reply.map(fields);
  reply.bulk('summary');
  reply.bulk(d.summary);
  reply.bulk('since');
  reply.bulk(d.since);
  reply.bulk('group');
  reply.bulk(d.group);
  if (d.complexity !== undefined) {
    reply.bulk('complexity');
    reply.bulk(d.complexity);
  }
  if (docFlags.length > 0) {
    reply.bulk('doc_flags');
    replyFlagSet(reply, ['deprecated', 'syscmd'], (f) => docFlags.includes(f as never));
  }
  if (d.deprecated_since !== undefined) {
    reply.bulk('deprecated_since');
    reply.bulk(d.deprecated_since);
  }
  if (d.replaced_by !== undefined) {
    reply.bulk('replaced_by');
    reply.bulk(d.replaced_by);
  }
  if (d.history && d.history.length > 0) {
    reply.bulk('history');
    reply.set(d.history.length);
    for (const [version, change] of d.history) {
      reply.array(2);
      reply.bulk(version);
      reply.bulk(change);
    }
  }
  if (d.arguments && d.arguments.length > 0) {
    reply.bulk('arguments');
    replyArgs(reply, d.arguments);
  }
  if (cmd.subcommands !== undefined) {
    reply.bulk('subcommands');
    reply.map(cmd.subcommands.size);
    for (const s of cmd.subcommands.values()) {
      reply.bulk(s.fullname);
      replyCommandDocs(reply, s);
    }
  }
}

/* ------------------------------------------------------------------ handlers */

function commandAll(ctx: Ctx): void {
  const table = ctx.server.commands;
  ctx.reply.array(table.size);
  for (const c of table.values()) replyCommandInfo(ctx.reply, c);
}

function commandInfo(ctx: Ctx): void {
  if (ctx.argv.length === 2) return commandAll(ctx);
  ctx.reply.array(ctx.argv.length - 2);
  for (let i = 2; i < ctx.argv.length; i++) replyCommandInfo(ctx.reply, lookupByFullName(ctx.server.commands, ctx.argv[i]));
}

function commandDocs(ctx: Ctx): void {
  const table = ctx.server.commands;
  let found: Command[];
  if (ctx.argv.length === 2) {
    found = [...table.values()];
  } else {
    found = [];
    for (let i = 2; i < ctx.argv.length; i++) {
      const c = lookupByFullName(table, ctx.argv[i]);
      if (c !== undefined) found.push(c);
    }
  }
  ctx.reply.map(found.length);
  for (const c of found) {
    ctx.reply.bulk(c.fullname);
    replyCommandDocs(ctx.reply, c);
  }
}

function commandList(ctx: Ctx): void {
  const argv = ctx.argv;
  let keep: (c: Command) => boolean = () => true;
  for (let i = 2; i < argv.length; i++) {
    if (argv[i].toLowerCase() !== 'filterby' || argv.length - 1 - i !== 2) return ctx.reply.error('ERR syntax error');
    const kind = argv[i + 1].toLowerCase();
    const arg = argv[i + 2];
    if (kind === 'module') {
      // Redoubt loads no modules, so no command belongs to one
      keep = () => false;
    } else if (kind === 'aclcat') {
      const cat = ACL_CATEGORIES.find((c) => c === arg.toLowerCase());
      keep = cat === undefined ? () => false : (c) => c.categories.has(cat);
    } else if (kind === 'pattern') {
      keep = (c) => globMatch(arg, c.fullname, true);
    } else {
      return ctx.reply.error('ERR syntax error');
    }
    i += 2;
  }
  const names: string[] = [];
  for (const c of walk(ctx.server.commands)) if (keep(c)) names.push(c.fullname);
  ctx.reply.bulkArray(names);
}

function getKeys(ctx: Ctx, withFlags: boolean): void {
  const argv = ctx.argv.slice(2);
  const cmd = ctx.server.lookupCommand(argv);
  if (cmd === undefined) return ctx.reply.error('ERR Invalid command specified');
  if (!cmd.hasKeys()) return ctx.reply.error('ERR The command has no key arguments');
  if ((cmd.arity > 0 && cmd.arity !== argv.length) || argv.length < -cmd.arity) {
    return ctx.reply.error('ERR Invalid number of arguments specified for command');
  }
  const keys = cmd.getKeys(argv);
  if (keys.length === 0) {
    if (cmd.flags.has('no_mandatory_keys')) return ctx.reply.array(0);
    return ctx.reply.error('ERR Invalid arguments specified for command');
  }
  ctx.reply.array(keys.length);
  for (const k of keys) {
    if (!withFlags) {
      ctx.reply.bulk(argv[k.index]);
      continue;
    }
    ctx.reply.array(2);
    ctx.reply.bulk(argv[k.index]);
    replyFlagSet(ctx.reply, KEY_SPEC_FLAGS, (f) => k.flags.includes(f as KeySpecFlag));
  }
}

/** COMMAND HELP, in our own words. */
const HELP = [
  '(no subcommand)',
  '    Describe every command, in the form INFO uses.',
  'COUNT',
  '    Reply with the number of commands this server knows.',
  'LIST [FILTERBY (MODULE <module-name>|ACLCAT <category>|PATTERN <pattern>)]',
  '    Reply with the command names: all of them, or those of a module, of an ACL',
  '    category, or matching a glob-style pattern.',
  'INFO [<command-name> ...]',
  '    Describe the named commands (arity, flags, key positions, ACL categories, key',
  '    specifications, subcommands); every command when none is named.',
  'DOCS [<command-name> ...]',
  '    Document the named commands (summary, version, group, arguments); every',
  '    command when none is named.',
  'GETKEYS <full-command>',
  '    Reply with the arguments of <full-command> that are keys.',
  'GETKEYSANDFLAGS <full-command>',
  '    Reply with the keys of <full-command>, each with the way it is accessed.',
];

function commandHelp(ctx: Ctx): void {
  replyHelp(ctx, HELP);
}

/* ------------------------------------------------------------------ declarations */

const SUB_FLAGS = ['loading', 'stale'] as const;
const UNORDERED = ['nondeterministic_output_order'];
const commandName: ArgSpec = { name: 'command-name', type: 'string', flags: ['optional', 'multiple'] };

export const COMMANDS: CommandSpec[] = [
  command({
    name: 'command', arity: -1, flags: [...SUB_FLAGS], categories: ['connection'], tips: UNORDERED,
    docs: { summary: 'Describes every command the server knows.', since: '2.8.13', group: 'server',
      complexity: 'O(N), N being the number of commands.' },
    handler: commandAll,
    subcommands: [
      command({
        name: 'count', arity: 2, flags: [...SUB_FLAGS], categories: ['connection'],
        docs: { summary: 'Counts the commands the server knows.', since: '2.8.13', group: 'server', complexity: 'O(1)' },
        handler: (ctx) => ctx.reply.int(ctx.server.commands.size),
      }),
      command({
        name: 'info', arity: -2, flags: [...SUB_FLAGS], categories: ['connection'], tips: UNORDERED,
        docs: { summary: 'Describes the named commands, or every command when none is named.', since: '2.8.13',
          group: 'server', complexity: 'O(N), N being the number of commands described.',
          history: [['7.0.0', 'Without arguments, describes every command.']],
          arguments: [commandName] },
        handler: commandInfo,
      }),
      command({
        name: 'docs', arity: -2, flags: [...SUB_FLAGS], categories: ['connection'], tips: UNORDERED,
        docs: { summary: 'Documents the named commands, or every command when none is named.', since: '7.0.0',
          group: 'server', complexity: 'O(N), N being the number of commands documented.',
          arguments: [commandName] },
        handler: commandDocs,
      }),
      command({
        name: 'list', arity: -2, flags: [...SUB_FLAGS], categories: ['connection'], tips: UNORDERED,
        docs: { summary: 'Lists command names, optionally filtered.', since: '7.0.0', group: 'server',
          complexity: 'O(N), N being the number of commands.',
          arguments: [{ name: 'filterby', type: 'oneof', token: 'FILTERBY', flags: ['optional'], arguments: [
            { name: 'module-name', type: 'string', token: 'MODULE' },
            { name: 'category', type: 'string', token: 'ACLCAT' },
            { name: 'pattern', type: 'pattern', token: 'PATTERN' },
          ] }] },
        handler: commandList,
      }),
      command({
        name: 'getkeys', arity: -4, flags: [...SUB_FLAGS], categories: ['connection'],
        docs: { summary: 'Shows which arguments of a full command line are keys.', since: '2.8.13', group: 'server',
          complexity: 'O(N), N being the number of arguments of the command line.' },
        handler: (ctx) => getKeys(ctx, false),
      }),
      command({
        name: 'getkeysandflags', arity: -4, flags: [...SUB_FLAGS], categories: ['connection'],
        docs: { summary: 'Shows which arguments of a full command line are keys, with their access flags.', since: '7.0.0',
          group: 'server', complexity: 'O(N), N being the number of arguments of the command line.' },
        handler: (ctx) => getKeys(ctx, true),
      }),
      command({
        name: 'help', arity: 2, flags: [...SUB_FLAGS], categories: ['connection'],
        docs: { summary: 'Lists the COMMAND subcommands.', since: '5.0.0', group: 'server', complexity: 'O(1)' },
        handler: commandHelp,
      }),
    ],
  }),
];
