/*
 * The primary side against the real thing: redis-server 7.0.15 replicas following a Redoubt
 * primary. Full sync (diskless and disk-backed), streaming of every kind of write in several
 * databases, partial resynchronisation after the link is cut, WAIT, ROLE and INFO replication.
 * Each test ends by comparing the whole datasets of primary and replica.
 */

import { describe, it, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startRedoubt, startRedis, redisServerBin, type RunningServer } from '../support/servers';
import { RawConn, readDataset, diffDatasets, allTypesCommands, runCommands } from '../support/dataset';
import type { RespValue } from '../support/resp';
import { until as untilTrue } from '../support/poll';

const haveRedis = redisServerBin() !== null;

const call = RawConn.callOnce;

function text(v: RespValue): string {
  return String((v as { v: unknown }).v);
}

async function info(port: number, section: string): Promise<Map<string, string>> {
  const s = text(await call(port, 'INFO', section));
  const m = new Map<string, string>();
  for (const line of s.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) m.set(line.slice(0, i), line.slice(i + 1));
  }
  return m;
}

/** the shared poll with this file's patience */
const until = (what: string, pred: () => Promise<boolean>, timeoutMs = 15000): Promise<void> => untilTrue(what, pred, timeoutMs);

async function linkUp(replicaPort: number): Promise<void> {
  await until('master_link_status:up', async () => (await info(replicaPort, 'replication')).get('master_link_status') === 'up');
}

/** Waits until the replica processed the primary's whole stream, then compares the datasets. */
async function assertSameData(primary: number, replica: number): Promise<void> {
  await until('replica caught up', async () => {
    const p = await info(primary, 'replication');
    const r = await info(replica, 'replication');
    return p.get('master_repl_offset') === r.get('master_repl_offset');
  });
  const [a, b] = await Promise.all([readDataset(primary), readDataset(replica)]);
  const diff = diffDatasets(a, b, { ignoreEncoding: true });
  assert.deepEqual(diff, []);
}

const running: RunningServer[] = [];
after(async () => {
  for (const s of running) await s.stop();
});

async function primary(args: string[] = []): Promise<RunningServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'redoubt-primary-'));
  const s = await startRedoubt(['--save', '', '--dir', dir, ...args]);
  running.push(s);
  return s;
}

async function redisReplicaOf(port: number, args: string[] = []): Promise<RunningServer> {
  const s = await startRedis(['--replicaof', '127.0.0.1', String(port), ...args]);
  running.push(s);
  return s;
}

/** Writes of many kinds after the sync: they reach the replica through the stream. */
function streamWrites(tag: string): string[][] {
  return [
    ['SET', `${tag}:s`, 'v\x00\xff'], ['INCRBY', `${tag}:n`, '41'], ['APPEND', `${tag}:s`, 'more'],
    ['SELECT', '2'], ['RPUSH', `${tag}:l`, 'a', 'b', 'c'], ['LPOP', `${tag}:l`],
    ['MULTI'], ['HSET', `${tag}:h`, 'f', '1'], ['HINCRBY', `${tag}:h`, 'f', '2'], ['EXEC'],
    ['SET', `${tag}:ex`, 'x', 'EX', '1000'], ['SELECT', '0'], ['DEL', 'str:small'],
    ['ZADD', `${tag}:z`, '1.5', 'a'], ['SADD', `${tag}:set`, 'x'], ['SREM', `${tag}:set`, 'x'],
    ['SET', `${tag}:gone`, 'x', 'PX', '1'],
    // propagated as ZADD with its scores as text (built only while something consumes the stream)
    ['GEOADD', `${tag}:geo`, '13.361389', '38.115556', 'Palermo', '-180', '-85.05112878', 'sw'],
    ['GEOADD', `${tag}:geo`, 'XX', 'CH', '13.361390', '38.115556', 'Palermo'],
  ];
}

