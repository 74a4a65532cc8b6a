/*
 * Differential specification of the bitmap commands against redis-server 7.0.15: SETBIT GETBIT
 * BITCOUNT BITPOS BITOP BITFIELD BITFIELD_RO — range semantics (negative indexes, BIT unit,
 * end < start, BITPOS for a clear bit with and without an end), every error text and the order in
 * which errors are found, offsets with '#', the overflow policies, in-place edits seen through
 * GET/STRLEN/APPEND/SETRANGE, and pseudo-random sweeps of ranges and fields, RESP2 and RESP3.
 */

import { diffSuite, type Script, type Step } from './harness';
import { buildCommandTable } from '../../src/commands/index';
import type { RespValue } from '../support/resp';
import { prng as rng } from '../support/prng';

const hasLists = buildCommandTable().has('lpush');


function bytes(r: () => number, n: number, bias = 0): string {
  let s = '';
  for (let i = 0; i < n; i++) {
    const x = r();
    s += String.fromCharCode(bias === 1 && x < 0.3 ? 0xff : bias === 0 && x < 0.3 ? 0 : Math.floor(r() * 256));
  }
  return s;
}

function rangeSweep(seed: number): (string[] | Step)[] {
  const r = rng(seed);
  const steps: (string[] | Step)[] = [];
  const vals = [bytes(r, 13, 0), bytes(r, 13, 1), '\xff\xff\xff', '\x00\x00', '', '\xff\xf0\x00', bytes(r, 40, 2)];
  vals.forEach((v, k) => {
    const key = 'v' + k;
    steps.push(['SET', key, v]);
    steps.push(['BITCOUNT', key]);
    steps.push(['BITPOS', key, '0']);
    steps.push(['BITPOS', key, '1']);
    for (let i = 0; i < 40; i++) {
      const lim = v.length * (i % 2 ? 8 : 1) + 3;
      const a = String(Math.floor(r() * 2 * lim) - lim);
      const b = String(Math.floor(r() * 2 * lim) - lim);
      const unit = i % 2 ? 'BIT' : i % 4 === 0 ? 'BYTE' : '';
      const tail = unit ? [unit] : [];
      steps.push(['BITCOUNT', key, a, b, ...tail]);
      steps.push(['BITPOS', key, String(i % 3 === 0 ? 1 : 0), a, b, ...tail]);
      steps.push(['BITPOS', key, String(i % 3 === 1 ? 1 : 0), a]);
    }
  });
  return steps;
}

function bitfieldSweep(seed: number): (string[] | Step)[] {
  const r = rng(seed);
  const steps: (string[] | Step)[] = [];
  const policies = ['WRAP', 'SAT', 'FAIL'];
  for (let i = 0; i < 150; i++) {
    const signed = r() < 0.5;
    const bits = signed ? 1 + Math.floor(r() * 64) : 1 + Math.floor(r() * 63);
    const type = (signed ? 'i' : 'u') + bits;
    const off = r() < 0.2 ? '#' + Math.floor(r() * 5) : String(Math.floor(r() * 100));
    const big = r() < 0.3;
    const val = big
      ? (r() < 0.5 ? '-' : '') + String(BigInt(Math.floor(r() * 2 ** 31)) * BigInt(Math.floor(r() * 2 ** 32)))
      : String(Math.floor(r() * 600) - 300);
    const op = r();
    const pol = policies[Math.floor(r() * 3)];
    if (op < 0.4) steps.push(['BITFIELD', 'bf', 'OVERFLOW', pol, 'INCRBY', type, off, val]);
    else if (op < 0.75) steps.push(['BITFIELD', 'bf', 'OVERFLOW', pol, 'SET', type, off, val, 'GET', type, off]);
    else steps.push(['BITFIELD_RO', 'bf', 'GET', type, off, 'GET', 'u8', '0']);
    if (i % 10 === 0) steps.push(['GET', 'bf']);
  }
  steps.push(['GET', 'bf']);
  return steps;
}

