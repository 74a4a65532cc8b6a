/*
 * Every configuration directive of Redis 7.0, declared once (see registry.ts for the model).
 *
 * Bounds, types, aliases, enum orders and mutability mirror Redis 7.0's standardConfig table, so
 * CONFIG GET/SET answer with Redis's values and error texts. Each directive is either implemented
 * (some code reads it), `pinned` (the feature is absent but the accepted value says so truthfully:
 * `appendonly no`, `maxmemory 0`), or `unsupported` (refused wherever it appears, with the reason).
 * Where Redoubt's default differs from Redis's (`save ""`, `unixsocketperm 700`, ...), it is because Redis's default would describe something Redoubt does not do or is less safe;
 * docs/compatibility.md lists each one.
 */

import * as fs from 'node:fs';
import type { DirectiveSpec, ParseResult } from './registry';
import { validTitleTemplate } from './proctitle';
import { parseStrtoll, parseMemory, formatMemoryUnit } from './registry';
import { repr } from '../protocol/sds';
import { parseCidr, type Cidr } from '../security/cidr';
import { parseRateSpec, type RateSpec } from '../security/ratelimit';
import { parsePrimaryEntry, type PrimaryEntry } from '../security/primaries';
import { limits } from '../data/encoding';
import { AUDIT_DIRECTIVES } from '../audit/events';
import { percentileName } from '../server/latency-histogram';

const INT_MAX = 2147483647n;
const INT_MIN = -2147483648n;
const UINT_MAX = 4294967295n;
const LONG_MAX = 9223372036854775807n;
const LLONG_MAX = LONG_MAX;
const ULLONG_MAX = 18446744073709551615n;

const NO_CLUSTER = 'cluster mode is not implemented';
const NO_STREAMS = 'streams are not implemented';
const NO_DEFRAG = 'active defragmentation does not apply to a garbage-collected heap';
const NO_SCRIPTS = 'scripting is not implemented yet';

type Opts = Partial<DirectiveSpec>;

const bool = (name: string, def: 'yes' | 'no', o: Opts = {}): DirectiveSpec => ({ name, type: 'bool', default: def, ...o });
const int = (name: string, def: string, min: bigint, max: bigint, o: Opts = {}): DirectiveSpec => ({ name, type: 'int', default: def, min, max, ...o });
const mem = (name: string, def: string, min: bigint, max: bigint, o: Opts = {}): DirectiveSpec => ({ name, type: 'memory', default: def, min, max, ...o });
const str = (name: string, def: string, o: Opts = {}): DirectiveSpec => ({ name, type: 'string', default: def, ...o });
const enm = (name: string, def: string, values: string[], o: Opts = {}): DirectiveSpec => ({ name, type: 'enum', default: def, values, ...o });
const PROTECTED_ACTION = ['no', 'yes', 'local'];
const SHUTDOWN_FLAGS = ['default', 'save', 'nosave', 'now', 'force'];

/**
 * shutdown-on-sigint / shutdown-on-sigterm: SHUTDOWN's flags for that signal, several at once
 * ("nosave now"), case-insensitive; `default` adds none. The value is the flags in Redis's order
 * ([] for default), shown joined by spaces, or `default`.
 */
function parseShutdownFlags(w: string[]): ParseResult {
  const set = new Set<string>();
  for (const a of w) {
    const f = a.toLowerCase();
    if (!SHUTDOWN_FLAGS.includes(f)) return { error: `argument(s) must be one of the following: ${SHUTDOWN_FLAGS.join(', ')}` };
    if (f !== 'default') set.add(f);
  }
  if (set.has('save') && set.has('nosave')) return { error: "shutdown options SAVE and NOSAVE can't be used simultaneously" };
  const flags = SHUTDOWN_FLAGS.filter((f) => set.has(f));
  return { value: flags, shown: flags.length > 0 ? flags.join(' ') : 'default' };
}
const shutdownFlags = (name: string): DirectiveSpec => ({
  name, type: 'special', default: 'default', multiArg: true, parse: parseShutdownFlags,
  rewrite: (v: string[], n, isDefault) => ({ lines: [`${n} ${v.length > 0 ? v.join(' ') : 'default'}`], force: !isDefault }),
});

/** A string that must be a plain file name (dbfilename, appendfilename, appenddirname). */
function baseName(what: string, kind: string, allowEmpty: boolean) {
  return (w: string[]): ParseResult => {
    const v = w[0];
    if (!allowEmpty && v === '') return { error: `${what} can't be empty` };
    if (v.includes('/')) return { error: `${what} can't be a path, just a ${kind}` };
    return { value: v, shown: v };
  };
}

/* ------------------------------------------------------------------ special directives */

