/*
 * The set and hash value types against naive models (a JS Set / Map), as properties over random
 * operation sequences: membership, size, iteration (ascending numeric order while a set is an
 * intset, insertion order while a hash is a listpack), and the encoding rules — an intset holds only
 * canonical 64-bit integers and at most set-max-intset-entries of them; a listpack hash at most
 * hash-max-listpack-entries fields, none longer than hash-max-listpack-value; neither converts back.
 */

import { describe, it, after } from 'node:test';
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { limits } from '../../src/data/encoding';
import { intMember, newSetFor, setAdd, setHas, setMembers, setRemove, setSize, setRandom } from '../../src/data/settype';
import { newHash, hashSet, hashGet, hashDelete, hashLen, hashEntries, hashTryConversion } from '../../src/data/hashtype';
import { duplicateObject } from '../../src/data/keyspace';

const saved = { ...limits };
after(() => Object.assign(limits, saved));

const memberArb = fc.oneof(
  fc.integer({ min: -20, max: 20 }).map(String),
  fc.constantFrom('9223372036854775807', '-9223372036854775808', '9223372036854775808', '-0', '007', '+1', '', 'a', '\x00\xff', ' 1'),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String),
);

describe('set value type', () => {
  it('intMember accepts exactly the canonical signed 64-bit integers', () => {
    for (const s of ['0', '-1', '12', '9223372036854775807', '-9223372036854775808']) assert.notEqual(intMember(s), null, s);
    for (const s of ['', '-', '-0', '01', '+1', ' 1', '1 ', '1.0', '9223372036854775808', '-9223372036854775809', '0x1', '1e3']) {
      assert.equal(intMember(s), null, s);
    }
    fc.assert(fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (b) => String(intMember(b.toString())) === b.toString()));
  });

  it('behaves as a set and follows the intset rules', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 12 }),
        fc.array(fc.record({ add: fc.boolean(), m: memberArb }), { minLength: 1, maxLength: 80 }),
        (maxInts, ops) => {
          limits.setMaxIntsetEntries = maxInts;
          const o = newSetFor(ops[0].m, 0);
          const ref = new Set<string>();
          let wasHashtable = o.enc === 'hashtable';
          for (const { add, m } of ops) {
            if (add) assert.equal(setAdd(o, m), !ref.has(m));
            else assert.equal(setRemove(o, m), ref.has(m));
            if (add) ref.add(m);
            else ref.delete(m);
            assert.equal(setSize(o), ref.size);
            if (wasHashtable) assert.equal(o.enc, 'hashtable', 'never converts back');
            wasHashtable = o.enc === 'hashtable';
            if (o.enc === 'intset') {
              assert.ok(setSize(o) <= maxInts);
              const ms = setMembers(o);
              const sorted = [...ms].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
              assert.deepEqual(ms, sorted);
            }
          }
          for (const m of ref) assert.ok(setHas(o, m));
          assert.deepEqual(new Set(setMembers(o)), ref);
          if (ref.size > 0) assert.ok(ref.has(setRandom(o)));
          const copy = duplicateObject(o, 0);
          setAdd(copy, 'fresh-member');
          assert.ok(!setHas(o, 'fresh-member'), 'copies are independent');
        },
      ),
    );
  });
});

describe('hash value type', () => {
  it('behaves as a map, keeps listpack insertion order, converts by the limits', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10 }),
        fc.integer({ min: 0, max: 6 }),
        fc.array(fc.record({ set: fc.boolean(), f: fc.string({ maxLength: 8 }), v: fc.string({ maxLength: 8 }) }), { maxLength: 80 }),
        (maxEntries, maxValue, ops) => {
          limits.hashMaxListpackEntries = maxEntries;
          limits.hashMaxListpackValue = maxValue;
          const o = newHash(0);
          const ref = new Map<string, string>();
          let wasHashtable = false;
          for (const { set, f, v } of ops) {
            if (set) {
              hashTryConversion(o, [f, v], 0, 1);
              assert.equal(hashSet(o, f, v), ref.has(f));
              ref.set(f, v);
            } else {
              assert.equal(hashDelete(o, f), ref.delete(f));
            }
            if (wasHashtable) assert.equal(o.enc, 'hashtable');
            wasHashtable = o.enc === 'hashtable';
            assert.equal(hashLen(o), ref.size);
            if (o.enc === 'listpack') {
              assert.ok(hashLen(o) <= maxEntries);
              assert.deepEqual([...hashEntries(o)], [...ref], 'insertion order');
              for (const [k, x] of ref) assert.ok(k.length <= maxValue && x.length <= maxValue);
            }
          }
          for (const [k, x] of ref) assert.equal(hashGet(o, k), x);
          assert.deepEqual(new Map(hashEntries(o)), ref);
        },
      ),
    );
  });
});
