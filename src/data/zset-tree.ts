/*
 * The ordered part of a sorted set: a counted (order-statistics) B+tree of (score, member)
 * entries, ordered by score then member byte-wise (latin1 `<`), -0 and 0 equal. src/data/zset.ts
 * puts the member index on top of it.
 *
 * Why a B+tree and not Redis's skip list: every skip-list step is a dependent cache miss (~25-50
 * per search at 100k members, two searches per score change). Here a search reads a few
 * contiguous arrays per level and there are ~3 levels at 100k members (inner fan-out B = 64,
 * leaves of up to LB = 32 entries), so a score change costs a handful of misses and a shift of
 * at most LB entries inside one leaf. (LB = 32 measured as fast as 64 at 100k members and
 * faster at 1k, where shifting and scanning a leaf is most of the work.)
 *
 * Shape and invariants:
 *  - Leaves are not objects but numbers: leaf L keeps its entries, sorted, in the tree's pools
 *    `ls` (scores) and `lm` (members) at [L*LB, L*LB + count), and its count, next and previous leaf
 *    (NIL at the ends) in `meta` at 3L, 3L+1, 3L+2. Reaching an entry is then one load from a
 *    pool whose header is hot, where a leaf object would add its own miss and one per array
 *    header. Slots past a leaf's count hold 0 / '' (no stale member kept alive). Freed leaves go
 *    to a free list; once three quarters of the leaves are free the pools are compacted in leaf
 *    order (amortized O(1) per removal).
 *  - A set that fits in one leaf is just leaf 0, its pools sized to the content (doubling up to
 *    LB): most sorted sets are small.
 *  - An Inner node holds its children (`kids`: Inner objects, or leaf numbers one level above the
 *    leaves), the number of entries below each child (`cnt`), and per child k >= 1 a separator key
 *    (`ks[k]`, `km[k]`): every entry of child k-1 is below it and every entry of child k is at or
 *    above it (index 0 is unused). Separators are bounds, not necessarily present keys, so a
 *    deletion never has to rewrite them; only splits, merges and borrows set them.
 *  - Every leaf but the root holds at least LMIN entries and every inner node but the root at
 *    least MIN children; the root inner node has at least 2. So leaves are never empty (except the root
 *    of an empty set) and the height is O(log n). All leaves are at depth `height`.
 *  - Rank queries sum `cnt` left of the descent path: rank, element-at-rank and counts are
 *    O(log n).
 * A descent records its path in `pn`/`pi` (per tree, so no module state keeps a dropped set
 * alive); an update then fixes counts and splits or rebalances bottom-up along it.
 */

import { B, MIN, Inner, type KeyTest, sum, childFor, childWhile, insNode, insNum, insStr, dropChild, rebalanceInner } from './zset-inner';

const NO_NODES: Inner[] = [];
const NO_INDEXES: number[] = [];

/** Most entries of a leaf (its stride in the pools). */
export const LB = 32;
/** Fewest entries of a non-root leaf. */
const LMIN = LB >> 2;
/** No leaf. */
export const NIL = -1;

export class ZTree {
  /** @internal scores of leaf L at [L*LB, L*LB + count) */
  ls: number[] = [];
  /** @internal members, parallel to ls */
  lm: string[] = [];
  /** @internal per leaf L: count at 3L, next leaf at 3L+1, previous at 3L+2 */
  meta: number[] = [0, NIL, NIL];
  /** @internal */
  root: Inner | number = 0;
  /** @internal inner levels above the leaves */
  height = 0;
  /** @internal first and last leaf */
  head = 0;
  /** @internal */
  tail = 0;
  private freeLeaves: number[] = NO_INDEXES;
  /** the last descent: inner node and child index per depth */
  private pn: Inner[] = NO_NODES;
  private pi: number[] = NO_INDEXES;
  /** result of a positioning call: leaf (NIL: none), position in it, rank (0-based) */
  protected fLeaf = NIL;
  protected fPos = 0;
  protected fRank = 0;

  /* ------------------------------------------------------------------ updates */

