/*
 * Users from files: `user` lines in redis.conf, the `aclfile` (ACL LOAD / ACL SAVE), and the
 * `user` lines CONFIG REWRITE writes. Formats and messages are Redis 7.0's, so files move both ways.
 *
 *  - redis.conf `user` lines are checked while the config is read (duplicates and malformed rules
 *    stop start-up with the config-file report; unknown commands are only detected when the users
 *    are created, as in Redis) and applied once the server is built.
 *  - `aclfile` and `user` lines are exclusive: start-up is refused, with Redis's warning.
 *  - ACL LOAD is all-or-nothing: the whole file is applied to a fresh set of users, and only if no
 *    line failed does it replace the live users (`default` keeps its identity; other users are
 *    replaced, which disconnects their sessions, as Redis frees them).
 *  - ACL SAVE writes a temporary file in the same directory with owner-only permissions, fsyncs it
 *    and renames it over the old file, so a crash leaves the old or the new file, never a mix.
 */

import * as fs from 'node:fs';
import type { ConfigRegistry } from '../config/registry';
import { registerUserLineCheck } from '../config/directives';
import { describeUser } from './acldescribe';
import { CommandIndex, RULE_ERR, User, applyUserRule, hasSpaces, mergeSelectorArgs } from './aclrules';
import type { Acl } from './acl';

/** strerror() texts for the errno codes file operations report here. */
export function strerror(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code ?? '';
  const t: Record<string, string> = {
    ENOENT: 'No such file or directory', EACCES: 'Permission denied', EROFS: 'Read-only file system',
    ENOSPC: 'No space left on device', EISDIR: 'Is a directory', EPERM: 'Operation not permitted',
    ENOTDIR: 'Not a directory', EMFILE: 'Too many open files',
  };
  return t[code] ?? (e as Error).message;
}

/* ------------------------------------------------------------------ redis.conf `user` lines */

/**
 * Checks one `user` line while redis.conf is read (ACLAppendUserForLoading): rules are tried on a
 * scratch user; unknown commands are left for later. Without the command table at this point every
 * command name counts as unknown. Returns Redis's config error text, or null.
 */
function checkUserLine(words: string[], previous: string[][]): string | null {
  // Redis names the offending argument by an index into the rules but reads it from the whole
  // line, so it quotes the word two places to the left; kept so the report reads the same.
  const quote = (j: number) => (j === 0 ? 'user' : words[j - 1]);
  if (previous.some((p) => p[0] === words[0])) return `Error in user declaration '${quote(1)}': ${RULE_ERR.DUPLICATE_USER}`;
  const merged = mergeSelectorArgs(words.slice(1));
  if ('unmatched' in merged) return `Error in user declaration '${quote(merged.unmatched)}': ${RULE_ERR.UNKNOWN}`;
  const index = new CommandIndex(new Map());
  const u = new User(words[0], index.size, false);
  const ctx = { index, pubsubAllChannels: false, hashAlgorithm: 'sha256' as const };
  for (let j = 0; j < merged.args.length; j++) {
    const err = applyUserRule(u, merged.args[j], ctx);
    if (err !== null && err !== RULE_ERR.UNKNOWN) return `Error in user declaration '${quote(j)}': ${err}`;
  }
  return null;
}
registerUserLineCheck(checkUserLine);

/**
 * Creates the users of redis.conf and loads the aclfile, once the server exists
 * (ACLLoadUsersAtStartup). Returns null, or the log lines explaining why start-up must stop.
 */
export function loadUsersAtStartup(acl: Acl, config: ConfigRegistry): string[] | null {
  const lines = (config.get('user') as string[][] | undefined) ?? [];
  const aclfile = config.get('aclfile') as string;
  if (aclfile !== '' && lines.length > 0) {
    return ['Configuring Redis with users defined in redis.conf and at the same setting an ACL file path is invalid. This setup is very likely to lead to configuration errors and security holes, please define either an ACL file or declare users directly in your redis.conf, but not both.'];
  }
  const ctx = acl.ruleContext();
  const notices: string[] = [];
  for (const words of lines) {
    const [name, ...rules] = words;
    if (hasSpaces(name)) return ['Spaces not allowed in ACL usernames'];
    let u = acl.users.get(name);
    if (u === undefined) {
      u = acl.newUser(name);
      acl.users.set(name, u);
    } else {
      applyUserRule(u, 'reset', ctx);
    }
    const merged = mergeSelectorArgs(rules);
    for (const op of 'args' in merged ? merged.args : []) {
      const err = applyUserRule(u, op, ctx);
      if (err !== null) {
        u.refresh();
        return [`Error loading ACL rule '${op}' for the user named '${name}': ${err}`, 'Critical error while loading ACLs. Exiting.'];
      }
    }
    u.refresh();
    if (!u.enabled) notices.push(`The user '${name}' is disabled (there is no 'on' modifier in the user description). Make sure this is not a configuration error.`);
  }
  for (const n of notices) acl.warn(n);
  if (aclfile !== '') {
    const err = loadAclFile(acl, aclfile);
    if (err !== null) return [`Aborting Redis startup because of ACL errors: ${err}`];
  }
  return null;
}

