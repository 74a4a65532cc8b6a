/*
 * A subscriber that never reads must not make the server buffer messages without bound: the
 * `pubsub` class of client-output-buffer-limit disconnects it, in RESP2 and RESP3, as redis-server
 * does (both servers run the same scenario). A connection is in that class exactly while it has
 * subscriptions: once it unsubscribes from everything it is a normal client again (flags=N), and
 * the normal class (unlimited here) applies. Also: a subscriber whose channel permission is
 * revoked while it runs a command itself is closed without crashing (redis-server 7.0.15 crashes
 * in that case, so only Redoubt is exercised).
 */

import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { bothServers } from '../support/servers';
import { Client } from '../interop/rawclient';
import { encodeCommand } from '../support/resp';

const LIMIT_ARGS = ['--client-output-buffer-limit', 'pubsub', '256kb', '128kb', '60'];

/**
 * Subscribes on a socket that then stops reading (a paused socket does not see the close either:
 * `resume` lets it). `closed` resolves when the server closed it (or false after 15 s).
 */
function slowSubscriber(port: number, resp: 2 | 3, channel: string): { subscribed: Promise<void>; closed: Promise<boolean>; resume: () => void } {
  let sock!: net.Socket;
  let onSub!: () => void;
  const subscribed = new Promise<void>((r) => (onSub = r));
  const closed = new Promise<boolean>((resolve) => {
    const s = (sock = net.connect(port, '127.0.0.1', () => {
      if (resp === 3) s.write(encodeCommand(['HELLO', '3']));
      s.write(encodeCommand(['SUBSCRIBE', channel]));
    }));
    let seen = '';
    const onData = (d: Buffer) => {
      seen += d.toString('latin1');
      if (seen.includes('subscribe')) {
        s.off('data', onData);
        s.pause();
        onSub();
      }
    };
    s.on('data', onData);
    const done = setTimeout(() => { s.destroy(); resolve(false); }, 15000);
    s.on('error', () => {});
    s.on('close', () => { clearTimeout(done); resolve(true); });
  });
  return { subscribed, closed, resume: () => sock.resume() };
}

describe('slow subscriber', () => {
  const servers = bothServers(LIMIT_ARGS, LIMIT_ARGS);

  for (const which of ['redis', 'redoubt'] as const) {
    for (const resp of [2, 3] as const) {
      it(`${which}: a subscriber that never reads is disconnected at the pubsub limit (RESP${resp})`, async () => {
        const port = (which === 'redis' ? servers.redis : servers.redoubt).port;
        const sub = slowSubscriber(port, resp, `slow${resp}`);
        await sub.subscribed;
        const pub = await Client.open(port);
        const payload = 'x'.repeat(64 * 1024);
        const subscribers = async () => ((await pub.call('PUBSUB', 'NUMSUB', `slow${resp}`))?.v as { v: unknown }[])[1].v;
        // 64 MB at most; the limit is 256 KB (the kernel's socket buffers absorb a few MB first)
        let sent = 0;
        while (sent < 1024 && (sent % 16 !== 0 || (await subscribers()) === '1')) {
          await pub.call('PUBLISH', `slow${resp}`, payload);
          sent++;
        }
        assert.equal(await subscribers(), '0', 'the server dropped the subscriber');
        assert.ok(sent < 1024, `disconnected after ${sent} messages`);
        sub.resume();
        assert.equal(await sub.closed, true);
        assert.equal((await pub.call('PING'))?.v, 'PONG');
        pub.close();
      });
    }

    it(`${which}: the pubsub class applies only while subscribed`, async () => {
      const port = (which === 'redis' ? servers.redis : servers.redoubt).port;
      const c = await Client.open(port);
      await c.call('CLIENT', 'SETNAME', 'me');
      await c.call('SUBSCRIBE', 'a');
      await c.call('PSUBSCRIBE', 'b*');
      await c.call('SSUBSCRIBE', 'c');
      const other = await Client.open(port);
      const line = async () => String((await other.call('CLIENT', 'LIST'))?.v).split('\n').find((l) => l.includes('name=me ')) ?? '';
      assert.match(await line(), / flags=P .* sub=1 psub=1 ssub=1 /);
      await c.call('UNSUBSCRIBE');
      await c.call('PUNSUBSCRIBE');
      assert.match(await line(), / flags=P .* sub=0 psub=0 ssub=1 /);
      await c.call('SUNSUBSCRIBE');
      assert.match(await line(), / flags=N .* sub=0 psub=0 ssub=0 /);
      assert.equal((await c.call('PING'))?.v, 'PONG');
      c.close();
      other.close();
    });
  }

  it('redoubt: revoking the channel of a subscriber that runs ACL SETUSER itself closes it', async () => {
    const port = servers.redoubt.port;
    const admin = await Client.open(port);
    assert.equal((await admin.call('ACL', 'SETUSER', 'rev', 'on', 'nopass', '+@all', '~*', '&x'))?.v, 'OK');
    const c = await Client.open(port);
    await c.call('HELLO', '3', 'AUTH', 'rev', 'p');
    await c.call('SUBSCRIBE', 'x');
    c.send('ACL', 'SETUSER', 'rev', 'resetchannels');
    assert.equal(await c.read(3000), null);
    assert.equal(c.closed, true);
    const numsub = (await admin.call('PUBSUB', 'NUMSUB', 'x'))?.v as { v: unknown }[];
    assert.deepEqual(numsub.map((x) => x.v), ['x', '0']);
    assert.equal((await admin.call('ACL', 'DELUSER', 'rev'))?.v, '1');
    admin.close();
  });
});
