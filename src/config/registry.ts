/*
 * The configuration registry: every directive is declared once (name, alias, type, default,
 * bounds, mutability, sensitivity, support status) in `directives.ts`; redis.conf parsing
 * (file.ts), the `--name value` command line, CONFIG GET patterns, CONFIG SET (atomic over several
 * pairs) and CONFIG REWRITE (rewrite.ts) are all derived from that table.
 *
 * Support status, so that a configuration never claims something Redoubt does not do:
 *  - implemented: some code reads the value and honours it;
 *  - `pinned`: Redoubt does not implement the feature, but the default value describes what it does
 *    truthfully (`appendonly no`): the directive is visible and accepts only its default;
 *  - `unsupported`: not visible to CONFIG GET, refused at start-up and by CONFIG SET.
 *
 * Invariants:
 *  - A value is stored parsed (number, boolean, string, structured) together with the exact text
 *    CONFIG GET shows, so 64-bit values print exactly although JS numbers are doubles.
 *  - CONFIG SET of several pairs is all-or-nothing: every pair is validated before anything is
 *    stored, and a listener that rejects a value (a port that cannot be bound) rolls back all.
 *  - Errors are Redis's texts, produced here so the file loader and CONFIG SET say the same words.
 */

export type DirectiveType = 'bool' | 'int' | 'memory' | 'memory-percent' | 'octal' | 'string' | 'enum' | 'special';

export type Mutability = 'mutable' | 'immutable' | 'protected';

export type ParseResult = { value: unknown; shown?: string } | { error: string };

export interface DirectiveSpec {
  name: string;
  /** an older name that works everywhere (slaveof for replicaof, ...) */
  alias?: string;
  type: DirectiveType;
  /** default, as CONFIG GET shows it (and as it may be written in redis.conf) */
  default: string;
  /** default 'mutable' */
  mutability?: Mutability;
  /** redacted in logs, MONITOR, SLOWLOG and the audit log */
  sensitive?: boolean;
  /** numeric bounds, inclusive */
  min?: bigint;
  max?: bigint;
  /** bounds are compared and printed as unsigned (Redis's unsigned config types) */
  unsigned?: boolean;
  /** accepted range is [min, max] but the value is then clamped to this range (hz) */
  clamp?: [bigint, bigint];
  /** enum values, in Redis's order (the order its error message lists them) */
  values?: string[];
  /** takes several words: all words of a file line; CONFIG SET splits its value on spaces */
  multiArg?: boolean;
  /** for 'special' (and validating 'string'): parse words into a value */
  parse?: (words: string[], ctx: ParseContext) => ParseResult;
  /** for 'special': CONFIG GET text of the current value */
  format?: (value: any) => string;
  /** redis.conf lines for the current value (REWRITE); `force` says whether to add them if absent */
  rewrite?: (value: any, name: string, isDefault: boolean) => { lines: string[]; force: boolean } | 'keep';
  /** side effect of a new value (dir: chdir); may throw to refuse it */
  apply?: (value: any) => void;
  /** string directives Redis stores as NULL when empty: REWRITE drops their line instead of writing "" */
  emptyIsNull?: boolean;
  /** pattern matches skip it (CONFIG GET needs the exact name) */
  hidden?: boolean;
  /** known, visible, but only the default is accepted; the text says why */
  pinned?: string;
  /** not implemented: refused wherever it appears, with this reason */
  unsupported?: string;
  /** directive that only exists in files (rename-command, include): not a CONFIG parameter */
  fileOnly?: boolean;
}

export interface ParseContext {
  /** true while loading the config file and command line */
  startup: boolean;
  /** how many times this directive already appeared during start-up */
  seen: number;
  /** the value before this line / this CONFIG SET */
  current: unknown;
}

export interface Directive extends DirectiveSpec {
  value: unknown;
  shown: string;
  defaultValue: unknown;
  defaultShown: string;
}

export class ConfigError extends Error {}

/* ------------------------------------------------------------------ value parsing */

const ULLONG_MAX = 18446744073709551615n;

/**
 * Redis's memtoull: digits with an optional unit (b, k, kb, m, mb, g, gb, case-insensitive). A sign
 * or a decimal point is an error; an empty string is 0, as strtoull makes it.
 */
export function parseMemory(s: string): bigint | null {
  const m = /^(\d*)([a-zA-Z]*)$/.exec(s);
  if (!m) return null;
  const mul = ({ '': 1n, b: 1n, k: 1000n, kb: 1024n, m: 1000000n, mb: 1048576n, g: 1000000000n, gb: 1073741824n } as Record<string, bigint>)[m[2].toLowerCase()];
  if (mul === undefined) return null;
  let v = m[1] === '' ? 0n : BigInt(m[1]);
  if (v > ULLONG_MAX) v = ULLONG_MAX; // strtoull saturates
  if (v > ULLONG_MAX / mul) return null;
  return v * mul;
}

