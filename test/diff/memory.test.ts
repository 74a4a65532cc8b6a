/*
 * MEMORY against redis-server 7.0.15: the values are each server's own (allocators differ), so
 * replies are compared by shape — reply types, map keys and their order, error texts — after a
 * mask that blanks numbers and report texts. MALLOC-STATS is compared in RESP2 only: the oracle
 * is built with jemalloc (a verbatim report in RESP3), Redoubt answers as Redis built with libc.
 */

import { diffSuite, type Step } from './harness';
import type { RespValue } from '../support/resp';

const NUMERIC = /^-?[0-9][0-9.e+-]*$/;

/** Keeps types and non-numeric strings (map keys), blanks numbers and free text. */
function shape(v: RespValue): RespValue {
  if (v.t === ':' || v.t === ',') return { t: v.t, v: '0' };
  if (v.t === '=') return { t: v.t, v: 'txt' };
  if (v.t === '$') return { t: '$', v: v.v !== null && NUMERIC.test(v.v) ? '0' : v.v };
  if (Array.isArray(v.v)) return { t: v.t, v: v.v.map(shape) } as RespValue;
  return v;
}

const S = (cmd: string[]): Step => ({ cmd, mask: shape });
const TEXT = (cmd: string[]): Step => ({ cmd, mask: (v) => (v.t === '$' || v.t === '=' ? { t: v.t, v: 'text' } : v) });

diffSuite('memory', [
  {
    name: 'usage: replies and errors',
    steps: [
      ['SET', 'foo', 'bar'],
      ['RPUSH', 'l', 'a', 'b', 'c'],
      ['HSET', 'h', 'f', 'v'],
      ['SADD', 's', '1', '2'],
      ['ZADD', 'z', '1', 'a'],
      { cmd: ['MEMORY', 'USAGE', 'foo'], live: true },
      { cmd: ['MEMORY', 'usage', 'l', 'SAMPLES', '0'], live: true },
      { cmd: ['MEMORY', 'USAGE', 'h', 'samples', '100'], live: true },
      { cmd: ['MEMORY', 'USAGE', 's'], live: true },
      { cmd: ['MEMORY', 'USAGE', 'z', 'SAMPLES', '1'], live: true },
      ['MEMORY', 'USAGE', 'nokey'],
      ['MEMORY', 'USAGE', 'nokey', 'SAMPLES', '3'],
      ['MEMORY', 'USAGE', 'foo', 'SAMPLES', '-1'],
      ['MEMORY', 'USAGE', 'foo', 'SAMPLES', 'x'],
      ['MEMORY', 'USAGE', 'nokey', 'SAMPLES', 'x'],
      ['MEMORY', 'USAGE', 'foo', 'SAMPLES'],
      ['MEMORY', 'USAGE', 'foo', 'xx', '1'],
      ['MEMORY', 'USAGE', 'foo', 'SAMPLES', '1', 'SAMPLES'],
      ['MEMORY', 'USAGE', 'foo', 'SAMPLES', '99999999999999999999'],
      ['MEMORY', 'USAGE'],
      ['MEMORY'],
      ['MEMORY', 'nosuch'],
      ['MEMORY', 'STATS', 'x'],
      ['MEMORY', 'DOCTOR', 'x'],
      ['MEMORY', 'PURGE', 'x'],
      ['MEMORY', 'MALLOC-STATS', 'x'],
      ['MEMORY', 'HELP', 'x'],
    ],
  },
  {
    name: 'stats: keys, types and order (empty and with databases)',
    steps: [
      S(['MEMORY', 'STATS']),
      ['SET', 'a', '1'],
      ['PEXPIRE', 'a', '100000'],
      ['SELECT', '3'],
      ['SET', 'b', '2'],
      S(['MEMORY', 'STATS']),
      ['FLUSHALL'],
    ],
  },
  {
    name: 'doctor, purge, help',
    steps: [
      TEXT(['MEMORY', 'DOCTOR']),
      ['MEMORY', 'PURGE'],
      { cmd: ['MEMORY', 'HELP'], help: true },
    ],
  },
  {
    name: 'malloc-stats',
    resp: [2],
    steps: [TEXT(['MEMORY', 'MALLOC-STATS'])],
  },
  {
    name: 'command info',
    steps: [
      { cmd: ['COMMAND', 'INFO', 'memory'], prose: true, unordered: true },
      { cmd: ['COMMAND', 'DOCS', 'memory'], prose: true, unordered: true },
      ['COMMAND', 'GETKEYS', 'MEMORY', 'USAGE', 'k'],
    ],
  },
]);
