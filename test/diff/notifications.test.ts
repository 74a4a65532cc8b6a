/*
 * Keyspace notifications against redis-server 7.0.15: a subscriber listens to every keyspace and
 * keyevent channel (PSUBSCRIBE __key*__:*) while a second connection runs string and generic key
 * commands; the exact sequence of messages the subscriber receives must match, for several
 * notify-keyspace-events settings, including the `expired` events of keys whose TTL passes.
 */

import { multiDiffSuite, type MScript, type MStep } from './multiconn';

/** A script that subscribes, applies `flags`, then runs `body` on connection 'w'. */
function withFlags(name: string, flags: string, body: (MStep | string[])[], resp?: (2 | 3)[]): MScript {
  return {
    name: `${name} [${flags || 'off'}]`,
    resp,
    steps: [
      ['s', 'PSUBSCRIBE', '__key*__:*'],
      ['a', 'CONFIG', 'SET', 'notify-keyspace-events', flags],
      ['a', 'CONFIG', 'GET', 'notify-keyspace-events'],
      ...body.map((b): MStep => (Array.isArray(b) ? { c: 'w', cmd: b } : b)),
      ['a', 'CONFIG', 'SET', 'notify-keyspace-events', ''],
    ],
  };
}

const STRING_COMMANDS: string[][] = [
  ['SET', 'k', 'v'],
  ['SET', 'k', 'v2', 'EX', '100'],
  ['SET', 'k', 'v3', 'NX'],
  ['SET', 'k', 'v3', 'XX', 'KEEPTTL'],
  ['SET', 'k', 'v4', 'GET'],
  ['SETNX', 'k2', '1'],
  ['SETNX', 'k2', '1'],
  ['SETEX', 'k3', '100', 'x'],
  ['PSETEX', 'k3', '100000', 'x'],
  ['GETSET', 'k3', 'y'],
  ['MSET', 'm1', 'a', 'm2', 'b'],
  ['MSETNX', 'm3', 'a', 'm1', 'b'],
  ['MSETNX', 'm3', 'a', 'm4', 'b'],
  ['INCR', 'n'],
  ['INCRBY', 'n', '5'],
  ['DECR', 'n'],
  ['DECRBY', 'n', '2'],
  ['INCR', 'k'],
  ['INCRBYFLOAT', 'f', '1.5'],
  ['APPEND', 'k', 'more'],
  ['APPEND', 'new', 'x'],
  ['SETRANGE', 'k', '2', 'zz'],
  ['SETRANGE', 'k', '2', ''],
  ['SETRANGE', 'sr', '3', 'abc'],
  ['SETRANGE', 'sr2', '3', ''],
  ['GETEX', 'k', 'EX', '100'],
  ['GETEX', 'k', 'PERSIST'],
  ['GETEX', 'k', 'PERSIST'],
  ['GETEX', 'k'],
  ['GETEX', 'm1', 'PXAT', '1'],
  ['GETDEL', 'm2'],
  ['GETDEL', 'm2'],
  ['GET', 'nokey'],
];

const KEY_COMMANDS: string[][] = [
  ['MSET', 'a', '1', 'b', '2', 'c', '3', 'd', '4'],
  ['DEL', 'a', 'nokey', 'b'],
  ['UNLINK', 'c'],
  ['EXPIRE', 'd', '100'],
  ['EXPIRE', 'd', '100', 'NX'],
  ['PEXPIRE', 'd', '100000', 'XX'],
  ['EXPIREAT', 'd', '4000000000'],
  ['PERSIST', 'd'],
  ['PERSIST', 'd'],
  ['RENAME', 'd', 'e'],
  ['RENAME', 'e', 'e'],
  ['SET', 'f', 'x'],
  ['RENAMENX', 'e', 'f'],
  ['RENAME', 'e', 'f'],
  ['COPY', 'f', 'g'],
  ['COPY', 'f', 'g', 'REPLACE'],
  ['COPY', 'f', 'g', 'DB', '2'],
  ['MOVE', 'g', '3'],
  ['MOVE', 'f', '3'],
  ['EXPIRE', 'f', '-1'],
  ['SET', 'h', '1'],
  ['PEXPIREAT', 'h', '1'],
  ['TOUCH', 'nokey'],
  ['SELECT', '3'],
  ['SET', 'in3', 'x'],
  ['DEL', 'g', 'in3'],
  ['SELECT', '0'],
  ['FLUSHDB'],
  ['SWAPDB', '0', '3'],
  ['FLUSHALL'],
];

