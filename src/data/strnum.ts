/*
 * Numbers stored in strings: 64-bit integer arithmetic for INCR and friends, and an exact model of
 * the x87 80-bit `long double` that Redis uses for INCRBYFLOAT.
 *
 * Why emulate long double: Redis parses with strtold, adds in extended precision and prints with
 * "%.17Lf" minus trailing zeros. With JS doubles 10.5 + 0.1 prints as 10.59999999999999964, whereas
 * Redis answers 10.6. So a value here is `m * 2^e` with a 64-bit significand m (BigInt), rounded to
 * nearest-even exactly as the FPU rounds, with the same exponent range (normal numbers down to
 * 2^-16382, subnormals down to 2^-16445, overflow at 2^16384). This is the slow path by design:
 * INCRBYFLOAT is rare next to GET/SET/INCR, and exactness is what makes replies byte-identical.
 *
 * Invariants: an `LDouble` is finite and normalised (m < 2^64; m >= 2^63 unless subnormal; m = 0n
 * means zero). Infinity never appears in an LDouble: the functions return null instead, and the
 * callers turn that into Redis's errors.
 */

export interface LDouble {
  neg: boolean;
  m: bigint;
  e: number;
}

const MANT_BITS = 64;
/** exponent of the least significant bit of the smallest subnormal */
const MIN_E = -16445;
/** a value whose bit length plus exponent exceeds this is >= 2^16384: overflow */
const MAX_EXP = 16384;
/** MAX_LONG_DOUBLE_CHARS in Redis: inputs this long or longer are refused */
const MAX_LD_CHARS = 5 * 1024;

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/** Divides n by 2^s rounding to nearest, ties to even (s > 0). */
function shiftRoundEven(n: bigint, s: number): bigint {
  const bs = BigInt(s);
  const q = n >> bs;
  const r = n - (q << bs);
  const half = 1n << (bs - 1n);
  if (r > half || (r === half && (q & 1n) === 1n)) return q + 1n;
  return q;
}

/** Rounds num/den (both > 0) to a long double; null on overflow. */
function roundRational(neg: boolean, num: bigint, den: bigint): LDouble | null {
  if (den === 1n) return roundBinary(neg, num, 0);
  // enough quotient bits that the rounding bit is exact, plus a sticky bit for the remainder
  const k = Math.max(0, bitLength(den) - bitLength(num) + 68);
  const n = num << BigInt(k);
  const q = n / den;
  const sticky = q * den === n ? 0n : 1n;
  return roundBinary(neg, (q << 1n) | sticky, -k - 1);
}

/** Rounds the exact value (-1)^neg * n * 2^e to a long double; null on overflow. */
function roundBinary(neg: boolean, n: bigint, e: number): LDouble | null {
  if (n === 0n) return { neg, m: 0n, e: 0 };
  const bl = bitLength(n);
  let shift = bl - MANT_BITS;
  if (e + shift < MIN_E) shift = MIN_E - e;
  if (shift > 0) {
    n = shiftRoundEven(n, shift);
    e += shift;
    if (n === 1n << 64n) {
      n = 1n << 63n;
      e++;
    }
  } else if (shift < 0 && n !== 0n) {
    // widen to a normalised significand (exact)
    n <<= BigInt(-shift);
    e += shift;
  }
  if (n === 0n) return { neg, m: 0n, e: 0 };
  if (bitLength(n) + e > MAX_EXP) return null;
  return { neg, m: n, e };
}

export function ldFromInteger(v: bigint): LDouble {
  const neg = v < 0n;
  return roundBinary(neg, neg ? -v : v, 0)!;
}

const DEC_RE = /^([+-]?)(?:(\d+)\.?(\d*)|\.(\d+))(?:[eE]([+-]?\d+))?$/;
const HEX_RE = /^([+-]?)0[xX](?:([0-9a-fA-F]+)\.?([0-9a-fA-F]*)|\.([0-9a-fA-F]+))(?:[pP]([+-]?\d+))?$/;
const INF_RE = /^[+-]?(?:inf|infinity)$/i;

function isCSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/**
 * Parses like Redis's string2ld: the whole argument must be one strtold number (so a NUL byte
 * anywhere refuses it), no leading white space, no NaN, no overflow, no underflow to zero.
 * Returns the value, 'inf' / '-inf' for infinities, or null when Redis says "not a valid float".
 */
