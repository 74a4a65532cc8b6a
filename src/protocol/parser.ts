/*
 * Streaming RESP request parser.
 *
 * Design: the connection feeds raw chunks; the parser yields complete commands (argument vectors of
 * latin1 strings, one character per byte, so every byte value round-trips) as soon as they are
 * complete, and keeps any partial tail for the next chunk. It understands both request forms Redis
 * accepts: multibulk (`*N\r\n$len\r\n...`) and inline (a line of space-separated, optionally quoted
 * words, as typed in telnet), with Redis 7.0's exact acceptance rules and error texts, including its
 * quirks (a header or inline line is searched for its terminator the way C's strchr does, so a NUL
 * byte before the terminator leaves the request incomplete; the two bytes after a bulk payload are
 * skipped without being checked).
 *
 * Invariants:
 *  - No input can throw: a malformed request yields a ProtocolError carrying Redis's exact text, and
 *    the parser is then dead (the connection must reply and close, as Redis does).
 *  - Appending is amortised O(1): a partial tail lives in a growable buffer, so a request that
 *    trickles in one byte per packet costs linear, not quadratic, copying.
 *  - Memory follows bytes actually received: a big bulk's buffer grows (doubling) as its payload
 *    arrives, so a header announcing 512 MB does not reserve 512 MB.
 *  - A bulk never exceeds V8's maximum string length: a longer one is an invalid bulk length rather
 *    than an exception (documented in docs/compatibility.md).
 *  - Limits that depend on authentication (10 args / 16 KB per arg before AUTH) and
 *    proto-max-bulk-len are read through `limits` at the moment each header is parsed, exactly
 *    where Redis checks them.
 */

import { splitArgs } from './sds';


import { constants as bufferConstants } from 'node:buffer';

export const PROTO_INLINE_MAX_SIZE = 64 * 1024;
/** Bulks at least this large are collected into a dedicated buffer instead of the shared one. */
const BIG_ARG = 32 * 1024;
/** First allocation for a big bulk; it then doubles as bytes arrive. */
const BIG_INITIAL = 1024 * 1024;
/** The longest bulk that can become a JS string (2^29 - 24 on 64-bit V8). */
export const MAX_ARG_LENGTH: number = bufferConstants.MAX_STRING_LENGTH;
const EMPTY = Buffer.alloc(0);

const CR = 13;
const LF = 10;

export interface ParserLimits {
  /** proto-max-bulk-len */
  maxBulkLen: number;
  /** true while the connection still has to authenticate */
  unauthenticated: boolean;
}

export class ProtocolError {
  constructor(public readonly message: string) {}
}

export type ParseResult = string[] | ProtocolError;

/**
 * Redis's string2ll over a byte range: optional '-', no '+', no spaces, no leading zeros (and no
 * "-0"), at most 20 characters. Values beyond 2^53 are reported as Infinity: every caller rejects
 * them anyway (counts are capped at INT_MAX, bulks at proto-max-bulk-len), with the same error text
 * Redis gives for an overflowing number.
 */
export function parseRespInt(buf: Buffer, start: number, end: number): number {
  const n = end - start;
  if (n <= 0 || n > 20) return NaN;
  let i = start;
  let neg = false;
  if (buf[i] === 45 /* '-' */) {
    neg = true;
    i++;
    if (i === end) return NaN;
  }
  const first = buf[i];
  if (first === 48 /* '0' */) return n === 1 ? 0 : NaN; // "0" only; "01", "-0" are invalid
  if (first < 49 || first > 57) return NaN;
  let v = 0;
  for (; i < end; i++) {
    const c = buf[i] - 48;
    if (c < 0 || c > 9) return NaN;
    v = v * 10 + c;
  }
  if (v > Number.MAX_SAFE_INTEGER) v = Infinity;
  return neg ? -v : v;
}

/**
 * Bytes to a latin1 string. Buffer#latin1Slice is what toString('latin1') ends in; calling it
 * directly skips the encoding dispatch, which is measurable when every argument of a deep pipeline
 * goes through here (falls back to toString if a Node version lacks it).
 */
type Latin1Buffer = Buffer & { latin1Slice(start: number, end: number): string };
const HAS_LATIN1_SLICE = typeof (Buffer.prototype as Partial<Latin1Buffer>).latin1Slice === 'function';
function latin1(buf: Buffer, start: number, end: number): string {
  const n = end - start;
  if (n <= SHORT_MAX) return shortLatin1(buf, start, n);
  return HAS_LATIN1_SLICE ? (buf as Latin1Buffer).latin1Slice(start, end) : buf.toString('latin1', start, end);
}

/** Most argument slots reserved ahead of the arguments (larger requests grow as they arrive). */
const PREALLOC_ARGS = 16;

/** Longest argument made in JavaScript by shortLatin1 (longer ones go through latin1Slice). */
const SHORT_MAX = 20;

