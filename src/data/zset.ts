/*
 * Sorted sets: a skip list with spans (Redis's zskiplist) plus a member -> score index.
 *
 * Design:
 *  - Elements are ordered by (score, member), members compared byte-wise (latin1 JS strings:
 *    `<` on one-byte code units is memcmp order, shorter prefix first). Scores are never NaN.
 *  - Each node keeps, per level, its forward pointer and the span (number of bottom-level steps
 *    that pointer jumps), so insert, delete, rank and "element at rank" are O(log n).
 *  - The member index is a ScanMap, which gives O(1) score lookup, uniform random members and a
 *    SCAN cursor with Redis's guarantee (ZSCAN on a skiplist-encoded set).
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
 *   z.scan(cursor, count, emit)         ScanMap cursor over members (any order)
 *   z.randomMember()                    uniform random member or undefined
 *   z.clone()                           deep copy
 *   z.maxMemberLength()                 longest member, for the listpack size rule (O(n))
 *   encodingFor(size, maxLen)           'listpack' | 'skiplist' per the current limits
 */

import { ScanMap } from './scanmap';
import { limits } from './encoding';

const MAX_LEVEL = 32;
const P = 0.25;

export class ZNode {
  /** forward pointer per level */
  readonly fwd: (ZNode | null)[];
  /** span per level: bottom-level steps the forward pointer covers */
  readonly span: number[];
  /** previous node at level 0 (null for the first) */
  prev: ZNode | null = null;
  constructor(
    public readonly member: string,
    public score: number,
    level: number,
  ) {
    this.fwd = new Array(level).fill(null);
    this.span = new Array(level).fill(0);
  }
  next(): ZNode | null {
    return this.fwd[0];
  }
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

function scoreGteMin(s: number, r: ScoreRange): boolean {
  return r.minex ? s > r.min : s >= r.min;
}
function scoreLteMax(s: number, r: ScoreRange): boolean {
  return r.maxex ? s < r.max : s <= r.max;
}
function lexGteMin(m: string, r: LexRange): boolean {
  if (typeof r.min === 'number') return r.min < 0;
  return r.minex ? m > r.min : m >= r.min;
}
function lexLteMax(m: string, r: LexRange): boolean {
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
  readonly dict = new ScanMap<ZNode>();

  get size(): number {
    return this.length;
  }

  score(member: string): number | undefined {
    const n = this.dict.get(member);
    return n === undefined ? undefined : n.score;
  }

  /** Inserts or updates. Returns 0 when the score was already that, 1 added, 2 updated. */
  set(member: string, score: number): 0 | 1 | 2 {
    const n = this.dict.get(member);
    if (n === undefined) {
      this.dict.set(member, this.insertNode(member, score));
      return 1;
    }
    if (n.score === score && Object.is(n.score, score)) return 0;
    // Stays in place when still between its neighbours: just change the score (zslUpdateScore).
    const p = n.prev;
    const nx = n.fwd[0];
    if ((p === null || before(p.score, p.member, score, member)) && (nx === null || before(score, member, nx.score, nx.member))) {
      n.score = score;
      return 2;
    }
    this.removeNode(n);
    this.dict.set(member, this.insertNode(member, score));
    return 2;
  }

  delete(member: string): boolean {
    const n = this.dict.get(member);
    if (n === undefined) return false;
    this.removeNode(n);
    this.dict.delete(member);
    return true;
  }

  first(): ZNode | null {
    return this.head.fwd[0];
  }

  last(): ZNode | null {
    return this.tail;
  }

  /** 0-based rank (ascending, or descending when `reverse`), -1 if absent. O(log n). */
  rank(member: string, reverse = false): number {
    const n = this.dict.get(member);
    if (n === undefined) return -1;
    let x = this.head;
    let r = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let f = x.fwd[i]; f !== null && !before(n.score, n.member, f.score, f.member); f = x.fwd[i]) {
        r += x.span[i];
        x = f;
      }
      if (x === n) break;
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
    for (let i = this.level - 1; i >= 0; i--) {
      while (x.fwd[i] !== null && traversed + x.span[i] <= target) {
        traversed += x.span[i];
        x = x.fwd[i]!;
      }
      if (traversed === target) return x;
    }
    return null;
  }

