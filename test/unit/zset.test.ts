/*
 * Property test of the sorted set (src/data/zset.ts, a counted B+tree plus a member index) against
 * a naive model: a sorted array of [member, score] pairs. Random sequences of inserts, score
 * updates and deletes must leave both with the same order, ranks, elements-at-rank and range
 * answers; `checkTree` also verifies the tree's own invariants (counts, separators, fill, links).
 */

import { test } from 'node:test';
import assert from 'node:assert';
import fc from 'fast-check';
import { ZSet } from '../../src/data/zset';
import type { ScoreRange } from '../../src/data/zset-range';
import type { LexRange } from '../../src/data/zset-range';
import { LB, NIL } from '../../src/data/zset-tree';
import { B, Inner } from '../../src/data/zset-inner';

type Pair = [string, number];

/** The tree's internals, for the invariant check. */
interface TreeView {
  root: Inner | number;
  height: number;
  head: number;
  tail: number;
  ls: number[];
  lm: string[];
  meta: number[];
  freeLeaves: number[];
}
const view = (z: ZSet): TreeView => z as unknown as TreeView;
const height = (z: ZSet): number => view(z).height;

function keyLess(s1: number, m1: string, s2: number, m2: string): boolean {
  return s1 < s2 || (s1 === s2 && m1 < m2);
}

/**
 * Checks the B+tree invariants: every leaf at the same depth, sorted, within fill bounds (non-root
 * leaves >= LB/4 entries, <= LB; inner nodes >= B/4 children, root inner >= 2, all <= B), each count equal to
 * the entries below, separators bounding their children, the leaf chain visiting exactly the
 * leaves in order, pool slots past a leaf's count cleared, and the pools not mostly free.
 */
function checkTree(z: ZSet): void {
  const t = view(z);
  const leaves: number[] = [];
  const walk = (node: Inner | number, depth: number, lo: [number, string] | null, hi: [number, string] | null): number => {
    if (depth === t.height) {
      assert.strictEqual(typeof node, 'number', 'leaf depth');
      const L = node as number;
      const n = t.meta[3 * L];
      assert.ok(n <= LB);
      if (node !== t.root) assert.ok(n >= LB / 4, `leaf underfull: ${n}`);
      const o = LB * L;
      for (let i = o; i < o + n; i++) {
        if (i > o) assert.ok(keyLess(t.ls[i - 1], t.lm[i - 1], t.ls[i], t.lm[i]), 'leaf order');
        if (lo !== null) assert.ok(!keyLess(t.ls[i], t.lm[i], lo[0], lo[1]), 'below separator');
        if (hi !== null) assert.ok(keyLess(t.ls[i], t.lm[i], hi[0], hi[1]), 'above next separator');
      }
      for (let i = o + n; i < Math.min(o + LB, t.lm.length); i++) assert.strictEqual(t.lm[i], '', 'stale slot');
      leaves.push(L);
      return n;
    }
    const x = node as Inner;
    assert.ok(x instanceof Inner, 'inner depth');
    const k = x.kids.length;
    assert.ok(k <= B && k === x.cnt.length && k === x.ks.length && k === x.km.length);
    assert.ok(node === t.root ? k >= 2 : k >= B / 4, `inner underfull: ${k}`);
    let total = 0;
    for (let i = 0; i < k; i++) {
      const clo: [number, string] | null = i === 0 ? lo : [x.ks[i], x.km[i]];
      const chi: [number, string] | null = i + 1 < k ? [x.ks[i + 1], x.km[i + 1]] : hi;
      const c = walk(x.kids[i], depth + 1, clo, chi);
      assert.strictEqual(x.cnt[i], c, 'child count');
      total += c;
    }
    return total;
  };
  assert.strictEqual(walk(t.root, 0, null, null), z.size);
  assert.strictEqual(t.head, leaves[0]);
  assert.strictEqual(t.tail, leaves[leaves.length - 1]);
  for (let i = 0; i < leaves.length; i++) {
    assert.strictEqual(t.meta[3 * leaves[i] + 2], i > 0 ? leaves[i - 1] : NIL);
    assert.strictEqual(t.meta[3 * leaves[i] + 1], i + 1 < leaves.length ? leaves[i + 1] : NIL);
  }
  // every leaf number is either in the tree or free, and at most three quarters are free
  const total = t.meta.length / 3;
  const free = new Set(t.freeLeaves);
  assert.strictEqual(free.size + leaves.length, total, 'leaf accounting');
  for (const L of leaves) assert.ok(!free.has(L));
  assert.ok(total < 8 || leaves.length * 4 > total, `pools mostly free: ${leaves.length} of ${total}`);
  assert.ok(t.ls.length >= LB * (total - 1) && t.lm.length === t.ls.length);
}

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