/** Redis's string2ll: optional '-', no '+', no spaces, no leading zeros. */
export function parseStrictInt(s: string): bigint | null {
  if (!/^(0|-?[1-9]\d{0,19})$/.test(s)) return null;
  const v = BigInt(s);
  if (v > 9223372036854775807n || v < -9223372036854775808n) return null;
  return v;
}

/** strtoll(s, &end, base) with `*end == '\0'` required (leading spaces and sign allowed). */
export function parseStrtoll(s: string, base = 10): bigint | null {
  const re = base === 8 ? /^[ \t\n\v\f\r]*([+-]?)([0-7]+)$/ : /^[ \t\n\v\f\r]*([+-]?)(\d+)$/;
  const m = re.exec(s);
  if (!m) return null;
  let v = base === 8 ? BigInt('0o' + m[2]) : BigInt(m[2]);
  if (m[1] === '-') v = -v;
  if (v > 9223372036854775807n) v = 9223372036854775807n;
  if (v < -9223372036854775808n) v = -9223372036854775808n;
  return v;
}

export function parseBool(s: string): boolean | null {
  const l = s.toLowerCase();
  if (l === 'yes') return true;
  if (l === 'no') return false;
  return null;
}

/** rewriteConfigFormatMemory: the largest exact unit. */
export function formatMemoryUnit(n: bigint): string {
  if (n !== 0n && n % 1073741824n === 0n) return `${n / 1073741824n}gb`;
  if (n !== 0n && n % 1048576n === 0n) return `${n / 1048576n}mb`;
  if (n !== 0n && n % 1024n === 0n) return `${n / 1024n}kb`;
  return String(n);
}


function numeric(d: DirectiveSpec, raw: string): ParseResult {
  let n: bigint | null = null;
  let percent = false;
  if (d.type === 'memory' || d.type === 'memory-percent') n = parseMemory(raw);
  if (n === null && d.type === 'memory-percent' && raw.length > 1 && raw.endsWith('%')) {
    const p = parseStrictInt(raw.slice(0, -1));
    if (p !== null && p >= 0n) {
      n = -p; // Redis stores a percentage as a negative number
      percent = true;
    }
  }
  if (n === null && d.type === 'octal') n = parseStrtoll(raw, 8);
  if (n === null && d.type === 'int') n = parseStrictInt(raw);
  if (n === null) {
    return {
      error: d.type === 'memory-percent' ? 'argument must be a memory or percent value'
        : d.type === 'memory' ? 'argument must be a memory value'
        : d.type === 'octal' ? "argument couldn't be parsed as an octal number"
        : "argument couldn't be parsed into an integer",
    };
  }
  const min = d.min ?? -9223372036854775808n;
  const max = d.max ?? 9223372036854775807n;
  if (d.unsigned) {
    const u = n < 0n ? n + ULLONG_MAX + 1n : n;
    if (u > max || u < min) {
      const f = (x: bigint) => (d.type === 'octal' ? x.toString(8) : String(x));
      return { error: `argument must be between ${f(min)} and ${f(max)} inclusive` };
    }
    n = u;
  } else if (percent) {
    if (n < min) return { error: `percentage argument must be less or equal to ${-min}` };
  } else if (n > max || n < min) {
    return { error: `argument must be between ${min} and ${max} inclusive` };
  }
  if (d.clamp) n = n < d.clamp[0] ? d.clamp[0] : n > d.clamp[1] ? d.clamp[1] : n;
  const shown = percent ? `${-n}%` : d.type === 'octal' ? n.toString(8) : String(n);
  return { value: Number(n), shown };
}

/** Parses the words of one directive (a file line's arguments, or one CONFIG SET value). */
export function parseDirective(d: DirectiveSpec, words: string[], ctx: ParseContext): ParseResult {
  if (d.parse) return d.parse(words, ctx);
  const raw = words[0];
  switch (d.type) {
    case 'bool': {
      const b = parseBool(raw);
      return b === null ? { error: "argument must be 'yes' or 'no'" } : { value: b, shown: b ? 'yes' : 'no' };
    }
    case 'int':
    case 'memory':
    case 'memory-percent':
    case 'octal':
      return numeric(d, raw);
    case 'enum': {
      const v = raw.toLowerCase();
      if (!d.values!.includes(v)) return { error: `argument(s) must be one of the following: ${d.values!.join(', ')}` };
      return { value: v, shown: v };
    }
    default:
      return { value: raw, shown: raw };
  }
}

