/*
 * The configuration registry: every directive is declared once (name, aliases, type, default,
 * validation, mutability, sensitivity) in `directives.ts`, and everything else — redis.conf parsing,
 * the `--name value` command line, CONFIG GET patterns, CONFIG SET (atomic over several pairs),
 * CONFIG REWRITE — is derived from that table.
 *
 * Invariants:
 *  - Values are stored parsed (numbers, booleans, strings, string lists) and formatted back exactly
 *    as Redis formats them for CONFIG GET.
 *  - A failed CONFIG SET of several pairs leaves every value as it was (validate all, then apply,
 *    roll back on an apply failure).
 *  - Listeners registered with `onChange` run after a value changes, so hot paths can cache values.
 */

export type DirectiveType = 'bool' | 'int' | 'memory' | 'string' | 'enum' | 'flags' | 'special';

export type Mutability = 'mutable' | 'immutable' | 'protected';

export interface DirectiveSpec {
  name: string;
  aliases?: string[];
  type: DirectiveType;
  /** default as it would be written in redis.conf */
  default: string;
  mutability?: Mutability;
  /** redacted in logs, MONITOR, SLOWLOG and the audit log */
  sensitive?: boolean;
  /** for 'int' and 'memory': inclusive bounds */
  min?: number;
  max?: number;
  /** for 'enum'/'flags': allowed values */
  values?: string[];
  /** parse a 'special' or 'string' value; return an error text or the parsed value */
  parse?: (raw: string[], registry: ConfigRegistry) => { value: unknown } | { error: string };
  /** format a 'special' value for CONFIG GET / REWRITE */
  format?: (value: unknown) => string;
  /** extra validation after parsing; return an error text or null */
  validate?: (value: any, registry: ConfigRegistry) => string | null;
  /** a directive that may appear several times in a file (e.g. `save`, `user`, `rename-command`) */
  multi?: boolean;
  /**
   * Redis directives we deliberately do not support: the reason is reported at start-up, with the
   * file and line, instead of silently ignoring the line.
   */
  unsupported?: string;
}

export interface Directive extends DirectiveSpec {
  value: unknown;
}

export class ConfigError extends Error {}

const MEM_UNITS: Record<string, number> = {
  '': 1, b: 1, k: 1000, kb: 1024, m: 1000 * 1000, mb: 1024 * 1024, g: 1000 * 1000 * 1000, gb: 1024 * 1024 * 1024,
};

/** Redis's memtoull: "1gb", "100mb", "10k", plain bytes; negative allowed only where min < 0. */
export function parseMemory(s: string): number | null {
  const m = /^(-?\d+)([a-zA-Z]*)$/.exec(s);
  if (!m) return null;
  const unit = MEM_UNITS[m[2].toLowerCase()];
  if (unit === undefined) return null;
  const n = Number(m[1]) * unit;
  return Number.isSafeInteger(n) ? n : null;
}

export function parseBool(s: string): boolean | null {
  const l = s.toLowerCase();
  if (l === 'yes') return true;
  if (l === 'no') return false;
  return null;
}

/** Glob for CONFIG GET patterns (nocase), injected to keep config/ free of data/ imports. */
export type GlobFn = (pattern: string, s: string, nocase: boolean) => boolean;

export class ConfigRegistry {
  readonly byName = new Map<string, Directive>();
  /** canonical names, in declaration order */
  readonly names: string[] = [];
  private listeners = new Map<string, ((v: any) => void)[]>();
  /** path of the config file, for CONFIG REWRITE */
  configFile: string | null = null;

  constructor(specs: DirectiveSpec[]) {
    for (const s of specs) this.declare(s);
  }

  declare(spec: DirectiveSpec): void {
    const d: Directive = { ...spec, value: undefined };
    if (!spec.unsupported) {
      const r = this.parseValue(d, splitValue(spec.default));
      if ('error' in r) throw new Error(`bad default for ${spec.name}: ${r.error}`);
      d.value = r.value;
    }
    this.byName.set(spec.name, d);
    for (const a of spec.aliases ?? []) this.byName.set(a, d);
    this.names.push(spec.name);
  }

  lookup(name: string): Directive | undefined {
    return this.byName.get(name.toLowerCase());
  }

  get(name: string): any {
    const d = this.byName.get(name);
    if (d === undefined) throw new Error(`unknown directive ${name}`);
    return d.value;
  }

  onChange(name: string, fn: (v: any) => void): void {
    const d = this.byName.get(name)!;
    const l = this.listeners.get(d.name) ?? [];
    l.push(fn);
    this.listeners.set(d.name, l);
    fn(d.value);
  }

