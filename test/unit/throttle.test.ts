/*
 * CL.THROTTLE and INCREX handlers seen from inside, with a controlled clock.
 *
 * CL.THROTTLE: redis-cell's own limiter table (redis-cell-impl `it_rate_limits`: limit 5, one token
 * per second, requests at start, +3 s, +3.1 s, +4 s, +8 s, +9.5 s), the README example and the e2e
 * example (burst 0, 1 per 2 s), its error texts, and what is stored and propagated.
 * INCREX: the cases of Redis 8.8's tests/unit/type/increx.tcl that do not need a live server
 * (replies, bounds, SATURATE, errors, propagation forms, keyspace events).
 */

import { describe, it, beforeEach } from 'node:test';
import * as assert from 'node:assert/strict';
import { COMMANDS } from '../../src/commands/throttle';
import { COMMANDS as STRINGS } from '../../src/commands/strings';
import { Command } from '../../src/commands/table';
import type { Ctx, ServerView } from '../../src/commands/context';
import { Database } from '../../src/data/keyspace';
import { Reply } from '../../src/protocol/reply';
import { readReply, type RespValue } from '../support/resp';

const START = 1_700_000_000_000;
const table = new Map([...COMMANDS, ...STRINGS].map((s) => [s.name, new Command(s)]));

let db: Database;
let events: string[];
let server: { dirty: number; lruClock: number; stats: { keyspaceHits: number; keyspaceMisses: number }; config: unknown; signalModifiedKey(): void; notifyKeyspaceEvent(c: string, e: string, k: string): void };
let now = START;
let lazyExpire = false;

beforeEach(() => {
  db = new Database(0, { onExpired: () => {} });
  events = [];
  now = START;
  lazyExpire = false;
  server = {
    dirty: 0, lruClock: 1,
    stats: { keyspaceHits: 0, keyspaceMisses: 0 },
    config: { lookup: (n: string) => (n === 'lazyfree-lazy-expire' ? { value: lazyExpire ? 'yes' : 'no' } : n === 'proto-max-bulk-len' ? { value: 1 << 20 } : undefined) },
    signalModifiedKey: () => {},
    notifyKeyspaceEvent: (_c: string, e: string, k: string) => { events.push(`${e}:${k}`); },
  };
});

function exec(resp: 2 | 3, argv: string[]): { out: string; prop: string[][] | null } {
  const cmd = table.get(argv[0].toLowerCase())!;
  const reply = new Reply();
  reply.resp = resp;
  const ctx = { argv, cmd, db, reply, now, propagateAs: null, server: server as unknown as ServerView, client: { kind: 'normal' } } as unknown as Ctx;
  cmd.handler!(ctx);
  return { out: reply.take(), prop: ctx.propagateAs };
}

/** The reply as a plain JS value: integers as numbers, strings as strings, errors as {err}. */
function plain(v: RespValue): unknown {
  if (v.t === '-') return { err: v.v };
  if (v.t === ':') return Number(v.v);
  if (Array.isArray(v.v)) return v.v.map(plain);
  return v.v;
}
function r(...argv: string[]): unknown {
  return plain(readReply(Buffer.from(exec(2, argv).out, 'latin1'))![0]);
}
const run = (...argv: string[]) => exec(2, argv);

