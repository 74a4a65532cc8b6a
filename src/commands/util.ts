/*
 * Shared pieces of command handlers: Redis's exact error texts and its number parsing rules
 * (string2ll / string2ld semantics), so every family rejects bad input with the same words; and
 * the HELP reply shape every container shares.
 */

import type { Ctx } from './context';
import { parseLongDouble } from '../data/strnum';

export const ERR = {
  WRONGTYPE: 'WRONGTYPE Operation against a key holding the wrong kind of value',
  SYNTAX: 'ERR syntax error',
  NOT_INTEGER: 'ERR value is not an integer or out of range',
  NOT_FLOAT: 'ERR value is not a valid float',
  OVERFLOW: 'ERR increment or decrement would overflow',
  NO_KEY: 'ERR no such key',
  DB_INDEX: 'ERR DB index is out of range',
  INVALID_EXPIRE: (cmd: string) => `ERR invalid expire time in '${cmd}' command`,
} as const;

export const LLONG_MAX = 9223372036854775807n;
export const LLONG_MIN = -9223372036854775808n;

/**
 * Parses a signed 64-bit integer exactly as Redis's string2ll: optional '-', no '+', no spaces, no
 * leading zeros (except "0"). Returns a bigint or null.
 */
export function parseLongLong(s: string): bigint | null {
  const n = s.length;
  if (n === 0 || n > 20) return null;
  if (n === 1 && s === '0') return 0n;
  let i = 0;
  if (s.charCodeAt(0) === 45) {
    i = 1;
    if (n === 1) return null;
  }
  const first = s.charCodeAt(i);
  if (first < 49 || first > 57) return null; // 1-9
  for (let j = i + 1; j < n; j++) {
    const c = s.charCodeAt(j);
    if (c < 48 || c > 57) return null;
  }
  const v = BigInt(s);
  if (v > LLONG_MAX || v < LLONG_MIN) return null;
  return v;
}

/**
 * Like parseLongLong but returns a JS number when the value is a safe integer (the common case
 * for counts, indexes and TTLs); null when not a valid 64-bit integer. Values beyond 2^53 are
 * returned as (imprecise) numbers only through parseLongLong — use that where exactness matters.
 */
export function parseInteger(s: string): number | null {
  // fast path for short plain numbers
  const n = s.length;
  if (n > 0 && n < 16) {
    let i = 0;
    let neg = false;
    if (s.charCodeAt(0) === 45) {
      neg = true;
      i = 1;
      if (n === 1) return null;
    }
    if (s.charCodeAt(i) === 48 && n - i > 1) return null;
    let v = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i) - 48;
      if (c < 0 || c > 9) return null;
      v = v * 10 + c;
    }
    return neg ? (v === 0 ? 0 : -v) : v;
  }
  const b = parseLongLong(s);
  return b === null ? null : Number(b);
}

/**
 * The common case without strtod's regexes: an optional sign, digits and at most one '.', short
 * enough that it can neither overflow nor underflow. Null means "not this simple form", never
 * "invalid".
 *
 * With at most 15 significant digits and at most 22 after the point, the value is computed here:
 * the digits as an integer M (exact, M < 2^53) divided by 10^k (exact up to 10^22), one IEEE
 * division, so correctly rounded, which is what strtod returns (Clinger's fast path). That skips
 * Number(s), a runtime call that cost ~100 ns per score or coordinate. Longer forms still go to
 * Number(), which rounds them as strtod does.
 */
export function plainDecimal(s: string): number | null {
  const n = s.length;
  if (n === 0 || n > 24) return null;
  let i = 0;
  const c0 = s.charCodeAt(0);
  if (c0 === 45 /* - */ || c0 === 43 /* + */) i = 1;
  let digits = 0;
  let significant = 0;
  let m = 0;
  let frac = -1;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      digits++;
      if (m !== 0 || c !== 48) significant++;
      m = m * 10 + (c - 48);
      if (frac >= 0) frac++;
    } else if (c === 46 /* . */ && frac < 0) frac = 0;
    else return null;
  }
  if (digits === 0) return null;
  if (significant > 15 || frac > 22) return Number(s);
  const v = frac > 0 ? m / POW10[frac] : m;
  return c0 === 45 ? -v : v;
}

