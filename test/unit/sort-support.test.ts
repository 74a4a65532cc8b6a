/*
 * SORT's pure parts: the partial quicksort puts exactly the right elements, in order, at every
 * position of the requested range (whatever it leaves elsewhere), for any input and range; the
 * weight parser agrees with the C strtod rules on representative forms and never throws; pattern
 * parsing follows lookupKeyByPattern's C-string rules.
 */

import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { partialSort, sortWeight, parsePattern, comparator, type SortItem } from '../../src/commands/sort-support';

describe('partialSort (Redis pqsort)', () => {
  it('sorts the requested range like a full sort, for any input and range', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -50, max: 50 }), { maxLength: 300 }), fc.nat(), fc.nat(), (xs, a, b) => {
        const n = xs.length;
        const lo = n === 0 ? 0 : a % n;
        const hi = n === 0 ? -1 : lo + (b % (n - lo));
        const got = xs.slice();
        partialSort(got, (x, y) => x - y, lo, hi);
        const want = xs.slice().sort((x, y) => x - y);
        assert.deepEqual(got.slice(lo, hi + 1), want.slice(lo, hi + 1));
        assert.deepEqual(got.slice().sort((x, y) => x - y), want, 'a permutation of the input');
      }),
      { numRuns: 300 },
    );
  });

  it('handles empty and out-of-range requests as SORT produces them', () => {
    const v: number[] = [];
    partialSort(v, (x, y) => x - y, -1, -2);
    assert.deepEqual(v, []);
    const w = [3, 1, 2];
    partialSort(w, (x, y) => x - y, 0, 2);
    assert.deepEqual(w, [1, 2, 3]);
  });
});

describe('sortWeight (strtod as SORT uses it)', () => {
  const cases: [string, number | null][] = [
    ['1', 1], [' 5', 5], ['\t7', 7], ['7 ', null], ['', 0], ['  ', null], ['+4', 4], ['-0', -0], ['.5', 0.5], ['5.', 5],
    ['1e5', 1e5], ['5e', null], ['0x10', 16], ['0x1p3', 8], ['0x1.8p1', 3], ['0x', null], ['0x.8', 0.5],
    ['inf', Infinity], ['-Infinity', -Infinity], ['infinit', null], ['nan', null], ['1e400', null], ['1e-400', null],
    ['0e-400', 0], ['1e-310', null], ['2.2250738585072014e-308', 2.2250738585072014e-308], ['5\x00abc', 5], ['\x005', 0],
    ['1_0', null], ['- 3', null],
  ];
  for (const [input, want] of cases) {
    it(JSON.stringify(input), () => assert.equal(Object.is(sortWeight(input), want) || sortWeight(input) === want, true, `got ${sortWeight(input)}`));
  }
  it('never throws', () => {
    fc.assert(fc.property(fc.string(), (s) => {
      const w = sortWeight(s);
      assert.ok(w === null || !Number.isNaN(w));
    }), { numRuns: 2000 });
  });
});

describe('parsePattern', () => {
  it('substitutes the first star only and splits a hash field after it', () => {
    assert.deepEqual(parsePattern('w_*_*'), { self: false, constant: false, prefix: 'w_', suffix: '_*', field: null });
    assert.deepEqual(parsePattern('h_*->f'), { self: false, constant: false, prefix: 'h_', suffix: '', field: 'f' });
    assert.deepEqual(parsePattern('h_*->'), { self: false, constant: false, prefix: 'h_', suffix: '->', field: null });
    assert.deepEqual(parsePattern('a->b*'), { self: false, constant: false, prefix: 'a->b', suffix: '', field: null });
    assert.equal(parsePattern('#').self, true);
    assert.equal(parsePattern('#\x00x').self, true);
    assert.equal(parsePattern('##').constant, true);
    assert.equal(parsePattern('w\x00*').constant, true);
  });
});

describe('comparator', () => {
  const item = (obj: string, score = 0, cmp: string | null = null): SortItem => ({ obj, score, cmp });
  it('breaks numeric ties by the elements bytes, and reverses for DESC', () => {
    const asc = comparator(false, false, false, false);
    assert.ok(asc(item('b', 1), item('a', 1)) > 0);
    assert.ok(asc(item('a', 2), item('b', 1)) > 0);
    const desc = comparator(false, false, false, true);
    assert.ok(desc(item('a', 2), item('b', 1)) < 0);
  });
  it('compares C strings without STORE and bytes with STORE', () => {
    assert.equal(comparator(true, false, false, false)(item('a\x00z'), item('a\x00b')), 0);
    assert.ok(comparator(true, false, true, false)(item('a\x00z'), item('a\x00b')) > 0);
    assert.ok(comparator(true, true, false, false)(item('x', 0, null), item('y', 0, '')) < 0);
  });
});
