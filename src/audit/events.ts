/*
 * The audit log's vocabulary: its directives, its event classes, which class a command belongs to,
 * secret redaction, and the JSON Lines record. Pure functions and data only (no I/O), so the
 * directive table can import this file and tests can check redaction without a server.
 *
 * Invariants:
 *  - A secret never reaches a record: `requirepass`/`masterauth`/every directive declared
 *    `sensitive` is replaced by "[redacted]" in CONFIG SET values, and ACL rules that carry a
 *    password (`>pw`, `<pw`, `#hash`, `!hash`, and stored `$scrypt$` hashes) likewise, wherever
 *    they appear (requested rules, old and new user descriptions). AUTH arguments are never recorded.
 *  - Bytes are bytes: keys and values are latin1 strings, written as JSON strings whose code points
 *    are the byte values (a reader decodes the UTF-8 line, then takes each code point as one byte).
 *  - Every record is one line: JSON.stringify escapes CR, LF and every control byte.
 */

import type { DirectiveSpec, ParseResult } from '../config/registry';
import type { Command } from '../commands/table';

/** Event classes, in the order `audit-log-events` shows them. */
export const AUDIT_CLASSES = ['connection', 'auth', 'acl', 'config', 'denied', 'dangerous', 'write'] as const;
export type AuditClass = (typeof AUDIT_CLASSES)[number];

/** What a server records unless told otherwise: everything but the (voluminous) write stream. */
export const DEFAULT_AUDIT_EVENTS = 'connection auth acl config denied dangerous';

export const CLASS_BIT: Record<AuditClass, number> = {
  connection: 1, auth: 2, acl: 4, config: 8, denied: 16, dangerous: 32, write: 64,
};

/** `audit-log-events`: class names separated by spaces; `all` and `none` as shorthands. */
export function parseAuditEvents(words: string[]): ParseResult {
  let mask = 0;
  const list = words.join(' ').split(/[ ,]+/).filter((w) => w !== '');
  for (const w of list) {
    const l = w.toLowerCase();
    if (l === 'all') mask = 127;
    else if (l === 'none') mask = 0;
    else if ((AUDIT_CLASSES as readonly string[]).includes(l)) mask |= CLASS_BIT[l as AuditClass];
    else return { error: `unknown audit event class '${w}' (use ${AUDIT_CLASSES.join(', ')}, all or none)` };
  }
  return { value: mask, shown: formatAuditEvents(mask) };
}

export function formatAuditEvents(mask: number): string {
  return AUDIT_CLASSES.filter((c) => (mask & CLASS_BIT[c]) !== 0).join(' ');
}

/** `audit-log-file`: '' (off), a path, `stdout`, or `syslog:<ident>`. */
function parseAuditFile(words: string[]): ParseResult {
  const v = words[0];
  if (v.startsWith('syslog:')) {
    const ident = v.slice(7);
    if (!/^[A-Za-z0-9_.-]{1,32}$/.test(ident)) return { error: 'syslog ident must be 1 to 32 characters out of letters, digits, _ . -' };
  }
  if (v.includes('\0') || v.includes('\n')) return { error: 'invalid audit log file name' };
  return { value: v, shown: v };
}

/*
 * The directives (declared in src/config/directives.ts through this list). `audit-log-file` and
 * the syslog socket are immutable: a CONFIG SET that could point the log at any path would be the
 * same arbitrary-file-write primitive as CONFIG SET dir, and one that could silence it would let
 * an intruder erase their tracks. The other settings may change at run time; each change is
 * itself recorded (always, whatever the classes), before it takes effect for later events.
 */
