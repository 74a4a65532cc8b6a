/*
 * ScanMap: a Map with Redis's SCAN guarantee and O(1) uniform random picks.
 *
 * Design: the keys live in a dense array (`keys`, with the values alongside in `vals`), and a Map
 * gives each key its index. Deleting moves the last entry into the hole (swap-remove), so the array
 * never has gaps: random picks are one probe and memory is never left behind by deletions.
 *
 * SCAN walks the array from the top down. The cursor is the number of slots still to visit: slots
 * [0, cursor) are unvisited, the walk visits cursor-1, cursor-2, ... and returns 0 when it reaches
 * the bottom. Invariants that give the guarantee (a key present for the whole iteration is
 * returned at least once):
 *  - entries only ever move down (swap-remove moves the last entry to a lower hole), never up, so
 *    an entry below the cursor stays below it until it is visited;
 *  - inserts append at the top, above every cursor.
 * An entry may be returned twice (a visited entry moved down into the unvisited part), which the
 * SCAN contract allows. Each call lowers the cursor by `count`, so an iteration always ends, even
 * while the map grows. A cursor larger than the map (from another map, or invented) is clamped.
 */

export class ScanMap<V> {
  private readonly index = new Map<string, number>();
  private keyArr: string[] = [];
  private vals: V[] = [];
  /**
   * Told of every removal while a snapshot walks this map (null otherwise): `key` moved from slot
   * `from` (the last) into the hole at `to`, or, with key null, the last slot `from` was removed.
   */
  mover: ((key: string | null, from: number, to: number) => void) | null = null;

  get size(): number {
    return this.keyArr.length;
  }

  get(key: string): V | undefined {
    const i = this.index.get(key);
    return i === undefined ? undefined : this.vals[i];
  }

  has(key: string): boolean {
    return this.index.has(key);
  }

  set(key: string, value: V): void {
    this.put(key, value);
  }

  /** Replaces the value at slot i (from indexOf): no lookup. */
  setAt(i: number, value: V): void {
    this.vals[i] = value;
  }

  /** Adds a key known to be absent (indexOf said so): one probe, where set needs two. */
  insertNew(key: string, value: V): void {
    this.index.set(key, this.keyArr.length);
    this.keyArr.push(key);
    this.vals.push(value);
  }

  /** Like set, and says whether the key was already there (one probe fewer than has + set). */
  put(key: string, value: V): boolean {
    const i = this.index.get(key);
    if (i !== undefined) {
      this.vals[i] = value;
      return true;
    }
    this.insertNew(key, value);
    return false;
  }

  delete(key: string): boolean {
    const i = this.index.get(key);
    if (i === undefined) return false;
    this.removeAt(i, key);
    return true;
  }

  /** Removes and returns a uniformly random key (SPOP), or undefined when empty. */
  popRandom(): string | undefined {
    const n = this.keyArr.length;
    if (n === 0) return undefined;
    const i = Math.floor(Math.random() * n);
    const key = this.keyArr[i];
    this.removeAt(i, key);
    return key;
  }

  /** Swap-remove of `key`, known to sit at slot i. */
  private removeAt(i: number, key: string): void {
    this.index.delete(key);
    const last = this.keyArr.length - 1;
    if (i !== last) {
      const moved = this.keyArr[last];
      this.keyArr[i] = moved;
      this.vals[i] = this.vals[last];
      this.index.set(moved, i);
    }
    this.keyArr.pop();
    this.vals.pop();
    if (this.mover !== null) this.mover(i !== last ? this.keyArr[i] : null, last, i);
  }

  /** The slot of a key (snapshots compare it with their cursor), or undefined. */
  indexOf(key: string): number | undefined {
    return this.index.get(key);
  }

  keyAt(i: number): string {
    return this.keyArr[i];
  }

  valueAt(i: number): V {
    return this.vals[i];
  }

  clear(): void {
    this.index.clear();
    this.keyArr = [];
    this.vals = [];
  }

  /** Live iterator over the keys (insertion order of the index Map). */
  keys(): IterableIterator<string> {
    return this.index.keys();
  }

  *entries(): IterableIterator<[string, V]> {
    for (const [k, i] of this.index) yield [k, this.vals[i]];
  }

  *values(): IterableIterator<V> {
    for (const i of this.index.values()) yield this.vals[i];
  }

  /** A uniformly random key, or undefined when empty. */
  randomKey(): string | undefined {
    const n = this.keyArr.length;
    if (n === 0) return undefined;
    return this.keyArr[Math.floor(Math.random() * n)];
  }

  /**
   * Visits up to `count` entries below `cursor` (0 = start a new iteration), calling `emit` for
   * each; returns the next cursor, 0 when the iteration is complete. `emit` must not modify the map.
   */
  scan(cursor: number, count: number, emit: (key: string, value: V) => void): number {
    const n = this.keyArr.length;
    let pos = cursor > 0 && cursor <= n ? Math.floor(cursor) : n;
    const stop = Math.max(0, pos - Math.max(1, count));
    while (pos > stop) {
      pos--;
      emit(this.keyArr[pos], this.vals[pos]);
    }
    return pos;
  }
}
