/*
 * Sorted sets: a skip list with spans (Redis's zskiplist) plus a member -> node index.
 *
 * Design:
 *  - Elements are ordered by (score, member), members compared byte-wise (latin1 JS strings:
 *    `<` on one-byte code units is memcmp order, shorter prefix first). Scores are never NaN.
 *  - Each node keeps, per level, its forward pointer and the span (number of bottom-level steps
 *    that pointer jumps), so insert, delete, rank and "element at rank" are O(log n).
 *  - The nodes live in one arena (src/data/zset-arena.ts): a node is a small record of 32-bit words
 *    in an ArrayBuffer, its id is its word offset, and its score is a float64 inside the record.
 *    A search step then reads one record (score, forward pointer and span on the same cache line)
 *    instead of chasing a JS object, its boxed score and its level array; there is no per-node JS
 *    object for the collector to trace. The member strings stay in a JS array (`members`), reached
 *    through the record's slot word only to break score ties.
 *  - A score update that moves a node relinks the same record, so the index entry stays valid.
 *    Searches use module-level scratch vectors, so no operation allocates JS objects except the
 *    ZNode handles given to callers.
 *  - The member index is a Map to the node id plus the dense slot arrays (`members`, `nodeOf`;
 *    the ScanMap discipline inlined: deleting moves the last slot into the hole), which give O(1)
 *    score lookup, uniform random members and a SCAN cursor with Redis's guarantee. Compacting
 *    the arena renumbers nodes but never moves slots, so SCAN cursors survive it.
 *  - One structure serves both of Redis's encodings: the caller records the encoding name on the
 *    RObj ('listpack' while small, 'skiplist' once over zset-max-listpack-*), see `encodingFor`.
 *    Only OBJECT ENCODING, ZSCAN and ZRANDMEMBER behave differently by encoding.
 *
 * ZNode is a handle made on demand: it snapshots member and score when created (so reading them
 * after the member was deleted is fine), and next() / prev read the set's current links, so
 * walking is valid from any node as long as the set is not modified meanwhile. Assigning
 * `node.score` writes through to the set; it must keep the node's position (e.g. -0 -> 0).
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
import { Arena, NIL, HEAD, MAX_LEVEL, PREV, SLOT, NX, LVL, randomLevel } from './zset-arena';
export { scoreGteMin, scoreLteMax, lexGteMin, lexLteMax, scoreRangeEmpty, lexRangeEmpty } from './zset-range';
export type { ScoreRange, LexRange } from './zset-range';
import { scoreGteMin, scoreLteMax, lexGteMin, lexLteMax, scoreRangeEmpty, lexRangeEmpty, type ScoreRange, type LexRange } from './zset-range';

/*
 * Scratch for insert/remove: the last node before the target at each level, and its rank.
 * Module-level so no operation allocates them (ids, not references: nothing is kept alive).
 */
const UPDATE = new Int32Array(MAX_LEVEL);
const RANK = new Float64Array(MAX_LEVEL);

/** A position in a sorted set, handed to callers to read and walk (see the header). */
export class ZNode {
  readonly member: string;
  private sc: number;
  private readonly z: ZSet;
  private readonly id: number;
  constructor(z: ZSet, id: number, member: string, score: number) {
    this.z = z;
    this.id = id;
    this.member = member;
    this.sc = score;
  }
  get score(): number {
    return this.sc;
  }
  /** Rewrites the stored score; only for a value that sorts the same (listpack's -0 -> 0). */
  set score(v: number) {
    this.sc = v;
    this.z.a.f[this.id >> 1] = v;
  }
  next(): ZNode | null {
    return this.z.nodeAt(this.z.a.m[this.id + NX]);
  }
  get prev(): ZNode | null {
    return this.z.nodeAt(this.z.a.m[this.id + PREV]);
  }
}

export class ZSet {
  /** @internal the node records; read by ZNode */
  a = new Arena();
  /** highest level in use (>= 1) */
  private level = 1;
  private tail = NIL;
  /** linked nodes (equals size except inside set()'s relink) */
  private length = 0;
  /** member -> node id */
  private index = new Map<string, number>();
  /** members by slot (the SCAN / random-member order) */
  private members: string[] = [];
  /** node id by slot */
  private nodeOf: number[] = [];

  get size(): number {
    return this.members.length;
  }

  /** @internal a handle for node id `id`, null for NIL */
  nodeAt(id: number): ZNode | null {
    if (id === NIL) return null;
    return new ZNode(this, id, this.members[this.a.m[id + SLOT]], this.a.f[id >> 1]);
  }

  score(member: string): number | undefined {
    const n = this.index.get(member);
    return n === undefined ? undefined : this.a.f[n >> 1];
  }

