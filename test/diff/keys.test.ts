/*
 * Differential scripts for the generic key commands, byte-compared with redis-server 7.0.15 in
 * RESP2 and RESP3. KEYS and SCAN replies are compared unordered; scans use a COUNT large enough to
 * finish in one call so that cursors are comparable. Absolute expiry times are fixed dates in the
 * future so that EXPIRETIME replies are deterministic; relative TTLs use whole seconds.
 */

import { diffSuite, type Script } from './harness';

const FUTURE_S = '4102444800'; // 2100-01-01
const FUTURE_MS = '4102444800123';

const u = (...cmd: string[]) => ({ cmd, unordered: true });

const scripts: Script[] = [
  {
    name: 'del unlink exists',
    steps: [
      ['SET', 'a', '1'], ['SET', 'b', '2'], ['SET', 'k\x00\xff', 'bin'],
      ['EXISTS', 'a'], ['EXISTS', 'a', 'a', 'b', 'nope'], ['EXISTS', 'k\x00\xff'],
      ['DEL', 'a', 'nope', 'a'], ['EXISTS', 'a'],
      ['UNLINK', 'b', 'k\x00\xff', 'zz'], ['DBSIZE'],
      ['DEL'], ['UNLINK'], ['EXISTS'],
    ],
  },
  {
    name: 'type touch',
    steps: [
      ['SET', 's', 'v'], ['TYPE', 's'], ['TYPE', 'missing'], ['TYPE'], ['TYPE', 's', 'x'],
      ['TOUCH', 's', 'missing', 's'], ['TOUCH'],
    ],
  },
  {
    name: 'expire ttl persist',
    steps: [
      ['SET', 'k', 'v'], ['TTL', 'k'], ['PTTL', 'k'], ['EXPIRETIME', 'k'], ['PEXPIRETIME', 'k'],
      ['TTL', 'missing'], ['PTTL', 'missing'], ['EXPIRETIME', 'missing'], ['PEXPIRETIME', 'missing'],
      ['EXPIRE', 'k', '100'], ['TTL', 'k'], { cmd: ['PTTL', 'k'], live: true },
      ['PEXPIRE', 'k', '100300'], ['TTL', 'k'],
      ['EXPIREAT', 'k', FUTURE_S], ['EXPIRETIME', 'k'], ['PEXPIRETIME', 'k'],
      ['PEXPIREAT', 'k', FUTURE_MS], ['EXPIRETIME', 'k'], ['PEXPIRETIME', 'k'],
      ['PERSIST', 'k'], ['TTL', 'k'], ['PERSIST', 'k'], ['PERSIST', 'missing'],
      ['EXPIRE', 'missing', '10'], ['PEXPIRE', 'missing', '10'], ['EXPIREAT', 'missing', FUTURE_S],
      ['SET', 'k', 'v', 'EX', '50'], ['TTL', 'k'], ['SET', 'k', 'v2'], ['TTL', 'k'],
      ['EXPIRE', 'k'], ['TTL'], ['PERSIST'], ['EXPIRETIME', 'k', 'x'],
    ],
  },
  {
    name: 'expire options',
    steps: [
      ['SET', 'k', 'v'],
      ['EXPIRE', 'k', '100', 'XX'], ['TTL', 'k'],
      ['EXPIRE', 'k', '100', 'GT'], ['TTL', 'k'],
      ['EXPIRE', 'k', '100', 'LT'], ['TTL', 'k'],
      ['EXPIRE', 'k', '100', 'NX'], ['TTL', 'k'],
      ['EXPIRE', 'k', '200', 'nx'], ['TTL', 'k'],
      ['EXPIRE', 'k', '200', 'xx'], ['TTL', 'k'],
      ['EXPIRE', 'k', '100', 'gt'], ['TTL', 'k'],
      ['EXPIRE', 'k', '300', 'gt'], ['TTL', 'k'],
      ['EXPIRE', 'k', '400', 'lt'], ['TTL', 'k'],
      ['EXPIRE', 'k', '150', 'lt'], ['TTL', 'k'],
      ['EXPIRE', 'k', '140', 'xx', 'gt'], ['EXPIRE', 'k', '250', 'XX', 'GT'], ['TTL', 'k'],
      ['EXPIRE', 'k', '10', 'NX', 'XX'], ['EXPIRE', 'k', '10', 'NX', 'GT'], ['EXPIRE', 'k', '10', 'LT', 'NX'],
      ['EXPIRE', 'k', '10', 'GT', 'LT'], ['PEXPIRE', 'k', '10', 'lt', 'gt'],
      ['EXPIRE', 'k', '10', 'NX', 'NX'], ['EXPIRE', 'k', '10', 'FOO'], ['EXPIRE', 'k', 'abc', 'FOO'],
      ['EXPIRE', 'k', 'abc', 'NX', 'XX'], ['EXPIRE', 'k', 'abc'], ['EXPIRE', 'k', '1.5'], ['EXPIRE', 'k', ' 1'],
      ['EXPIRE', 'k', '10', 'ba\x00d'],
      ['EXPIREAT', 'k', FUTURE_S, 'GT'], ['EXPIRETIME', 'k'],
      ['PEXPIREAT', 'k', FUTURE_MS, 'LT'], ['PEXPIRETIME', 'k'],
      ['PEXPIREAT', 'k', FUTURE_MS, 'NX'],
      ['SET', 'p', 'v'], ['EXPIRE', 'p', '-5', 'LT'], ['EXISTS', 'p'],
      ['SET', 'p', 'v'], ['EXPIRE', 'p', '-5', 'GT'], ['EXISTS', 'p'],
    ],
  },
  {
    name: 'expire overflow and past times',
    steps: [
      ['SET', 'k', 'v'],
      ['EXPIRE', 'k', '9223372036854775807'], ['EXPIRE', 'k', '-9223372036854775808'],
      ['EXPIRE', 'k', '9223372036854775'], ['EXPIRE', 'k', '9223372036854776'],
      ['PEXPIRE', 'k', '9223372036854775807'], ['EXPIREAT', 'k', '9223372036854776'],
      ['EXPIRE', 'k', '9223372036854775808'],
      ['PEXPIREAT', 'k', '9223372036854775807'], ['PEXPIRETIME', 'k'], ['EXPIRETIME', 'k'],
      ['PEXPIREAT', 'k', '9007199254740993'], ['PEXPIRETIME', 'k'], ['EXPIRETIME', 'k'],
      ['EXPIREAT', 'k', '9223372036854775'], ['PEXPIRETIME', 'k'],
      ['RENAME', 'k', 'k2'], ['PEXPIRETIME', 'k2'],
      ['PEXPIREAT', 'k2', '-9223372036854775808'], ['EXISTS', 'k2'],
      ['SET', 'k', 'v'], ['EXPIRE', 'k', '0'], ['EXISTS', 'k'],
      ['SET', 'k', 'v'], ['PEXPIRE', 'k', '-1'], ['EXISTS', 'k'],
      ['SET', 'k', 'v'], ['EXPIREAT', 'k', '1'], ['EXISTS', 'k'],
      ['SET', 'k', 'v'], ['PEXPIREAT', 'k', '0'], ['GET', 'k'],
    ],
  },
  {
    name: 'keys expire after a short ttl',
    steps: [
      ['SET', 'a', '1'], ['SET', 'b', '2'], ['SET', 'c', '3'],
      ['PEXPIRE', 'a', '100'], ['PEXPIRE', 'b', '100'],
      u('KEYS', '*'),
      { cmd: ['KEYS', '*'], unordered: true, sleep: 250 },
      ['EXISTS', 'a'], ['TTL', 'b'], ['GET', 'b'], ['RANDOMKEY'], ['DBSIZE'],
      ['PEXPIRE', 'c', '50'], { cmd: ['RANDOMKEY'], sleep: 150 }, ['DBSIZE'],
    ],
  },
  {
    name: 'keys glob patterns',
    steps: [
      ['MSET', 'hello', '1', 'hallo', '2', 'hxllo', '3', 'hllo', '4', 'heeeello', '5', 'h-llo', '6', 'h]llo', '7',
        'h\\llo', '8', 'HELLO', '9', 'a*b', '10', 'a?b', '11', 'a[b', '12', '\xe9t\xe9', '13', '', '14', 'k\x00z', '15'],
      u('KEYS', '*'), u('KEYS', '**'), u('KEYS', ''), u('KEYS', 'h?llo'), u('KEYS', 'h*llo'), u('KEYS', 'h*'),
      u('KEYS', 'h[ae]llo'), u('KEYS', 'h[^e]llo'), u('KEYS', 'h[a-e]llo'), u('KEYS', 'h[e-a]llo'),
      u('KEYS', 'h[a-]llo'), u('KEYS', 'h[-a]llo'), u('KEYS', 'h[]]llo'), u('KEYS', 'h[\\]]llo'), u('KEYS', 'h\\[llo'),
      u('KEYS', 'a\\*b'), u('KEYS', 'a\\?b'), u('KEYS', 'a[\\[]b'), u('KEYS', 'a[b'), u('KEYS', 'a[*'), u('KEYS', '[^'),
      u('KEYS', 'h[\\'), u('KEYS', 'hello\\'), u('KEYS', 'h\\\\llo'), u('KEYS', 'HEL*'), u('KEYS', 'hel*'),
      u('KEYS', '[\x00-\xff]t*'), u('KEYS', '[a-\xff]*'), u('KEYS', '?t?'), u('KEYS', 'k\x00*'), u('KEYS', '*z'),
      u('KEYS', '*l*l*o'), u('KEYS', '*e*e*e*e*'), u('KEYS', 'h*[l]o'), u('KEYS', '[]'), u('KEYS', '[^]*'),
      ['KEYS'], ['KEYS', 'a', 'b'],
    ],
  },
  {
    name: 'glob nesting cap and abusive patterns',
    steps: [
      ['SET', 'a'.repeat(1100), 'v'], ['SET', 'a'.repeat(50), 'w'],
      u('KEYS', '*a'.repeat(1000)), u('KEYS', '*a'.repeat(1001)), u('KEYS', '*a'.repeat(1000) + '*'),
      u('KEYS', '*a'.repeat(1001) + '*'), u('KEYS', 'a*'.repeat(1001)), u('KEYS', 'a*'.repeat(300) + 'b'),
      u('SCAN', '0', 'MATCH', '*a'.repeat(1001)), u('SCAN', '0', 'MATCH', '*?'.repeat(40) + 'b'),
    ],
  },
  {
    name: 'scan',
    steps: [
      ['MSET', 'user:1', 'a', 'user:2', 'b', 'user:3', 'c', 'item:1', 'd', 'item:2', 'e', 'x', 'f'],
      u('SCAN', '0', 'COUNT', '100'), u('SCAN', '0'), u('SCAN', '0', 'MATCH', 'user:*', 'COUNT', '1000'),
      u('SCAN', '0', 'match', '*:1', 'count', '50'), u('SCAN', '0', 'MATCH', '*'),
      u('SCAN', '0', 'TYPE', 'string', 'COUNT', '100'), u('SCAN', '0', 'TYPE', 'STRING'), u('SCAN', '0', 'TYPE', 'hash'),
      u('SCAN', '0', 'TYPE', 'none'), u('SCAN', '0', 'COUNT', '10', 'COUNT', '100', 'MATCH', 'x', 'MATCH', 'item*'),
      u('SCAN', ''), u('SCAN', '-0'), u('SCAN', '+0'), u('SCAN', '00'),
      ['SCAN', 'abc'], ['SCAN', ' 0'], ['SCAN', '0 '], ['SCAN', '0x1'], ['SCAN', '18446744073709551616'], ['SCAN', '+'],
      ['SCAN', '1.5'], ['SCAN', '0', 'COUNT', '0'], ['SCAN', '0', 'COUNT', '-1'], ['SCAN', '0', 'COUNT', 'abc'],
      ['SCAN', '0', 'COUNT'], ['SCAN', '0', 'MATCH'], ['SCAN', '0', 'TYPE'], ['SCAN', '0', 'FOO', 'bar'],
      ['SCAN', 'abc', 'COUNT', '0'], ['SCAN', '0', 'COUNT', '0', 'FOO'], ['SCAN'],
      ['PEXPIRE', 'x', '50'], { cmd: ['SCAN', '0', 'COUNT', '100'], unordered: true, sleep: 150 },
      ['SET', 'y', 'v'], ['PEXPIRE', 'y', '50'], { cmd: ['SCAN', '0', 'TYPE', 'none', 'COUNT', '100'], unordered: true, sleep: 150 },
      ['DBSIZE'],
    ],
  },
  {
    name: 'scan on an empty database',
    steps: [['SCAN', '0'], ['SCAN', '12345'], ['SCAN', '18446744073709551615'], ['SCAN', '-1'], ['KEYS', '*'], ['RANDOMKEY']],
  },
  {
    name: 'randomkey',
    steps: [['RANDOMKEY'], ['SET', 'only', 'v'], ['RANDOMKEY'], ['RANDOMKEY', 'x']],
  },
  {
    name: 'rename renamenx',
    steps: [
      ['RENAME', 'nokey', 'x'], ['RENAMENX', 'nokey', 'x'], ['RENAME', 'nokey', 'nokey'], ['RENAMENX', 'nokey', 'nokey'],
      ['SET', 'a', '1'], ['RENAME', 'a', 'a'], ['RENAMENX', 'a', 'a'], ['GET', 'a'],
      ['RENAME', 'a', 'b'], ['GET', 'a'], ['GET', 'b'],
      ['SET', 'c', '3'], ['EXPIRE', 'c', '100'], ['RENAME', 'c', 'b'], ['GET', 'b'], ['TTL', 'b'], ['EXISTS', 'c'],
      ['SET', 'd', '4'], ['RENAMENX', 'd', 'b'], ['RENAMENX', 'd', 'e'], ['GET', 'e'], ['TTL', 'e'],
      ['SET', 'f', '5'], ['EXPIRE', 'f', '100'], ['RENAME', 'e', 'f'], ['TTL', 'f'],
      ['RENAME', 'a'], ['RENAME', 'a', 'b', 'c'], ['RENAMENX', 'a'],
    ],
  },
  {
    name: 'copy',
    steps: [
      ['SET', 'k', '100'], ['EXPIRE', 'k', '100'],
      ['COPY', 'k', 'k'], ['COPY', 'k', 'k', 'DB', '0'], ['COPY', 'k', 'k', 'DB', '1'],
      ['COPY', 'k', 'x', 'DB', '99'], ['COPY', 'k', 'x', 'DB', '-1'], ['COPY', 'k', 'x', 'DB', 'abc'], ['COPY', 'k', 'x', 'DB'],
      ['COPY', 'k', 'x', 'FOO'], ['COPY', 'k', 'x', 'REPLACE', 'FOO'], ['COPY', 'k', 'x', 'DB', '2147483648'],
      ['COPY', 'k', 'k', 'FOO'], ['COPY', 'missing', 'x'], ['COPY', 'missing', 'missing'],
      ['COPY', 'k', 'k2'], ['GET', 'k2'], ['TTL', 'k2'], ['OBJECT', 'REFCOUNT', 'k'], ['OBJECT', 'REFCOUNT', 'k2'],
      ['OBJECT', 'ENCODING', 'k2'],
      ['SET', 'v', 'other'], ['COPY', 'v', 'k2'], ['COPY', 'v', 'k2', 'replace'], ['GET', 'k2'], ['TTL', 'k2'],
      ['COPY', 'k', 'k', 'DB', '3'], ['COPY', 'k', 'k', 'DB', '3'], ['COPY', 'v', 'k', 'DB', '3', 'REPLACE'],
      ['SELECT', '3'], ['GET', 'k'], ['TTL', 'k'], ['DBSIZE'], ['SELECT', '0'],
      ['COPY', 'k'], ['COPY'],
    ],
  },
  {
    name: 'move',
    steps: [
      ['SET', 'k', 'v'], ['EXPIRE', 'k', '100'],
      ['MOVE', 'k', '0'], ['MOVE', 'k', '16'], ['MOVE', 'k', '-1'], ['MOVE', 'k', 'abc'], ['MOVE', 'missing', '0'],
      ['MOVE', 'missing', '1'], ['MOVE', 'k', '1'], ['EXISTS', 'k'], ['MOVE', 'k', '1'],
      ['SELECT', '1'], ['GET', 'k'], ['TTL', 'k'], ['SET', 'j', 'here'], ['SELECT', '0'],
      ['SET', 'j', 'there'], ['MOVE', 'j', '1'], ['GET', 'j'],
      ['MOVE', 'k'], ['MOVE', 'k', '1', '2'],
    ],
  },
  {
    name: 'object',
    steps: [
      ['SET', 'int', '12345'], ['SET', 'small', '7'], ['SET', 'neg', '-7'], ['SET', 'emb', 'hello'], ['SET', 'raw', 'x'.repeat(45)],
      ['SET', 'emb44', 'y'.repeat(44)], ['SET', 'big', '99999999999999999999'], ['SET', 'lead0', '0123'],
      ['OBJECT', 'ENCODING', 'int'], ['OBJECT', 'ENCODING', 'small'], ['OBJECT', 'ENCODING', 'neg'], ['OBJECT', 'ENCODING', 'emb'],
      ['OBJECT', 'ENCODING', 'raw'], ['OBJECT', 'ENCODING', 'emb44'], ['OBJECT', 'ENCODING', 'big'], ['OBJECT', 'ENCODING', 'lead0'],
      ['OBJECT', 'REFCOUNT', 'int'], ['OBJECT', 'REFCOUNT', 'small'], ['OBJECT', 'REFCOUNT', 'neg'], ['OBJECT', 'REFCOUNT', 'emb'],
      ['OBJECT', 'ENCODING', 'missing'], ['OBJECT', 'REFCOUNT', 'missing'], ['OBJECT', 'IDLETIME', 'missing'], ['OBJECT', 'FREQ', 'missing'],
      { cmd: ['OBJECT', 'IDLETIME', 'emb'], live: true }, ['OBJECT', 'FREQ', 'emb'],
      { cmd: ['OBJECT', 'HELP'], help: true }, { cmd: ['object', 'help'], help: true }, ['OBJECT', 'HELP', 'x'], ['OBJECT'], ['OBJECT', 'ENCODING'],
      ['OBJECT', 'ENCODING', 'a', 'b'], ['OBJECT', 'NOPE'], ['OBJECT', 'NOPE', 'k'],
    ],
  },
  {
    name: 'command metadata',
    steps: [
      ['COMMAND', 'INFO', 'del', 'unlink', 'exists', 'type', 'touch', 'expire', 'pexpire', 'expireat', 'pexpireat', 'ttl',
        'pttl', 'expiretime', 'pexpiretime', 'persist', 'keys', 'scan', 'randomkey', 'rename', 'renamenx', 'copy', 'move'],
      // OBJECT itself is left out: Redis lists its subcommands in hash order, which varies per process.
      ['COMMAND', 'INFO', 'object|encoding', 'object|freq', 'object|help', 'object|idletime', 'object|refcount'],
      ['COMMAND', 'GETKEYS', 'COPY', 'a', 'b', 'DB', '1'], ['COMMAND', 'GETKEYS', 'DEL', 'a', 'b', 'c'],
      ['COMMAND', 'GETKEYS', 'OBJECT', 'ENCODING', 'k'],
    ],
  },
];

diffSuite('keys', scripts);
