/*
 * The ACL store and the permission check (Redis 7.0's model).
 *
 * `Acl` owns the users (always including `default`, created `on nopass ~* &* +@all`), applies
 * ACL SETUSER atomically (rules are staged on a copy; the live User object is only overwritten when
 * every rule succeeded, and keeps its identity so sessions that hold it see the change at once),
 * and answers check(): may this user run this call?
 *
 * check() is on every request's path, so:
 *  - a user whose root selector allows every command, key and channel (`unrestricted`) returns at
 *    once;
 *  - command permission is one byte lookup by Command.id; key patterns and channel patterns were
 *    compiled when the rule was applied;
 *  - keys are extracted once per call (Command.getKeys: key specs, or the command's own extractor
 *    for movable keys) and shared by all selectors.
 * Redis's decision rules are kept exactly: the call is allowed if the root selector or any other
 * selector allows the command and all its keys and channels; a key needs read permission when its
 * spec has `access`, write permission when it has `insert`, `delete` or `update` (ACLSelectorCheckKey:
 * RO/RW/OW/RM alone demand nothing beyond the pattern match); when every selector refuses, the
 * reported denial is the most significant (command < key < channel), the last argument on ties.
 */

import type { Command, KeyRef, KeySpecFlag } from '../commands/table';
import type { ConfigRegistry } from '../config/registry';
import type { HashAlgorithm } from './passwords';
import { AclLog } from './acllog';
import { describeUser } from './acldescribe';
import {
  CommandIndex, PERM_READ, PERM_WRITE, RULE_ERR, User, applyUserRule, hasSpaces, mergeSelectorArgs,
  type RuleContext, type Selector,
} from './aclrules';


export interface AclDenial {
  reason: 'command' | 'key' | 'channel';
  /** command fullname ('config|get'), key, or channel */
  object: string;
  /** argv index of the key or channel (0 for a command denial) */
  index: number;
}

/** A channel argument: its position and whether it is a pattern (PSUBSCRIBE: compared literally). */
export interface ChannelRef {
  index: number;
  pattern: boolean;
}

/**
 * Channels a call publishes or subscribes to, by command, as Redis's getChannelsFromCommand lists
 * them; unsubscribing needs no permission. Commands absent from the table simply never match.
 */
export function channelRefs(cmd: Command, argv: string[]): ChannelRef[] {
  switch (cmd.fullname) {
    case 'publish':
    case 'spublish':
      return argv.length > 1 ? [{ index: 1, pattern: false }] : [];
    case 'subscribe':
    case 'ssubscribe':
    case 'psubscribe': {
      const out: ChannelRef[] = [];
      for (let i = 1; i < argv.length; i++) out.push({ index: i, pattern: cmd.fullname === 'psubscribe' });
      return out;
    }
    default:
      return [];
  }
}

const CHANNEL_COMMANDS = new Set(['publish', 'spublish', 'subscribe', 'ssubscribe', 'psubscribe']);

/** Read/write permission a key needs, from its spec flags (cached per flags array). */
const neededCache = new WeakMap<readonly KeySpecFlag[], number>();
function needed(flags: readonly KeySpecFlag[]): number {
  let n = neededCache.get(flags);
  if (n === undefined) {
    n = 0;
    if (flags.includes('access')) n |= PERM_READ;
    if (flags.includes('insert') || flags.includes('delete') || flags.includes('update')) n |= PERM_WRITE;
    neededCache.set(flags, n);
  }
  return n;
}

function keyAllowed(sel: Selector, key: string, need: number): boolean {
  if (sel.allKeys) return true;
  for (const p of sel.keys) {
    if ((p.flags & need) !== need) continue;
    if (p.match(key)) return true;
  }
  return false;
}

function channelAllowed(sel: Selector, channel: string, isPattern: boolean): boolean {
  if (sel.allChannels) return true;
  for (const c of sel.channels) {
    if (isPattern ? c.pattern === channel : c.match(channel)) return true;
  }
  return false;
}

/** Redis formats its messages with %s: a NUL byte ends the text. */
function cstr(s: string): string {
  const i = s.indexOf('\0');
  return i < 0 ? s : s.slice(0, i);
}

const CMD = 1;
const KEY = 2;
const CHANNEL = 4;