  /** Inserts or updates. Returns 0 when the score was already that, 1 added, 2 updated. */
  set(member: string, score: number): 0 | 1 | 2 {
    const n = this.index.get(member);
    if (n === undefined) {
      const slot = this.members.length;
      const id = this.a.alloc(randomLevel(), score, slot);
      this.link(id, score, member);
      this.members.push(member);
      this.nodeOf.push(id);
      this.index.set(member, id);
      return 1;
    }
    const a = this.a;
    const f = a.f;
    const cur = f[n >> 1];
    if (cur === score && Object.is(cur, score)) return 0;
    // Stays in place when still between its neighbours: just change the score (zslUpdateScore).
    const m = a.m;
    const p = m[n + PREV];
    const nx = m[n + NX];
    if ((p === NIL || this.before(f[p >> 1], p, score, member)) && (nx === NIL || !this.before(f[nx >> 1], nx, score, member))) {
      f[n >> 1] = score;
      return 2;
    }
    // Otherwise unlink and relink the same record (same level): the index entry stays valid.
    this.unlink(n, cur, member);
    f[n >> 1] = score;
    this.link(n, score, member);
    return 2;
  }

  delete(member: string): boolean {
    const n = this.index.get(member);
    if (n === undefined) return false;
    this.remove(n, member);
    this.maybeCompact();
    return true;
  }

  first(): ZNode | null {
    return this.nodeAt(this.a.m[HEAD + NX]);
  }

  last(): ZNode | null {
    return this.nodeAt(this.tail);
  }

  /** 0-based rank (ascending, or descending when `reverse`), -1 if absent. O(log n). */
  rank(member: string, reverse = false): number {
    const n = this.index.get(member);
    if (n === undefined) return -1;
    const r = this.rankOf(n, member);
    return reverse ? this.members.length - r : r - 1;
  }

  /** Node at 0-based ascending rank, or null. O(log n). */
  atRank(rank: number): ZNode | null {
    if (rank < 0 || rank >= this.members.length) return null;
    return this.nodeAt(this.idAtRank(rank + 1));
  }

  firstInScore(r: ScoreRange): ZNode | null {
    if (scoreRangeEmpty(r)) return null;
    const { m, f } = this.a;
    let x = HEAD;
    for (let i = this.level - 1; i >= 0; i--) {
      const o = NX + 2 * i;
      for (let y = m[x + o]; y !== NIL && !scoreGteMin(f[y >> 1], r); y = m[x + o]) x = y;
    }
    const y = m[x + NX];
    return y !== NIL && scoreLteMax(f[y >> 1], r) ? this.nodeAt(y) : null;
  }

  lastInScore(r: ScoreRange): ZNode | null {
    if (scoreRangeEmpty(r)) return null;
    const { m, f } = this.a;
    let x = HEAD;
    for (let i = this.level - 1; i >= 0; i--) {
      const o = NX + 2 * i;
      for (let y = m[x + o]; y !== NIL && scoreLteMax(f[y >> 1], r); y = m[x + o]) x = y;
    }
    return x !== HEAD && scoreGteMin(f[x >> 1], r) ? this.nodeAt(x) : null;
  }

  firstInLex(r: LexRange): ZNode | null {
    if (lexRangeEmpty(r)) return null;
    const m = this.a.m;
    const mem = this.members;
    let x = HEAD;
    for (let i = this.level - 1; i >= 0; i--) {
      const o = NX + 2 * i;
      for (let y = m[x + o]; y !== NIL && !lexGteMin(mem[m[y + SLOT]], r); y = m[x + o]) x = y;
    }
    const y = m[x + NX];
    return y !== NIL && lexLteMax(mem[m[y + SLOT]], r) ? this.nodeAt(y) : null;
  }

  lastInLex(r: LexRange): ZNode | null {
    if (lexRangeEmpty(r)) return null;
    const m = this.a.m;
    const mem = this.members;
    let x = HEAD;
    for (let i = this.level - 1; i >= 0; i--) {
      const o = NX + 2 * i;
      for (let y = m[x + o]; y !== NIL && lexLteMax(mem[m[y + SLOT]], r); y = m[x + o]) x = y;
    }
    return x !== HEAD && lexGteMin(mem[m[x + SLOT]], r) ? this.nodeAt(x) : null;
  }

  /** Number of members with score in range. O(log n). */
  countInScore(r: ScoreRange): number {
    const first = this.firstInScore(r);
    if (first === null) return 0;
    const last = this.lastInScore(r)!;
    return this.rank(last.member) - this.rank(first.member) + 1;
  }

  countInLex(r: LexRange): number {
    const first = this.firstInLex(r);
    if (first === null) return 0;
    const last = this.lastInLex(r)!;
    return this.rank(last.member) - this.rank(first.member) + 1;
  }

