/*
 * Glob matching: Redis's stringmatchlen semantics, checked against a slow reference that follows
 * Redis's recursive algorithm step by step (including its skip-longer-matches short cut and nesting
 * cap), on fixed cases and on random patterns and strings; plus the abusive patterns that made the
 * recursive matcher exponential or stack-hungry (CVE-2022-36021, CVE-2024-31228).
 */

import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { globMatch, compileGlob } from '../../src/data/glob';

/* ---- reference: a literal model of Redis 7.0's recursive matcher, over byte arrays ---- */

const sc = (c: number) => (c >= 128 ? c - 256 : c); // C char is signed
const low = (c: number) => (c >= 65 && c <= 90 ? c + 32 : c);

function refImpl(p: number[], pi: number, s: number[], si: number, nocase: boolean, skip: { v: boolean }, nesting: number): boolean {
  if (nesting > 1000) return false;
  const at = (i: number) => (i < p.length ? p[i] : 0); // the NUL terminator after the pattern
  let plen = p.length - pi;
  let slen = s.length - si;
  while (plen > 0 && slen > 0) {
    switch (at(pi)) {
      case 42: {
        while (plen > 0 && at(pi + 1) === 42) { pi++; plen--; }
        if (plen === 1) return true;
        while (slen > 0) {
          if (refImpl(p, pi + 1, s, si, nocase, skip, nesting + 1)) return true;
          if (skip.v) return false;
          si++; slen--;
        }
        skip.v = true;
        return false;
      }
      case 63:
        si++; slen--;
        break;
      case 91: {
        pi++; plen--;
        const not = at(pi) === 94;
        if (not) { pi++; plen--; }
        let match = false;
        for (;;) {
          if (at(pi) === 92 && plen >= 2) {
            pi++; plen--;
            if (at(pi) === s[si]) match = true;
          } else if (at(pi) === 93) {
            break;
          } else if (plen === 0) {
            pi--; plen++;
            break;
          } else if (plen >= 3 && at(pi + 1) === 45) {
            let start = sc(at(pi)), end = sc(at(pi + 2)), c = sc(s[si]);
            if (start > end) { const t = start; start = end; end = t; }
            if (nocase) { start = low(start); end = low(end); c = low(c); }
            pi += 2; plen -= 2;
            if (c >= start && c <= end) match = true;
          } else if (nocase ? low(at(pi)) === low(s[si]) : at(pi) === s[si]) {
            match = true;
          }
          pi++; plen--;
        }
        if (not) match = !match;
        if (!match) return false;
        si++; slen--;
        break;
      }
      default: {
        if (at(pi) === 92 && plen >= 2) { pi++; plen--; }
        if (nocase ? low(at(pi)) !== low(s[si]) : at(pi) !== s[si]) return false;
        si++; slen--;
        break;
      }
    }
    pi++; plen--;
    if (slen === 0) {
      while (at(pi) === 42) { pi++; plen--; }
      break;
    }
  }
  return plen === 0 && slen === 0;
}

function reference(pattern: string, s: string, nocase = false): boolean {
  const bytes = (x: string) => Array.from(x, (c) => c.charCodeAt(0));
  return refImpl(bytes(pattern), 0, bytes(s), 0, nocase, { v: false }, 0);
}