export function parseLongDouble(s: string): LDouble | 'inf' | '-inf' | null {
  if (s.length === 0 || s.length >= MAX_LD_CHARS) return null;
  if (isCSpace(s.charCodeAt(0))) return null;
  if (INF_RE.test(s)) return s.charCodeAt(0) === 45 ? '-inf' : 'inf';
  let m = DEC_RE.exec(s);
  if (m !== null) {
    const neg = m[1] === '-';
    const intPart = m[2] ?? '';
    const frac = m[2] !== undefined ? m[3] : m[4];
    let digits = (intPart + frac).replace(/^0+/, '');
    let exp10 = -frac.length;
    if (m[5] !== undefined) {
      // an absurd exponent only matters through its sign once it is far outside the range
      const x = Number(m[5]);
      exp10 += Math.max(-100000, Math.min(100000, x));
    }
    if (digits.length === 0) return { neg, m: 0n, e: 0 };
    const trimmed = digits.replace(/0+$/, '');
    exp10 += digits.length - trimmed.length;
    digits = trimmed;
    const magnitude = exp10 + digits.length; // value < 10^magnitude
    if (magnitude > 4934) return null; // overflow: strtold gives HUGE_VALL with ERANGE
    if (magnitude < -4960) return null; // underflows to zero with ERANGE
    const d = BigInt(digits);
    const r = exp10 >= 0 ? roundRational(neg, d * 10n ** BigInt(exp10), 1n) : roundRational(neg, d, 10n ** BigInt(-exp10));
    if (r === null || r.m === 0n) return null;
    return r;
  }
  m = HEX_RE.exec(s);
  if (m !== null) {
    const neg = m[1] === '-';
    const intPart = m[2] ?? '';
    const frac = m[2] !== undefined ? m[3] : m[4];
    const hex = (intPart + frac).replace(/^0+/, '');
    let exp2 = -4 * frac.length;
    if (m[5] !== undefined) exp2 += Math.max(-100000, Math.min(100000, Number(m[5])));
    if (hex.length === 0) return { neg, m: 0n, e: 0 };
    if (exp2 + 4 * hex.length > MAX_EXP + 4) return null;
    if (exp2 + 4 * hex.length < MIN_E - 8) return null;
    const r = roundBinary(neg, BigInt('0x' + hex), exp2);
    if (r === null || r.m === 0n) return null;
    return r;
  }
  return null;
}

/** a + b rounded to long double; null when the sum overflows to infinity. */
export function ldAdd(a: LDouble, b: LDouble): LDouble | null {
  if (a.m === 0n) return b.m === 0n ? { neg: a.neg && b.neg, m: 0n, e: 0 } : b;
  if (b.m === 0n) return a;
  const e = Math.min(a.e, b.e);
  const x = a.m << BigInt(a.e - e);
  const y = b.m << BigInt(b.e - e);
  const sx = a.neg ? -x : x;
  const sy = b.neg ? -y : y;
  const sum = sx + sy;
  if (sum === 0n) return { neg: false, m: 0n, e: 0 };
  return roundBinary(sum < 0n, sum < 0n ? -sum : sum, e);
}

const TEN17 = 10n ** 17n;

/**
 * Formats as Redis's "human friendly" long double: printf("%.17Lf") with trailing zeros and a
 * trailing '.' removed, and "-0" shown as "0".
 */
export function formatLongDoubleHuman(v: LDouble): string {
  let s: string;
  if (v.m === 0n) {
    s = '0';
  } else if (v.e >= 0) {
    s = (v.m << BigInt(v.e)).toString();
  } else {
    // scale to 17 decimals, rounding to nearest with ties to even like glibc's printf
    const scaled = shiftRoundEven(v.m * TEN17, -v.e);
    const ip = scaled / TEN17;
    const fp = (scaled % TEN17).toString().padStart(17, '0').replace(/0+$/, '');
    s = fp.length === 0 ? ip.toString() : ip.toString() + '.' + fp;
  }
  if (v.neg && s !== '0') s = '-' + s;
  return s;
}

/* ------------------------------------------------------------------ 64-bit integers */

export const LLONG_MAX_N = 9223372036854775807n;
export const LLONG_MIN_N = -9223372036854775808n;

/**
 * Parses a string2ll integer. Short inputs (the common case) become a JS number with no allocation;
 * inputs of 16+ characters become a bigint (exact); null when Redis would refuse it.
 */
export function parseInt64(s: string): number | bigint | null {
  const n = s.length;
  if (n === 0 || n > 20) return null;
  let i = 0;
  let neg = false;
  if (s.charCodeAt(0) === 45) {
    if (n === 1) return null;
    neg = true;
    i = 1;
  }
  const first = s.charCodeAt(i);
  if (first === 48) return n === 1 ? 0 : null;
  if (first < 49 || first > 57) return null;
  if (n < 16) {
    let v = first - 48;
    for (let j = i + 1; j < n; j++) {
      const c = s.charCodeAt(j) - 48;
      if (c < 0 || c > 9) return null;
      v = v * 10 + c;
    }
    return neg ? -v : v;
  }
  for (let j = i + 1; j < n; j++) {
    const c = s.charCodeAt(j);
    if (c < 48 || c > 57) return null;
  }
  const b = BigInt(s);
  if (b > LLONG_MAX_N || b < LLONG_MIN_N) return null;
  return b;
}

/**
 * value + incr with Redis's overflow rule; returns null on signed 64-bit overflow. Stays on plain
 * numbers while the result is a safe integer.
 */
export function addInt64(value: number | bigint, incr: number | bigint): number | bigint | null {
  if (typeof value === 'number' && typeof incr === 'number') {
    const r = value + incr;
    if (Number.isSafeInteger(r)) return r;
  }
  const r = BigInt(value) + BigInt(incr);
  if (r > LLONG_MAX_N || r < LLONG_MIN_N) return null;
  return r >= -9007199254740991n && r <= 9007199254740991n ? Number(r) : r;
}
