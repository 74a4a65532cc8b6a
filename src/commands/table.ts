/*
 * The command table: every command is declared once, as data plus a handler.
 *
 * Everything else is derived from these declarations and never written twice: dispatch, arity and
 * unknown-command errors, COMMAND INFO/DOCS/LIST/GETKEYS, ACL categories (implicit ones included),
 * key extraction with access flags, which commands may run before AUTH, MULTI queueing, read-only
 * replica and OOM refusals, propagation, and rename-command.
 *
 * Metadata follows Redis 7.0's `src/commands/*.json` model: flags, explicit ACL categories, key specs
 * (begin_search + find_keys), and documentation fields. The derived forms (legacy first/last/step,
 * movablekeys, implicit categories) are computed the way Redis computes them.
 */

import type { LatencyHistogram } from '../server/latency-histogram';
import type { Ctx } from './context';

export type CommandFlag =
  | 'write' | 'readonly' | 'denyoom' | 'module' | 'admin' | 'pubsub' | 'noscript' | 'blocking'
  | 'loading' | 'stale' | 'skip_monitor' | 'skip_slowlog' | 'asking' | 'fast' | 'no_auth'
  | 'may_replicate' | 'sentinel' | 'only_sentinel' | 'no_mandatory_keys' | 'protected'
  | 'no_async_loading' | 'no_multi' | 'allow_busy';

/** ACL categories in Redis's canonical order (the order COMMAND INFO lists them). */
export const ACL_CATEGORIES = [
  'keyspace', 'read', 'write', 'set', 'sortedset', 'list', 'hash', 'string', 'bitmap', 'hyperloglog',
  'geo', 'stream', 'pubsub', 'admin', 'fast', 'slow', 'blocking', 'dangerous', 'connection',
  'transaction', 'scripting',
] as const;
export type AclCategory = (typeof ACL_CATEGORIES)[number];

export type KeySpecFlag =
  | 'RO' | 'RW' | 'OW' | 'RM' | 'access' | 'update' | 'insert' | 'delete' | 'not_key' | 'incomplete'
  | 'variable_flags';

export interface KeySpec {
  flags: KeySpecFlag[];
  begin: { index: number } | { keyword: string; startfrom: number } | { unknown: true };
  find: { range: [lastkey: number, step: number, limit: number] } | { keynum: [keynumidx: number, firstkey: number, step: number] } | { unknown: true };
  notes?: string;
}

export type ArgType =
  | 'string' | 'integer' | 'double' | 'key' | 'pattern' | 'unix-time' | 'pure-token' | 'oneof' | 'block';

/** A documented argument, as COMMAND DOCS reports it. */
export interface ArgSpec {
  name: string;
  type: ArgType;
  key_spec_index?: number;
  token?: string;
  display?: string;
  since?: string;
  deprecated_since?: string;
  flags?: ('optional' | 'multiple' | 'multiple_token')[];
  value?: string;
  arguments?: ArgSpec[];
}

export interface CommandDocs {
  summary: string;
  since: string;
  group: string;
  complexity?: string;
  doc_flags?: ('deprecated' | 'syscmd')[];
  deprecated_since?: string;
  replaced_by?: string;
  history?: [version: string, change: string][];
  arguments?: ArgSpec[];
}

export type Handler = (ctx: Ctx) => void;

/** What a family file declares. */
export interface CommandSpec {
  /** lower-case name; for a subcommand just the subcommand name (e.g. 'get' under 'config') */
  name: string;
  /** Redis arity: N exact args including the name, -N at least N */
  arity: number;
  flags?: CommandFlag[];
  /** explicit ACL categories, without '@' (implicit ones are derived from flags) */
  categories?: AclCategory[];
  keys?: KeySpec[];
  tips?: string[];
  docs: CommandDocs;
  /** absent for container commands that only have subcommands */
  handler?: Handler;
  subcommands?: CommandSpec[];
  /**
   * Custom key extraction for commands whose keys key specs cannot express (movable keys).
   * Returns argument indexes.
   */
  getKeys?: (argv: string[]) => number[];
  /**
   * Like getKeys, with the access flags of each key: for commands whose specs carry
   * 'variable_flags' (SET ... GET, SORT ... STORE), where the flags depend on the arguments.
   */
  getKeyRefs?: (argv: string[]) => KeyRef[];
}

