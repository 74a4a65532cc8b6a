/*
 * SORT's building blocks that do not depend on the command's control flow: how a sort weight is
 * read from a string (C strtod, as Redis 7.0 calls it), how BY/GET patterns are expanded into key
 * names (lookupKeyByPattern), and the three ways Redis compares two elements.
 *
 * Redis hands sds buffers to C string functions here, so some steps see a value only up to its
 * first NUL byte: the weight parse, the search for '*' and '->' in a pattern, and the ALPHA
 * comparison without STORE (strcoll in the C.UTF-8 locale Redis runs under, which is byte order).
 * Those steps apply `cstr` first; everything else is binary safe. Keeping these quirks is what
 * makes the replies byte-identical for unusual inputs.
 */

/** The C-string view of a byte string: up to its first NUL. */
export function cstr(s: string): string {
  const z = s.indexOf('\0');
  return z < 0 ? s : s.slice(0, z);
}

const MIN_NORMAL = 2.2250738585072014e-308;

function isCSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

const DECIMAL_RE = /^([+-]?)(\d+\.?\d*|\.\d+)(?:[eE]([+-]?\d+))?$/;
const HEX_RE = /^([+-]?)0[xX](?=\.?[0-9a-fA-F])([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?$/;
const INF_RE = /^[+-]?(inf|infinity)$/i;

/**
 * The weight SORT gives a value: glibc strtod over its C string, accepted only when the whole
 * string was consumed, the result is not NaN and errno is not ERANGE (overflow, or an underflow
 * to a subnormal or zero). Returns null where Redis reports "One or more scores can't be
 * converted into double". Like strtod, leading white space is skipped and an empty string reads
 * as 0 (nothing converted, yet the end pointer sits on the terminator).
 */
export function sortWeight(raw: string): number | null {
  const s = cstr(raw);
  if (s.length === 0) return 0;
  let i = 0;
  while (i < s.length && isCSpace(s.charCodeAt(i))) i++;
  const t = i === 0 ? s : s.slice(i);
  if (t.length === 0) return null;
  if (INF_RE.test(t)) return t.charCodeAt(0) === 45 ? -Infinity : Infinity;
  let m = DECIMAL_RE.exec(t);
  if (m !== null) {
    const v = Number(t);
    if (!Number.isFinite(v)) return null;
    if (v === 0) return /[1-9]/.test(m[2]) ? null : v;
    if (Math.abs(v) < MIN_NORMAL) return null;
    return v;
  }
  m = HEX_RE.exec(t);
  if (m !== null) {
    const intPart = m[2];
    const frac = m[3] ?? '';
    const exp = m[4] === undefined ? 0 : Number(m[4]);
    const mant = BigInt('0x' + (intPart + frac || '0'));
    if (mant === 0n) return m[1] === '-' ? -0 : 0;
    const e2 = exp - 4 * frac.length;
    let v = Number(mant) * 2 ** e2;
    if (!Number.isFinite(v) && Number.isFinite(Number(mant))) {
      // 2**e2 overflowed while the product might not: scale in two steps
      v = Number(mant) * 2 ** (e2 >> 1) * 2 ** (e2 - (e2 >> 1));
    }
    if (!Number.isFinite(v)) return null;
    if (v === 0) return null;
    if (v < MIN_NORMAL) {
      // a tiny result is an underflow unless it is exact
      const back = BigInt(Math.round(v / 2 ** Math.max(e2, -1074)));
      if (e2 < -1074 || back !== mant) return null;
    }
    return m[1] === '-' ? -v : v;
  }
  return null;
}

/** A parsed BY/GET pattern (Redis's lookupKeyByPattern, done once per pattern, not per element). */
export interface Pattern {
  /** '#': the element itself */
  self: boolean;
  /** no '*' (in the C string): the lookup never finds anything */
  constant: boolean;
  prefix: string;
  suffix: string;
  /** hash field after '->', or null for a string key */
  field: string | null;
}

export function parsePattern(p: string): Pattern {
  const c = cstr(p);
  if (c === '#') return { self: true, constant: false, prefix: '', suffix: '', field: null };
  const star = c.indexOf('*');
  if (star < 0) return { self: false, constant: true, prefix: '', suffix: '', field: null };
  const arrow = c.indexOf('->', star + 1);
  // the arrow counts only when something follows it in the C string
  if (arrow >= 0 && arrow + 2 < c.length) {
    return { self: false, constant: false, prefix: p.slice(0, star), suffix: p.slice(star + 1, arrow), field: p.slice(arrow + 2) };
  }
  return { self: false, constant: false, prefix: p.slice(0, star), suffix: p.slice(star + 1), field: null };
}

/** True if the BY pattern makes SORT skip sorting (no '*' in its C string). */
export function isConstantPattern(p: string): boolean {
  return cstr(p).indexOf('*') < 0;
}

/** An element to sort with its weight (numeric) or comparison string (ALPHA BY), as Redis's redisSortObject. */
export interface SortItem {
  obj: string;
  score: number;
  /** ALPHA with BY: the looked-up value, or null when the lookup found nothing */
  cmp: string | null;
}

function binaryCompare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** strcoll in the C / C.UTF-8 locale: byte order of the C strings. */
function collate(a: string, b: string): number {
  return binaryCompare(cstr(a), cstr(b));
}

/**
 * Redis's sortCompare for the given mode. Numeric ties fall back to the elements' bytes, so the
 * order is total; ALPHA ties stay in input order (glibc's qsort is a stable merge sort for these
 * sizes, and so is Array.prototype.sort).
 */
export function comparator(alpha: boolean, byPattern: boolean, store: boolean, desc: boolean): (a: SortItem, b: SortItem) => number {
  let cmp: (a: SortItem, b: SortItem) => number;
  if (!alpha) {
    cmp = (a, b) => (a.score > b.score ? 1 : a.score < b.score ? -1 : binaryCompare(a.obj, b.obj));
  } else if (byPattern) {
    const strCmp = store ? binaryCompare : collate;
    cmp = (a, b) => {
      if (a.cmp === null || b.cmp === null) return a.cmp === b.cmp ? 0 : a.cmp === null ? -1 : 1;
      return strCmp(a.cmp, b.cmp);
    };
  } else {
    const strCmp = store ? binaryCompare : collate;
    cmp = (a, b) => strCmp(a.obj, b.obj);
  }
  return desc ? (a, b) => -cmp(a, b) || 0 : cmp;
}

/**
 * Redis's pqsort: the NetBSD (Bentley-McIlroy) quicksort, which only keeps recursing into
 * partitions that overlap the wanted range [lrange, rrange]. Redis uses it for BY with LIMIT; it is
 * not stable, so where ALPHA weights tie (or are all missing) the order it leaves is part of the
 * reply. This is the same algorithm step for step, with element indexes in place of pointers.
 */
export function partialSort<T>(v: T[], cmp: (a: T, b: T) => number, lrange: number, rrange: number): void {
  const swap = (i: number, j: number) => {
    const t = v[i];
    v[i] = v[j];
    v[j] = t;
  };
  const vecswap = (i: number, j: number, n: number) => {
    for (let k = 0; k < n; k++) swap(i + k, j + k);
  };
  const med3 = (a: number, b: number, c: number) =>
    cmp(v[a], v[b]) < 0
      ? (cmp(v[b], v[c]) < 0 ? b : cmp(v[a], v[c]) < 0 ? c : a)
      : (cmp(v[b], v[c]) > 0 ? b : cmp(v[a], v[c]) < 0 ? a : c);
  const insertion = (a: number, n: number) => {
    for (let pm = a + 1; pm < a + n; pm++) for (let pl = pm; pl > a && cmp(v[pl - 1], v[pl]) > 0; pl--) swap(pl, pl - 1);
  };
  const outside = (lo: number, hi: number) => (lrange < lo && rrange < lo) || (lrange > hi && rrange > hi);
  const pq = (a: number, n: number): void => {
    for (;;) {
      if (n < 7) return insertion(a, n);
      let swapped = false;
      let pm = a + Math.floor(n / 2);
      if (n > 7) {
        let pl = a;
        let pn = a + n - 1;
        if (n > 40) {
          const d = Math.floor(n / 8);
          pl = med3(pl, pl + d, pl + 2 * d);
          pm = med3(pm - d, pm, pm + d);
          pn = med3(pn - 2 * d, pn - d, pn);
        }
        pm = med3(pl, pm, pn);
      }
      swap(a, pm);
      let pa = a + 1;
      let pb = a + 1;
      let pc = a + n - 1;
      let pd = a + n - 1;
      for (;;) {
        let r = 0;
        while (pb <= pc && (r = cmp(v[pb], v[a])) <= 0) {
          if (r === 0) {
            swapped = true;
            swap(pa, pb);
            pa++;
          }
          pb++;
        }
        while (pb <= pc && (r = cmp(v[pc], v[a])) >= 0) {
          if (r === 0) {
            swapped = true;
            swap(pc, pd);
            pd--;
          }
          pc--;
        }
        if (pb > pc) break;
        swap(pb, pc);
        swapped = true;
        pb++;
        pc--;
      }
      if (!swapped) return insertion(a, n);
      const pn = a + n;
      let r = Math.min(pa - a, pb - pa);
      vecswap(a, pb - r, r);
      r = Math.min(pd - pc, pn - pd - 1);
      vecswap(pb, pn - r, r);
      if ((r = pb - pa) > 1 && !outside(a, a + r - 1)) pq(a, r);
      if ((r = pd - pc) > 1) {
        a = pn - r;
        n = r;
        if (!outside(a, a + r - 1)) continue;
      }
      return;
    }
  };
  pq(0, v.length);
}
