/*
 * String handlers seen from inside: what they propagate (AOF/replicas), how much they add to
 * server.dirty, the keyspace hit/miss counters, encodings, and WRONGTYPE on non-string values.
 * Propagated forms were read from a redis-server 7.0.15 AOF for the same commands.
 */

import { describe, it, beforeEach } from 'node:test';
import * as assert from 'node:assert/strict';
import { COMMANDS } from '../../src/commands/strings';
import { Command } from '../../src/commands/table';
import type { Ctx, ServerView } from '../../src/commands/context';
import { Database, RObj, stringEncoding } from '../../src/data/keyspace';
import { encodingOf } from '../../src/commands/strings-shared';
import { Reply } from '../../src/protocol/reply';

const NOW = 1_700_000_000_000;
const table = new Map(COMMANDS.map((s) => [s.name, new Command(s)]));

let db: Database;
let server: {
  dirty: number; lruClock: number; stats: { keyspaceHits: number; keyspaceMisses: number };
  config: { lookup(n: string): { value: unknown } | undefined };
  signalModifiedKey(db: Database, key: string): void;
  notifyKeyspaceEvent(cls: string, event: string, key: string, dbIndex: number): void;
};
let reply: Reply;

beforeEach(() => {
  db = new Database(0, { onExpired: () => {} });
  server = {
    dirty: 0, lruClock: 1,
    stats: { keyspaceHits: 0, keyspaceMisses: 0 },
    config: { lookup: (n: string) => (n === 'proto-max-bulk-len' ? { value: 1024 * 1024 } : undefined) },
    signalModifiedKey: () => {},
    notifyKeyspaceEvent: () => {},
  };
  reply = new Reply();
});

/** Runs one command; returns its reply bytes and what it asked to propagate (null = argv as is). */
function run(...argv: string[]): { out: string; prop: string[][] | null } {
  const cmd = table.get(argv[0].toLowerCase())!;
  const ctx = {
    argv, cmd, db, reply, now: NOW, propagateAs: null,
    server: server as unknown as ServerView,
    client: { kind: 'normal' },
  } as unknown as Ctx;
  cmd.handler!(ctx);
  return { out: reply.take(), prop: ctx.propagateAs };
}

describe('string handlers: propagation and dirty', () => {
  it('SET with a relative or absolute expire propagates as SET ... PXAT', () => {
    assert.deepEqual(run('SET', 'a', '1', 'EX', '100').prop, [['SET', 'a', '1', 'PXAT', String(NOW + 100_000)]]);
    assert.deepEqual(run('SET', 'a', '1', 'px', '5', 'GET').prop, [['SET', 'a', '1', 'PXAT', String(NOW + 5)]]);
    assert.deepEqual(run('SETEX', 'c', '100', 'v').prop, [['SET', 'c', 'v', 'PXAT', String(NOW + 100_000)]]);
    assert.deepEqual(run('PSETEX', 'c', '100000', 'v').prop, [['SET', 'c', 'v', 'PXAT', String(NOW + 100_000)]]);
    assert.deepEqual(run('SET', 'a', '1', 'EXAT', '1').prop, [['SET', 'a', '1', 'PXAT', '1000']]);
    // beyond 2^53 the deadline is still exact in the propagated command
    assert.deepEqual(run('SET', 'a', '1', 'EXAT', '9223372036854775').prop, [['SET', 'a', '1', 'PXAT', '9223372036854775000']]);
    assert.equal(server.dirty, 6);
  });

  it('SET ... GET without expire propagates without any GET token', () => {
    run('SET', 'b', '0');
    assert.deepEqual(run('SET', 'b', '1', 'GET', 'XX', 'get').prop, [['SET', 'b', '1', 'XX']]);
    assert.equal(run('SET', 'b', '1', 'KEEPTTL').prop, null);
    const refused = run('SET', 'b', '2', 'NX', 'GET');
    assert.equal(refused.out, '$1\r\n1\r\n');
    assert.equal(server.dirty, 3);
  });

  it('GETSET, GETDEL, GETEX and INCRBYFLOAT propagate in their deterministic forms', () => {
    run('SET', 'k', 'v');
    assert.deepEqual(run('GETSET', 'k', 'w').prop, [['SET', 'k', 'w']]);
    assert.deepEqual(run('GETEX', 'k', 'EX', '100').prop, [['PEXPIREAT', 'k', String(NOW + 100_000)]]);
    assert.deepEqual(run('GETEX', 'k', 'PXAT', '99999999999999').prop, [['PEXPIREAT', 'k', '99999999999999']]);
    assert.deepEqual(run('GETEX', 'k', 'PERSIST').prop, [['PERSIST', 'k']]);
    const dirty = server.dirty;
    assert.equal(run('GETEX', 'k', 'PERSIST').prop, null);
    assert.equal(server.dirty, dirty, 'PERSIST without a TTL changes nothing');
    assert.deepEqual(run('GETEX', 'k', 'EXAT', '1').prop, [['DEL', 'k']]);
    assert.equal(db.dict.has('k'), false);
    run('SET', 'k', 'v');
    assert.deepEqual(run('GETDEL', 'k').prop, [['DEL', 'k']]);
    assert.deepEqual(run('INCRBYFLOAT', 'f', '1.5').prop, [['SET', 'f', '1.5', 'KEEPTTL']]);
  });

  it('counts one change per key written, none for refusals', () => {
    run('MSET', 'a', '1', 'b', '2', 'c', '3');
    assert.equal(server.dirty, 3);
    run('MSETNX', 'a', '1', 'z', '1');
    assert.equal(server.dirty, 3);
    run('SETNX', 'a', 'x');
    run('SET', 'nope', 'x', 'XX');
    run('SETRANGE', 'a', '0', '');
    run('GETDEL', 'missing');
    assert.equal(server.dirty, 3);
    run('APPEND', 'a', '');
    run('INCR', 'b');
    run('SETRANGE', 'a', '3', 'x');
    assert.equal(server.dirty, 6);
  });
});