/** Glob for CONFIG GET patterns (nocase), injected to keep config/ free of data/ imports. */
export type GlobFn = (pattern: string, s: string, nocase: boolean) => boolean;

/* ------------------------------------------------------------------ the registry */

export class ConfigRegistry {
  /** every name and alias -> directive */
  readonly byName = new Map<string, Directive>();
  /** primary directives, in declaration order */
  readonly list: Directive[] = [];
  private listeners = new Map<string, ((v: any) => void)[]>();
  /** run once after all pairs of a CONFIG SET are stored; a throw rolls the whole SET back */
  private commitChecks: ((changed: ReadonlySet<string>) => void)[] = [];
  /** absolute path of the config file, for CONFIG REWRITE (null: started without one) */
  configFile: string | null = null;
  /** how many times each directive appeared while loading (multi-line directives accumulate) */
  private startupSeen = new Map<string, number>();

  constructor(specs: DirectiveSpec[]) {
    for (const s of specs) this.declare(s);
  }

  declare(spec: DirectiveSpec): void {
    const d: Directive = { ...spec, value: undefined, shown: '', defaultValue: undefined, defaultShown: '' };
    const words = spec.multiArg ? splitSetValue(spec.default) : [spec.default];
    // File-only directives (rename-command, include...) accumulate lines and start empty.
    const r = spec.fileOnly ? { value: [], shown: '' } : parseDirective(d, words, { startup: false, seen: 0, current: undefined });
    if ('error' in r) throw new Error(`bad default for ${spec.name}: ${r.error}`);
    d.value = d.defaultValue = r.value;
    d.shown = d.defaultShown = r.shown ?? (spec.format ? spec.format(r.value) : String(r.value));
    if (this.byName.has(spec.name) || (spec.alias && this.byName.has(spec.alias))) throw new Error(`directive ${spec.name} declared twice`);
    this.byName.set(spec.name, d);
    if (spec.alias) this.byName.set(spec.alias, d);
    this.list.push(d);
  }

  lookup(name: string): Directive | undefined {
    return this.byName.get(name.toLowerCase());
  }

  get(name: string): any {
    const d = this.byName.get(name);
    if (d === undefined) throw new Error(`unknown directive ${name}`);
    return d.value;
  }

  /** CONFIG GET text of a directive. */
  show(d: Directive): string {
    return d.format ? d.format(d.value) : d.shown;
  }

  /**
   * Runs `fn` now and after each change. A listener may throw to refuse a value at CONFIG SET
   * time (the whole SET is then rolled back and the message becomes the error text).
   */
  onChange(name: string, fn: (v: any) => void): void {
    const d = this.byName.get(name)!;
    const l = this.listeners.get(d.name) ?? [];
    l.push(fn);
    this.listeners.set(d.name, l);
    fn(d.value);
  }

  /**
   * `fn` sees the names of the directives one CONFIG SET changed, after all of them are stored: for
   * settings that only make sense together (a certificate and its key). It may throw to refuse the
   * SET; the error may carry `directive` to name the argument Redis's message blames.
   */
  onCommit(fn: (changed: ReadonlySet<string>) => void): void {
    this.commitChecks.push(fn);
  }

  private store(d: Directive, r: { value: unknown; shown?: string }): void {
    d.apply?.(r.value);
    d.value = r.value;
    d.shown = r.shown ?? (d.format ? d.format(r.value) : String(r.value));
    for (const fn of this.listeners.get(d.name) ?? []) fn(r.value);
  }

  private refusal(d: Directive, words: string[], r: ParseResult): string | null {
    if (d.unsupported) return `'${d.name}' is not supported by Redoubt: ${d.unsupported}`;
    if (d.pinned && !('error' in r)) {
      const shown = r.shown ?? (d.format ? d.format(r.value) : String(r.value));
      if (shown !== d.defaultShown) return `Redoubt only supports '${d.name} ${d.defaultShown || '""'}': ${d.pinned}`;
    }
    void words;
    return null;
  }

  /**
   * One directive from a start-up source (config file line or command line option): any
   * mutability. Throws ConfigError with Redis's reason text.
   */
  setAtStartup(d: Directive, words: string[]): void {
    const seen = this.startupSeen.get(d.name) ?? 0;
    this.startupSeen.set(d.name, seen + 1);
    if (d.unsupported) throw new ConfigError(this.refusal(d, words, { value: null })!);
    const r = parseDirective(d, words, { startup: true, seen, current: d.value });
    if ('error' in r) throw new ConfigError(r.error);
    const refused = this.refusal(d, words, r);
    if (refused) throw new ConfigError(refused);
    try {
      d.apply?.(r.value);
    } catch (e) {
      throw new ConfigError((e as Error).message);
    }
    d.value = r.value;
    d.shown = r.shown ?? (d.format ? d.format(r.value) : String(r.value));
  }

