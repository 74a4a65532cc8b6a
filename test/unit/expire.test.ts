/*
 * Active expiry: keys whose TTL has passed disappear without being accessed, both when the cycle is
 * driven directly and inside a running server (its cron); the DEBUG SET-ACTIVE-EXPIRE switch and
 * CLIENT PAUSE stop it; keys without a TTL or with a future TTL are never touched.
 */

import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { Database, RObj } from '../../src/data/keyspace';
import { activeExpireCycle, type ExpireHost } from '../../src/data/expire';
import { startRedoubt } from '../support/servers';
import { encodeCommand, readReply, type RespValue } from '../support/resp';

function host(): ExpireHost & { expiredHook: number } {
  const h = {
    dbs: [] as Database[],
    now: Date.now(),
    config: { get: (n: string) => (n === 'hz' ? 10 : undefined) },
    stats: { expiredKeys: 0, expiredStalePerc: 0, expiredTimeCapReachedCount: 0, expireCycleCpuMs: 0 },
    activeExpireEnabled: true,
    expiredHook: 0,
  };
  const hooks = { onExpired: () => { h.expiredHook++; } };
  for (let i = 0; i < 4; i++) h.dbs.push(new Database(i, hooks));
  return h;
}

function fill(db: Database, prefix: string, n: number, when: number | null): void {
  for (let i = 0; i < n; i++) {
    const k = prefix + i;
    db.set(k, new RObj('string', 'v', 'embstr', 0));
    if (when !== null) db.setExpire(k, when);
  }
}

describe('active expiry cycle', () => {
  it('reclaims expired keys without access, and leaves the others', () => {
    const h = host();
    const past = Date.now() - 1;
    fill(h.dbs[0], 'gone', 5000, past);
    fill(h.dbs[2], 'gone', 300, past);
    fill(h.dbs[0], 'live', 200, Date.now() + 3_600_000);
    fill(h.dbs[0], 'plain', 100, null);
    for (let i = 0; i < 200 && (h.dbs[0].size > 300 || h.dbs[2].size > 0); i++) activeExpireCycle(h);
    assert.equal(h.dbs[0].size, 300);
    assert.equal(h.dbs[2].size, 0);
    assert.equal(h.expiredHook, 5300);
    assert.equal(h.dbs[0].expires.size, 200);
    assert.ok(h.dbs[0].avgTtl > 0);
  });

  it('does nothing when switched off or while clients are paused', () => {
    const h = host();
    fill(h.dbs[1], 'k', 100, Date.now() - 1);
    h.activeExpireEnabled = false;
    for (let i = 0; i < 10; i++) activeExpireCycle(h);
    assert.equal(h.dbs[1].size, 100);
    h.activeExpireEnabled = true;
    h.pausedUntil = Date.now() + 60_000;
    activeExpireCycle(h);
    assert.equal(h.dbs[1].size, 100);
    h.pausedUntil = 0;
    for (let i = 0; i < 20 && h.dbs[1].size > 0; i++) activeExpireCycle(h);
    assert.equal(h.dbs[1].size, 0);
  });

  it('keeps sampling a database while more than 10% of a sample is stale', () => {
    const h = host();
    fill(h.dbs[0], 'k', 2000, Date.now() - 1);
    activeExpireCycle(h); // one slow cycle should take far more than one 20-key sample
    assert.ok(h.dbs[0].size < 2000 - 20, `only ${2000 - h.dbs[0].size} reclaimed`);
  });

  it('runs from the server cron: short TTLs vanish untouched', async () => {
    const srv = await startRedoubt(['--hz', '50']);
    const sock = net.connect(srv.port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    const waiters: ((v: RespValue) => void)[] = [];
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      for (let r = readReply(buf); r !== null; r = readReply(buf)) {
        buf = buf.subarray(r[1]);
        waiters.shift()!(r[0]);
      }
    });
    const cmd = (...a: string[]) => new Promise<RespValue>((res) => { waiters.push(res); sock.write(encodeCommand(a)); });
    try {
      await new Promise((r) => sock.once('connect', r));
      const sets: Promise<RespValue>[] = [];
      for (let i = 0; i < 500; i++) sets.push(cmd('SET', 'k' + i, 'v', 'PX', '1000'));
      sets.push(cmd('SET', 'keep', 'v'));
      await Promise.all(sets);
      assert.deepEqual(await cmd('DBSIZE'), { t: ':', v: '501' });
      let size = '';
      for (let i = 0; i < 60; i++) {
        await new Promise((r) => setTimeout(r, 100));
        size = (await cmd('DBSIZE')).v as string;
        if (size === '1') break;
      }
      assert.equal(size, '1');
    } finally {
      sock.destroy();
      await srv.stop();
    }
  });
});
