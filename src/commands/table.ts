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
}

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

  /* statistics (INFO commandstats), reset by CONFIG RESETSTAT */
  calls = 0;
  usec = 0;
  rejectedCalls = 0;
  failedCalls = 0;

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
    const flags = new Set<CommandFlag | 'movablekeys'>(spec.flags ?? []);
    const { legacy, movable } = deriveLegacyRange(this.keys);
    if (movable || spec.getKeys) flags.add('movablekeys');
    this.legacy = legacy;
    this.flags = flags;
    this.categories = deriveCategories(spec);
    this.isWrite = flags.has('write');
    this.noAuth = flags.has('no_auth');
    this.denyOom = flags.has('denyoom');
    this.isAdmin = flags.has('admin');
    this.skipMonitor = flags.has('skip_monitor');
    this.skipSlowlog = flags.has('skip_slowlog');
    this.noMulti = flags.has('no_multi');
    if (spec.subcommands) {
      this.subcommands = new Map();
      for (const s of spec.subcommands) this.subcommands.set(s.name, new Command(s, this));
    }
  }

  /** Indexes of the key arguments in argv, derived from key specs (or the custom extractor). */
  keyIndexes(argv: string[]): number[] {
    if (this.getKeysFn) return this.getKeysFn(argv);
    const out: number[] = [];
    for (const ks of this.keys) for (const i of keySpecIndexes(ks, argv)) out.push(i);
    return out;
  }

  /** Key indexes with the spec that found each (for ACL read/write checks). */
  keysWithSpecs(argv: string[]): { index: number; spec: KeySpec | undefined }[] {
    if (this.getKeysFn) return this.getKeysFn(argv).map((index) => ({ index, spec: this.keys[0] }));
    const out: { index: number; spec: KeySpec }[] = [];
    for (const ks of this.keys) for (const index of keySpecIndexes(ks, argv)) out.push({ index, spec: ks });
    return out;
  }
}

/** Resolves one key spec against an argument vector, as Redis's getKeysUsingKeySpecs does. */
export function keySpecIndexes(ks: KeySpec, argv: string[]): number[] {
  const argc = argv.length;
  let first: number;
  if ('index' in ks.begin) {
    first = ks.begin.index;
  } else if ('keyword' in ks.begin) {
    const { keyword, startfrom } = ks.begin;
    const kw = keyword.toLowerCase();
    first = -1;
    if (startfrom >= 0) {
      for (let i = startfrom; i < argc; i++) if (argv[i].toLowerCase() === kw) { first = i + 1; break; }
    } else {
      for (let i = argc + startfrom; i > 0; i--) if (argv[i].toLowerCase() === kw) { first = i + 1; break; }
    }
    if (first < 0) return [];
  } else {
    return [];
  }
  if (first >= argc) return [];
  const out: number[] = [];
  if ('range' in ks.find) {
    const [lastkey, step, limit] = ks.find.range;
    let last: number;
    if (lastkey >= 0) last = first + lastkey;
    else if (limit === 0 || limit === undefined) last = argc + lastkey;
    else last = first + Math.floor((argc - first) / limit) + lastkey;
    for (let i = first; i <= last && i < argc; i += step) out.push(i);
  } else if ('keynum' in ks.find) {
    const [keynumidx, firstkey, step] = ks.find.keynum;
    const numIdx = first + keynumidx;
    if (numIdx >= argc) return [];
    const n = Number(argv[numIdx]);
    if (!Number.isInteger(n) || n < 0) return [];
    const start = first + firstkey;
    for (let j = 0, i = start; j < n && i < argc; j++, i += step) out.push(i);
  }
  return out;
}

function deriveLegacyRange(specs: KeySpec[]): { legacy: [number, number, number]; movable: boolean } {
  if (specs.length === 0) return { legacy: [0, 0, 0], movable: false };
  const isRange = (s: KeySpec) => 'index' in s.begin && 'range' in s.find;
  if (specs.length === 1 && isRange(specs[0])) {
    const s = specs[0] as { begin: { index: number }; find: { range: [number, number, number] }; flags: KeySpecFlag[] };
    const first = s.begin.index;
    const last = s.find.range[0] >= 0 ? first + s.find.range[0] : s.find.range[0];
    return { legacy: [first, last, s.find.range[1]], movable: s.flags.includes('incomplete') };
  }
  let movable = false;
  let firstkey = Infinity;
  let lastkey = 0;
  let prevLast = 0;
  for (const s of specs) {
    if (!isRange(s)) { movable = true; continue; }
    const idx = (s.begin as { index: number }).index;
    const [lk, step] = (s.find as { range: [number, number, number] }).range;
    if (step !== 1 || (prevLast && prevLast !== idx - 1)) { movable = true; continue; }
    if (s.flags.includes('incomplete')) movable = true;
    firstkey = Math.min(firstkey, idx);
    const abs = lk >= 0 ? lk + idx : lk;
    // unsigned comparison in Redis: negative values are "largest"
    const u = (x: number) => (x < 0 ? 2 ** 32 + x : x);
    lastkey = u(abs) > u(lastkey) ? abs : lastkey;
    prevLast = lastkey;
  }
  if (firstkey === Infinity) return { legacy: [0, 0, 0], movable: true };
  return { legacy: [firstkey, lastkey, 1], movable };
}

function deriveCategories(spec: CommandSpec): Set<AclCategory> {
  const c = new Set<AclCategory>(spec.categories ?? []);
  const f = new Set(spec.flags ?? []);
  if (f.has('write')) c.add('write');
  if (f.has('readonly') && !c.has('scripting')) c.add('read');
  if (f.has('admin')) { c.add('admin'); c.add('dangerous'); }
  if (f.has('pubsub')) c.add('pubsub');
  if (f.has('fast')) c.add('fast');
  if (f.has('blocking')) c.add('blocking');
  if (!c.has('fast')) c.add('slow');
  // keep canonical order
  return new Set(ACL_CATEGORIES.filter((x) => c.has(x)));
}

/** Declares a command (identity helper that gives type checking to family files). */
export function command(spec: CommandSpec): CommandSpec {
  return spec;
}
