/*
 * The replica side against the reference: a Redoubt replica of a real redis-server 7.0.15 primary
 * (and a redis-server sub-replica of that Redoubt replica, the PSYNC2 cascade). Full sync (disk
 * and diskless load), the stream (every type, MULTI/EXEC, SELECT, expiry by the primary's DEL),
 * partial resyncs after CLIENT KILL TYPE master / TYPE replica, promotion with REPLICAOF NO ONE and
 * the sub-replica continuing with replid2 — with the datasets compared after each step.
 */

import { describe, it, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { startRedis, startRedoubt, type RunningServer } from '../support/servers';
import { RawConn, readDataset, diffDatasets, keyCount, allTypesCommands, runCommands, afterReload, ALL_BYTES } from '../support/dataset';
import { until } from '../support/poll';

async function call(port: number, ...args: string[]): Promise<any> {
  const c = await RawConn.open(port);
  try {
    const r = await c.call(...args);
    return r.t === ':' ? Number(r.v) : r.v;
  } finally {
    c.close();
  }
}

async function info(port: number): Promise<Map<string, string>> {
  const text = String(await call(port, 'INFO', 'replication'));
  const m = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) m.set(line.slice(0, i), line.slice(i + 1));
  }
  return m;
}


/** The replica is connected and has applied everything the primary produced. */
async function inSync(primary: number, replica: number): Promise<void> {
  await until(`replica ${replica} in sync with ${primary}`, async () => {
    const p = await info(primary);
    const r = await info(replica);
    return r.get('master_link_status') === 'up' && p.get('master_repl_offset') === r.get('slave_repl_offset');
  });
}

/** `reloaded`: b got its keys from an RDB of a's data (short APPEND-built strings become embstr). */
async function sameData(a: number, b: number, reloaded = false): Promise<void> {
  const [da, db] = await Promise.all([readDataset(a, { encodings: true }), readDataset(b, { encodings: true })]);
  assert.deepEqual(diffDatasets(reloaded ? afterReload(da) : da, db), []);
  assert.ok(keyCount(da) > 0);
}

