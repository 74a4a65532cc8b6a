/*
 * Quicklist (the list value): every operation against a plain array model, as a property over
 * random sequences of pushes, pops, index reads and writes, middle insertions and removals, trims
 * and LREM-style removals — including the wrap-around of the ring and its growth and shrinking.
 */

import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { Quicklist } from '../../src/data/quicklist';

type Op =
  | { t: 'pushHead' | 'pushTail'; v: string }
  | { t: 'popHead' | 'popTail' | 'clone' }
  | { t: 'get'; i: number }
  | { t: 'set'; i: number; v: string }
  | { t: 'insert'; i: number; v: string }
  | { t: 'removeRange'; a: number; b: number }
  | { t: 'trim'; l: number; r: number }
  | { t: 'removeMatching'; v: string; limit: number; tail: boolean }
  | { t: 'bulk'; n: number; head: boolean };

// a small alphabet so equal elements (LREM, indexOf) are common; includes NUL and high bytes
const val = fc.constantFrom('a', 'b', 'c', '', '\x00', '\xff\x80', 'long'.repeat(10));

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ t: fc.constantFrom('pushHead' as const, 'pushTail' as const), v: val }),
  fc.record({ t: fc.constantFrom('popHead' as const, 'popTail' as const, 'clone' as const) }),
  fc.record({ t: fc.constant('get' as const), i: fc.integer({ min: -40, max: 40 }) }),
  fc.record({ t: fc.constant('set' as const), i: fc.integer({ min: -40, max: 40 }), v: val }),
  fc.record({ t: fc.constant('insert' as const), i: fc.nat(40), v: val }),
  fc.record({ t: fc.constant('removeRange' as const), a: fc.nat(40), b: fc.nat(40) }),
  fc.record({ t: fc.constant('trim' as const), l: fc.nat(10), r: fc.nat(10) }),
  fc.record({ t: fc.constant('removeMatching' as const), v: val, limit: fc.nat(4), tail: fc.boolean() }),
  fc.record({ t: fc.constant('bulk' as const), n: fc.nat(70), head: fc.boolean() }),
);

function apply(q: Quicklist, m: string[], op: Op): Quicklist {
  switch (op.t) {
    case 'pushHead': q.pushHead(op.v); m.unshift(op.v); break;
    case 'pushTail': q.pushTail(op.v); m.push(op.v); break;
    case 'popHead': assert.equal(q.popHead(), m.shift()); break;
    case 'popTail': assert.equal(q.popTail(), m.pop()); break;
    case 'clone': {
      const c = q.clone();
      // the copy is independent: changing it leaves the original alone
      c.pushTail('zz');
      c.popHead();
      return q;
    }
    case 'get': assert.equal(q.get(op.i), m.at(op.i) !== undefined && op.i >= -m.length ? m.at(op.i) : undefined); break;
    case 'set': {
      const i = op.i < 0 ? m.length + op.i : op.i;
      const ok = i >= 0 && i < m.length;
      assert.equal(q.set(op.i, op.v), ok);
      if (ok) m[i] = op.v;
      break;
    }
    case 'insert': {
      const i = Math.min(op.i, m.length);
      q.insertAt(i, op.v);
      m.splice(i, 0, op.v);
      break;
    }
    case 'removeRange': {
      const start = Math.min(op.a, m.length);
      const count = Math.min(op.b, m.length - start);
      q.removeRange(start, count);
      m.splice(start, count);
      break;
    }
    case 'trim': {
      const l = Math.min(op.l, m.length);
      const r = Math.min(op.r, m.length - l);
      q.trim(l, r);
      m.splice(0, l);
      m.splice(m.length - r, r);
      break;
    }
    case 'removeMatching': {
      let removed = 0;
      if (!op.tail) {
        for (let i = 0; i < m.length; ) {
          if (m[i] === op.v && (op.limit === 0 || removed < op.limit)) { m.splice(i, 1); removed++; } else i++;
        }
      } else {
        for (let i = m.length - 1; i >= 0; i--) {
          if (m[i] === op.v && (op.limit === 0 || removed < op.limit)) { m.splice(i, 1); removed++; }
        }
      }
      assert.equal(q.removeMatching(op.v, op.limit, op.tail), removed);
      break;
    }
    case 'bulk':
      for (let i = 0; i < op.n; i++) {
        const v = 'e' + i;
        if (op.head) { q.pushHead(v); m.unshift(v); } else { q.pushTail(v); m.push(v); }
      }
      break;
  }
  return q;
}

describe('Quicklist', () => {
  it('behaves as an array under every operation', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 200 }), (ops) => {
        const q = new Quicklist();
        const m: string[] = [];
        for (const op of ops) {
          apply(q, m, op);
          assert.equal(q.length, m.length);
        }
        assert.deepEqual(q.toArray(), m);
        assert.deepEqual(q.clone().toArray(), m);
        if (m.length) {
          assert.deepEqual(q.range(0, m.length - 1), m);
          assert.equal(q.indexOf(m[m.length - 1]), m.indexOf(m[m.length - 1]));
        }
        // capacity follows the length: at most four times it (or the minimum), a power of two
        assert.ok(q.capacity <= Math.max(4, m.length * 4));
        assert.equal(q.capacity & (q.capacity - 1), 0);
      }),
      { numRuns: 500 },
    );
  });

  it('gives memory back after a burst of pops', () => {
    const q = new Quicklist();
    for (let i = 0; i < 10000; i++) q.pushTail('x' + i);
    for (let i = 0; i < 9990; i++) q.popHead();
    assert.ok(q.capacity <= 64);
    assert.deepEqual(q.toArray(), Array.from({ length: 10 }, (_, i) => 'x' + (9990 + i)));
  });

  it('from() and clone() produce independent lists', () => {
    const q = Quicklist.from(['a', 'b', 'c']);
    const c = q.clone();
    c.set(0, 'z');
    c.pushHead('y');
    assert.deepEqual(q.toArray(), ['a', 'b', 'c']);
    assert.deepEqual(c.toArray(), ['y', 'z', 'b', 'c']);
  });
});
