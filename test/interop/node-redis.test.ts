/*
 * node-redis (the `redis` package) against a started Redoubt, in RESP2 and in RESP3 (its default:
 * HELLO 3 in the handshake, then CLIENT SETINFO, which Redis 7.0 refuses and the client ignores).
 * Plain commands, automatic pipelining of 1000 commands, execAsPipeline, binary Buffers with every
 * byte value, RESP3-typed replies (maps, doubles, nulls) and error replies as ErrorReply.
 */

import { describe, it, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { createClient, RESP_TYPES, ErrorReply } from 'redis';
import { startRedoubt, type RunningServer } from '../support/servers';

const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

for (const RESP of [2, 3] as const) {
  describe(`interop: node-redis RESP${RESP}`, () => {
    let server: RunningServer;
    let client: ReturnType<typeof createClient>;
    before(async () => {
      server = await startRedoubt();
      client = createClient({ socket: { host: '127.0.0.1', port: server.port, reconnectStrategy: false }, RESP, name: `node-redis-${RESP}` });
      client.on('error', () => {});
      await client.connect();
    });
    after(async () => {
      if (client?.isOpen) client.destroy();
      await server?.stop();
    });

    it('connects with its handshake and answers PING', async () => {
      assert.equal(await client.ping(), 'PONG');
      assert.equal(await client.sendCommand(['CLIENT', 'GETNAME']), `node-redis-${RESP}`);
      const hello = (await client.sendCommand(['HELLO', String(RESP)])) as unknown;
      // RESP3 maps arrive as objects (Map-like), RESP2 as flat arrays; both carry proto.
      const flat = Array.isArray(hello) ? hello : Object.entries(hello as object).flat();
      assert.equal(flat[flat.indexOf('proto') + 1], RESP);
    });

    it('SET / GET / INCR / DEL with typed replies', async () => {
      assert.equal(await client.set('nr:k', 'v'), 'OK');
      assert.equal(await client.get('nr:k'), 'v');
      assert.equal(await client.get('nr:missing'), null);
      assert.equal(await client.incr('nr:n'), 1);
      assert.equal(await client.incrByFloat('nr:f', 1.5), '1.5');
      assert.equal(await client.del(['nr:k', 'nr:n', 'nr:f', 'nr:missing']), 3);
      assert.equal(await client.set('nr:k', 'v', { condition: 'NX' }), 'OK');
      assert.equal(await client.set('nr:k', 'w', { condition: 'NX' }), null);
    });

    it('1000 commands issued together are pipelined and answered in order', async () => {
      const sets = await Promise.all(Array.from({ length: 1000 }, (_, i) => client.set(`nr:p:${i}`, String(i))));
      assert.ok(sets.every((r) => r === 'OK'));
      const gets = await Promise.all(Array.from({ length: 1000 }, (_, i) => client.get(`nr:p:${i}`)));
      assert.deepEqual(gets, Array.from({ length: 1000 }, (_, i) => String(i)));
    });

    it('execAsPipeline runs a batch without MULTI', async () => {
      const batch = client.multi();
      for (let i = 0; i < 1000; i++) batch.incr('nr:counter');
      const res = await batch.execAsPipeline();
      assert.equal(res.length, 1000);
      assert.equal(res[999], 1000);
    });

    it('binary Buffers with all 256 byte values round-trip', async () => {
      const bin = client.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
      const key = Buffer.concat([Buffer.from('nr:'), ALL_BYTES]);
      assert.equal(await client.set(key, ALL_BYTES), 'OK');
      assert.deepEqual(await bin.get(key), ALL_BYTES);
      assert.deepEqual(await bin.mGet([key, 'nr:nothing']), [ALL_BYTES, null]);
      assert.equal(await client.strLen(key), 256);
    });

    it('RESP-version-specific replies: CONFIG GET, TTL, EXISTS', async () => {
      const cfg = (await client.configGet('maxmemory-policy')) as Record<string, string>;
      assert.deepEqual({ ...cfg }, { 'maxmemory-policy': 'noeviction' });
      await client.set('nr:t', 'v', { expiration: { type: 'EX', value: 50 } });
      const ttl = await client.ttl('nr:t');
      assert.ok(ttl > 45 && ttl <= 50);
      assert.equal(await client.exists(['nr:t', 'nr:t']), 2);
      const raw = await client.sendCommand(['INCRBYFLOAT', 'nr:fl', '0.25']);
      assert.equal(raw, '0.25');
    });

    it('errors reject as ErrorReply with the server text', async () => {
      await assert.rejects(client.sendCommand(['NOSUCHCMD', 'x']), (e: Error) => {
        assert.ok(e instanceof ErrorReply, e.constructor.name);
        assert.equal(e.message, "ERR unknown command 'NOSUCHCMD', with args beginning with: 'x' ");
        return true;
      });
      await client.set('nr:s', 'abc');
      await assert.rejects(client.incr('nr:s'), /ERR value is not an integer or out of range/);
      await assert.rejects(client.sendCommand(['GET']), /ERR wrong number of arguments for 'get' command/);
      assert.equal(await client.ping(), 'PONG');
    });
  });
}
