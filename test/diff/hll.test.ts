/*
 * Differential specification of the HyperLogLog commands against redis-server 7.0.15: replies AND
 * the stored bytes (GET of the key) after PFADD/PFMERGE of many pseudo-random elements, through
 * the sparse representation, its growth, the promotion to dense (by size and by a register above
 * 32), merges of sparse and dense values, cached cardinalities, hll-sparse-max-bytes, PFDEBUG, and
 * the checks on values that are not (valid) HLLs, corrupted ones included.
 */

import { diffSuite, type Script, type Step } from './harness';
import { buildCommandTable } from '../../src/commands/index';
import { prng as rng } from '../support/prng';

const hasLists = buildCommandTable().has('lpush');


/** n random binary elements of 0..20 bytes. */
function elements(seed: number, n: number): string[] {
  const r = rng(seed);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const len = Math.floor(r() * 21);
    let s = '';
    for (let j = 0; j < len; j++) s += String.fromCharCode(Math.floor(r() * 256));
    out.push(s);
  }
  return out;
}

/** PFADD in batches, checking the reply, the count and the bytes after each batch. */
function addSteps(key: string, els: string[], batch: number): (string[] | Step)[] {
  const steps: (string[] | Step)[] = [];
  for (let i = 0; i < els.length; i += batch) {
    steps.push(['PFADD', key, ...els.slice(i, i + batch)]);
    steps.push(['GET', key]);
    steps.push(['PFCOUNT', key]);
    steps.push(['GET', key]);
  }
  return steps;
}

const HDR_SPARSE = 'HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00';
const HDR_DENSE = 'HYLL\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80';