describe('CL.THROTTLE', () => {
  it('follows redis-cell\'s limiter table (limit 5, 1 token per second)', () => {
    // [ms after start, quantity, limited, remaining, retry_after s, reset_after s]
    const cases: [number, number, number, number, number, number][] = [
      [0, 6, 1, 5, -1, 0], // larger than the burst: never allowed, so no retry time
      [0, 1, 0, 4, -1, 1],
      [0, 1, 0, 3, -1, 2],
      [0, 1, 0, 2, -1, 3],
      [0, 1, 0, 1, -1, 4],
      [0, 1, 0, 0, -1, 5],
      [0, 1, 1, 0, 1, 5],
      [3000, 1, 0, 2, -1, 3],
      [3100, 1, 0, 1, -1, 4], // reset_after 3.9 s rounds up
      [4000, 1, 0, 1, -1, 4],
      [8000, 1, 0, 4, -1, 1],
      [9500, 1, 0, 4, -1, 1],
      [9500, 0, 0, 4, -1, 1], // quantity 0 peeks
      [9500, 2, 0, 2, -1, 3],
      [9500, 5, 1, 2, 3, 3],
    ];
    for (const [at, q, limited, remaining, retry, reset] of cases) {
      now = START + at;
      assert.deepEqual(r('CL.THROTTLE', 'foo', '4', '1', '1', String(q)), [limited, 5, remaining, retry, reset], `at +${at} ms, quantity ${q}`);
    }
  });

  it('answers the README example and the e2e example', () => {
    assert.deepEqual(r('CL.THROTTLE', 'user123', '15', '30', '60'), [0, 16, 15, -1, 2]);
    assert.deepEqual(r('CL.THROTTLE', 'e2e', '0', '1', '2', '1'), [0, 1, 0, -1, 2]);
    assert.deepEqual(r('CL.THROTTLE', 'e2e', '0', '1', '2', '1'), [1, 1, 0, 2, 2]);
    now += 2000;
    assert.deepEqual(r('CL.THROTTLE', 'e2e', '0', '1', '2', '1'), [0, 1, 0, -1, 2]);
  });

  it('stores the TAT in unix ns with a TTL, and propagates it as SET ... PXAT', () => {
    const { prop } = run('CL.THROTTLE', 'k', '15', '30', '60');
    const tat = String(BigInt(START + 2000) * 1_000_000n);
    assert.deepEqual(prop, [['SET', 'k', tat, 'PXAT', String(START + 2000)]]);
    assert.equal(db.lookup('k', now)!.value, tat);
    assert.equal(db.getExpire('k'), START + 2000);
    assert.equal(server.dirty, 1);
    assert.deepEqual(events, ['set:k', 'expire:k']);
  });

  it('writes and propagates nothing when limited', () => {
    run('CL.THROTTLE', 'k', '0', '1', '60');
    const before = server.dirty;
    const { out, prop } = run('CL.THROTTLE', 'k', '0', '1', '60');
    assert.equal(out, '*5\r\n:1\r\n:1\r\n:0\r\n:60\r\n:60\r\n');
    assert.equal(prop, null);
    assert.equal(server.dirty, before);
  });

  it('keeps redis-cell\'s sub-second arithmetic (10 per second)', () => {
    // 100 ms interval, burst 9: ten immediate requests pass, the eleventh waits 100 ms (rounded up to 1 s)
    for (let i = 0; i < 10; i++) assert.equal((r('CL.THROTTLE', 'fast', '9', '10', '1') as number[])[0], 0);
    assert.deepEqual(r('CL.THROTTLE', 'fast', '9', '10', '1'), [1, 10, 0, 1, 1]);
    now += 100;
    assert.deepEqual(r('CL.THROTTLE', 'fast', '9', '10', '1'), [0, 10, 0, -1, 1]);
  });

  it('reads a TAT written by redis-cell and continues from it', () => {
    run('SET', 'ext', String(BigInt(START + 5000) * 1_000_000n));
    assert.deepEqual(r('CL.THROTTLE', 'ext', '4', '1', '1'), [1, 5, 0, 1, 5]);
  });

  it('answers redis-cell\'s errors, and refuses what redis-cell miscomputes', () => {
    const usage = 'Cell error: Store error: Usage: cl.throttle <key> <max_burst> <count per period> <period> [<quantity>]';
    assert.deepEqual(r('CL.THROTTLE'), { err: usage });
    assert.deepEqual(r('CL.THROTTLE', 'k', '1', '2'), { err: usage });
    assert.deepEqual(r('CL.THROTTLE', 'k', '1', '2', '3', '4', '5'), { err: usage });
    assert.deepEqual(r('CL.THROTTLE', 'k', '1', 'x', '3'), { err: 'Cell error: Store error: Couldn\'t parse as integer: x' });
    assert.deepEqual(r('CL.THROTTLE', 'k', '1', '1', '1', '1.5'), { err: 'Cell error: Store error: Couldn\'t parse as integer: 1.5' });
    assert.deepEqual(r('CL.THROTTLE', 'k', '1', '0', '3'), { err: 'Cell error: Store error: Zero rates are not supported' });
    assert.deepEqual(r('CL.THROTTLE', 'k', '1', '1', '0'), { err: 'Cell error: Store error: Zero rates are not supported' });
    // Rust's integer syntax: a '+' sign and leading zeros are fine
    assert.equal((r('CL.THROTTLE', 'k', '+1', '01', '1') as number[])[1], 2);
    assert.deepEqual(r('CL.THROTTLE', 'n', '-1', '1', '1'), { err: 'Cell error: Store error: max_burst must not be negative' });
    assert.deepEqual(r('CL.THROTTLE', 'n', '1', '1', '1', '-1'), { err: 'Cell error: Store error: quantity must not be negative' });
    assert.deepEqual(r('CL.THROTTLE', 'n', '1', '1', '9223372036854775807'), { err: 'Cell error: Store error: Rate limit parameters overflow 64-bit nanosecond time' });
    run('SET', 's', 'abc');
    assert.deepEqual(r('CL.THROTTLE', 's', '1', '1', '1'), { err: 'Cell error: invalid digit found in string' });
    run('SET', 'e', '');
    assert.deepEqual(r('CL.THROTTLE', 'e', '1', '1', '1'), { err: 'Cell error: cannot parse integer from empty string' });
    run('SET', 'b', '99999999999999999999');
    assert.deepEqual(r('CL.THROTTLE', 'b', '1', '1', '1'), { err: 'Cell error: number too large to fit in target type' });
  });
});