test('the sorted set matches a sorted-array model', () => {
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
 * moves and in-place updates; the larger run also crosses leaf splits, merges and height changes.
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
  checkTree(z);
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

test('large sets: growth, mass deletes (merges, height drops), and the model still agrees', () => {
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
      checkTree(z);
      const grown = height(z);
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
      checkTree(z);
      assert.ok(height(z) <= grown);
      checkAll(z, m);
      for (let i = 0; i < 300; i++) checkStep(z, m, 'set', 'n' + rnd(N), rnd(50));
      checkAll(z, m);
    }),
    { numRuns: 10 },
  );
});

/*
 * Ties among members with long shared prefixes, as a geo index has them (many points per 52-bit
 * cell, members like "member:000123"): a few prefixes plus short suffixes over a tiny alphabet
 * (NUL and 0xff included, so members differ only deep inside or by a trailing NUL), and three
 * scores, so runs of equal scores fill and span leaves through splits, merges, borrows,
 * compaction and clones; checkTree verifies the structure after each batch.
 */
const tiePrefix = fc.constantFrom('member:000', 'member:00', 'member:0001', 'member:000\x00', 'm', '');
const tieSuffix = fc.string({ unit: fc.constantFrom('0', '1', '9', '\x00', '\xff'), maxLength: 8 });
const tieOp = fc.tuple(fc.constantFrom('set', 'set', 'set', 'del', 'delrank'), fc.tuple(tiePrefix, tieSuffix), fc.constantFrom(0, 1, 2, -0));

