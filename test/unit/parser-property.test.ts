/*
 * Property tests of the request parser (fast-check):
 *  - any list of commands, encoded as multibulk or as quoted inline lines, and cut into arbitrary
 *    fragments, parses back to exactly the same argument vectors;
 *  - arbitrary bytes (random, and biased towards protocol punctuation) never make the parser throw,
 *    and yield some commands followed by at most one ProtocolError, after which it is silent.
 */

import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { RequestParser, ProtocolError, type ParseResult } from '../../src/protocol/parser';

const byteString = (maxLength: number) =>
  fc.uint8Array({ maxLength }).map((a) => Buffer.from(a).toString('latin1'));

/** Mostly short arguments, sometimes long enough to take the big-bulk path (>= 32 KB). */
const arg = fc.oneof(
  { weight: 20, arbitrary: byteString(40) },
  { weight: 2, arbitrary: byteString(3000) },
  { weight: 1, arbitrary: fc.integer({ min: 32 * 1024, max: 70 * 1024 }).map((n) => 'b'.repeat(n - 3) + '\r\n\x00') },
);
const command = fc.array(arg, { minLength: 1, maxLength: 6 });

function multibulk(argv: string[]): string {
  let s = `*${argv.length}\r\n`;
  for (const a of argv) s += `$${a.length}\r\n${a}\r\n`;
  return s;
}

/** An inline line that sdssplitargs turns back into `argv`: every argument double-quoted, bytes escaped. */
function inline(argv: string[]): string {
  const quote = (a: string) => {
    let q = '"';
    for (let i = 0; i < a.length; i++) {
      const c = a.charCodeAt(i);
      if (c >= 0x21 && c <= 0x7e && c !== 0x22 && c !== 0x5c) q += a[i];
      else if (c === 0x22 || c === 0x5c) q += '\\' + a[i];
      else q += '\\x' + c.toString(16).padStart(2, '0');
    }
    return q + '"';
  };
  return argv.map(quote).join(' ') + '\r\n';
}

/** Cut points in [1, length) — sorted, distinct. */
function split(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => 1 + (c % Math.max(1, bytes.length - 1))))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of points) {
    if (p > prev && p < bytes.length) {
      out.push(bytes.subarray(prev, p));
      prev = p;
    }
  }
  out.push(bytes.subarray(prev));
  return out;
}

function run(chunks: Buffer[], limits = { maxBulkLen: 512 * 1024 * 1024, unauthenticated: false }): ParseResult[] {
  const p = new RequestParser(limits);
  const out: ParseResult[] = [];
  for (const c of chunks) {
    p.feed(Buffer.from(c)); // a copy: the parser may keep a reference to what it is fed
    for (let r = p.next(); r !== null; r = p.next()) out.push(r);
  }
  return out;
}

describe('parser properties', () => {
  it('encoded commands split at random boundaries parse back identically', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(command, fc.boolean()), { minLength: 1, maxLength: 20 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        (cmds, cuts) => {
          // An inline line must stay under 64 KB before its newline arrives, so big commands go multibulk.
          const encode = ([argv, asInline]: [string[], boolean]) =>
            asInline && argv.join('').length < 8000 ? inline(argv) : multibulk(argv);
          const wire = Buffer.from(cmds.map(encode).join(''), 'latin1');
          const got = run(split(wire, cuts));
          assert.deepEqual(got, cmds.map(([argv]) => argv));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a pipeline of thousands of commands fed one byte at a time equals the one-chunk parse', () => {
    const wire = Buffer.from(Array.from({ length: 3000 }, (_, i) => multibulk(['INCR', `k${i % 7}`])).join(''));
    const bytes = Array.from(wire, (b) => Buffer.from([b]));
    const whole = run([wire]);
    assert.equal(whole.length, 3000);
    assert.deepEqual(run(bytes), whole);
  });

  const protocolish = fc
    .array(
      fc.oneof(
        fc.constantFrom('*', '$', '\r', '\n', '\r\n', '-', '0', '1', '3', '9', '"', "'", '\\', 'x', ' ', '\x00', '\xff', 'PING', '*1\r\n', '$4\r\n'),
        byteString(4),
      ),
      { maxLength: 60 },
    )
    .map((parts) => Buffer.from(parts.join(''), 'latin1'));
  const garbage = fc.oneof(fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)), protocolish);

  it('garbage never throws and yields commands then at most one ProtocolError', () => {
    fc.assert(
      fc.property(garbage, fc.array(fc.nat(), { maxLength: 10 }), fc.boolean(), (bytes, cuts, unauthenticated) => {
        const limits = { maxBulkLen: 1024 * 1024, unauthenticated };
        const p = new RequestParser(limits);
        const out: ParseResult[] = [];
        for (const c of split(bytes, cuts)) {
          p.feed(Buffer.from(c));
          for (let r = p.next(); r !== null; r = p.next()) out.push(r);
        }
        const errors = out.filter((r) => r instanceof ProtocolError);
        assert.ok(errors.length <= 1);
        if (errors.length === 1) {
          assert.ok(out[out.length - 1] instanceof ProtocolError, 'the error is the last result');
          assert.match((errors[0] as ProtocolError).message, /^Protocol error: /);
          assert.equal(p.dead, true);
          assert.equal(p.pending, 0);
        }
        for (const r of out) if (!(r instanceof ProtocolError)) assert.ok(r.length > 0, 'no empty commands are returned');
        // Fragmentation never changes the outcome.
        assert.deepEqual(out, run([bytes], limits));
      }),
      { numRuns: 2000 },
    );
  });
});