/** CONFIG REWRITE: the `user` lines describing every user (Redis writes all of them, default included). */
export function userConfigLines(acl: Acl): string[] {
  return acl.sortedUsers().map((u) => `user ${u.name} ${describeUser(u, acl.index)}`);
}

/* ------------------------------------------------------------------ the ACL file */

/**
 * Parses a whole ACL file into a fresh user set. Returns the users, or Redis's error text: every
 * problem found, each ending in ". ", then the closing warning.
 */
export function parseAclText(acl: Acl, text: string, filename: string): Map<string, User> | string {
  const users = new Map<string, User>();
  const ctx = acl.ruleContext();
  let errors = '';
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const linenum = i + 1;
    const line = lines[i].replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
    if (line === '') continue;
    // split on single spaces (sdssplitlen), not shell-like: empty words are no-op rules
    const argv = line.split(' ');
    if (argv[0] !== 'user' || argv.length < 2) {
      errors += `${filename}:${linenum} should start with user keyword followed by the username. `;
      continue;
    }
    if (hasSpaces(argv[1])) {
      errors += `'${filename}:${linenum}: username '${argv[1]}' contains invalid characters. `;
      continue;
    }
    if (users.has(argv[1])) {
      errors += `WARNING: Duplicate user '${argv[1]}' found on line ${linenum}. `;
      continue;
    }
    const u = acl.newUser(argv[1]);
    users.set(argv[1], u);
    const merged = mergeSelectorArgs(argv.slice(2));
    if ('unmatched' in merged) {
      errors += `${filename}:${linenum}: Unmatched parenthesis in selector definition.`;
      continue;
    }
    // Unknown commands are reported with the rule (it holds no secret); any other failure only
    // once per line, without the rule, since it may be a password and may explain later failures.
    let syntaxError = false;
    for (const raw of merged.args) {
      const op = raw.replace(/^[\t\r\n]+|[\t\r\n]+$/g, '');
      const err = applyUserRule(u, op, ctx);
      if (err === RULE_ERR.UNKNOWN) {
        errors += `${filename}:${linenum}: Error in applying operation '${op}': ${err}. `;
      } else if (err !== null && !syntaxError) {
        errors += `${filename}:${linenum}: ${err}. `;
        syntaxError = true;
      }
    }
    u.refresh();
  }
  if (errors !== '') return errors + 'WARNING: ACL errors detected, no change to the previously active ACL rules was performed';
  return users;
}

/** ACL LOAD: null on success, else the error text (without the "ERR " code). */
export function loadAclFile(acl: Acl, filename: string): string | null {
  let text: string;
  try {
    text = fs.readFileSync(filename, 'latin1');
  } catch (e) {
    return `Error loading ACLs, opening file '${filename}': ${strerror(e)}`;
  }
  const r = parseAclText(acl, text, filename);
  if (typeof r === 'string') return r;
  acl.replaceAll(r);
  return null;
}

/** The ACL file content for the current users. */
export function aclFileText(acl: Acl): string {
  let out = '';
  for (const u of acl.sortedUsers()) out += `user ${u.name} ${describeUser(u, acl.index)}\n`;
  return out;
}

/** ACL SAVE: null on success, else the reason for the server log. */
export function saveAclFile(acl: Acl, filename: string): string | null {
  const content = aclFileText(acl);
  const tmp = `${filename}.tmp-${process.pid}-${Date.now()}`;
  let fd: number | null = null;
  let step = 'Opening temp ACL file for ACL SAVE';
  try {
    fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_TRUNC, 0o600);
    step = 'Writing ACL file for ACL SAVE';
    fs.writeSync(fd, Buffer.from(content, 'latin1'));
    fs.fsyncSync(fd);
    fs.fchmodSync(fd, 0o600);
    fs.closeSync(fd);
    fd = null;
    step = 'Renaming ACL file for ACL SAVE';
    fs.renameSync(tmp, filename);
    return null;
  } catch (e) {
    if (fd !== null) try { fs.closeSync(fd); } catch { /* already failing */ }
    try { fs.unlinkSync(tmp); } catch { /* never created or already renamed */ }
    return `${step}: ${strerror(e)}`;
  }
}