/**
 * A string of n <= SHORT_MAX bytes, made by String.fromCharCode with the bytes as arguments: a
 * builtin the optimizer calls directly, ~25 ns for 3 to 16 bytes and ~50 ns for 20, where
 * latin1Slice is a call into C++ costing ~95 ns whatever the length (measured on this machine,
 * node 20). Keys, members, numbers and short values are mostly this short. Every byte is one
 * character (latin1), as latin1Slice gives, and the string is flat.
 */
function shortLatin1(b: Buffer, p: number, n: number): string {
  switch (n) {
    case 0: return '';
    case 1: return String.fromCharCode(b[p]);
    case 2: return String.fromCharCode(b[p], b[p + 1]);
    case 3: return String.fromCharCode(b[p], b[p + 1], b[p + 2]);
    case 4: return String.fromCharCode(b[p], b[p + 1], b[p + 2], b[p + 3]);
    case 5: return String.fromCharCode(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4]);
    case 6: return String.fromCharCode(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5]);
    case 7: return String.fromCharCode(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6]);
    case 8: return String.fromCharCode(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7]);
    case 9: return String.fromCharCode(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8]);
    case 10: return String.fromCharCode(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8], b[p + 9]);
    case 11: return String.fromCharCode(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8], b[p + 9], b[p + 10]);
    case 12: return String.fromCharCode(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8], b[p + 9], b[p + 10], b[p + 11]);
    case 13: return String.fromCharCode(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8], b[p + 9], b[p + 10], b[p + 11], b[p + 12]);
    case 14: return String.fromCharCode(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8], b[p + 9], b[p + 10], b[p + 11], b[p + 12], b[p + 13]);
    case 15: return String.fromCharCode(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8], b[p + 9], b[p + 10], b[p + 11], b[p + 12], b[p + 13], b[p + 14]);
    case 16: return String.fromCharCode(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8], b[p + 9], b[p + 10], b[p + 11], b[p + 12], b[p + 13], b[p + 14], b[p + 15]);
    case 17: return String.fromCharCode(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8], b[p + 9], b[p + 10], b[p + 11], b[p + 12], b[p + 13], b[p + 14], b[p + 15], b[p + 16]);
    case 18: return String.fromCharCode(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8], b[p + 9], b[p + 10], b[p + 11], b[p + 12], b[p + 13], b[p + 14], b[p + 15], b[p + 16], b[p + 17]);
    case 19: return String.fromCharCode(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8], b[p + 9], b[p + 10], b[p + 11], b[p + 12], b[p + 13], b[p + 14], b[p + 15], b[p + 16], b[p + 17], b[p + 18]);
    case 20: return String.fromCharCode(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8], b[p + 9], b[p + 10], b[p + 11], b[p + 12], b[p + 13], b[p + 14], b[p + 15], b[p + 16], b[p + 17], b[p + 18], b[p + 19]);
    default: return b.toString('latin1', p, p + n);
  }
}

/**
 * Command names, interned: the first argument of a request is almost always one of a few
 * spellings ("GET", "set", ...), so it is taken from this table when the bytes match exactly,
 * instead of a new string per request. That skips a C++ call and, since V8 keeps a string's hash
 * in the string, the rehash of the name on each command-table lookup. Keyed by a hash of the
 * bytes; a colliding name simply replaces the entry (a client sending many names only misses).
 * Only the exact bytes are matched, so MONITOR and error texts still see what the client sent.
 */
const NAME_MAX = 24;
const NAME_SLOTS = 256;
const names: string[] = new Array<string>(NAME_SLOTS).fill('');

function commandName(buf: Buffer, start: number, n: number): string {
  let h = n;
  for (let i = start, end = start + n; i < end; i++) h = (Math.imul(h, 31) + buf[i]) | 0;
  const slot = h & (NAME_SLOTS - 1);
  const known = names[slot];
  if (known.length === n) {
    let i = 0;
    while (i < n && known.charCodeAt(i) === buf[start + i]) i++;
    if (i === n) return known;
  }
  const s = latin1(buf, start, start + n);
  names[slot] = s;
  return s;
}

export class RequestParser {
  /** Bytes received and not yet consumed are buf[pos, len). */
  private buf: Buffer = EMPTY;
  private pos = 0;
  private len = 0;
  /** True when `buf` is our own allocation (free space after `len` may be written into). */
  private owned = false;
  /** Multibulk state: the command under construction and how many arguments it still needs. */
  private argv: string[] | null = null;
  private argsLeft = 0;
  /** arguments of the current request received so far */
  private argc = 0;
  /** Length of the bulk whose header was read, or -1. */
  private bulkLen = -1;
  /** A big bulk (payload plus CRLF) being collected into its own buffer. */
  private big: Buffer | null = null;
  private bigWant = 0;
  private bigFilled = 0;
  /** Bytes after `pos` already searched without finding the terminator (resumes the search). */
  private scanned = 0;
  /** A NUL byte precedes the terminator: this request can never complete (Redis uses strchr). */
  private stalled = false;
  dead = false;