const scripts: Script[] = [
  {
    name: 'pfadd basics and replies',
    steps: [
      ['PFADD', 'h'],
      ['PFADD', 'h'],
      ['GET', 'h'],
      ['OBJECT', 'ENCODING', 'h'],
      ['PFCOUNT', 'h'],
      ['PFADD', 'h', 'a', 'b', 'c'],
      ['PFADD', 'h', 'a'],
      ['GET', 'h'],
      ['PFCOUNT', 'h'],
      ['GET', 'h'],
      ['PFCOUNT', 'h'],
      ['PFCOUNT', 'missing'],
      ['PFCOUNT', 'h', 'missing'],
      ['PFADD', 'bin', '\x00\xff', '', '\r\n', 'x'.repeat(1000)],
      ['GET', 'bin'],
      ['PFCOUNT', 'bin'],
      ['PFADD'],
      ['PFCOUNT'],
      ['PFMERGE'],
    ],
  },
  {
    name: 'sparse growth, merging VALs, promotion by size',
    steps: addSteps('s', elements(1, 3000), 50),
  },
  {
    name: 'one element at a time through promotion',
    steps: addSteps('one', elements(7, 1200), 1).filter((_, i) => i % 4 !== 3 || i > 4000),
  },
  {
    name: 'dense counts at larger cardinalities',
    steps: [...addSteps('d', elements(2, 20000), 2000), ['PFCOUNT', 'd', 's'], ['PFCOUNT', 'd', 'd']],
  },
  {
    name: 'pfmerge sparse and dense',
    steps: [
      ['PFADD', 'a', ...elements(3, 100)],
      ['PFADD', 'b', ...elements(4, 150)],
      ['PFMERGE', 'm', 'a', 'b'],
      ['GET', 'm'],
      ['PFCOUNT', 'm'],
      ['PFCOUNT', 'a', 'b'],
      ['PFMERGE', 'a', 'b'],
      ['GET', 'a'],
      ['PFMERGE', 'empty'],
      ['GET', 'empty'],
      ['PFMERGE', 'empty2', 'nothing', 'none'],
      ['GET', 'empty2'],
      ['PFADD', 'big', ...elements(5, 5000)],
      ['PFMERGE', 'm2', 'a', 'big'],
      ['GET', 'm2'],
      ['PFCOUNT', 'm2'],
      ['PFMERGE', 'b', 'big'],
      ['GET', 'b'],
      ['PFCOUNT', 'b'],
      ['PFCOUNT', 'a', 'b', 'big', 'm', 'nothing'],
      ['PFMERGE', 'm3', 'a', 'b', 'm'],
      ['GET', 'm3'],
    ],
  },
  {
    name: 'hll-sparse-max-bytes',
    steps: [
      ['CONFIG', 'SET', 'hll-sparse-max-bytes', '200'],
      ...addSteps('small', elements(6, 200), 10),
      ['CONFIG', 'SET', 'hll-sparse-max-bytes', '0'],
      ['PFADD', 'z', 'a'],
      ['GET', 'z'],
      ['CONFIG', 'SET', 'hll-sparse-max-bytes', '3000'],
    ],
  },
  {
    name: 'register above 32 promotes to dense',
    steps: [
      // a sparse value holding VAL 32 at register 0 (hand-built), then a set to a bigger value
      ['SET', 'h', HDR_SPARSE + '\xfc' + '\x7f\xfe'],
      ['PFCOUNT', 'h'],
      ['PFADD', 'h', 'x'],
      ['GET', 'h'],
      ['PFDEBUG', 'ENCODING', 'h'],
    ],
  },
  {
    name: 'not an hll',
    steps: [
      ['SET', 'str', 'hello'],
      ['PFADD', 'str', 'a'],
      ['PFCOUNT', 'str'],
      ['PFMERGE', 'str'],
      ['PFMERGE', 'dst', 'str'],
      ['EXISTS', 'dst'],
      ['SET', 'int', '12345'],
      ['PFADD', 'int', 'a'],
      ['PFCOUNT', 'int', 'str'],
      ...(hasLists ? [
        ['LPUSH', 'list', 'a'],
        ['PFADD', 'list', 'a'],
        ['PFCOUNT', 'list'],
        ['PFCOUNT', 'missing', 'list'],
        ['PFMERGE', 'list', 'a'],
        ['PFMERGE', 'x', 'list'],
      ] : []),
      ['SET', 'shortdense', HDR_DENSE + '\x00'.repeat(100)],
      ['PFADD', 'shortdense', 'a'],
      ['SET', 'badenc', 'HYLL\x02' + '\x00'.repeat(20)],
      ['PFCOUNT', 'badenc'],
      ['SET', 'magic', 'HYLX\x01' + '\x00'.repeat(20)],
      ['PFCOUNT', 'magic'],
      ['SET', 'tiny', 'HYLL\x01'],
      ['PFCOUNT', 'tiny'],
    ],
  },
  {
    name: 'corrupted sparse values',
    steps: [
      // runs past 16384 registers
      ['SET', 'c1', HDR_SPARSE + '\x7f\xff\x7f\xff'],
      ['PFCOUNT', 'c1'],
      ['PFADD', 'c1', 'a'],
      ['PFCOUNT', 'c1', 'c1'],
      ['PFMERGE', 'd1', 'c1'],
      ['EXISTS', 'd1'],
      // runs short of 16384 registers (stale cache bit set)
      ['SET', 'c2', HDR_SPARSE.slice(0, 15) + '\x80' + '\x40\x10'],
      ['PFCOUNT', 'c2'],
      ['PFCOUNT', 'c2', 'c2'],
      ['PFADD', 'c2', ...elements(8, 50)],
      ['GET', 'c2'],
      ['PFMERGE', 'd2', 'c2'],
      // many VAL opcodes overflowing
      ['SET', 'c3', HDR_SPARSE.slice(0, 15) + '\x80' + '\xff'.repeat(5000)],
      ['PFCOUNT', 'c3'],
      ['PFADD', 'c3', 'a', 'b'],
      ['PFDEBUG', 'TODENSE', 'c3'],
      ['PFDEBUG', 'DECODE', 'c3'],
      // an XZERO cut short at the end
      ['SET', 'c4', HDR_SPARSE.slice(0, 15) + '\x80' + '\x7f'],
      ['PFCOUNT', 'c4'],
      ['PFADD', 'c4', 'a'],
      ['GET', 'c4'],
      // a valid cached count is trusted as Redis trusts it
      ['SET', 'c5', 'HYLL\x01\x00\x00\x00\x39\x30\x00\x00\x00\x00\x00\x00' + '\x7f\xff'],
      ['PFCOUNT', 'c5'],
      ['OBJECT', 'ENCODING', 'c5'],
      ['SET', 'c6', 'HYLL\x01\x00\x00\x00\xff\xff\xff\xff\xff\xff\xff\x7f' + '\x7f\xff'],
      ['PFCOUNT', 'c6'],
      // dense with registers at 63
      ['SET', 'c7', HDR_DENSE + '\xff'.repeat(12288)],
      ['PFCOUNT', 'c7'],
      ['PFADD', 'c7', 'a'],
      ['PFCOUNT', 'c7', 'c7'],
      ['PFMERGE', 'd7', 'c7', 'c1'],
      ['PFMERGE', 'd7', 'c7'],
      ['PFCOUNT', 'd7'],
    ],
  },
  {
    name: 'pfdebug',
    steps: [
      ['PFADD', 'h', 'a', 'b', 'c', 'd'],
      ['PFDEBUG', 'DECODE', 'h'],
      ['PFDEBUG', 'ENCODING', 'h'],
      ['PFDEBUG', 'encoding', 'h'],
      ['PFDEBUG', 'nope', 'h'],
      ['PFDEBUG', 'nope', 'missing'],
      ['PFDEBUG', 'DECODE', 'missing'],
      ['PFDEBUG', 'TODENSE', 'h'],
      ['PFDEBUG', 'TODENSE', 'h'],
      ['PFDEBUG', 'DECODE', 'h'],
      ['PFDEBUG', 'ENCODING', 'h'],
      ['GET', 'h'],
      ['PFADD', 'g', 'x', 'y'],
      ['PFDEBUG', 'GETREG', 'g'],
      ['GET', 'g'],
      ['SET', 's', 'abc'],
      ['PFDEBUG', 'ENCODING', 's'],
      ['PFDEBUG', 'ENCODING'],
      ['PFDEBUG', 'ENCODING', 'h', 'x'],
    ],
  },
  {
    name: 'embstr hll values become raw',
    steps: [
      ['SET', 'e', HDR_SPARSE + '\x7f\xff'],
      ['OBJECT', 'ENCODING', 'e'],
      ['PFCOUNT', 'e'],
      ['OBJECT', 'ENCODING', 'e'],
      ['SET', 'e', HDR_SPARSE + '\x7f\xff'],
      ['PFCOUNT', 'e', 'e'],
      ['OBJECT', 'ENCODING', 'e'],
      ['PFADD', 'e', 'q'],
      ['OBJECT', 'ENCODING', 'e'],
      ['APPEND', 'e', 'zz'],
      ['GET', 'e'],
      ['PFCOUNT', 'e'],
      ['SETRANGE', 'e', '16', '\x7f\xff'],
      ['PFCOUNT', 'e'],
    ],
  },
  {
    name: 'metadata',
    steps: ['PFADD', 'PFCOUNT', 'PFMERGE', 'PFDEBUG'].flatMap((c) => [
      { cmd: ['COMMAND', 'INFO', c], prose: true },
      { cmd: ['COMMAND', 'DOCS', c], prose: true },
    ]),
  },
];

diffSuite('hyperloglog', scripts);
