/*
 * The replication backlog (src/replication/backlog.ts): offsets, trimming by whole blocks as
 * Redis 7.0 does (the history never drops below the configured size), reads from any held offset.
 */

import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { Backlog } from '../../src/replication/backlog';

function bytes(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (seed + i * 31) & 0xff;
  return b;
}

describe('replication backlog', () => {
  it('holds the stream from its first offset and reads from any offset in it', () => {
    const b = new Backlog(1024 * 1024, 101);
    const all = Buffer.concat([bytes(10, 1), bytes(70000, 2), bytes(5, 3)]);
    b.append(all.subarray(0, 10));
    b.append(all.subarray(10, 70010));
    b.append(all.subarray(70010));
    assert.equal(b.histlen, all.length);
    assert.equal(b.firstOffset, 101);
    assert.equal(b.lastOffset, 100 + all.length);
    for (const off of [101, 102, 111, 16000 + 101, 100 + all.length, 101 + all.length]) {
      assert.deepEqual(Buffer.concat(b.readFrom(off)!), all.subarray(off - 101));
    }
    assert.equal(b.readFrom(100), null);
    assert.equal(b.readFrom(102 + all.length), null);
  });

  it('trims whole blocks, never below the configured size', () => {
    const size = 20000;
    const b = new Backlog(size, 1);
    const chunks: Buffer[] = [];
    for (let i = 0; i < 200; i++) {
      const c = bytes(997, i);
      chunks.push(c);
      b.append(c);
      assert.ok(b.histlen >= Math.min(size, (i + 1) * 997));
      assert.ok(b.histlen < size + 16 * 1024 + 997);
    }
    const all = Buffer.concat(chunks);
    assert.equal(b.firstOffset + b.histlen - 1, all.length);
    assert.deepEqual(Buffer.concat(b.readFrom(b.firstOffset)!), all.subarray(b.firstOffset - 1));
    assert.equal(b.readFrom(b.firstOffset - 1), null);
    b.resize(16 * 1024);
    assert.ok(b.histlen >= 16 * 1024);
    assert.deepEqual(Buffer.concat(b.readFrom(b.firstOffset)!), all.subarray(b.firstOffset - 1));
  });
});