function parseSave(w: string[], ctx: { startup: boolean; seen: number; current: unknown }): ParseResult {
  const args = w.length === 1 && w[0] === '' ? [] : w;
  if (args.length % 2 === 1) return { error: 'Invalid save parameters' };
  const pairs: [number, number][] = [];
  for (let j = 0; j < args.length; j += 2) {
    const s = parseStrtoll(args[j]);
    const c = parseStrtoll(args[j + 1]);
    if (s === null || c === null || s < 1n || c < 0n) return { error: 'Invalid save parameters' };
    pairs.push([Number(s), Number(BigInt.asIntN(32, c))]);
  }
  // In a file, the first `save` line replaces the defaults and later ones add to it.
  const base = ctx.startup && ctx.seen > 0 ? (ctx.current as [number, number][]) : [];
  const value = [...base, ...pairs];
  return { value, shown: value.map(([s, c]) => `${s} ${c}`).join(' ') };
}

function parseBind(w: string[]): ParseResult {
  if (w.length > 16) return { error: 'Too many bind addresses specified.' };
  const addrs = w.length === 1 && w[0] === '' ? [] : w;
  return { value: addrs, shown: addrs.join(' ') };
}

/** trusted-networks: CIDR blocks (canonicalised), or nothing = every network. */
function parseNetworks(w: string[]): ParseResult {
  const words = w.filter((x) => x !== '');
  const value: Cidr[] = [];
  for (const x of words) {
    const c = parseCidr(x);
    if (c === null) return { error: `Invalid network '${x}': expected an IPv4 or IPv6 address with an optional /prefix` };
    if (!value.some((v) => v.text === c.text)) value.push(c);
  }
  return { value, shown: value.map((c) => c.text).join(' ') };
}

function errnoText(e: NodeJS.ErrnoException): string {
  const t: Record<string, string> = {
    ENOENT: 'No such file or directory', ENOTDIR: 'Not a directory', EACCES: 'Permission denied',
    ELOOP: 'Too many levels of symbolic links', ENAMETOOLONG: 'File name too long', EPERM: 'Operation not permitted',
  };
  return t[e.code ?? ''] ?? e.message;
}

function parseDir(w: string[]): ParseResult {
  if (w.length !== 1) return { error: 'wrong number of arguments' };
  try {
    if (!fs.statSync(w[0]).isDirectory()) return { error: 'Not a directory' };
    fs.accessSync(w[0], fs.constants.X_OK);
  } catch (e) {
    return { error: errnoText(e as NodeJS.ErrnoException) };
  }
  return { value: w[0] };
}

function parseReplicaOf(w: string[]): ParseResult {
  if (w.length !== 2) return { error: 'wrong number of arguments' };
  if (w[0].toLowerCase() === 'no' && w[1].toLowerCase() === 'one') return { value: null, shown: '' };
  const p = parseStrtoll(w[1]);
  if (p === null || p < 0n || p > 65535n) return { error: 'Invalid master port' };
  return { value: [w[0], Number(p)], shown: `${w[0]} ${p}` };
}

/** replicaof-allowed-primaries: host:port or address block[:port] entries, or nothing = any primary. */
function parsePrimaries(w: string[]): ParseResult {
  const value: PrimaryEntry[] = [];
  for (const x of w.filter((y) => y !== '')) {
    const e = parsePrimaryEntry(x);
    if (e === null) return { error: `Invalid primary '${x}': expected host:port, or an address or address block with an optional :port` };
    if (!value.some((v) => v.text === e.text)) value.push(e);
  }
  return { value, shown: value.map((e) => e.text).join(' ') };
}

export interface ObufLimit { hard: bigint; soft: bigint; seconds: number }
const OBUF_CLASSES = ['normal', 'slave', 'pubsub'];

function parseObuf(w: string[], ctx: { current: unknown }): ParseResult {
  if (w.length % 4 !== 0) return { error: 'Wrong number of arguments in buffer limit configuration.' };
  const cur = (ctx.current as ObufLimit[] | undefined) ?? [
    { hard: 0n, soft: 0n, seconds: 0 }, { hard: 268435456n, soft: 67108864n, seconds: 60 }, { hard: 33554432n, soft: 8388608n, seconds: 60 },
  ];
  const next = cur.map((x) => ({ ...x }));
  for (let j = 0; j < w.length; j += 4) {
    const name = w[j].toLowerCase();
    const cls = name === 'replica' ? 1 : OBUF_CLASSES.indexOf(name);
    if (cls < 0) return { error: 'Invalid client class specified in buffer limit configuration.' };
    const hard = parseMemory(w[j + 1]);
    const soft = parseMemory(w[j + 2]);
    const secs = /^[ \t]*[+-]?\d*$/.test(w[j + 3]) ? Number(w[j + 3].trim() || '0') : -1;
    if (hard === null || soft === null || secs < 0) return { error: 'Error in hard, soft or soft_seconds setting in buffer limit configuration.' };
    next[cls] = { hard, soft, seconds: secs };
  }
  return { value: next, shown: next.map((l, i) => `${OBUF_CLASSES[i]} ${l.hard} ${l.soft} ${l.seconds}`).join(' ') };
}

