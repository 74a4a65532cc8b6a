/*
 * The inner nodes of the sorted-set B+tree (src/data/zset-tree.ts, whose header gives the shape
 * and invariants): the node type, the searches inside one node, and the merge / borrow between
 * two sibling inner nodes. Kept apart from the leaf pools, which are the tree's hot part.
 */

/** Most children of an inner node. */
export const B = 64;
/** Fewest children of a non-root inner node. */
export const MIN = B >> 2;

/** See zset-tree.ts: children, entries below each, and the separator keys (index 0 unused). */
export class Inner {
  kids: (Inner | number)[];
  cnt: number[];
  ks: number[];
  km: string[];
  constructor(kids: (Inner | number)[], cnt: number[], ks: number[], km: string[]) {
    this.kids = kids;
    this.cnt = cnt;
    this.ks = ks;
    this.km = km;
  }
}

/** (score, member) predicate, monotone along the order (true then false). */
export type KeyTest = (s: number, m: string) => boolean;

export function sum(a: number[], from: number, to: number): number {
  let t = 0;
  for (let i = from; i < to; i++) t += a[i];
  return t;
}

/** Child of x whose key interval holds (s, m). */
export function childFor(x: Inner, s: number, m: string): number {
  const ks = x.ks;
  const km = x.km;
  let lo = 1;
  let hi = ks.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const t = ks[mid];
    if (t < s || (t === s && km[mid] <= m)) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** Last child whose separator passes `test` (0 when none does). */
export function childWhile(x: Inner, test: KeyTest): number {
  let lo = 1;
  let hi = x.ks.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (test(x.ks[mid], x.km[mid])) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

export function insNode(a: (Inner | number)[], p: number, v: Inner | number): void {
  let j = a.length;
  a.push(v);
  for (; j > p; j--) a[j] = a[j - 1];
  a[p] = v;
}
export function insNum(a: number[], p: number, v: number): void {
  let j = a.length;
  a.push(v);
  for (; j > p; j--) a[j] = a[j - 1];
  a[p] = v;
}
export function insStr(a: string[], p: number, v: string): void {
  let j = a.length;
  a.push(v);
  for (; j > p; j--) a[j] = a[j - 1];
  a[p] = v;
}
export function delAt<T>(a: T[], p: number): void {
  const n = a.length - 1;
  for (let j = p; j < n; j++) a[j] = a[j + 1];
  a.pop();
}

/** Removes child j+1 of x after it was merged into child j. */
export function dropChild(x: Inner, j: number): void {
  x.cnt[j] += x.cnt[j + 1];
  delAt(x.kids, j + 1);
  delAt(x.cnt, j + 1);
  delAt(x.ks, j + 1);
  delAt(x.km, j + 1);
}

/** Child j or j+1 of x fell under MIN children: merge the two, or even them out. */
export function rebalanceInner(x: Inner, j: number): void {
  const l = x.kids[j] as Inner;
  const r = x.kids[j + 1] as Inner;
  const ln = l.kids.length;
  const rn = r.kids.length;
  if (ln + rn <= B) {
    for (let t = 0; t < rn; t++) {
      l.kids.push(r.kids[t]);
      l.cnt.push(r.cnt[t]);
      l.ks.push(t === 0 ? x.ks[j + 1] : r.ks[t]);
      l.km.push(t === 0 ? x.km[j + 1] : r.km[t]);
    }
    dropChild(x, j);
    return;
  }
  const k = Math.abs(ln - rn) >> 1;
  let moved: number;
  if (ln < rn) {
    moved = sum(r.cnt, 0, k);
    for (let t = 0; t < k; t++) {
      l.kids.push(r.kids[t]);
      l.cnt.push(r.cnt[t]);
      l.ks.push(t === 0 ? x.ks[j + 1] : r.ks[t]);
      l.km.push(t === 0 ? x.km[j + 1] : r.km[t]);
    }
    x.ks[j + 1] = r.ks[k];
    x.km[j + 1] = r.km[k];
    r.kids.splice(0, k);
    r.cnt.splice(0, k);
    r.ks.splice(0, k);
    r.km.splice(0, k);
  } else {
    const from = ln - k;
    moved = -sum(l.cnt, from, ln);
    // r's first child gets the old parent separator; the moved first child's goes up
    r.ks[0] = x.ks[j + 1];
    r.km[0] = x.km[j + 1];
    x.ks[j + 1] = l.ks[from];
    x.km[j + 1] = l.km[from];
    r.kids = l.kids.slice(from).concat(r.kids);
    r.cnt = l.cnt.slice(from).concat(r.cnt);
    r.ks = l.ks.slice(from).concat(r.ks);
    r.km = l.km.slice(from).concat(r.km);
    l.kids.length = from;
    l.cnt.length = from;
    l.ks.length = from;
    l.km.length = from;
  }
  x.cnt[j] += moved;
  x.cnt[j + 1] -= moved;
}
