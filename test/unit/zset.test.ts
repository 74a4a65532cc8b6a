/*
 * Property test of the sorted-set skip list (src/data/zset.ts) against a naive model: a sorted
 * array of [member, score] pairs. Random sequences of inserts, score updates and deletes must
 * leave both with the same order, ranks, elements-at-rank and range answers.
 */

import { test } from 'node:test';
import assert from 'node:assert';
import fc from 'fast-check';
import { ZSet, type ScoreRange, type LexRange } from '../../src/data/zset';

type Pair = [string, number];

function modelSorted(m: Map<string, number>): Pair[] {
  return [...m].sort((a, b) => (a[1] !== b[1] ? a[1] - b[1] : a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

const member = fc.string({ maxLength: 3 }).map((s) => s.replace(/[^\x00-\xff]/g, 'x'));
const score = fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constantFrom(Infinity, -Infinity, 0.5, -0));
const op = fc.oneof(
  fc.tuple(fc.constant('set' as const), member, score),
  fc.tuple(fc.constant('del' as const), member, score),
  fc.tuple(fc.constant('delscore' as const), member, score),
  fc.tuple(fc.constant('delrank' as const), member, fc.integer({ min: 0, max: 10 })),
);

test('skip list matches a sorted-array model', () => {
  fc.assert(
    fc.property(fc.array(op, { maxLength: 120 }), fc.integer({ min: -6, max: 6 }), fc.integer({ min: -6, max: 6 }), member, member, (ops, a, b, la, lb) => {
      const z = new ZSet();
      const m = new Map<string, number>();
      for (const [kind, mem, s] of ops) {
        if (kind === 'set') {
          const had = m.get(mem);
          const r = z.set(mem, s);
          assert.strictEqual(r, had === undefined ? 1 : Object.is(had, s) ? 0 : 2);
          m.set(mem, s);
        } else if (kind === 'del') {
          assert.strictEqual(z.delete(mem), m.delete(mem));
        } else if (kind === 'delscore') {
          const r: ScoreRange = { min: s, max: s + 1, minex: false, maxex: true };
          const gone = z.deleteRangeByScore(r);
          const exp = modelSorted(m).filter(([, v]) => v >= s && v < s + 1).map(([k]) => k);
          assert.deepStrictEqual(gone, exp);
          for (const k of exp) m.delete(k);
        } else {
          const start = s;
          const end = s + 2;
          const sorted = modelSorted(m);
          const exp = sorted.slice(start, end + 1).map(([k]) => k);
          const gone = start < sorted.length ? z.deleteRangeByRank(start, Math.min(end, sorted.length - 1)) : [];
          assert.deepStrictEqual(gone, exp);
          for (const k of exp) m.delete(k);
        }
      }
      const sorted = modelSorted(m);
      assert.strictEqual(z.size, sorted.length);
      assert.deepStrictEqual([...z.entries()], sorted);
      // backward links
      const back: Pair[] = [];
      for (let n = z.last(); n !== null; n = n.prev) back.push([n.member, n.score]);
      assert.deepStrictEqual(back.reverse(), sorted);
      sorted.forEach(([k, v], i) => {
        assert.strictEqual(z.rank(k), i);
        assert.strictEqual(z.rank(k, true), sorted.length - 1 - i);
        assert.strictEqual(z.atRank(i)!.member, k);
        assert.ok(Object.is(z.score(k), v));
      });
      assert.strictEqual(z.atRank(sorted.length), null);
      const flat = new ZSet();
      for (const [k] of sorted) flat.set(k, 0);
      const lexSorted = sorted.map(([k]) => k).sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
      const lo = Math.min(a, b);
      const hi = Math.max(a, b);
      for (const minex of [false, true]) {
        for (const maxex of [false, true]) {
          const r: ScoreRange = { min: lo, max: hi, minex, maxex };
          const inr = sorted.filter(([, v]) => (minex ? v > lo : v >= lo) && (maxex ? v < hi : v <= hi));
          assert.strictEqual(z.firstInScore(r)?.member ?? null, inr.length ? inr[0][0] : null);
          assert.strictEqual(z.lastInScore(r)?.member ?? null, inr.length ? inr[inr.length - 1][0] : null);
          assert.strictEqual(z.countInScore(r), inr.length);
          const lmin = la < lb ? la : lb;
          const lmax = la < lb ? lb : la;
          // lex ranges are defined on sets whose scores are all equal
          const lr: LexRange = { min: lmin, max: lmax, minex, maxex };
          const inl = lexSorted.filter((k) => (minex ? k > lmin : k >= lmin) && (maxex ? k < lmax : k <= lmax));
          assert.strictEqual(flat.countInLex(lr), inl.length);
          assert.strictEqual(flat.firstInLex(lr)?.member ?? null, inl.length ? inl[0] : null);
          assert.strictEqual(flat.lastInLex(lr)?.member ?? null, inl.length ? inl[inl.length - 1] : null);
        }
      }
      assert.strictEqual(flat.countInLex({ min: -Infinity, max: Infinity, minex: true, maxex: true }), sorted.length);
      assert.strictEqual(flat.countInLex({ min: Infinity, max: -Infinity, minex: true, maxex: true }), 0);
      assert.deepStrictEqual([...z.clone().entries()], sorted);
    }),
    { numRuns: 400 },
  );
});
