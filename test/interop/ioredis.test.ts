/*
 * ioredis against a started Redoubt: the client's own handshake (ready check with INFO, SELECT,
 * CLIENT SETNAME), plain commands, 1000-command pipelines, binary Buffers with every byte value,
 * and error replies surfacing as ReplyError with Redis's text.
 */

import { describe, it, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import Redis from 'ioredis';
import { startRedoubt, type RunningServer } from '../support/servers';

const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

describe('interop: ioredis', () => {
  let server: RunningServer;
  let redis: Redis;
  before(async () => {
    server = await startRedoubt();
    redis = new Redis({ port: server.port, host: '127.0.0.1', maxRetriesPerRequest: 1, connectionName: 'ioredis-interop', db: 0 });
    await redis.ping();
  });
  after(async () => {
    redis?.disconnect();
    await server?.stop();
  });

  it('connects through its ready check and answers PING', async () => {
    assert.equal(redis.status, 'ready');
    assert.equal(await redis.ping(), 'PONG');
    assert.equal(await redis.ping('hello'), 'hello');
    assert.equal(await redis.client('GETNAME'), 'ioredis-interop');
  });

  it('SET / GET / DEL / EXISTS / INCR', async () => {
    assert.equal(await redis.set('io:k', 'v'), 'OK');
    assert.equal(await redis.get('io:k'), 'v');
    assert.equal(await redis.get('io:missing'), null);
    assert.equal(await redis.exists('io:k', 'io:missing'), 1);
    assert.equal(await redis.incr('io:n'), 1);
    assert.equal(await redis.incrby('io:n', 41), 42);
    assert.equal(await redis.del('io:k', 'io:n', 'io:missing'), 2);
  });

  it('SET options and expiry', async () => {
    assert.equal(await redis.set('io:ex', 'v', 'EX', 100), 'OK');
    const ttl = await redis.ttl('io:ex');
    assert.ok(ttl > 95 && ttl <= 100, String(ttl));
    assert.equal(await redis.set('io:ex', 'w', 'NX'), null);
    assert.equal(await redis.set('io:ex', 'w', 'XX', 'GET'), 'v');
    assert.equal(await redis.ttl('io:ex'), -1);
  });

  it('a pipeline of 1000 commands returns 1000 results in order', async () => {
    const p = redis.pipeline();
    for (let i = 0; i < 1000; i++) p.set(`io:p:${i}`, String(i * 2));
    const sets = await p.exec();
    assert.equal(sets!.length, 1000);
    for (const [err, res] of sets!) assert.deepEqual([err, res], [null, 'OK']);
    const g = redis.pipeline();
    for (let i = 0; i < 1000; i++) g.get(`io:p:${i}`);
    const gets = await g.exec();
    assert.deepEqual(gets!.map(([, v]) => v), Array.from({ length: 1000 }, (_, i) => String(i * 2)));
  });

  it('MSET / MGET across many keys', async () => {
    const kv: string[] = [];
    for (let i = 0; i < 100; i++) kv.push(`io:m:${i}`, `v${i}`);
    assert.equal(await redis.mset(...kv), 'OK');
    const vals = await redis.mget(...Array.from({ length: 101 }, (_, i) => `io:m:${i}`));
    assert.deepEqual(vals, [...Array.from({ length: 100 }, (_, i) => `v${i}`), null]);
  });

  it('binary values and keys with all 256 byte values round-trip as Buffers', async () => {
    assert.equal(await redis.set('io:bin', ALL_BYTES), 'OK');
    assert.deepEqual(await redis.getBuffer('io:bin'), ALL_BYTES);
    assert.equal(await redis.strlen('io:bin'), 256);
    const key = Buffer.concat([Buffer.from('io:'), ALL_BYTES]);
    assert.equal(await redis.set(key, Buffer.from(ALL_BYTES).reverse()), 'OK');
    assert.deepEqual(await redis.getBuffer(key), Buffer.from(ALL_BYTES).reverse());
    assert.equal(await redis.append('io:bin', Buffer.from([0, 255, 13, 10])), 260);
    assert.deepEqual(await redis.getrangeBuffer('io:bin', 250, -1), Buffer.from([250, 251, 252, 253, 254, 255, 0, 255, 13, 10]));
  });

  it('large binary values (1 MB) round-trip', async () => {
    const big = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31 + 7) & 0xff;
    await redis.set('io:big', big);
    assert.deepEqual(await redis.getBuffer('io:big'), big);
  });

  it('error replies reject with the server text and the connection stays usable', async () => {
    await assert.rejects(redis.call('NOSUCHCMD', 'a'), (e: Error) => {
      assert.equal(e.name, 'ReplyError');
      assert.equal(e.message, "ERR unknown command 'NOSUCHCMD', with args beginning with: 'a' ");
      return true;
    });
    await redis.set('io:s', 'abc');
    await assert.rejects(redis.incr('io:s'), /^ReplyError: ERR value is not an integer or out of range$/);
    await assert.rejects(redis.call('GET'), /ERR wrong number of arguments for 'get' command/);
    const p = await redis.pipeline().set('io:e', '1').incr('io:s').get('io:e').exec();
    assert.equal(p![0][1], 'OK');
    assert.match(String(p![1][0]), /ERR value is not an integer or out of range/);
    assert.equal(p![2][1], '1');
    assert.equal(await redis.ping(), 'PONG');
  });

  it('SELECT through the db option isolates keyspaces', async () => {
    const other = new Redis({ port: server.port, host: '127.0.0.1', db: 3, maxRetriesPerRequest: 1 });
    try {
      await other.set('io:db', 'three');
      assert.equal(await other.get('io:db'), 'three');
      assert.equal(await redis.get('io:db'), null);
    } finally {
      other.disconnect();
    }
  });

  it('SCAN stream visits every key', async () => {
    const want = new Set<string>();
    for (let i = 0; i < 300; i++) want.add(`io:scan:${i}`);
    await redis.mset(...[...want].flatMap((k) => [k, '1']));
    const seen = new Set<string>();
    await new Promise<void>((resolve, reject) => {
      const stream = redis.scanStream({ match: 'io:scan:*', count: 50 });
      stream.on('data', (keys: string[]) => keys.forEach((k) => seen.add(k)));
      stream.on('end', resolve);
      stream.on('error', reject);
    });
    assert.deepEqual([...seen].sort(), [...want].sort());
  });
});
