/*
 * ACL users and selectors, and the rule grammar that changes them, with Redis 7.0's semantics.
 *
 * A user has flags (on/off, nopass, sanitize-payload), stored password hashes, a Redoubt expiry and
 * source networks (`from:<cidr>`, which `reset` leaves alone like the expiry: use `anyfrom`), a
 * command rate (`rate:<n>/<period>`, also kept by `reset`: use `norate`; see ratelimit.ts), and
 * a list of selectors whose first element is the root selector (the permissions written outside
 * parentheses). A selector holds a command bitmap indexed by Command.id (one byte per command, plus
 * a reserved last "future commands" slot that only +@all sets, which is how the description knows
 * whether to start from +@all or -@all), first-arg allowances, key patterns with read/write flags
 * and channel patterns.
 *
 * Invariants kept here:
 *  - rules are applied left to right, each one on its own; a rule that fails returns Redis's reason
 *    text and the caller discards the staged copy (ACL SETUSER is all-or-nothing);
 *  - the command bitmap alone decides command permission; the ALLCOMMANDS flag is a shortcut that
 *    is set only by +@all and cleared by any rule that clears a bit, exactly as Redis does, so the
 *    flag never claims more than the bitmap;
 *  - patterns are compiled once when added (check() never compiles).
 * The description (describeUser) reproduces ACLDescribeSelectorCommandRules: it starts from +@all or
 * -@all, greedily applies the category that best fits the remaining differences, then emits single
 * commands, and asserts that replaying the description yields the same bitmap. Redis emits the
 * single commands in its command dictionary's (randomly seeded hash) order; here it is table order.
 */

import type { Command } from '../commands/table';
import { ACL_CATEGORIES, type AclCategory } from '../commands/table';
import { compileGlob, type GlobMatcher } from '../data/glob';
import { splitArgs } from '../protocol/sds';
import { hashPassword, isSha256Hex, parseScrypt, sha256Hex, verifyPassword, type HashAlgorithm } from './passwords';
import { parseCidr, type Cidr } from './cidr';
import { parseRateSpec, type RateSpec } from './ratelimit';

export const PERM_READ = 1;
export const PERM_WRITE = 2;
export const PERM_ALL = 3;

/* ------------------------------------------------------------------ the command index */

/** Every command and subcommand by id, with lookups by name and category. */
export class CommandIndex {
  /** top-level commands, in table order (each listed once even if renamed) */
  readonly top: Command[] = [];
  /** bitmap length: highest id + 1, plus the reserved future-commands slot */
  readonly size: number;
  readonly futureBit: number;
  private readonly byName = new Map<string, Command>();

  constructor(commands: Map<string, Command>) {
    let max = -1;
    const seen = new Set<Command>();
    for (const c of commands.values()) {
      if (seen.has(c)) continue;
      seen.add(c);
      this.top.push(c);
      // ACL rules name commands by their original name, whatever rename-command did (Redis's orig_commands)
      this.byName.set(c.name.toLowerCase(), c);
      for (const x of [c, ...(c.subcommands?.values() ?? [])]) {
        if (x.id < 0) throw new Error(`command ${x.fullname} has no ACL id`);
        if (x.id > max) max = x.id;
      }
    }
    this.futureBit = max + 1;
    this.size = max + 2;
  }

  /** Redis's strict lookup by 'name' or 'name|sub' (case-insensitive); undefined if not exactly one level. */
  lookup(name: string): Command | undefined {
    const parts = name.split('|');
    if (parts.length > 2) return undefined;
    const base = this.byName.get(parts[0].toLowerCase());
    if (base === undefined) return undefined;
    if (parts.length === 1) return base;
    if (base.subcommands === undefined) return undefined;
    return base.subcommands.get(parts[1].toLowerCase());
  }

  /** Top-level commands each followed by their subcommands: the order category rules walk. */
  *walk(): Iterable<Command> {
    for (const c of this.top) {
      yield c;
      if (c.subcommands) yield* c.subcommands.values();
    }
  }
}

