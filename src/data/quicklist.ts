/*
 * The list value: a growable circular buffer (ring) of byte strings.
 *
 * Redis 7.0 stores every list as a quicklist (a linked list of listpacks) and OBJECT ENCODING
 * always says 'quicklist'; what matters to clients is its costs, which this structure meets or
 * beats: O(1) push and pop at both ends, O(1) access by index (Redis: O(n/node size)), O(n)
 * insertion and removal in the middle, O(removed) trims at the ends.
 *
 * Design:
 *  - Elements live in a JS array used as a ring whose capacity is a power of two, so a logical
 *    index maps to a slot with one add and one mask. `head` is the slot of element 0.
 *  - Middle insertions and removals shift whichever side of the position is shorter, so edits
 *    near either end stay cheap (Redis's listpacks pay a memmove of the node either way).
 *  - The ring doubles when full and halves when a quarter full (never below MIN_CAPACITY), so
 *    memory follows the length and a burst of pops gives space back, amortised O(1) per element.
 * Invariants:
 *  - 0 <= len <= capacity, capacity a power of two >= MIN_CAPACITY, mask = capacity - 1.
 *  - Slots outside the live window hold undefined (no stale references keep strings alive).
 *  - Elements are latin1 strings (one char per byte); the structure never inspects their bytes
 *    except for equality.
 */

const MIN_CAPACITY = 4;

export class Quicklist {
  private buf: (string | undefined)[];
  private mask: number;
  private head = 0;
  private len = 0;

  constructor(capacity = MIN_CAPACITY) {
    let cap = MIN_CAPACITY;
    while (cap < capacity) cap *= 2;
    this.buf = new Array(cap);
    this.mask = cap - 1;
  }

  /** A list holding `items` in order. */
  static from(items: readonly string[]): Quicklist {
    const q = new Quicklist(items.length);
    for (let i = 0; i < items.length; i++) q.buf[i] = items[i];
    q.len = items.length;
    return q;
  }

  get length(): number {
    return this.len;
  }

  /** Capacity of the ring (exposed for tests of the shrink policy). */
  get capacity(): number {
    return this.mask + 1;
  }

  private slot(i: number): number {
    return (this.head + i) & this.mask;
  }

  private resize(cap: number): void {
    const nb: (string | undefined)[] = new Array(cap);
    for (let i = 0; i < this.len; i++) nb[i] = this.buf[(this.head + i) & this.mask];
    this.buf = nb;
    this.mask = cap - 1;
    this.head = 0;
  }

  private grow(): void {
    if (this.len === this.mask + 1) this.resize((this.mask + 1) * 2);
  }

  private maybeShrink(): void {
    const cap = this.mask + 1;
    if (cap > MIN_CAPACITY && this.len <= cap >>> 2) {
      let n = cap;
      while (n > MIN_CAPACITY && this.len <= n >>> 2) n >>>= 1;
      this.resize(n);
    }
  }

  pushHead(v: string): void {
    this.grow();
    this.head = (this.head - 1) & this.mask;
    this.buf[this.head] = v;
    this.len++;
  }

  pushTail(v: string): void {
    this.grow();
    this.buf[(this.head + this.len) & this.mask] = v;
    this.len++;
  }

  popHead(): string | undefined {
    if (this.len === 0) return undefined;
    const v = this.buf[this.head];
    this.buf[this.head] = undefined;
    this.head = (this.head + 1) & this.mask;
    this.len--;
    this.maybeShrink();
    return v;
  }

  popTail(): string | undefined {
    if (this.len === 0) return undefined;
    const s = (this.head + this.len - 1) & this.mask;
    const v = this.buf[s];
    this.buf[s] = undefined;
    this.len--;
    this.maybeShrink();
    return v;
  }

  /** Element at a normalised index 0 <= i < length (caller checks the bounds). */
  at(i: number): string {
    return this.buf[(this.head + i) & this.mask] as string;
  }

  /** Redis-style index: negative counts from the tail; undefined when out of range. */
  get(index: number): string | undefined {
    const i = index < 0 ? this.len + index : index;
    if (i < 0 || i >= this.len) return undefined;
    return this.at(i);
  }

  /** Replaces the element at a Redis-style index; false when out of range. */
  set(index: number, v: string): boolean {
    const i = index < 0 ? this.len + index : index;
    if (i < 0 || i >= this.len) return false;
    this.buf[this.slot(i)] = v;
    return true;
  }

