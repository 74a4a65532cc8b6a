/*
 * Reply encoder: RESP2 and RESP3.
 *
 * Design: replies are appended to a latin1 string (V8 builds it as a rope, so appends are cheap) and
 * the connection flushes the whole batch with one socket write at the end of each input chunk; one
 * syscall serves a whole pipeline. Every type that differs between the protocol versions (null, map,
 * set, double, boolean, verbatim, push) is decided here and nowhere else, from `resp`.
 *
 * Invariant: strings handed to this class are byte strings (one char per byte, latin1); the
 * connection writes them with latin1 encoding, so binary values round-trip.
 */

/**
 * Formats like C's printf("%.17g"), which Redis 7.0 uses for doubles in replies (every score of
 * ZRANGE ... WITHSCORES goes through here). Integers and numbers printed in %g's fixed style take a
 * short path; formatDouble17gGeneral is the whole rule.
 */
export function formatDouble17g(d: number): string {
  // integers up to 2^53 print as themselves (String() shortens larger ones; -0 goes the general way)
  if (Number.isSafeInteger(d) && d !== 0) return String(d);
  const a = d < 0 ? -d : d;
  if (a >= 1e-4 && a < 1e17) {
    // a short exact value (12.5, 0.375): printf shows all of it, as the shortest form does
    const short = shortExact(d);
    if (short !== null) return short;
    // 17 significant digits in fixed notation (toPrecision uses it for exponents -6..16, and
    // rounds exactly, as glibc does; below 1e17 no value rounds up to %g's exponent style),
    // then %g's removal of trailing zeros
    const s = fixed17(d);
    if (s.indexOf('.') < 0) return s;
    let end = s.length;
    while (s.charCodeAt(end - 1) === 48 /* 0 */) end--;
    if (s.charCodeAt(end - 1) === 46 /* . */) end--;
    return end === s.length ? s : s.slice(0, end);
  }
  return formatDouble17gGeneral(d);
}

const POW5: number[] = [1];
for (let i = 1; i <= 22; i++) POW5.push(POW5[i - 1] * 5);

/**
 * String(d) when that text is d's exact value with at most 15 significant digits, else null. The
 * shortest round-trip form is then printf's too: a decimal with at most 15 digits is exact in
 * binary only if its digits without the point, N, are a multiple of 5^f (f fractional digits), and
 * no other decimal of 17 or fewer digits is closer. For 1e-4 <= |d| < 1e17, where String() uses
 * fixed notation as %g does.
 */
function shortExact(d: number): string | null {
  const s = String(d);
  let n = 0;
  let digits = 0;
  let frac = -1;
  for (let i = d < 0 ? 1 : 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 46 /* . */) {
      frac = 0;
      continue;
    }
    if (c < 48 || c > 57) return null; // an exponent: not this form
    if (n !== 0 || c !== 48) digits++;
    if (digits > 15) return null;
    n = n * 10 + (c - 48);
    if (frac >= 0) frac++;
  }
  if (frac <= 0) return s;
  return frac <= 22 && n % POW5[frac] === 0 ? s : null;
}

/**
 * 17 significant digits of 1e-4 <= |d| < 1e17 in fixed notation, rounded as glibc's printf rounds:
 * to nearest, an exact tie to even. toPrecision rounds an exact tie away from zero, so ties are
 * found and redone. (Ties happen: 208333924497937.625 has exactly 18 digits; glibc prints
 * ...937.62, toPrecision ...937.63.) In this range a double has at most 100 significant digits,
 * so toPrecision(100) is its exact value.
 */
function fixed17(d: number): string {
  const s = d.toPrecision(17);
  const t = d.toPrecision(18);
  if (t.charCodeAt(t.length - 1) !== 53 /* 5 */) return s;
  const exact = d.toPrecision(100);
  for (let i = t.length; i < exact.length; i++) if (exact.charCodeAt(i) !== 48 /* 0 */) return s;
  // an exact tie: keep the 17 digits when the last is even, else the rounded-up form
  let end = t.length - 1;
  let last = t.charCodeAt(end - 1);
  if (last === 46 /* . */) last = t.charCodeAt(end - 2);
  if ((last - 48) % 2 !== 0) return s;
  if (t.charCodeAt(end - 1) === 46) end--;
  return t.slice(0, end);
}

/**
 * d.toExponential(16) (17 significant digits) with exact ties rounded to even, as fixed17 does.
 * A tie needs d's exact value to end at the 18th digit; toExponential(100) shows 101 of them.
 */
