/*
 * Sorted sets: a counted B+tree of (score, member) entries (src/data/zset-tree.ts) plus a
 * member -> slot index.
 *
 * Design:
 *  - Elements are ordered by (score, member), members compared byte-wise (latin1 JS strings:
 *    `<` on one-byte code units is memcmp order, shorter prefix first). Scores are never NaN;
 *    -0 and 0 are equal for ordering (and keep their sign as values).
 *  - The tree gives insert, delete, rank, element-at-rank and range bounds in O(log n) with a
 *    few contiguous reads per level (see its header for why it replaced Redis's skip list).
 *  - The member index is a Map from member to slot plus dense slot arrays (`members`, `scores`),
 *    the ScanMap discipline inlined: deleting moves the last slot into the hole. So score(member)
 *    is one Map lookup, a random member is uniform and O(1), and the SCAN cursor (a slot bound)
 *    keeps Redis's guarantee. The tree entries carry no slot: the Map gives member -> slot and the
 *    slot gives the score, and the (score, member) pair finds the tree entry.
 *  - A score change is one Map lookup (find + update, as ZADD does it), then the tree entry is
 *    rewritten in place when it keeps its position, else removed and inserted again.
 *  - One structure serves both of Redis's encodings: the caller records the encoding name on the
 *    RObj ('listpack' while small, 'skiplist' once over zset-max-listpack-*), see `encodingFor`.
 *    Only OBJECT ENCODING, ZSCAN and ZRANDMEMBER behave differently by encoding.
 *
 * ZNode is a handle made on demand: it snapshots member and score when created (so reading them
 * after the member was deleted is fine), and next() / prev read the set's current leaves, so
 * walking is valid from any node as long as the set is not modified meanwhile. Assigning
 * `node.score` writes through to the set; it must keep the node's position (e.g. -0 -> 0).
 *
 * Public API (used by zsets, geo and sort):
 *   new ZSet()                          empty set
 *   z.size                              number of members
 *   z.score(member)                     score or undefined
 *   z.set(member, score)                insert or update; returns 0 unchanged, 1 added, 2 updated
 *   z.find(member) / z.scoreAt(slot)    slot of a member (-1 if absent) / its score: one lookup
 *   z.update(slot, score, member?)      set a found member's score; 0 unchanged, 2 updated
 *   z.insert(member, score)             add an absent member; returns its slot
 *   z.delete(member)                    true if it was there
 *   z.rank(member, reverse?)            0-based rank or -1
 *   z.atRank(rank)                      node at 0-based rank (ascending) or null
 *   z.first() / z.last()                lowest / highest node or null
 *   ZNode: .member .score .next() .prev  walk in order from any node
 *   z.firstInScore(r) / lastInScore(r)  first/last node inside a ScoreRange, or null
 *   z.firstInLex(r) / lastInLex(r)      first/last node inside a LexRange, or null
 *   z.countInScore(r) / countInLex(r)   O(log n) counts
 *   z.forEachInScore(r, visit)          visit(member, score) ascending in range until it says false
 *   z.deleteRangeByScore(r) / ByLex(r) / ByRank(start, end)  remove, returning removed members
 *   z.entries()                         [member, score] in ascending order
 *   z.scan(cursor, count, emit)         SCAN cursor over members (any order), ScanMap semantics
 *   z.randomMember()                    uniform random member or undefined
 *   z.clone()                           deep copy
 *   z.maxMemberLength()                 longest member, for the listpack size rule (O(n))
 *   encodingFor(size, maxLen)           'listpack' | 'skiplist' per the current limits
 * A slot is valid until the set is next modified.
 */

import { limits } from './encoding';
import { ZTree, LB, NIL } from './zset-tree';
import type { KeyTest } from './zset-inner';
import { scoreGteMin, scoreLteMax, lexGteMin, lexLteMax, scoreRangeEmpty, lexRangeEmpty, type ScoreRange, type LexRange } from './zset-range';

/** A position in a sorted set, handed to callers to read and walk (see the header). */
export class ZNode {
  readonly member: string;
  private sc: number;
  private readonly z: ZSet;
  private readonly leaf: number;
  private readonly pos: number;
  constructor(z: ZSet, leaf: number, pos: number) {
    this.z = z;
    this.leaf = leaf;
    this.pos = pos;
    this.member = z.lm[LB * leaf + pos];
    this.sc = z.ls[LB * leaf + pos];
  }
  get score(): number {
    return this.sc;
  }
  /** Rewrites the stored score; only for a value that sorts the same (listpack's -0 -> 0). */
  set score(v: number) {
    this.sc = v;
    this.z.ls[LB * this.leaf + this.pos] = v;
    this.z.rewriteScore(this.member, v);
  }
  next(): ZNode | null {
    const z = this.z;
    const L = this.leaf;
    if (this.pos + 1 < z.meta[3 * L]) return new ZNode(z, L, this.pos + 1);
    const n = z.meta[3 * L + 1];
    return n === NIL ? null : new ZNode(z, n, 0);
  }
  get prev(): ZNode | null {
    const z = this.z;
    if (this.pos > 0) return new ZNode(z, this.leaf, this.pos - 1);
    const p = z.meta[3 * this.leaf + 2];
    return p === NIL ? null : new ZNode(z, p, z.meta[3 * p] - 1);
  }
}