test('long runs of equal scores with shared member prefixes match the model', () => {
  fc.assert(
    fc.property(fc.array(tieOp, { minLength: 50, maxLength: 1500 }), (ops) => {
      const z = new ZSet();
      const m = new Map<string, number>();
      ops.forEach(([kind, [pre, suf], s], i) => {
        checkStep(z, m, kind, pre + suf, kind === 'delrank' ? (i * 7) % Math.max(1, m.size) : s);
        if (i % 250 === 249) checkTree(z);
      });
      checkAll(z, m);
      checkAll(z.clone(), m);
    }),
    { numRuns: 60 },
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

/** Deterministic generator for the bulk tests. */
function lcg(seed: number): (n: number) => number {
  let st = seed >>> 0;
  return (n) => {
    st = (Math.imul(st, 1103515245) + 12345) >>> 0;
    return (st >>> 8) % n;
  };
}

/** Ranks, elements-at-rank and score ranges (which span leaves) at sampled points. */
function checkSampled(z: ZSet, m: Map<string, number>, rnd: (n: number) => number): void {
  checkTree(z);
  const sorted = modelSorted(m);
  assert.strictEqual(z.size, sorted.length);
  assert.strictEqual(z.atRank(sorted.length), null);
  for (let k = 0; k < 40 && sorted.length > 0; k++) {
    const i = rnd(sorted.length);
    assert.strictEqual(z.rank(sorted[i][0]), i);
    assert.strictEqual(z.rank(sorted[i][0], true), sorted.length - 1 - i);
    assert.deepStrictEqual([z.atRank(i)!.member, z.atRank(i)!.score], sorted[i]);
    const j = Math.min(sorted.length - 1, i + rnd(3 * B));
    const r: ScoreRange = { min: sorted[i][1], max: sorted[j][1], minex: k % 2 === 1, maxex: k % 3 === 1 };
    const inr = sorted.filter(([, v]) => (r.minex ? v > r.min : v >= r.min) && (r.maxex ? v < r.max : v <= r.max));
    assert.strictEqual(z.countInScore(r), inr.length);
    assert.strictEqual(z.firstInScore(r)?.member ?? null, inr.length ? inr[0][0] : null);
    assert.strictEqual(z.lastInScore(r)?.member ?? null, inr.length ? inr[inr.length - 1][0] : null);
    const seen: string[] = [];
    z.forEachInScore(r, (mem) => seen.push(mem) < 2 * B);
    assert.deepStrictEqual(seen, inr.slice(0, 2 * B).map(([mem]) => mem));
  }
  // full walks both ways
  let n = z.first();
  for (const [k] of sorted) {
    assert.strictEqual(n?.member, k);
    n = n!.next();
  }
  assert.strictEqual(n, null);
  let b = z.last();
  for (let i = sorted.length - 1; i >= 0; i--) {
    assert.strictEqual(b?.member, sorted[i][0]);
    b = b!.prev;
  }
  assert.strictEqual(b, null);
}

test('sizes across leaf and node boundaries: splits, merges, ranks after deletes', () => {
  const sizes = [0, 1, 2, LB - 1, LB, LB + 1, 2 * LB, (LB * B) / 4, LB * B - 1, LB * B, LB * B + 1, 3 * LB * B, 2 * B * B];
  for (const N of sizes) {
    for (const order of ['asc', 'desc', 'random'] as const) {
      const rnd = lcg(N * 7 + order.length);
      const z = new ZSet();
      const m = new Map<string, number>();
      for (let i = 0; i < N; i++) {
        const v = order === 'asc' ? i : order === 'desc' ? N - i : rnd(N);
        const k = 'm' + (order === 'random' ? rnd(4 * N) : i);
        z.set(k, v);
        m.set(k, v);
      }
      checkSampled(z, m, rnd);
      // delete every other member by rank order: leaves shrink below LB/4 and merge
      modelSorted(m).forEach(([k], i) => {
        if (i % 2 === 0) assert.strictEqual(z.delete(k), m.delete(k));
      });
      checkSampled(z, m, rnd);
      // move a third of the rest to new scores (relinks across leaves), some in place
      for (const [k, v] of modelSorted(m)) {
        if (rnd(3) !== 0) continue;
        const to = rnd(2) === 0 ? v + 0.5 : rnd(N + 1);
        z.set(k, to);
        m.set(k, to);
      }
      checkSampled(z, m, rnd);
      // remove a middle rank range spanning many leaves, then a score range
      const sorted = modelSorted(m);
      if (sorted.length > 0) {
        const a = rnd(sorted.length);
        const e = Math.min(sorted.length - 1, a + rnd(2 * B * B));
        assert.deepStrictEqual(z.deleteRangeByRank(a, e), sorted.slice(a, e + 1).map(([k]) => k));
        for (const [k] of sorted.slice(a, e + 1)) m.delete(k);
      }
      checkSampled(z, m, rnd);
      const r: ScoreRange = { min: N / 4, max: N / 2, minex: false, maxex: false };
      const exp = modelSorted(m).filter(([, v]) => v >= r.min && v <= r.max).map(([k]) => k);
      assert.deepStrictEqual(z.deleteRangeByScore(r), exp);
      for (const k of exp) m.delete(k);
      checkSampled(z, m, rnd);
      // and down to nothing, in random order: the height drops back to a single leaf
      const rest = [...m.keys()];
      for (let i = rest.length - 1; i > 0; i--) {
        const j = rnd(i + 1);
        [rest[i], rest[j]] = [rest[j], rest[i]];
      }
      rest.forEach((k, i) => {
        assert.strictEqual(z.delete(k), true);
        m.delete(k);
        if (i % 997 === 0) checkSampled(z, m, rnd);
      });
      checkTree(z);
      assert.strictEqual(height(z), 0);
      assert.strictEqual(z.size, 0);
      assert.strictEqual(z.first(), null);
      assert.strictEqual(z.last(), null);
      assert.deepStrictEqual([...z.entries()], []);
    }
  }
});

test('equal scores order members byte-wise (incl. "" and "\\xff"), lex ranges across leaves', () => {
  const z = new ZSet();
  const m = new Map<string, number>();
  const words = ['', '\x00', '\xff', '\xff\xff', 'a', 'a\x00', 'a\xff', 'b', '\x7f', '\x80', 'ab', 'aa'];
  for (let i = 0; i < 3 * B; i++) words.push('w' + String.fromCharCode(i % 256) + String.fromCharCode((i * 37) % 256));
  for (const w of words) {
    z.set(w, 0);
    m.set(w, 0);
  }
  checkAll(z, m);
  const lex = [...m.keys()].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  assert.deepStrictEqual([...z.entries()].map(([k]) => k), lex);
  assert.strictEqual(z.first()!.member, '');
  assert.strictEqual(z.last()!.member, '\xff\xff');
  const ranges: LexRange[] = [
    { min: -Infinity, max: Infinity, minex: false, maxex: false },
    { min: '', max: '\xff', minex: false, maxex: false },
    { min: '', max: '\xff', minex: true, maxex: true },
    { min: 'a', max: 'w\x80', minex: false, maxex: true },
    { min: 'w', max: Infinity, minex: true, maxex: false },
  ];
  for (const r of ranges) {
    const inl = lex.filter((k) => lexIn(k, r));
    assert.strictEqual(z.countInLex(r), inl.length);
    assert.strictEqual(z.firstInLex(r)?.member ?? null, inl[0] ?? null);
    assert.strictEqual(z.lastInLex(r)?.member ?? null, inl.length ? inl[inl.length - 1] : null);
  }
  // -0 and 0 sort equal: members decide, and the sign is kept as a value
  const s = new ZSet();
  s.set('b', -0);
  s.set('a', 0);
  s.set('c', -0);
  assert.deepStrictEqual([...s.entries()].map(([k]) => k), ['a', 'b', 'c']);
  assert.ok(Object.is(s.score('b'), -0));
  assert.strictEqual(s.set('b', 0), 2);
  assert.ok(Object.is(s.score('b'), 0));
  assert.strictEqual(s.countInScore({ min: 0, max: 0, minex: false, maxex: false }), 3);
  const d = z.deleteRangeByLex({ min: 'a', max: 'b', minex: false, maxex: false });
  assert.deepStrictEqual(d, lex.filter((k) => k >= 'a' && k <= 'b'));
  for (const k of d) m.delete(k);
  checkAll(z, m);
});

test('clones are independent deep copies', () => {
  const rnd = lcg(42);
  const z = new ZSet();
  const m = new Map<string, number>();
  for (let i = 0; i < 5 * B * 4; i++) {
    const k = 'k' + rnd(3000);
    const v = rnd(100);
    z.set(k, v);
    m.set(k, v);
  }
  const c = z.clone();
  const cm = new Map(m);
  checkAll(c, cm);
  for (let i = 0; i < 2000; i++) {
    const k = 'k' + rnd(3000);
    if (rnd(2) === 0) {
      z.set(k, rnd(100));
      c.delete(k);
      cm.delete(k);
    } else {
      z.delete(k);
      const v = rnd(100);
      c.set(k + 'x', v);
      cm.set(k + 'x', v);
    }
  }
  checkAll(c, cm);
  checkTree(z);
});

test('SCAN returns every member present throughout, across deletes and inserts', () => {
  const rnd = lcg(7);
  for (let round = 0; round < 5; round++) {
    const z = new ZSet();
    const all: string[] = [];
    for (let i = 0; i < 2000; i++) {
      const k = 'e' + i;
      z.set(k, rnd(50));
      all.push(k);
    }
    const kept = new Set(all.filter(() => rnd(3) !== 0));
    const seen = new Set<string>();
    let cursor = 0;
    let j = 0;
    do {
      cursor = z.scan(cursor, 1 + rnd(30), (k) => seen.add(k));
      for (let t = 0; t < 40 && j < all.length; t++, j++) {
        if (!kept.has(all[j])) z.delete(all[j]);
        if (rnd(4) === 0) z.set('new' + j, rnd(50));
      }
    } while (cursor !== 0);
    for (const k of kept) assert.ok(seen.has(k), `SCAN missed ${k}`);
  }
});