  /** Adds an entry whose key is not present. */
  protected treeInsert(s: number, m: string): void {
    let node = this.root;
    const h = this.height;
    for (let d = 0; d < h; d++) {
      const x = node as Inner;
      const i = childFor(x, s, m);
      x.cnt[i]++;
      this.pn[d] = x;
      this.pi[d] = i;
      node = x.kids[i];
    }
    const L = node as number;
    const p = this.leafPos(L, s, m);
    const n = this.meta[3 * L];
    if (n === LB) {
      // full: split, then insert into the half the entry belongs to
      const R = this.splitLeaf(L);
      const half = LB >> 1;
      if (p > half) this.put(R, p - half, s, m);
      else this.put(L, p, s, m);
      this.addChild(h - 1, R, this.meta[3 * L], this.meta[3 * R], this.ls[LB * R], this.lm[LB * R]);
      return;
    }
    if (LB * L + n === this.ls.length) this.grow(n);
    this.put(L, p, s, m);
  }

  /** Removes the present entry (s, m). */
  protected treeRemove(s: number, m: string): void {
    const L = this.locate(s, m);
    this.removeAt(L, this.leafPos(L, s, m));
  }

  /**
   * Changes the score of the present entry (s, m) to `to`. In place when the entry keeps its
   * position (cheap for small increments and for -0 -> 0), else removed and inserted again.
   */
  protected treeMove(s: number, m: string, to: number): void {
    const L = this.locate(s, m);
    const p = this.leafPos(L, s, m);
    const o = LB * L + p;
    const ls = this.ls;
    if (to === s) {
      ls[o] = to;
      return;
    }
    const lm = this.lm;
    const meta = this.meta;
    const up = to > s;
    // the neighbours (or, at a leaf end, the direction) must keep (to, m) in place
    const leftOk = p > 0 ? ls[o - 1] < to || (ls[o - 1] === to && lm[o - 1] < m) : meta[3 * L + 2] === NIL || up;
    const rightOk = p < meta[3 * L] - 1 ? to < ls[o + 1] || (to === ls[o + 1] && m < lm[o + 1]) : meta[3 * L + 1] === NIL || !up;
    if (leftOk && rightOk) {
      ls[o] = to;
      return;
    }
    // re-insert the string the tree holds, not the caller's (usually a fresh copy from the
    // request): storing that would promote it out of the young generation and keep two copies
    const kept = lm[o];
    this.removeAt(L, p);
    this.treeInsert(to, kept);
  }

  /** Descends to the leaf holding (s, m), recording the path. */
  private locate(s: number, m: string): number {
    let node = this.root;
    const h = this.height;
    for (let d = 0; d < h; d++) {
      const x = node as Inner;
      const i = childFor(x, s, m);
      this.pn[d] = x;
      this.pi[d] = i;
      node = x.kids[i];
    }
    return node as number;
  }

  /**
   * Position in leaf L of the first entry not below (s, m). A linear scan, not a binary search:
   * a cold leaf costs one miss and then streams, where a binary search takes a dependent miss
   * per probed cache line.
   */
  private leafPos(L: number, s: number, m: string): number {
    const ls = this.ls;
    const o = LB * L;
    const e = o + this.meta[3 * L];
    let p = o;
    while (p < e && ls[p] < s) p++;
    if (p < e && ls[p] === s) {
      const lm = this.lm;
      while (p < e && ls[p] === s && lm[p] < m) p++;
    }
    return p - o;
  }

  /** Inserts at position p of leaf L, which has room. */
  private put(L: number, p: number, s: number, m: string): void {
    const ls = this.ls;
    const lm = this.lm;
    const o = LB * L;
    const n = this.meta[3 * L];
    for (let j = o + n; j > o + p; j--) {
      ls[j] = ls[j - 1];
      lm[j] = lm[j - 1];
    }
    ls[o + p] = s;
    lm[o + p] = m;
    this.meta[3 * L] = n + 1;
  }

  /** Room for the single leaf of a small set: its pools double, up to LB. */
  private grow(n: number): void {
    const want = Math.min(LB, n < 2 ? 4 : 2 * n);
    const ls = this.ls;
    const lm = this.lm;
    while (ls.length < want) {
      ls.push(0);
      lm.push('');
    }
  }