describe('INCREX', () => {
  it('increments by one by default, creating the key from 0', () => {
    assert.deepEqual(r('INCREX', 'mykey'), [1, 1]);
    run('SET', 'mykey', '10');
    assert.deepEqual(r('INCREX', 'mykey'), [11, 1]);
    assert.equal(db.lookup('mykey', now)!.enc, 'int');
  });

  it('applies BYINT increments within bounds and skips or saturates outside them', () => {
    run('SET', 'mykey', '100');
    assert.deepEqual(r('INCREX', 'mykey', 'BYINT', '5'), [105, 5]);
    assert.deepEqual(r('INCREX', 'mykey', 'BYINT', '-10'), [95, -10]);
    run('SET', 'mykey', '50');
    assert.deepEqual(r('INCREX', 'mykey', 'BYINT', '100', 'UBOUND', '80', 'SATURATE'), [80, 30]);
    run('SET', 'mykey', '10');
    assert.deepEqual(r('INCREX', 'mykey', 'BYINT', '-100', 'LBOUND', '0', 'SATURATE'), [0, -10]);
    run('SET', 'mykey', '5');
    assert.deepEqual(r('INCREX', 'mykey', 'BYINT', '10', 'LBOUND', '0', 'UBOUND', '10'), [5, 0]);
    assert.deepEqual(r('INCREX', 'mykey', 'BYINT', '5', 'UBOUND', '10'), [10, 5]);
    run('SET', 'mykey', '50');
    assert.deepEqual(r('INCREX', 'mykey', 'BYINT', '5', 'UBOUND', '30'), [50, 0]);
    assert.deepEqual(r('INCREX', 'mykey', 'BYINT', '5', 'UBOUND', '30', 'SATURATE'), [30, -20]);
    assert.deepEqual(r('INCREX', 'mykey', 'LBOUND', '0', 'BYINT', '100', 'UBOUND', '40', 'SATURATE'), [40, 10]);
  });

  it('treats 64-bit overflow as a bound: skipped, or saturated to the type limit', () => {
    run('SET', 'mykey', '9223372036854775800');
    assert.deepEqual(exec(2, ['INCREX', 'mykey', 'BYINT', '9223372036854775800']).out, '*2\r\n:9223372036854775800\r\n:0\r\n');
    assert.equal(exec(2, ['INCREX', 'mykey', 'BYINT', '9223372036854775800', 'SATURATE']).out, '*2\r\n:9223372036854775807\r\n:7\r\n');
    run('SET', 'mykey', '-9223372036854775800');
    assert.equal(exec(2, ['INCREX', 'mykey', 'BYINT', '-9223372036854775800', 'LBOUND', '-9223372036854775808', 'SATURATE']).out, '*2\r\n:-9223372036854775808\r\n:-8\r\n');
    run('SET', 'mykey', '9223372036854775800');
    assert.deepEqual(r('INCREX', 'mykey', 'BYINT', '1', 'SATURATE', 'UBOUND', '-9223372036854775808'), { err: 'ERR applied increment would overflow' });
  });

  it('does not create a key whose result is out of bounds, unless saturating', () => {
    assert.deepEqual(r('INCREX', 'mykey', 'BYINT', '5', 'LBOUND', '10'), [0, 0]);
    assert.equal(db.lookup('mykey', now), undefined);
    assert.deepEqual(r('INCREX', 'mykey', 'BYINT', '15', 'UBOUND', '10', 'EX', '100'), [0, 0]);
    assert.equal(db.lookup('mykey', now), undefined);
    assert.equal(server.dirty, 0);
    assert.deepEqual(r('INCREX', 'mykey', 'BYINT', '5', 'LBOUND', '10', 'SATURATE'), [10, 10]);
  });

  it('computes BYFLOAT in long double, bulk strings in RESP2 and doubles in RESP3', () => {
    run('SET', 'mykey', '1.5');
    assert.deepEqual(r('INCREX', 'mykey', 'BYFLOAT', '0.25'), ['1.75', '0.25']);
    assert.equal(exec(3, ['INCREX', 'mykey', 'BYFLOAT', '1']).out, '*2\r\n,2.75\r\n,1\r\n');
    run('SET', 'mykey', '10.5');
    assert.deepEqual(r('INCREX', 'mykey', 'BYFLOAT', '0.1'), ['10.6', '0.1']);
    run('SET', 'mykey', '10');
    assert.deepEqual(r('INCREX', 'mykey', 'BYFLOAT', '100', 'UBOUND', '42.5', 'SATURATE'), ['42.5', '32.5']);
    run('SET', 'mykey', '0');
    assert.deepEqual(r('INCREX', 'mykey', 'BYFLOAT', '-100', 'LBOUND', '-5.5', 'SATURATE'), ['-5.5', '-5.5']);
    run('SET', 'mykey', '50.5');
    assert.deepEqual(r('INCREX', 'mykey', 'BYFLOAT', '5.5', 'UBOUND', '30'), ['50.5', '0']);
    assert.deepEqual(r('INCREX', 'mykey', 'BYFLOAT', '5.5', 'UBOUND', '30', 'SATURATE'), ['30', '-20.5']);
    db.delete('mykey');
    assert.deepEqual(r('INCREX', 'mykey', 'BYFLOAT', '-0.5', 'UBOUND', '-1.5'), ['0', '0']);
    assert.equal(db.lookup('mykey', now), undefined);
  });

  it('refuses infinities and invalid numbers with Redis 8.8\'s texts', () => {
    run('SET', 'mykey', '0');
    assert.deepEqual(r('INCREX', 'mykey', 'BYFLOAT', '+inf'), { err: 'ERR BYFLOAT increment cannot be Infinity' });
    assert.deepEqual(r('INCREX', 'mykey', 'BYFLOAT', 'nan'), { err: 'ERR Increment is not a valid float' });
    assert.deepEqual(r('INCREX', 'mykey', 'BYFLOAT', '1e99999'), { err: 'ERR Increment is not a valid float' });
    assert.deepEqual(r('INCREX', 'mykey', 'BYINT', '1.5'), { err: 'ERR Increment is not an integer or out of range' });
    assert.deepEqual(r('INCREX', 'mykey', 'UBOUND', 'abc'), { err: 'ERR UBOUND is not an integer or out of range' });
    assert.deepEqual(r('INCREX', 'mykey', 'BYFLOAT', '1', 'LBOUND', 'abc'), { err: 'ERR LBOUND is not a valid float' });
    assert.deepEqual(r('INCREX', 'mykey', 'BYINT', '1', 'LBOUND', '10', 'UBOUND', '5'), { err: 'ERR LBOUND can\'t be greater than UBOUND' });
    assert.deepEqual(r('INCREX', 'mykey', 'BYFLOAT', '0.5', 'LBOUND', '10.5', 'UBOUND', '1.5'), { err: 'ERR LBOUND can\'t be greater than UBOUND' });
    run('SET', 'mykey', 'inf');
    assert.deepEqual(r('INCREX', 'mykey', 'BYFLOAT', '1'), { err: 'ERR value cannot be Infinity' });
    assert.deepEqual(r('INCREX', 'mykey', 'BYINT', '1'), { err: 'ERR value is not an integer or out of range' });
    run('SET', 'mykey', 'hello');
    assert.deepEqual(r('INCREX', 'mykey', 'BYFLOAT', '1.5'), { err: 'ERR value is not a valid float' });
  });

  it('rejects repeated, conflicting and unknown options as syntax errors', () => {
    const syntax = { err: 'ERR syntax error' };
    for (const args of [
      ['FOO'], ['BYINT', '1', 'FOO'], ['BYINT', '1', 'BYFLOAT', '1.5'], ['BYINT', '1', 'BYINT', '2'],
      ['EX', '10', 'PX', '5000'], ['EX', '10', 'PERSIST'], ['PERSIST', 'EX', '10'], ['PERSIST', 'ENX'],
      ['ENX', 'PERSIST'], ['LBOUND', '0', 'LBOUND', '1'], ['SATURATE', 'SATURATE'], ['SAT', 'LBOUND', '0'],
      ['ENX', 'ENX', 'EX', '10'], ['PERSIST', 'PERSIST'], ['EX', '10', 'EX', '20'], ['LBOUND'], ['BYINT'],
    ]) assert.deepEqual(r('INCREX', 'mykey', ...args), syntax, args.join(' '));
    assert.deepEqual(r('INCREX', 'mykey', 'ENX'), { err: 'ERR ENX flag requires an expiration' });
    assert.deepEqual(r('INCREX', 'mykey', 'BYINT', '1', 'EX', '0'), { err: 'ERR invalid expire time in \'increx\' command' });
    assert.deepEqual(r('INCREX', 'mykey', 'BYINT', '1', 'EX', '-1'), { err: 'ERR invalid expire time in \'increx\' command' });
    assert.deepEqual(r('INCREX', 'mykey', 'EX', 'x'), { err: 'ERR value is not an integer or out of range' });
  });

  it('sets, keeps, removes or conditionally sets the TTL', () => {
    run('SET', 'mykey', '5', 'EX', '1000');
    r('INCREX', 'mykey', 'BYINT', '1');
    assert.equal(db.getExpire('mykey'), START + 1_000_000);
    r('INCREX', 'mykey', 'BYINT', '1', 'EX', '100', 'ENX');
    assert.equal(db.getExpire('mykey'), START + 1_000_000);
    r('INCREX', 'mykey', 'BYINT', '1', 'PERSIST');
    assert.equal(db.getExpire('mykey'), undefined);
    r('INCREX', 'mykey', 'BYINT', '1', 'EX', '100', 'ENX');
    assert.equal(db.getExpire('mykey'), START + 100_000);
    r('INCREX', 'mykey', 'PX', '5000');
    assert.equal(db.getExpire('mykey'), START + 5000);
    // a skipped increment leaves the TTL alone
    assert.deepEqual(r('INCREX', 'mykey', 'BYINT', '100', 'UBOUND', '15', 'EX', '1'), [10, 0]);
    assert.equal(db.getExpire('mykey'), START + 5000);
  });

  it('propagates the final value as SET, with KEEPTTL, PXAT or as a deletion', () => {
    run('SET', 'mykey', '10');
    assert.deepEqual(run('INCREX', 'mykey', 'BYINT', '5').prop, [['SET', 'mykey', '15', 'KEEPTTL']]);
    assert.deepEqual(run('INCREX', 'mykey', 'BYFLOAT', '0.5').prop, [['SET', 'mykey', '15.5', 'KEEPTTL']]);
    run('SET', 'mykey', '10', 'EX', '500');
    assert.deepEqual(run('INCREX', 'mykey', 'BYINT', '1', 'PERSIST').prop, [['SET', 'mykey', '11']]);
    assert.deepEqual(run('INCREX', 'mykey', 'BYINT', '1', 'EX', '100').prop, [['SET', 'mykey', '12', 'PXAT', String(START + 100_000)]]);
    assert.deepEqual(run('INCREX', 'mykey', 'BYINT', '1', 'EXAT', '1800000000').prop, [['SET', 'mykey', '13', 'PXAT', '1800000000000']]);
    assert.deepEqual(run('INCREX', 'mykey', 'BYINT', '1', 'EX', '10', 'ENX').prop, [['SET', 'mykey', '14', 'KEEPTTL']]);
    run('SET', 'mykey', '50');
    assert.deepEqual(run('INCREX', 'mykey', 'BYINT', '100', 'UBOUND', '80', 'SATURATE').prop, [['SET', 'mykey', '80', 'KEEPTTL']]);
    assert.deepEqual(run('INCREX', 'new', 'BYINT', '7').prop, [['SET', 'new', '7', 'KEEPTTL']]);
    run('SET', 'mykey', '10');
    const dirty = server.dirty;
    assert.deepEqual(run('INCREX', 'mykey', 'BYINT', '1', 'EXAT', '1'), { out: '*2\r\n:11\r\n:1\r\n', prop: [['DEL', 'mykey']] });
    assert.equal(db.lookup('mykey', now), undefined);
    assert.equal(server.dirty, dirty + 1);
    lazyExpire = true;
    run('SET', 'mykey', '10');
    assert.deepEqual(run('INCREX', 'mykey', 'PXAT', '1').prop, [['UNLINK', 'mykey']]);
    // ENX on a key with a TTL: a past deadline is ignored with the rest of the expiry
    run('SET', 'mykey', '10', 'EX', '500');
    assert.deepEqual(run('INCREX', 'mykey', 'BYINT', '1', 'EXAT', '1', 'ENX').prop, [['SET', 'mykey', '11', 'KEEPTTL']]);
    assert.equal(db.getExpire('mykey'), START + 500_000);
  });

  it('fires incrby / incrbyfloat then expire / persist, or only del', () => {
    r('INCREX', 'k', 'BYINT', '5');
    r('INCREX', 'k', 'BYFLOAT', '0.5');
    run('SET', 'k', '10', 'EX', '100');
    events = [];
    r('INCREX', 'k', 'BYINT', '1', 'PERSIST');
    r('INCREX', 'k', 'BYINT', '1', 'EX', '100');
    r('INCREX', 'k', 'BYINT', '1', 'EX', '200', 'ENX');
    r('INCREX', 'k', 'BYINT', '1', 'EXAT', '1');
    assert.deepEqual(events, ['incrby:k', 'persist:k', 'incrby:k', 'expire:k', 'incrby:k', 'del:k']);
  });

  it('answers WRONGTYPE for a key of another type', () => {
    db.set('l', new (class { type = 'list'; value = []; enc = 'listpack'; lru = 0; })() as never);
    assert.deepEqual(r('INCREX', 'l'), { err: 'WRONGTYPE Operation against a key holding the wrong kind of value' });
    assert.deepEqual(r('INCREX', 'l', 'BYFLOAT', '1.5'), { err: 'WRONGTYPE Operation against a key holding the wrong kind of value' });
    assert.deepEqual(r('CL.THROTTLE', 'l', '1', '1', '1'), { err: 'WRONGTYPE Operation against a key holding the wrong kind of value' });
  });
});
