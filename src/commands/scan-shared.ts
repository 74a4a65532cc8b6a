/*
 * The argument parsing and reply shape HSCAN, SSCAN and ZSCAN share, as Redis 7.0's
 * parseScanCursorOrReply + scanGenericCommand (db.c) do them.
 *
 * Order of checks, which decides which error a bad request gets (each command follows it):
 *   1. the cursor (argv[2]) — `parseScanCursor`, before the key is even looked up;
 *   2. the key: missing -> `replyEmptyScan` (options are then never looked at), wrong type ->
 *      WRONGTYPE;
 *   3. the options from argv[3] — `parseScanOptions` (COUNT n, MATCH pattern, any order, repeats
 *      allowed, the last one wins);
 *   4. the page — `replyScan(ctx, nextCursor, flat)`.
 *
 * Compact encodings (listpack, intset) answer the whole collection in one page with cursor 0, as
 * Redis does; hashtable encodings walk a ScanMap `count` slots per call. For hashes and sorted
 * sets the page is flat field/value pairs and MATCH tests only the field, dropping its value too:
 * `scanPairs` does that. Reply: a 2-array [cursor as bulk, array of bulks] in RESP2 and RESP3 alike.
 *
 * Usage (ZSCAN, for the sorted-set family):
 *   const cursor = parseScanCursor(ctx, 2); if (cursor === null) return;
 *   const o = lookup...; if (!o) return replyEmptyScan(ctx); if (o.type !== 'zset') return WRONGTYPE;
 *   const opts = parseScanOptions(ctx, 3); if (opts === null) return;
 *   small encoding:  replyScan(ctx, 0, filterPairs(opts, flatFieldScorePairs))
 *   ScanMap:         const flat: string[] = [];
 *                    const next = scanPairs(map, cursor, opts, flat, (field, v) => formatScore(v));
 *                    replyScan(ctx, next, flat);
 */

import type { Ctx } from './context';
import type { ScanMap } from '../data/scanmap';
import { compileGlob, type GlobMatcher } from '../data/glob';
import { ERR } from './util';
import { optIs } from './strings-shared';

const ULONG_MAX = 18446744073709551615n;
const TWO_64 = 18446744073709551616n;

/**
 * Parses argv[idx] as Redis's cursor: C strtoul in base 10 (an optional '+' or '-', where '-'
 * negates modulo 2^64; the empty string is 0; parsing stops at a NUL byte, C string semantics),
 * refused when it starts with white space, has trailing bytes, or overflows. Returns the cursor
 * (a number; ScanMap treats anything beyond its size as a new iteration) or null after writing
 * "ERR invalid cursor".
 */
export function parseScanCursor(ctx: Ctx, idx: number): number | null {
  let s = ctx.argv[idx];
  const nul = s.indexOf('\0');
  if (nul >= 0) s = s.slice(0, nul);
  const v = cursorValue(s);
  if (v === null) {
    ctx.reply.error('ERR invalid cursor');
    return null;
  }
  return v;
}

function cursorValue(s: string): number | null {
  const n = s.length;
  if (n === 0) return 0;
  let i = 0;
  let neg = false;
  const c0 = s.charCodeAt(0);
  if (c0 === 43 /* + */ || c0 === 45 /* - */) {
    neg = c0 === 45;
    i = 1;
  }
  if (i === n) return null; // a lone sign: no digits, strtoul leaves the end pointer on it
  for (let j = i; j < n; j++) {
    const c = s.charCodeAt(j);
    if (c < 48 || c > 57) return null;
  }
  const digits = s.slice(i);
  if (digits.length < 16 && !neg) return Number(digits);
  let b = BigInt(digits);
  if (b > ULONG_MAX) return null; // ERANGE, for either sign
  if (neg && b !== 0n) b = TWO_64 - b;
  return Number(b);
}

/** The reply to a SCAN of a missing key: cursor 0 and no elements. */
export function replyEmptyScan(ctx: Ctx): void {
  ctx.reply.raw('*2\r\n$1\r\n0\r\n*0\r\n');
}

export interface ScanOptions {
  /** MATCH pattern compiled, or null when absent or "*" (Redis skips matching for "*") */
  match: GlobMatcher | null;
  /** COUNT, >= 1 (default 10) */
  count: number;
}

/**
 * Parses the COUNT / MATCH options from argv[from] to the end. Errors, as Redis: an unknown word or
 * an option without its value -> syntax error; COUNT not a 64-bit integer -> "value is not an
 * integer or out of range"; COUNT < 1 -> syntax error. Returns null after writing the error.
 */
export function parseScanOptions(ctx: Ctx, from: number): ScanOptions | null {
  const argv = ctx.argv;
  let count = 10;
  let pattern: string | null = null;
  for (let i = from; i < argv.length; i += 2) {
    const hasValue = argv.length - i >= 2;
    if (hasValue && optIs(argv[i], 'COUNT')) {
      const v = parseCount(argv[i + 1]);
      if (v === null) {
        ctx.reply.error(ERR.NOT_INTEGER);
        return null;
      }
      if (v < 1) {
        ctx.reply.error(ERR.SYNTAX);
        return null;
      }
      count = v;
    } else if (hasValue && optIs(argv[i], 'MATCH')) {
      pattern = argv[i + 1];
    } else {
      ctx.reply.error(ERR.SYNTAX);
      return null;
    }
  }
  return { match: pattern === null || pattern === '*' ? null : compileGlob(pattern), count };
}