export function isCategory(name: string): name is AclCategory {
  return (ACL_CATEGORIES as readonly string[]).includes(name);
}

/* ------------------------------------------------------------------ selectors */

export interface KeyPattern {
  pattern: string;
  /** PERM_READ | PERM_WRITE */
  flags: number;
  match: GlobMatcher;
}

export interface ChannelPattern {
  pattern: string;
  match: GlobMatcher;
}

export class Selector {
  allCommands = false;
  allowed: Uint8Array;
  /** command id -> first arguments allowed while the command's bit is off (+select|0) */
  firstArgs: Map<number, string[]> | null = null;
  allKeys = false;
  keys: KeyPattern[] = [];
  allChannels: boolean;
  channels: ChannelPattern[] = [];

  constructor(readonly root: boolean, size: number, allChannels: boolean) {
    this.allowed = new Uint8Array(size);
    this.allChannels = allChannels;
  }

  clone(): Selector {
    const s = new Selector(this.root, this.allowed.length, this.allChannels);
    s.allCommands = this.allCommands;
    s.allowed.set(this.allowed);
    if (this.firstArgs) s.firstArgs = new Map([...this.firstArgs].map(([k, v]) => [k, [...v]]));
    s.allKeys = this.allKeys;
    s.keys = this.keys.map((k) => ({ ...k }));
    s.channels = [...this.channels];
    return s;
  }

  setBit(id: number, on: boolean): void {
    this.allowed[id] = on ? 1 : 0;
    if (!on) this.allCommands = false;
  }

  /** Allows or denies a command, and with a container every subcommand (ACLChangeSelectorPerm). */
  changePerm(cmd: Command, on: boolean): void {
    this.setBit(cmd.id, on);
    this.firstArgs?.delete(cmd.id);
    if (cmd.subcommands) for (const s of cmd.subcommands.values()) this.setBit(s.id, on);
  }

  setCategory(index: CommandIndex, cat: AclCategory, on: boolean): void {
    for (const c of index.walk()) if (c.categories.has(cat)) this.changePerm(c, on);
  }

  setAll(on: boolean): void {
    this.allowed.fill(on ? 1 : 0);
    this.allCommands = on;
    this.firstArgs = null;
  }
}

/* ------------------------------------------------------------------ users */

export type SanitizeMode = 'unset' | 'sanitize-payload' | 'skip-sanitize-payload';

export class User {
  enabled = false;
  nopass = false;
  /** stored hashes, in insertion order */
  passwords: string[] = [];
  /** Redoubt: unix ms after which the user can no longer authenticate; null = never */
  expireAt: number | null = null;
  /** Redoubt: networks AUTH is accepted from (`from:<cidr>`); empty = anywhere */
  from: Cidr[] = [];
  /** Redoubt: command rate limit shared by the user's sessions (`rate:<n>/<period>[:<burst>]`) */
  rate: RateSpec | null = null;
  sanitize: SanitizeMode = 'unset';
  /** root selector first */
  selectors: Selector[];
  private unrestrictedCache = false;

  constructor(readonly name: string, size: number, allChannels: boolean) {
    this.selectors = [new Selector(true, size, allChannels)];
  }

  get root(): Selector {
    return this.selectors[0];
  }

  /** True when the root selector allows every command, key and channel: check() can skip everything. */
  get unrestricted(): boolean {
    return this.unrestrictedCache;
  }

  /** Recomputes derived state after a change. */
  refresh(): void {
    const r = this.root;
    this.unrestrictedCache = r.allKeys && r.allChannels && r.allowed.every((b, i) => b === 1 || i === r.allowed.length - 1);
  }