  /** Parses raw words for a directive; does not store. */
  parseValue(d: DirectiveSpec, words: string[]): { value: unknown } | { error: string } {
    if (d.parse) return d.parse(words, this);
    const raw = words.join(' ');
    switch (d.type) {
      case 'bool': {
        const b = parseBool(raw);
        return b === null ? { error: 'argument must be \'yes\' or \'no\'' } : { value: b };
      }
      case 'int':
      case 'memory': {
        const n = d.type === 'memory' ? parseMemory(raw) : /^-?\d+$/.test(raw) ? Number(raw) : null;
        if (n === null || !Number.isSafeInteger(n)) {
          return { error: d.type === 'memory' ? 'argument must be a memory value' : 'argument couldn\'t be parsed into an integer' };
        }
        if ((d.min !== undefined && n < d.min) || (d.max !== undefined && n > d.max)) {
          return { error: `argument must be between ${d.min} and ${d.max} inclusive` };
        }
        return { value: n };
      }
      case 'enum': {
        const v = raw.toLowerCase();
        if (!d.values!.includes(v)) return { error: `argument(s) must be one of the following: ${d.values!.join(', ')}` };
        return { value: v };
      }
      case 'flags': {
        const vs = raw.toLowerCase().split(/\s+/).filter(Boolean);
        for (const v of vs) if (!d.values!.includes(v)) return { error: `argument(s) must be one of the following: ${d.values!.join(', ')}` };
        return { value: vs };
      }
      default:
        return { value: raw };
    }
  }

  /** Formats the current value the way CONFIG GET shows it. */
  format(d: Directive): string {
    if (d.format) return d.format(d.value);
    switch (d.type) {
      case 'bool':
        return d.value ? 'yes' : 'no';
      case 'flags':
        return (d.value as string[]).join(' ');
      default:
        return String(d.value ?? '');
    }
  }

  /** Sets from start-up sources (file or command line): any mutability allowed. */
  setAtStartup(name: string, words: string[]): void {
    const d = this.lookup(name);
    if (!d) throw new ConfigError(`Bad directive or wrong number of arguments`);
    if (d.unsupported) throw new ConfigError(`'${d.name}' is not supported by Redoubt: ${d.unsupported}`);
    const r = this.parseValue(d, words);
    if ('error' in r) throw new ConfigError(r.error);
    const err = d.validate?.(r.value, this);
    if (err) throw new ConfigError(err);
    this.store(d, r.value);
  }

  /**
   * CONFIG SET of several pairs, atomically. `allowProtected` tells whether protected directives
   * may be set from this connection. Returns null or Redis's error text.
   */
  setMany(pairs: [string, string][], allowProtected: boolean): string | null {
    const seen = new Set<string>();
    const plan: { d: Directive; value: unknown; old: unknown }[] = [];
    for (const [name, raw] of pairs) {
      const d = this.lookup(name);
      if (!d || d.unsupported) return `ERR Unknown option or number of arguments for CONFIG SET - '${name}'`;
      if (seen.has(d.name)) return `ERR CONFIG SET failed (possibly related to argument '${name}') - duplicate parameter`;
      seen.add(d.name);
      if (d.mutability === 'immutable') return `ERR CONFIG SET failed (possibly related to argument '${name}') - can't set immutable config`;
      if (d.mutability === 'protected' && !allowProtected) {
        return `ERR CONFIG SET failed (possibly related to argument '${name}') - can't set protected config`;
      }
      const r = this.parseValue(d, splitValue(raw));
      if ('error' in r) return `ERR CONFIG SET failed (possibly related to argument '${name}') - ${r.error}`;
      const err = d.validate?.(r.value, this);
      if (err) return `ERR CONFIG SET failed (possibly related to argument '${name}') - ${err}`;
      plan.push({ d, value: r.value, old: d.value });
    }
    const applied: typeof plan = [];
    try {
      for (const p of plan) {
        this.store(p.d, p.value);
        applied.push(p);
      }
    } catch (e) {
      for (const p of applied.reverse()) this.store(p.d, p.old);
      const name = plan[applied.length]?.d.name ?? '';
      return `ERR CONFIG SET failed (possibly related to argument '${name}') - ${(e as Error).message}`;
    }
    return null;
  }

  private store(d: Directive, value: unknown): void {
    d.value = value;
    for (const fn of this.listeners.get(d.name) ?? []) fn(value);
  }

  /** CONFIG GET: name/value pairs for every directive matching any of the patterns. */
  match(patterns: string[], glob: GlobFn): [string, string][] {
    const out = new Map<string, string>();
    for (const p of patterns) {
      const exact = this.byName.get(p.toLowerCase());
      if (exact && !/[*?[]/.test(p)) {
        if (!exact.unsupported) out.set(p.toLowerCase(), this.format(exact));
        continue;
      }
      for (const [name, d] of this.byName) {
        if (d.unsupported) continue;
        if (glob(p, name, true)) out.set(name, this.format(d));
      }
    }
    return [...out];
  }
}

/** Splits a CONFIG SET value into words the way Redis does for multi-word directives. */
export function splitValue(raw: string): string[] {
  return raw === '' ? [''] : [raw];
}
