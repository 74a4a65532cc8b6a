/*
 * Differential specification of the hash family against redis-server 7.0.15: every command's
 * replies and error paths, binary fields and values, the listpack -> hashtable conversions and their
 * thresholds (OBJECT ENCODING), insertion order of small hashes, HINCRBYFLOAT's long double
 * formatting, HSCAN parsing and paging, and the deterministic cases of HRANDFIELD; RESP2 and RESP3.
 * Random picks are checked separately (test/unit/hashes-random.test.ts).
 */

import { describe, it, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { diffSuite, type Script } from './harness';
import { startRedoubt, type RunningServer } from '../support/servers';
import { RespClient, elems, strs } from './random-client';

const BIN = 'f\x00\xff\r\n\x80';
const LONG = 'v'.repeat(65);

/** HSET key f0 v0 f1 v1 ... with n fields. */
function many(key: string, n: number, prefix = 'f'): string[] {
  const a = ['HSET', key];
  for (let i = 0; i < n; i++) a.push(prefix + i, 'v' + i);
  return a;
}

const scripts: Script[] = [
  {
    name: 'hset hget hmget hlen hexists hstrlen basics',
    steps: [
      ['HSET', 'h', 'a', '1'],
      ['HSET', 'h', 'a', '2', 'b', '3', 'c', ''],
      ['HGET', 'h', 'a'],
      ['HGET', 'h', 'nofield'],
      ['HGET', 'nokey', 'a'],
      ['HMGET', 'h', 'a', 'zz', 'c', 'b'],
      ['HMGET', 'nokey', 'a', 'b'],
      ['HLEN', 'h'],
      ['HLEN', 'nokey'],
      ['HEXISTS', 'h', 'a'],
      ['HEXISTS', 'h', 'zz'],
      ['HEXISTS', 'nokey', 'a'],
      ['HSTRLEN', 'h', 'a'],
      ['HSTRLEN', 'h', 'c'],
      ['HSTRLEN', 'h', 'zz'],
      ['HSTRLEN', 'nokey', 'zz'],
      ['HSET', 'h', BIN, BIN],
      ['HGET', 'h', BIN],
      ['HSTRLEN', 'h', BIN],
      ['HGETALL', 'h'],
      ['HKEYS', 'h'],
      ['HVALS', 'h'],
      ['HMSET', 'h', 'd', '4', 'e', '5'],
      ['HGETALL', 'h'],
      ['hset', 'h', 'a', 'x'],
      ['HGETALL', 'h'],
      ['HGETALL', 'nokey'],
      ['HKEYS', 'nokey'],
      ['HVALS', 'nokey'],
      ['OBJECT', 'ENCODING', 'h'],
      ['TYPE', 'h'],
    ],
  },
  {
    name: 'arity and wrong type errors',
    steps: [
      ['HSET', 'h'],
      ['HSET', 'h', 'a'],
      ['HSET', 'h', 'a', '1', 'b'],
      ['HMSET', 'h', 'a'],
      ['HMSET', 'h', 'a', '1', 'b'],
      ['HSETNX', 'h', 'a'],
      ['HGET', 'h'],
      ['HMGET', 'h'],
      ['HDEL', 'h'],
      ['HLEN'],
      ['HSTRLEN', 'h'],
      ['HEXISTS', 'h'],
      ['HKEYS'],
      ['HGETALL', 'h', 'x'],
      ['HINCRBY', 'h', 'a'],
      ['HINCRBYFLOAT', 'h', 'a'],
      ['HRANDFIELD'],
      ['HSCAN', 'h'],
      ['EXISTS', 'h'],
      ['SET', 's', 'v'],
      ['HSET', 's', 'a', '1'],
      ['HMSET', 's', 'a', '1'],
      ['HSETNX', 's', 'a', '1'],
      ['HGET', 's', 'a'],
      ['HMGET', 's', 'a'],
      ['HDEL', 's', 'a'],
      ['HLEN', 's'],
      ['HSTRLEN', 's', 'a'],
      ['HEXISTS', 's', 'a'],
      ['HKEYS', 's'],
      ['HVALS', 's'],
      ['HGETALL', 's'],
      ['HINCRBY', 's', 'a', '1'],
      ['HINCRBYFLOAT', 's', 'a', '1'],
      ['HRANDFIELD', 's'],
      ['HRANDFIELD', 's', '1'],
      ['HSCAN', 's', '0'],
      ['GET', 's'],
    ],
  },
  {
    name: 'hsetnx and hdel, key removed with its last field',
    steps: [
      ['HSETNX', 'h', 'a', '1'],
      ['HSETNX', 'h', 'a', '2'],
      ['HGET', 'h', 'a'],
      ['HSETNX', 'h', 'b', '2'],
      ['HDEL', 'h', 'zz'],
      ['HDEL', 'nokey', 'a'],
      ['HDEL', 'h', 'a', 'a', 'zz'],
      ['HGETALL', 'h'],
      ['HDEL', 'h', 'b', 'c'],
      ['EXISTS', 'h'],
      ['HSET', 'h', 'x', '1', 'y', '2', 'z', '3'],
      ['HDEL', 'h', 'x', 'y', 'z', 'x'],
      ['EXISTS', 'h'],
    ],
  },
  {
    name: 'insertion order of listpack hashes is kept across updates and deletions',
    steps: [
      ['HSET', 'h', 'c', '1', 'a', '2', 'b', '3'],
      ['HSET', 'h', 'a', '20'],
      ['HDEL', 'h', 'c'],
      ['HSET', 'h', 'c', '4', 'd', '5'],
      ['HGETALL', 'h'],
      ['HKEYS', 'h'],
      ['HVALS', 'h'],
      ['HSCAN', 'h', '0'],
      ['HRANDFIELD', 'h', '10'],
      ['HRANDFIELD', 'h', '4', 'WITHVALUES'],
      ['HRANDFIELD', 'h', '100', 'withvalues'],
    ],
  },
  {
    name: 'encoding conversions follow hash-max-listpack-entries and -value',
    steps: [
      ['HSET', 'v64', 'f', 'v'.repeat(64)],
      ['OBJECT', 'ENCODING', 'v64'],
      ['HSET', 'v65', 'f', LONG],
      ['OBJECT', 'ENCODING', 'v65'],
      ['HSET', 'f65', LONG, 'v'],
      ['OBJECT', 'ENCODING', 'f65'],
      ['HSET', 'later', 'a', '1'],
      ['HSET', 'later', 'a', LONG],
      ['OBJECT', 'ENCODING', 'later'],
      ['HSETNX', 'nx', 'a', LONG],
      ['OBJECT', 'ENCODING', 'nx'],
      ['HSET', 'nx2', 'a', '1'],
      ['HSETNX', 'nx2', 'a', LONG],
      ['OBJECT', 'ENCODING', 'nx2'],
      many('n512', 512),
      ['OBJECT', 'ENCODING', 'n512'],
      ['HSET', 'n512', 'f0', 'again'],
      ['OBJECT', 'ENCODING', 'n512'],
      ['HSET', 'n512', 'new', 'x'],
      ['OBJECT', 'ENCODING', 'n512'],
      ['HLEN', 'n512'],
      { cmd: ['HGETALL', 'n512'], unordered: true },
      { cmd: ['HKEYS', 'n512'], unordered: true },
      { cmd: ['HVALS', 'n512'], unordered: true },
      ['HDEL', 'n512', 'new', 'f1', 'f2'],
      ['OBJECT', 'ENCODING', 'n512'],
      ['CONFIG', 'SET', 'hash-max-listpack-entries', '2'],
      ['CONFIG', 'SET', 'hash-max-listpack-value', '3'],
      ['HSET', 'c', 'a', '1', 'b', '2'],
      ['OBJECT', 'ENCODING', 'c'],
      ['HSET', 'c', 'c', '3'],
      ['OBJECT', 'ENCODING', 'c'],
      ['HSET', 'd', 'a', '1'],
      ['HINCRBY', 'd', 'a', '1000'],
      ['OBJECT', 'ENCODING', 'd'],
      ['HSET', 'e', 'a', '1'],
      ['HINCRBYFLOAT', 'e', 'a', '0.5'],
      ['OBJECT', 'ENCODING', 'e'],
      ['HINCRBYFLOAT', 'e', 'b', '0.25'],
      ['OBJECT', 'ENCODING', 'e'],
      ['HSET', 'g', 'a', '1'],
      ['HINCRBY', 'g', 'abcd', '1'],
      ['OBJECT', 'ENCODING', 'g'],
      ['CONFIG', 'SET', 'hash-max-listpack-entries', '0'],
      ['HSET', 'z', 'a', '1'],
      ['OBJECT', 'ENCODING', 'z'],
      ['CONFIG', 'SET', 'hash-max-listpack-entries', '128'],
      ['CONFIG', 'SET', 'hash-max-listpack-value', '64'],
    ],
  },
  {
    name: 'hincrby',
    steps: [
      ['HINCRBY', 'h', 'a', '5'],
      ['HINCRBY', 'h', 'a', '-7'],
      ['HINCRBY', 'h', 'a', 'x'],
      ['HINCRBY', 'h', 'a', '1.5'],
      ['HINCRBY', 'h', 'a', ''],
      ['HINCRBY', 'h', 'a', '+1'],
      ['HINCRBY', 'h', 'a', '01'],
      ['HINCRBY', 'h', 'a', '9223372036854775807'],
      ['HSET', 'h', 'big', '9223372036854775806'],
      ['HINCRBY', 'h', 'big', '1'],
      ['HINCRBY', 'h', 'big', '1'],
      ['HINCRBY', 'h', 'big', '-9223372036854775808'],
      ['HSET', 'h', 'min', '-9223372036854775807'],
      ['HINCRBY', 'h', 'min', '-1'],
      ['HINCRBY', 'h', 'min', '-1'],
      ['HINCRBY', 'h', 'min', '0'],
      ['HSET', 'h', 's', 'abc', 'sp', ' 1', 'fl', '1.5', 'lz', '007', 'e', ''],
      ['HINCRBY', 'h', 's', '1'],
      ['HINCRBY', 'h', 'sp', '1'],
      ['HINCRBY', 'h', 'fl', '1'],
      ['HINCRBY', 'h', 'lz', '1'],
      ['HINCRBY', 'h', 'e', '1'],
      ['HINCRBY', 'nokey', 'a', 'x'],
      ['EXISTS', 'nokey'],
      ['HGETALL', 'h'],
    ],
  },
  {
    name: 'hincrbyfloat formatting and errors',
    steps: [
      ['HINCRBYFLOAT', 'h', 'a', '1.5'],
      ['HINCRBYFLOAT', 'h', 'a', '0.1'],
      ['HINCRBYFLOAT', 'h', 'a', '-1.6'],
      ['HINCRBYFLOAT', 'h', 'b', '3.0e3'],
      ['HINCRBYFLOAT', 'h', 'b', '1e-5'],
      ['HINCRBYFLOAT', 'h', 'c', '10.5'],
      ['HINCRBYFLOAT', 'h', 'c', '-10.5'],
      ['HINCRBYFLOAT', 'h', 'd', '1e300'],
      ['HINCRBYFLOAT', 'h', 'd', '1e300'],
      ['HINCRBYFLOAT', 'h', 'a', 'x'],
      ['HINCRBYFLOAT', 'h', 'a', ''],
      ['HINCRBYFLOAT', 'h', 'a', ' 1'],
      ['HINCRBYFLOAT', 'h', 'a', 'inf'],
      ['HINCRBYFLOAT', 'h', 'a', '-inf'],
      ['HINCRBYFLOAT', 'h', 'a', 'nan'],
      ['HINCRBYFLOAT', 'h', 'a', '0x10'],
      ['HSET', 'h', 's', 'abc', 'sp', ' 1', 'hex', '0x10', 'i', '9223372036854775807', 'inf', 'inf'],
      ['HINCRBYFLOAT', 'h', 's', '1'],
      ['HINCRBYFLOAT', 'h', 'sp', '1'],
      ['HINCRBYFLOAT', 'h', 'hex', '1'],
      ['HINCRBYFLOAT', 'h', 'i', '1'],
      ['HINCRBYFLOAT', 'h', 'inf', '1'],
      ['HINCRBYFLOAT', 'nokey', 'a', 'inf'],
      ['EXISTS', 'nokey'],
      ['HINCRBYFLOAT', 'h2', 'x', '1e4000'],
      ['HINCRBYFLOAT', 'h2', 'x', '1e4000'],
      ['HINCRBYFLOAT', 'h2', 'x', '1e4932'],
      ['OBJECT', 'ENCODING', 'h'],
      { cmd: ['HGETALL', 'h'], unordered: true },
    ],
  },
  {
    name: 'hrandfield argument handling and deterministic cases',
    steps: [
      ['HRANDFIELD', 'nokey'],
      ['HRANDFIELD', 'nokey', '5'],
      ['HRANDFIELD', 'nokey', '-5', 'WITHVALUES'],
      ['HRANDFIELD', 'nokey', '0'],
      ['HRANDFIELD', 'nokey', 'x'],
      ['HRANDFIELD', 'nokey', '5', 'foo'],
      ['HSET', 'h', 'a', '1'],
      ['HRANDFIELD', 'h'],
      ['HRANDFIELD', 'h', '1'],
      ['HRANDFIELD', 'h', '-1'],
      ['HRANDFIELD', 'h', '1', 'WITHVALUES'],
      ['HRANDFIELD', 'h', '-3'],
      ['HRANDFIELD', 'h', '-3', 'WITHVALUES'],
      ['HRANDFIELD', 'h', '0'],
      ['HRANDFIELD', 'h', '0', 'WITHVALUES'],
      ['HRANDFIELD', 'h', '5', 'WITHVALUES', 'x'],
      ['HRANDFIELD', 'h', '5', 'WITHVALUE'],
      ['HRANDFIELD', 'h', 'x', 'WITHVALUES'],
      ['HRANDFIELD', 'h', '1.5'],
      ['HRANDFIELD', 'h', '9223372036854775808'],
      ['HRANDFIELD', 'h', '-9223372036854775808'],
      ['HRANDFIELD', 'h', '-9223372036854775808', 'WITHVALUES'],
      ['HRANDFIELD', 'h', '-9223372036854775809'],
      ['HRANDFIELD', 'h', '9223372036854775807', 'withvalues'],
      ['HRANDFIELD', 'h', '4611686018427387904', 'withvalues'],
      ['HRANDFIELD', 'h', '-4611686018427387904', 'withvalues'],
      ['HRANDFIELD', 'h', '4611686018427387903', 'withvalues'],
      ['HRANDFIELD', 'h', '9223372036854775807'],
      many('big', 600),
      { cmd: ['HRANDFIELD', 'big', '600'], unordered: true },
      { cmd: ['HRANDFIELD', 'big', '1000', 'WITHVALUES'], unordered: true },
    ],
  },
  {
    name: 'hscan: cursor, MATCH, COUNT, errors',
    steps: [
      ['HSCAN', 'nokey', '0'],
      ['HSCAN', 'nokey', 'x'],
      ['HSCAN', 'nokey', '0', 'COUNT', '0'],
      ['HSCAN', 'nokey', '0', 'FOO'],
      ['HSET', 'h', 'apple', '1', 'banana', '2', 'avocado', '3', BIN, '4', '', '5'],
      ['HSCAN', 'h', '0'],
      ['HSCAN', 'h', '12345'],
      ['HSCAN', 'h', ''],
      ['HSCAN', 'h', '-1'],
      ['HSCAN', 'h', '+5'],
      ['HSCAN', 'h', '18446744073709551615'],
      ['HSCAN', 'h', '18446744073709551616'],
      ['HSCAN', 'h', ' 1'],
      ['HSCAN', 'h', '1 '],
      ['HSCAN', 'h', '+'],
      ['HSCAN', 'h', '-'],
      ['HSCAN', 'h', '0x1'],
      ['HSCAN', 'h', '1\x00junk'],
      ['HSCAN', 'h', '0', 'MATCH', 'a*'],
      ['HSCAN', 'h', '0', 'match', '*'],
      ['HSCAN', 'h', '0', 'MATCH', '*a*', 'COUNT', '1'],
      ['HSCAN', 'h', '0', 'MATCH', 'nothing'],
      ['HSCAN', 'h', '0', 'MATCH', 'f*'],
      ['HSCAN', 'h', '0', 'COUNT', '0'],
      ['HSCAN', 'h', '0', 'COUNT', '-1'],
      ['HSCAN', 'h', '0', 'COUNT', 'x'],
      ['HSCAN', 'h', '0', 'COUNT', '9223372036854775808'],
      ['HSCAN', 'h', '0', 'COUNT'],
      ['HSCAN', 'h', '0', 'MATCH'],
      ['HSCAN', 'h', '0', 'TYPE', 'string'],
      ['HSCAN', 'h', '0', 'COUNT', '1', 'MATCH', 'b*', 'COUNT', '5'],
      ['HSCAN', 'h', '0', 'COUNT\x00x', '1'],
      ['HSCAN', 'h', 'x', 'COUNT', '0'],
      many('big', 300),
      { cmd: ['HSCAN', 'big', '0', 'COUNT', '1000'], unordered: true },
      { cmd: ['HSCAN', 'big', '0', 'COUNT', '1000', 'MATCH', 'f1*'], unordered: true },
      { cmd: ['HSCAN', 'big', '0', 'COUNT', '1000', 'MATCH', 'nomatch'], unordered: true },
    ],
  },
  {
    // past the length where replies are built as one string (BulkArrayBuilder)
    name: 'long replies: HGETALL, HKEYS, HVALS of a 200-field hash',
    steps: [
      ['HSET', 'big', ...Array.from({ length: 200 }, (_, i) => [`f${i}\x00\xff`, 'v'.repeat(i % 90) + '\r\n' + i]).flat()],
      { cmd: ['HGETALL', 'big'], unordered: true },
      { cmd: ['HKEYS', 'big'], unordered: true },
      { cmd: ['HVALS', 'big'], unordered: true },
    ],
  },
];

diffSuite('hashes', scripts);

/*
 * HRANDFIELD's random replies, against Redoubt alone: sizes, membership, distinctness for positive
 * counts, repeats for negative ones, values paired with their fields, and the reply types (a flat
 * array in RESP2, an array of 2-arrays in RESP3 WITHVALUES), for both encodings and every strategy.
 */
describe('HRANDFIELD random picks', () => {
  let server: RunningServer;
  before(async () => {
    server = await startRedoubt();
  });
  after(async () => {
    await server.stop();
  });

  for (const resp of [2, 3] as const) {
    it(`HRANDFIELD (RESP${resp})`, async () => {
      const c = await RespClient.open(server.port);
      await c.call(['HELLO', String(resp)]);
      for (const [enc, size] of [['listpack', 60], ['hashtable', 600]] as const) {
        const fields = new Map<string, string>();
        for (let i = 0; i < size; i++) fields.set('f' + i + '\x00', 'v' + i + '\xff');
        await c.call(['DEL', 'h']);
        await c.call(['HSET', 'h', ...[...fields].flat()]);
        assert.equal((await c.call(['OBJECT', 'ENCODING', 'h'])).v, enc);
        const one = await c.call(['HRANDFIELD', 'h']);
        assert.equal(one.t, '$');
        assert.ok(fields.has(one.v as string));
        for (const count of [1, 2, 10, size / 3, size / 3 + 1, size - 1, size, size + 5, -1, -7, -(size * 3)]) {
          const n = Math.abs(count);
          const expected = count >= 0 ? Math.min(count, size) : n;
          const plain = await c.call(['HRANDFIELD', 'h', String(count)]);
          assert.equal(plain.t, '*');
          const got = strs(plain);
          assert.equal(got.length, expected);
          for (const f of got) assert.ok(fields.has(f));
          if (count > 0) assert.equal(new Set(got).size, got.length, `distinct fields for ${count}`);
          if (count === -(size * 3)) assert.ok(new Set(got).size < got.length);

          const wv = await c.call(['HRANDFIELD', 'h', String(count), 'WITHVALUES']);
          assert.equal(wv.t, '*');
          const pairs: [string, string][] = [];
          if (resp === 2) {
            const flat = strs(wv);
            assert.equal(flat.length, expected * 2);
            for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i], flat[i + 1]]);
          } else {
            const items = elems(wv);
            assert.equal(items.length, expected);
            for (const p of items) {
              assert.equal(p.t, '*');
              const [f, v] = strs(p);
              pairs.push([f, v]);
            }
          }
          for (const [f, v] of pairs) assert.equal(fields.get(f), v);
          if (count > 0) assert.equal(new Set(pairs.map((p) => p[0])).size, pairs.length);
        }
      }
      c.close();
    });
  }
});