function parseOomValues(w: string[]): ParseResult {
  if (w.length !== 3) return { error: 'wrong number of arguments' };
  const v: number[] = [];
  for (const x of w) {
    const n = parseStrtoll(x);
    if (n === null || n < -2000n || n > 2000n) return { error: 'Invalid oom-score-adj-values, elements must be between -2000 and 2000.' };
    v.push(Number(n));
  }
  return { value: v, shown: v.join(' ') };
}

/** notify-keyspace-events classes that `A` stands for, in the order Redis prints them. */
const KS_ALL = 'g$lshzxetd';
/**
 * notify-keyspace-events: the value is every enabled class letter (the server tests membership);
 * CONFIG GET shows Redis's keyspaceEventsFlagsToString, where `A` hides the letters it covers and
 * also `n` (Redis prints `n` only inside the non-`A` branch, though the class stays enabled).
 */
function parseNotify(w: string[]): ParseResult {
  if (w.length !== 1) return { error: 'wrong number of arguments' };
  const set = new Set<string>();
  for (const ch of w[0]) {
    if (ch === 'A') for (const c of KS_ALL) set.add(c);
    else if ((KS_ALL + 'KEmn').includes(ch)) set.add(ch);
    else return { error: "Invalid event class character. Use 'Ag$lshzxeKEtmdn'." };
  }
  const value = [...(KS_ALL + 'nKEm')].filter((c) => set.has(c)).join('');
  return { value, shown: notifyShown(value) };
}

function notifyShown(value: string): string {
  let s = [...KS_ALL].every((c) => value.includes(c)) ? 'A' : [...(KS_ALL + 'n')].filter((c) => value.includes(c)).join('');
  for (const c of 'KEm') if (value.includes(c)) s += c;
  return s;
}

function parsePercentiles(w: string[]): ParseResult {
  const args = w.length === 1 && w[0] === '' ? [] : w;
  const v: number[] = [];
  for (const a of args) {
    if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(a)) return { error: 'Invalid latency-tracking-info-percentiles parameters' };
    const n = Number(a);
    if (n > 100 || n < 0) return { error: 'latency-tracking-info-percentiles parameters should sit between [0.0,100.0]' };
    v.push(n);
  }
  const shown = v.map(percentileName).join(' ');
  return { value: v, shown };
}

/** proc-title-template: Redis's template grammar and check (src/config/proctitle.ts). */
function parseTitle(w: string[]): ParseResult {
  const v = w[0];
  if (!validTitleTemplate(v)) return { error: 'template format is invalid or contains unknown variables' };
  return { value: v, shown: v };
}

/**
 * `user` lines accumulate (name and rules); the ACL store creates the users at start-up. The rule
 * check is registered by security/aclfile.ts (config/ does not know the ACL grammar).
 */
type UserLineCheck = (words: string[], previous: string[][]) => string | null;
let userLineCheck: UserLineCheck = () => null;
export function registerUserLineCheck(fn: UserLineCheck): void {
  userLineCheck = fn;
}
function parseUserLine(w: string[], ctx: { current: unknown }): ParseResult {
  const previous = (ctx.current as string[][]) ?? [];
  const err = userLineCheck(w, previous);
  if (err !== null) return { error: err };
  return { value: [...previous, w], shown: '' };
}

/** rename-command lines accumulate; the command table applies them (commands/index.ts). */
function parseRename(w: string[], ctx: { current: unknown }): ParseResult {
  if (w.length !== 2) return { error: 'Bad directive or wrong number of arguments' };
  const value = [...((ctx.current as [string, string][]) ?? []), [w[0], w[1]] as [string, string]];
  return { value, shown: '' };
}

/** connection-rate-limit: `<count>/<period>[:<burst>]` (src/security/ratelimit.ts), or "" = off. */
function parseConnectionRate(w: string[]): ParseResult {
  if (w.length === 1 && w[0] === '') return { value: null, shown: '' };
  const r = w.length === 1 ? parseRateSpec(w[0]) : null;
  if (r === null) return { error: 'Invalid rate limit: expected <count>/<period>[:<burst>], e.g. 100/1s or 6000/1m:200' };
  return { value: r, shown: r.text };
}

/* ------------------------------------------------------------------ the table */