  /** After loading: tell every listener registered before start-up the final values. */
  startupDone(): void {
    for (const d of this.list) for (const fn of this.listeners.get(d.name) ?? []) fn(d.value);
  }

  /**
   * CONFIG SET of several pairs, atomically. `allowProtected` says whether protected directives may
   * be set from this connection. Returns null on success or Redis's error text.
   */
  setMany(pairs: [string, string][], allowProtected: boolean): string | null {
    const seen = new Set<Directive>();
    let unknown: string | null = null;
    let err: [string, string] | null = null;
    const plan: { d: Directive; raw: string }[] = [];
    // Redis reports the first unknown name in preference to any other error.
    for (const [name, raw] of pairs) {
      const d = this.lookup(name);
      if (!d || d.fileOnly || d.unsupported) {
        if (unknown === null) unknown = name;
        continue;
      }
      if (unknown !== null || err !== null) continue;
      if (d.mutability === 'immutable') err = [name, "can't set immutable config"];
      else if (d.mutability === 'protected' && !allowProtected) err = [name, "can't set protected config"];
      else if (seen.has(d)) err = [name, 'duplicate parameter'];
      seen.add(d);
      plan.push({ d, raw });
    }
    if (unknown !== null) return `ERR Unknown option or number of arguments for CONFIG SET - '${unknown}'`;
    if (err !== null) return `ERR CONFIG SET failed (possibly related to argument '${err[0]}') - ${err[1]}`;
    const parsed: { d: Directive; r: { value: unknown; shown?: string } }[] = [];
    for (const { d, raw } of plan) {
      const words = d.multiArg ? splitSetValue(raw) : [raw];
      const r = parseDirective(d, words, { startup: false, seen: 0, current: d.value });
      const refused = 'error' in r ? r.error : this.refusal(d, words, r);
      if (refused) return `ERR CONFIG SET failed (possibly related to argument '${d.name}') - ${refused}`;
      parsed.push({ d, r: r as { value: unknown; shown?: string } });
    }
    const old = parsed.map(({ d }) => ({ value: d.value, shown: d.shown }));
    let i = 0;
    try {
      for (; i < parsed.length; i++) this.store(parsed[i].d, parsed[i].r);
      const changed = new Set(parsed.map(({ d }) => d.name));
      for (const check of this.commitChecks) check(changed);
    } catch (e) {
      const blamed = i < parsed.length ? parsed[i].d.name : ((e as { directive?: string }).directive ?? parsed[0].d.name);
      for (let j = Math.min(i, parsed.length - 1); j >= 0; j--) {
        try { this.store(parsed[j].d, old[j]); } catch { /* the old value was live a moment ago */ }
      }
      return `ERR CONFIG SET failed (possibly related to argument '${blamed}') - ${(e as Error).message}`;
    }
    return null;
  }

  /**
   * CONFIG GET: name/value pairs for every directive matching any of the patterns. An exact name
   * (no glob characters) is reported under the name the client used, alias or not; patterns match
   * primary names and aliases alike, hidden directives excepted.
   */
  match(patterns: string[], glob: GlobFn): [string, string][] {
    const out = new Map<string, string>();
    const taken = new Set<Directive>();
    for (const p of patterns) {
      if (!/[[*?]/.test(p)) {
        const d = this.byName.get(p.toLowerCase());
        if (d && !d.unsupported && !d.fileOnly && !out.has(p)) out.set(p, this.show(d));
        continue;
      }
      for (const [name, d] of this.byName) {
        if (d.unsupported || d.fileOnly || d.hidden || out.has(name)) continue;
        if (glob(p, name, true)) {
          out.set(name, this.show(d));
          taken.add(d);
        }
      }
    }
    return [...out];
  }

  /** `name value` pairs of every directive, sensitive values redacted: for logs and audits. */
  redactedDump(): string[] {
    return this.list.filter((d) => !d.unsupported && !d.fileOnly).map((d) => `${d.name} ${d.sensitive && d.shown !== '' ? '(redacted)' : this.show(d)}`);
  }
}

/** CONFIG SET's split of a multi-word value: on single spaces, as sdssplitlen does. */
export function splitSetValue(raw: string): string[] {
  return raw === '' ? [''] : raw.split(' ');
}