describe('glob', () => {
  it('matches the basic forms', () => {
    const yes: [string, string][] = [
      ['', ''], ['a', 'a'], ['*', 'abc'], ['a*', 'a'], ['a*c', 'abbbc'], ['h?llo', 'hello'], ['h[ae]llo', 'hallo'],
      ['h[^e]llo', 'hallo'], ['h[a-b]llo', 'hbllo'], ['h[b-a]llo', 'hbllo'], ['a\\*b', 'a*b'], ['[a-]', ']'],
      ['[abc', 'b'], ['[^', 'x'], ['x\\', 'x\\'], ['[\\]]', ']'], ['*b*', 'b'], ['a**', 'a'],
    ];
    for (const [p, s] of yes) assert.equal(globMatch(p, s), true, `${p} ~ ${s}`);
    const no: [string, string][] = [
      ['*', ''], ['**', ''], ['a', ''], ['', 'a'], ['h[^e]llo', 'hello'], ['a\\*b', 'axb'], ['[', 'a'], ['[]', 'a'],
      ['a?', 'a'], ['[a-]', 'b'], ['abc', 'ABC'],
    ];
    for (const [p, s] of no) assert.equal(globMatch(p, s), false, `${p} !~ ${s}`);
  });

  it('folds ASCII case only with nocase, and not for escaped bytes in a class', () => {
    assert.equal(globMatch('HeLLo', 'hello', true), true);
    assert.equal(globMatch('[A-C]x', 'bx', true), true);
    assert.equal(globMatch('[\\A]', 'a', true), false);
    assert.equal(globMatch('\xc9', '\xe9', true), false);
    assert.equal(globMatch('[Z-a]', '_', true), false); // swapped, then folded into an empty range
  });

  it('compares class ranges as signed C chars', () => {
    assert.equal(globMatch('[a-\xff]', '\x80'), false);
    assert.equal(globMatch('[a-\xff]', '0'), true);
    assert.equal(globMatch('[\x80-\xff]', '\x90'), true);
  });

  it('agrees with the reference on fixed cases', () => {
    const pats = ['*', '?', '[a-c]*', 'a[^b]*c', '*a*a*b', '\\', '[\\', '[a-', 'a[-]b', '[]]', '*[', '[^]*', 'a\\'];
    const strs = ['', 'a', 'ab', 'abc', 'aab', 'a-b', ']', '\\', '[', 'a\\'];
    for (const p of pats) for (const s of strs) for (const nc of [false, true]) {
      assert.equal(globMatch(p, s, nc), reference(p, s, nc), `${JSON.stringify(p)} vs ${JSON.stringify(s)} nocase=${nc}`);
    }
  });

  it('agrees with the reference on random patterns and strings', () => {
    const patChar = fc.constantFrom('a', 'b', 'A', '*', '*', '?', '[', ']', '^', '-', '\\', '\xe9', '\x00', 'Z');
    const strChar = fc.constantFrom('a', 'b', 'A', 'B', '-', ']', '\\', '*', '\xe9', '\x00', '^', '[');
    fc.assert(
      fc.property(
        fc.array(patChar, { maxLength: 14 }).map((a) => a.join('')),
        fc.array(strChar, { maxLength: 12 }).map((a) => a.join('')),
        fc.boolean(),
        (p, s, nocase) => globMatch(p, s, nocase) === reference(p, s, nocase),
      ),
      { numRuns: 20000 },
    );
  });

  it('agrees with the reference around the nesting cap of 1000 star groups', () => {
    const s = 'a'.repeat(1100);
    for (const n of [999, 1000, 1001, 1002]) {
      for (const p of ['*a'.repeat(n), '*a'.repeat(n) + '*', 'a*'.repeat(n) + 'a', '*?'.repeat(n) + 'b']) {
        assert.equal(globMatch(p, s), reference(p, s), `n=${n} ${p.slice(0, 8)}…`);
      }
    }
    assert.equal(globMatch('*a'.repeat(1000), s), true);
    assert.equal(globMatch('*a'.repeat(1001), s), false);
    assert.equal(globMatch('*a'.repeat(1000) + '*', s), true); // the 1001st group ends the pattern
    assert.equal(globMatch('*a'.repeat(1001) + '*', s), false); // the 1001st group is followed by more
  });

  it('stays fast on abusive patterns', () => {
    const s = 'a'.repeat(20000);
    const t0 = performance.now();
    assert.equal(globMatch('a*'.repeat(500) + 'b', s), false);
    assert.equal(globMatch('*a'.repeat(30) + '*b', s), false);
    assert.equal(globMatch('[a-z]*'.repeat(200) + '[0-9]', s), false);
    assert.equal(globMatch('*?'.repeat(900) + 'b', s), false);
    const long = '*'.repeat(100000) + 'a';
    assert.equal(globMatch(long, s), true);
    // Deep nesting of unterminated classes and escapes must not recurse either.
    assert.equal(globMatch('['.repeat(100000), 'a'), false);
    assert.equal(globMatch('\\'.repeat(100001), '\\'.repeat(50000) + '\\'), true);
    // Generous bound: the recursive algorithm takes astronomically long on these inputs.
    assert.ok(performance.now() - t0 < 5000);
  });

  it('compiles once for many strings', () => {
    const m = compileGlob('user:*:name');
    assert.equal(m('user:1:name'), true);
    assert.equal(m('user:1:age'), false);
  });
});