export class Acl {
  readonly users = new Map<string, User>();
  readonly index: CommandIndex;
  readonly log: AclLog;
  /** Called after a user changed or was deleted (the server closes or re-checks sessions). */
  onUserChanged: (user: User | undefined, name: string, deleted: boolean) => void = () => {};
  /** Server log hook for notices (deprecated first-arg rules). */
  warn: (msg: string) => void = () => {};
  private readonly config: ConfigRegistry | undefined;

  constructor(opts: { commands: Map<string, Command>; config?: ConfigRegistry }) {
    this.index = new CommandIndex(opts.commands);
    this.config = opts.config;
    this.log = new AclLog(() => Number(this.cfg('acllog-max-len', 128)));
    this.users.set('default', this.createDefaultUser());
    // CONFIG REWRITE writes the users as `user` lines, unless they live in an aclfile
    const ud = opts.config?.lookup('user');
    if (ud !== undefined) {
      ud.rewrite = () => (this.cfg('aclfile', '') !== ''
        ? { lines: [], force: false }
        : { lines: this.sortedUsers().map((u) => `user ${u.name} ${describeUser(u, this.index)}`), force: true });
    }
  }

  private cfg(name: string, fallback: unknown): unknown {
    const d = this.config?.lookup(name);
    return d === undefined ? fallback : d.value;
  }

  /** The context rules are applied in (reads the live configuration). */
  ruleContext(): RuleContext {
    return {
      index: this.index,
      pubsubAllChannels: this.cfg('acl-pubsub-default', 'resetchannels') === 'allchannels',
      hashAlgorithm: this.cfg('acl-password-hash', 'scrypt') as HashAlgorithm,
      warn: (m) => this.warn(m),
    };
  }

  /** A fresh user as Redis creates one: off, no passwords, no keys, -@all, channels per acl-pubsub-default. */
  newUser(name: string): User {
    const u = new User(name, this.index.size, this.ruleContext().pubsubAllChannels);
    u.refresh();
    return u;
  }

  createDefaultUser(): User {
    const u = this.newUser('default');
    const ctx = this.ruleContext();
    for (const r of ['+@all', '~*', '&*', 'on', 'nopass']) applyUserRule(u, r, ctx);
    u.refresh();
    return u;
  }

  getUser(name: string): User | undefined {
    return this.users.get(name);
  }

  get defaultUser(): User {
    return this.users.get('default')!;
  }