  /** Inserts so that the new element ends up at position i (0 <= i <= length). */
  insertAt(i: number, v: string): void {
    if (i <= 0) return this.pushHead(v);
    if (i >= this.len) return this.pushTail(v);
    this.grow();
    const m = this.mask;
    const b = this.buf;
    if (i < this.len - i) {
      // move elements [0, i) one slot towards the head
      const h = (this.head - 1) & m;
      for (let k = 0; k < i; k++) b[(h + k) & m] = b[(h + k + 1) & m];
      this.head = h;
    } else {
      // move elements [i, len) one slot towards the tail
      for (let k = this.len; k > i; k--) b[(this.head + k) & m] = b[(this.head + k - 1) & m];
    }
    b[(this.head + i) & m] = v;
    this.len++;
  }

  /** Removes `count` elements starting at position start (both already within bounds). */
  removeRange(start: number, count: number): void {
    if (count <= 0) return;
    const m = this.mask;
    const b = this.buf;
    const after = this.len - start - count;
    if (start < after) {
      // shift the prefix [0, start) forward by count
      for (let k = start - 1; k >= 0; k--) b[(this.head + k + count) & m] = b[(this.head + k) & m];
      for (let k = 0; k < count; k++) b[(this.head + k) & m] = undefined;
      this.head = (this.head + count) & m;
    } else {
      // shift the suffix [start+count, len) back by count
      for (let k = start; k < start + after; k++) b[(this.head + k) & m] = b[(this.head + k + count) & m];
      for (let k = start + after; k < this.len; k++) b[(this.head + k) & m] = undefined;
    }
    this.len -= count;
    this.maybeShrink();
  }

  /** Drops `ltrim` elements from the head and `rtrim` from the tail (together at most all). */
  trim(ltrim: number, rtrim: number): void {
    // each end is cut in O(removed) without touching the survivors
    const m = this.mask;
    const b = this.buf;
    if (ltrim + rtrim >= this.len) {
      this.clear();
      return;
    }
    for (let k = 0; k < ltrim; k++) b[(this.head + k) & m] = undefined;
    this.head = (this.head + ltrim) & m;
    this.len -= ltrim;
    for (let k = this.len - rtrim; k < this.len; k++) b[(this.head + k) & m] = undefined;
    this.len -= rtrim;
    this.maybeShrink();
  }

  clear(): void {
    this.buf = new Array(MIN_CAPACITY);
    this.mask = MIN_CAPACITY - 1;
    this.head = 0;
    this.len = 0;
  }

  /** Index of the first element equal to v, scanning from the head; -1 if none. */
  indexOf(v: string): number {
    for (let i = 0; i < this.len; i++) if (this.buf[(this.head + i) & this.mask] === v) return i;
    return -1;
  }

  /**
   * Removes elements equal to v, at most `limit` of them (0 = all), scanning from the head or from
   * the tail; returns how many went. One compaction pass over the list, O(n) like Redis's LREM.
   */
  removeMatching(v: string, limit: number, fromTail: boolean): number {
    const m = this.mask;
    const b = this.buf;
    const h = this.head;
    const n = this.len;
    let removed = 0;
    if (!fromTail) {
      let w = 0;
      for (let r = 0; r < n; r++) {
        const e = b[(h + r) & m];
        if (e === v && (limit === 0 || removed < limit)) {
          removed++;
          continue;
        }
        if (w !== r) b[(h + w) & m] = e;
        w++;
      }
      for (let k = w; k < n; k++) b[(h + k) & m] = undefined;
    } else {
      // compact towards the tail, then move the head forward
      let w = n - 1;
      for (let r = n - 1; r >= 0; r--) {
        const e = b[(h + r) & m];
        if (e === v && (limit === 0 || removed < limit)) {
          removed++;
          continue;
        }
        if (w !== r) b[(h + w) & m] = e;
        w--;
      }
      for (let k = 0; k < removed; k++) b[(h + k) & m] = undefined;
      this.head = (h + removed) & m;
    }
    this.len = n - removed;
    if (removed !== 0) this.maybeShrink();
    return removed;
  }

  /** Elements at positions [start, end] in order (already normalised and within bounds). */
  range(start: number, end: number): string[] {
    const out: string[] = new Array(end - start + 1);
    for (let i = start, j = 0; i <= end; i++, j++) out[j] = this.at(i);
    return out;
  }

  toArray(): string[] {
    return this.len === 0 ? [] : this.range(0, this.len - 1);
  }

  /** An independent copy (COPY). */
  clone(): Quicklist {
    const q = new Quicklist(this.len);
    for (let i = 0; i < this.len; i++) q.buf[i] = this.at(i);
    q.len = this.len;
    return q;
  }
}
