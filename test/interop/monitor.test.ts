/*
 * MONITOR, CLIENT KILL and CLIENT PAUSE over raw sockets. Every assertion runs against Redoubt and
 * against redis-server 7.0.15, so the expectations themselves are checked against Redis.
 */

import { describe, it, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { startRedis, startRedoubt, type RunningServer } from '../support/servers';
import { Client } from './rawclient';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const target of ['redoubt', 'redis'] as const) {
  describe(`MONITOR / CLIENT KILL / CLIENT PAUSE (${target})`, () => {
    let server: RunningServer;
    before(async () => {
      server = target === 'redoubt' ? await startRedoubt() : await startRedis();
    });
    after(async () => {
      await server?.stop();
    });

    it('MONITOR shows other clients\' commands, after they run, in Redis\'s format', async () => {
      const mon = await Client.open(server.port);
      const c = await Client.open(server.port);
      try {
        assert.deepEqual(await mon.call('MONITOR'), { t: '+', v: 'OK' });
        await c.call('SELECT', '5');
        await c.call('SET', 'k"\\', 'a b\x01\n');
        await c.call('HELLO', '2', 'AUTH', 'default', 'secret');
        await c.call('CLIENT', 'KILL', 'ID', '999999'); // admin: never shown
        await c.call('CONFIG', 'SET', 'maxclients', '1000'); // admin: never shown
        await c.call('GET'); // rejected before running: not shown
        await c.call('PING');
        const lines: string[] = [];
        for (let i = 0; i < 4; i++) {
          const r = await mon.read();
          assert.ok(r && r.t === '+', `monitor line ${i}: ${JSON.stringify(r)} after ${JSON.stringify(lines)}`);
          lines.push(r.v as string);
        }
        const addr = /\[(\d+) (127\.0\.0\.1:\d+)\]/.exec(lines[0])![2];
        const body = lines.map((l) => {
          assert.match(l, /^\d{10}\.\d{6} \[\d+ 127\.0\.0\.1:\d+\] /);
          return l.replace(/^\d+\.\d+ /, '').replace(addr, 'ADDR');
        });
        assert.deepEqual(body, [
          '[5 ADDR] "SELECT" "5"',
          '[5 ADDR] "SET" "k\\"\\\\" "a b\\x01\\n"',
          '[5 ADDR] "HELLO" "2" "AUTH" "(redacted)" "(redacted)"',
          '[5 ADDR] "PING"',
        ]);
        assert.equal(await mon.read(200), null, 'nothing else is fed');
        // a monitor sees its own commands, and may not touch the keyspace
        assert.deepEqual(await mon.call('GET', 'k'), { t: '-', v: "ERR Replica can't interact with the keyspace" });
        mon.send('ECHO', 'hi');
        // the reply is written first, then the feed line of the command that produced it
        const echoed = await mon.read();
        const own = await mon.read();
        assert.match(own!.v as string, /"ECHO" "hi"$/);
        assert.deepEqual(echoed, { t: '$', v: 'hi' });
        // a second MONITOR is ignored without a reply
        mon.send('MONITOR');
        assert.equal(await mon.read(200), null);
        // RESET ends monitoring
        assert.deepEqual(await mon.call('RESET'), { t: '+', v: 'RESET' });
        await c.call('PING');
        assert.equal(await mon.read(200), null);
      } finally {
        mon.close();
        c.close();
      }
    });

    it('CLIENT KILL closes the named connection, by id and by address', async () => {
      const killer = await Client.open(server.port);
      const v1 = await Client.open(server.port);
      const v2 = await Client.open(server.port);
      try {
        const id1 = (await v1.call('CLIENT', 'ID'))!.v as string;
        assert.deepEqual(await killer.call('CLIENT', 'KILL', 'ID', id1), { t: ':', v: '1' });
        assert.equal(await v1.read(500), null);
        assert.ok(v1.closed, 'victim closed');
        const info = (await v2.call('CLIENT', 'INFO'))!.v as string;
        const addr = /addr=(\S+)/.exec(info)![1];
        assert.deepEqual(await killer.call('CLIENT', 'KILL', addr), { t: '+', v: 'OK' });
        assert.equal(await v2.read(500), null);
        assert.ok(v2.closed);
        assert.deepEqual(await killer.call('CLIENT', 'KILL', addr), { t: '-', v: 'ERR No such client' });
        // SKIPME yes (default) spares the caller
        assert.deepEqual(await killer.call('CLIENT', 'KILL', 'TYPE', 'normal'), { t: ':', v: '0' });
        assert.deepEqual(await killer.call('PING'), { t: '+', v: 'PONG' });
      } finally {
        killer.close();
        v1.close();
        v2.close();
      }
    });

    it('CLIENT PAUSE ALL holds every command until it ends; rejections answer at once', async () => {
      const admin = await Client.open(server.port);
      const c = await Client.open(server.port);
      try {
        assert.deepEqual(await admin.call('CLIENT', 'PAUSE', '400'), { t: '+', v: 'OK' });
        const t0 = Date.now();
        c.send('PING');
        c.send('NOSUCHCMD');
        assert.equal(await c.read(200), null, 'PING is held, NOSUCHCMD waits behind it');
        const pong = await c.read(2000);
        assert.deepEqual(pong, { t: '+', v: 'PONG' });
        assert.ok(Date.now() - t0 >= 300, 'PING waited for the pause');
        assert.equal((await c.read())!.t, '-');
        // a fresh connection's unknown command is answered during a pause
        assert.deepEqual(await admin.call('CLIENT', 'PAUSE', '400'), { t: '+', v: 'OK' });
        const d = await Client.open(server.port);
        assert.equal((await d.call('NOSUCHCMD'))!.t, '-');
        assert.equal((await d.call('GET'))!.t, '-');
        d.close();
        await sleep(450);
      } finally {
        admin.close();
        c.close();
      }
    });

    it('CLIENT PAUSE WRITE holds writes only; UNPAUSE releases them', async () => {
      const admin = await Client.open(server.port);
      const w = await Client.open(server.port);
      const r = await Client.open(server.port);
      try {
        assert.deepEqual(await admin.call('CLIENT', 'PAUSE', '5000', 'WRITE'), { t: '+', v: 'OK' });
        assert.deepEqual(await r.call('GET', 'pk'), { t: '$', v: null });
        w.send('SET', 'pk', '1');
        assert.equal(await w.read(300), null, 'write is held');
        const list = (await admin.call('CLIENT', 'LIST'))!.v as string;
        assert.match(list, /flags=b /, 'the held client shows the blocked flag');
        assert.deepEqual(await admin.call('CLIENT', 'UNPAUSE'), { t: '+', v: 'OK' });
        assert.deepEqual(await w.read(), { t: '+', v: 'OK' });
        assert.deepEqual(await r.call('GET', 'pk'), { t: '$', v: '1' });
      } finally {
        admin.close();
        w.close();
        r.close();
      }
    });
  });
}