/** A signed 64-bit integer (string2ll rules) as a number (large values lose precision: harmless for a count). */
function parseCount(s: string): number | null {
  const n = s.length;
  if (n === 0 || n > 20) return null;
  if (s === '0') return 0;
  let i = 0;
  if (s.charCodeAt(0) === 45) {
    if (n === 1) return null;
    i = 1;
  }
  if (s.charCodeAt(i) < 49 || s.charCodeAt(i) > 57) return null;
  for (let j = i + 1; j < n; j++) {
    const c = s.charCodeAt(j);
    if (c < 48 || c > 57) return null;
  }
  if (n - i >= 19) {
    const b = BigInt(s);
    if (b > 9223372036854775807n || b < -9223372036854775808n) return null;
  }
  return Number(s);
}

/** Writes a SCAN page: [cursor, [elements...]]. */
export function replyScan(ctx: Ctx, cursor: number, flat: readonly string[]): void {
  const c = '' + cursor;
  ctx.reply.raw('*2\r\n$' + c.length + '\r\n' + c + '\r\n');
  ctx.reply.bulkArray(flat);
}

/** Keeps the members that MATCH (single elements: sets). */
export function filterMembers(opts: ScanOptions, members: readonly string[]): readonly string[] {
  const m = opts.match;
  if (m === null) return members;
  const out: string[] = [];
  for (const x of members) if (m(x)) out.push(x);
  return out;
}

/** Keeps the field/value pairs of a flat list whose field MATCHes (hashes, sorted sets). */
export function filterPairs(opts: ScanOptions, flat: readonly string[]): readonly string[] {
  const m = opts.match;
  if (m === null) return flat;
  const out: string[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) {
    if (m(flat[i])) out.push(flat[i], flat[i + 1]);
  }
  return out;
}

/**
 * One ScanMap step for single elements: visits `count` slots below `cursor`, pushes the matching
 * keys onto `out`, returns the next cursor.
 */
export function scanMembers<V>(map: ScanMap<V>, cursor: number, opts: ScanOptions, out: string[]): number {
  const m = opts.match;
  return map.scan(cursor, opts.count, (k) => {
    if (m === null || m(k)) out.push(k);
  });
}

/**
 * One ScanMap step for pairs: pushes key and `valueOf(key, value)` of each matching entry onto
 * `out`, returns the next cursor.
 */
export function scanPairs<V>(
  map: ScanMap<V>, cursor: number, opts: ScanOptions, out: string[], valueOf: (key: string, value: V) => string,
): number {
  const m = opts.match;
  return map.scan(cursor, opts.count, (k, v) => {
    if (m === null || m(k)) out.push(k, valueOf(k, v));
  });
}

/* ------------------------------------------------------------------ oversized random replies */

/**
 * SRANDMEMBER / HRANDFIELD / ZRANDMEMBER with a negative count may ask for up to 2^63-1 picks.
 * Redis streams them until the client's output buffer limit (or memory) gives out. We cannot hold
 * such a reply in one string, so past this many pending bytes the reply is dropped and the client
 * disconnected, as Redis's output-buffer-limit disconnection does.
 */
export const MAX_PENDING_REPLY = 32 * 1024 * 1024;

/**
 * True (after dropping the partial reply from `mark` and scheduling the disconnection) when the
 * pending reply has grown past MAX_PENDING_REPLY. Call it every few hundred picks.
 */
export function replyTooLarge(ctx: Ctx, mark: number): boolean {
  if (ctx.reply.out.length - mark < MAX_PENDING_REPLY) return false;
  ctx.reply.out = ctx.reply.out.slice(0, mark);
  ctx.server.stats.clientOutputBufferLimitDisconnections++;
  ctx.server.log('warning', `Client id=${ctx.client.id} closed: a ${ctx.cmd.fullname} reply outgrew ${MAX_PENDING_REPLY} bytes.`);
  ctx.client.closeAfterReply();
  return true;
}

/**
 * Writes `count` encoded elements produced by `next` (a random pick with repeats, already
 * encoded) after a header written at `mark`, in chunks, stopping through replyTooLarge when the
 * reply outgrows MAX_PENDING_REPLY (SRANDMEMBER / HRANDFIELD with a negative count).
 */
export function writeRepeatedPicks(ctx: Ctx, mark: number, count: number, next: () => string): void {
  const r = ctx.reply;
  let out = '';
  for (let i = 0; i < count; i++) {
    out += next();
    if ((i & 1023) === 1023) {
      r.raw(out);
      out = '';
      if (replyTooLarge(ctx, mark)) return;
    }
  }
  r.raw(out);
}