  constructor(private readonly limits: ParserLimits) {}

  /** Bytes held but not yet consumed (the query buffer, for limits and CLIENT LIST qbuf). */
  get pending(): number {
    return this.len - this.pos + this.bigFilled;
  }

  /** Appends the first `n` bytes of a chunk. Call `next()` until it returns null. */
  feed(chunk: Buffer, n = chunk.length): void {
    if (this.dead || n === 0) return;
    if (this.pos >= this.len && this.big === null) {
      // Nothing pending: parse straight out of the chunk (no copy).
      this.buf = chunk;
      this.pos = 0;
      this.len = n;
      this.owned = false;
      return;
    }
    if (n !== chunk.length) chunk = chunk.subarray(0, n);
    if (this.big !== null) {
      chunk = this.fillBig(chunk);
      if (chunk.length === 0) return;
    }
    if (this.pos >= this.len) {
      // Nothing pending: parse straight out of the chunk (no copy).
      this.buf = chunk;
      this.pos = 0;
      this.len = chunk.length;
      this.owned = false;
      return;
    }
    const tail = this.len - this.pos;
    const need = tail + chunk.length;
    if (this.owned && this.buf.length - this.len >= chunk.length) {
      chunk.copy(this.buf, this.len);
      this.len += chunk.length;
      return;
    }
    const next = Buffer.allocUnsafe(Math.max(need * 2, 16 * 1024));
    this.buf.copy(next, 0, this.pos, this.len);
    chunk.copy(next, tail);
    this.buf = next;
    this.pos = 0;
    this.len = need;
    this.owned = true;
  }

  /** Moves bytes into the big bulk; returns what is left of the chunk once the bulk is complete. */
  private fillBig(chunk: Buffer): Buffer {
    let big = this.big!;
    const take = Math.min(this.bigWant - this.bigFilled, chunk.length);
    if (this.bigFilled + take > big.length) {
      const grown = Buffer.allocUnsafe(Math.min(this.bigWant, Math.max(big.length * 2, this.bigFilled + take)));
      big.copy(grown, 0, 0, this.bigFilled);
      this.big = big = grown;
    }
    chunk.copy(big, this.bigFilled, 0, take);
    this.bigFilled += take;
    return take === chunk.length ? EMPTY : chunk.subarray(take);
  }

  /**
   * Turns a fully received big bulk into an argument. Done by next(), not feed(), so the bulk still
   * counts in `pending` when the connection checks the query-buffer limit right after feeding, as
   * Redis checks its query buffer before parsing it.
   */
  private finishBig(): boolean {
    if (this.bigFilled < this.bigWant) return false;
    // Like Redis, the two bytes after the payload are skipped without being checked.
    const arg = this.big!.toString('latin1', 0, this.bigWant - 2);
    this.big = null;
    this.bigFilled = 0;
    this.pushArg(arg);
    return true;
  }

  /**
   * Index of the first `byte` after `pos`, or -1 when the buffer ends first or a NUL byte comes
   * first (Redis searches its query buffer with strchr, which stops at NUL). The search resumes
   * where the previous one stopped, so a header or line trickling in byte by byte costs linear time.
   */
  private lineEnd(byte: number): number {
    if (this.stalled) return -1;
    const buf = this.buf;
    const end = this.len;
    for (let i = this.pos + this.scanned; i < end; i++) {
      const c = buf[i];
      if (c === byte) return i;
      if (c === 0) {
        this.stalled = true;
        return -1;
      }
    }
    this.scanned = end - this.pos;
    return -1;
  }

  /** Moves to the next element of the request; the terminator search starts afresh there. */
  private advance(to: number): void {
    this.pos = to;
    this.scanned = 0;
    this.stalled = false;
  }

  private pushArg(s: string): void {
    const argv = this.argv!;
    argv[this.argc++] = s;
    this.argsLeft--;
    this.bulkLen = -1;
  }

