/*
 * A small deterministic pseudo-random generator (mulberry32), shared by the tests and benchmarks
 * that must send the same "random" data to redis-server and to Redoubt, and replay a failure
 * from its seed. Not for anything secret.
 */

/** Returns a generator of floats in [0, 1) determined by `seed`. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