export const DIRECTIVES: DirectiveSpec[] = [
  /* ---- network */
  { name: 'bind', type: 'special', default: '127.0.0.1 -::1', multiArg: true, parse: parseBind,
    rewrite: (v: string[], n, isDefault) => (isDefault ? { lines: [], force: false } : { lines: [`${n} ${v.length ? v.join(' ') : '""'}`], force: true }) },
  int('port', '6379', 0n, 65535n),
  bool('protected-mode', 'yes'),
  int('tcp-backlog', '511', 0n, INT_MAX, { mutability: 'immutable' }),
  int('timeout', '0', 0n, INT_MAX),
  int('tcp-keepalive', '300', 0n, INT_MAX),
  str('unixsocket', '', { mutability: 'immutable', emptyIsNull: true }),
  { name: 'unixsocketperm', type: 'octal', default: '700', min: 0n, max: 0o777n, unsigned: true, mutability: 'immutable' },
  str('bind-source-addr', '', { emptyIsNull: true }),
  enm('enable-protected-configs', 'no', PROTECTED_ACTION, { mutability: 'immutable' }),
  enm('enable-debug-command', 'no', PROTECTED_ACTION, { mutability: 'immutable' }),
  enm('enable-module-command', 'no', PROTECTED_ACTION, { mutability: 'immutable' }),
  // Redoubt's admission controls (src/net/admission.ts; docs/security.md)
  bool('allow-unauthenticated-network', 'no', { mutability: 'immutable' }),
  { name: 'trusted-networks', type: 'special', default: '', multiArg: true, parse: parseNetworks,
    rewrite: (v: Cidr[], n, isDefault) => (isDefault ? { lines: [], force: false } : { lines: [`${n} ${v.map((c) => c.text).join(' ')}`], force: true }) },
  int('auth-timeout', '10', 0n, INT_MAX),
  int('maxclients-per-ip', '0', 0n, INT_MAX),
  int('max-new-connections-per-ip-per-second', '0', 0n, INT_MAX),
  // Redoubt's persistent audit log (src/audit/log.ts; docs/security.md)
  ...AUDIT_DIRECTIVES,
  // Redoubt's AUTH brute-force guard (src/security/guard.ts) and rate limit (src/security/ratelimit.ts)
  bool('auth-guard', 'yes'),
  int('auth-guard-free-failures', '5', 0n, INT_MAX),
  int('auth-guard-delay-ms', '200', 0n, INT_MAX),
  int('auth-guard-max-delay-ms', '5000', 0n, INT_MAX),
  int('auth-guard-lockout-failures', '20', 1n, INT_MAX),
  int('auth-guard-lockout-seconds', '300', 0n, INT_MAX),
  int('auth-guard-window-seconds', '900', 1n, INT_MAX),
  int('auth-guard-ipv6-prefix', '64', 1n, 128n),
  { name: 'auth-guard-exempt-networks', type: 'special', default: '127.0.0.0/8 ::1/128', multiArg: true, parse: parseNetworks,
    rewrite: (v: Cidr[], n, isDefault) => (isDefault ? { lines: [], force: false } : { lines: [`${n} ${v.length ? v.map((c) => c.text).join(' ') : '""'}`], force: true }) },
  { name: 'connection-rate-limit', type: 'special', default: '', parse: parseConnectionRate,
    rewrite: (v: RateSpec | null, n, isDefault) => (isDefault || v === null ? { lines: [], force: false } : { lines: [`${n} ${v.text}`], force: true }) },

  /* ---- general */
  bool('daemonize', 'no', { mutability: 'immutable', pinned: 'Node.js cannot fork safely; run Redoubt under systemd or another supervisor instead' }),
  enm('supervised', 'no', ['upstart', 'systemd', 'auto', 'no'], { mutability: 'immutable', pinned: 'supervisor notification is not implemented' }),
  str('pidfile', '', { mutability: 'immutable', emptyIsNull: true }),
  enm('loglevel', 'notice', ['debug', 'verbose', 'notice', 'warning']),
  str('logfile', '', { mutability: 'immutable' }),
  bool('syslog-enabled', 'no', { mutability: 'immutable', pinned: 'syslog output is not implemented' }),
  str('syslog-ident', 'redis', { mutability: 'immutable', pinned: 'syslog output is not implemented' }),
  enm('syslog-facility', 'local0', ['user', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'], { mutability: 'immutable', pinned: 'syslog output is not implemented' }),
  bool('crash-log-enabled', 'yes', { pinned: 'crashes are always logged with a stack trace' }),
  bool('crash-memcheck-enabled', 'no', { pinned: 'there is no memory test on crash' }),
  int('databases', '16', 1n, INT_MAX, { mutability: 'immutable' }),
  bool('always-show-logo', 'no', { mutability: 'immutable', pinned: 'Redoubt prints no ASCII logo' }),
  bool('set-proc-title', 'yes', { mutability: 'immutable' }),
  str('proc-title-template', '{title} {listen-addr} {server-mode}', { parse: parseTitle }),
  str('ignore-warnings', '', { pinned: 'no start-up warning can be silenced' }),
  bool('disable-thp', 'no', { mutability: 'immutable', pinned: 'transparent huge pages are left to the system' }),
  enm('oom-score-adj', 'no', ['no', 'yes', 'relative', 'absolute']),
  { name: 'oom-score-adj-values', type: 'special', default: '0 200 800', multiArg: true, parse: parseOomValues,
    rewrite: (v: number[], n, isDefault) => ({ lines: [`${n} ${v.join(' ')}`], force: !isDefault }) },
  bool('jemalloc-bg-thread', 'yes', { pinned: 'memory is managed by the V8 heap' }),
  { name: 'server_cpulist', type: 'string', default: '', mutability: 'immutable', emptyIsNull: true, pinned: 'CPU affinity is not implemented' },
  { name: 'bio_cpulist', type: 'string', default: '', mutability: 'immutable', emptyIsNull: true, pinned: 'CPU affinity is not implemented' },
  { name: 'aof_rewrite_cpulist', type: 'string', default: '', mutability: 'immutable', emptyIsNull: true, pinned: 'CPU affinity is not implemented' },
  { name: 'bgsave_cpulist', type: 'string', default: '', mutability: 'immutable', emptyIsNull: true, pinned: 'CPU affinity is not implemented' },
  int('hz', '10', 0n, INT_MAX, { clamp: [1n, 500n] }),
  bool('dynamic-hz', 'yes'),
  int('active-expire-effort', '1', 1n, 10n),
  bool('activerehashing', 'yes', { pinned: 'hash tables are managed by V8' }),
  int('io-threads', '1', 1n, 128n, { mutability: 'immutable', pinned: 'Redoubt serves clients from one thread' }),
  bool('io-threads-do-reads', 'no', { mutability: 'immutable', pinned: 'Redoubt serves clients from one thread' }),
  int('shutdown-timeout', '10', 0n, INT_MAX),
  shutdownFlags('shutdown-on-sigint'),
  shutdownFlags('shutdown-on-sigterm'),
  { name: 'rename-command', type: 'special', default: '', fileOnly: true, parse: parseRename },

  /* ---- security */
  { name: 'requirepass', type: 'string', default: '', sensitive: true, emptyIsNull: true },
  str('aclfile', '', { mutability: 'immutable' }),
  int('acllog-max-len', '128', 0n, LONG_MAX, { unsigned: true }),
  enm('acl-pubsub-default', 'resetchannels', ['allchannels', 'resetchannels']),
  // Redoubt: how `>password` rules are stored (scrypt: salted and slow to guess; sha256: Redis's form)
  enm('acl-password-hash', 'scrypt', ['scrypt', 'sha256']),
  { name: 'user', type: 'special', default: '', fileOnly: true, parse: parseUserLine },
  { name: 'loadmodule', type: 'special', default: '', fileOnly: true, unsupported: 'modules cannot be loaded into Redoubt' },
  { name: 'sentinel', type: 'special', default: '', fileOnly: true, unsupported: 'Sentinel mode is not implemented' },

  /* ---- limits and memory */
  int('maxclients', '10000', 1n, UINT_MAX, { unsigned: true }),
  mem('maxmemory', '0', 0n, ULLONG_MAX, { unsigned: true }),
  enm('maxmemory-policy', 'noeviction', ['volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl', 'allkeys-lru', 'allkeys-lfu', 'allkeys-random', 'noeviction']),
  int('maxmemory-samples', '5', 1n, INT_MAX),
  int('maxmemory-eviction-tenacity', '10', 0n, 100n),
  { name: 'maxmemory-clients', type: 'memory-percent', default: '0', min: -100n, max: LONG_MAX },
  bool('replica-ignore-maxmemory', 'yes', { alias: 'slave-ignore-maxmemory', pinned: 'a replica always leaves eviction to its primary' }),
  bool('lazyfree-lazy-eviction', 'no'),
  bool('lazyfree-lazy-expire', 'no'),
  bool('lazyfree-lazy-server-del', 'no'),
  bool('lazyfree-lazy-user-del', 'no'),
  bool('lazyfree-lazy-user-flush', 'no'),
  int('lfu-log-factor', '10', 0n, INT_MAX),
  int('lfu-decay-time', '1', 0n, INT_MAX),
  mem('proto-max-bulk-len', '536870912', 1048576n, LONG_MAX),
  mem('client-query-buffer-limit', '1073741824', 1048576n, LONG_MAX, { unsigned: true }),
  { name: 'client-output-buffer-limit', type: 'special', default: 'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60', multiArg: true,
    parse: parseObuf,
    rewrite: (v: ObufLimit[], n) => ({ lines: v.map((l, i) => `${n} ${i === 1 ? 'replica' : OBUF_CLASSES[i]} ${formatMemoryUnit(l.hard)} ${formatMemoryUnit(l.soft)} ${l.seconds}`), force: true }) },
  int('tracking-table-max-keys', '1000000', 0n, LONG_MAX, { unsigned: true }),

  /* ---- slow log, latency */
  int('slowlog-log-slower-than', '10000', -1n, LLONG_MAX),
  int('slowlog-max-len', '128', 0n, LONG_MAX, { unsigned: true }),
  int('latency-monitor-threshold', '0', 0n, LLONG_MAX),
  bool('latency-tracking', 'yes'),
  { name: 'latency-tracking-info-percentiles', type: 'special', default: '50 99 99.9', multiArg: true, parse: parsePercentiles,
    rewrite: (v: number[], n) => ({ lines: [`${n} ${v.length ? v.map(percentileName).join(' ') : '""'}`], force: true }) },
  { name: 'notify-keyspace-events', type: 'special', default: '', parse: parseNotify, format: notifyShown,
    rewrite: (v: string, n, isDefault) => ({ lines: [`${n} ${repr(notifyShown(v))}`], force: !isDefault }) },
  int('busy-reply-threshold', '5000', 0n, LONG_MAX, { alias: 'lua-time-limit', pinned: NO_SCRIPTS }),

  /* ---- snapshotting and AOF */
  { name: 'save', type: 'special', default: '3600 1 300 100 60 10000', multiArg: true, parse: parseSave,
    rewrite: (v: [number, number][], n) => ({ lines: v.length ? v.map(([s, c]) => `${n} ${s} ${c}`) : [`${n} ""`], force: true }) },
  { name: 'dir', type: 'special', default: '.', mutability: 'protected', parse: parseDir, format: () => process.cwd(), apply: (v: string) => process.chdir(v),
    rewrite: (_v, n) => ({ lines: [`${n} ${repr(process.cwd())}`], force: true }) },
  str('dbfilename', 'dump.rdb', { mutability: 'protected', parse: baseName('dbfilename', 'filename', true) }),
  bool('stop-writes-on-bgsave-error', 'yes'),
  bool('rdbcompression', 'yes'),
  bool('rdbchecksum', 'yes', { mutability: 'immutable' }),
  // no replication yet, so no sync-only RDB file exists to delete: the setting has nothing to act on
  bool('rdb-del-sync-files', 'no'),
  bool('rdb-save-incremental-fsync', 'yes'),
  enm('sanitize-dump-payload', 'no', ['no', 'yes', 'clients']),
  bool('appendonly', 'no'),
  str('appendfilename', 'appendonly.aof', { mutability: 'immutable', parse: baseName('appendfilename', 'filename', false) }),
  str('appenddirname', 'appendonlydir', { mutability: 'immutable', parse: baseName('appenddirname', 'dirname', false) }),
  enm('appendfsync', 'everysec', ['everysec', 'always', 'no']),
  bool('no-appendfsync-on-rewrite', 'no'),
  int('auto-aof-rewrite-percentage', '100', 0n, INT_MAX),
  mem('auto-aof-rewrite-min-size', '67108864', 0n, LLONG_MAX),
  bool('aof-load-truncated', 'yes'),
  bool('aof-use-rdb-preamble', 'yes'),
  bool('aof-timestamp-enabled', 'no'),
  bool('aof-rewrite-incremental-fsync', 'yes'),
  bool('aof-disable-auto-gc', 'no'),

  /* ---- replication */
  { name: 'replicaof', alias: 'slaveof', type: 'special', default: 'no one', multiArg: true, mutability: 'immutable', parse: parseReplicaOf,
    rewrite: (v: [string, number] | null, n) => (v ? { lines: [`${n} ${v[0]} ${v[1]}`], force: true } : { lines: [], force: false }) },
  // Redoubt: the primaries REPLICAOF may follow (src/security/primaries.ts); empty = any, as Redis
  { name: 'replicaof-allowed-primaries', type: 'special', default: '', multiArg: true, mutability: 'protected', parse: parsePrimaries,
    rewrite: (v: PrimaryEntry[], n, isDefault) => (isDefault ? { lines: [], force: false } : { lines: [`${n} ${v.map((e) => e.text).join(' ')}`], force: true }) },
  { name: 'masterauth', type: 'string', default: '', sensitive: true, emptyIsNull: true },
  { name: 'masteruser', type: 'string', default: '', sensitive: true, emptyIsNull: true },
  bool('replica-serve-stale-data', 'yes', { alias: 'slave-serve-stale-data' }),
  bool('replica-read-only', 'yes', { alias: 'slave-read-only' }),
  bool('repl-diskless-sync', 'yes'),
  int('repl-diskless-sync-delay', '5', 0n, INT_MAX),
  int('repl-diskless-sync-max-replicas', '0', 0n, INT_MAX),
  enm('repl-diskless-load', 'disabled', ['disabled', 'on-empty-db', 'swapdb'],),
  int('repl-ping-replica-period', '10', 1n, INT_MAX, { alias: 'repl-ping-slave-period' }),
  int('repl-timeout', '60', 1n, INT_MAX),
  bool('repl-disable-tcp-nodelay', 'no'),
  mem('repl-backlog-size', '1048576', 1n, LLONG_MAX),
  int('repl-backlog-ttl', '3600', 0n, LONG_MAX),
  int('replica-priority', '100', 0n, INT_MAX, { alias: 'slave-priority' }),
  bool('replica-announced', 'yes',),
  int('min-replicas-to-write', '0', 0n, INT_MAX, { alias: 'min-slaves-to-write' }),
  int('min-replicas-max-lag', '10', 0n, INT_MAX, { alias: 'min-slaves-max-lag' }),
  str('replica-announce-ip', '', { alias: 'slave-announce-ip', emptyIsNull: true }),
  int('replica-announce-port', '0', 0n, 65535n, { alias: 'slave-announce-port' }),
  bool('replica-lazy-flush', 'no', { alias: 'slave-lazy-flush' }),
  bool('replica-ignore-disk-write-errors', 'no', { pinned: "a replica never stops applying its primary's stream over a disk error" }),
  enm('propagation-error-behavior', 'ignore', ['ignore', 'panic', 'panic-on-replicas'], { pinned: 'errors in the replication stream are logged and ignored' }),

  /* ---- cluster */
  bool('cluster-enabled', 'no', { mutability: 'immutable', pinned: NO_CLUSTER }),
  str('cluster-config-file', 'nodes.conf', { mutability: 'immutable', pinned: NO_CLUSTER }),
  int('cluster-node-timeout', '15000', 0n, LLONG_MAX, { pinned: NO_CLUSTER }),
  int('cluster-port', '0', 0n, 65535n, { mutability: 'immutable', pinned: NO_CLUSTER }),
  int('cluster-replica-validity-factor', '10', 0n, INT_MAX, { alias: 'cluster-slave-validity-factor', pinned: NO_CLUSTER }),
  int('cluster-migration-barrier', '1', 0n, INT_MAX, { pinned: NO_CLUSTER }),
  bool('cluster-allow-replica-migration', 'yes', { pinned: NO_CLUSTER }),
  bool('cluster-require-full-coverage', 'yes', { pinned: NO_CLUSTER }),
  bool('cluster-replica-no-failover', 'no', { alias: 'cluster-slave-no-failover', pinned: NO_CLUSTER }),
  bool('cluster-allow-reads-when-down', 'no', { pinned: NO_CLUSTER }),
  bool('cluster-allow-pubsubshard-when-down', 'yes', { pinned: NO_CLUSTER }),
  mem('cluster-link-sendbuf-limit', '0', 0n, ULLONG_MAX, { unsigned: true, pinned: NO_CLUSTER }),
  str('cluster-announce-hostname', '', { emptyIsNull: true, pinned: NO_CLUSTER }),
  enm('cluster-preferred-endpoint-type', 'ip', ['ip', 'hostname', 'unknown-endpoint'], { pinned: NO_CLUSTER }),
  str('cluster-announce-ip', '', { emptyIsNull: true, pinned: NO_CLUSTER }),
  int('cluster-announce-port', '0', 0n, 65535n, { pinned: NO_CLUSTER }),
  int('cluster-announce-bus-port', '0', 0n, 65535n, { pinned: NO_CLUSTER }),
  int('cluster-announce-tls-port', '0', 0n, 65535n, { pinned: NO_CLUSTER }),

  /* ---- TLS */
  /* ---- TLS (src/net/tls.ts; docs/security.md). The file and protocol settings are checked
   * together when a CONFIG SET is complete (registry onCommit), so a certificate and its key can
   * be changed in one SET. */
  int('tls-port', '0', 0n, 65535n),
  str('tls-cert-file', '', { emptyIsNull: true }),
  str('tls-key-file', '', { emptyIsNull: true }),
  str('tls-key-file-pass', '', { emptyIsNull: true, sensitive: true }),
  str('tls-client-cert-file', '', { emptyIsNull: true }),
  str('tls-client-key-file', '', { emptyIsNull: true }),
  str('tls-client-key-file-pass', '', { emptyIsNull: true, sensitive: true }),
  str('tls-dh-params-file', '', { emptyIsNull: true }),
  str('tls-ca-cert-file', '', { emptyIsNull: true }),
  str('tls-ca-cert-dir', '', { emptyIsNull: true }),
  enm('tls-auth-clients', 'yes', ['no', 'yes', 'optional']),
  bool('tls-replication', 'no',),
  bool('tls-cluster', 'no', { pinned: NO_CLUSTER }),
  str('tls-protocols', '', { emptyIsNull: true }),
  str('tls-ciphers', '', { emptyIsNull: true }),
  str('tls-ciphersuites', '', { emptyIsNull: true }),
  bool('tls-prefer-server-ciphers', 'no'),
  bool('tls-session-caching', 'yes'),
  int('tls-session-cache-size', '20480', 0n, INT_MAX),
  int('tls-session-cache-timeout', '300', 0n, INT_MAX),
  // Redis 8.6 / Valkey 9: a verified client certificate's CN logs the connection in as that user
  { name: 'tls-auth-clients-user', type: 'special', default: 'off', parse: (w: string[]): ParseResult => {
    const v = w[0].toLowerCase();
    if (v !== 'off' && v !== 'cn') return { error: 'argument(s) must be one of the following: off, CN' };
    return { value: v === 'cn' ? 'CN' : 'off', shown: v === 'cn' ? 'CN' : 'off' };
  } },
  // Redoubt: a peer that has not completed the TLS handshake within this many ms is disconnected
  int('tls-handshake-timeout', '10000', 100n, INT_MAX, { mutability: 'immutable' }),

  /* ---- data structure encodings */
  int('hash-max-listpack-entries', '512', 0n, LONG_MAX, { alias: 'hash-max-ziplist-entries', unsigned: true, apply: (v) => (limits.hashMaxListpackEntries = Number(v)) }),
  mem('hash-max-listpack-value', '64', 0n, LONG_MAX, { alias: 'hash-max-ziplist-value', unsigned: true, apply: (v) => (limits.hashMaxListpackValue = Number(v)) }),
  int('list-max-listpack-size', '-2', INT_MIN, INT_MAX, { alias: 'list-max-ziplist-size', apply: (v) => (limits.listMaxListpackSize = Number(v)) }),
  int('list-compress-depth', '0', 0n, INT_MAX, { apply: (v) => (limits.listCompressDepth = Number(v)) }),
  int('set-max-intset-entries', '512', 0n, LONG_MAX, { unsigned: true, apply: (v) => (limits.setMaxIntsetEntries = Number(v)) }),
  int('zset-max-listpack-entries', '128', 0n, LONG_MAX, { alias: 'zset-max-ziplist-entries', unsigned: true, apply: (v) => (limits.zsetMaxListpackEntries = Number(v)) }),
  mem('zset-max-listpack-value', '64', 0n, LONG_MAX, { alias: 'zset-max-ziplist-value', unsigned: true, apply: (v) => (limits.zsetMaxListpackValue = Number(v)) }),
  mem('hll-sparse-max-bytes', '3000', 0n, LONG_MAX, { unsigned: true, apply: (v) => (limits.hllSparseMaxBytes = Number(v)) }),
  mem('stream-node-max-bytes', '4096', 0n, LONG_MAX, { unsigned: true, pinned: NO_STREAMS }),
  int('stream-node-max-entries', '100', 0n, LLONG_MAX, { pinned: NO_STREAMS }),

  /* ---- active defragmentation */
  bool('activedefrag', 'no', { pinned: NO_DEFRAG }),
  mem('active-defrag-ignore-bytes', '104857600', 1n, LLONG_MAX, { unsigned: true, pinned: NO_DEFRAG }),
  int('active-defrag-threshold-lower', '10', 0n, 1000n, { pinned: NO_DEFRAG }),
  int('active-defrag-threshold-upper', '100', 0n, 1000n, { pinned: NO_DEFRAG }),
  int('active-defrag-cycle-min', '1', 1n, 99n, { pinned: NO_DEFRAG }),
  int('active-defrag-cycle-max', '25', 1n, 99n, { pinned: NO_DEFRAG }),
  int('active-defrag-max-scan-fields', '1000', 1n, LONG_MAX, { unsigned: true, pinned: NO_DEFRAG }),

  /* ---- test-suite knobs Redis hides from patterns */
  bool('use-exit-on-panic', 'no', { hidden: true, unsupported: 'a debugging knob of the Redis test suite' }),
  int('rdb-key-save-delay', '0', INT_MIN, INT_MAX, { hidden: true, unsupported: 'a debugging knob of the Redis test suite' }),
  int('key-load-delay', '0', INT_MIN, INT_MAX, { hidden: true, unsupported: 'a debugging knob of the Redis test suite' }),
  int('watchdog-period', '0', 0n, INT_MAX, { hidden: true, unsupported: 'the software watchdog is not implemented' }),
  int('loading-process-events-interval-bytes', '2097152', 1024n, INT_MAX, { hidden: true, unsupported: 'a debugging knob of the Redis test suite' }),
];

/** Directives Redis 7.0 accepts and ignores (removed features); Redoubt ignores them likewise. */
export const DEPRECATED: Record<string, [number, number]> = {
  'list-max-ziplist-entries': [2, 2],
  'list-max-ziplist-value': [2, 2],
  'lua-replicate-commands': [2, 2],
};
