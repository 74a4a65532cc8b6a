/*
 * Sorted sets: a skip list with spans (Redis's zskiplist) plus a member -> score index.
 *
 * Design:
 *  - Elements are ordered by (score, member), members compared byte-wise (latin1 JS strings:
 *    `<` on one-byte code units is memcmp order, shorter prefix first). Scores are never NaN.
 *  - Each node keeps, per level, its forward pointer and the span (number of bottom-level steps
 *    that pointer jumps), so insert, delete, rank and "element at rank" are O(log n). Level 0 is
 *    two plain fields (`nx`, span always 1) because 3 nodes in 4 have no other level; upper levels
 *    share one packed array of [forward, span] pairs. A score update that moves a node relinks the
 *    same node. Searches reuse module-level scratch arrays, so only inserts allocate.
 *  - The member index is a Map to the node plus a dense array of nodes (`slots`, the ScanMap
 *    discipline inlined), which gives O(1) score lookup, uniform random members and a SCAN cursor
 *    with Redis's guarantee (ZSCAN on a skiplist-encoded set).
 *  - One structure serves both of Redis's encodings: the caller records the encoding name on the
 *    RObj ('listpack' while small, 'skiplist' once over zset-max-listpack-*), see `encodingFor`.
 *    Only OBJECT ENCODING, ZSCAN and ZRANDMEMBER behave differently by encoding.
 *
 * Public API (used by zsets, geo and sort):
 *   new ZSet()                          empty set
 *   z.size                              number of members
 *   z.score(member)                     score or undefined
 *   z.set(member, score)                insert or update; returns 0 unchanged, 1 added, 2 updated
 *   z.delete(member)                    true if it was there
 *   z.rank(member, reverse?)            0-based rank or -1
 *   z.atRank(rank)                      node at 0-based rank (ascending) or null
 *   z.first() / z.last()                lowest / highest node or null
 *   ZNode: .member .score .next() .prev  walk in order from any node
 *   z.firstInScore(r) / lastInScore(r)  first/last node inside a ScoreRange, or null
 *   z.firstInLex(r) / lastInLex(r)      first/last node inside a LexRange, or null
 *   z.countInScore(r) / countInLex(r)   O(log n) counts
 *   z.deleteRangeByScore(r) / ByLex(r) / ByRank(start, end)  remove, returning removed members
 *   z.entries()                         [member, score] in ascending order
 *   z.scan(cursor, count, emit)         SCAN cursor over members (any order), ScanMap semantics
 *   z.randomMember()                    uniform random member or undefined
 *   z.clone()                           deep copy
 *   z.maxMemberLength()                 longest member, for the listpack size rule (O(n))
 *   encodingFor(size, maxLen)           'listpack' | 'skiplist' per the current limits
 */

import { limits } from './encoding';

const MAX_LEVEL = 32;
const P = 0.25;

/**
 * A node's levels above the bottom one, interleaved in one packed array: [forward(1), span(1),
 * forward(2), span(2), ...]. One array instead of two saves a header and a cache line per node
 * visited, and building it with push keeps the elements packed (no holes to check on reads).
 */
type Levels = (ZNode | number | null)[];

/** Offset in `Levels` of level i's forward pointer (i >= 1); its span is at the next index. */
function fo(i: number): number {
  return 2 * i - 2;
}

/** [null, 0] for every level above 0; built with push so its elements are packed */
const LEVELS_TEMPLATE: Levels = [];
for (let i = 1; i < MAX_LEVEL; i++) LEVELS_TEMPLATE.push(null, 0);