  /** Makes this user's rules identical to `src`'s, keeping this object (sessions hold references). */
  copyFrom(src: User): void {
    this.enabled = src.enabled;
    this.nopass = src.nopass;
    this.passwords = [...src.passwords];
    this.expireAt = src.expireAt;
    this.from = [...src.from];
    this.rate = src.rate;
    this.sanitize = src.sanitize;
    this.selectors = src.selectors.map((s) => s.clone());
    this.refresh();
  }

  cloneAs(name: string): User {
    const u = new User(name, this.root.allowed.length, false);
    u.copyFrom(this);
    return u;
  }
}

/* ------------------------------------------------------------------ the rule grammar */

export interface RuleContext {
  index: CommandIndex;
  /** acl-pubsub-default is allchannels */
  pubsubAllChannels: boolean;
  hashAlgorithm: HashAlgorithm;
  /** Redoubt's deprecation notices (first-arg rules), like Redis's log warning */
  warn?: (msg: string) => void;
}

export const RULE_ERR = {
  UNKNOWN: 'Unknown command or category name in ACL',
  SYNTAX: 'Syntax error',
  KEYS_AFTER_ALL: "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns",
  CHANNELS_AFTER_ALL: "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels",
  NO_SUCH_PASSWORD: 'The password you are trying to remove from the user does not exist',
  BAD_HASH: 'The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters',
  DUPLICATE_USER: 'Duplicate user found. A user can only be defined once in config files',
  FIRSTARG_OF_SUB: 'Allowing first-arg of a subcommand is not supported',
} as const;

/** Redis's isspace() or NUL: names and patterns may not contain them. */
export function hasSpaces(s: string): boolean {
  return /[\t\n\v\f\r \0]/.test(s);
}

function ieq(a: string, b: string): boolean {
  return a.length === b.length && a.toLowerCase() === b;
}

/** A stored hash Redoubt accepts in `#` / `!` rules: Redis's sha256 hex, or Redoubt's scrypt form. */
function validStoredHash(h: string): boolean {
  return isSha256Hex(h) || parseScrypt(h) !== null;
}

/** True if the stored hash matches the cleartext (sha256 by equality of hashes, scrypt by verifying). */
function storedMatches(stored: string, clear: string, clearSha: string): boolean {
  if (isSha256Hex(stored)) return stored === clearSha;
  return verifyPassword(stored, clear);
}

/**
 * Applies one selector rule (ACLSetSelector). Returns null, or the reason text on error.
 */