function sci17(d: number): string {
  const s = d.toExponential(16);
  const t = d.toExponential(17);
  const te = t.indexOf('e');
  if (t.charCodeAt(te - 1) !== 53 /* 5 */) return s;
  const exact = d.toExponential(100);
  const xe = exact.indexOf('e');
  for (let i = te; i < xe; i++) if (exact.charCodeAt(i) !== 48 /* 0 */) return s;
  if ((t.charCodeAt(te - 2) - 48) % 2 !== 0) return s;
  return t.slice(0, te - 1) + t.slice(te);
}

/** printf("%.17g") for any double (the fixed-notation range goes through fixed17 first). */
function formatDouble17gGeneral(d: number): string {
  if (Number.isNaN(d)) return 'nan';
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  if (d === 0) return Object.is(d, -0) ? '-0' : '0';
  // the exponent after rounding to 17 digits decides the style: scientific when < -4 or >= 17
  let [mant, ex] = sci17(d).split('e');
  const e = Number(ex);
  if (e < -4 || e >= 17) {
    if (mant.includes('.')) mant = mant.replace(/0+$/, '').replace(/\.$/, '');
    const sign = ex[0] === '-' ? '-' : '+';
    let digits = ex.replace(/^[+-]/, '');
    if (digits.length < 2) digits = '0' + digits;
    return `${mant}e${sign}${digits}`;
  }
  let s = d.toFixed(Math.max(0, 16 - e));
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return s;
}

/*
 * '$<len>\r\n' headers for short bulk strings, built once: '$' + n + '\r\n' converts the number
 * and allocates two intermediate strings per element, which dominates long array replies.
 */
const BULK_HEADER_CACHE = 1024;
const BULK_HEADERS: string[] = [];
for (let i = 0; i < BULK_HEADER_CACHE; i++) BULK_HEADERS.push('$' + i + '\r\n');

/** The RESP bulk header for a string of n bytes. */
export function bulkHeader(n: number): string {
  return n < BULK_HEADER_CACHE ? BULK_HEADERS[n] : '$' + n + '\r\n';
}

/** A whole RESP bulk string (header, bytes, CRLF). */
export function encodeBulk(s: string): string {
  const n = s.length;
  return (n < BULK_HEADER_CACHE ? BULK_HEADERS[n] : '$' + n + '\r\n') + s + '\r\n';
}

/*
 * Long replies (LRANGE 0 599, a big SMEMBERS) are encoded as bytes into one scratch buffer and
 * turned into a single flat string, instead of one string append per element. Appending makes a
 * rope node per element, and while a pipeline's replies wait for their write those nodes are alive:
 * each young-generation collection then copies them all, which measured as half the server's CPU
 * on LRANGE_600 at pipeline 16. Building the bytes leaves one string per reply and no garbage.
 * The scratch buffer is shared: a builder is started and finished inside one synchronous call.
 */
const SCRATCH_MIN = 64 * 1024;
/** above this a finished reply gives its scratch space back rather than keeping it */
const SCRATCH_KEEP = 1024 * 1024;
/** strings longer than this are copied by Buffer#latin1Write rather than char by char */
const COPY_NATIVE = 48;
const BULK_HEADER_BYTES: Uint8Array[] = BULK_HEADERS.map((h) => Buffer.from(h, 'latin1'));

type ScratchBuffer = Buffer & { latin1Slice(start: number, end: number): string; latin1Write(s: string, offset: number, length: number): number };
let scratch = Buffer.allocUnsafe(SCRATCH_MIN) as ScratchBuffer;
let scratchPos = 0;

function scratchRoom(n: number): void {
  if (scratchPos + n <= scratch.length) return;
  const grown = Buffer.allocUnsafe(Math.max(scratch.length * 2, scratchPos + n)) as ScratchBuffer;
  scratch.copy(grown, 0, 0, scratchPos);
  scratch = grown;
}

function scratchAscii(t: string): void {
  scratchRoom(t.length);
  const b = scratch;
  let p = scratchPos;
  for (let i = 0; i < t.length; i++) b[p++] = t.charCodeAt(i);
  scratchPos = p;
}

/** Builds `prefix` + n elements, one bulk string each, as one flat string (see above). */
export class BulkArrayBuilder {
  /** Starts a reply: `header` is its aggregate header ('*600\r\n', a RESP3 set's '~3\r\n'). */
  static begin(header: string): void {
    scratchPos = 0;
    scratchAscii(header);
  }

