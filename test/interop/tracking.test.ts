/*
 * Client-side caching with real clients against a started Redoubt:
 *  - node-redis's own client-side cache (RESP3, `clientSideCache`): it turns tracking on in its
 *    handshake, serves repeated reads from memory, and drops entries when Redoubt pushes an
 *    invalidation (another client's write, FLUSHALL);
 *  - ioredis in RESP2: the redirect form — one connection subscribed to __redis__:invalidate
 *    receives the invalidations of another connection's reads, as pub/sub messages; BCAST too.
 */

import { describe, it, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { createClient, BasicClientSideCache } from 'redis';
import Redis from 'ioredis';
import { startRedoubt, type RunningServer } from '../support/servers';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond() && Date.now() < deadline) await sleep(5);
}

describe('interop: client-side caching', () => {
  let server: RunningServer;
  before(async () => {
    server = await startRedoubt();
  });
  after(async () => {
    await server?.stop();
  });

  it('node-redis clientSideCache serves hits and drops invalidated keys', async () => {
    const cache = new BasicClientSideCache({ ttl: 0, maxEntries: 0 });
    const cached = createClient({ socket: { host: '127.0.0.1', port: server.port, reconnectStrategy: false }, RESP: 3, clientSideCache: cache });
    const writer = createClient({ socket: { host: '127.0.0.1', port: server.port, reconnectStrategy: false } });
    cached.on('error', () => {});
    writer.on('error', () => {});
    await cached.connect();
    await writer.connect();
    try {
      await writer.set('csc:k', 'v1');
      assert.equal(await cached.get('csc:k'), 'v1');
      assert.equal(await cached.get('csc:k'), 'v1');
      assert.equal(cache.stats().missCount, 1);
      assert.equal(cache.stats().hitCount, 1);
      assert.equal(cache.size(), 1);
      // Redoubt remembered the read: the connection is tracking and the key is in the table
      const info = await writer.info('stats');
      assert.match(info, /tracking_total_keys:1\r\n/);

      await writer.set('csc:k', 'v2');
      await until(() => cache.size() === 0);
      assert.equal(cache.size(), 0, 'the invalidation push emptied the cache entry');
      assert.equal(await cached.get('csc:k'), 'v2');
      assert.equal(cache.stats().missCount, 2);

      // the client's own write invalidates too (no NOLOOP)
      assert.equal(await cached.get('csc:k'), 'v2');
      await cached.set('csc:k', 'v3');
      await until(() => cache.size() === 0);
      assert.equal(await cached.get('csc:k'), 'v3');

      // FLUSHALL: a null invalidation clears everything
      await cached.get('csc:other');
      assert.ok(cache.size() >= 1);
      await writer.flushAll();
      await until(() => cache.size() === 0);
      assert.equal(cache.size(), 0);
      assert.equal(await cached.get('csc:k'), null);
    } finally {
      cached.destroy();
      writer.destroy();
    }
  });

  it('ioredis (RESP2) receives redirected invalidations on __redis__:invalidate', async () => {
    const sub = new Redis({ port: server.port, host: '127.0.0.1', maxRetriesPerRequest: 1, protocol: 2 });
    const reader = new Redis({ port: server.port, host: '127.0.0.1', maxRetriesPerRequest: 1, protocol: 2 });
    const writer = new Redis({ port: server.port, host: '127.0.0.1', maxRetriesPerRequest: 1, protocol: 2 });
    try {
      const subId = Number(await sub.client('ID'));
      const got: unknown[] = [];
      sub.on('messageBuffer', (channel: Buffer, message: unknown) => got.push([channel.toString(), message]));
      await sub.subscribe('__redis__:invalidate');
      assert.equal(await reader.call('CLIENT', 'TRACKING', 'on', 'REDIRECT', String(subId)), 'OK');
      assert.equal(await reader.call('CLIENT', 'GETREDIR'), subId);

      await reader.get('io:k');
      await writer.set('io:k', '1');
      await until(() => got.length === 1);
      assert.equal(got.length, 1);
      const [channel, keys] = got[0] as [string, Buffer[]];
      assert.equal(channel, '__redis__:invalidate');
      assert.deepEqual(keys.map((k) => k.toString()), ['io:k']);

      // a second write without a new read sends nothing: the key left the table
      await writer.set('io:k', '2');
      await sleep(50);
      assert.equal(got.length, 1);

      // BCAST: every key under the prefix, batched per event-loop turn
      await reader.call('CLIENT', 'TRACKING', 'off');
      await reader.call('CLIENT', 'TRACKING', 'on', 'REDIRECT', String(subId), 'BCAST', 'PREFIX', 'io:');
      await writer.mset('io:a', '1', 'io:b', '2', 'other', '3');
      await until(() => got.length === 2);
      assert.deepEqual((got[1] as [string, Buffer[]])[1].map((k) => k.toString()), ['io:a', 'io:b']);

      // the redirect target goes away: the reader (RESP2) gets no push, only the R flag
      sub.disconnect();
      await sleep(50);
      await writer.set('io:c', '1');
      await sleep(50);
      const line = String(await reader.client('INFO'));
      assert.match(line, / flags=tRB /);
      assert.match(line, new RegExp(` redir=${subId} `));
    } finally {
      sub.disconnect();
      reader.disconnect();
      writer.disconnect();
    }
  });
  it('overlapping BCAST prefixes get one error reply and leave tracking off (Redis also answers +OK)', async () => {
    const c = new Redis({ port: server.port, host: '127.0.0.1', maxRetriesPerRequest: 1, protocol: 2 });
    try {
      await assert.rejects(
        c.call('CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'b', 'PREFIX', 'c', 'PREFIX', 'cd'),
        /Prefix 'c' overlaps with another provided prefix 'cd'|Prefix 'cd' overlaps with another provided prefix 'c'/,
      );
      // the next reply belongs to the next command: no stray +OK was sent
      assert.equal(await c.ping(), 'PONG');
      assert.equal(await c.call('CLIENT', 'GETREDIR'), -1);
    } finally {
      c.disconnect();
    }
  });
});