/** A key found in an argument vector, with the access flags that apply to it. */
export interface KeyRef {
  index: number;
  flags: readonly KeySpecFlag[];
}

/**
 * Command flags in the order COMMAND INFO lists them. Flags Redis keeps internal (may_replicate,
 * sentinel, only_sentinel, protected) are absent: they steer the server but are never shown.
 */
export const SHOWN_COMMAND_FLAGS: readonly (CommandFlag | 'movablekeys')[] = [
  'write', 'readonly', 'denyoom', 'module', 'admin', 'pubsub', 'noscript', 'blocking', 'loading',
  'stale', 'skip_monitor', 'skip_slowlog', 'asking', 'fast', 'no_auth', 'no_mandatory_keys',
  'no_async_loading', 'no_multi', 'movablekeys', 'allow_busy',
];

/** Key-spec flags in the order COMMAND INFO and GETKEYSANDFLAGS list them. */
export const KEY_SPEC_FLAGS: readonly KeySpecFlag[] = [
  'RO', 'RW', 'OW', 'RM', 'access', 'update', 'insert', 'delete', 'not_key', 'incomplete', 'variable_flags',
];

/** The commands MULTI does not queue (Redis's processCommand list). */
const RUN_IN_MULTI = new Set(['exec', 'discard', 'multi', 'watch', 'quit', 'reset']);

/** The resolved command, with everything derived. */
export class Command {
  readonly name: string;
  /** 'config|get' for subcommands, 'get' otherwise */
  readonly fullname: string;
  readonly arity: number;
  readonly flags: ReadonlySet<CommandFlag | 'movablekeys'>;
  readonly categories: ReadonlySet<AclCategory>;
  readonly keys: KeySpec[];
  readonly tips: string[];
  readonly docs: CommandDocs;
  readonly handler: Handler | undefined;
  readonly parent: Command | undefined;
  readonly subcommands: Map<string, Command> | undefined;
  readonly getKeysFn: ((argv: string[]) => number[]) | undefined;
  readonly getKeyRefsFn: ((argv: string[]) => KeyRef[]) | undefined;
  /** legacy (first, last, step) derived from key specs as Redis does */
  readonly legacy: [number, number, number];
  /** bit id used by ACL; assigned by the registry */
  id = -1;

  /* hot-path booleans */
  readonly isWrite: boolean;
  readonly noAuth: boolean;
  readonly denyOom: boolean;
  readonly isAdmin: boolean;
  readonly skipMonitor: boolean;
  readonly skipSlowlog: boolean;
  readonly noMulti: boolean;
  /** runs at once inside MULTI instead of being queued (Redis compares the handler, so renames keep it) */
  readonly runsInMulti: boolean;

  /* statistics (INFO commandstats), reset by CONFIG RESETSTAT */
  calls = 0;
  usec = 0;
  rejectedCalls = 0;
  failedCalls = 0;
  /** run times (latency-tracking: INFO latencystats, LATENCY HISTOGRAM), made on the first run */
  latency: LatencyHistogram | null = null;

  constructor(spec: CommandSpec, parent?: Command) {
    this.name = spec.name;
    this.fullname = parent ? `${parent.name}|${spec.name}` : spec.name;
    this.arity = spec.arity;
    this.parent = parent;
    this.keys = spec.keys ?? [];
    this.tips = spec.tips ?? [];
    this.docs = spec.docs;
    this.handler = spec.handler;
    this.getKeysFn = spec.getKeys;
    this.getKeyRefsFn = spec.getKeyRefs;
    const flags = new Set<CommandFlag | 'movablekeys'>(spec.flags ?? []);
    this.legacy = deriveLegacyRange(this.keys);
    // Redis 7.0 marks movablekeys exactly when some key spec is not a fixed index + range: a key
    // extractor alone (SET, LMOVE) does not make the key positions movable.
    if (this.keys.some((ks) => !isIndexRange(ks))) flags.add('movablekeys');
    this.flags = flags;
    this.categories = deriveCategories(spec);
    this.isWrite = flags.has('write');
    this.noAuth = flags.has('no_auth');
    this.denyOom = flags.has('denyoom');
    this.isAdmin = flags.has('admin');
    this.skipMonitor = flags.has('skip_monitor');
    this.skipSlowlog = flags.has('skip_slowlog');
    this.noMulti = flags.has('no_multi');
    this.runsInMulti = parent === undefined && RUN_IN_MULTI.has(spec.name);
    if (spec.subcommands) {
      this.subcommands = new Map();
      for (const s of spec.subcommands) this.subcommands.set(s.name, new Command(s, this));
    }
  }

