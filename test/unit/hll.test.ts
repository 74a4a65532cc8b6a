/*
 * HyperLogLog values under hostile input: random byte mutations, truncations and extensions of
 * valid sparse and dense values must give a count, a merge, an add or an error — never an
 * exception, a hang, or a value outside Redis's format. The exact bytes and counts are specified
 * against redis-server in test/diff/hll.test.ts; this file covers the inputs no script can list.
 */

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { ByteString } from '../../src/data/bytes';
import {
  HLL_DENSE_SIZE, HLL_HDR_SIZE, HLL_REGISTERS, createHll, decodeSparse, denseRegisters, hashElement, hllAdd, hllCount,
  hllMerge, hllStoreMax, looksLikeHll, rawCount, sparseToDense,
} from '../../src/data/hll';

function build(elements: string[]): ByteString {
  const b = createHll();
  for (const e of elements) hllAdd(b, e);
  return b;
}

function copyOf(b: ByteString): Buffer {
  return Buffer.from(b.view());
}

/** Runs every operation on a (possibly corrupted) value; returns nothing, must not throw. */
function exercise(bytes: Buffer): void {
  const len = bytes.length;
  if (!looksLikeHll(bytes, len)) return;
  const c = hllCount(bytes, len);
  assert.ok(c === null || typeof c === 'bigint' || (Number.isInteger(c) && c >= 0));
  const max = new Uint8Array(HLL_REGISTERS);
  const ok = hllMerge(max, bytes, len);
  if (ok) {
    for (const v of max) assert.ok(v <= 63);
    rawCount(max);
  }
  if (bytes[4] === 1) decodeSparse(bytes, len);
  const b = new ByteString(Buffer.from(bytes), len);
  for (let i = 0; i < 20; i++) {
    const r = hllAdd(b, 'e' + i);
    assert.ok(r === -1 || r === 0 || r === 1);
    if (r === -1) break;
    // whatever the input, an add keeps the header and a well-sized dense value
    assert.equal(b.buf.subarray(0, 4).toString('latin1'), 'HYLL');
    if (b.buf[4] === 0) assert.equal(b.len, HLL_DENSE_SIZE);
  }
  const d = new ByteString(Buffer.from(bytes), len);
  if (sparseToDense(d)) {
    assert.equal(d.len, HLL_DENSE_SIZE);
    denseRegisters(d.buf);
  }
  if (ok) {
    const dst = createHll();
    hllStoreMax(dst, max);
    assert.ok(dst.len <= HLL_DENSE_SIZE);
  }
}

test('a new HLL is 18 bytes: header and one XZERO for 16384 registers', () => {
  const b = createHll();
  assert.equal(b.toString(), 'HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x7f\xff');
  assert.equal(hllCount(b.buf, b.len), 0);
  assert.equal(decodeSparse(b.buf, b.len), 'Z:16384');
});

test('element hashing matches Redis (PFADD a b c, as PFDEBUG DECODE shows it)', () => {
  // redis-server 7.0.15: PFADD h a b c -> "Z:8436 v:1,1 Z:4274 v:2,1 Z:3068 v:1,1 Z:603"
  const b = build(['a', 'b', 'c']);
  assert.equal(decodeSparse(b.buf, b.len), 'Z:8436 v:1,1 Z:4274 v:2,1 Z:3068 v:1,1 Z:603');
  const [reg, count] = hashElement('a');
  assert.ok(reg >= 0 && reg < HLL_REGISTERS && count >= 1 && count <= 51);
});

test('sparse and dense representations give the same count', () => {
  const els = Array.from({ length: 1500 }, (_, i) => 'el:' + i);
  const sparse = build(els);
  assert.equal(sparse.buf[4], 1);
  const dense = new ByteString(Buffer.from(sparse.view()), sparse.len);
  assert.ok(sparseToDense(dense));
  assert.equal(hllCount(sparse.buf, sparse.len), hllCount(dense.buf, dense.len));
  const est = hllCount(dense.buf, dense.len) as number;
  assert.ok(Math.abs(est - 1500) < 1500 * 0.05);
});

test('random mutations of valid values never throw', () => {
  const sparse = copyOf(build(Array.from({ length: 300 }, (_, i) => 's' + i)));
  const denseHll = build(Array.from({ length: 5000 }, (_, i) => 'd' + i));
  const dense = copyOf(denseHll);
  assert.equal(dense[4], 0);
  fc.assert(
    fc.property(
      fc.boolean(),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 12 }),
      fc.integer({ min: -40, max: 40 }),
      (useDense, edits, resize) => {
        const base = useDense ? dense : sparse;
        let bytes = Buffer.from(base);
        for (const [pos, val] of edits) bytes[HLL_HDR_SIZE + (pos % (bytes.length - HLL_HDR_SIZE))] = val;
        if (resize < 0) bytes = bytes.subarray(0, Math.max(HLL_HDR_SIZE, bytes.length + resize));
        else if (resize > 0) bytes = Buffer.concat([bytes, Buffer.alloc(resize, resize * 7)]);
        exercise(bytes);
      },
    ),
    { numRuns: 400 },
  );
});

test('arbitrary sparse bodies never throw and runs past 16384 registers are refused', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 400 }), (body) => {
      const bytes = Buffer.concat([Buffer.from('HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80', 'latin1'), body]);
      exercise(bytes);
    }),
    { numRuns: 500 },
  );
  // CVE-2025-32023 shape: a long stream of XZERO opcodes whose sum overflows 32 bits in C
  const huge = Buffer.concat([Buffer.from('HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80', 'latin1'), Buffer.alloc(300000, 0x7f)]);
  assert.equal(hllCount(huge, huge.length), null);
  assert.equal(hllMerge(new Uint8Array(HLL_REGISTERS), huge, huge.length), false);
  const b = new ByteString(Buffer.from(huge), huge.length);
  assert.equal(sparseToDense(b), false);
  // CVE-2019-10192 shape: VAL runs covering far more than 16384 registers
  const vals = Buffer.concat([Buffer.from('HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80', 'latin1'), Buffer.alloc(20000, 0xff)]);
  assert.equal(hllCount(vals, vals.length), null);
  assert.equal(hllMerge(new Uint8Array(HLL_REGISTERS), vals, vals.length), false);
});
