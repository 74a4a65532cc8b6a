/*
 * Differential specification of the generic key commands on the collection types, against
 * redis-server 7.0.15: TYPE, OBJECT ENCODING at and across every encoding threshold (and that a
 * lowered threshold converts a value only on its next write, never back), SCAN ... TYPE, COPY
 * (independent deep copies that keep their encoding, TTL and DB option), RENAME/RENAMENX and MOVE
 * of each type, DEL/EXISTS/TOUCH, RESP2 and RESP3.
 *
 * Each script needs the family it exercises; it is included only once Redoubt's table has the
 * commands it uses, so the file grows stricter as the families land.
 */

import { diffSuite, type Script } from './harness';
import { buildCommandTable } from '../../src/commands/index';

const table = buildCommandTable();
const has = (...names: string[]) => names.every((n) => table.has(n));

const V64 = 'v'.repeat(64);
const V65 = 'v'.repeat(65);

const scripts: Script[] = [];

const enc = (k: string) => ['OBJECT', 'ENCODING', k];

if (has('rpush', 'lrange', 'lpop', 'config')) {
  scripts.push({
    name: 'list: always quicklist',
    steps: [
      ['RPUSH', 'l', 'a'],
      ['TYPE', 'l'],
      enc('l'),
      ['CONFIG', 'SET', 'list-max-listpack-size', '1'],
      ['RPUSH', 'l', 'b', 'c', V65],
      enc('l'),
      ['CONFIG', 'SET', 'list-max-listpack-size', '-2'],
      ['RPUSH', 'big', 'x'.repeat(10000)],
      enc('big'),
      ['LPOP', 'big'],
      ['TYPE', 'big'],
      ['EXISTS', 'big'],
      enc('big'),
    ],
  });
}

if (has('hset', 'hgetall', 'hdel', 'config')) {
  scripts.push({
    name: 'hash: listpack to hashtable by entries and by length',
    steps: [
      ['CONFIG', 'SET', 'hash-max-listpack-entries', '2'],
      ['HSET', 'h', 'f1', 'v1'],
      ['TYPE', 'h'],
      enc('h'),
      ['HSET', 'h', 'f2', 'v2'],
      enc('h'),
      ['HSET', 'h', 'f3', 'v3'],
      enc('h'),
      ['HDEL', 'h', 'f1', 'f2'],
      enc('h'),
      ['HSET', 'h2', 'a', '1', 'b', '2', 'c', '3'],
      enc('h2'),
      ['CONFIG', 'SET', 'hash-max-listpack-entries', '128'],
      ['HSET', 'v', 'f', V64],
      enc('v'),
      ['HSET', 'v', 'g', V65],
      enc('v'),
      ['HSET', 'fld', V64, 'x'],
      enc('fld'),
      ['HSET', 'fld', V65, 'x'],
      enc('fld'),
      // a lowered limit converts only on the next write
      ['HSET', 'late', 'a', '1', 'b', '2', 'c', '3'],
      enc('late'),
      ['CONFIG', 'SET', 'hash-max-listpack-entries', '1'],
      enc('late'),
      ['HGET', 'late', 'a'],
      enc('late'),
      ['HSET', 'late', 'a', '9'],
      enc('late'),
      ['CONFIG', 'SET', 'hash-max-listpack-entries', '0'],
      ['HSET', 'zero', 'a', '1'],
      enc('zero'),
      ['CONFIG', 'SET', 'hash-max-listpack-value', '0'],
      ['CONFIG', 'SET', 'hash-max-listpack-entries', '128'],
      ['HSET', 'zv', 'a', ''],
      enc('zv'),
      ['CONFIG', 'SET', 'hash-max-listpack-value', '64'],
    ],
  });
}