  /** Users sorted by name, byte-wise (Redis keeps them in a radix tree). */
  sortedUsers(): User[] {
    return [...this.users.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /**
   * Applies rules to a staged copy of `base` (or a fresh user); returns the staged user or the
   * error reply text. Nothing live changes.
   */
  stage(name: string, base: User | undefined, rules: string[]): User | string {
    const merged = mergeSelectorArgs(rules);
    if ('unmatched' in merged) return `ERR Unmatched parenthesis in acl selector starting at '${cstr(rules[merged.unmatched])}'.`;
    const temp = base ? base.cloneAs(name) : this.newUser(name);
    const ctx = this.ruleContext();
    for (const op of merged.args) {
      const err = applyUserRule(temp, op, ctx);
      if (err !== null) return `ERR Error in ACL SETUSER modifier '${cstr(op)}': ${err}`;
    }
    temp.refresh();
    return temp;
  }

  /**
   * ACL SETUSER semantics: creates the user if needed, applies every rule or none. Returns null or
   * the full error reply text as Redis sends it.
   */
  setUser(name: string, rules: string[]): string | null {
    if (hasSpaces(name)) return "ERR Usernames can't contain spaces or null characters";
    const existing = this.users.get(name);
    const staged = this.stage(name, existing, rules);
    if (typeof staged === 'string') return staged;
    let u = existing;
    if (u === undefined) {
      u = staged;
      this.users.set(name, u);
    } else {
      u.copyFrom(staged);
    }
    this.onUserChanged(u, name, false);
    return null;
  }

  deleteUser(name: string): boolean {
    if (name === 'default') return false;
    const u = this.users.get(name);
    if (u === undefined) return false;
    this.users.delete(name);
    this.onUserChanged(u, name, true);
    return true;
  }

  /**
   * Replaces every user at once (ACL LOAD, start-up). `default` keeps its object identity; every
   * other previous user is reported deleted (Redis frees them and disconnects their clients).
   */
  replaceAll(users: Map<string, User>): void {
    const old = [...this.users.values()];
    const def = this.defaultUser;
    def.copyFrom(users.get('default') ?? this.createDefaultUser());
    this.users.clear();
    for (const [n, u] of users) this.users.set(n, n === 'default' ? def : u);
    this.users.set('default', def);
    for (const u of old) if (u !== def) this.onUserChanged(u, u.name, true);
    this.onUserChanged(def, 'default', false);
  }

  /** requirepass: the default user's password is replaced (resetpass, then >pwd or nopass). */
  setDefaultPassword(password: string | null): void {
    const u = this.defaultUser;
    const ctx = this.ruleContext();
    applyUserRule(u, 'resetpass', ctx);
    applyUserRule(u, password === null ? 'nopass' : '>' + password, ctx);
    u.refresh();
    this.onUserChanged(u, 'default', false);
  }

  /**
   * Permission check for one call: command, then keys, then channels, for each selector; null when
   * some selector allows it. `exemptNoAuth` applies Redis's rule that commands that run before
   * authentication (AUTH, HELLO, QUIT, RESET) need no command permission (ACL DRYRUN uses it; the
   * server decides for live calls).
   */
  check(user: User, cmd: Command, argv: string[], exemptNoAuth = false): AclDenial | null {
    if (user.unrestricted) return null;
    let keys: KeyRef[] | null = null;
    let worst = CMD;
    let worstIdx = 0;
    for (const sel of user.selectors) {
      let res = 0;
      let idx = 0;
      if (!sel.allCommands && !(exemptNoAuth && cmd.noAuth) && sel.allowed[cmd.id] !== 1) {
        const fa = sel.firstArgs?.get(cmd.id);
        const arg = argv.length >= 2 ? argv[cmd.parent ? 2 : 1] : undefined;
        if (fa === undefined || arg === undefined || !fa.some((a) => a.length === arg.length && a.toLowerCase() === arg.toLowerCase())) res = CMD;
      }
      if (res === 0 && !sel.allKeys && cmd.hasKeys()) {
        if (keys === null) keys = cmd.getKeys(argv);
        for (const k of keys) {
          if (!keyAllowed(sel, argv[k.index], needed(k.flags))) {
            res = KEY;
            idx = k.index;
            break;
          }
        }
      }
      if (res === 0 && !sel.allChannels && CHANNEL_COMMANDS.has(cmd.fullname)) {
        for (const c of channelRefs(cmd, argv)) {
          if (!channelAllowed(sel, argv[c.index], c.pattern)) {
            res = CHANNEL;
            idx = c.index;
            break;
          }
        }
      }
      if (res === 0) return null;
      if (res > worst || (res === worst && idx > worstIdx)) {
        worst = res;
        worstIdx = idx;
      }
    }
    if (worst === CMD) return { reason: 'command', object: cmd.fullname, index: 0 };
    return { reason: worst === KEY ? 'key' : 'channel', object: argv[worstIdx], index: worstIdx };
  }

  /** May `user` access this channel (or, isPattern, subscribe to this literal pattern)? */
  checkChannel(user: User, channel: string, isPattern: boolean): boolean {
    for (const s of user.selectors) if (channelAllowed(s, channel, isPattern)) return true;
    return false;
  }

  /** May `user` access this key with the given spec flags in some selector (ACLUserCheckKeyPerm)? */
  checkKey(user: User, key: string, flags: readonly KeySpecFlag[]): boolean {
    const need = needed(flags);
    for (const s of user.selectors) if (keyAllowed(s, key, need)) return true;
    return false;
  }

  /**
   * Does some selector allow the command with unrestricted key access of the given kind
   * (ACLUserCheckCmdWithUnrestrictedKeyAccess: SORT BY/GET patterns need read access to all keys)?
   */
  checkCmdWithAllKeys(user: User, cmd: Command, argv: string[], flags: readonly KeySpecFlag[]): boolean {
    if (user.unrestricted) return true;
    const need = needed(flags);
    for (const sel of user.selectors) {
      const single = new User(user.name, 0, false);
      single.selectors = [sel];
      if (this.check(single, cmd, argv) !== null) continue;
      if (sel.allKeys) return true;
      if (sel.keys.some((p) => (p.flags & need) === need && p.pattern === '*')) return true;
    }
    return false;
  }
}