export const AUDIT_DIRECTIVES: DirectiveSpec[] = [
  { name: 'audit-log-file', type: 'string', default: '', mutability: 'immutable', emptyIsNull: true, parse: parseAuditFile },
  { name: 'audit-log-events', type: 'special', default: DEFAULT_AUDIT_EVENTS, multiArg: true, parse: parseAuditEvents, format: formatAuditEvents },
  { name: 'audit-log-max-size', type: 'memory', default: '104857600', min: 0n, max: 9223372036854775807n },
  { name: 'audit-log-max-files', type: 'int', default: '10', min: 1n, max: 1000n },
  { name: 'audit-log-fsync', type: 'enum', default: 'everysec', values: ['always', 'everysec', 'no'] },
  { name: 'audit-log-on-error', type: 'enum', default: 'continue', values: ['continue', 'refuse'] },
  { name: 'audit-log-syslog-socket', type: 'string', default: '/dev/log', mutability: 'immutable' },
];

/* ------------------------------------------------------------------ command classes */

/** Commands whose events carry before/after values. */
export const ACL_CHANGES = new Set(['acl|setuser', 'acl|deluser', 'acl|load', 'acl|save']);
export const CONFIG_CHANGES = new Set(['config|set', 'config|rewrite', 'config|resetstat']);

/** Class bits a command's execution may be recorded under (0: never). */
export function commandClassMask(cmd: Command): number {
  let m = 0;
  if (ACL_CHANGES.has(cmd.fullname)) m |= CLASS_BIT.acl;
  if (CONFIG_CHANGES.has(cmd.fullname)) m |= CLASS_BIT.config;
  if (cmd.categories.has('dangerous')) m |= CLASS_BIT.dangerous;
  if (cmd.isWrite) m |= CLASS_BIT.write;
  return m;
}

/** The one class a command's record is filed under, given the enabled classes: the most specific. */
export function pickClass(mask: number, enabled: number): AuditClass | null {
  const on = mask & enabled;
  if (on === 0) return null;
  if (on & CLASS_BIT.acl) return 'acl';
  if (on & CLASS_BIT.config) return 'config';
  if (on & CLASS_BIT.dangerous) return 'dangerous';
  return 'write';
}

/* ------------------------------------------------------------------ redaction */

export const REDACTED = '[redacted]';

/** An ACL rule that carries a password or a hash. */
export function isSecretRule(rule: string): boolean {
  const c = rule.charCodeAt(0);
  return c === 62 /* > */ || c === 60 /* < */ || c === 35 /* # */ || c === 33 /* ! */ || rule.startsWith('$scrypt$');
}

/** Rules with their secrets replaced; selectors `( ... )` are left as written (they hold none). */
export function redactRules(rules: string[]): string[] {
  return rules.map((r) => (isSecretRule(r) ? REDACTED : r));
}

/** A user description line (`on #abc... ~* +@all`), secrets replaced. */
export function redactDescription(desc: string): string {
  return desc.split(' ').map((w) => (isSecretRule(w) ? REDACTED : w)).join(' ');
}

/* ------------------------------------------------------------------ records */

export const MAX_KEYS = 16;
export const MAX_KEY_LEN = 128;
export const MAX_VALUE_LEN = 1024;

export function truncate(s: string, max: number): string {
  return s.length <= max ? s : s.slice(0, max) + `...(${s.length} bytes)`;
}

/** Keys named by a command, from its key specs, bounded in number and length. */
export function commandKeys(cmd: Command, argv: string[]): string[] | undefined {
  if (cmd.keys.length === 0 && !cmd.flags.has('movablekeys')) return undefined;
  let refs;
  try {
    refs = cmd.getKeys(argv);
  } catch {
    return undefined;
  }
  if (refs.length === 0) return undefined;
  const out: string[] = [];
  for (const r of refs) {
    if (out.length === MAX_KEYS) {
      out.push(`...(${refs.length - MAX_KEYS} more)`);
      break;
    }
    out.push(truncate(argv[r.index], MAX_KEY_LEN));
  }
  return out;
}

/** The two timestamps every record starts with. */
export function stamp(ms: number): { ts: string; ts_ms: number } {
  return { ts: new Date(ms).toISOString(), ts_ms: ms };
}

/** One record as its line (with the newline). Field order: time, event, class, then the rest. */
export function recordLine(ms: number, cls: string, event: string, fields: Record<string, unknown>): string {
  return JSON.stringify({ ...stamp(ms), event, class: cls, ...fields }) + '\n';
}