if (has('sadd', 'srem', 'smembers', 'config')) {
  scripts.push({
    name: 'set: intset to hashtable by entries and by member',
    steps: [
      ['CONFIG', 'SET', 'set-max-intset-entries', '3'],
      ['SADD', 's', '1', '2', '3'],
      ['TYPE', 's'],
      enc('s'),
      ['SADD', 's', '4'],
      enc('s'),
      ['SREM', 's', '1', '2', '3'],
      enc('s'),
      ['CONFIG', 'SET', 'set-max-intset-entries', '512'],
      ...['9223372036854775807', '-9223372036854775808', '9223372036854775808', '01', '-0', ' 1', '1.0', '+1', '0', 'a'].flatMap((m, i) => [
        ['SADD', `m${i}`, '5', m],
        enc(`m${i}`),
      ]),
      ['SADD', 'late', '1', '2', '3', '4'],
      ['CONFIG', 'SET', 'set-max-intset-entries', '2'],
      enc('late'),
      ['SADD', 'late', '3'],
      enc('late'),
      ['SADD', 'late', '5'],
      enc('late'),
      ['CONFIG', 'SET', 'set-max-intset-entries', '512'],
    ],
  });
}

if (has('zadd', 'zrem', 'zrange', 'config')) {
  scripts.push({
    name: 'zset: listpack to skiplist by entries and by member length',
    steps: [
      ['CONFIG', 'SET', 'zset-max-listpack-entries', '2'],
      ['ZADD', 'z', '1', 'a', '2', 'b'],
      ['TYPE', 'z'],
      enc('z'),
      ['ZADD', 'z', '3', 'c'],
      enc('z'),
      ['ZREM', 'z', 'a', 'b'],
      enc('z'),
      ['CONFIG', 'SET', 'zset-max-listpack-entries', '128'],
      ['ZADD', 'v', '1', V64],
      enc('v'),
      ['ZADD', 'v', '2', V65],
      enc('v'),
      ['ZADD', 'late', '1', 'a', '2', 'b', '3', 'c'],
      ['CONFIG', 'SET', 'zset-max-listpack-entries', '1'],
      enc('late'),
      ['ZADD', 'late', '5', 'a'],
      enc('late'),
      ['CONFIG', 'SET', 'zset-max-listpack-entries', '0'],
      ['ZADD', 'zero', '1', 'a'],
      enc('zero'),
      ['CONFIG', 'SET', 'zset-max-listpack-entries', '128'],
      ['CONFIG', 'SET', 'zset-max-listpack-value', '0'],
      ['ZADD', 'zv', '1', 'a'],
      enc('zv'),
      ['CONFIG', 'SET', 'zset-max-listpack-value', '64'],
    ],
  });
}