  /** Removes entry p of leaf L, reached by the last descent, fixing counts and fill. */
  private removeAt(L: number, p: number): void {
    const h = this.height;
    for (let d = 0; d < h; d++) this.pn[d].cnt[this.pi[d]]--;
    const ls = this.ls;
    const lm = this.lm;
    const o = LB * L;
    const e = o + this.meta[3 * L] - 1;
    for (let j = o + p; j < e; j++) {
      ls[j] = ls[j + 1];
      lm[j] = lm[j + 1];
    }
    ls[e] = 0;
    lm[e] = '';
    const n = --this.meta[3 * L];
    if (h > 0 && n < LMIN) {
      this.rebalance(h - 1);
      this.maybeCompact();
    }
  }

  /** Moves the upper half of the full leaf L into a new leaf linked after it; returns it. */
  private splitLeaf(L: number): number {
    const R = this.newLeaf();
    const ls = this.ls;
    const lm = this.lm;
    const meta = this.meta;
    const half = LB >> 1;
    const from = LB * L + half;
    const to = LB * R;
    for (let j = 0; j < LB - half; j++) {
      ls[to + j] = ls[from + j];
      lm[to + j] = lm[from + j];
      ls[from + j] = 0;
      lm[from + j] = '';
    }
    meta[3 * L] = half;
    meta[3 * R] = LB - half;
    const next = meta[3 * L + 1];
    meta[3 * R + 1] = next;
    meta[3 * R + 2] = L;
    meta[3 * L + 1] = R;
    if (next !== NIL) meta[3 * next + 2] = R;
    else this.tail = R;
    return R;
  }

  private newLeaf(): number {
    if (this.freeLeaves.length > 0) return this.freeLeaves.pop()!;
    const meta = this.meta;
    const id = meta.length / 3;
    meta.push(0, NIL, NIL);
    const ls = this.ls;
    const lm = this.lm;
    const end = LB * (id + 1);
    while (ls.length < end) {
      ls.push(0);
      lm.push('');
    }
    return id;
  }

  private freeLeaf(L: number): void {
    if (this.freeLeaves === NO_INDEXES) this.freeLeaves = [];
    this.freeLeaves.push(L);
    const meta = this.meta;
    meta[3 * L] = 0;
    meta[3 * L + 1] = NIL;
    meta[3 * L + 2] = NIL;
  }

  /**
   * Puts `node`, split off the right of pn[d].kids[pi[d]], after it in pn[d] (a new root when
   * d < 0), with the entry counts of both halves and the separator between them.
   */
  private addChild(d: number, node: Inner | number, leftCnt: number, rightCnt: number, sepS: number, sepM: string): void {
    if (d < 0) {
      this.root = new Inner([this.root, node], [leftCnt, rightCnt], [-Infinity, sepS], ['', sepM]);
      if (this.height === 0) {
        this.pn = [];
        this.pi = [];
      }
      this.height++;
      this.pn.push(this.root);
      this.pi.push(0);
      return;
    }
    const x = this.pn[d];
    const i = this.pi[d] + 1;
    x.cnt[i - 1] = leftCnt;
    insNode(x.kids, i, node);
    insNum(x.cnt, i, rightCnt);
    insNum(x.ks, i, sepS);
    insStr(x.km, i, sepM);
    if (x.kids.length > B) {
      const n = x.kids.length;
      const half = n >> 1;
      const right = new Inner(x.kids.slice(half), x.cnt.slice(half), x.ks.slice(half), x.km.slice(half));
      x.kids.length = half;
      x.cnt.length = half;
      x.ks.length = half;
      x.km.length = half;
      this.addChild(d - 1, right, sum(x.cnt, 0, half), sum(right.cnt, 0, right.cnt.length), right.ks[0], right.km[0]);
    }
  }

