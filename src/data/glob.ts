/*
 * Glob matching with the exact semantics of Redis 7.0's stringmatchlen (KEYS, SCAN MATCH, CONFIG GET,
 * PSUBSCRIBE, ACL key and channel patterns), without its costs.
 *
 * Redis matches recursively: every '*' recurses into the rest of the pattern, with a "skip longer
 * matches" short cut and a nesting cap of 1000 (CVE-2022-36021, CVE-2024-31228). Here the pattern is
 * compiled once into tokens and matched iteratively with the classic single-backtrack-point
 * algorithm: each non-star token consumes exactly one byte, so when the segment after the latest
 * star fails it is enough to retry that segment one byte further on; earlier stars never need to
 * grow. Time is O(pattern × string), space O(pattern), no recursion at all.
 *
 * Redis's quirks are kept on purpose, because replies must be byte-identical:
 *  - bytes are C `char`, signed on the platforms Redis ships on, so class ranges compare bytes
 *    0x80–0xFF as negative numbers; case folding (nocase) is ASCII only (C locale tolower);
 *  - inside a class an escaped byte is compared exactly even with nocase; `[a-]` is a range from
 *    'a' to ']' (the parser looks two bytes ahead before it looks for the closing bracket); an
 *    unterminated class runs to the end of the pattern and still matches one byte;
 *  - a pattern is never tried against an empty remainder of the string: "*" does not match ""
 *    (KEYS and SCAN special-case the pattern "*" before calling the matcher);
 *  - the nesting cap: reaching the 1001st group of stars with bytes left to match, when that group
 *    is not the end of the pattern, is a non-match. The greedy walk reaches each star group at the
 *    earliest position any match could, so it fails exactly when Redis's recursion would.
 */

const T_STAR = 0;
const T_ANY = 1;
const T_LIT = 2;
const T_CLASS = 3;

/* class item kinds */
const C_EXACT = 0; // escaped byte: exact comparison, even with nocase
const C_RANGE = 1; // a-b, compared as signed chars
const C_LIT = 2; // plain byte, case-folded with nocase

interface Token {
  kind: number;
  /** T_LIT: the byte; T_STAR: 1-based index of this group of consecutive stars */
  code: number;
  negate: boolean;
  /** T_CLASS items, flattened triples [kind, a, b] */
  items: number[];
}

/** Redis nests at most this deep before giving up (one level per group of stars). */
const MAX_STAR_NESTING = 1000;

function lower(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

/** A byte as C's signed char. */
function signed(c: number): number {
  return c >= 128 ? c - 256 : c;
}

/** Compiles a pattern (latin1 byte string) into tokens, parsing exactly as stringmatchlen does. */
function compile(p: string): Token[] {
  const toks: Token[] = [];
  const n = p.length;
  let i = 0;
  let stars = 0;
  while (i < n) {
    const c = p.charCodeAt(i);
    if (c === 42 /* * */) {
      while (i < n && p.charCodeAt(i) === 42) i++;
      toks.push({ kind: T_STAR, code: ++stars, negate: false, items: [] });
      continue;
    }
    if (c === 63 /* ? */) {
      toks.push({ kind: T_ANY, code: 0, negate: false, items: [] });
      i++;
      continue;
    }
    if (c === 91 /* [ */) {
      i++;
      let negate = false;
      if (i < n && p.charCodeAt(i) === 94 /* ^ */) {
        negate = true;
        i++;
      }
      const items: number[] = [];
      for (;;) {
        const left = n - i;
        if (left === 0) break; // unterminated: the class ends with the pattern
        const d = p.charCodeAt(i);
        if (d === 92 /* \ */ && left >= 2) {
          items.push(C_EXACT, p.charCodeAt(i + 1), 0);
          i += 2;
        } else if (d === 93 /* ] */) {
          i++;
          break;
        } else if (left >= 3 && p.charCodeAt(i + 1) === 45 /* - */) {
          items.push(C_RANGE, d, p.charCodeAt(i + 2));
          i += 3;
        } else {
          items.push(C_LIT, d, 0);
          i++;
        }
      }
      toks.push({ kind: T_CLASS, code: 0, negate, items });
      continue;
    }
    if (c === 92 /* \ */ && i + 1 < n) {
      toks.push({ kind: T_LIT, code: p.charCodeAt(i + 1), negate: false, items: [] });
      i += 2;
      continue;
    }
    toks.push({ kind: T_LIT, code: c, negate: false, items: [] });
    i++;
  }
  return toks;
}

function classMatches(t: Token, c: number, nocase: boolean): boolean {
  const it = t.items;
  let match = false;
  for (let k = 0; k < it.length; k += 3) {
    const kind = it[k];
    if (kind === C_EXACT) {
      if (it[k + 1] === c) match = true;
    } else if (kind === C_RANGE) {
      let start = signed(it[k + 1]);
      let end = signed(it[k + 2]);
      let x = signed(c);
      if (start > end) {
        const tmp = start;
        start = end;
        end = tmp;
      }
      if (nocase) {
        start = lower(start);
        end = lower(end);
        x = lower(x);
      }
      if (x >= start && x <= end) match = true;
    } else if (nocase ? lower(it[k + 1]) === lower(c) : it[k + 1] === c) {
      match = true;
    }
  }
  return t.negate ? !match : match;
}

function tokenMatches(t: Token, c: number, nocase: boolean): boolean {
  switch (t.kind) {
    case T_ANY:
      return true;
    case T_LIT:
      return nocase ? lower(t.code) === lower(c) : t.code === c;
    default:
      return classMatches(t, c, nocase);
  }
}

function run(toks: Token[], s: string, nocase: boolean): boolean {
  const n = s.length;
  const m = toks.length;
  if (n === 0) return m === 0;
  let ti = 0;
  let si = 0;
  // The latest star: where the segment after it starts, and where we last tried to place it.
  let starTi = -1;
  let starSi = 0;
  for (;;) {
    // Invariant: si < n.
    let failed = false;
    if (ti === m) {
      failed = true; // pattern used up with bytes left
    } else {
      const t = toks[ti];
      if (t.kind === T_STAR) {
        if (ti === m - 1) return true;
        if (t.code > MAX_STAR_NESTING) return false;
        starTi = ti + 1;
        starSi = si;
        ti++;
        continue;
      }
      if (tokenMatches(t, s.charCodeAt(si), nocase)) {
        ti++;
        si++;
        if (si === n) {
          while (ti < m && toks[ti].kind === T_STAR) ti++;
          if (ti === m) return true;
          failed = true;
        }
      } else {
        failed = true;
      }
    }
    if (failed) {
      // Retry the segment after the latest star one byte further on; the star never tries to
      // leave the rest of the pattern an empty string (Redis loops while bytes remain).
      if (starTi < 0) return false;
      starSi++;
      if (starSi >= n) return false;
      si = starSi;
      ti = starTi;
    }
  }
}

/** A compiled pattern, for matching many strings against one pattern (KEYS, SCAN). */
export type GlobMatcher = (s: string) => boolean;

export function compileGlob(pattern: string, nocase = false): GlobMatcher {
  const toks = compile(pattern);
  return (s) => run(toks, s, nocase);
}

/** True if the byte string `s` matches the glob `pattern`, exactly as Redis's stringmatchlen. */
export function globMatch(pattern: string, s: string, nocase = false): boolean {
  return run(compile(pattern), s, nocase);
}