  /** Appends one bulk string. */
  static bulk(s: string): void {
    const n = s.length;
    if (n < BULK_HEADER_CACHE) {
      const h = BULK_HEADER_BYTES[n];
      scratchRoom(h.length + n + 2);
      const b = scratch;
      let p = scratchPos;
      for (let i = 0; i < h.length; i++) b[p++] = h[i];
      if (n <= COPY_NATIVE) {
        for (let i = 0; i < n; i++) b[p++] = s.charCodeAt(i);
      } else {
        p += b.latin1Write(s, p, n);
      }
      b[p++] = 13;
      b[p++] = 10;
      scratchPos = p;
      return;
    }
    scratchAscii('$' + n + '\r\n');
    scratchRoom(n + 2);
    scratchPos += scratch.latin1Write(s, scratchPos, n);
    scratch[scratchPos++] = 13;
    scratch[scratchPos++] = 10;
  }

  /** Appends bytes already encoded as RESP (ASCII). */
  static raw(t: string): void {
    scratchAscii(t);
  }

  /** The reply built since begin(), as one flat latin1 string. */
  static finish(): string {
    const out = scratch.latin1Slice(0, scratchPos);
    scratchPos = 0;
    if (scratch.length > SCRATCH_KEEP) scratch = Buffer.allocUnsafe(SCRATCH_MIN) as ScratchBuffer;
    return out;
  }
}

/** Arrays this long or longer are built with BulkArrayBuilder. */
export const BUILD_MIN = 16;

export class Reply {
  /** Pending output (latin1 byte string). */
  out = '';
  /** Protocol version of the connection: 2 or 3. */
  resp: 2 | 3 = 2;
  /** Observer of error replies (INFO errorstats); receives the full error text. */
  onError: ((msg: string) => void) | null = null;

  ok(): void {
    this.out += '+OK\r\n';
  }
  simple(s: string): void {
    this.out += '+' + s + '\r\n';
  }
  /** `msg` includes the error code, e.g. "ERR syntax error". CR/LF are replaced to keep framing. */
  error(msg: string): void {
    if (msg.indexOf('\r') >= 0 || msg.indexOf('\n') >= 0) msg = msg.replace(/[\r\n]/g, ' ');
    if (this.onError !== null) this.onError(msg);
    this.out += '-' + msg + '\r\n';
  }
  int(n: number | bigint): void {
    this.out += ':' + n + '\r\n';
  }
  bulk(s: string): void {
    this.out += encodeBulk(s);
  }
  /** A bulk reply or the protocol's null if s is null. */
  bulkOrNull(s: string | null | undefined): void {
    if (s == null) this.nullBulk();
    else this.out += encodeBulk(s);
  }
  nullBulk(): void {
    this.out += this.resp === 2 ? '$-1\r\n' : '_\r\n';
  }
  nullArray(): void {
    this.out += this.resp === 2 ? '*-1\r\n' : '_\r\n';
  }
  array(n: number): void {
    this.out += '*' + n + '\r\n';
  }
  /** Map header: n key/value pairs. RESP2 sends a flat array of 2n elements. */
  map(n: number): void {
    this.out += this.resp === 2 ? '*' + n * 2 + '\r\n' : '%' + n + '\r\n';
  }
  set(n: number): void {
    this.out += this.resp === 2 ? '*' + n + '\r\n' : '~' + n + '\r\n';
  }
  push(n: number): void {
    this.out += this.resp === 2 ? '*' + n + '\r\n' : '>' + n + '\r\n';
  }
  /** Double: bulk string in RESP2 (formatted as %.17g like Redis 7.0), ',' type in RESP3. */
  double(d: number): void {
    const s = formatDouble17g(d);
    if (this.resp === 2) this.bulk(s);
    else this.out += ',' + s + '\r\n';
  }
  bool(b: boolean): void {
    if (this.resp === 2) this.out += b ? ':1\r\n' : ':0\r\n';
    else this.out += b ? '#t\r\n' : '#f\r\n';
  }
  /** Verbatim string (RESP3 '=' with a 3-letter format) or a bulk in RESP2. */
  verbatim(s: string, format = 'txt'): void {
    if (this.resp === 2) this.bulk(s);
    else this.out += '=' + (s.length + 4) + '\r\n' + format + ':' + s + '\r\n';
  }
  bulkArray(items: readonly string[]): void {
    const n = items.length;
    if (n >= BUILD_MIN) {
      BulkArrayBuilder.begin('*' + n + '\r\n');
      for (let i = 0; i < n; i++) BulkArrayBuilder.bulk(items[i]);
      this.out += BulkArrayBuilder.finish();
      return;
    }
    let o = '*' + n + '\r\n';
    for (let i = 0; i < n; i++) o += encodeBulk(items[i]);
    this.out += o;
  }
  /** Appends bytes already encoded as RESP. */
  raw(s: string): void {
    this.out += s;
  }
  take(): string {
    const o = this.out;
    this.out = '';
    return o;
  }
}
