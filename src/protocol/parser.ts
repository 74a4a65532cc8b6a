/*
 * Streaming RESP request parser.
 *
 * Design: the connection feeds raw chunks; the parser yields complete commands (argument vectors of
 * latin1 strings, one character per byte, so every byte value round-trips) as soon as they are
 * complete, and keeps any partial tail for the next chunk. It understands both request forms Redis
 * accepts: multibulk (`*N\r\n$len\r\n...`) and inline (a line of space-separated, optionally quoted
 * words, as typed in telnet).
 *
 * Invariants:
 *  - No input can throw: a malformed request yields a ProtocolError carrying Redis's exact text, and
 *    the parser is then dead (the connection must reply and close, as Redis does).
 *  - Buffered bytes are bounded by the caller-checked query-buffer limit; a single large bulk is
 *    collected into one preallocated buffer (no quadratic concatenation).
 *  - Limits that depend on authentication (10 args / 16 KB per arg before AUTH) are read through
 *    the `limits` object at the moment each header is parsed, exactly where Redis checks them.
 */

export const PROTO_INLINE_MAX_SIZE = 64 * 1024;
/** Bulks at least this large are collected into a dedicated buffer instead of re-concatenating. */
const BIG_ARG = 32 * 1024;

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

function parseIntStrict(buf: Buffer, start: number, end: number): number {
  // Redis's string2ll: optional '-', digits, no leading '+', no spaces; returns NaN on failure.
  if (start >= end || end - start > 20) return NaN;
  let i = start;
  let neg = false;
  if (buf[i] === 45) {
    neg = true;
    i++;
    if (i === end) return NaN;
  }
  if (buf[i] === 48 && end - i > 1) return NaN; // leading zero
  let v = 0;
  for (; i < end; i++) {
    const c = buf[i] - 48;
    if (c < 0 || c > 9) return NaN;
    v = v * 10 + c;
  }
  if (v > Number.MAX_SAFE_INTEGER) return NaN;
  return neg ? -v : v;
}

/** Splits an inline request line the way Redis's sdssplitargs does; null on unbalanced quotes. */
export function splitInlineArgs(line: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  const n = line.length;
  const isSpace = (c: string) => c === ' ' || c === '\n' || c === '\r' || c === '\t' || c === '\v' || c === '\f';
  const isHex = (c: string) => /[0-9a-fA-F]/.test(c);
  while (true) {
    while (i < n && isSpace(line[i])) i++;
    if (i >= n) return out;
    let inq = false; // double quotes
    let insq = false; // single quotes
    let done = false;
    let cur = '';
    while (!done) {
      const c = i < n ? line[i] : '';
      if (inq) {
        if (c === '') return null;
        if (c === '\\' && line[i + 1] === 'x' && i + 3 < n + 0 && isHex(line[i + 2] ?? '') && isHex(line[i + 3] ?? '')) {
          cur += String.fromCharCode(parseInt(line.substr(i + 2, 2), 16));
          i += 3;
        } else if (c === '\\' && i + 1 < n) {
          i++;
          const e = line[i];
          cur += e === 'n' ? '\n' : e === 'r' ? '\r' : e === 't' ? '\t' : e === 'b' ? '\b' : e === 'a' ? '\x07' : e;
        } else if (c === '"') {
          // closing quote must be followed by a space or nothing
          if (i + 1 < n && !isSpace(line[i + 1])) return null;
          done = true;
        } else {
          cur += c;
        }
      } else if (insq) {
        if (c === '') return null;
        if (c === '\\' && line[i + 1] === "'") {
          i++;
          cur += "'";
        } else if (c === "'") {
          if (i + 1 < n && !isSpace(line[i + 1])) return null;
          done = true;
        } else {
          cur += c;
        }
      } else {
        if (c === '' || isSpace(c)) {
          done = true;
        } else if (c === '"') {
          inq = true;
        } else if (c === "'") {
          insq = true;
        } else {
          cur += c;
        }
      }
      if (i < n) i++;
    }
    out.push(cur);
  }
}

export class RequestParser {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  /** multibulk state: remaining args of the command under construction */
  private argv: string[] | null = null;
  private argsLeft = 0;
  /** length of the bulk whose header was read, or -1 */
  private bulkLen = -1;
  /** dedicated buffer for a big bulk being collected */
  private big: Buffer | null = null;
  private bigFilled = 0;
  dead = false;

  constructor(private readonly limits: ParserLimits) {}

  /** Bytes held but not yet consumed (the query buffer, for limits and CLIENT LIST qbuf). */
  get pending(): number {
    return this.buf.length - this.pos + this.bigFilled;
  }

