/*
 * BulkArrayBuilder (src/protocol/reply.ts) builds long replies as bytes in a shared scratch buffer:
 * whatever the strings (every byte value, empty, around the char-by-char / native copy boundary,
 * past the cached headers, larger than the scratch buffer), its output must be exactly what
 * appending encodeBulk() of each string gives, and consecutive replies must not leak into each other.
 */

import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { BulkArrayBuilder, encodeBulk, Reply, BUILD_MIN } from '../../src/protocol/reply';
import { prng } from '../support/prng';

function expected(header: string, items: string[]): string {
  return header + items.map(encodeBulk).join('');
}

function built(header: string, items: string[]): string {
  BulkArrayBuilder.begin(header);
  for (const s of items) BulkArrayBuilder.bulk(s);
  return BulkArrayBuilder.finish();
}

describe('BulkArrayBuilder', () => {
  it('encodes every byte value and every length class exactly like encodeBulk', () => {
    const all = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join('');
    const items = ['', 'a', all, all.slice(0, 47), all.slice(0, 48), all.slice(0, 49), 'x'.repeat(1023), 'y'.repeat(1024), 'z'.repeat(100000), '\r\n', '\0'];
    assert.equal(built('*11\r\n', items), expected('*11\r\n', items));
  });

  it('grows past its scratch buffer, gives the space back, and starts clean every time', () => {
    const rnd = prng(42);
    for (let round = 0; round < 30; round++) {
      const n = Math.floor(rnd() * 3000);
      const items: string[] = [];
      for (let i = 0; i < n; i++) {
        const len = rnd() < 0.01 ? Math.floor(rnd() * 2_000_000) : Math.floor(rnd() * 80);
        let s = '';
        for (let k = 0; k < Math.min(len, 64); k++) s += String.fromCharCode(Math.floor(rnd() * 256));
        items.push(len > 64 ? s + 'q'.repeat(len - 64) : s);
      }
      const header = `*${n}\r\n`;
      assert.equal(built(header, items), expected(header, items));
    }
  });

  it('Reply.bulkArray gives the same bytes below and above the builder threshold', () => {
    for (const n of [0, 1, BUILD_MIN - 1, BUILD_MIN, 500]) {
      const items = Array.from({ length: n }, (_, i) => `member:${i}\xff`);
      const r = new Reply();
      r.out = '+before\r\n';
      r.bulkArray(items);
      assert.equal(r.out, '+before\r\n' + expected(`*${n}\r\n`, items));
    }
  });
});