  firstInScore(r: ScoreRange): ZNode | null {
    if (scoreRangeEmpty(r)) return null;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      while (x.fwd[i] !== null && !scoreGteMin(x.fwd[i]!.score, r)) x = x.fwd[i]!;
    }
    const f = x.fwd[0];
    return f !== null && scoreLteMax(f.score, r) ? f : null;
  }

  lastInScore(r: ScoreRange): ZNode | null {
    if (scoreRangeEmpty(r)) return null;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      while (x.fwd[i] !== null && scoreLteMax(x.fwd[i]!.score, r)) x = x.fwd[i]!;
    }
    return x !== this.head && scoreGteMin(x.score, r) ? x : null;
  }

  firstInLex(r: LexRange): ZNode | null {
    if (lexRangeEmpty(r)) return null;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      while (x.fwd[i] !== null && !lexGteMin(x.fwd[i]!.member, r)) x = x.fwd[i]!;
    }
    const f = x.fwd[0];
    return f !== null && lexLteMax(f.member, r) ? f : null;
  }

  lastInLex(r: LexRange): ZNode | null {
    if (lexRangeEmpty(r)) return null;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      while (x.fwd[i] !== null && lexLteMax(x.fwd[i]!.member, r)) x = x.fwd[i]!;
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
      const next = n.fwd[0];
      out.push(n.member);
      this.delete(n.member);
      n = next;
    }
    return out;
  }

  deleteRangeByLex(r: LexRange): string[] {
    const out: string[] = [];
    for (let n = this.firstInLex(r); n !== null && lexLteMax(n.member, r); ) {
      const next = n.fwd[0];
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
      const next = n.fwd[0];
      out.push(n.member);
      this.delete(n.member);
      n = next;
    }
    return out;
  }

  *entries(): IterableIterator<[string, number]> {
    for (let n = this.head.fwd[0]; n !== null; n = n.fwd[0]) yield [n.member, n.score];
  }

  scan(cursor: number, count: number, emit: (member: string, score: number) => void): number {
    return this.dict.scan(cursor, count, (m, n) => emit(m, n.score));
  }

  randomMember(): string | undefined {
    return this.dict.randomKey();
  }

  clone(): ZSet {
    const z = new ZSet();
    // Appending in order: each insert lands at the tail.
    for (let n = this.head.fwd[0]; n !== null; n = n.fwd[0]) z.set(n.member, n.score);
    return z;
  }

  maxMemberLength(): number {
    let m = 0;
    for (let n = this.head.fwd[0]; n !== null; n = n.fwd[0]) if (n.member.length > m) m = n.member.length;
    return m;
  }

  /* ------------------------------------------------------------------ skip list internals */

  private insertNode(member: string, score: number): ZNode {
    const update: ZNode[] = new Array(MAX_LEVEL);
    const rank: number[] = new Array(MAX_LEVEL);
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      rank[i] = i === this.level - 1 ? 0 : rank[i + 1];
      for (let f = x.fwd[i]; f !== null && before(f.score, f.member, score, member); f = x.fwd[i]) {
        rank[i] += x.span[i];
        x = f;
      }
      update[i] = x;
    }
    const level = randomLevel();
    if (level > this.level) {
      for (let i = this.level; i < level; i++) {
        rank[i] = 0;
        update[i] = this.head;
        update[i].span[i] = this.length;
      }
      this.level = level;
    }
    const n = new ZNode(member, score, level);
    for (let i = 0; i < level; i++) {
      const u = update[i];
      n.fwd[i] = u.fwd[i];
      u.fwd[i] = n;
      n.span[i] = u.span[i] - (rank[0] - rank[i]);
      u.span[i] = rank[0] - rank[i] + 1;
    }
    for (let i = level; i < this.level; i++) update[i].span[i]++;
    n.prev = update[0] === this.head ? null : update[0];
    if (n.fwd[0] !== null) n.fwd[0].prev = n;
    else this.tail = n;
    this.length++;
    return n;
  }

  private removeNode(n: ZNode): void {
    const update: ZNode[] = new Array(this.level);
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let f = x.fwd[i]; f !== null && f !== n && before(f.score, f.member, n.score, n.member); f = x.fwd[i]) x = f;
      update[i] = x;
    }
    for (let i = 0; i < this.level; i++) {
      const u = update[i];
      if (u.fwd[i] === n) {
        u.span[i] += n.span[i] - 1;
        u.fwd[i] = n.fwd[i];
      } else {
        u.span[i]--;
      }
    }
    if (n.fwd[0] !== null) n.fwd[0].prev = n.prev;
    else this.tail = n.prev;
    while (this.level > 1 && this.head.fwd[this.level - 1] === null) this.level--;
    this.length--;
  }
}

/** The encoding Redis picks for a sorted set of this size and longest member. */
export function encodingFor(size: number, maxLen: number): 'listpack' | 'skiplist' {
  return size <= limits.zsetMaxListpackEntries && maxLen <= limits.zsetMaxListpackValue ? 'listpack' : 'skiplist';
}
