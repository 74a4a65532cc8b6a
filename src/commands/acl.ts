/*
 * The ACL command family: CAT DELUSER DRYRUN GENPASS GETUSER HELP LIST LOAD LOG SAVE SETUSER USERS
 * WHOAMI. The users, the rule grammar and the checks live in src/security; this file adapts them to
 * the wire with Redis 7.0's reply shapes and texts. ACL SETUSER redacts its arguments before doing
 * anything, so MONITOR, SLOWLOG and logs never see a password.
 */

import * as crypto from 'node:crypto';
import { command, ACL_CATEGORIES, type CommandSpec } from './table';
import type { Ctx } from './context';
import { ERR, isOpt, parseInteger, replyHelp } from './util';
import { describeCommandRules, describeUser, keysField, channelsField, userFlags, expiryToken } from '../security/acldescribe';
import { isCategory, type Selector } from '../security/aclrules';
import { loadAclFile, saveAclFile } from '../security/aclfile';

const ADMIN = ['admin', 'noscript', 'loading', 'stale'] as const;

/** Redis formats these messages with %s: a NUL byte ends the text. */
function cstr(s: string): string {
  const i = s.indexOf('\0');
  return i < 0 ? s : s.slice(0, i);
}

/** Redis's reply when a subcommand gets more arguments than its own parser takes (CAT, GENPASS, LOG). */
function syntaxError(ctx: Ctx): void {
  ctx.reply.error(`ERR unknown subcommand or wrong number of arguments for '${cstr(ctx.argv[1]).slice(0, 128)}'. Try ${ctx.argv[0].replace(/[a-z]+/g, (m) => m.toUpperCase())} HELP.`);
}
const PLAIN = ['noscript', 'loading', 'stale'] as const;

function aclCat(ctx: Ctx): void {
  const acl = ctx.server.acl;
  if (ctx.argv.length > 3) return syntaxError(ctx);
  if (ctx.argv.length === 2) {
    ctx.reply.bulkArray(ACL_CATEGORIES);
    return;
  }
  const name = ctx.argv[2].toLowerCase();
  if (!isCategory(name)) {
    ctx.reply.error(`ERR Unknown category '${cstr(ctx.argv[2]).slice(0, 128)}'`);
    return;
  }
  const out: string[] = [];
  for (const c of acl.index.walk()) if (c.categories.has(name)) out.push(c.fullname);
  ctx.reply.bulkArray(out);
}

function aclDelUser(ctx: Ctx): void {
  const names = ctx.argv.slice(2);
  if (names.includes('default')) {
    ctx.reply.error("ERR The 'default' user cannot be removed");
    return;
  }
  let deleted = 0;
  for (const n of names) if (ctx.server.acl.deleteUser(n)) deleted++;
  ctx.reply.int(deleted);
}

function aclDryRun(ctx: Ctx): void {
  const acl = ctx.server.acl;
  const argv = ctx.argv;
  const u = acl.getUser(argv[2]);
  if (u === undefined) {
    ctx.reply.error(`ERR User '${cstr(argv[2])}' not found`);
    return;
  }
  const call = argv.slice(3);
  const cmd = ctx.server.lookupCommand(call);
  if (cmd === undefined) {
    ctx.reply.error(`ERR Command '${cstr(argv[3])}' not found`);
    return;
  }
  if ((cmd.arity > 0 && cmd.arity !== call.length) || call.length < -cmd.arity) {
    ctx.reply.error(`ERR wrong number of arguments for '${cmd.fullname}' command`);
    return;
  }
  const denial = acl.check(u, cmd, call, true);
  if (denial === null) ctx.reply.ok();
  else if (denial.reason === 'command') ctx.reply.bulk(`This user has no permissions to run the '${cmd.fullname}' command`);
  else ctx.reply.bulk(`This user has no permissions to access the '${cstr(denial.object)}' ${denial.reason}`);
}