  /** Returns the next complete command, a ProtocolError, or null when more bytes are needed. */
  next(): ParseResult | null {
    if (this.dead) return null;
    const buf = this.buf;
    const len = this.len;
    for (;;) {
      if (this.big !== null && !this.finishBig()) return null;
      if (this.argv !== null && this.argsLeft === 0) {
        const argv = this.argv;
        this.argv = null;
        return argv;
      }
      let pos = this.pos;
      if (pos >= len) {
        this.release();
        return null;
      }
      if (this.argv === null) {
        if (buf[pos] !== 42 /* '*' */) {
          const r = this.parseInline();
          if (r === null || r instanceof ProtocolError) return r;
          if (r.length === 0) continue; // empty line: ignored
          return r;
        }
        const cr = this.lineEnd(CR);
        if (cr < 0) {
          if (len - pos > PROTO_INLINE_MAX_SIZE) return this.fail('Protocol error: too big mbulk count string');
          return null;
        }
        if (cr + 1 >= len) return null; // the byte after CR has not arrived
        const n = parseRespInt(buf, pos + 1, cr);
        if (Number.isNaN(n) || n > 2147483647) return this.fail('Protocol error: invalid multibulk length');
        if (n > 10 && this.limits.unauthenticated) return this.fail('Protocol error: unauthenticated multibulk length');
        this.advance(cr + 2);
        if (n <= 0) continue; // "*0" and "*-1" are empty requests, ignored like Redis
        // sized to the count, up to PREALLOC_ARGS (a claimed count allocates nothing more until
        // its arguments arrive, as Redis caps its argv preallocation): an empty array's first
        // push would reserve 17 slots
        this.argv = new Array<string>(n < PREALLOC_ARGS ? n : PREALLOC_ARGS);
        this.argc = 0;
        this.argsLeft = n;
        continue;
      }
      if (this.bulkLen < 0) {
        const cr = this.lineEnd(CR);
        if (cr < 0) {
          if (len - pos > PROTO_INLINE_MAX_SIZE) return this.fail('Protocol error: too big bulk count string');
          return null;
        }
        if (cr + 1 >= len) return null;
        if (buf[pos] !== 36 /* '$' */) {
          // CR/LF in the reply text become spaces (Reply.error), as Redis maps them.
          return this.fail(`Protocol error: expected '$', got '${String.fromCharCode(buf[pos])}'`);
        }
        const bl = parseRespInt(buf, pos + 1, cr);
        if (Number.isNaN(bl) || bl < 0 || bl > this.limits.maxBulkLen || bl > MAX_ARG_LENGTH) {
          return this.fail('Protocol error: invalid bulk length');
        }
        if (bl > 16384 && this.limits.unauthenticated) return this.fail('Protocol error: unauthenticated bulk length');
        this.advance(cr + 2);
        pos = cr + 2;
        this.bulkLen = bl;
        const avail = len - pos;
        if (bl >= BIG_ARG && avail < bl + 2) {
          // Collect the rest of this bulk into its own buffer, sized to what has arrived.
          this.bigWant = bl + 2;
          this.big = Buffer.allocUnsafe(Math.min(this.bigWant, Math.max(BIG_INITIAL, avail)));
          buf.copy(this.big, 0, pos, len);
          this.bigFilled = avail;
          this.advance(len);
          return null;
        }
      }
      const bl = this.bulkLen;
      if (len - pos < bl + 2) return null;
      const s = bl <= NAME_MAX && this.argc === 0 && bl !== 0 ? commandName(buf, pos, bl) : latin1(buf, pos, pos + bl);
      this.advance(pos + bl + 2);
      this.pushArg(s);
    }
  }

  private parseInline(): ParseResult | null {
    const buf = this.buf;
    const start = this.pos;
    const nl = this.lineEnd(LF);
    if (nl < 0) {
      if (this.len - start > PROTO_INLINE_MAX_SIZE) return this.fail('Protocol error: too big inline request');
      return null;
    }
    const end = nl > start && buf[nl - 1] === CR ? nl - 1 : nl;
    this.advance(nl + 1);
    const args = splitArgs(buf.toString('latin1', start, end));
    if (args === null) return this.fail('Protocol error: unbalanced quotes in request');
    return args;
  }

  /**
   * Makes the parser independent of the chunks given to feed(): the connection reads into one
   * reused buffer, so unconsumed bytes still pointing into it are copied out (usually a short tail
   * of a split request, or nothing).
   */
  detach(): void {
    if (this.owned) return;
    if (this.pos >= this.len) {
      this.release();
      return;
    }
    const tail = this.len - this.pos;
    // sized to the tail, not a fixed 16 KB: thousands of idle peers each holding a partial request
    // (one byte is enough) must not each cost a full I/O buffer
    const copy = Buffer.allocUnsafe(Math.max(tail * 2, 256));
    this.buf.copy(copy, 0, this.pos, this.len);
    this.buf = copy;
    this.pos = 0;
    this.len = tail;
    this.owned = true;
  }

  /** Drops a fully consumed buffer so a large chunk is not kept alive by a small tail. */
  private release(): void {
    this.buf = EMPTY;
    this.advance(0);
    this.len = 0;
    this.owned = false;
  }

  private fail(msg: string): ProtocolError {
    this.dead = true;
    this.release();
    this.argv = null;
    this.big = null;
    this.bigFilled = 0;
    this.bulkLen = -1;
    return new ProtocolError(msg);
  }
}