  /** True if the command can have key arguments at all (COMMAND GETKEYS refuses otherwise). */
  hasKeys(): boolean {
    return this.getKeysFn !== undefined || this.getKeyRefsFn !== undefined ||
      this.keys.some((ks) => !ks.flags.includes('not_key'));
  }

  /**
   * The keys of argv with their access flags, as Redis's getKeysFromCommandWithSpecs finds them:
   * the key specs when they are reliable (some real key, no variable flags) and all resolve; else
   * the command's own extractor; else none. Argument counts must already satisfy the arity.
   */
  getKeys(argv: string[]): KeyRef[] {
    const real = this.keys.some((ks) => !ks.flags.includes('not_key'));
    const variable = this.keys.some((ks) => ks.flags.includes('variable_flags'));
    if (real && !variable) {
      const r = keysFromSpecs(this.keys, argv, this.arity);
      if (r !== null) return r;
    }
    if (this.getKeyRefsFn) return this.getKeyRefsFn(argv);
    if (this.getKeysFn) {
      const flags = this.keys[0]?.flags ?? [];
      return this.getKeysFn(argv).map((index) => ({ index, flags }));
    }
    return [];
  }

  /** Indexes of the key arguments in argv. */
  keyIndexes(argv: string[]): number[] {
    return this.getKeys(argv).map((k) => k.index);
  }

  /** Key indexes with the spec whose flags apply to each (for ACL read/write checks). */
  keysWithSpecs(argv: string[]): { index: number; spec: KeySpec | undefined }[] {
    return this.getKeys(argv).map((k) => ({
      index: k.index,
      spec: this.keys.find((ks) => ks.flags === k.flags) ?? { flags: [...k.flags], begin: { unknown: true }, find: { unknown: true } },
    }));
  }
}

function isIndexRange(ks: KeySpec): boolean {
  return 'index' in ks.begin && 'range' in ks.find;
}

/** Redis's string2ll acceptance for a numkeys argument: optional '-', digits, no leading zeros. */
function parseKeyCount(s: string): number | null {
  if (!/^(0|-?[1-9][0-9]{0,18})$/.test(s)) return null;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : n < 0 ? -1 : null;
}

/** Where one spec's search begins, 0 if its keyword is absent, -1 if the spec cannot be resolved. */
function beginIndex(ks: KeySpec, argv: string[]): number {
  const argc = argv.length;
  if ('index' in ks.begin) return ks.begin.index;
  if (!('keyword' in ks.begin)) return -1;
  const { keyword, startfrom } = ks.begin;
  const kw = keyword.toLowerCase();
  // Redis 7.0 scans [startfrom, argc-1) forwards, or (1, argc+startfrom] backwards: the bounds
  // themselves are never compared, so a keyword in the last (or first) position is not found.
  const start = startfrom > 0 ? startfrom : argc + startfrom;
  const end = startfrom > 0 ? argc - 1 : 1;
  for (let i = start; i !== end; i = start <= end ? i + 1 : i - 1) {
    if (i >= argc || i < 1) break;
    if (argv[i].toLowerCase() === kw) return i + 1;
  }
  return 0;
}

