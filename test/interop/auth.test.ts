/*
 * Real clients authenticating with a username and password against a Redoubt that requires it:
 * ioredis (AUTH user pass on connect), node-redis in RESP2 (AUTH) and RESP3 (HELLO 3 AUTH),
 * and redis-cli --user/--pass. Each client then meets the user's key patterns (NOPERM surfaces as
 * the client's error type with Redis's text) and a wrong password (WRONGPASS on connect).
 */

import { describe, it, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import Redis from 'ioredis';
import { createClient } from 'redis';
import { startRedoubt, type RunningServer } from '../support/servers';
import { Client } from './rawclient';

const ADMIN_PASS = 'interop-admin-secret';
const KEY_DENIED = 'NOPERM this user has no permissions to access one of the keys used as arguments';

describe('interop: authentication with usernames', () => {
  let server: RunningServer;
  before(async () => {
    server = await startRedoubt(['--requirepass', ADMIN_PASS]);
    const admin = await Client.open(server.port);
    assert.deepEqual(await admin.call('AUTH', ADMIN_PASS), { t: '+', v: 'OK' });
    assert.deepEqual(await admin.call('ACL', 'SETUSER', 'app', 'on', '>app-pass', '+@all', '-@dangerous', '~app:*'), { t: '+', v: 'OK' });
    admin.close();
  });
  after(async () => {
    await server?.stop();
  });

  it('ioredis connects with username and password and meets the key patterns', async () => {
    const r = new Redis({ port: server.port, host: '127.0.0.1', username: 'app', password: 'app-pass', maxRetriesPerRequest: 1 });
    try {
      assert.equal(await r.set('app:io', 'v'), 'OK');
      assert.equal(await r.get('app:io'), 'v');
      await assert.rejects(r.get('other'), (e: Error) => e.message === KEY_DENIED);
      assert.equal(await r.call('ACL', 'WHOAMI'), 'app');
    } finally {
      r.disconnect();
    }
  });

  it('ioredis with a wrong password reports WRONGPASS', async () => {
    const r = new Redis({ port: server.port, host: '127.0.0.1', username: 'app', password: 'nope', maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
    const errors: Error[] = [];
    r.on('error', (e) => errors.push(e));
    try {
      await assert.rejects(r.connect().then(() => r.get('app:x')));
      assert.ok(errors.some((e) => /WRONGPASS invalid username-password pair or user is disabled\./.test(e.message)), errors.map((e) => e.message).join('; '));
    } finally {
      r.disconnect();
    }
  });

  for (const RESP of [2, 3] as const) {
    it(`node-redis (RESP${RESP}) connects with username and password`, async () => {
      const c = createClient({ socket: { host: '127.0.0.1', port: server.port, reconnectStrategy: false }, username: 'app', password: 'app-pass', RESP });
      c.on('error', () => {});
      await c.connect();
      try {
        assert.equal(await c.set('app:nr', String(RESP)), 'OK');
        assert.equal(await c.get('app:nr'), String(RESP));
        await assert.rejects(c.get('other'), (e: Error) => e.message === KEY_DENIED);
        assert.equal(await c.sendCommand(['ACL', 'WHOAMI']), 'app');
      } finally {
        await c.quit().catch(() => {});
      }
    });
  }

  it('node-redis with a wrong password fails to connect with WRONGPASS', async () => {
    const c = createClient({ socket: { host: '127.0.0.1', port: server.port, reconnectStrategy: false }, username: 'app', password: 'nope' });
    c.on('error', () => {});
    await assert.rejects(c.connect(), /WRONGPASS/);
    await c.disconnect().catch(() => {});
  });

  it('redis-cli --user --pass', () => {
    const run = (...args: string[]) => spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(server.port), '--no-auth-warning', ...args], { encoding: 'latin1' });
    assert.equal(run('--user', 'app', '--pass', 'app-pass', 'SET', 'app:cli', 'v').stdout, 'OK\n');
    assert.equal(run('--user', 'app', '--pass', 'app-pass', 'GET', 'app:cli').stdout, 'v\n');
    assert.equal(run('--user', 'app', '--pass', 'app-pass', 'GET', 'other').stdout.trim(), KEY_DENIED);
    assert.equal(run('--user', 'app', '--pass', 'app-pass', 'KEYS', '*').stdout.trim(), "NOPERM this user has no permissions to run the 'keys' command");
    assert.equal(run('-a', ADMIN_PASS, 'GET', 'app:cli').stdout, 'v\n');
    const bad = run('--user', 'app', '--pass', 'nope', 'PING');
    assert.match(bad.stdout + bad.stderr, /WRONGPASS|NOAUTH/);
  });
});