// TTLs are long enough to outlast a step, and the next step waits past them: each key expires
// (actively or on access) within that next step on both servers
const EXPIRY: (MStep | string[])[] = [
  ['SET', 'e1', 'v', 'PX', '150'],
  { c: 'w', cmd: ['GET', 'e1'], sleep: 400 },
  ['SET', 'e2', 'v'],
  ['PEXPIRE', 'e2', '150'],
  { c: 'w', cmd: ['GET', 'e2'], sleep: 400 },
  ['SET', 'e3', 'v', 'PX', '150'],
  { c: 'w', cmd: ['EXISTS', 'e3'], sleep: 400 },
  ['SET', 'e4', 'v', 'PX', '150'],
  { c: 'w', cmd: ['DBSIZE'], sleep: 400 },
];

const scripts: MScript[] = [
  withFlags('string commands', 'KEA', STRING_COMMANDS),
  withFlags('string commands', 'K$', STRING_COMMANDS, [2]),
  withFlags('string commands', 'Eg', STRING_COMMANDS, [3]),
  withFlags('key commands', 'KEA', KEY_COMMANDS),
  withFlags('key commands', 'Eg$', KEY_COMMANDS, [2]),
  withFlags('key commands', 'K$', KEY_COMMANDS, [3]),
  withFlags('expiry', 'KEA', EXPIRY),
  withFlags('expiry', 'Ex', EXPIRY, [2]),
  withFlags('expiry', 'Kg', EXPIRY, [3]),
  withFlags('new keys', 'KEn$g', [
    ['SET', 'k', 'v'], ['SET', 'k', 'v2'], ['APPEND', 'a', 'x'], ['INCR', 'i'], ['INCR', 'i'],
    ['MSET', 'k', '1', 'm', '2'], ['SETRANGE', 'r', '1', 'x'], ['RENAME', 'k', 'm'], ['COPY', 'm', 'c'],
    ['COPY', 'm', 'c', 'REPLACE'], ['MOVE', 'c', '1'], ['INCRBYFLOAT', 'fl', '1'], ['SET', 'x', 'y', 'PX', '100000'],
  ]),
  withFlags('new keys only', 'En', [['SET', 'k', 'v'], ['SET', 'k', 'v'], ['DEL', 'k'], ['SETNX', 'k', 'v']], [3]),
  withFlags('notifications off', '', [['SET', 'k', 'v'], ['DEL', 'k']], [2]),
  withFlags('key misses', 'KEm', [
    ['GET', 'nokey'], ['EXISTS', 'a', 'b'], ['TYPE', 't'], ['OBJECT', 'ENCODING', 'o'], ['MGET', 'm', 'm'],
    ['LRANGE', 'l', 'x', '1'], ['LRANGE', 'l', '0', '1'], ['HGET', 'h', 'f'], ['SINTER', 's1', 's2'],
    ['SINTERSTORE', 'd', 's1', 's2'], ['LMOVE', 'src', 'dst', 'LEFT', 'RIGHT'], ['SET', 'present', '1'],
    ['GET', 'present'], ['ZSCORE', 'z', 'm'], ['PFCOUNT', 'p'], ['GETDEL', 'gd'], ['TTL', 'x'],
    ['STRLEN', 'present'], ['GET', 'present', 'extra'], ['GETEX', 'gx', 'PERSIST'], ['GETSET', 'gs', 'v'],
    ['SET', 'sg', 'v', 'GET'], ['SET', 'sg2', 'v', 'NX'], ['APPEND', 'ap', 'x'], ['INCR', 'in'], ['LPOP', 'lp'],
    ['HINCRBY', 'hi', 'f', '1'], ['SPOP', 'sp'], ['ZPOPMIN', 'zp'], ['SMOVE', 'sm', 'sm2', 'x'], ['BITCOUNT', 'bc'],
    ['BITFIELD', 'bf', 'GET', 'u8', '0'], ['BITFIELD_RO', 'bf', 'GET', 'u8', '0'], ['BITFIELD', 'bf2', 'SET', 'u8', '0', '1'],
    ['SORT', 'so'], ['SORT', 'so', 'STORE', 'sd'], ['PFMERGE', 'pm', 'p1'], ['GEODIST', 'g', 'a', 'b'], ['SRANDMEMBER', 'sr'],
  ]),
  withFlags('data-type commands', 'KEA', [
    ['RPUSH', 'l', 'a', 'b', 'c', 'd'], ['LPUSH', 'l', 'z'], ['LPOP', 'l'], ['RPOP', 'l', '2'], ['LINSERT', 'l', 'BEFORE', 'a', 'x'],
    ['LSET', 'l', '0', 'y'], ['LREM', 'l', '0', 'y'], ['LTRIM', 'l', '0', '0'], ['RPOPLPUSH', 'l', 'l2'], ['LMOVE', 'l2', 'l3', 'LEFT', 'RIGHT'],
    ['HSET', 'h', 'f', '1', 'g', '2'], ['HINCRBY', 'h', 'f', '2'], ['HINCRBYFLOAT', 'h', 'f', '0.5'], ['HDEL', 'h', 'f', 'g'],
    ['SADD', 's', '1', '2', '3'], ['SREM', 's', '1'], ['SMOVE', 's', 's2', '2'], ['SPOP', 's', '5'], ['SADD', 'a', 'x', 'y'],
    ['SADD', 'b', 'y'], ['SINTERSTORE', 'i', 'a', 'b'], ['SUNIONSTORE', 'u', 'a', 'b'], ['SDIFFSTORE', 'df', 'a', 'b'],
    ['ZADD', 'z', '1', 'a', '2', 'b', '3', 'c'], ['ZINCRBY', 'z', '5', 'a'], ['ZREM', 'z', 'b'], ['ZREMRANGEBYSCORE', 'z', '0', '3'],
    ['ZADD', 'z2', '1', 'm'], ['ZUNIONSTORE', 'zu', '2', 'z', 'z2'], ['ZRANGESTORE', 'zr', 'zu', '0', '-1'], ['ZPOPMIN', 'zu', '5'],
    ['SETBIT', 'bits', '7', '1'], ['BITOP', 'NOT', 'bo', 'bits'], ['BITFIELD', 'bf', 'SET', 'u8', '0', '200'],
    ['PFADD', 'hll', 'a', 'b'], ['PFMERGE', 'hll2', 'hll'], ['GEOADD', 'g', '13.361389', '38.115556', 'Palermo'],
    ['GEOSEARCHSTORE', 'gs', 'g', 'FROMLONLAT', '13', '38', 'BYRADIUS', '200', 'km'],
    ['SORT', 'a', 'ALPHA', 'STORE', 'sorted'], ['EXPIRE', 'sorted', '100'], ['RENAME', 'sorted', 'sorted2'], ['DEL', 'sorted2', 'zr'],
  ]),
  withFlags('classes without K or E', 'A', [['SET', 'k', 'v'], ['DEL', 'k']], [2]),
  {
    name: 'CONFIG SET notify-keyspace-events shows the canonical form',
    resp: [2],
    steps: [
      ...['KEA', 'AKEmn', 'Elgn', 'gn', '$lshzxetdKE', 'xE', 'Ag$lshzxeKEtmdn', 'Z', 'KEA '].flatMap((v): [string, ...string[]][] => [
        ['a', 'CONFIG', 'SET', 'notify-keyspace-events', v],
        ['a', 'CONFIG', 'GET', 'notify-keyspace-events'],
      ]),
      ['a', 'CONFIG', 'SET', 'notify-keyspace-events', ''],
    ],
  },
];

multiDiffSuite('keyspace notifications', scripts);