describe('Redoubt replica of redis-server', () => {
  let primary: RunningServer;
  let replica: RunningServer;
  let sub: RunningServer;

  before(async () => {
    [primary, replica, sub] = await Promise.all([
      startRedis(['--repl-diskless-sync-delay', '0', '--enable-debug-command', 'yes']),
      startRedoubt(['--repl-ping-replica-period', '1']),
      startRedis(['--repl-diskless-sync-delay', '0']),
    ]);
  });
  after(async () => {
    await Promise.all([primary?.stop(), replica?.stop(), sub?.stop()]);
  });

  it('full sync loads the primary dataset (disk-backed load: the RDB becomes dump.rdb)', async () => {
    await runCommands(primary.port, allTypesCommands());
    assert.equal(await call(replica.port, 'REPLICAOF', '127.0.0.1', String(primary.port)), 'OK');
    await inSync(primary.port, replica.port);
    await sameData(primary.port, replica.port, true);
    const r = await info(replica.port);
    assert.equal(r.get('role'), 'slave');
    assert.equal(r.get('master_host'), '127.0.0.1');
    assert.equal(r.get('master_port'), String(primary.port));
    assert.equal(r.get('master_replid'), (await info(primary.port)).get('master_replid'));
    assert.equal(r.get('repl_backlog_active'), '1');
    assert.match(replica.output(), /MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to disk/);
    assert.match(replica.output(), /MASTER <-> REPLICA sync: Finished with success/);
    const role = await call(replica.port, 'ROLE');
    assert.deepEqual(role.map((x: any) => x.v), ['slave', '127.0.0.1', String(primary.port), 'connected', r.get('slave_repl_offset')]);
  });

  it('applies the stream: every type, transactions, other databases, flushes', async () => {
    await runCommands(primary.port, [
      ['SET', 'stream:a', ALL_BYTES], ['INCRBY', 'stream:n', '41'], ['INCR', 'stream:n'],
      ['LPUSH', 'list:small', 'front'], ['LTRIM', 'list:big', '10', '-10'],
      ['HSET', 'hash:small', 'new', 'field'], ['HDEL', 'hash:big', 'field1', 'field2'],
      ['SADD', 'set:ints', '1000'], ['SREM', 'set:big', 'm1'], ['ZINCRBY', 'zset:big', '3', 'member3'],
      ['MULTI'], ['SET', 'tx:1', 'a'], ['SELECT', '5'], ['SET', 'tx:db5', 'b'], ['EXEC'],
      ['SELECT', '15'], ['FLUSHDB'], ['SELECT', '0'],
      ['PEXPIRE', 'str:small', '3600000'], ['PERSIST', 'ttl:str'], ['DEL', 'str:raw'], ['RENAME', 'str:int', 'str:renamed'],
      ['PFADD', 'hll:sparse', 'd', 'e'], ['SETRANGE', 'str:empty', '5', 'xyz'],
    ]);
    await inSync(primary.port, replica.port);
    await sameData(primary.port, replica.port);
  });

  it('refuses writes from clients with READONLY (and EXECABORT for a queued write)', async () => {
    const c = await RawConn.open(replica.port);
    try {
      const r = await c.call('SET', 'x', 'y');
      assert.deepEqual(r, { t: '-', v: "READONLY You can't write against a read only replica." });
      assert.equal((await c.call('MULTI')).v, 'OK');
      assert.equal((await c.call('INCR', 'x')).v, "READONLY You can't write against a read only replica.");
      assert.equal((await c.call('EXEC')).v, 'EXECABORT Transaction discarded because of previous errors.');
      assert.equal((await c.call('GET', 'stream:n')).v, '42');
    } finally {
      c.close();
    }
  });

  it('leaves expiry to the primary: an expired key is hidden, then removed by the primary DEL', async () => {
    await call(primary.port, 'DEBUG', 'SET-ACTIVE-EXPIRE', '0');
    try {
      await call(primary.port, 'SET', 'exp:k', 'v', 'PX', '100');
      await inSync(primary.port, replica.port);
      const before = await call(replica.port, 'DBSIZE');
      await new Promise((r) => setTimeout(r, 250));
      assert.equal(await call(replica.port, 'GET', 'exp:k'), null);
      assert.equal(await call(replica.port, 'EXISTS', 'exp:k'), 0);
      // still held: only the primary's DEL removes it
      assert.equal(await call(replica.port, 'DBSIZE'), before);
      assert.equal(await call(primary.port, 'GET', 'exp:k'), null);
      await inSync(primary.port, replica.port);
      assert.equal(await call(replica.port, 'DBSIZE'), before - 1);
    } finally {
      await call(primary.port, 'DEBUG', 'SET-ACTIVE-EXPIRE', '1');
    }
  });

  it('continues with a partial resync after CLIENT KILL TYPE master', async () => {
    assert.equal(await call(replica.port, 'CLIENT', 'KILL', 'TYPE', 'master'), 1);
    await runCommands(primary.port, [['SET', 'after:kill:master', '1'], ['RPUSH', 'list:small', 'tail']]);
    await inSync(primary.port, replica.port);
    await sameData(primary.port, replica.port);
    assert.match(replica.output(), /Successful partial resynchronization with master\./);
    const list = String(await call(replica.port, 'CLIENT', 'LIST', 'TYPE', 'master'));
    assert.match(list, new RegExp(`^id=\\d+ addr=127\\.0\\.0\\.1:${primary.port} .* flags=M .*user=\\(superuser\\)`));
  });

  it('continues with a partial resync after CLIENT KILL TYPE replica on the primary', async () => {
    const syncsBefore = Number((await call(primary.port, 'INFO', 'stats')).match(/sync_full:(\d+)/)[1]);
    assert.equal(await call(primary.port, 'CLIENT', 'KILL', 'TYPE', 'replica'), 1);
    await runCommands(primary.port, [['SET', 'after:kill:replica', '1'], ['HSET', 'hash:small', 'k', 'v']]);
    await inSync(primary.port, replica.port);
    await sameData(primary.port, replica.port);
    const stats = String(await call(primary.port, 'INFO', 'stats'));
    assert.equal(Number(stats.match(/sync_full:(\d+)/)![1]), syncsBefore);
    assert.ok(Number(stats.match(/sync_partial_ok:(\d+)/)![1]) >= 2);
  });

  it('passes the primary stream on to a sub-replica (cascade), byte for byte', async () => {
    assert.equal(await call(sub.port, 'REPLICAOF', '127.0.0.1', String(replica.port)), 'OK');
    await inSync(replica.port, sub.port);
    await runCommands(primary.port, [['SET', 'cascade', 'yes'], ['SELECT', '2'], ['SADD', 'cascade:set', 'a', 'b']]);
    await inSync(primary.port, replica.port);
    await inSync(replica.port, sub.port);
    await sameData(primary.port, sub.port, true);
    // the three share one history: same replication ID and offset
    const [p, r, s] = await Promise.all([info(primary.port), info(replica.port), info(sub.port)]);
    assert.equal(s.get('master_replid'), p.get('master_replid'));
    assert.equal(r.get('master_repl_offset'), p.get('master_repl_offset'));
    assert.equal(s.get('master_repl_offset'), p.get('master_repl_offset'));
  });

  it('REPLICAOF NO ONE promotes; the sub-replica continues with a partial resync (replid2)', async () => {
    const before = await info(replica.port);
    assert.equal(await call(replica.port, 'REPLICAOF', 'NO', 'ONE'), 'OK');
    const after = await info(replica.port);
    assert.equal(after.get('role'), 'master');
    assert.equal(after.get('master_replid2'), before.get('master_replid'));
    assert.equal(after.get('second_repl_offset'), String(Number(before.get('master_repl_offset')) + 1));
    assert.equal(await call(replica.port, 'SET', 'promoted', '1'), 'OK');
    await inSync(replica.port, sub.port);
    assert.equal(await call(sub.port, 'GET', 'promoted'), '1');
    assert.match(sub.output(), /Master replication ID changed to/);
    assert.doesNotMatch(sub.output().split('Master replication ID changed')[1] ?? '', /Full resync from master/);
  });
});

describe('Redoubt replica: diskless load', () => {
  let primary: RunningServer;
  let replica: RunningServer;
  before(async () => {
    [primary, replica] = await Promise.all([
      startRedis(['--repl-diskless-sync', 'no']),
      startRedoubt(['--repl-diskless-load', 'swapdb']),
    ]);
  });
  after(async () => {
    await Promise.all([primary?.stop(), replica?.stop()]);
  });

  it('loads a disk-backed (sized) transfer from memory into swapped databases', async () => {
    await runCommands(primary.port, allTypesCommands());
    await call(replica.port, 'SET', 'old:key', 'gone after the sync');
    assert.equal(await call(replica.port, 'REPLICAOF', '127.0.0.1', String(primary.port)), 'OK');
    await inSync(primary.port, replica.port);
    await sameData(primary.port, replica.port, true);
    assert.match(replica.output(), /MASTER <-> REPLICA sync: receiving \d+ bytes from master to parser/);
    assert.match(replica.output(), /Swapping active DB with loaded DB/);
    await runCommands(primary.port, [['SET', 'later', 'x'], ['LPOP', 'list:big']]);
    await inSync(primary.port, replica.port);
    await sameData(primary.port, replica.port, true);
  });
});
