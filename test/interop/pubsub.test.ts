/*
 * Pub/sub with real clients against a started Redoubt: ioredis subscribers (channel and pattern
 * subscriptions, binary messages, keyspace notifications), and node-redis v6 in RESP2 (dedicated
 * subscriber connection) and RESP3 (push messages on the same connection that runs commands).
 */

import { describe, it, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import Redis from 'ioredis';
import { createClient } from 'redis';
import { startRedoubt, type RunningServer } from '../support/servers';

describe('interop: pub/sub', () => {
  let server: RunningServer;
  before(async () => {
    server = await startRedoubt();
  });
  after(async () => {
    await server?.stop();
  });

  it('ioredis: channel and pattern subscribers receive messages, binary-safe', { timeout: 20000 }, async () => {
    const sub = new Redis({ port: server.port, host: '127.0.0.1', lazyConnect: true });
    const pub = new Redis({ port: server.port, host: '127.0.0.1', lazyConnect: true });
    await sub.connect();
    await pub.connect();
    try {
      assert.equal(await sub.subscribe('io:news', 'io:sport'), 2);
      assert.equal(await sub.psubscribe('io:*'), 3);
      const got: string[] = [];
      sub.on('message', (ch: string, msg: string) => got.push(`message ${ch} ${msg}`));
      sub.on('pmessage', (p: string, ch: string, msg: string) => got.push(`pmessage ${p} ${ch} ${msg}`));
      const bin = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
      const buffers: [Buffer, Buffer][] = [];
      sub.on('messageBuffer', (ch: Buffer, msg: Buffer) => buffers.push([ch, msg]));
      assert.equal(await pub.publish('io:news', 'hello'), 2);
      assert.equal(await pub.publish('io:other', 'x'), 1);
      assert.equal(await pub.publish('elsewhere', 'y'), 0);
      assert.equal(await pub.publish('io:sport', bin), 2);
      await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(buffers.find(([ch]) => ch.toString() === 'io:sport')?.[1], bin);
      assert.deepEqual(got.slice(0, 3), ['message io:news hello', 'pmessage io:* io:news hello', 'pmessage io:* io:other x']);
      assert.deepEqual(await pub.pubsub('NUMSUB', 'io:news'), ['io:news', 1]);
      assert.equal(await pub.pubsub('NUMPAT'), 1);
      // (ioredis never settles the promise of an argument-less UNSUBSCRIBE, with redis-server too)
      assert.equal(await sub.unsubscribe('io:news', 'io:sport'), 1);
      assert.equal(await sub.punsubscribe('io:*'), 0);
      assert.equal(await sub.ping(), 'PONG');
      assert.deepEqual(await pub.pubsub('CHANNELS'), []);
    } finally {
      sub.disconnect();
      pub.disconnect();
    }
  });

  it('ioredis: keyspace notifications', { timeout: 20000 }, async () => {
    const sub = new Redis({ port: server.port, host: '127.0.0.1' });
    const cmd = new Redis({ port: server.port, host: '127.0.0.1' });
    try {
      await cmd.config('SET', 'notify-keyspace-events', 'KEA');
      await sub.psubscribe('__keyevent@0__:*');
      const events: string[] = [];
      sub.on('pmessage', (_p: string, ch: string, key: string) => events.push(`${ch} ${key}`));
      await cmd.set('ks:k', 'v');
      await cmd.pexpire('ks:k', 30);
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(events, ['__keyevent@0__:set ks:k', '__keyevent@0__:expire ks:k', '__keyevent@0__:expired ks:k']);
    } finally {
      await cmd.config('SET', 'notify-keyspace-events', '');
      sub.disconnect();
      cmd.disconnect();
    }
  });

  for (const RESP of [2, 3] as const) {
    it(`node-redis RESP${RESP}: subscribe, pSubscribe, publish, unsubscribe`, { timeout: 20000 }, async () => {
      const client = createClient({ socket: { host: '127.0.0.1', port: server.port, reconnectStrategy: false }, RESP });
      client.on('error', () => {});
      await client.connect();
      const sub = client.duplicate();
      sub.on('error', () => {});
      await sub.connect();
      try {
        const got: string[] = [];
        await sub.subscribe('nr:chan', (msg, ch) => got.push(`${ch} ${msg}`));
        await sub.pSubscribe('nr:p*', (msg, ch) => got.push(`p ${ch} ${msg}`));
        // in RESP3 the subscriber connection still runs ordinary commands
        if (RESP === 3) assert.equal(await sub.set('nr:k', 'v'), 'OK');
        assert.equal(await client.publish('nr:chan', 'one'), 1);
        assert.equal(await client.publish('nr:pat', 'two'), 1);
        assert.deepEqual(await client.pubSubNumSub('nr:chan'), { 'nr:chan': 1 });
        await new Promise((r) => setTimeout(r, 50));
        assert.deepEqual(got, ['nr:chan one', 'p nr:pat two']);
        await sub.unsubscribe('nr:chan');
        await sub.pUnsubscribe('nr:p*');
        assert.equal(await client.publish('nr:chan', 'three'), 0);
        assert.deepEqual(await client.pubSubChannels(), []);
      } finally {
        sub.destroy();
        client.destroy();
      }
    });
  }
});