export function applySelectorRule(sel: Selector, op: string, ctx: RuleContext): string | null {
  const n = op.length;
  if (ieq(op, 'allkeys') || op === '~*') {
    sel.allKeys = true;
    sel.keys = [];
  } else if (ieq(op, 'resetkeys')) {
    sel.allKeys = false;
    sel.keys = [];
  } else if (ieq(op, 'allchannels') || op === '&*') {
    sel.allChannels = true;
    sel.channels = [];
  } else if (ieq(op, 'resetchannels')) {
    sel.allChannels = false;
    sel.channels = [];
  } else if (ieq(op, 'allcommands') || ieq(op, '+@all')) {
    sel.setAll(true);
  } else if (ieq(op, 'nocommands') || ieq(op, '-@all')) {
    sel.setAll(false);
  } else if (op[0] === '~' || op[0] === '%') {
    if (sel.allKeys) return RULE_ERR.KEYS_AFTER_ALL;
    let flags = 0;
    let offset = 1;
    if (op[0] === '%') {
      for (; offset < n; offset++) {
        const c = op[offset].toUpperCase();
        if (c === 'R' && !(flags & PERM_READ)) flags |= PERM_READ;
        else if (c === 'W' && !(flags & PERM_WRITE)) flags |= PERM_WRITE;
        else if (op[offset] === '~') {
          offset++;
          break;
        } else return RULE_ERR.SYNTAX;
      }
      // 7.0.15 refuses a pattern without permissions ('%~x'), which older releases crashed on
      if (flags === 0) return RULE_ERR.SYNTAX;
    } else {
      flags = PERM_ALL;
    }
    const pattern = op.slice(offset);
    if (hasSpaces(pattern)) return RULE_ERR.SYNTAX;
    const existing = sel.keys.find((k) => k.pattern === pattern);
    if (existing) existing.flags |= flags;
    else sel.keys.push({ pattern, flags, match: compileGlob(pattern) });
    sel.allKeys = false;
  } else if (op[0] === '&') {
    if (sel.allChannels) return RULE_ERR.CHANNELS_AFTER_ALL;
    const pattern = op.slice(1);
    if (hasSpaces(pattern)) return RULE_ERR.SYNTAX;
    if (!sel.channels.some((c) => c.pattern === pattern)) sel.channels.push({ pattern, match: compileGlob(pattern) });
    sel.allChannels = false;
  } else if (op[0] === '+' && op[1] !== '@') {
    const bar = op.lastIndexOf('|');
    if (bar < 0) {
      const cmd = ctx.index.lookup(op.slice(1));
      if (cmd === undefined) return RULE_ERR.UNKNOWN;
      sel.changePerm(cmd, true);
    } else {
      const cmd = ctx.index.lookup(op.slice(1, bar));
      const sub = op.slice(bar + 1);
      if (cmd === undefined) return RULE_ERR.UNKNOWN;
      if (cmd.parent) return RULE_ERR.FIRSTARG_OF_SUB;
      if (sub === '') return RULE_ERR.SYNTAX;
      if (cmd.subcommands) {
        const sc = ctx.index.lookup(op.slice(1));
        if (sc === undefined) return RULE_ERR.UNKNOWN;
        sel.changePerm(sc, true);
      } else {
        ctx.warn?.(`Deprecation warning: Allowing a first arg of an otherwise blocked command is a misuse of ACL and may get disabled in the future (offender: ${op})`);
        if (sel.firstArgs === null) sel.firstArgs = new Map();
        const list = sel.firstArgs.get(cmd.id) ?? [];
        if (!list.some((a) => a.toLowerCase() === sub.toLowerCase())) list.push(sub);
        sel.firstArgs.set(cmd.id, list);
      }
    }
  } else if (op[0] === '-' && op[1] !== '@') {
    const cmd = ctx.index.lookup(op.slice(1));
    if (cmd === undefined) return RULE_ERR.UNKNOWN;
    sel.changePerm(cmd, false);
  } else if ((op[0] === '+' || op[0] === '-') && op[1] === '@') {
    const cat = op.slice(2).toLowerCase();
    if (!isCategory(cat)) return RULE_ERR.UNKNOWN;
    sel.setCategory(ctx.index, cat, op[0] === '+');
  } else {
    return RULE_ERR.SYNTAX;
  }
  return null;
}

/** `expireat:<unix-seconds>` (Redoubt): digits only, no sign, at most 12 digits (year 33658). */
const EXPIREAT = /^expireat:([0-9]{1,12})$/i;

/**
 * Applies one user rule (ACLSetUser). Returns null, or the reason text on error. `op` has already
 * been merged across arguments when it is a selector ("(...)").
 */