  /** Appends a chunk. Call `next()` until it returns null. */
  feed(chunk: Buffer): void {
    if (this.big !== null) {
      const want = this.big.length - this.bigFilled;
      const take = Math.min(want, chunk.length);
      chunk.copy(this.big, this.bigFilled, 0, take);
      this.bigFilled += take;
      chunk = chunk.subarray(take);
      if (this.bigFilled === this.big.length) {
        const b = this.big;
        this.big = null;
        this.bigFilled = 0;
        if (b[b.length - 2] !== 13 || b[b.length - 1] !== 10) {
          // Redis does not validate the trailing CRLF content, it just skips two bytes.
        }
        this.pushArg(b.toString('latin1', 0, b.length - 2));
      }
      if (chunk.length === 0) return;
    }
    if (this.pos >= this.buf.length) {
      this.buf = chunk;
      this.pos = 0;
    } else {
      this.buf = Buffer.concat([this.buf.subarray(this.pos), chunk]);
      this.pos = 0;
    }
  }

  private pushArg(s: string): void {
    this.argv!.push(s);
    this.argsLeft--;
    this.bulkLen = -1;
  }

  /** Returns the next complete command, a ProtocolError, or null when more bytes are needed. */
  next(): ParseResult | null {
    if (this.dead) return null;
    const buf = this.buf;
    while (true) {
      if (this.big !== null) return null;
      if (this.argv !== null && this.argsLeft === 0) {
        const argv = this.argv;
        this.argv = null;
        return argv;
      }
      if (this.pos >= buf.length) {
        this.release();
        return null;
      }
      if (this.argv === null) {
        if (buf[this.pos] === 42 /* '*' */) {
          const nl = buf.indexOf(13, this.pos);
          if (nl < 0 || nl + 1 >= buf.length) {
            if (buf.length - this.pos > PROTO_INLINE_MAX_SIZE) return this.fail('Protocol error: too big mbulk count string');
            return null;
          }
          if (nl - this.pos > PROTO_INLINE_MAX_SIZE) return this.fail('Protocol error: too big mbulk count string');
          const n = parseIntStrict(buf, this.pos + 1, nl);
          if (Number.isNaN(n) || n > 2147483647) return this.fail('Protocol error: invalid multibulk length');
          if (n > 10 && this.limits.unauthenticated) return this.fail('Protocol error: unauthenticated multibulk length');
          this.pos = nl + 2;
          if (n <= 0) continue; // empty request, ignored like Redis
          this.argv = [];
          this.argsLeft = n;
          continue;
        }
        const r = this.parseInline();
        if (r === null) return null;
        if (r instanceof ProtocolError) return r;
        if (r.length === 0) continue;
        return r;
      }
      // inside a multibulk: bulk header then payload
      if (this.bulkLen < 0) {
        const nl = buf.indexOf(13, this.pos);
        if (nl < 0 || nl + 1 >= buf.length) {
          if (buf.length - this.pos > PROTO_INLINE_MAX_SIZE) return this.fail('Protocol error: too big bulk count string');
          return null;
        }
        if (nl - this.pos > PROTO_INLINE_MAX_SIZE) return this.fail('Protocol error: too big bulk count string');
        if (buf[this.pos] !== 36 /* '$' */) {
          return this.fail(`Protocol error: expected '$', got '${String.fromCharCode(buf[this.pos])}'`);
        }
        const len = parseIntStrict(buf, this.pos + 1, nl);
        if (Number.isNaN(len) || len < 0 || len > this.limits.maxBulkLen) return this.fail('Protocol error: invalid bulk length');
        if (len > 16384 && this.limits.unauthenticated) return this.fail('Protocol error: unauthenticated bulk length');
        this.pos = nl + 2;
        this.bulkLen = len;
        const avail = buf.length - this.pos;
        if (len >= BIG_ARG && avail < len + 2) {
          // Collect the rest of this bulk into its own buffer.
          this.big = Buffer.allocUnsafe(len + 2);
          buf.copy(this.big, 0, this.pos, buf.length);
          this.bigFilled = avail;
          this.pos = buf.length;
          return null;
        }
      }
      const len = this.bulkLen;
      if (buf.length - this.pos < len + 2) return null;
      const s = buf.toString('latin1', this.pos, this.pos + len);
      this.pos += len + 2;
      this.pushArg(s);
    }
  }

  private parseInline(): ParseResult | null {
    const buf = this.buf;
    const nl = buf.indexOf(10, this.pos);
    if (nl < 0) {
      if (buf.length - this.pos > PROTO_INLINE_MAX_SIZE) return this.fail('Protocol error: too big inline request');
      return null;
    }
    let end = nl;
    if (end > this.pos && buf[end - 1] === 13) end--;
    const line = buf.toString('latin1', this.pos, end);
    this.pos = nl + 1;
    const args = splitInlineArgs(line);
    if (args === null) return this.fail('Protocol error: unbalanced quotes in request');
    return args;
  }

  private release(): void {
    if (this.buf.length !== 0) {
      this.buf = Buffer.alloc(0);
      this.pos = 0;
    }
  }

  private fail(msg: string): ProtocolError {
    this.dead = true;
    this.release();
    this.argv = null;
    this.big = null;
    return new ProtocolError(msg);
  }
}