const scripts: Script[] = [
  {
    name: 'setbit getbit basics',
    steps: [
      ['SETBIT', 'k', '7', '1'],
      ['GET', 'k'],
      ['SETBIT', 'k', '7', '1'],
      ['SETBIT', 'k', '7', '0'],
      ['GETBIT', 'k', '7'],
      ['SETBIT', 'k', '100', '1'],
      ['GET', 'k'],
      ['STRLEN', 'k'],
      ['OBJECT', 'ENCODING', 'k'],
      ['GETBIT', 'k', '100'],
      ['GETBIT', 'k', '101'],
      ['GETBIT', 'k', '1000000'],
      ['GETBIT', 'missing', '0'],
      ['SET', 'n', '12345'],
      ['GETBIT', 'n', '2'],
      ['GETBIT', 'n', '3'],
      ['SETBIT', 'n', '0', '1'],
      ['GET', 'n'],
      ['OBJECT', 'ENCODING', 'n'],
      ['SET', 'e', 'abc'],
      ['SETBIT', 'e', '1', '0'],
      ['GET', 'e'],
      ['APPEND', 'e', 'xyz'],
      ['GET', 'e'],
      ['SETBIT', 'e', '100', '1'],
      ['APPEND', 'e', '\x00\xff'],
      ['GET', 'e'],
      ['SETRANGE', 'e', '2', 'QQ'],
      ['GET', 'e'],
      ['SETRANGE', 'e', '40', 'end'],
      ['GET', 'e'],
      ['GETRANGE', 'e', '1', '5'],
      ['STRLEN', 'e'],
      ['INCR', 'e'],
      ['SET', 'num', '10'],
      ['SETBIT', 'num', '7', '1'],
      ['INCR', 'num'],
      ['GET', 'num'],
      ['SETRANGE', 'sr', '5', 'abc'],
      ['SETRANGE', 'sr', '1', 'Z'],
      ['GET', 'sr'],
      ['APPEND', 'sr', '!'],
      ['GET', 'sr'],
      ['COPY', 'e', 'ecopy'],
      ['SETBIT', 'ecopy', '0', '1'],
      ['GET', 'e'],
      ['GET', 'ecopy'],
      ['LCS', 'e', 'ecopy'],
    ],
  },
  {
    name: 'setbit getbit errors',
    steps: [
      ['SETBIT', 'k', '-1', '1'],
      ['SETBIT', 'k', 'x', '1'],
      ['SETBIT', 'k', '4294967296', '1'],
      ['SETBIT', 'k', '0', '2'],
      ['SETBIT', 'k', '0', '-1'],
      ['SETBIT', 'k', '0', 'a'],
      ['SETBIT', 'k', '01', '1'],
      ['SETBIT', 'k', '+1', '1'],
      ['GETBIT', 'k', '-1'],
      ['GETBIT', 'k', '4294967296'],
      ['GETBIT', 'k', 'foo'],
      ['SETBIT', 'k', '0'],
      ['GETBIT', 'k'],
      ...(hasLists ? [['LPUSH', 'l', 'a'], ['SETBIT', 'l', '0', '1'], ['SETBIT', 'l', 'x', '1'], ['GETBIT', 'l', '0'], ['BITCOUNT', 'l', 'a'],
        ['BITPOS', 'l', '1'], ['BITPOS', 'l', '2'], ['BITOP', 'AND', 'd', 'l'], ['BITFIELD', 'l', 'GET', 'u8', '0'], ['BITFIELD_RO', 'l', 'GET', 'u8', '0']] : []),
    ],
  },
  {
    name: 'bitcount',
    steps: [
      ['SET', 's', 'foobar'],
      ['BITCOUNT', 's'],
      ['BITCOUNT', 's', '0', '0'],
      ['BITCOUNT', 's', '1', '1'],
      ['BITCOUNT', 's', '1', '1', 'BYTE'],
      ['BITCOUNT', 's', '5', '30', 'BIT'],
      ['BITCOUNT', 's', '5', '30', 'bit'],
      ['BITCOUNT', 's', '-1', '-2'],
      ['BITCOUNT', 's', '-1', '-2', 'foo'],
      ['BITCOUNT', 's', '-2', '-1'],
      ['BITCOUNT', 's', '2', '1'],
      ['BITCOUNT', 's', '0', '-1', 'BIT'],
      ['BITCOUNT', 's', '-9223372036854775808', '9223372036854775807'],
      ['BITCOUNT', 's', '-9223372036854775808', '9223372036854775807', 'BIT'],
      ['BITCOUNT', 's', '0', '1', 'BITS'],
      ['BITCOUNT', 's', '0'],
      ['BITCOUNT', 's', '0', '1', 'BIT', 'x'],
      ['BITCOUNT', 's', 'a', '1'],
      ['BITCOUNT', 's', '1', 'a'],
      ['BITCOUNT', 's', '9223372036854775808', '1'],
      ['BITCOUNT', 'missing'],
      ['BITCOUNT', 'missing', 'a'],
      ['BITCOUNT', 'missing', '0', '1', 'foo'],
      ['SET', 'empty', ''],
      ['BITCOUNT', 'empty'],
      ['BITCOUNT', 'empty', '0', '-1'],
      ['BITCOUNT', 'empty', '0', '-1', 'BIT'],
      ['SET', 'i', '-123'],
      ['BITCOUNT', 'i'],
      ['BITCOUNT'],
    ],
  },
  {
    name: 'bitpos',
    steps: [
      ['SET', 'ones', '\xff\xff\xff'],
      ['BITPOS', 'ones', '0'],
      ['BITPOS', 'ones', '0', '0'],
      ['BITPOS', 'ones', '0', '0', '-1'],
      ['BITPOS', 'ones', '0', '2'],
      ['BITPOS', 'ones', '0', '0', '-1', 'BIT'],
      ['BITPOS', 'ones', '0', '3', '-1', 'BIT'],
      ['BITPOS', 'ones', '0', '5', 'BIT'],
      ['BITPOS', 'ones', '1'],
      ['SET', 'zeros', '\x00\x00\x00'],
      ['BITPOS', 'zeros', '1'],
      ['BITPOS', 'zeros', '0'],
      ['BITPOS', 'zeros', '1', '1', '2'],
      ['SET', 'mix', '\x00\xff\xf0'],
      ['BITPOS', 'mix', '1', '0'],
      ['BITPOS', 'mix', '1', '2'],
      ['BITPOS', 'mix', '0', '1', '1'],
      ['BITPOS', 'mix', '0', '1'],
      ['BITPOS', 'mix', '1', '7', '15', 'BIT'],
      ['BITPOS', 'mix', '0', '8', '19', 'BIT'],
      ['BITPOS', 'mix', '0', '8', '20', 'BIT'],
      ['BITPOS', 'mix', '0', '9', '12', 'BIT'],
      ['BITPOS', 'mix', '1', '-5', '-1', 'BIT'],
      ['BITPOS', 'mix', '1', '2', '1'],
      ['BITPOS', 'mix', '2'],
      ['BITPOS', 'mix', '-1'],
      ['BITPOS', 'mix', 'x'],
      ['BITPOS', 'mix', '1', 'x'],
      ['BITPOS', 'mix', '1', '0', 'x'],
      ['BITPOS', 'mix', '1', '0', '1', 'foo'],
      ['BITPOS', 'mix', '1', '0', '1', 'BIT', 'x'],
      ['BITPOS', 'missing', '0'],
      ['BITPOS', 'missing', '1'],
      ['BITPOS', 'missing', '1', 'x', 'y', 'z'],
      ['BITPOS', 'missing', '3'],
      ['SET', 'empty', ''],
      ['BITPOS', 'empty', '0'],
      ['BITPOS', 'empty', '1'],
      ['BITPOS', 'empty', '0', '0', '-1'],
      ['BITPOS', 'mix'],
    ],
  },
  { name: 'bitcount and bitpos range sweep', steps: rangeSweep(11) },
  {
    name: 'bitop',
    steps: [
      ['SET', 'a', 'foobar'],
      ['SET', 'b', 'abcdef\xff\x01'],
      ['SET', 'c', ''],
      ['BITOP', 'AND', 'd', 'a', 'b'],
      ['GET', 'd'],
      ['OBJECT', 'ENCODING', 'd'],
      ['BITOP', 'OR', 'd', 'a', 'b'],
      ['GET', 'd'],
      ['BITOP', 'XOR', 'd', 'a', 'b', 'a'],
      ['GET', 'd'],
      ['BITOP', 'not', 'd', 'b'],
      ['GET', 'd'],
      ['BITOP', 'AND', 'd', 'a', 'missing'],
      ['GET', 'd'],
      ['BITOP', 'OR', 'd', 'missing', 'c'],
      ['EXISTS', 'd'],
      ['BITOP', 'OR', 'd', 'missing'],
      ['SET', 'x', '1'],
      ['EXPIRE', 'x', '100'],
      ['BITOP', 'OR', 'x', 'a'],
      ['TTL', 'x'],
      ['BITOP', 'NOT', 'd', 'a', 'b'],
      ['BITOP', 'NOT', 'd'],
      ['BITOP', 'NAND', 'd', 'a'],
      ['BITOP', 'AND', 'd'],
      ['BITOP', 'AND', 'a', 'a', 'a'],
      ['GET', 'a'],
      ['SET', 'n', '1234'],
      ['BITOP', 'OR', 'd', 'n', 'a'],
      ['GET', 'd'],
      ['SETBIT', 'big', '1000', '1'],
      ['BITOP', 'XOR', 'd', 'big', 'a', 'b', 'n'],
      ['GET', 'd'],
      ['BITCOUNT', 'd'],
    ],
  },
  {
    name: 'bitfield',
    steps: [
      ['BITFIELD', 'bf', 'SET', 'i8', '0', '100', 'GET', 'i8', '0'],
      ['BITFIELD', 'bf', 'INCRBY', 'i8', '0', '100'],
      ['BITFIELD', 'bf', 'OVERFLOW', 'SAT', 'INCRBY', 'i8', '0', '100'],
      ['BITFIELD', 'bf', 'OVERFLOW', 'FAIL', 'INCRBY', 'i8', '0', '100', 'GET', 'i8', '0'],
      ['BITFIELD', 'bf', 'OVERFLOW', 'wrap', 'INCRBY', 'u2', '#3', '5'],
      ['BITFIELD', 'bf', 'SET', 'u8', '#1', '255', 'GET', 'u4', '8', 'GET', 'i4', '12', 'GET', 'u63', '3', 'GET', 'i64', '0'],
      ['BITFIELD', 'bf', 'SET', 'i64', '0', '-9223372036854775808', 'INCRBY', 'i64', '0', '-1'],
      ['BITFIELD', 'bf', 'OVERFLOW', 'SAT', 'INCRBY', 'i64', '0', '-1', 'INCRBY', 'i64', '0', '9223372036854775807'],
      ['BITFIELD', 'bf', 'OVERFLOW', 'SAT', 'SET', 'u8', '0', '-1', 'SET', 'i8', '0', '200', 'SET', 'i8', '0', '-200'],
      ['BITFIELD', 'bf', 'OVERFLOW', 'FAIL', 'SET', 'u8', '0', '256', 'SET', 'u8', '0', '255'],
      ['GET', 'bf'],
      ['BITFIELD', 'bf'],
      ['BITFIELD', 'missing', 'GET', 'u8', '0'],
      ['EXISTS', 'missing'],
      ['BITFIELD', 'newkey', 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', '100', '1000'],
      ['GET', 'newkey'],
      ['BITFIELD_RO', 'bf', 'GET', 'i8', '0', 'GET', 'u16', '#1'],
      ['BITFIELD_RO', 'bf', 'SET', 'i8', '0', '1'],
      ['BITFIELD_RO', 'bf', 'GET', 'i8', '0', 'INCRBY', 'i8', '0', '1'],
      ['BITFIELD_RO', 'bf', 'OVERFLOW', 'SAT', 'GET', 'i8', '0'],
      ['BITFIELD_RO', 'bf'],
      ['BITFIELD_RO', 'bf', 'SET', 'x8', '0', '1'],
      ['BITFIELD', 'bf', 'GET', 'u64', '0'],
      ['BITFIELD', 'bf', 'GET', 'i65', '0'],
      ['BITFIELD', 'bf', 'GET', 'i0', '0'],
      ['BITFIELD', 'bf', 'GET', 'u', '0'],
      ['BITFIELD', 'bf', 'GET', 'I8', '0'],
      ['BITFIELD', 'bf', 'GET', 'i8\x00zz', '0'],
      ['BITFIELD', 'bf', 'GET', 'i08', '0'],
      ['BITFIELD', 'bf', 'GET', 'i8', '-1'],
      ['BITFIELD', 'bf', 'GET', 'i8', '#-1'],
      ['BITFIELD', 'bf', 'GET', 'i8', '##1'],
      ['BITFIELD', 'bf', 'GET', 'i8', '#1152921504606846976'],
      ['BITFIELD', 'bf', 'GET', 'i64', '#2305843009213693952'],
      ['BITFIELD', 'bf', 'GET', 'i8', '4294967296'],
      ['BITFIELD', 'bf', 'GET', 'i8', '4294967288'],
      ['BITFIELD', 'bf', 'SET', 'i8', '0', 'x'],
      ['BITFIELD', 'bf', 'SET', 'i8', '0'],
      ['BITFIELD', 'bf', 'GET', 'i8'],
      ['BITFIELD', 'bf', 'OVERFLOW'],
      ['BITFIELD', 'bf', 'OVERFLOW', 'nope', 'GET', 'i8', '0'],
      ['BITFIELD', 'bf', 'FOO', 'i8', '0'],
      ['BITFIELD', 'bf', 'GET', 'i8', '0', 'SET', 'i8', '0', '1', 'GET', 'i8', 'bad'],
      ['GET', 'bf'],
      ['BITFIELD'],
      ['SET', 'num', '123'],
      ['BITFIELD', 'num', 'GET', 'u8', '0', 'GET', 'u8', '16', 'GET', 'u8', '24'],
      ['BITFIELD', 'num', 'INCRBY', 'u8', '0', '1'],
      ['GET', 'num'],
      ['OBJECT', 'ENCODING', 'num'],
    ],
  },
  { name: 'bitfield sweep', steps: bitfieldSweep(5) },
  {
    name: 'dirty counting and propagation-relevant changes',
    steps: [
      { cmd: ['INFO', 'persistence'], mask: dirtyBaseline },
      ['SETBIT', 'k', '0', '0'],
      ['SETBIT', 'k', '0', '0'],
      ['SETBIT', 'k', '0', '1'],
      ['BITFIELD', 'k', 'SET', 'u8', '0', '128'],
      ['BITFIELD', 'k', 'SET', 'u8', '8', '0'],
      ['BITFIELD', 'k', 'SET', 'u8', '0', '1', 'SET', 'u8', '0', '2'],
      ['BITOP', 'OR', 'nothing', 'none'],
      { cmd: ['INFO', 'persistence'], mask: dirtySinceBaseline },
    ],
  },
  {
    name: 'proto-max-bulk-len limits offsets',
    steps: [
      ['CONFIG', 'SET', 'proto-max-bulk-len', '1048576'],
      ['SETBIT', 'k', '8388607', '1'],
      ['SETBIT', 'k', '8388608', '1'],
      ['GETBIT', 'k', '8388608'],
      ['BITFIELD', 'k', 'GET', 'u8', '8388600'],
      ['BITFIELD', 'k', 'GET', 'u8', '8388608'],
      ['BITFIELD', 'k', 'SET', 'u8', '#1048575', '7'],
      ['STRLEN', 'k'],
      ['BITCOUNT', 'k'],
      ['BITPOS', 'k', '1', '1000'],
      ['CONFIG', 'SET', 'proto-max-bulk-len', '536870912'],
    ],
  },
  {
    name: 'metadata',
    steps: [
      ...['SETBIT', 'GETBIT', 'BITCOUNT', 'BITPOS', 'BITOP', 'BITFIELD', 'BITFIELD_RO'].flatMap((c) => [
        { cmd: ['COMMAND', 'INFO', c], prose: true },
        { cmd: ['COMMAND', 'DOCS', c], prose: true },
      ]),
      ['COMMAND', 'GETKEYSANDFLAGS', 'BITFIELD', 'k', 'GET', 'i8', '0'],
      ['COMMAND', 'GETKEYSANDFLAGS', 'BITFIELD', 'k', 'GET', 'i8', '0', 'OVERFLOW', 'SAT', 'SET', 'i8', '0', '1'],
      ['COMMAND', 'GETKEYSANDFLAGS', 'BITFIELD', 'k', 'foo'],
      ['COMMAND', 'GETKEYSANDFLAGS', 'BITOP', 'AND', 'd', 'a', 'b'],
    ],
  },
];

/*
 * rdb_changes_since_last_save counted from the script's first INFO, per server: the harness masks
 * the reference server's reply, then Redoubt's, so calls alternate between the two (the absolute
 * value also counts the FLUSHALLs between scripts, which is not this family's business).
 */
const baseline = [0, 0];
let maskCall = 0;
function rdbChanges(v: RespValue): number {
  const m = typeof v.v === 'string' ? /rdb_changes_since_last_save:(\d+)/.exec(v.v) : null;
  return m ? Number(m[1]) : NaN;
}
function dirtyBaseline(v: RespValue): RespValue {
  baseline[maskCall++ % 2] = rdbChanges(v);
  return { t: '+', v: 'baseline' };
}
function dirtySinceBaseline(v: RespValue): RespValue {
  return { t: ':', v: String(rdbChanges(v) - baseline[maskCall++ % 2]) };
}

diffSuite('bitmaps', scripts);
