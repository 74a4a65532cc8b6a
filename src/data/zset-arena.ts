/*
 * The node store of the sorted-set skip list (src/data/zset.ts): variable-size records of 32-bit
 * words in one ArrayBuffer, viewed both as Int32Array (links) and Float64Array (scores).
 *
 * A node's id is the word offset of its record; records are 4 + 2 * level words, so ids are even
 * and the score (words 0-1) is f[id >> 1]. Layout:
 *   0-1 score (float64)        2 PREV: previous node at level 0, NIL for the first
 *   3 SLOT: index in the set's slot arrays (its member string lives there)
 *   4 NX: next node at level 0 (its span is always 1, so that word is reused for)
 *   5 LVL: the node's number of levels
 *   4 + 2i, 5 + 2i for 1 <= i < level: forward pointer and span at level i
 * so the forward pointer of level i is always at id + NX + 2i, level 0 included. A search step
 * reads one record: score and forward link share a cache line for all but the tallest nodes.
 * The head is the record at 0 with MAX_LEVEL levels.
 *
 * Freed records go to a free list per level (linked through PREV) and are reused by the next
 * node of that level; the level distribution is fixed, so reuse keeps up. Growth doubles the
 * buffer (amortized O(1)); `compacted()` builds a dense copy when three quarters are free.
 * Ids are offsets, not references: a copy of the buffer is a deep copy of the list.
 */

export const NIL = -1;
export const HEAD = 0;
/**
 * Levels of the head, the most a node can get from randomLevel(). Redis caps at 32, but with
 * P = 1/4 a 17th level is already expected only once in 4^16 (4 billion) nodes, and a smaller head
 * matters for the many tiny sets.
 */
export const MAX_LEVEL = 17;
export const PREV = 2;
export const SLOT = 3;
export const NX = 4;
export const LVL = 5;

/** Words of a record with `level` levels. */
function sizeOf(level: number): number {
  return 4 + 2 * level;
}

const HEAD_SIZE = sizeOf(MAX_LEVEL);
/** first buffer: the head plus a few small nodes (many sorted sets are tiny) */
const INITIAL_WORDS = 64;
/** below this many words a set never compacts */
const COMPACT_MIN_WORDS = 4096;

/**
 * A node level for a new node: P(level > k) = 4^-k, Redis's ZSKIPLIST_P = 0.25, from one random
 * draw (each two leading zero bits of 32 random bits is one more level; at most 17 = MAX_LEVEL).
 */
export function randomLevel(): number {
  return 1 + (Math.clz32((Math.random() * 4294967296) >>> 0) >> 1);
}

export class Arena {
  m: Int32Array;
  f: Float64Array;
  /** first never-used word */
  private top: number;
  /** words in live records, head included */
  private used: number;
  /** free-list head per level, NIL when empty; null until the first free */
  private freeHeads: number[] | null = null;

  constructor(words = INITIAL_WORDS) {
    const buf = new ArrayBuffer(Math.max(words, INITIAL_WORDS) * 4);
    this.m = new Int32Array(buf);
    this.f = new Float64Array(buf);
    const m = this.m;
    m[HEAD + PREV] = NIL;
    m[HEAD + LVL] = MAX_LEVEL;
    for (let i = 0; i < MAX_LEVEL; i++) {
      m[HEAD + NX + 2 * i] = NIL;
      if (i > 0) m[HEAD + NX + 2 * i + 1] = 0;
    }
    this.top = HEAD_SIZE;
    this.used = HEAD_SIZE;
  }

  /** A new record (links unset) with this level, score and slot. */
  alloc(level: number, score: number, slot: number): number {
    const size = sizeOf(level);
    let id = NIL;
    const fh = this.freeHeads;
    if (fh !== null && fh[level] !== NIL) {
      id = fh[level];
      fh[level] = this.m[id + PREV];
    } else {
      if (this.top + size > this.m.length) this.grow(this.top + size);
      id = this.top;
      this.top += size;
    }
    this.used += size;
    const m = this.m;
    this.f[id >> 1] = score;
    m[id + SLOT] = slot;
    m[id + LVL] = level;
    return id;
  }

  free(id: number): void {
    const level = this.m[id + LVL];
    if (this.freeHeads === null) this.freeHeads = new Array<number>(MAX_LEVEL + 1).fill(NIL);
    this.m[id + PREV] = this.freeHeads[level];
    this.freeHeads[level] = id;
    this.used -= sizeOf(level);
  }

  private grow(need: number): void {
    let cap = this.m.length * 2;
    while (cap < need) cap *= 2;
    const buf = new ArrayBuffer(cap * 4);
    const m = new Int32Array(buf);
    m.set(this.m.subarray(0, this.top));
    this.m = m;
    this.f = new Float64Array(buf);
  }

  /** A deep copy (same ids). */
  copy(): Arena {
    const a = new Arena(this.m.length);
    a.m.set(this.m.subarray(0, this.top));
    a.top = this.top;
    a.used = this.used;
    a.freeHeads = this.freeHeads === null ? null : this.freeHeads.slice();
    return a;
  }

  /** Three quarters or more of a large buffer are free. */
  sparse(): boolean {
    return this.m.length > COMPACT_MIN_WORDS && this.used * 4 < this.m.length;
  }

  /**
   * A dense copy holding the same list: records in list order, links renumbered. `remap` maps an
   * old id (of a linked node) to its new one.
   */
  compacted(): { a: Arena; remap: (id: number) => number } {
    const om = this.m;
    const of = this.f;
    let cap = INITIAL_WORDS;
    while (cap < this.used * 2) cap *= 2;
    const a = new Arena(cap);
    // new ids by old id / 2 (ids are even)
    const map = new Int32Array((this.top >> 1) + 1);
    let pos = HEAD_SIZE;
    for (let n = om[HEAD + NX]; n !== NIL; n = om[n + NX]) {
      map[n >> 1] = pos;
      pos += sizeOf(om[n + LVL]);
    }
    const tr = (id: number) => (id === NIL ? NIL : map[id >> 1]);
    const m = a.m;
    for (let i = 0; i < MAX_LEVEL; i++) {
      m[HEAD + NX + 2 * i] = tr(om[HEAD + NX + 2 * i]);
      if (i > 0) m[HEAD + NX + 2 * i + 1] = om[HEAD + NX + 2 * i + 1];
    }
    for (let n = om[HEAD + NX]; n !== NIL; n = om[n + NX]) {
      const id = map[n >> 1];
      const level = om[n + LVL];
      a.f[id >> 1] = of[n >> 1];
      m[id + PREV] = tr(om[n + PREV]);
      m[id + SLOT] = om[n + SLOT];
      m[id + NX] = tr(om[n + NX]);
      m[id + LVL] = level;
      for (let i = 1; i < level; i++) {
        m[id + NX + 2 * i] = tr(om[n + NX + 2 * i]);
        m[id + NX + 2 * i + 1] = om[n + NX + 2 * i + 1];
      }
    }
    a.top = pos;
    a.used = pos;
    return { a, remap: tr };
  }
}