export class ZSet extends ZTree {
  /** member -> slot */
  private index = new Map<string, number>();
  /** members by slot (the SCAN / random-member order) */
  private members: string[] = [];
  /** scores by slot */
  private scores: number[] = [];

  get size(): number {
    return this.members.length;
  }

  score(member: string): number | undefined {
    const i = this.index.get(member);
    return i === undefined ? undefined : this.scores[i];
  }

  /** The member's slot, -1 when absent. */
  find(member: string): number {
    const i = this.index.get(member);
    return i === undefined ? -1 : i;
  }

  scoreAt(slot: number): number {
    return this.scores[slot];
  }

  /**
   * New score for the member at `slot` (from find). 0 when it already was that, else 2. A caller
   * holding the member passes it too, which saves a (cold, in a big set) load.
   */
  update(slot: number, score: number, member: string = this.members[slot]): 0 | 2 {
    const cur = this.scores[slot];
    if (cur === score && Object.is(cur, score)) return 0;
    this.treeMove(cur, member, score);
    this.scores[slot] = score;
    return 2;
  }

  /** Adds a member known to be absent; returns its slot. */
  insert(member: string, score: number): number {
    const slot = this.members.length;
    this.treeInsert(score, member);
    this.members.push(member);
    this.scores.push(score);
    this.index.set(member, slot);
    return slot;
  }

  /** Inserts or updates. Returns 0 when the score was already that, 1 added, 2 updated. */
  set(member: string, score: number): 0 | 1 | 2 {
    const i = this.index.get(member);
    if (i === undefined) {
      this.insert(member, score);
      return 1;
    }
    return this.update(i, score, member);
  }

  delete(member: string): boolean {
    const i = this.index.get(member);
    if (i === undefined) return false;
    this.treeRemove(this.scores[i], member);
    this.index.delete(member);
    const members = this.members;
    const scores = this.scores;
    const last = members.length - 1;
    if (i !== last) {
      const moved = members[last];
      members[i] = moved;
      scores[i] = scores[last];
      this.index.set(moved, i);
    }
    members.pop();
    scores.pop();
    return true;
  }

  /** @internal ZNode's score write-through */
  rewriteScore(member: string, v: number): void {
    const i = this.index.get(member);
    if (i !== undefined) this.scores[i] = v;
  }

  first(): ZNode | null {
    return this.members.length === 0 ? null : new ZNode(this, this.head, 0);
  }

  last(): ZNode | null {
    return this.members.length === 0 ? null : new ZNode(this, this.tail, this.meta[3 * this.tail] - 1);
  }

  /** 0-based rank (ascending, or descending when `reverse`), -1 if absent. O(log n). */
  rank(member: string, reverse = false): number {
    const i = this.index.get(member);
    if (i === undefined) return -1;
    const r = this.rankOfKey(this.scores[i], member);
    return reverse ? this.members.length - 1 - r : r;
  }

  /** Node at 0-based ascending rank, or null. O(log n). */
  atRank(rank: number): ZNode | null {
    if (rank < 0 || rank >= this.members.length) return null;
    this.seekRank(rank);
    return new ZNode(this, this.fLeaf, this.fPos);
  }

  firstInScore(r: ScoreRange): ZNode | null {
    if (scoreRangeEmpty(r)) return null;
    this.seekFirst((s) => !scoreGteMin(s, r));
    return this.fLeaf !== NIL && scoreLteMax(this.ls[LB * this.fLeaf + this.fPos], r) ? new ZNode(this, this.fLeaf, this.fPos) : null;
  }

  lastInScore(r: ScoreRange): ZNode | null {
    if (scoreRangeEmpty(r)) return null;
    this.seekLast((s) => scoreLteMax(s, r));
    return this.fLeaf !== NIL && scoreGteMin(this.ls[LB * this.fLeaf + this.fPos], r) ? new ZNode(this, this.fLeaf, this.fPos) : null;
  }

  firstInLex(r: LexRange): ZNode | null {
    if (lexRangeEmpty(r)) return null;
    this.seekFirst((_s, m) => !lexGteMin(m, r));
    return this.fLeaf !== NIL && lexLteMax(this.lm[LB * this.fLeaf + this.fPos], r) ? new ZNode(this, this.fLeaf, this.fPos) : null;
  }

  lastInLex(r: LexRange): ZNode | null {
    if (lexRangeEmpty(r)) return null;
    this.seekLast((_s, m) => lexLteMax(m, r));
    return this.fLeaf !== NIL && lexGteMin(this.lm[LB * this.fLeaf + this.fPos], r) ? new ZNode(this, this.fLeaf, this.fPos) : null;
  }

  /** Number of members with score in range. O(log n). */
  countInScore(r: ScoreRange): number {
    if (scoreRangeEmpty(r)) return 0;
    return this.countBetween((s) => !scoreGteMin(s, r), (s) => scoreLteMax(s, r));
  }

