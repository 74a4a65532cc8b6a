/*
 * The size thresholds that decide a collection's encoding, as Redis's `*-max-listpack-*` and
 * `set-max-intset-entries` directives set them.
 *
 * Design: one mutable object the value types read on their hot paths (a property load, not a
 * config lookup). The config registry writes it when a directive is set (at start-up and by
 * CONFIG SET), so a new threshold applies to the next write, as in Redis: an existing compact
 * value converts when a write pushes it over the new limit, and a big one never converts back.
 */

export const limits = {
  hashMaxListpackEntries: 512,
  hashMaxListpackValue: 64,
  /** list-max-listpack-size: > 0 entries per node, < 0 bytes per node (-1 = 4 KB ... -5 = 64 KB) */
  listMaxListpackSize: -2,
  listCompressDepth: 0,
  setMaxIntsetEntries: 512,
  zsetMaxListpackEntries: 128,
  zsetMaxListpackValue: 64,
  hllSparseMaxBytes: 3000,
};
