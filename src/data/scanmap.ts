/*
 * ScanMap: a Map with Redis's SCAN guarantee and O(1) random sampling.
 *
 * Design: a JS Map gives fast lookups but no stable position to resume from and no random access.
 * Each entry therefore also owns a slot in a dense array. Deleting leaves a hole (entries never move
 * while a scan may be running), and holes are reused by later inserts. When holes outnumber live
 * entries the array is compacted and the epoch advances.
 *
 * Cursor = epoch * 2^32 + next slot. Invariants:
 *  - An entry present for a whole scan (same epoch) keeps its slot, so it is returned at least once.
 *  - A cursor from an older epoch restarts the walk from slot 0: elements may repeat, none is missed,
 *    which is exactly Redis's contract.
 *  - Random picks probe random slots; with at most half the slots empty the expected probes are < 2.
 */

const EPOCH = 0x100000000;

interface Slotted<V> {
  value: V;
  slot: number;
}

export class ScanMap<V> {
  private readonly map = new Map<string, Slotted<V>>();
  private slots: (string | undefined)[] = [];
  private free: number[] = [];
  private epoch = 1;

  get size(): number {
    return this.map.size;
  }

  get(key: string): V | undefined {
    const e = this.map.get(key);
    return e === undefined ? undefined : e.value;
  }

  has(key: string): boolean {
    return this.map.has(key);
  }

  set(key: string, value: V): void {
    const e = this.map.get(key);
    if (e !== undefined) {
      e.value = value;
      return;
    }
    const slot = this.free.length > 0 ? this.free.pop()! : this.slots.length;
    this.slots[slot] = key;
    this.map.set(key, { value, slot });
  }

  delete(key: string): boolean {
    const e = this.map.get(key);
    if (e === undefined) return false;
    this.map.delete(key);
    this.slots[e.slot] = undefined;
    this.free.push(e.slot);
    if (this.free.length > 1024 && this.free.length > this.map.size) this.compact();
    return true;
  }

  clear(): void {
    this.map.clear();
    this.slots = [];
    this.free = [];
    this.epoch++;
  }

  keys(): IterableIterator<string> {
    return this.map.keys();
  }

  *entries(): IterableIterator<[string, V]> {
    for (const [k, e] of this.map) yield [k, e.value];
  }

  *values(): IterableIterator<V> {
    for (const e of this.map.values()) yield e.value;
  }

  /** A uniformly random key, or undefined when empty. */
  randomKey(): string | undefined {
    if (this.map.size === 0) return undefined;
    const n = this.slots.length;
    for (;;) {
      const k = this.slots[Math.floor(Math.random() * n)];
      if (k !== undefined) return k;
    }
  }

  /**
   * Visits about `count` slots from `cursor`, calling `emit` for each live key; returns the next
   * cursor (0 when the walk is complete).
   */
  scan(cursor: number, count: number, emit: (key: string, value: V) => void): number {
    let epoch = Math.floor(cursor / EPOCH);
    let pos = cursor % EPOCH;
    if (cursor === 0 || epoch !== this.epoch) {
      pos = 0;
      epoch = this.epoch;
    }
    const slots = this.slots;
    let visited = 0;
    // Like Redis, keep going while the visited slots held nothing, up to 10x the count.
    let budget = count * 10;
    while (pos < slots.length && visited < count && budget-- > 0) {
      const k = slots[pos++];
      if (k !== undefined) {
        visited++;
        emit(k, this.map.get(k)!.value);
      }
    }
    if (pos >= slots.length) return 0;
    return this.epoch * EPOCH + pos;
  }

  private compact(): void {
    const next: string[] = [];
    for (const [k, e] of this.map) {
      e.slot = next.length;
      next.push(k);
    }
    this.slots = next;
    this.free = [];
    this.epoch++;
  }
}