export class ZNode {
  readonly member: string;
  score: number;
  /** previous node at level 0 (null for the first) */
  prev: ZNode | null;
  /** next node at level 0; its span is 1 whenever it is set, so no span is stored */
  nx: ZNode | null;
  /** levels 1.. (see Levels); null for the three nodes in four that only have level 0 */
  up: Levels | null;
  /** index in the owning set's `slots` array (the SCAN / random-member order) */
  slot: number;
  constructor(member: string, score: number, level: number) {
    this.member = member;
    this.score = score;
    this.prev = null;
    this.nx = null;
    this.up = null;
    this.slot = 0;
    // slice of a packed template: exact capacity (push would reserve 16+ slots) and packed kind
    if (level > 1) this.up = LEVELS_TEMPLATE.slice(0, fo(level));
  }
  next(): ZNode | null {
    return this.nx;
  }
}

/** Number of levels of a node (1 when it has no upper levels). */
function levelOf(n: ZNode): number {
  return n.up === null ? 1 : (n.up.length >> 1) + 1;
}

/** Forward pointer of x at level i (x must have that level). */
function fwdAt(x: ZNode, i: number): ZNode | null {
  return i === 0 ? x.nx : (x.up![fo(i)] as ZNode | null);
}

/** Span of x's forward pointer at level i (meaningful only when that pointer is set). */
function spanAt(x: ZNode, i: number): number {
  return i === 0 ? 1 : (x.up![fo(i) + 1] as number);
}

/*
 * Scratch for insert/remove: the last node before the target at each level, and its rank.
 * Module-level so no operation allocates them; cleared after use so they never keep a deleted
 * set's nodes alive.
 */
const UPDATE: (ZNode | null)[] = [];
const RANK: number[] = [];
for (let i = 0; i < MAX_LEVEL; i++) {
  UPDATE.push(null);
  RANK.push(0);
}

/** A score interval; `minex`/`maxex` make the bound exclusive. */
export interface ScoreRange {
  min: number;
  max: number;
  minex: boolean;
  maxex: boolean;
}

/**
 * A lexicographic interval. A bound is a member string, or -Infinity/+Infinity for "-" and "+".
 * `minex`/`maxex` make a string bound exclusive.
 */
export interface LexRange {
  min: string | number;
  max: string | number;
  minex: boolean;
  maxex: boolean;
}

function randomLevel(): number {
  let l = 1;
  while (l < MAX_LEVEL && Math.random() < P) l++;
  return l;
}

/** (score, member) strictly before (s2, m2)? */
function before(s1: number, m1: string, s2: number, m2: string): boolean {
  return s1 < s2 || (s1 === s2 && m1 < m2);
}

export function scoreGteMin(s: number, r: ScoreRange): boolean {
  return r.minex ? s > r.min : s >= r.min;
}
export function scoreLteMax(s: number, r: ScoreRange): boolean {
  return r.maxex ? s < r.max : s <= r.max;
}
export function lexGteMin(m: string, r: LexRange): boolean {
  if (typeof r.min === 'number') return r.min < 0;
  return r.minex ? m > r.min : m >= r.min;
}
export function lexLteMax(m: string, r: LexRange): boolean {
  if (typeof r.max === 'number') return r.max > 0;
  return r.maxex ? m < r.max : m <= r.max;
}

/** True if no score can fall inside the range (Redis's zslIsInRange empty check). */
export function scoreRangeEmpty(r: ScoreRange): boolean {
  return r.min > r.max || (r.min === r.max && (r.minex || r.maxex));
}

/** True if no member can fall inside the range. */
export function lexRangeEmpty(r: LexRange): boolean {
  const c = lexCmp(r.min, r.max);
  return c > 0 || (c === 0 && (r.minex || r.maxex || typeof r.min === 'number'));
}

/** Orders lex bounds: "-" below every string, "+" above (Redis's sdscmplex). */
function lexCmp(a: string | number, b: string | number): number {
  if (a === b) return 0;
  if (typeof a === 'number') return a < 0 ? -1 : 1;
  if (typeof b === 'number') return b > 0 ? -1 : 1;
  return a < b ? -1 : 1;
}