const GENPASS_MAX_BITS = 4096;

function aclGenPass(ctx: Ctx): void {
  let bits = 256;
  if (ctx.argv.length > 3) return syntaxError(ctx);
  if (ctx.argv.length === 3) {
    const n = parseInteger(ctx.argv[2]);
    if (n === null) {
      ctx.reply.error(ERR.NOT_INTEGER);
      return;
    }
    bits = n;
  }
  if (bits <= 0 || bits > GENPASS_MAX_BITS) {
    ctx.reply.error(`ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to ${GENPASS_MAX_BITS}`);
    return;
  }
  const chars = Math.ceil(bits / 4);
  ctx.reply.bulk(crypto.randomBytes(Math.ceil(chars / 2)).toString('hex').slice(0, chars));
}

/** commands / keys / channels of one selector (3 map fields). */
function replySelector(ctx: Ctx, s: Selector): void {
  const index = ctx.server.acl.index;
  ctx.reply.bulk('commands');
  ctx.reply.bulk(describeCommandRules(s, index));
  ctx.reply.bulk('keys');
  ctx.reply.bulk(keysField(s));
  ctx.reply.bulk('channels');
  ctx.reply.bulk(channelsField(s));
}

function aclGetUser(ctx: Ctx): void {
  const u = ctx.server.acl.getUser(ctx.argv[2]);
  if (u === undefined) {
    ctx.reply.nullBulk();
    return;
  }
  const exp = expiryToken(u);
  ctx.reply.map(6 + (exp === null ? 0 : 1) + (u.from.length === 0 ? 0 : 1) + (u.rate === null ? 0 : 1));
  ctx.reply.bulk('flags');
  const flags = userFlags(u);
  ctx.reply.set(flags.length);
  for (const f of flags) ctx.reply.bulk(f);
  ctx.reply.bulk('passwords');
  ctx.reply.bulkArray(u.passwords);
  replySelector(ctx, u.root);
  ctx.reply.bulk('selectors');
  ctx.reply.array(u.selectors.length - 1);
  for (const s of u.selectors.slice(1)) {
    ctx.reply.map(3);
    replySelector(ctx, s);
  }
  // Redoubt's expiry is appended last, and only when set, so Redis-shaped parsers are unaffected.
  if (exp !== null) {
    ctx.reply.bulk('expireat');
    ctx.reply.int(Math.floor(u.expireAt! / 1000));
  }
  if (u.from.length !== 0) {
    ctx.reply.bulk('from');
    ctx.reply.bulkArray(u.from.map((c) => c.text));
  }
  if (u.rate !== null) {
    ctx.reply.bulk('rate');
    ctx.reply.bulk(`rate:${u.rate.text}`);
  }
}

function aclList(ctx: Ctx): void {
  const acl = ctx.server.acl;
  const users = acl.sortedUsers();
  ctx.reply.array(users.length);
  for (const u of users) ctx.reply.bulk(`user ${u.name} ${describeUser(u, acl.index)}`);
}

function aclUsers(ctx: Ctx): void {
  ctx.reply.bulkArray(ctx.server.acl.sortedUsers().map((u) => u.name));
}

function aclWhoAmI(ctx: Ctx): void {
  ctx.reply.bulk(ctx.client.user);
}

const NO_ACLFILE = 'ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration.';

function aclLoad(ctx: Ctx): void {
  const file = ctx.server.config.get('aclfile') as string;
  if (file === '') {
    ctx.reply.error(NO_ACLFILE);
    return;
  }
  const err = loadAclFile(ctx.server.acl, file);
  if (err === null) ctx.reply.ok();
  else ctx.reply.error('ERR ' + err);
}

function aclSave(ctx: Ctx): void {
  const file = ctx.server.config.get('aclfile') as string;
  if (file === '') {
    ctx.reply.error(NO_ACLFILE);
    return;
  }
  const err = saveAclFile(ctx.server.acl, file);
  if (err === null) {
    ctx.reply.ok();
  } else {
    ctx.server.log('warning', err);
    ctx.reply.error('ERR There was an error trying to save the ACLs. Please check the server logs for more information');
  }
}

