/*
 * Per-command latency tracking (latency-tracking, INFO latencystats, LATENCY HISTOGRAM): a
 * histogram of run times per command, with the geometry Redis 7.0 gives its HdrHistograms, so
 * percentiles and histogram buckets are reported at the same resolution and boundaries.
 *
 * Geometry (HdrHistogram with lowest value 1 ns, highest 1 s, 2 significant digits): values are
 * nanoseconds, clamped to [1, 1e9]. Buckets double; each holds 128 linear sub-buckets (the first
 * 256), so a recorded value is kept to within 1/128 of itself. A value v maps to
 *   bucket = bitLength(v | 255) - 8,  sub = v >> bucket,  index = ((bucket + 1) << 7) + sub - 128,
 * 3072 counters in all. The counters are a Float64Array allocated on a command's first record.
 *
 * Percentiles are HdrHistogram's: the smallest recorded value whose cumulative count reaches
 * round(p% of the total), reported as the highest value equivalent to it (its sub-bucket's top).
 * The LATENCY HISTOGRAM distribution walks levels 1024 ns, 2048 ns, ... doubling (Redis's log
 * iteration from 1024 with base 2), giving each level's cumulative count under the top of its
 * sub-bucket, in whole microseconds, and only levels where the count grew.
 */

const SUB_HALF_MAG = 7;
const SUB_HALF = 1 << SUB_HALF_MAG; // 128
const SUB_MASK = 2 * SUB_HALF - 1; // 255
const MAX_VALUE = 1_000_000_000;
/** buckets needed to reach MAX_VALUE: 256 << 22 > 1e9 */
const BUCKETS = 23;
const COUNTS = (BUCKETS + 1) * SUB_HALF;

/** Index of the counter for v (1 <= v < 2^31). */
function indexOf(v: number): number {
  const bucket = 32 - Math.clz32(v | SUB_MASK) - (SUB_HALF_MAG + 1);
  const sub = v >>> bucket;
  return ((bucket + 1) << SUB_HALF_MAG) + sub - SUB_HALF;
}

/** The lowest value counted at index i, and the width of its sub-bucket. */
function valueAt(i: number): [number, number] {
  let bucket = (i >> SUB_HALF_MAG) - 1;
  let sub = (i & (SUB_HALF - 1)) + SUB_HALF;
  if (bucket < 0) {
    sub -= SUB_HALF;
    bucket = 0;
  }
  return [sub * 2 ** bucket, 2 ** bucket];
}

export class LatencyHistogram {
  private readonly counts = new Float64Array(COUNTS);
  total = 0;

  /** Records a run time in nanoseconds (clamped to 1 ns .. 1 s, as Redis clamps). */
  record(ns: number): void {
    const v = ns < 1 ? 1 : ns > MAX_VALUE ? MAX_VALUE : Math.floor(ns);
    this.counts[indexOf(v)]++;
    this.total++;
  }

  /** The value (ns) at percentile p (0..100), HdrHistogram's hdr_value_at_percentile. */
  percentile(p: number): number {
    const requested = p < 100 ? p : 100;
    const want = Math.max(1, Math.floor((requested / 100) * this.total + 0.5));
    let seen = 0;
    for (let i = 0; i < COUNTS; i++) {
      seen += this.counts[i];
      if (seen >= want) {
        const [low, width] = valueAt(i);
        return p === 0 ? low : low + width - 1;
      }
    }
    return 0;
  }

  /** LATENCY HISTOGRAM's distribution: [microseconds, cumulative count] per level that grew. */
  distribution(): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    let i = 0;
    let cumulative = 0;
    let previous = 0;
    for (let level = 1024; cumulative < this.total; level *= 2) {
      // past the last counter (levels beyond 1 s) the walk ends on it, as HdrHistogram's does
      const last = Math.min(indexOf(Math.min(level, 2 ** 31 - 1)), COUNTS - 1);
      for (; i <= last; i++) cumulative += this.counts[i];
      const [low, width] = valueAt(last);
      if (cumulative > previous) out.push([Math.floor((low + width - 1) / 1000), cumulative]);
      previous = cumulative;
      if (last === COUNTS - 1) break;
    }
    return out;
  }
}

/**
 * A percentile as Redis prints it, in INFO latencystats and in CONFIG GET / REWRITE of
 * latency-tracking-info-percentiles: C's "%f" with trailing zeros (and a bare point) trimmed.
 */
export function percentileName(p: number): string {
  const s = p.toFixed(6);
  return s.replace(/\.?0+$/, '');
}