/** Resolves every key spec against argv; null when one is invalid or incomplete. */
export function keysFromSpecs(specs: KeySpec[], argv: string[], arity: number): KeyRef[] | null {
  const argc = argv.length;
  const out: KeyRef[] = [];
  for (const ks of specs) {
    if (ks.flags.includes('not_key')) continue;
    let first = beginIndex(ks, argv);
    if (first < 0) return null;
    if (first === 0) continue;
    let last: number;
    let step: number;
    if ('range' in ks.find) {
      const [lastkey, keystep, limit] = ks.find.range;
      step = keystep;
      if (lastkey >= 0) last = first + lastkey;
      else if (!limit) last = argc + lastkey;
      else last = first + Math.trunc((argc - first) / limit) + lastkey;
    } else if ('keynum' in ks.find) {
      const [keynumidx, firstkey, keystep] = ks.find.keynum;
      step = keystep;
      if (first + keynumidx >= argc) return null;
      const n = parseKeyCount(argv[first + keynumidx]);
      if (n === null || n < 0) return null;
      first += firstkey;
      last = first + n - 1;
    } else {
      return null;
    }
    if (last >= argc || last < first || first >= argc) return null;
    if (step <= 0) return null;
    for (let i = first; i <= last; i += step) {
      // negative-arity commands are not arity-checked at this point: extra positions are skipped
      if (i >= argc) {
        if (arity < 0) continue;
        return null;
      }
      out.push({ index: i, flags: ks.flags });
    }
    if (ks.flags.includes('incomplete')) return null;
  }
  return out;
}

/** Resolves one key spec against an argument vector (no fallback), [] when it does not resolve. */
export function keySpecIndexes(ks: KeySpec, argv: string[]): number[] {
  return (keysFromSpecs([ks], argv, -1) ?? []).map((k) => k.index);
}

/**
 * The legacy (firstkey, lastkey, step) triple of COMMAND INFO, computed as Redis 7.0 does: a lone
 * index+range spec is used as it is; otherwise consecutive step-1 range specs are merged and the
 * others skipped. lastkey is absolute when non-negative, relative to argc when negative.
 */
function deriveLegacyRange(specs: KeySpec[]): [number, number, number] {
  if (specs.length === 0) return [0, 0, 0];
  if (specs.length === 1 && isIndexRange(specs[0])) {
    const first = (specs[0].begin as { index: number }).index;
    const [lastkey, step] = (specs[0].find as { range: [number, number, number] }).range;
    return [first, lastkey >= 0 ? first + lastkey : lastkey, step];
  }
  // unsigned 32-bit comparison, as Redis does, so a negative (argc-relative) lastkey wins
  const u = (x: number) => (x < 0 ? 2 ** 32 + x : x);
  let firstkey = Infinity;
  let lastkey = 0;
  let prevLast = 0;
  for (const s of specs) {
    if (!isIndexRange(s)) continue;
    const idx = (s.begin as { index: number }).index;
    const [lk, step] = (s.find as { range: [number, number, number] }).range;
    if (step !== 1 || (prevLast && prevLast !== idx - 1)) continue;
    firstkey = Math.min(firstkey, idx);
    const abs = lk >= 0 ? lk + idx : lk;
    if (u(abs) > u(lastkey)) lastkey = abs;
    prevLast = lastkey;
  }
  if (firstkey === Infinity) return [0, 0, 0];
  return [firstkey, lastkey, 1];
}

function deriveCategories(spec: CommandSpec): Set<AclCategory> {
  const c = new Set<AclCategory>(spec.categories ?? []);
  const f = new Set(spec.flags ?? []);
  if (f.has('write')) c.add('write');
  // scripting commands are not @read even when flagged readonly (EVAL_RO, FCALL_RO)
  if (f.has('readonly') && !c.has('scripting')) c.add('read');
  if (f.has('admin')) { c.add('admin'); c.add('dangerous'); }
  if (f.has('pubsub')) c.add('pubsub');
  if (f.has('fast')) c.add('fast');
  if (f.has('blocking')) c.add('blocking');
  if (!c.has('fast')) c.add('slow');
  return new Set(ACL_CATEGORIES.filter((x) => c.has(x)));
}

/** Declares a command (identity helper that gives type checking to family files). */
export function command(spec: CommandSpec): CommandSpec {
  return spec;
}
