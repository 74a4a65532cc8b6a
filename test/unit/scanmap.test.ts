/*
 * ScanMap: map semantics against a plain Map, and the SCAN contract under concurrent change —
 * every key present from the first to the last call of an iteration is returned at least once, and
 * an iteration always ends — as a property over random interleavings of inserts, deletes and scan
 * steps.
 */

import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { ScanMap } from '../../src/data/scanmap';

type Op = { t: 'set'; k: number; v: number } | { t: 'slotset'; k: number; v: number } | { t: 'del'; k: number } | { t: 'scan'; count: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ t: fc.constant('set' as const), k: fc.nat(60), v: fc.nat() }),
  // the keyspace's one-lookup write: indexOf, then setAt or insertNew
  fc.record({ t: fc.constant('slotset' as const), k: fc.nat(60), v: fc.nat() }),
  fc.record({ t: fc.constant('del' as const), k: fc.nat(60) }),
  fc.record({ t: fc.constant('scan' as const), count: fc.integer({ min: 1, max: 7 }) }),
);

describe('ScanMap', () => {
  it('behaves as a map', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 300 }), (ops) => {
        const m = new ScanMap<number>();
        const ref = new Map<string, number>();
        for (const op of ops) {
          if (op.t === 'set') {
            m.set('k' + op.k, op.v);
            ref.set('k' + op.k, op.v);
          } else if (op.t === 'slotset') {
            const slot = m.indexOf('k' + op.k);
            if (slot !== undefined) m.setAt(slot, op.v);
            else m.insertNew('k' + op.k, op.v);
            ref.set('k' + op.k, op.v);
          } else if (op.t === 'del') {
            assert.equal(m.delete('k' + op.k), ref.delete('k' + op.k));
          }
          assert.equal(m.size, ref.size);
        }
        for (const [k, v] of ref) {
          assert.equal(m.get(k), v);
          assert.equal(m.has(k), true);
        }
        assert.deepEqual(new Set(m.keys()), new Set(ref.keys()));
        assert.deepEqual([...m.entries()].sort(), [...ref.entries()].sort());
        const r = m.randomKey();
        if (ref.size === 0) assert.equal(r, undefined);
        else assert.ok(ref.has(r!));
      }),
      { numRuns: 500 },
    );
  });

  it('returns every key present for the whole iteration, and always finishes', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(60), { maxLength: 60 }), fc.array(opArb, { maxLength: 400 }), (initial, ops) => {
        const m = new ScanMap<number>();
        for (const k of initial) m.set('k' + k, k);
        const atStart = new Set(m.keys());
        const removed = new Set<string>();
        const seen = new Set<string>();
        let cursor = 0;
        let started = false;
        let calls = 0;
        let done = false;
        const step = (count: number) => {
          cursor = m.scan(cursor, count, (k) => seen.add(k));
          calls++;
          started = true;
          if (cursor === 0) done = true;
        };
        for (const op of ops) {
          if (done) break;
          if (op.t === 'set' || op.t === 'slotset') m.set('k' + op.k, op.v);
          else if (op.t === 'del') {
            if (m.delete('k' + op.k)) removed.add('k' + op.k);
          } else step(op.count);
        }
        // finish the iteration; growth is bounded here, so it must end promptly
        let guard = 0;
        while (!done || !started) {
          step(1);
          assert.ok(++guard < 10000, 'iteration did not end');
        }
        for (const k of atStart) if (!removed.has(k)) assert.ok(seen.has(k), `missed ${k}`);
        assert.ok(calls > 0);
      }),
      { numRuns: 1000 },
    );
  });

  it('ends an iteration even while the map keeps growing', () => {
    const m = new ScanMap<number>();
    for (let i = 0; i < 100; i++) m.set('a' + i, i);
    let cursor = 0;
    let calls = 0;
    let n = 0;
    do {
      cursor = m.scan(cursor, 10, () => {});
      for (let i = 0; i < 50; i++) m.set('b' + n++, i); // grows much faster than the scan advances
      calls++;
    } while (cursor !== 0);
    assert.equal(calls, 10);
  });

  it('clamps a cursor it did not hand out', () => {
    const m = new ScanMap<number>();
    for (let i = 0; i < 5; i++) m.set('k' + i, i);
    const seen: string[] = [];
    assert.equal(m.scan(1e18, 100, (k) => seen.push(k)), 0);
    assert.equal(seen.length, 5);
  });

  it('picks random keys roughly uniformly', () => {
    const m = new ScanMap<number>();
    for (let i = 0; i < 4; i++) m.set('k' + i, i);
    for (let i = 0; i < 1000; i++) m.set('tmp' + i, i);
    for (let i = 0; i < 1000; i++) m.delete('tmp' + i);
    const counts = new Map<string, number>();
    for (let i = 0; i < 4000; i++) {
      const k = m.randomKey()!;
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    assert.equal(counts.size, 4);
    for (const c of counts.values()) assert.ok(c > 700 && c < 1300);
  });
});