  /** Removes members with score in range; returns them in ascending order. */
  deleteRangeByScore(r: ScoreRange): string[] {
    const first = this.firstInScore(r);
    if (first === null) return [];
    return this.removeRun(this.index.get(first.member)!, (id) => scoreLteMax(this.a.f[id >> 1], r), Infinity);
  }

  deleteRangeByLex(r: LexRange): string[] {
    const first = this.firstInLex(r);
    if (first === null) return [];
    return this.removeRun(this.index.get(first.member)!, (id) => lexLteMax(this.members[this.a.m[id + SLOT]], r), Infinity);
  }

  /** Removes ranks start..end (0-based, inclusive, already clamped); returns the members. */
  deleteRangeByRank(start: number, end: number): string[] {
    if (start < 0 || start > end || start >= this.members.length) return [];
    return this.removeRun(this.idAtRank(start + 1), () => true, end - start + 1);
  }

  *entries(): IterableIterator<[string, number]> {
    for (let n = this.a.m[HEAD + NX]; n !== NIL; n = this.a.m[n + NX]) yield [this.members[this.a.m[n + SLOT]], this.a.f[n >> 1]];
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
      emit(this.members[pos], this.a.f[this.nodeOf[pos] >> 1]);
    }
    return pos;
  }

  randomMember(): string | undefined {
    const n = this.members.length;
    if (n === 0) return undefined;
    return this.members[Math.floor(Math.random() * n)];
  }

  clone(): ZSet {
    // Records, slots and ids are position-independent: copying them is a complete deep copy.
    const z = new ZSet();
    z.a = this.a.copy();
    z.level = this.level;
    z.tail = this.tail;
    z.length = this.length;
    z.index = new Map(this.index);
    z.members = this.members.slice();
    z.nodeOf = this.nodeOf.slice();
    return z;
  }

  maxMemberLength(): number {
    let m = 0;
    for (const s of this.members) if (s.length > m) m = s.length;
    return m;
  }

  /* ------------------------------------------------------------------ skip list internals */

  /** (score of node y, its member) strictly before (s, member)? */
  private before(ys: number, y: number, s: number, member: string): boolean {
    return ys < s || (ys === s && this.members[this.a.m[y + SLOT]] < member);
  }

  /** 1-based rank of linked node n (whose member is `member`). */
  private rankOf(n: number, member: string): number {
    const { m, f } = this.a;
    const mem = this.members;
    const score = f[n >> 1];
    let x = HEAD;
    let r = 0;
    for (let i = this.level - 1; i >= 1 && x !== n; i--) {
      const o = NX + 2 * i;
      // advance while y <= n
      for (let y = m[x + o]; y !== NIL; y = m[x + o]) {
        const ys = f[y >> 1];
        if (y !== n && !(ys < score || (ys === score && mem[m[y + SLOT]] < member))) break;
        r += m[x + o + 1];
        x = y;
      }
    }
    if (x !== n) {
      // n is reached at level 0 by following NX; counting steps is cheaper than comparing
      for (let y = m[x + NX]; y !== NIL; y = m[y + NX]) {
        r++;
        if (y === n) break;
      }
    }
    return r;
  }

  /** Id of the node at 1-based rank `target` (1 <= target <= size). */
  private idAtRank(target: number): number {
    const m = this.a.m;
    let x = HEAD;
    let traversed = 0;
    for (let i = this.level - 1; i >= 1; i--) {
      const o = NX + 2 * i;
      for (let y = m[x + o]; y !== NIL && traversed + m[x + o + 1] <= target; y = m[x + o]) {
        traversed += m[x + o + 1];
        x = y;
      }
      if (traversed === target) return x;
    }
    while (traversed < target && m[x + NX] !== NIL) {
      x = m[x + NX];
      traversed++;
    }
    return traversed === target ? x : NIL;
  }

  /**
   * Removes up to `max` consecutive nodes from `start` while `keep(id)` holds; returns their
   * members in order. Each removal is O(log n), as the per-member removals it replaces.
   */
  private removeRun(start: number, inside: (id: number) => boolean, max: number): string[] {
    const out: string[] = [];
    const m = this.a.m;
    for (let n = start, k = 0; n !== NIL && k < max && inside(n); k++) {
      const next = m[n + NX];
      const member = this.members[m[n + SLOT]];
      out.push(member);
      this.remove(n, member);
      n = next;
    }
    this.maybeCompact();
    return out;
  }

  /**
   * Shrinks the arena once three quarters of it are free. Only done between operations (ids held
   * inside an operation stay valid), it renumbers the nodes, so the index and nodeOf follow; the
   * slots do not move. O(n), after at least n/2 removals since the last resize: amortized O(1).
   */
  private maybeCompact(): void {
    if (!this.a.sparse()) return;
    const { a, remap } = this.a.compacted();
    this.a = a;
    const m = a.m;
    const members = this.members;
    const nodeOf = this.nodeOf;
    for (let n = m[HEAD + NX]; n !== NIL; n = m[n + NX]) {
      const slot = m[n + SLOT];
      nodeOf[slot] = n;
      this.index.set(members[slot], n);
    }
    this.tail = this.tail === NIL ? NIL : remap(this.tail);
  }

  /** Unlinks node n, frees its record, and drops it from the index and the slots. */
  private remove(n: number, member: string): void {
    const a = this.a;
    this.unlink(n, a.f[n >> 1], member);
    this.index.delete(member);
    const hole = a.m[n + SLOT];
    const members = this.members;
    const nodeOf = this.nodeOf;
    const last = members.length - 1;
    if (hole !== last) {
      const moved = nodeOf[last];
      members[hole] = members[last];
      nodeOf[hole] = moved;
      a.m[moved + SLOT] = hole;
    }
    members.pop();
    nodeOf.pop();
    a.free(n);
  }

  /** Links a detached record n at its (score, member) position, with the level it was built with. */
  private link(n: number, score: number, member: string): void {
    const a = this.a;
    const m = a.m;
    const f = a.f;
    const mem = this.members;
    let x = HEAD;
    let r = 0;
    for (let i = this.level - 1; i >= 1; i--) {
      const o = NX + 2 * i;
      for (let y = m[x + o]; y !== NIL; y = m[x + o]) {
        const ys = f[y >> 1];
        if (!(ys < score || (ys === score && mem[m[y + SLOT]] < member))) break;
        r += m[x + o + 1];
        x = y;
      }
      UPDATE[i] = x;
      RANK[i] = r;
    }
    for (let y = m[x + NX]; y !== NIL; y = m[x + NX]) {
      const ys = f[y >> 1];
      if (!(ys < score || (ys === score && mem[m[y + SLOT]] < member))) break;
      r++;
      x = y;
    }
    // x precedes n at level 0 and r is x's rank (head = 0)
    const level = m[n + LVL];
    if (level > this.level) {
      const length = this.length;
      for (let i = this.level; i < level; i++) {
        RANK[i] = 0;
        UPDATE[i] = HEAD;
        m[HEAD + NX + 2 * i + 1] = length;
      }
      this.level = level;
    }
    const after = m[x + NX];
    m[n + NX] = after;
    m[x + NX] = n;
    m[n + PREV] = x === HEAD ? NIL : x;
    if (after !== NIL) m[after + PREV] = n;
    else this.tail = n;
    for (let i = 1; i < level; i++) {
      const u = UPDATE[i];
      const o = NX + 2 * i;
      const d = r - RANK[i];
      m[n + o] = m[u + o];
      m[u + o] = n;
      m[n + o + 1] = m[u + o + 1] - d;
      m[u + o + 1] = d + 1;
    }
    for (let i = level; i < this.level; i++) m[UPDATE[i] + NX + 2 * i + 1]++;
    this.length++;
  }

  /** Detaches a linked record (its own links are left stale; link() rewrites them). */
  private unlink(n: number, score: number, member: string): void {
    const m = this.a.m;
    const f = this.a.f;
    const mem = this.members;
    let x = HEAD;
    const top = this.level;
    for (let i = top - 1; i >= 1; i--) {
      const o = NX + 2 * i;
      for (let y = m[x + o]; y !== NIL && y !== n; y = m[x + o]) {
        const ys = f[y >> 1];
        if (!(ys < score || (ys === score && mem[m[y + SLOT]] < member))) break;
        x = y;
      }
      UPDATE[i] = x;
    }
    for (let i = 1; i < top; i++) {
      const u = UPDATE[i];
      const o = NX + 2 * i;
      if (m[u + o] === n) {
        m[u + o + 1] += m[n + o + 1] - 1;
        m[u + o] = m[n + o];
      } else {
        m[u + o + 1]--;
      }
    }
    // level 0 needs no search: the predecessor is PREV
    const p = m[n + PREV];
    const after = m[n + NX];
    m[(p === NIL ? HEAD : p) + NX] = after;
    if (after !== NIL) m[after + PREV] = p;
    else this.tail = p;
    while (this.level > 1 && m[HEAD + NX + 2 * (this.level - 1)] === NIL) this.level--;
    this.length--;
  }
}

/** The encoding Redis picks for a sorted set of this size and longest member. */
export function encodingFor(size: number, maxLen: number): 'listpack' | 'skiplist' {
  return size <= limits.zsetMaxListpackEntries && maxLen <= limits.zsetMaxListpackValue ? 'listpack' : 'skiplist';
}
