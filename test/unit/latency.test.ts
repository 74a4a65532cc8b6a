/*
 * The latency monitor's series (src/server/latency.ts): the threshold, one sample per second
 * keeping the worst, the 160-sample ring and the all-time high, RESET's case-insensitive match,
 * the sparkline of GRAPH for known values, and the doctor's two empty states.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LatencyMonitor, SERIES_LEN } from '../../src/server/latency';

const FACTS = { slowlogSlowerThan: 10000, appendfsync: 'everysec', hz: 10 };

test('samples are kept from the threshold up, the worst of each second', () => {
  const m = new LatencyMonitor();
  m.addIfNeeded('command', 500, 1000);
  assert.equal(m.size, 0, 'threshold 0 is off');
  m.threshold = 10;
  m.addIfNeeded('command', 9.9, 1000);
  assert.equal(m.size, 0, 'below the threshold');
  m.addIfNeeded('command', 12.7, 1000);
  m.addIfNeeded('command', 11, 1000);
  m.addIfNeeded('command', 30, 1000);
  m.addIfNeeded('command', 15, 1001);
  assert.deepEqual(m.history('command'), [[1000, 30], [1001, 15]]);
  assert.deepEqual(m.latest(), [['command', 1001, 15, 30]]);
  assert.equal(m.history('COMMAND'), undefined, 'event names are exact');
});

test('the ring keeps the last 160 seconds, the all-time high outlives it', () => {
  const m = new LatencyMonitor();
  m.threshold = 1;
  m.add('expire-cycle', 999, 1);
  for (let s = 2; s <= 200; s++) m.add('expire-cycle', s, s);
  const h = m.history('expire-cycle')!;
  assert.equal(h.length, SERIES_LEN);
  assert.deepEqual(h[0], [200 - SERIES_LEN + 1, 200 - SERIES_LEN + 1]);
  assert.deepEqual(h[h.length - 1], [200, 200]);
  assert.deepEqual(m.latest(), [['expire-cycle', 200, 200, 999]]);
});

test('RESET drops events by name ignoring case, or all of them', () => {
  const m = new LatencyMonitor();
  m.threshold = 1;
  m.add('command', 5, 1);
  m.add('fast-command', 5, 1);
  m.add('aof-write', 5, 1);
  assert.equal(m.reset('COMMAND'), 1);
  assert.equal(m.reset('command'), 0);
  assert.deepEqual(m.latest().map(([e]) => e), ['fast-command', 'aof-write']);
  assert.equal(m.reset(), 2);
  assert.equal(m.size, 0);
});

test('GRAPH: header, rule, a sparkline four rows high and the labels written downwards', () => {
  const m = new LatencyMonitor();
  m.threshold = 1;
  m.add('command', 10, 995);
  m.add('command', 20, 999);
  // 10 is the bottom step ('_' on the last row), 20 the top ('#', with '|' below)
  assert.equal(m.graph('command', 1000),
    'command - high 20 ms, low 10 ms (all time high 20 ms)\n' + '-'.repeat(80) + '\n' +
    ' #\n |\n |\n_|\n  \n51\nss\n');
  assert.equal(m.graph('nosuch', 1000), undefined);
  // minutes, hours and days ago
  const n = new LatencyMonitor();
  n.add('x', 7, 1);
  assert.match(n.graph('x', 1 + 2 * 86400)!, /\n2\nd\n$/);
  assert.match(n.graph('x', 1 + 3 * 3600)!, /\n3\nh\n$/);
  assert.match(n.graph('x', 1 + 59 * 60)!, /\n5\n9\nm\n$/);
});

test('DOCTOR: off and never on, on and nothing seen, and a report with advice', () => {
  const m = new LatencyMonitor();
  assert.match(m.doctor(1000, FACTS), /latency monitor is off/);
  m.threshold = 100;
  assert.match(m.doctor(1000, FACTS), /No latency spike/);
  m.add('command', 150, 990);
  m.add('command', 250, 995);
  const r = m.doctor(1000, FACTS);
  assert.match(r, /1\. command: 2 spikes, average 200 ms, mean deviation 50 ms, one every 5\.00 s\. Worst ever: 250 ms\./);
  assert.match(r, /SLOWLOG GET/);
  // the threshold (100 ms) is above the slow log's 10 ms: no advice to lower the slow log's
  assert.doesNotMatch(r, /slowlog-log-slower-than/);
  assert.match(m.doctor(1000, { ...FACTS, slowlogSlowerThan: -1 }), /CONFIG SET slowlog-log-slower-than 100000/);
});