  /** pn[d].kids[pi[d]] fell under MIN: merge it with a sibling or even them out. */
  private rebalance(d: number): void {
    const x = this.pn[d];
    const i = this.pi[d];
    const j = i > 0 ? i - 1 : 0;
    if (d === this.height - 1) this.rebalanceLeaves(x, j);
    else rebalanceInner(x, j);
    if (x.kids.length >= MIN) return;
    if (d === 0) {
      if (x.kids.length === 1) {
        this.root = x.kids[0];
        this.height--;
        this.pn.length = this.height;
        this.pi.length = this.height;
      }
    } else if (x.kids.length < MIN) this.rebalance(d - 1);
  }

  private rebalanceLeaves(x: Inner, j: number): void {
    const L = x.kids[j] as number;
    const R = x.kids[j + 1] as number;
    const meta = this.meta;
    const ls = this.ls;
    const lm = this.lm;
    const ln = meta[3 * L];
    const rn = meta[3 * R];
    const lo = LB * L;
    const ro = LB * R;
    if (ln + rn <= LB) {
      for (let t = 0; t < rn; t++) {
        ls[lo + ln + t] = ls[ro + t];
        lm[lo + ln + t] = lm[ro + t];
        ls[ro + t] = 0;
        lm[ro + t] = '';
      }
      meta[3 * L] = ln + rn;
      const next = meta[3 * R + 1];
      meta[3 * L + 1] = next;
      if (next !== NIL) meta[3 * next + 2] = L;
      else this.tail = L;
      this.freeLeaf(R);
      dropChild(x, j);
      return;
    }
    // borrow: half of the difference moves to the smaller side
    const k = Math.abs(ln - rn) >> 1;
    if (ln < rn) {
      for (let t = 0; t < k; t++) {
        ls[lo + ln + t] = ls[ro + t];
        lm[lo + ln + t] = lm[ro + t];
      }
      for (let t = k; t < rn; t++) {
        ls[ro + t - k] = ls[ro + t];
        lm[ro + t - k] = lm[ro + t];
      }
      for (let t = rn - k; t < rn; t++) {
        ls[ro + t] = 0;
        lm[ro + t] = '';
      }
      x.cnt[j] += k;
      x.cnt[j + 1] -= k;
    } else {
      for (let t = rn - 1; t >= 0; t--) {
        ls[ro + t + k] = ls[ro + t];
        lm[ro + t + k] = lm[ro + t];
      }
      for (let t = 0; t < k; t++) {
        ls[ro + t] = ls[lo + ln - k + t];
        lm[ro + t] = lm[lo + ln - k + t];
        ls[lo + ln - k + t] = 0;
        lm[lo + ln - k + t] = '';
      }
      x.cnt[j] -= k;
      x.cnt[j + 1] += k;
    }
    meta[3 * L] = ln < rn ? ln + k : ln - k;
    meta[3 * R] = ln < rn ? rn - k : rn + k;
    x.ks[j + 1] = ls[ro];
    x.km[j + 1] = lm[ro];
  }

  /**
   * Rewrites the pools densely, in leaf order, once three quarters of the leaves are free. Only
   * between operations (leaf numbers held inside one stay valid). O(leaves * LB), after at least
   * that many removals since the pools were last this size: amortized O(1).
   */
  private maybeCompact(): void {
    const total = this.meta.length / 3;
    const live = total - this.freeLeaves.length;
    if (total < 8 || live * 4 > total) return;
    const { ls, lm, meta } = this;
    const ls2: number[] = [];
    const lm2: string[] = [];
    const meta2: number[] = [];
    const remap = new Int32Array(total);
    let k = 0;
    for (let L = this.head; L !== NIL; L = meta[3 * L + 1], k++) {
      remap[L] = k;
      const n = meta[3 * L];
      for (let t = 0; t < LB; t++) {
        ls2.push(t < n ? ls[LB * L + t] : 0);
        lm2.push(t < n ? lm[LB * L + t] : '');
      }
      meta2.push(n, k + 1, k - 1);
    }
    meta2[3 * (k - 1) + 1] = NIL;
    this.ls = ls2;
    this.lm = lm2;
    this.meta = meta2;
    this.freeLeaves = NO_INDEXES;
    this.head = 0;
    this.tail = k - 1;
    const fix = (x: Inner, depth: number): void => {
      if (depth === this.height - 1) for (let i = 0; i < x.kids.length; i++) x.kids[i] = remap[x.kids[i] as number];
      else for (const c of x.kids) fix(c as Inner, depth + 1);
    };
    if (this.height === 0) this.root = remap[this.root as number];
    else fix(this.root as Inner, 0);
  }