describe('primary: a Redis replica follows a Redoubt primary', { skip: !haveRedis }, () => {
  it('full sync over the socket (diskless), then streaming, WAIT and ROLE', async () => {
    const p = await primary(['--repl-diskless-sync-delay', '0']);
    await runCommands(p.port, allTypesCommands());
    const r = await redisReplicaOf(p.port);
    await linkUp(r.port);
    await runCommands(p.port, streamWrites('a'));
    assert.deepEqual(await call(p.port, 'WAIT', '1', '5000'), { t: ':', v: '1' });
    await assertSameData(p.port, r.port);
    const role = await call(p.port, 'ROLE') as { t: string; v: RespValue[] };
    assert.equal(text(role.v[0]), 'master');
    const replicas = role.v[2] as { v: RespValue[] };
    assert.equal(replicas.v.length, 1);
    const [ip, port] = (replicas.v[0] as { v: RespValue[] }).v.map(text);
    assert.equal(ip, '127.0.0.1');
    assert.equal(port, String(r.port));
    const inf = await info(p.port, 'replication');
    assert.equal(inf.get('role'), 'master');
    assert.equal(inf.get('connected_slaves'), '1');
    assert.match(inf.get('slave0') ?? '', new RegExp(`^ip=127\\.0\\.0\\.1,port=${r.port},state=online,offset=\\d+,lag=\\d+$`));
    assert.equal(inf.get('repl_backlog_active'), '1');
    const rinf = await info(r.port, 'replication');
    assert.equal(rinf.get('master_replid'), inf.get('master_replid'));
    assert.match(p.output(), /Starting BGSAVE for SYNC with target: replicas sockets/);
  });

  it('disk-backed full sync (repl-diskless-sync no) through a BGSAVE', async () => {
    const p = await primary(['--repl-diskless-sync', 'no']);
    await runCommands(p.port, allTypesCommands());
    const r = await redisReplicaOf(p.port);
    await linkUp(r.port);
    await runCommands(p.port, streamWrites('b'));
    await assertSameData(p.port, r.port);
    assert.match(p.output(), /Starting BGSAVE for SYNC with target: disk/);
    assert.equal((await info(p.port, 'persistence')).get('rdb_saves'), '1');
  });

  it('partial resync after CLIENT KILL TYPE replica, with writes made while the link was down', async () => {
    const p = await primary(['--repl-diskless-sync-delay', '0']);
    await runCommands(p.port, allTypesCommands());
    const r = await redisReplicaOf(p.port);
    await linkUp(r.port);
    await assertSameData(p.port, r.port);
    assert.deepEqual(await call(p.port, 'CLIENT', 'KILL', 'TYPE', 'replica'), { t: ':', v: '1' });
    await runCommands(p.port, streamWrites('c'));
    await linkUp(r.port);
    await assertSameData(p.port, r.port);
    const stats = await info(p.port, 'stats');
    assert.equal(stats.get('sync_full'), '1');
    assert.equal(stats.get('sync_partial_ok'), '1');
    assert.match(p.output(), /Partial resynchronization request from 127\.0\.0\.1:\d+ accepted/);
  });

  it('two replicas share one delayed diskless sync; writes during the transfer arrive after the RDB', async () => {
    const p = await primary(['--repl-diskless-sync-delay', '1']);
    await runCommands(p.port, allTypesCommands({ scale: 20 }));
    const r1 = await redisReplicaOf(p.port);
    const r2 = await redisReplicaOf(p.port);
    // writes while the replicas wait for the delayed snapshot and while it streams
    const writer = (async () => {
      for (let i = 0; i < 40; i++) {
        await runCommands(p.port, [['INCR', 'counter'], ['RPUSH', 'list:big', `during-${i}`]]);
        await new Promise((res) => setTimeout(res, 25));
      }
    })();
    await linkUp(r1.port);
    await linkUp(r2.port);
    await writer;
    await assertSameData(p.port, r1.port);
    await assertSameData(p.port, r2.port);
    assert.equal((p.output().match(/Starting BGSAVE for SYNC/g) ?? []).length, 1);
    assert.deepEqual(await call(p.port, 'WAIT', '2', '5000'), { t: ':', v: '2' });
  });
});

describe('primary: min-replicas-to-write', () => {
  it('refuses writes without enough good replicas, and accepts them once a replica is online', { skip: !haveRedis }, async () => {
    const p = await primary(['--repl-diskless-sync-delay', '0', '--min-replicas-to-write', '1']);
    assert.deepEqual(await call(p.port, 'SET', 'k', 'v'), { t: '-', v: 'NOREPLICAS Not enough good replicas to write.' });
    assert.deepEqual(await call(p.port, 'GET', 'k'), { t: '$', v: null });
    assert.equal((await info(p.port, 'replication')).get('min_slaves_good_slaves'), '0');
    const r = await redisReplicaOf(p.port);
    await linkUp(r.port);
    await until('a good replica', async () => (await info(p.port, 'replication')).get('min_slaves_good_slaves') === '1');
    assert.deepEqual(await call(p.port, 'SET', 'k', 'v'), { t: '+', v: 'OK' });
    await assertSameData(p.port, r.port);
  });
});