if (has('rpush', 'hset', 'sadd', 'zadd', 'lrange', 'hgetall', 'smembers', 'zrange', 'copy', 'scan')) {
  const fill = [
    ['SET', 'str', 'v'],
    ['RPUSH', 'list', 'a', 'b', 'c'],
    ['HSET', 'hash', 'f', 'v', 'g', 'w'],
    ['HSET', 'bighash', 'f', V65],
    ['SADD', 'intset', '3', '1', '2'],
    ['SADD', 'set', 'x', 'y'],
    ['ZADD', 'zset', '1', 'a', '2', 'b'],
    ['ZADD', 'bigzset', '1', V65, '2', 'b'],
  ];
  const all = ['str', 'list', 'hash', 'bighash', 'intset', 'set', 'zset', 'bigzset'];
  const show = (k: string, type: string): (string[] | { cmd: string[]; unordered: true })[] => {
    switch (type) {
      case 'list': return [['LRANGE', k, '0', '-1']];
      case 'hash': return [{ cmd: ['HGETALL', k], unordered: true }];
      case 'set': return [{ cmd: ['SMEMBERS', k], unordered: true }];
      case 'zset': return [['ZRANGE', k, '0', '-1', 'WITHSCORES']];
      default: return [['GET', k]];
    }
  };
  const typeOf: Record<string, string> = { str: 'string', list: 'list', hash: 'hash', bighash: 'hash', intset: 'set', set: 'set', zset: 'zset', bigzset: 'zset' };

  scripts.push({
    name: 'TYPE and SCAN TYPE over every type',
    steps: [
      ...fill,
      ...all.map((k) => ['TYPE', k]),
      ...all.map((k) => enc(k)),
      ['TYPE', 'missing'],
      ...['list', 'hash', 'set', 'zset', 'string', 'LIST', 'ZSet', 'none', 'stream', 'nosuchtype'].map((t) => ({ cmd: ['SCAN', '0', 'COUNT', '1000', 'TYPE', t], unordered: true })),
      { cmd: ['SCAN', '0', 'COUNT', '1000', 'MATCH', '*set', 'TYPE', 'set'], unordered: true },
      { cmd: ['KEYS', '*'], unordered: true },
      ['DBSIZE'],
      ['EXISTS', ...all],
      ['TOUCH', ...all, 'missing'],
      ['DEL', 'list', 'hash', 'set', 'zset'],
      ['EXISTS', ...all],
    ],
  });

  scripts.push({
    name: 'COPY of every type: deep, same encoding, TTL, DB, REPLACE',
    steps: [
      ...fill,
      ['EXPIRE', 'zset', '1000'],
      ...all.flatMap((k) => [
        ['COPY', k, `${k}:c`],
        ['TYPE', `${k}:c`],
        enc(`${k}:c`),
        ...show(`${k}:c`, typeOf[k]),
      ]),
      ['TTL', 'zset:c'],
      ['TTL', 'list:c'],
      // the copy is independent of its source
      ['RPUSH', 'list:c', 'd'],
      ['HSET', 'hash:c', 'new', '1'],
      ['SADD', 'intset:c', '99'],
      ['SADD', 'set:c', 'z'],
      ['ZADD', 'zset:c', '9', 'z'],
      ...all.flatMap((k) => show(k, typeOf[k])),
      ...all.flatMap((k) => show(`${k}:c`, typeOf[k])),
      ['COPY', 'list', 'hash'],
      ['COPY', 'list', 'hash', 'REPLACE'],
      ['TYPE', 'hash'],
      ['LRANGE', 'hash', '0', '-1'],
      ['COPY', 'zset', 'zset', 'DB', '1'],
      ['COPY', 'bigzset', 'other', 'DB', '1'],
      ['SELECT', '1'],
      ['TYPE', 'zset'],
      ['TTL', 'zset'],
      enc('zset'),
      enc('other'),
      ['ZRANGE', 'other', '0', '-1'],
      ['SELECT', '0'],
      ['FLUSHALL'],
    ],
  });

  scripts.push({
    name: 'RENAME, RENAMENX and MOVE of every type',
    steps: [
      ...fill,
      ['EXPIRE', 'hash', '1000'],
      ...all.flatMap((k) => [
        ['RENAME', k, `${k}:r`],
        ['TYPE', k],
        ['TYPE', `${k}:r`],
        enc(`${k}:r`),
        ...show(`${k}:r`, typeOf[k]),
      ]),
      ['TTL', 'hash:r'],
      ['RENAMENX', 'list:r', 'set:r'],
      ['RENAMENX', 'list:r', 'list2'],
      ['RENAME', 'list2', 'zset:r'],
      ['TYPE', 'zset:r'],
      ['LRANGE', 'zset:r', '0', '-1'],
      ['MOVE', 'zset:r', '2'],
      ['MOVE', 'hash:r', '2'],
      ['MOVE', 'intset:r', '2'],
      ['SADD', 'bigzset:r', 'x'],
      ['MOVE', 'set:r', '2'],
      ['SELECT', '2'],
      ['TYPE', 'zset:r'],
      ['LRANGE', 'zset:r', '0', '-1'],
      ['TTL', 'hash:r'],
      { cmd: ['HGETALL', 'hash:r'], unordered: true },
      ['SMEMBERS', 'intset:r'],
      enc('intset:r'),
      ['SELECT', '0'],
      ['EXISTS', 'zset:r', 'hash:r', 'intset:r', 'set:r'],
      ['FLUSHALL'],
    ],
  });
}

diffSuite('types-generic', scripts);