  /* ------------------------------------------------------------------ positioning */

  /** 0-based rank of the present entry (s, m). */
  protected rankOfKey(s: number, m: string): number {
    let node = this.root;
    let r = 0;
    for (let d = this.height; d > 0; d--) {
      const x = node as Inner;
      const i = childFor(x, s, m);
      r += sum(x.cnt, 0, i);
      node = x.kids[i];
    }
    return r + this.leafPos(node as number, s, m);
  }

  /** Positions fLeaf/fPos at 0-based rank r (0 <= r < size). */
  protected seekRank(r: number): void {
    let node = this.root;
    for (let d = this.height; d > 0; d--) {
      const x = node as Inner;
      const c = x.cnt;
      let i = 0;
      while (i < c.length - 1 && r >= c[i]) r -= c[i++];
      node = x.kids[i];
    }
    this.fLeaf = node as number;
    this.fPos = r;
  }

  /** Number of leading entries of leaf L that pass `test`. */
  private leafWhile(L: number, test: KeyTest): number {
    const ls = this.ls;
    const lm = this.lm;
    const o = LB * L;
    let lo = 0;
    let hi = this.meta[3 * L];
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (test(ls[o + mid], lm[o + mid])) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Descends to the leaf holding the boundary of `test` (entries passing it come first); fRank is
   * set to the number of entries in the leaves before that one.
   */
  private descendWhile(test: KeyTest): number {
    let node = this.root;
    let r = 0;
    for (let d = this.height; d > 0; d--) {
      const x = node as Inner;
      const i = childWhile(x, test);
      r += sum(x.cnt, 0, i);
      node = x.kids[i];
    }
    this.fRank = r;
    return node as number;
  }

  /**
   * Positions at the first entry failing `before` (fLeaf NIL when there is none); fRank is the
   * number of entries passing it.
   */
  protected seekFirst(before: KeyTest): void {
    const L = this.descendWhile(before);
    const p = this.leafWhile(L, before);
    this.fRank += p;
    if (p < this.meta[3 * L]) {
      this.fLeaf = L;
      this.fPos = p;
      return;
    }
    this.fLeaf = this.meta[3 * L + 1];
    this.fPos = 0;
  }

  /**
   * Positions at the last entry passing `inside` (fLeaf NIL when there is none); fRank is its
   * rank, so fRank + 1 entries pass.
   */
  protected seekLast(inside: KeyTest): void {
    const L = this.descendWhile(inside);
    const p = this.leafWhile(L, inside) - 1;
    this.fRank += p;
    if (p >= 0) {
      this.fLeaf = L;
      this.fPos = p;
      return;
    }
    const prev = this.meta[3 * L + 2];
    this.fLeaf = prev;
    this.fPos = prev === NIL ? 0 : this.meta[3 * prev] - 1;
  }

  /* ------------------------------------------------------------------ copy */

  /** A deep copy of the tree into `into` (a fresh tree). Leaf numbers stay the same. */
  protected copyTreeInto(into: ZTree): void {
    const copy = (x: Inner, depth: number): Inner => {
      const kids = depth === this.height - 1 ? x.kids.slice() : x.kids.map((c) => copy(c as Inner, depth + 1));
      return new Inner(kids, x.cnt.slice(), x.ks.slice(), x.km.slice());
    };
    into.ls = this.ls.slice();
    into.lm = this.lm.slice();
    into.meta = this.meta.slice();
    into.freeLeaves = this.freeLeaves.length === 0 ? NO_INDEXES : this.freeLeaves.slice();
    into.root = this.height === 0 ? this.root : copy(this.root as Inner, 0);
    into.height = this.height;
    into.head = this.head;
    into.tail = this.tail;
    into.pn = this.height === 0 ? NO_NODES : new Array<Inner>(this.height).fill(into.root as Inner);
    into.pi = this.height === 0 ? NO_INDEXES : new Array<number>(this.height).fill(0);
  }
}