  countInLex(r: LexRange): number {
    if (lexRangeEmpty(r)) return 0;
    return this.countBetween((_s, m) => !lexGteMin(m, r), (_s, m) => lexLteMax(m, r));
  }

  /**
   * Calls visit(member, score) for the members with score in range, ascending, until it returns
   * false; no node handles are made. `visit` must not modify the set.
   */
  forEachInScore(r: ScoreRange, visit: (member: string, score: number) => boolean): void {
    if (scoreRangeEmpty(r)) return;
    this.seekFirst((s) => !scoreGteMin(s, r));
    const max = r.max;
    const maxex = r.maxex;
    const ls = this.ls;
    const lm = this.lm;
    const meta = this.meta;
    let i = LB * this.fLeaf + this.fPos;
    for (let L = this.fLeaf; L !== NIL; L = meta[3 * L + 1], i = LB * L) {
      const e = LB * L + meta[3 * L];
      for (; i < e; i++) {
        const s = ls[i];
        if (maxex ? s >= max : s > max) return;
        if (!visit(lm[i], s)) return;
      }
    }
  }

  /** Removes members with score in range; returns them in ascending order. */
  deleteRangeByScore(r: ScoreRange): string[] {
    if (scoreRangeEmpty(r)) return [];
    this.seekFirst((s) => !scoreGteMin(s, r));
    return this.removeRun((s) => scoreLteMax(s, r), Infinity);
  }

  deleteRangeByLex(r: LexRange): string[] {
    if (lexRangeEmpty(r)) return [];
    this.seekFirst((_s, m) => !lexGteMin(m, r));
    return this.removeRun((_s, m) => lexLteMax(m, r), Infinity);
  }

  /** Removes ranks start..end (0-based, inclusive, already clamped); returns the members. */
  deleteRangeByRank(start: number, end: number): string[] {
    if (start < 0 || start > end || start >= this.members.length) return [];
    this.seekRank(start);
    return this.removeRun(() => true, end - start + 1);
  }

  *entries(): IterableIterator<[string, number]> {
    for (let L = this.head; L !== NIL; L = this.meta[3 * L + 1]) {
      const o = LB * L;
      for (let i = o; i < o + this.meta[3 * L]; i++) yield [this.lm[i], this.ls[i]];
    }
  }

  /**
   * Visits up to `count` members below `cursor` (0 = start), top slot down; returns the next
   * cursor, 0 when done. A cursor beyond the size (stale or invented) starts a new iteration.
   * `emit` must not modify the set.
   */
  scan(cursor: number, count: number, emit: (member: string, score: number) => void): number {
    const n = this.members.length;
    let pos = cursor > 0 && cursor <= n ? Math.floor(cursor) : n;
    const stop = Math.max(0, pos - Math.max(1, count));
    while (pos > stop) {
      pos--;
      emit(this.members[pos], this.scores[pos]);
    }
    return pos;
  }

  randomMember(): string | undefined {
    const n = this.members.length;
    if (n === 0) return undefined;
    return this.members[Math.floor(Math.random() * n)];
  }

  clone(): ZSet {
    const z = new ZSet();
    this.copyTreeInto(z);
    z.index = new Map(this.index);
    z.members = this.members.slice();
    z.scores = this.scores.slice();
    return z;
  }

  maxMemberLength(): number {
    let m = 0;
    for (const s of this.members) if (s.length > m) m = s.length;
    return m;
  }

  /* ------------------------------------------------------------------ internals */

  /** Entries failing `before` and passing `inside` (both monotone along the order). */
  private countBetween(before: KeyTest, inside: KeyTest): number {
    this.seekFirst(before);
    const lo = this.fRank;
    this.seekLast(inside);
    const n = this.fRank + 1 - lo;
    return n > 0 ? n : 0;
  }

  /**
   * Removes up to `max` consecutive entries from the positioned one while `inside` holds;
   * returns their members in order. O(log n) per removal, as the per-member removals it replaces.
   */
  private removeRun(inside: KeyTest, max: number): string[] {
    const out: string[] = [];
    const ls = this.ls;
    const lm = this.lm;
    const meta = this.meta;
    // collect first: removals reshape the leaves being walked
    let i = LB * this.fLeaf + this.fPos;
    walk: for (let L = this.fLeaf; L !== NIL && out.length < max; L = meta[3 * L + 1], i = LB * L) {
      const e = LB * L + meta[3 * L];
      for (; i < e && out.length < max; i++) {
        if (!inside(ls[i], lm[i])) break walk;
        out.push(lm[i]);
      }
    }
    for (const member of out) this.delete(member);
    return out;
  }
}

/** The encoding Redis picks for a sorted set of this size and longest member. */
export function encodingFor(size: number, maxLen: number): 'listpack' | 'skiplist' {
  return size <= limits.zsetMaxListpackEntries && maxLen <= limits.zsetMaxListpackValue ? 'listpack' : 'skiplist';
}