describe('string handlers: keyspace statistics', () => {
  it('read lookups count hits and misses, write lookups do not', () => {
    run('SET', 'a', '1');
    run('GET', 'a');
    run('GET', 'x');
    run('MGET', 'a', 'x', 'y');
    run('STRLEN', 'a');
    run('GETRANGE', 'x', '0', '1');
    assert.deepEqual(server.stats, { keyspaceHits: 3, keyspaceMisses: 4 });
    run('INCR', 'a');
    run('APPEND', 'a', 'x');
    run('SETRANGE', 'a', '0', 'x');
    run('SETNX', 'a', 'x');
    assert.deepEqual(server.stats, { keyspaceHits: 3, keyspaceMisses: 4 });
    run('SET', 'a', 'v', 'GET');
    run('LCS', 'a', 'x');
    assert.deepEqual(server.stats, { keyspaceHits: 5, keyspaceMisses: 5 });
  });
});

describe('string handlers: encodings and types', () => {
  it('stores encodings as Redis would', () => {
    const enc = (k: string) => db.dict.get(k)!.enc;
    run('SET', 'i', '-123');
    run('SET', 'e', 'x'.repeat(44));
    run('SET', 'r', 'x'.repeat(45));
    run('APPEND', 'ai', '12');
    run('APPEND', 'ar', 'ab');
    run('APPEND', 'ar', 'c');
    run('SETRANGE', 'sr', '0', '1');
    run('INCRBYFLOAT', 'f', '2');
    run('INCR', 'n');
    assert.deepEqual(['i', 'e', 'r', 'ai', 'ar', 'sr', 'f', 'n'].map(enc), ['int', 'embstr', 'raw', 'int', 'raw', 'raw', 'embstr', 'int']);
  });

  it('picks the encoding exactly like keyspace.stringEncoding', () => {
    const samples = ['', '0', '-0', '00', '1', '-1', '+1', ' 1', '1 ', '01', '-', 'a', '12a', '1.5',
      '9223372036854775807', '9223372036854775808', '-9223372036854775808', '-9223372036854775809',
      '999999999999999999', '1000000000000000000', '9999999999999999999', '-9999999999999999999',
      '12345678901234567890', '-1234567890123456789', 'x'.repeat(44), 'x'.repeat(45), '1'.repeat(45), '\x00', '1\x00'];
    for (let d = 1; d <= 21; d++) samples.push('7'.repeat(d), '-' + '7'.repeat(d), '9'.repeat(d), '-' + '9'.repeat(d));
    for (const v of samples) assert.equal(encodingOf(v), stringEncoding(v), JSON.stringify(v));
  });

  it('answers WRONGTYPE after its own argument checks', () => {
    db.set('w', new RObj('list', [], 'listpack', 0));
    const WT = '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n';
    for (const argv of [['GET', 'w'], ['SET', 'w', 'v', 'GET'], ['GETSET', 'w', 'v'], ['GETDEL', 'w'], ['GETEX', 'w', 'EX', '0'],
      ['APPEND', 'w', 'x'], ['STRLEN', 'w'], ['INCR', 'w'], ['INCRBYFLOAT', 'w', 'x'], ['GETRANGE', 'w', '0', '1'],
      ['SETRANGE', 'w', '0', ''], ['SUBSTR', 'w', '0', '1']]) {
      assert.equal(run(...argv).out, WT, argv.join(' '));
    }
    assert.equal(run('DECRBY', 'w', 'x').out, '-ERR value is not an integer or out of range\r\n');
    assert.equal(run('SETRANGE', 'w', '-1', '').out, '-ERR offset is out of range\r\n');
    assert.equal(run('GETEX', 'w', 'BOGUS').out, '-ERR syntax error\r\n');
    assert.equal(run('MGET', 'w', 'x').out, '*2\r\n$-1\r\n$-1\r\n');
    assert.equal(run('LCS', 'x', 'w').out, '-ERR The specified keys must contain string values\r\n');
    assert.equal(run('SETNX', 'w', 'v').out, ':0\r\n');
    assert.equal(run('SET', 'w', 'v', 'XX').out, '+OK\r\n');
    assert.equal(db.dict.get('w')!.type, 'string');
  });

  it('refuses strings beyond proto-max-bulk-len before building them', () => {
    assert.equal(run('SETRANGE', 'k', String(1024 * 1024), 'x').out, '-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n');
    assert.equal(db.dict.has('k'), false);
    assert.equal(run('SETRANGE', 'k', String(1024 * 1024 - 1), 'x').out, `:${1024 * 1024}\r\n`);
    assert.equal(run('APPEND', 'k', 'x').out, '-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n');
  });

  it('refuses, with the same error, lengths V8 cannot hold even when the limit is raised', () => {
    server.config.lookup = (n: string) => (n === 'proto-max-bulk-len' ? { value: 4 * 1024 * 1024 * 1024 } : undefined);
    // buffer.constants.MAX_STRING_LENGTH is 2^29-24 on 64-bit Node 20
    assert.equal(run('SETRANGE', 'k', String(2 ** 29 - 24), 'x').out, '-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n');
    assert.equal(run('SETRANGE', 'k', '9223372036854775807', 'x').out, '-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n');
    assert.equal(db.dict.has('k'), false);
  });
});
