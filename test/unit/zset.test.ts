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

/*
 * Step-by-step comparison: after every operation of a random interleaving (inserts, updates,
 * deletes, rank / element-at-rank queries, walks, and range deletes by score, lex and rank) the
 * answer must equal the sorted-array model's. Small member and score alphabets force ties,
 * relinks and in-place updates; the larger run also crosses arena growth and compaction.
 */
const opStep = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.constant('set' as const), member, score) },
  { weight: 3, arbitrary: fc.tuple(fc.constant('del' as const), member, score) },
  { weight: 2, arbitrary: fc.tuple(fc.constant('rank' as const), member, score) },
  { weight: 2, arbitrary: fc.tuple(fc.constant('atrank' as const), member, fc.integer({ min: -1, max: 40 })) },
  { weight: 1, arbitrary: fc.tuple(fc.constant('delscore' as const), member, score) },
  { weight: 1, arbitrary: fc.tuple(fc.constant('delrank' as const), member, fc.integer({ min: 0, max: 12 })) },
  { weight: 1, arbitrary: fc.tuple(fc.constant('dellex' as const), member, score) },
);

function checkStep(z: ZSet, m: Map<string, number>, kind: string, mem: string, s: number): void {
  const sorted = modelSorted(m);
  switch (kind) {
    case 'set': {
      const had = m.get(mem);
      assert.strictEqual(z.set(mem, s), had === undefined ? 1 : Object.is(had, s) ? 0 : 2);
      m.set(mem, s);
      break;
    }
    case 'del':
      assert.strictEqual(z.delete(mem), m.delete(mem));
      break;
    case 'rank': {
      const i = sorted.findIndex(([k]) => k === mem);
      assert.strictEqual(z.rank(mem), i);
      assert.strictEqual(z.rank(mem, true), i < 0 ? -1 : sorted.length - 1 - i);
      break;
    }
    case 'atrank': {
      const n = z.atRank(s);
      if (s < 0 || s >= sorted.length) {
        assert.strictEqual(n, null);
        break;
      }
      assert.deepStrictEqual([n!.member, n!.score], sorted[s]);
      // a walk of three steps each way from that node
      let f = n!.next();
      for (let k = s + 1; k < s + 4; k++, f = f?.next() ?? null) assert.strictEqual(f?.member ?? null, k < sorted.length ? sorted[k][0] : null);
      let b = n!.prev;
      for (let k = s - 1; k > s - 4; k--, b = b?.prev ?? null) assert.strictEqual(b?.member ?? null, k >= 0 ? sorted[k][0] : null);
      break;
    }
    case 'delscore': {
      const r: ScoreRange = { min: s, max: s + 2, minex: s % 2 === 0, maxex: false };
      const exp = sorted.filter(([, v]) => (r.minex ? v > r.min : v >= r.min) && v <= r.max).map(([k]) => k);
      assert.deepStrictEqual(z.deleteRangeByScore(r), exp);
      for (const k of exp) m.delete(k);
      break;
    }
    case 'delrank': {
      const end = Math.min(s + 3, sorted.length - 1);
      const exp = sorted.slice(s, end + 1).map(([k]) => k);
      assert.deepStrictEqual(s < sorted.length ? z.deleteRangeByRank(s, end) : [], exp);
      for (const k of exp) m.delete(k);
      break;
    }
    case 'dellex': {
      // lex ranges are meaningful when every score is equal: apply it only then
      if (sorted.length > 0 && sorted.every(([, v]) => v === sorted[0][1])) {
        const r: LexRange = { min: mem, max: s > 0 ? Infinity : mem + '\xff', minex: s < 0, maxex: false };
        const exp = sorted.map(([k]) => k).filter((k) => lexIn(k, r));
        assert.deepStrictEqual(z.deleteRangeByLex(r), exp);
        for (const k of exp) m.delete(k);
      }
      break;
    }
  }
  assert.strictEqual(z.size, m.size);
}

function lexIn(k: string, r: LexRange): boolean {
  const lo = typeof r.min === 'number' ? r.min < 0 : r.minex ? k > r.min : k >= r.min;
  const hi = typeof r.max === 'number' ? r.max > 0 : r.maxex ? k < r.max : k <= r.max;
  return lo && hi;
}