/** 10^0 .. 10^22, each exact in a double */
const POW10: number[] = [];
for (let k = 0, p = 1; k <= 22; k++, p *= 10) POW10.push(p);

/**
 * Parses a double as Redis's string2d / getDoubleFromObject: no leading/trailing spaces, not empty,
 * "inf"/"-inf"/"+inf" accepted, NaN rejected. Returns null when invalid.
 */
export function parseDouble(s: string): number | null {
  const quick = plainDecimal(s);
  if (quick !== null) return quick;
  if (s.length === 0 || s.length > 5000) return null;
  const c0 = s.charCodeAt(0);
  const cl = s.charCodeAt(s.length - 1);
  if (c0 === 32 || cl === 32 || c0 === 9 || cl === 9 || c0 === 10 || cl === 10 || c0 === 13 || cl === 13) return null;
  const l = s.toLowerCase();
  if (l === 'inf' || l === '+inf' || l === 'infinity' || l === '+infinity') return Infinity;
  if (l === '-inf' || l === '-infinity') return -Infinity;
  // strtod accepts hex floats and forms like "1e5", ".5", "5.", "+5"
  if (!/^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|0[xX][0-9a-fA-F]+)$/.test(s)) return null;
  const v = /^[+-]?0[xX]/.test(s) ? Number.parseInt(s, 16) : Number(s);
  if (Number.isNaN(v)) return null;
  // strtod's ERANGE: a finite literal that overflows, or a non-zero one that underflows to zero
  if (v === Infinity || v === -Infinity) return null;
  if (v === 0 && /[1-9]/.test(s.replace(/[eE].*$/, ''))) return null;
  return v;
}

/** Case-insensitive comparison of an argument against an upper-case option name. */
export function isOpt(arg: string, opt: string): boolean {
  return arg.length === opt.length && arg.toUpperCase() === opt;
}

/**
 * The HELP reply of a container command, in Redis's shape: a header naming the command as the
 * client spelled it (ASCII upper-cased, as C toupper does, so other bytes pass unchanged), then
 * `lines` — each syntax line followed by indented description lines, our own wording, listing only
 * subcommands that exist here — then the HELP entry. Every line is a status reply, so none may
 * contain CR or LF.
 */
export function replyHelp(ctx: Ctx, lines: readonly string[]): void {
  const name = ctx.argv[0].replace(/[a-z]+/g, (m) => m.toUpperCase());
  ctx.reply.array(lines.length + 3);
  ctx.reply.simple(`${name} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`);
  for (const l of lines) ctx.reply.simple(l);
  ctx.reply.simple('HELP');
  ctx.reply.simple('    Print this help.');
}

/**
 * The timeout argument of the blocking commands (BLPOP ... timeout), as Redis's
 * getTimeoutFromObjectOrReply in seconds: a long double, times 1000, rounded up to milliseconds
 * (ceill since 7.0.8, so 0.0001 waits 1 ms rather than forever). Returns the deadline in unix ms
 * (0 = wait forever), or
 * null after writing the error. Infinities and values past the 64-bit range are "negative", as the
 * C conversion makes them.
 */
export function parseBlockTimeout(ctx: Ctx, arg: string): number | null {
  const ld = parseLongDouble(arg);
  if (ld === null) {
    ctx.reply.error('ERR timeout is not a float or out of range');
    return null;
  }
  let ms = 0;
  if (ld === 'inf' || ld === '-inf') ms = -1;
  else if (ld.m !== 0n) {
    ms = Number(ld.m) * 2 ** ld.e * 1000;
    if (ld.neg) ms = -ms;
    ms = ms >= 9223372036854775807 ? -1 : Math.ceil(ms);
  }
  if (ms < 0) {
    ctx.reply.error('ERR timeout is negative');
    return null;
  }
  return ms === 0 ? 0 : ctx.now + ms;
}