export class ZSet {
  private readonly head = new ZNode('', 0, MAX_LEVEL);
  private tail: ZNode | null = null;
  private level = 1;
  private length = 0;
  /** member -> node */
  private readonly index = new Map<string, ZNode>();
  /**
   * Every node, densely packed; node.slot is its position. Deleting moves the last node into the
   * hole, so entries only ever move down and inserts append on top: the ScanMap discipline
   * (src/data/scanmap.ts) that gives SCAN its guarantee, kept inline so a lookup is one Map probe.
   */
  private slots: ZNode[] = [];

  get size(): number {
    return this.length;
  }

  score(member: string): number | undefined {
    const n = this.index.get(member);
    return n === undefined ? undefined : n.score;
  }

  /** Inserts or updates. Returns 0 when the score was already that, 1 added, 2 updated. */
  set(member: string, score: number): 0 | 1 | 2 {
    const n = this.index.get(member);
    if (n === undefined) {
      const node = new ZNode(member, score, randomLevel());
      this.link(node);
      node.slot = this.slots.length;
      this.slots.push(node);
      this.index.set(member, node);
      return 1;
    }
    if (n.score === score && Object.is(n.score, score)) return 0;
    // Stays in place when still between its neighbours: just change the score (zslUpdateScore).
    const p = n.prev;
    const nx = n.nx;
    if ((p === null || before(p.score, p.member, score, member)) && (nx === null || before(score, member, nx.score, nx.member))) {
      n.score = score;
      return 2;
    }
    // Otherwise unlink and relink the same node (same level): the index entry stays valid.
    this.unlink(n);
    n.score = score;
    this.link(n);
    return 2;
  }

  delete(member: string): boolean {
    const n = this.index.get(member);
    if (n === undefined) return false;
    this.unlink(n);
    this.index.delete(member);
    const slots = this.slots;
    const last = slots.pop()!;
    if (last !== n) {
      slots[n.slot] = last;
      last.slot = n.slot;
    }
    return true;
  }

  first(): ZNode | null {
    return this.head.nx;
  }

  last(): ZNode | null {
    return this.tail;
  }

  /** 0-based rank (ascending, or descending when `reverse`), -1 if absent. O(log n). */
  rank(member: string, reverse = false): number {
    const n = this.index.get(member);
    if (n === undefined) return -1;
    const score = n.score;
    let x = this.head;
    let r = 0;
    for (let i = this.level - 1; i >= 1 && x !== n; i--) {
      const k = fo(i);
      let lv = x.up!;
      let f = lv[k] as ZNode | null;
      // advance while f <= n
      while (f !== null && (f.score < score || (f.score === score && (f === n || f.member < member)))) {
        r += lv[k + 1] as number;
        x = f;
        lv = x.up!;
        f = lv[k] as ZNode | null;
      }
    }
    if (x !== n) {
      // n is reached at level 0 by following nx; counting steps is cheaper than comparing
      for (let f = x.nx; f !== null; f = f.nx) {
        r++;
        if (f === n) break;
      }
    }
    // r is the 1-based rank of n
    return reverse ? this.length - r : r - 1;
  }

  /** Node at 0-based ascending rank, or null. O(log n). */
  atRank(rank: number): ZNode | null {
    if (rank < 0 || rank >= this.length) return null;
    const target = rank + 1;
    let x = this.head;
    let traversed = 0;
    for (let i = this.level - 1; i >= 1; i--) {
      const k = fo(i);
      let lv = x.up!;
      let f = lv[k] as ZNode | null;
      while (f !== null && traversed + (lv[k + 1] as number) <= target) {
        traversed += lv[k + 1] as number;
        x = f;
        lv = x.up!;
        f = lv[k] as ZNode | null;
      }
      if (traversed === target) return x;
    }
    while (traversed < target && x.nx !== null) {
      x = x.nx;
      traversed++;
    }
    return traversed === target ? x : null;
  }