/** The whole structure against the model: order both ways, every rank, SCAN coverage. */
function checkAll(z: ZSet, m: Map<string, number>): void {
  const sorted = modelSorted(m);
  assert.deepStrictEqual([...z.entries()], sorted);
  const back: Pair[] = [];
  for (let n = z.last(); n !== null; n = n.prev) back.push([n.member, n.score]);
  assert.deepStrictEqual(back.reverse(), sorted);
  sorted.forEach(([k], i) => {
    assert.strictEqual(z.rank(k), i);
    assert.strictEqual(z.atRank(i)!.member, k);
  });
  const seen = new Map<string, number>();
  let cursor = 0;
  do cursor = z.scan(cursor, 3, (k, v) => seen.set(k, v));
  while (cursor !== 0);
  assert.deepStrictEqual(modelSorted(seen), sorted);
}

test('every step of random interleavings matches the model', () => {
  fc.assert(
    fc.property(fc.array(opStep, { minLength: 10, maxLength: 200, size: 'max' }), (ops) => {
      const z = new ZSet();
      const m = new Map<string, number>();
      for (const [kind, mem, s] of ops) checkStep(z, m, kind, mem, s);
      checkAll(z, m);
      const c = z.clone();
      checkAll(c, m);
      // the copy is independent
      if (m.size > 0) {
        const [k] = modelSorted(m)[0];
        c.delete(k);
        assert.strictEqual(z.score(k), m.get(k));
      }
    }),
    { numRuns: 300 },
  );
});

test('large sets: growth, mass deletes (arena compaction), and the model still agrees', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 1 << 30 }), (seed) => {
      let st = seed;
      const rnd = (n: number) => {
        st = (Math.imul(st, 1103515245) + 12345) >>> 0;
        return (st >>> 8) % n;
      };
      const z = new ZSet();
      const m = new Map<string, number>();
      const N = 3000;
      for (let i = 0; i < N; i++) {
        const k = 'k' + rnd(N);
        const v = rnd(50);
        const had = m.get(k);
        assert.strictEqual(z.set(k, v), had === undefined ? 1 : had === v ? 0 : 2);
        m.set(k, v);
      }
      checkAll(z, m);
      const words = () => (z as unknown as { a: { m: Int32Array } }).a.m.length;
      const grown = words();
      // a SCAN running across the mass delete returns every member present throughout
      const seen = new Set<string>();
      let cursor = z.scan(0, 40, (k) => seen.add(k));
      const keys = [...m.keys()];
      for (let i = 0; i < keys.length; i++) {
        if (i % 20 === 0) cursor = cursor === 0 ? 0 : z.scan(cursor, 40, (k) => seen.add(k));
        if (rnd(20) === 0) continue;
        if (i % 400 === 0) {
          checkStep(z, m, 'delrank', '', rnd(m.size));
          checkStep(z, m, 'rank', keys[rnd(keys.length)], 0);
        }
        assert.strictEqual(z.delete(keys[i]), m.delete(keys[i]));
      }
      while (cursor !== 0) cursor = z.scan(cursor, 40, (k) => seen.add(k));
      for (const k of m.keys()) assert.ok(seen.has(k), `SCAN missed ${k}`);
      assert.ok(words() < grown / 2, `arena not compacted: ${words()} of ${grown} words`);
      checkAll(z, m);
      for (let i = 0; i < 300; i++) checkStep(z, m, 'set', 'n' + rnd(N), rnd(50));
      checkAll(z, m);
    }),
    { numRuns: 10 },
  );
});

test('assigning a node score writes through (listpack -0 -> 0)', () => {
  const z = new ZSet();
  z.set('a', -0);
  z.set('b', 1);
  const n = z.first()!;
  assert.ok(Object.is(n.score, -0));
  n.score = 0;
  assert.ok(Object.is(z.score('a'), 0));
  assert.ok(Object.is(z.first()!.score, 0));
  // a handle keeps its snapshot after the member is gone
  const last = z.last()!;
  z.delete('b');
  assert.strictEqual(last.member, 'b');
  assert.strictEqual(last.score, 1);
});
