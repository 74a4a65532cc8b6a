/*
 * A replica configured with `replicaof` that restarts continues its primary's history with a
 * partial resync (the replication ID and offset travel in its dump's AUX fields), and FAILOVER
 * hands the primary role over in both directions between Redoubt and redis-server 7.0.15, with
 * the data kept and the old primary following the new one.
 */

import { describe, it, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startRedis, startRedoubt, type RunningServer } from '../support/servers';
import { RawConn, readDataset, diffDatasets, keyCount, runCommands, allTypesCommands, afterReload } from '../support/dataset';
import { until } from '../support/poll';

async function call(port: number, ...args: string[]): Promise<any> {
  const c = await RawConn.open(port);
  try {
    const r = await c.call(...args);
    if (r.t === '*') return (r.v ?? []).map((x) => x.v);
    return r.t === ':' ? Number(r.v) : r.v;
  } finally {
    c.close();
  }
}

async function field(port: number, name: string): Promise<string | undefined> {
  const m = new RegExp(`\r\n${name}:([^\r]*)`).exec('\r\n' + String(await call(port, 'INFO', 'replication')));
  return m?.[1];
}


async function inSync(primary: number, replica: number): Promise<void> {
  await until(`${replica} in sync with ${primary}`, async () =>
    (await field(replica, 'master_link_status')) === 'up' && (await field(primary, 'master_repl_offset')) === (await field(replica, 'slave_repl_offset')));
}

describe('a configured replica restarting', () => {
  let primary: RunningServer;
  let replica: RunningServer | undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'redoubt-replica-'));
  before(async () => {
    primary = await startRedis(['--repl-diskless-sync-delay', '0']);
  });
  after(async () => {
    await Promise.all([primary?.stop(), replica?.stop()]);
  });

  it('continues with a partial resync from the history saved in its dump', async () => {
    await runCommands(primary.port, allTypesCommands());
    const args = ['--replicaof', '127.0.0.1', String(primary.port)];
    replica = await startRedoubt(args, { cwd: dir });
    await inSync(primary.port, replica.port);
    await runCommands(primary.port, [['SET', 'before:restart', '1']]);
    await inSync(primary.port, replica.port);
    const offset = Number(await field(replica.port, 'slave_repl_offset'));
    const replid = await field(primary.port, 'master_replid');
    await call(replica.port, 'SHUTDOWN', 'SAVE').catch(() => undefined);
    await replica.stop();
    await runCommands(primary.port, [['SET', 'while:down', '1'], ['DEL', 'str:small']]);
    replica = await startRedoubt(args, { cwd: dir });
    await inSync(primary.port, replica.port);
    assert.match(replica.output(), new RegExp(`Trying a partial resynchronization \\(request ${replid}:${offset + 1}\\)\\.`));
    assert.match(replica.output(), /Successful partial resynchronization with master\./);
    assert.equal(await call(replica.port, 'GET', 'while:down'), '1');
    const [a, b] = await Promise.all([readDataset(primary.port), readDataset(replica.port)]);
    assert.deepEqual(diffDatasets(afterReload(a), b, { ignoreEncoding: true }), []);
    assert.ok(keyCount(b) > 10);
  });
});

describe('FAILOVER between Redoubt and redis-server', () => {
  let redoubt: RunningServer;
  let redis: RunningServer;
  before(async () => {
    [redoubt, redis] = await Promise.all([startRedoubt(), startRedis(['--repl-diskless-sync-delay', '0'])]);
  });
  after(async () => {
    await Promise.all([redoubt?.stop(), redis?.stop()]);
  });

  it('Redoubt primary hands over to a redis-server replica', async () => {
    await runCommands(redoubt.port, [['SET', 'a', '1'], ['RPUSH', 'l', 'x', 'y']]);
    assert.equal(await call(redis.port, 'REPLICAOF', '127.0.0.1', String(redoubt.port)), 'OK');
    await inSync(redoubt.port, redis.port);
    assert.equal(await call(redoubt.port, 'FAILOVER', 'TO', '127.0.0.1', String(redis.port)), 'OK');
    await until('the roles swap', async () => (await call(redoubt.port, 'ROLE'))[0] === 'slave' && (await call(redis.port, 'ROLE'))[0] === 'master');
    await inSync(redis.port, redoubt.port);
    assert.equal(await field(redoubt.port, 'master_failover_state'), 'no-failover');
    assert.match(redoubt.output(), /FAILOVER requested to 127\.0\.0\.1:\d+\./);
    assert.match(redoubt.output(), /is synced, failing over\./);
    // the old primary continued the same history: no full sync
    assert.doesNotMatch(redoubt.output(), /Full resync from master/);
    assert.equal(await call(redis.port, 'SET', 'b', '2'), 'OK');
    await inSync(redis.port, redoubt.port);
    assert.equal(await call(redoubt.port, 'GET', 'b'), '2');
  });

  it('a redis-server primary hands over to a Redoubt replica (PSYNC ... FAILOVER)', async () => {
    assert.equal(await call(redis.port, 'FAILOVER'), 'OK');
    await until('the roles swap back', async () => (await call(redoubt.port, 'ROLE'))[0] === 'master' && (await call(redis.port, 'ROLE'))[0] === 'slave');
    assert.match(redoubt.output(), /MASTER MODE enabled \(failover request from '/);
    assert.equal(await call(redoubt.port, 'SET', 'c', '3'), 'OK');
    await inSync(redoubt.port, redis.port);
    const [a, b] = await Promise.all([readDataset(redoubt.port), readDataset(redis.port)]);
    assert.deepEqual(diffDatasets(a, b, { ignoreEncoding: true }), []);
    assert.equal(keyCount(a), 4);
  });

  it('refuses FAILOVER on a replica and REPLICAOF while failing over', async () => {
    const c = await RawConn.open(redis.port);
    try {
      assert.deepEqual(await c.call('FAILOVER'), { t: '-', v: 'ERR FAILOVER is not valid when server is a replica.' });
    } finally {
      c.close();
    }
    assert.equal(await call(redoubt.port, 'FAILOVER', 'TO', '127.0.0.1', String(redis.port + 1)), 'ERR FAILOVER target HOST and PORT is not a replica.');
  });
});