function aclLog(ctx: Ctx): void {
  const log = ctx.server.acl.log;
  let count = 10;
  if (ctx.argv.length > 3) return syntaxError(ctx);
  if (ctx.argv.length === 3) {
    if (isOpt(ctx.argv[2], 'RESET')) {
      log.reset();
      ctx.reply.ok();
      return;
    }
    const n = parseInteger(ctx.argv[2]);
    if (n === null) {
      ctx.reply.error(ERR.NOT_INTEGER);
      return;
    }
    count = n < 0 ? 0 : n;
  }
  const entries = log.entries(count);
  const now = Date.now();
  ctx.reply.array(entries.length);
  for (const e of entries) {
    ctx.reply.map(7);
    ctx.reply.bulk('count');
    ctx.reply.int(e.count);
    ctx.reply.bulk('reason');
    ctx.reply.bulk(e.reason);
    ctx.reply.bulk('context');
    ctx.reply.bulk(e.context);
    ctx.reply.bulk('object');
    ctx.reply.bulk(e.object);
    ctx.reply.bulk('username');
    ctx.reply.bulk(e.username);
    ctx.reply.bulk('age-seconds');
    ctx.reply.double((now - e.time) / 1000);
    ctx.reply.bulk('client-info');
    ctx.reply.bulk(e.clientInfo);
  }
}

function aclSetUser(ctx: Ctx): void {
  const name = ctx.argv[2];
  const rules = ctx.argv.slice(3);
  // redact first: the rules may carry cleartext passwords
  for (let j = 2; j < ctx.argv.length; j++) ctx.argv[j] = '(redacted)';
  const err = ctx.server.acl.setUser(name, rules);
  if (err === null) ctx.reply.ok();
  else ctx.reply.error(err);
}

const HELP = [
  'CAT [<category>]',
  '    Without <category>, list the command categories; with it, the commands it contains.',
  'DELUSER <username> [<username> ...]',
  '    Remove users; their connections are closed.',
  'DRYRUN <username> <command> [<arg> ...]',
  '    Tell whether the user may run the command with these arguments, without running it.',
  'GETUSER <username>',
  "    Reply with the user's flags, passwords, permissions and selectors.",
  'GENPASS [<bits>]',
  '    Reply with a random password of 256 bits, or of <bits> bits.',
  'LIST',
  '    Reply with every user as a line in ACL file format.',
  'LOAD',
  '    Replace the users with those of the ACL file (all or nothing).',
  'LOG [<count> | RESET]',
  '    Reply with the latest denied commands and logins, or clear them.',
  'SAVE',
  '    Write the users to the ACL file.',
  'SETUSER <username> <attribute> [<attribute> ...]',
  '    Create a user or change one, applying every rule or none.',
  'USERS',
  '    Reply with the user names.',
  'WHOAMI',
  '    Reply with the name of the user this connection runs as.',
];

function aclHelp(ctx: Ctx): void {
  replyHelp(ctx, HELP);
}

const DOC = { since: '6.0.0', group: 'server' } as const;