export function applyUserRule(u: User, op: string, ctx: RuleContext): string | null {
  const n = op.length;
  if (n === 0) return null;
  if (ieq(op, 'on')) {
    u.enabled = true;
  } else if (ieq(op, 'off')) {
    u.enabled = false;
  } else if (ieq(op, 'skip-sanitize-payload')) {
    u.sanitize = 'skip-sanitize-payload';
  } else if (ieq(op, 'sanitize-payload')) {
    u.sanitize = 'sanitize-payload';
  } else if (ieq(op, 'nopass')) {
    u.nopass = true;
    u.passwords = [];
  } else if (ieq(op, 'resetpass')) {
    u.nopass = false;
    u.passwords = [];
  } else if (op[0] === '>' || op[0] === '#') {
    const arg = op.slice(1);
    if (op[0] === '#') {
      if (!validStoredHash(arg)) return RULE_ERR.BAD_HASH;
      if (!u.passwords.includes(arg)) u.passwords.push(arg);
    } else {
      // Re-adding a password already stored is a no-op, as in Redis (salted hashes need a verify).
      const sha = sha256Hex(arg);
      if (!u.passwords.some((p) => storedMatches(p, arg, sha))) u.passwords.push(hashPassword(arg, ctx.hashAlgorithm));
    }
    u.nopass = false;
  } else if (op[0] === '<' || op[0] === '!') {
    const arg = op.slice(1);
    let i: number;
    if (op[0] === '!') {
      if (!validStoredHash(arg)) return RULE_ERR.BAD_HASH;
      i = u.passwords.indexOf(arg);
    } else {
      const sha = sha256Hex(arg);
      i = u.passwords.findIndex((p) => storedMatches(p, arg, sha));
    }
    if (i < 0) return RULE_ERR.NO_SUCH_PASSWORD;
    u.passwords.splice(i, 1);
  } else if (op[0] === '(' && op[n - 1] === ')') {
    const sel = new Selector(false, ctx.index.size, ctx.pubsubAllChannels);
    // sdssplitargs: unbalanced quotes give no arguments at all (an empty selector), as in Redis
    const args = splitArgs(op.slice(1, n - 1)) ?? [];
    for (const a of args) {
      const err = applySelectorRule(sel, a, ctx);
      if (err !== null) return err;
    }
    u.selectors.push(sel);
  } else if (ieq(op, 'clearselectors')) {
    u.selectors.length = 1;
  } else if (ieq(op, 'reset')) {
    u.nopass = false;
    u.passwords = [];
    applySelectorRule(u.root, 'resetkeys', ctx);
    applySelectorRule(u.root, 'resetchannels', ctx);
    if (ctx.pubsubAllChannels) applySelectorRule(u.root, 'allchannels', ctx);
    u.enabled = false;
    u.sanitize = 'sanitize-payload';
    u.selectors.length = 1;
    u.root.setAll(false);
  } else if (ieq(op, 'anyfrom')) {
    u.from = [];
  } else if (op.length > 5 && ieq(op.slice(0, 5), 'from:')) {
    const c = parseCidr(op.slice(5));
    if (c === null) return RULE_ERR.SYNTAX;
    if (!u.from.some((x) => x.text === c.text)) u.from.push(c);
  } else if (ieq(op, 'norate')) {
    u.rate = null;
  } else if (op.length > 5 && ieq(op.slice(0, 5), 'rate:')) {
    const r = parseRateSpec(op.slice(5));
    if (r === null) return RULE_ERR.SYNTAX;
    u.rate = r;
  } else if (ieq(op, 'noexpire')) {
    u.expireAt = null;
  } else if (op.length > 9 && ieq(op.slice(0, 9), 'expireat:')) {
    const m = EXPIREAT.exec(op);
    if (m === null) return RULE_ERR.SYNTAX;
    u.expireAt = Number(m[1]) * 1000;
  } else {
    return applySelectorRule(u.root, op, ctx);
  }
  return null;
}

/**
 * Joins selector rules spread over several arguments ("(+get", "~k)" -> "(+get ~k)"), as Redis's
 * ACLMergeSelectorArguments. Returns the merged list, or the index of the argument that opened an
 * unterminated selector.
 */
export function mergeSelectorArgs(args: string[]): { args: string[] } | { unmatched: number } {
  const out: string[] = [];
  let open = -1;
  let cur = '';
  for (let j = 0; j < args.length; j++) {
    const op = args[j];
    if (op[0] === '(' && op[op.length - 1] !== ')') {
      cur = op;
      open = j;
      continue;
    }
    if (open !== -1) {
      cur += ' ' + op;
      if (op[op.length - 1] === ')') {
        open = -1;
        out.push(cur);
      }
      continue;
    }
    out.push(op);
  }
  return open !== -1 ? { unmatched: open } : { args: out };
}