  firstInScore(r: ScoreRange): ZNode | null {
    if (scoreRangeEmpty(r)) return null;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let f = fwdAt(x, i); f !== null && !scoreGteMin(f.score, r); f = fwdAt(x, i)) x = f;
    }
    const f = x.nx;
    return f !== null && scoreLteMax(f.score, r) ? f : null;
  }

  lastInScore(r: ScoreRange): ZNode | null {
    if (scoreRangeEmpty(r)) return null;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let f = fwdAt(x, i); f !== null && scoreLteMax(f.score, r); f = fwdAt(x, i)) x = f;
    }
    return x !== this.head && scoreGteMin(x.score, r) ? x : null;
  }

  firstInLex(r: LexRange): ZNode | null {
    if (lexRangeEmpty(r)) return null;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let f = fwdAt(x, i); f !== null && !lexGteMin(f.member, r); f = fwdAt(x, i)) x = f;
    }
    const f = x.nx;
    return f !== null && lexLteMax(f.member, r) ? f : null;
  }

  lastInLex(r: LexRange): ZNode | null {
    if (lexRangeEmpty(r)) return null;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let f = fwdAt(x, i); f !== null && lexLteMax(f.member, r); f = fwdAt(x, i)) x = f;
    }
    return x !== this.head && lexGteMin(x.member, r) ? x : null;
  }

  /** Number of members with score in range. O(log n). */
  countInScore(r: ScoreRange): number {
    const f = this.firstInScore(r);
    if (f === null) return 0;
    const l = this.lastInScore(r)!;
    return this.rank(l.member) - this.rank(f.member) + 1;
  }

  countInLex(r: LexRange): number {
    const f = this.firstInLex(r);
    if (f === null) return 0;
    const l = this.lastInLex(r)!;
    return this.rank(l.member) - this.rank(f.member) + 1;
  }

  /** Removes members with score in range; returns them in ascending order. */
  deleteRangeByScore(r: ScoreRange): string[] {
    const out: string[] = [];
    for (let n = this.firstInScore(r); n !== null && scoreLteMax(n.score, r); ) {
      const next = n.nx;
      out.push(n.member);
      this.delete(n.member);
      n = next;
    }
    return out;
  }

  deleteRangeByLex(r: LexRange): string[] {
    const out: string[] = [];
    for (let n = this.firstInLex(r); n !== null && lexLteMax(n.member, r); ) {
      const next = n.nx;
      out.push(n.member);
      this.delete(n.member);
      n = next;
    }
    return out;
  }

  /** Removes ranks start..end (0-based, inclusive, already clamped); returns the members. */
  deleteRangeByRank(start: number, end: number): string[] {
    const out: string[] = [];
    let n = this.atRank(start);
    for (let i = start; i <= end && n !== null; i++) {
      const next = n.nx;
      out.push(n.member);
      this.delete(n.member);
      n = next;
    }
    return out;
  }

  *entries(): IterableIterator<[string, number]> {
    for (let n = this.head.nx; n !== null; n = n.nx) yield [n.member, n.score];
  }

  /**
   * Visits up to `count` members below `cursor` (0 = start), top slot down; returns the next
   * cursor, 0 when done. A cursor beyond the size (stale or invented) starts a new iteration.
   * `emit` must not modify the set.
   */
  scan(cursor: number, count: number, emit: (member: string, score: number) => void): number {
    const slots = this.slots;
    const n = slots.length;
    let pos = cursor > 0 && cursor <= n ? Math.floor(cursor) : n;
    const stop = Math.max(0, pos - Math.max(1, count));
    while (pos > stop) {
      pos--;
      const node = slots[pos];
      emit(node.member, node.score);
    }
    return pos;
  }

  randomMember(): string | undefined {
    const n = this.slots.length;
    if (n === 0) return undefined;
    return this.slots[Math.floor(Math.random() * n)].member;
  }

  clone(): ZSet {
    const z = new ZSet();
    // Appending in order: each insert lands at the tail.
    for (let n = this.head.nx; n !== null; n = n.nx) z.set(n.member, n.score);
    return z;
  }

  maxMemberLength(): number {
    let m = 0;
    for (let n = this.head.nx; n !== null; n = n.nx) if (n.member.length > m) m = n.member.length;
    return m;
  }

  /* ------------------------------------------------------------------ skip list internals */

  /** Links a detached node at its (score, member) position, with the levels it was built with. */
  private link(n: ZNode): void {
    const score = n.score;
    const member = n.member;
    const head = this.head;
    let x = head;
    let r = 0;
    for (let i = this.level - 1; i >= 1; i--) {
      const k = fo(i);
      let lv = x.up!;
      let f = lv[k] as ZNode | null;
      while (f !== null && (f.score < score || (f.score === score && f.member < member))) {
        r += lv[k + 1] as number;
        x = f;
        lv = x.up!;
        f = lv[k] as ZNode | null;
      }
      UPDATE[i] = x;
      RANK[i] = r;
    }
    for (let f = x.nx; f !== null && (f.score < score || (f.score === score && f.member < member)); f = x.nx) {
      r++;
      x = f;
    }
    // x precedes n at level 0 and r is x's rank (head = 0)
    const level = levelOf(n);
    const hup = head.up!;
    if (level > this.level) {
      for (let i = this.level; i < level; i++) {
        RANK[i] = 0;
        UPDATE[i] = head;
        hup[fo(i) + 1] = this.length;
      }
      this.level = level;
    }
    n.nx = x.nx;
    x.nx = n;
    n.prev = x === head ? null : x;
    if (n.nx !== null) n.nx.prev = n;
    else this.tail = n;
    const nup = n.up;
    for (let i = 1; i < level; i++) {
      const u = UPDATE[i]!.up!;
      const k = fo(i);
      const d = r - RANK[i];
      nup![k] = u[k];
      u[k] = n;
      nup![k + 1] = (u[k + 1] as number) - d;
      u[k + 1] = d + 1;
    }
    for (let i = level; i < this.level; i++) {
      const u = UPDATE[i]!.up!;
      u[fo(i) + 1] = (u[fo(i) + 1] as number) + 1;
    }
    for (let i = 1; i < this.level; i++) UPDATE[i] = null;
    this.length++;
  }

  /** Detaches a linked node (its own pointers are left stale; link() rewrites them). */
  private unlink(n: ZNode): void {
    const score = n.score;
    const member = n.member;
    const head = this.head;
    let x = head;
    const top = this.level;
    for (let i = top - 1; i >= 1; i--) {
      const k = fo(i);
      let lv = x.up!;
      let f = lv[k] as ZNode | null;
      while (f !== null && f !== n && (f.score < score || (f.score === score && f.member < member))) {
        x = f;
        lv = x.up!;
        f = lv[k] as ZNode | null;
      }
      UPDATE[i] = x;
    }
    const nup = n.up;
    for (let i = 1; i < top; i++) {
      const u = UPDATE[i]!.up!;
      const k = fo(i);
      if (u[k] === n) {
        u[k + 1] = (u[k + 1] as number) + (nup![k + 1] as number) - 1;
        u[k] = nup![k];
      } else {
        u[k + 1] = (u[k + 1] as number) - 1;
      }
      UPDATE[i] = null;
    }
    // level 0 needs no search: the predecessor is n.prev
    const p = n.prev === null ? head : n.prev;
    p.nx = n.nx;
    if (n.nx !== null) n.nx.prev = n.prev;
    else this.tail = n.prev;
    const hup = head.up!;
    while (this.level > 1 && hup[fo(this.level - 1)] === null) this.level--;
    this.length--;
  }
}

/** The encoding Redis picks for a sorted set of this size and longest member. */
export function encodingFor(size: number, maxLen: number): 'listpack' | 'skiplist' {
  return size <= limits.zsetMaxListpackEntries && maxLen <= limits.zsetMaxListpackValue ? 'listpack' : 'skiplist';
}