export const COMMANDS: CommandSpec[] = [
  command({
    name: 'acl', arity: -2,
    docs: { summary: 'Groups the commands that manage users and their permissions.', ...DOC, complexity: 'Varies with the subcommand.' },
    subcommands: [
      command({
        name: 'cat', arity: -2, flags: [...PLAIN],
        docs: { summary: 'Lists the ACL categories, or the commands of one category.', ...DOC, complexity: 'O(1): categories and commands are a fixed set.',
          arguments: [{ name: 'categoryname', type: 'string', flags: ['optional'] }] },
        handler: aclCat,
      }),
      command({
        name: 'deluser', arity: -3, flags: [...ADMIN],
        docs: { summary: 'Deletes users and closes their connections.', ...DOC, complexity: 'O(1) amortized per user.',
          arguments: [{ name: 'username', type: 'string', flags: ['multiple'] }] },
        handler: aclDelUser,
      }),
      command({
        name: 'dryrun', arity: -4, flags: [...ADMIN],
        docs: { summary: 'Tells whether a user may run a command, without running it.', since: '7.0.0', group: 'server', complexity: 'O(1).',
          arguments: [{ name: 'username', type: 'string' }, { name: 'command', type: 'string' }, { name: 'arg', type: 'string', flags: ['optional', 'multiple'] }] },
        handler: aclDryRun,
      }),
      command({
        name: 'genpass', arity: -2, flags: [...PLAIN],
        docs: { summary: 'Generates a random password from a secure source.', ...DOC, complexity: 'O(1)',
          arguments: [{ name: 'bits', type: 'integer', flags: ['optional'] }] },
        handler: aclGenPass,
      }),
      command({
        name: 'getuser', arity: 3, flags: [...ADMIN],
        docs: { summary: "Describes one user's flags, passwords and permissions.", ...DOC,
          complexity: 'O(N), N being the number of passwords, command rules and patterns of the user.',
          history: [['6.2.0', 'Channel patterns are listed.'], ['7.0.0', 'Selectors are listed; key and channel patterns are shown as rules.']],
          arguments: [{ name: 'username', type: 'string' }] },
        handler: aclGetUser,
      }),
      command({
        name: 'help', arity: 2, flags: ['loading', 'stale'],
        docs: { summary: 'Lists the ACL subcommands.', ...DOC, complexity: 'O(1)' },
        handler: aclHelp,
      }),
      command({
        name: 'list', arity: 2, flags: [...ADMIN],
        docs: { summary: 'Describes every user in ACL file format.', ...DOC, complexity: 'O(N), N being the number of users.' },
        handler: aclList,
      }),
      command({
        name: 'load', arity: 2, flags: [...ADMIN],
        docs: { summary: 'Replaces the users with those of the ACL file.', ...DOC, complexity: 'O(N), N being the number of users.' },
        handler: aclLoad,
      }),
      command({
        name: 'log', arity: -2, flags: [...ADMIN],
        docs: { summary: 'Lists recent refusals caused by ACL rules.', ...DOC, complexity: 'O(N), N being the number of entries shown.',
          arguments: [{ name: 'operation', type: 'oneof', flags: ['optional'], arguments: [
            { name: 'count', type: 'integer' }, { name: 'reset', type: 'pure-token', token: 'RESET' }] }] },
        handler: aclLog,
      }),
      command({
        name: 'save', arity: 2, flags: [...ADMIN],
        docs: { summary: 'Writes the users to the ACL file.', ...DOC, complexity: 'O(N), N being the number of users.' },
        handler: aclSave,
      }),
      command({
        name: 'setuser', arity: -3, flags: [...ADMIN],
        docs: { summary: 'Creates a user or changes its rules.', ...DOC, complexity: 'O(N), N being the number of rules.',
          history: [['6.2.0', 'Channel patterns are accepted.'], ['7.0.0', 'Selectors and read/write key patterns are accepted.']],
          arguments: [{ name: 'username', type: 'string' }, { name: 'rule', type: 'string', flags: ['optional', 'multiple'] }] },
        handler: aclSetUser,
      }),
      command({
        name: 'users', arity: 2, flags: [...ADMIN],
        docs: { summary: 'Lists the user names.', ...DOC, complexity: 'O(N), N being the number of users.' },
        handler: aclUsers,
      }),
      command({
        name: 'whoami', arity: 2, flags: [...PLAIN],
        docs: { summary: 'Names the user of the current connection.', ...DOC, complexity: 'O(1)' },
        handler: aclWhoAmI,
      }),
    ],
  }),
];
