/*
 * Scale-out with Debian's nutcracker (twemproxy 0.5): one proxy shards keys over three Redoubt
 * primaries with `distribution: ketama`, `hash: fnv1a_64`, `redis: true` (the setup documented in
 * docs/replication.md). Keys written through the proxy land on every backend, each key on exactly
 * one; GET and MGET across shards read them back; MSET and multi-key DEL are split by the proxy.
 * A second pool checks `redis_auth`: the proxy authenticates to password-protected backends and
 * asks its own clients for the same password.
 */

import { describe, it, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { freePort, startRedoubt, startProcess, waitForPort, type RunningServer } from '../support/servers';
import { RawConn } from '../support/dataset';
import type { RespValue } from '../support/resp';
import { callPlain } from '../support/poll';

const NUTCRACKER_BIN = '/usr/sbin/nutcracker';
const haveNutcracker = (() => {
  try {
    execFileSync(NUTCRACKER_BIN, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const call = callPlain;

/** Writes a pool config, starts nutcracker on a free port with its own stats port, waits for it. */
async function startProxy(dir: string, name: string, backends: number[], extra: string[] = []): Promise<RunningServer> {
  const port = await freePort();
  const statsPort = await freePort();
  const conf = path.join(dir, `${name}.yml`);
  fs.writeFileSync(conf, [
    `${name}:`,
    `  listen: 127.0.0.1:${port}`,
    '  hash: fnv1a_64',
    '  distribution: ketama',
    '  redis: true',
    '  auto_eject_hosts: false',
    '  timeout: 5000',
    ...extra.map((l) => `  ${l}`),
    '  servers:',
    ...backends.map((p, i) => `   - 127.0.0.1:${p}:1 shard${i}`),
  ].join('\n') + '\n');
  execFileSync(NUTCRACKER_BIN, ['-t', '-c', conf], { stdio: 'ignore' }); // throws on a bad config
  return startProcess(NUTCRACKER_BIN, ['-c', conf, '-s', String(statsPort), '-a', '127.0.0.1', '-p', path.join(dir, `${name}.pid`), '-o', path.join(dir, `${name}.log`)], port);
}

describe('nutcracker shards keys over Redoubt primaries', { skip: haveNutcracker ? false : 'nutcracker is not installed' }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'redoubt-nutcracker-'));
  let backends: RunningServer[] = [];
  let proxy: RunningServer;
  const N = 300;

  before(async () => {
    backends = await Promise.all([0, 1, 2].map(() => startRedoubt(['--save', ''])));
    proxy = await startProxy(dir, 'redoubt', backends.map((b) => b.port));
  });
  after(async () => {
    await proxy?.stop();
    await Promise.all(backends.map((b) => b.stop()));
  });

  it('SET through the proxy spreads the keys, each on exactly one backend', async () => {
    const c = await RawConn.open(proxy.port);
    try {
      const replies = await c.pipeline(Array.from({ length: N }, (_, i) => ['SET', `key:${i}`, `value-${i}`]));
      assert.ok(replies.every((r) => r.t === '+' && r.v === 'OK'), JSON.stringify(replies.find((r) => r.t !== '+')));
    } finally {
      c.close();
    }
    const sizes = await Promise.all(backends.map((b) => call(b.port, 'DBSIZE')));
    assert.ok(sizes.every((n) => n > 0), `every backend holds keys: ${sizes}`);
    assert.equal(sizes.reduce((a, b) => a + b, 0), N);
    for (const i of [0, 7, 123, N - 1]) {
      const where = await Promise.all(backends.map((b) => call(b.port, 'EXISTS', `key:${i}`)));
      assert.equal(where.reduce((a, b) => a + b, 0), 1, `key:${i} on exactly one backend`);
    }
  });

  it('GET and MGET across shards read the values back', async () => {
    for (const i of [0, 1, 2, 150, N - 1]) assert.equal(await call(proxy.port, 'GET', `key:${i}`), `value-${i}`);
    const keys = Array.from({ length: 50 }, (_, i) => `key:${i * 6}`);
    assert.deepEqual(await call(proxy.port, 'MGET', ...keys, 'missing:key'), [...keys.map((k) => `value-${k.slice(4)}`), null]);
  });

  it('other commands are routed by key; multi-key DEL is split and summed', async () => {
    assert.equal(await call(proxy.port, 'MSET', 'm:1', 'a', 'm:2', 'b', 'm:3', 'c', 'm:4', 'd'), 'OK');
    assert.deepEqual(await call(proxy.port, 'MGET', 'm:1', 'm:2', 'm:3', 'm:4'), ['a', 'b', 'c', 'd']);
    assert.equal(await call(proxy.port, 'INCR', 'counter'), 1);
    assert.equal(await call(proxy.port, 'INCRBY', 'counter', '41'), 42);
    assert.equal(await call(proxy.port, 'HSET', 'h', 'f1', 'a', 'f2', 'b'), 2);
    assert.deepEqual(await call(proxy.port, 'HMGET', 'h', 'f1', 'f2'), ['a', 'b']);
    assert.equal(await call(proxy.port, 'RPUSH', 'l', 'x', 'y', 'z'), 3);
    assert.deepEqual(await call(proxy.port, 'LRANGE', 'l', '0', '-1'), ['x', 'y', 'z']);
    assert.equal(await call(proxy.port, 'EXPIRE', 'key:5', '100'), 1);
    assert.ok((await call(proxy.port, 'TTL', 'key:5')) > 90);
    assert.equal(await call(proxy.port, 'DEL', 'key:0', 'key:1', 'key:2', 'key:3', 'missing:key'), 4);
    const sizes = await Promise.all(backends.map((b) => call(b.port, 'DBSIZE')));
    assert.equal(sizes.reduce((a, b) => a + b, 0), N - 4 + 3 + 4);
    // commands without a key to route by are refused by the proxy itself, not passed on
    const c = await RawConn.open(proxy.port);
    try {
      const r = await Promise.race([c.call('KEYS', '*'), new Promise<RespValue>((resolve) => setTimeout(() => resolve({ t: '-', v: 'closed' }), 5000))]);
      assert.equal(r.t, '-');
    } finally {
      c.close();
    }
  });
});

describe('nutcracker with redis_auth in front of password-protected Redoubt primaries', { skip: haveNutcracker ? false : 'nutcracker is not installed' }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'redoubt-nutcracker-auth-'));
  let backends: RunningServer[] = [];
  let proxy: RunningServer;

  before(async () => {
    backends = await Promise.all([0, 1].map(() => startRedoubt(['--save', '', '--requirepass', 'proxy-secret-1'])));
    proxy = await startProxy(dir, 'secured', backends.map((b) => b.port), ['redis_auth: proxy-secret-1']);
    await waitForPort(proxy.port);
  });
  after(async () => {
    await proxy?.stop();
    await Promise.all(backends.map((b) => b.stop()));
  });

  it('the proxy authenticates to the backends and requires AUTH from its clients', async () => {
    const c = await RawConn.open(proxy.port);
    try {
      const denied = await c.call('SET', 'k', 'v');
      assert.equal(denied.t, '-');
      assert.deepEqual(await c.call('AUTH', 'proxy-secret-1'), { t: '+', v: 'OK' });
      const replies = await c.pipeline(Array.from({ length: 100 }, (_, i) => ['SET', `key:${i}`, String(i)]));
      assert.ok(replies.every((r) => r.t === '+'), JSON.stringify(replies.find((r) => r.t !== '+')));
      assert.deepEqual(await c.call('GET', 'key:42'), { t: '$', v: '42' });
    } finally {
      c.close();
    }
    const sizes = await Promise.all(backends.map(async (b) => {
      const c2 = await RawConn.open(b.port);
      try {
        await c2.call('AUTH', 'proxy-secret-1');
        return Number((await c2.call('DBSIZE')).v);
      } finally {
        c2.close();
      }
    }));
    assert.ok(sizes.every((n) => n > 0), `every backend holds keys: ${sizes}`);
    assert.equal(sizes[0] + sizes[1], 100);
  });
});
