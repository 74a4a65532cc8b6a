/*
 * Per-command run-time histograms (src/server/latency-histogram.ts) against HdrHistogram's
 * arithmetic for Redis's geometry (1 ns to 1 s, 2 significant digits): exact values below 256,
 * then sub-buckets twice as wide per doubling; percentiles reported as the top of their
 * sub-bucket (the bottom for p0); clamping; and LATENCY HISTOGRAM's doubling levels from 1024 ns.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LatencyHistogram, percentileName } from '../../src/server/latency-histogram';

test('percentiles follow HdrHistogram: value at the rounded count, top of its sub-bucket', () => {
  const h = new LatencyHistogram();
  for (let v = 1; v <= 1000; v++) h.record(v);
  assert.equal(h.total, 1000);
  assert.equal(h.percentile(0), 1);
  assert.equal(h.percentile(10), 100, 'below 256 every value is its own bucket');
  assert.equal(h.percentile(50), 501, '256..511 count in pairs');
  assert.equal(h.percentile(99), 991, '512..1023 count in fours');
  assert.equal(h.percentile(100), 1003);
  assert.equal(h.percentile(150), 1003, 'above 100 is 100');
  const one = new LatencyHistogram();
  one.record(12345.9);
  // 8192..16383 count in runs of 64: 12345 falls in 12288..12351
  assert.equal(one.percentile(50), 12351);
  assert.equal(one.percentile(0), 12288);
  assert.equal(new LatencyHistogram().percentile(50), 0, 'empty');
});

test('values are clamped to 1 ns .. 1 s', () => {
  const h = new LatencyHistogram();
  h.record(0);
  h.record(-5);
  assert.equal(h.percentile(100), 1);
  h.record(5e12);
  // 1e9 sits in 998244352..1002438655 (runs of 2^22)
  assert.equal(h.percentile(100), 1002438655);
});

test('the distribution: cumulative counts at 1024 ns doubling, in microseconds, where they grow', () => {
  const h = new LatencyHistogram();
  h.record(1500);
  h.record(1500);
  h.record(3000);
  h.record(100);
  // 1024 ns: 100 is under it (1 µs, count 1); 2048: +2 (tops 1031 and 2063 ns)
  assert.deepEqual(h.distribution(), [[1, 1], [2, 3], [4, 4]]);
  const slow = new LatencyHistogram();
  slow.record(7e8);
  slow.record(2e9);
  // 7e8 ns is under the 2^30 ns level, whose walk ends on the last counter (top 2^30 - 1 ns)
  assert.deepEqual(slow.distribution(), [[1073741, 2]]);
  assert.deepEqual(new LatencyHistogram().distribution(), []);
});

test('percentile names as INFO prints them', () => {
  assert.equal(percentileName(50), '50');
  assert.equal(percentileName(99.9), '99.9');
  assert.equal(percentileName(0), '0');
  assert.equal(percentileName(100), '100');
  assert.equal(percentileName(99.99), '99.99');
});
