/*
 * Differential specification of the set family against redis-server 7.0.15: every command's
 * replies and error paths, binary members, intset rules (canonical 64-bit integers only, sorted
 * replies, set-max-intset-entries), the encodings of *STORE results and popped sets, the Redis 7.0
 * order of checks (every key type-checked before a missing key empties the result), SSCAN, and the
 * deterministic cases of SPOP / SRANDMEMBER; RESP2 and RESP3. Random picks are checked in
 * test/unit/sets-random.test.ts.
 */

import { describe, it, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { diffSuite, type Script } from './harness';
import { startRedoubt, type RunningServer } from '../support/servers';
import { RespClient, strs } from './random-client';

const BIN = 'm\x00\xff\r\n\x80';

function many(key: string, n: number, prefix = ''): string[] {
  const a = ['SADD', key];
  for (let i = 0; i < n; i++) a.push(prefix + i);
  return a;
}

const scripts: Script[] = [
  {
    name: 'sadd srem scard sismember smismember smembers',
    steps: [
      ['SADD', 's', 'a', 'b', 'c', 'a'],
      ['SADD', 's', 'a'],
      ['SCARD', 's'],
      ['SCARD', 'nokey'],
      ['SISMEMBER', 's', 'a'],
      ['SISMEMBER', 's', 'z'],
      ['SISMEMBER', 'nokey', 'a'],
      ['SMISMEMBER', 's', 'a', 'z', 'c'],
      ['SMISMEMBER', 'nokey', 'a', 'b'],
      { cmd: ['SMEMBERS', 's'], unordered: true },
      ['SMEMBERS', 'nokey'],
      ['SADD', 's', BIN, ''],
      ['SISMEMBER', 's', BIN],
      ['SISMEMBER', 's', ''],
      ['SREM', 's', 'a', 'z', 'a'],
      ['SREM', 'nokey', 'a'],
      ['SCARD', 's'],
      ['SREM', 's', 'b', 'c', BIN, '', 'x'],
      ['EXISTS', 's'],
      ['OBJECT', 'ENCODING', 's'],
      ['sadd', 't', 'x'],
      ['TYPE', 't'],
      ['OBJECT', 'ENCODING', 't'],
    ],
  },
  {
    name: 'intsets: canonical integers, sorted replies, conversions',
    steps: [
      ['SADD', 'i', '5', '-3', '100', '0', '9223372036854775807', '-9223372036854775808', '42'],
      ['OBJECT', 'ENCODING', 'i'],
      ['SMEMBERS', 'i'],
      ['SSCAN', 'i', '0'],
      ['SSCAN', 'i', '0', 'MATCH', '*4*'],
      ['SISMEMBER', 'i', '5'],
      ['SISMEMBER', 'i', '05'],
      ['SISMEMBER', 'i', '+5'],
      ['SISMEMBER', 'i', '5.0'],
      ['SISMEMBER', 'i', '9223372036854775807'],
      ['SREM', 'i', '05', '-0', ' 5'],
      ['SUNION', 'i'],
      ['SINTER', 'i', 'i'],
      ['SDIFF', 'i'],
      ['SRANDMEMBER', 'i', '100'],
      ['SADD', 'i', '9223372036854775808'],
      ['OBJECT', 'ENCODING', 'i'],
      ['SADD', 'j', '1', '2', '-0'],
      ['OBJECT', 'ENCODING', 'j'],
      ['SADD', 'k', '007'],
      ['OBJECT', 'ENCODING', 'k'],
      ['SADD', 'l', '1', '+2'],
      ['OBJECT', 'ENCODING', 'l'],
      ['SADD', 'm', '1', ''],
      ['OBJECT', 'ENCODING', 'm'],
      ['SADD', 'n', '-9223372036854775809'],
      ['OBJECT', 'ENCODING', 'n'],
      many('big', 512),
      ['OBJECT', 'ENCODING', 'big'],
      ['SADD', 'big', '511'],
      ['OBJECT', 'ENCODING', 'big'],
      ['SADD', 'big', '512'],
      ['OBJECT', 'ENCODING', 'big'],
      ['SCARD', 'big'],
      ['SREM', 'big', '512', '511'],
      ['OBJECT', 'ENCODING', 'big'],
      ['CONFIG', 'SET', 'set-max-intset-entries', '3'],
      ['SADD', 'c', '1', '2', '3'],
      ['OBJECT', 'ENCODING', 'c'],
      ['SADD', 'c', '4'],
      ['OBJECT', 'ENCODING', 'c'],
      ['CONFIG', 'SET', 'set-max-intset-entries', '0'],
      ['SADD', 'z', '1'],
      ['OBJECT', 'ENCODING', 'z'],
      ['CONFIG', 'SET', 'set-max-intset-entries', '512'],
    ],
  },
  {
    name: 'arity and wrong type errors',
    steps: [
      ['SADD', 's'],
      ['SREM', 's'],
      ['SCARD'],
      ['SISMEMBER', 's'],
      ['SMISMEMBER', 's'],
      ['SMEMBERS'],
      ['SPOP'],
      ['SRANDMEMBER'],
      ['SMOVE', 'a', 'b'],
      ['SINTER'],
      ['SINTERCARD', '1'],
      ['SINTERSTORE', 'd'],
      ['SUNION'],
      ['SUNIONSTORE', 'd'],
      ['SDIFF'],
      ['SDIFFSTORE', 'd'],
      ['SSCAN', 's'],
      ['SET', 'str', 'v'],
      ['SADD', 'str', 'a'],
      ['SREM', 'str', 'a'],
      ['SCARD', 'str'],
      ['SISMEMBER', 'str', 'a'],
      ['SMISMEMBER', 'str', 'a'],
      ['SMEMBERS', 'str'],
      ['SPOP', 'str'],
      ['SPOP', 'str', '2'],
      ['SRANDMEMBER', 'str'],
      ['SRANDMEMBER', 'str', '2'],
      ['SSCAN', 'str', '0'],
      ['SSCAN', 'str', 'x'],
      ['SADD', 's', '1'],
      ['SINTER', 's', 'str'],
      ['SINTER', 'nokey', 'str'],
      ['SINTER', 'str', 'nokey'],
      ['SINTERCARD', '2', 'nokey', 'str'],
      ['SINTERSTORE', 'd', 'nokey', 'str'],
      ['SUNION', 'nokey', 'str'],
      ['SUNIONSTORE', 'd', 's', 'str'],
      ['SDIFF', 'nokey', 'str'],
      ['SDIFF', 's', 'str'],
      ['SDIFFSTORE', 'd', 's', 'str'],
      ['SINTERSTORE', 'str', 's'],
      ['TYPE', 'str'],
      ['SUNIONSTORE', 'str', 's'],
      ['TYPE', 'str'],
      ['EXISTS', 'd'],
    ],
  },
  {
    name: 'smove',
    steps: [
      ['SADD', 'a', '1', '2', 'x'],
      ['SADD', 'b', '3'],
      ['SMOVE', 'a', 'b', '1'],
      ['SMOVE', 'a', 'b', '1'],
      ['SMOVE', 'a', 'b', 'nope'],
      ['SMEMBERS', 'b'],
      ['OBJECT', 'ENCODING', 'b'],
      ['SMOVE', 'a', 'b', 'x'],
      ['OBJECT', 'ENCODING', 'b'],
      ['SMOVE', 'a', 'a', '2'],
      ['SMOVE', 'a', 'a', '9'],
      ['SMOVE', 'a', 'new', '2'],
      ['EXISTS', 'a'],
      ['SMEMBERS', 'new'],
      ['OBJECT', 'ENCODING', 'new'],
      ['SADD', 'c', '3'],
      ['SMOVE', 'c', 'b', '3'],
      ['EXISTS', 'c'],
      { cmd: ['SMEMBERS', 'b'], unordered: true },
      ['SMOVE', 'nokey', 'b', '3'],
      ['SET', 'str', 'v'],
      ['SMOVE', 'nokey', 'str', '3'],
      ['SMOVE', 'str', 'b', '3'],
      ['SMOVE', 'b', 'str', '3'],
      ['SMOVE', 'b', 'str', 'zz'],
      ['SADD', 'd', 'text'],
      ['SMOVE', 'd', 'n2', 'text'],
      ['OBJECT', 'ENCODING', 'n2'],
    ],
  },
  {
    name: 'sinter sintercard sinterstore',
    steps: [
      ['SADD', 'a', '1', '2', '3', '4', '5'],
      ['SADD', 'b', '2', '3', '4', 'x'],
      ['SADD', 'c', '3', '4', '5', '6'],
      ['SINTER', 'a', 'c'],
      { cmd: ['SINTER', 'a', 'b'], unordered: true },
      { cmd: ['SINTER', 'a', 'b', 'c'], unordered: true },
      ['SINTER', 'a', 'nokey'],
      ['SINTER', 'nokey'],
      ['SINTERCARD', '2', 'a', 'c'],
      ['SINTERCARD', '3', 'a', 'b', 'c'],
      ['SINTERCARD', '2', 'a', 'c', 'LIMIT', '1'],
      ['SINTERCARD', '2', 'a', 'c', 'limit', '0'],
      ['SINTERCARD', '2', 'a', 'c', 'LIMIT', '100'],
      ['SINTERCARD', '2', 'a', 'nokey'],
      ['SINTERCARD', '1', 'a', 'LIMIT', '1', 'LIMIT', '0'],
      ['SINTERCARD', '0', 'a'],
      ['SINTERCARD', '-1', 'a'],
      ['SINTERCARD', 'x', 'a'],
      ['SINTERCARD', '9223372036854775808', 'a'],
      ['SINTERCARD', '3', 'a', 'c'],
      ['SINTERCARD', '1', 'a', 'LIMIT'],
      ['SINTERCARD', '1', 'a', 'LIMIT', '-1'],
      ['SINTERCARD', '1', 'a', 'LIMIT', 'x'],
      ['SINTERCARD', '1', 'a', 'FOO', '1'],
      ['SINTERCARD', '1', 'a', 'c'],
      ['SINTERSTORE', 'd', 'a', 'c'],
      ['SMEMBERS', 'd'],
      ['OBJECT', 'ENCODING', 'd'],
      ['SINTERSTORE', 'd', 'a', 'b'],
      ['SMEMBERS', 'd'],
      ['OBJECT', 'ENCODING', 'd'],
      ['EXPIRE', 'd', '100'],
      ['SINTERSTORE', 'd', 'a', 'c'],
      ['TTL', 'd'],
      ['SINTERSTORE', 'd', 'a', 'nokey'],
      ['EXISTS', 'd'],
      ['SINTERSTORE', 'd', 'a', 'a'],
      ['SCARD', 'd'],
      ['SADD', 'e', 'q'],
      ['SINTERSTORE', 'd', 'a', 'e'],
      ['EXISTS', 'd'],
      ['SINTERSTORE', 'a', 'a', 'c'],
      ['SMEMBERS', 'a'],
    ],
  },
  {
    name: 'sunion sdiff and their store forms',
    steps: [
      ['SADD', 'a', '5', '1', '3'],
      ['SADD', 'b', '2', '3', '4'],
      ['SADD', 't', 'x', '1'],
      ['SUNION', 'a', 'b'],
      ['SUNION', 'a', 'nokey', 'b'],
      ['SUNION', 'nokey'],
      { cmd: ['SUNION', 'a', 't'], unordered: true },
      ['SDIFF', 'a', 'b'],
      ['SDIFF', 'b', 'a', 'nokey'],
      ['SDIFF', 'nokey', 'a'],
      ['SDIFF', 'a', 'a'],
      ['SDIFF', 'a', 'b', 'a'],
      ['SDIFF', 't', 'a'],
      ['SDIFF', 'a'],
      ['SUNIONSTORE', 'u', 'a', 'b'],
      ['SMEMBERS', 'u'],
      ['OBJECT', 'ENCODING', 'u'],
      ['SUNIONSTORE', 'u', 'a', 't'],
      ['OBJECT', 'ENCODING', 'u'],
      ['SUNIONSTORE', 'u', 'nokey'],
      ['EXISTS', 'u'],
      ['SDIFFSTORE', 'dd', 'a', 'b'],
      ['SMEMBERS', 'dd'],
      ['SDIFFSTORE', 'dd', 'a', 'a'],
      ['EXISTS', 'dd'],
      ['SDIFFSTORE', 'dd', 't', 'a'],
      ['SMEMBERS', 'dd'],
      ['OBJECT', 'ENCODING', 'dd'],
      // algorithm 2 (first set small against big ones) keeps a hashtable temporary
      ['SADD', 'tiny', 'w', '1', '2'],
      many('huge', 40, 'h'),
      ['SDIFFSTORE', 'r2', 'tiny', 'huge'],
      ['OBJECT', 'ENCODING', 'r2'],
      { cmd: ['SDIFF', 'tiny', 'huge'], unordered: true },
      ['SADD', 'ints', '1', '2', '3', 'w'],
      many('big', 600),
      ['SDIFFSTORE', 'r3', 'big', 'ints'],
      ['OBJECT', 'ENCODING', 'r3'],
      ['SCARD', 'r3'],
      ['SREM', 'ints', 'w'],
      ['SUNIONSTORE', 'ints', 'ints', 'a'],
      ['SMEMBERS', 'ints'],
      ['SDIFFSTORE', 'b', 'b', 'a'],
      ['SMEMBERS', 'b'],
    ],
  },
  {
    name: 'spop and srandmember: arguments and deterministic cases',
    steps: [
      ['SPOP', 'nokey'],
      ['SPOP', 'nokey', '3'],
      ['SPOP', 'nokey', '0'],
      ['SPOP', 'nokey', '-1'],
      ['SPOP', 'nokey', 'x'],
      ['SRANDMEMBER', 'nokey'],
      ['SRANDMEMBER', 'nokey', '3'],
      ['SRANDMEMBER', 'nokey', '-3'],
      ['SRANDMEMBER', 'nokey', 'x'],
      ['SADD', 's', '3', '1', '2'],
      ['SPOP', 's', '0'],
      ['SPOP', 's', '-1'],
      ['SPOP', 's', '-0'],
      ['SPOP', 's', '1.5'],
      ['SPOP', 's', '9223372036854775808'],
      ['SPOP', 's', '1', '2'],
      ['SRANDMEMBER', 's', '1', '2'],
      ['SRANDMEMBER', 's', '0'],
      ['SRANDMEMBER', 's', '3'],
      ['SRANDMEMBER', 's', '10'],
      ['SRANDMEMBER', 's', '9223372036854775807'],
      ['SRANDMEMBER', 's', '-9223372036854775808'],
      ['SRANDMEMBER', 's', '9223372036854775808'],
      ['SRANDMEMBER', 's', 'x'],
      ['SPOP', 's', '3'],
      ['EXISTS', 's'],
      ['SADD', 's', '3', '1', '2'],
      ['SPOP', 's', '9223372036854775807'],
      ['EXISTS', 's'],
      ['SADD', 'one', 'only'],
      ['SPOP', 'one'],
      ['EXISTS', 'one'],
      ['SADD', 'one', 'only'],
      ['SRANDMEMBER', 'one'],
      ['SRANDMEMBER', 'one', '-3'],
      ['SRANDMEMBER', 'one', '1'],
      ['SPOP', 'one', '1'],
      ['EXISTS', 'one'],
      // a hashtable set of integers comes back sorted through the temporary intset
      ['SADD', 'h', 'x', '5', '1', '3'],
      ['SREM', 'h', 'x'],
      ['OBJECT', 'ENCODING', 'h'],
      ['SPOP', 'h', '10'],
      // case 3 rebuilds the survivors in a new set: an intset again
      many('big', 600),
      ['SADD', 'big', 'x'],
      ['SREM', 'big', 'x'],
      ['OBJECT', 'ENCODING', 'big'],
      { cmd: ['SPOP', 'big', '590'], live: true },
      ['SCARD', 'big'],
      ['OBJECT', 'ENCODING', 'big'],
      many('big2', 600),
      ['SADD', 'big2', 'x'],
      { cmd: ['SPOP', 'big2', '10'], live: true },
      ['SCARD', 'big2'],
      ['OBJECT', 'ENCODING', 'big2'],
    ],
  },
  {
    name: 'sscan',
    steps: [
      ['SSCAN', 'nokey', '0'],
      ['SSCAN', 'nokey', 'x'],
      ['SSCAN', 'nokey', '0', 'COUNT', '0'],
      ['SADD', 's', 'apple', 'banana', 'avocado', BIN],
      { cmd: ['SSCAN', 's', '0', 'COUNT', '100'], unordered: true },
      { cmd: ['SSCAN', 's', '0', 'MATCH', 'a*', 'COUNT', '100'], unordered: true },
      ['SSCAN', 's', '0', 'COUNT', '0'],
      ['SSCAN', 's', '0', 'COUNT', 'x'],
      ['SSCAN', 's', '0', 'MATCH'],
      ['SSCAN', 's', '0', 'BAD', 'x'],
      ['SSCAN', 's', '-'],
      many('i', 20),
      ['SSCAN', 'i', '7', 'COUNT', '2'],
      ['SSCAN', 'i', '0', 'MATCH', '1*'],
      many('big', 600, 'm'),
      { cmd: ['SSCAN', 'big', '0', 'COUNT', '1000'], unordered: true },
      { cmd: ['SSCAN', 'big', '0', 'COUNT', '1000', 'MATCH', 'm5?'], unordered: true },
    ],
  },
  {
    // past the length where replies are built as one string (BulkArrayBuilder)
    name: 'long replies: SMEMBERS, SINTER, SUNION, SDIFF of sets of 20 to 300 members',
    steps: [
      ['SADD', 'ints', ...Array.from({ length: 300 }, (_, i) => String(i * 37 - 5000))],
      ['SADD', 'strs', ...Array.from({ length: 200 }, (_, i) => `s${i}\x00\xff${'w'.repeat(i % 70)}`)],
      ['SADD', 'mix', ...Array.from({ length: 20 }, (_, i) => (i % 2 ? String(i * 37 - 5000) : `s${i}\x00\xff${'w'.repeat(i % 70)}`))],
      { cmd: ['SMEMBERS', 'ints'], unordered: true },
      { cmd: ['SMEMBERS', 'strs'], unordered: true },
      { cmd: ['SINTER', 'ints', 'mix'], unordered: true },
      { cmd: ['SINTER', 'strs', 'strs'], unordered: true },
      { cmd: ['SUNION', 'ints', 'strs'], unordered: true },
      { cmd: ['SDIFF', 'strs', 'mix'], unordered: true },
    ],
  },
];

diffSuite('sets', scripts);

/*
 * Random replies, against Redoubt alone: sizes, membership, distinctness for positive counts,
 * repeats allowed for negative ones, the reply types of both protocols, each strategy Redis uses
 * (small count, count close to the size, intset and hashtable), and what SPOP leaves behind.
 */
describe('SPOP / SRANDMEMBER random picks', () => {
  let server: RunningServer;
  before(async () => {
    server = await startRedoubt();
  });
  after(async () => {
    await server.stop();
  });

  async function fill(c: RespClient, key: string, members: string[]): Promise<void> {
    await c.call(['DEL', key]);
    await c.call(['SADD', key, ...members]);
  }
  const ints = Array.from({ length: 100 }, (_, i) => String(i * 7 - 50));
  const words = Array.from({ length: 100 }, (_, i) => 'w' + i + '\x00\xff');

  for (const resp of [2, 3] as const) {
    it(`SRANDMEMBER (RESP${resp})`, async () => {
      const c = await RespClient.open(server.port);
      await c.call(['HELLO', String(resp)]);
      for (const [name, members] of [['intset', ints], ['hashtable', words]] as const) {
        await fill(c, 's', members);
        const enc = await c.call(['OBJECT', 'ENCODING', 's']);
        assert.equal(enc.v, name);
        const all = new Set(members);
        const one = await c.call(['SRANDMEMBER', 's']);
        assert.equal(one.t, '$');
        assert.ok(all.has(one.v as string));
        for (const count of [1, 2, 10, 33, 34, 60, 99, 100, 150]) {
          const r = await c.call(['SRANDMEMBER', 's', String(count)]);
          assert.equal(r.t, '*', 'SRANDMEMBER with a count replies an array in both protocols');
          const got = strs(r);
          assert.equal(got.length, Math.min(count, members.length));
          assert.equal(new Set(got).size, got.length, `distinct members for count ${count}`);
          for (const m of got) assert.ok(all.has(m));
        }
        for (const count of [1, 5, 100, 1000]) {
          const r = await c.call(['SRANDMEMBER', 's', String(-count)]);
          assert.equal(r.t, '*');
          const got = strs(r);
          assert.equal(got.length, count);
          for (const m of got) assert.ok(all.has(m));
          if (count === 1000) assert.ok(new Set(got).size < got.length, 'repeats are expected with 1000 picks of 100');
        }
        assert.equal((await c.call(['SCARD', 's'])).v, '100');
      }
      c.close();
    });

    it(`SPOP with and without count (RESP${resp})`, async () => {
      const c = await RespClient.open(server.port);
      await c.call(['HELLO', String(resp)]);
      for (const [name, members] of [['intset', ints], ['hashtable', words]] as const) {
        for (const count of [1, 3, 17, 50, 84, 99]) {
          await fill(c, 's', members);
          const r = await c.call(['SPOP', 's', String(count)]);
          assert.equal(r.t, resp === 3 ? '~' : '*', 'SPOP with a count replies a set');
          const got = strs(r);
          assert.equal(got.length, count);
          assert.equal(new Set(got).size, count);
          const left = strs(await c.call(['SMEMBERS', 's']));
          assert.equal(left.length, members.length - count, `${name}: ${count} popped`);
          const union = new Set([...got, ...left]);
          assert.deepEqual([...union].sort(), [...members].sort());
        }
        await fill(c, 's', members.slice(0, 3));
        const popped: string[] = [];
        for (let i = 0; i < 3; i++) {
          const r = await c.call(['SPOP', 's']);
          assert.equal(r.t, '$');
          popped.push(r.v as string);
        }
        assert.deepEqual(popped.sort(), members.slice(0, 3).sort());
        assert.equal((await c.call(['EXISTS', 's'])).v, '0');
        const none = await c.call(['SPOP', 's']);
        assert.equal(none.t, resp === 3 ? '_' : '$');
      }
      c.close();
    });
  }
});
