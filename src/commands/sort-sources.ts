/*
 * SORT's view of the value types: one small adapter per type, so sort.ts reads every collection
 * the same way and only through each type module's public API.
 *
 *  - list: head-to-tail order; a range walks from an offset towards the tail, or from the tail
 *    side towards the head for DESC (Redis's listTypeInitIterator at an index).
 *  - set: the set's own iteration order (sorted for intsets, hash order otherwise).
 *  - zset: ascending (score, member); a range starts at a rank found in O(log n).
 */

import { RObj } from '../data/keyspace';
import { strValue } from '../data/bytes';
import type { ZSet } from '../data/zset';
import { Quicklist } from '../data/quicklist';
import { setMembers, setSize } from '../data/settype';
import { hashGet } from '../data/hashtype';

export interface SortSource {
  readonly size: number;
  /** every element, in the value's own order */
  elements(): string[];
  /** `count` elements starting `start` places from the head (from the tail when desc), walking inwards */
  slice(start: number, count: number, desc: boolean): string[];
}

function zsetSource(z: ZSet): SortSource {
  return {
    size: z.size,
    elements() {
      const out: string[] = [];
      for (let n = z.first(); n !== null; n = n.next()) out.push(n.member);
      return out;
    },
    slice(start, count, desc) {
      const out: string[] = [];
      let n = desc ? z.atRank(z.size - 1 - start) : z.atRank(start);
      while (n !== null && out.length < count) {
        out.push(n.member);
        n = desc ? n.prev : n.next();
      }
      return out;
    },
  };
}

function listSource(q: Quicklist): SortSource {
  return {
    size: q.length,
    elements: () => q.toArray(),
    slice(start, count, desc) {
      if (count <= 0) return [];
      if (!desc) return q.range(start, start + count - 1);
      const out: string[] = new Array(count);
      for (let i = 0, at = q.length - 1 - start; i < count; i++, at--) out[i] = q.at(at);
      return out;
    },
  };
}

function setSource(o: RObj): SortSource {
  return {
    size: setSize(o),
    elements: () => setMembers(o),
    // SORT never reads a set in natural order by range: unsorted sets are read whole
    slice: (start, count) => setMembers(o).slice(start, start + count),
  };
}

/** The adapter for a list, set or zset value (the caller has checked the type). */
export function sortSource(o: RObj): SortSource {
  if (o.type === 'zset') return zsetSource(o.value as ZSet);
  if (o.type === 'list') return listSource(o.value as Quicklist);
  return setSource(o);
}

/** A hash field's value, or null when the field is absent. */
export function hashField(o: RObj, field: string): string | null {
  return hashGet(o, field) ?? null;
}

/** A string value as a latin1 string. */
export function stringValue(o: RObj): string {
  return strValue(o.value);
}

/** A new list object holding `items` head to tail (SORT ... STORE). */
export function newListObject(items: string[], lruClock: number): RObj {
  return new RObj('list', Quicklist.from(items), 'quicklist', lruClock);
}
