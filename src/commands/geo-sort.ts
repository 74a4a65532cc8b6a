/*
 * The orderings GEORADIUS/GEOSEARCH results get, reproduced permutation for permutation.
 *
 * Redis sorts the candidate points by distance only, so points at equal distances come out in
 * whatever order its sort leaves them: a full sort uses glibc's qsort (a stable merge sort at
 * these sizes), a partial one (COUNT smaller than the matches) Redis's pqsort, a Bentley-McIlroy
 * quicksort that skips partitions outside the wanted range and is not stable. To give the same
 * bytes we run the same algorithms: Array.prototype.sort (stable) for the first, and below a
 * re-expression of that quicksort over array indexes for the second.
 */

export type Cmp<T> = (a: T, b: T) => number;

/** Stable full sort, as glibc qsort's merge sort orders equal keys. */
export function stableSort<T>(a: T[], cmp: Cmp<T>): void {
  a.sort(cmp);
}

/**
 * Partially sorts `a` so that positions lo..hi (inclusive) hold what a full sort would put there,
 * following pqsort's choices of pivots, swaps and pruning exactly.
 */
export function partialSort<T>(a: T[], cmp: Cmp<T>, lo: number, hi: number): void {
  sortRange(a, 0, a.length, cmp, lo, hi);
}

function swap<T>(a: T[], i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}

/** Swaps the n-element blocks starting at i and j. */
function blockSwap<T>(a: T[], i: number, j: number, n: number): void {
  for (let k = 0; k < n; k++) swap(a, i + k, j + k);
}

function med3<T>(a: T[], i: number, j: number, k: number, cmp: Cmp<T>): number {
  return cmp(a[i], a[j]) < 0
    ? (cmp(a[j], a[k]) < 0 ? j : (cmp(a[i], a[k]) < 0 ? k : i))
    : (cmp(a[j], a[k]) > 0 ? j : (cmp(a[i], a[k]) < 0 ? i : k));
}

function insertionSort<T>(a: T[], base: number, n: number, cmp: Cmp<T>): void {
  for (let m = base + 1; m < base + n; m++) {
    for (let l = m; l > base && cmp(a[l - 1], a[l]) > 0; l--) swap(a, l, l - 1);
  }
}

/** Sorts the n elements from `base`, as far as positions lo..hi need. */
function sortRange<T>(a: T[], base: number, n: number, cmp: Cmp<T>, lo: number, hi: number): void {
  for (;;) {
    if (n < 7) {
      insertionSort(a, base, n, cmp);
      return;
    }
    let pm = base + Math.floor(n / 2);
    if (n > 7) {
      let pl = base;
      let pn = base + n - 1;
      if (n > 40) {
        const d = Math.floor(n / 8);
        pl = med3(a, pl, pl + d, pl + 2 * d, cmp);
        pm = med3(a, pm - d, pm, pm + d, cmp);
        pn = med3(a, pn - 2 * d, pn - d, pn, cmp);
      }
      pm = med3(a, pl, pm, pn, cmp);
    }
    swap(a, base, pm);
    let pa = base + 1;
    let pb = pa;
    let pc = base + n - 1;
    let pd = pc;
    let swapped = false;
    for (;;) {
      let r: number;
      while (pb <= pc && (r = cmp(a[pb], a[base])) <= 0) {
        if (r === 0) {
          swapped = true;
          swap(a, pa, pb);
          pa++;
        }
        pb++;
      }
      while (pb <= pc && (r = cmp(a[pc], a[base])) >= 0) {
        if (r === 0) {
          swapped = true;
          swap(a, pc, pd);
          pd--;
        }
        pc--;
      }
      if (pb > pc) break;
      swap(a, pb, pc);
      swapped = true;
      pb++;
      pc--;
    }
    if (!swapped) {
      insertionSort(a, base, n, cmp);
      return;
    }
    const pn = base + n;
    let r = Math.min(pa - base, pb - pa);
    blockSwap(a, base, pb - r, r);
    r = Math.min(pd - pc, pn - pd - 1);
    blockSwap(a, pb, pn - r, r);
    // the equal-to-pivot blocks are now in the middle; recurse into the "less" part when it
    // overlaps the wanted range, then iterate on the "greater" part under the same condition
    r = pb - pa;
    if (r > 1 && !(hi < base || lo > base + r - 1)) sortRange(a, base, r, cmp, lo, hi);
    r = pd - pc;
    if (r > 1) {
      base = pn - r;
      n = r;
      if (!(hi < base || lo > base + n - 1)) continue;
    }
    return;
  }
}
