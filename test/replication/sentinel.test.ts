/*
 * Failover with the real Redis Sentinel 7.0.15 (Debian's redis-sentinel): three sentinels (quorum 2)
 * monitor a Redoubt primary with two Redoubt replicas, each of the two connecting as a least-privilege
 * ACL user (Sentinel's and replication's, as docs/replication.md recommends). Killing the primary with SIGKILL makes them
 * promote one replica (SLAVEOF NO ONE + CONFIG REWRITE in a MULTI) and re-point the other; an
 * ioredis client that finds the primary through the sentinels keeps working and keeps the data
 * written before; the old primary, restarted from its rewritten file, is turned into a replica.
 *
 * Every server runs from its own config file in a fresh directory, since Sentinel makes each one
 * rewrite its file (and rewrites its own). Waits poll with generous deadlines (slow shared CI);
 * nothing is asserted after a fixed sleep. On failure the sentinels' logs are printed: they say
 * what was sent and what went wrong.
 */

import { describe, it, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import Redis from 'ioredis';
import { freePort, startProcess, REDOUBT_BIN, type RunningServer } from '../support/servers';
import { readDataset, diffDatasets, keyCount } from '../support/dataset';
import { until as untilTrue, callPlain } from '../support/poll';

const SENTINEL_BIN = '/usr/bin/redis-sentinel';
const haveSentinel = (() => {
  try {
    execFileSync(SENTINEL_BIN, ['--version']);
    return true;
  } catch {
    return false;
  }
})();

const call = callPlain;

async function field(port: number, name: string): Promise<string | undefined> {
  const m = new RegExp(`\r\n${name}:([^\r]*)`).exec('\r\n' + String(await call(port, 'INFO', 'replication')));
  return m?.[1];
}

/** the shared poll with this file's patience (a restarting server counts as not yet) */
const until = (what: string, pred: () => Promise<boolean>, timeoutMs = 30000): Promise<void> => untilTrue(what, pred, timeoutMs, { retryErrors: true });

/** SENTINEL REPLICAS/SENTINELS rows as maps of their flat field/value lists. */
async function sentinelRows(port: number, what: 'replicas' | 'sentinels'): Promise<Array<Map<string, string>>> {
  const rows = await call(port, 'SENTINEL', what, 'mymaster');
  if (!Array.isArray(rows)) return [];
  return rows.map((flat: string[]) => {
    const m = new Map<string, string>();
    for (let i = 0; i + 1 < flat.length; i += 2) m.set(flat[i], flat[i + 1]);
    return m;
  });
}

interface Node {
  port: number;
  dir: string;
  conf: string;
  server?: RunningServer;
}

async function startNode(n: Node): Promise<void> {
  n.server = await startProcess(process.execPath, [REDOUBT_BIN, n.conf], n.port, { cwd: n.dir, timeoutMs: 20000 });
}

describe('Redis Sentinel fails a Redoubt primary over', { skip: haveSentinel ? false : 'redis-sentinel is not installed' }, () => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'redoubt-sentinel-'));
  const nodes: Node[] = [];
  const sentinels: Array<{ port: number; log: string; server?: RunningServer }> = [];
  let client: Redis | undefined;

  before(async () => {
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      const dir = path.join(base, `node${i}`);
      fs.mkdirSync(dir);
      nodes.push({ port, dir, conf: path.join(dir, 'redoubt.conf') });
    }
    for (const [i, n] of nodes.entries()) {
      const lines = [`port ${n.port}`, 'bind 127.0.0.1', `dir ${n.dir}`, `logfile ${path.join(n.dir, 'redoubt.log')}`, 'repl-diskless-sync-delay 0', 'repl-ping-replica-period 1'];
      // least privilege: Sentinel and replication each get a user that can do only their job
      // (every server has both: Sentinel may promote any of them)
      lines.push(
        'user sentinel on >sentinel-secret allchannels -@all +multi +exec +slaveof +ping +info +role +publish +subscribe +config|rewrite +client|setname +client|kill',
        'user replicator on >replication-secret -@all +psync +replconf +ping',
        'masteruser replicator', 'masterauth replication-secret',
      );
      if (i > 0) lines.push(`replicaof 127.0.0.1 ${nodes[0].port}`);
      fs.writeFileSync(n.conf, lines.join('\n') + '\n', { mode: 0o600 });
    }
    await Promise.all(nodes.map(startNode));
    for (const n of nodes.slice(1)) {
      await until(`replica ${n.port} linked`, async () => (await field(n.port, 'master_link_status')) === 'up');
    }
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      const dir = path.join(base, `sentinel${i}`);
      fs.mkdirSync(dir);
      const conf = path.join(dir, 'sentinel.conf');
      const log = path.join(dir, 'sentinel.log');
      fs.writeFileSync(conf, [
        `port ${port}`, 'bind 127.0.0.1', 'daemonize no', `dir ${dir}`, `logfile ${log}`,
        `sentinel monitor mymaster 127.0.0.1 ${nodes[0].port} 2`,
        'sentinel auth-user mymaster sentinel',
        'sentinel auth-pass mymaster sentinel-secret',
        'sentinel down-after-milliseconds mymaster 2000',
        'sentinel failover-timeout mymaster 6000',
        'sentinel parallel-syncs mymaster 1',
      ].join('\n') + '\n');
      sentinels.push({ port, log });
    }
    for (const s of sentinels) {
      s.server = await startProcess(SENTINEL_BIN, [path.join(path.dirname(s.log), 'sentinel.conf')], s.port, { cwd: path.dirname(s.log) });
    }
  });

  after(async () => {
    client?.disconnect();
    await Promise.all([...sentinels.map((s) => s.server?.stop()), ...nodes.map((n) => n.server?.stop())]);
  });

  /** Runs a step; on failure prints the sentinel logs and the servers' output first. */
  async function step(fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (e) {
      for (const s of sentinels) {
        process.stderr.write(`--- sentinel ${s.port}\n${fs.existsSync(s.log) ? fs.readFileSync(s.log, 'latin1').slice(-6000) : '(no log)'}\n`);
      }
      for (const n of nodes) {
        const log = path.join(n.dir, 'redoubt.log');
        process.stderr.write(`--- redoubt ${n.port}\n${fs.existsSync(log) ? fs.readFileSync(log, 'latin1').slice(-4000) : ''}${n.server?.output().slice(-2000)}\n`);
      }
      throw e;
    }
  }

  it('the sentinels discover the replicas and each other', { timeout: 60000 }, () => step(async () => {
    // replicas come from the primary's INFO (every 10 s), sentinels from hello messages (every 2 s)
    for (const s of sentinels) {
      await until(`sentinel ${s.port} sees both replicas and the other sentinels`, async () => {
        const reps = await sentinelRows(s.port, 'replicas');
        const peers = await sentinelRows(s.port, 'sentinels');
        return reps.length === 2 && reps.every((r) => r.get('flags') === 'slave' && r.get('master-link-status') === 'ok') && peers.length === 2;
      }, 40000);
    }
    const master = await call(sentinels[0].port, 'SENTINEL', 'get-master-addr-by-name', 'mymaster');
    assert.deepEqual(master, ['127.0.0.1', String(nodes[0].port)]);
  }));

  it('an ioredis client through Sentinel writes to the primary', { timeout: 30000 }, () => step(async () => {
    client = new Redis({
      sentinels: sentinels.map((s) => ({ host: '127.0.0.1', port: s.port })),
      name: 'mymaster',
      maxRetriesPerRequest: null,
      sentinelRetryStrategy: () => 200,
      retryStrategy: () => 200,
    });
    // connection errors while the primary is down are expected; the commands are retried
    client.on('error', () => undefined);
    for (let i = 0; i < 100; i++) await client.set(`before:${i}`, `v${i}`);
    await client.rpush('list', 'a', 'b', 'c');
    // both replicas acknowledged everything before the primary dies
    assert.equal(await client.wait(2, 10000), 2);
    assert.equal(await call(nodes[0].port, 'DBSIZE'), 101);
  }));

  let promoted: Node;
  let other: Node;

  it('SIGKILL of the primary: a replica is promoted and the other follows it', { timeout: 60000 }, () => step(async () => {
    await nodes[0].server!.stop('SIGKILL');
    await until('the sentinels switch the master', async () => {
      const addr = await call(sentinels[0].port, 'SENTINEL', 'get-master-addr-by-name', 'mymaster');
      return Array.isArray(addr) && addr[1] !== String(nodes[0].port);
    }, 45000);
    const addr = await call(sentinels[0].port, 'SENTINEL', 'get-master-addr-by-name', 'mymaster');
    promoted = nodes.find((n) => String(n.port) === addr[1])!;
    other = nodes.find((n) => n !== promoted && n !== nodes[0])!;
    assert.ok(promoted && other, `unexpected new master ${addr}`);

    await until('the other replica follows the new primary', async () => {
      const role = await call(other.port, 'ROLE');
      return role[0] === 'slave' && role[2] === promoted.port && role[3] === 'connected';
    });
    const role = await call(promoted.port, 'ROLE');
    assert.equal(role[0], 'master');
    assert.deepEqual(role[2].map((r: string[]) => r[1]), [String(other.port)]);
    assert.equal(await field(promoted.port, 'role'), 'master');
    assert.equal(await field(promoted.port, 'connected_slaves'), '1');
    assert.equal(await field(other.port, 'master_port'), String(promoted.port));
    assert.equal(await field(other.port, 'master_link_status'), 'up');
    // Sentinel's CONFIG REWRITE: the promoted server's file no longer follows anyone, the other's
    // follows the new primary
    await until('the rewritten config files', async () =>
      !/^replicaof /m.test(fs.readFileSync(promoted.conf, 'latin1')) &&
      new RegExp(`^replicaof 127\\.0\\.0\\.1 ${promoted.port}$`, 'm').test(fs.readFileSync(other.conf, 'latin1')));
    assert.equal(await call(promoted.port, 'CONFIG', 'GET', 'replicaof').then((r: string[]) => r[1]), '');
    // the other replica continued the same history: the only full sync it did was the first one
    const log = fs.readFileSync(path.join(other.dir, 'redoubt.log'), 'latin1');
    assert.equal((log.match(/Full resync from master/g) ?? []).length, 1);
    assert.match(log, /Successful partial resynchronization with master/);
  }));

  it('the ioredis client keeps working on the new primary, with the old data', { timeout: 60000 }, () => step(async () => {
    const c = client!;
    // the first write after the switch may still meet the dead primary: retry until one succeeds
    await until('a write through Sentinel succeeds', async () => (await c.set('after:0', 'x')) === 'OK', 45000);
    for (let i = 1; i < 50; i++) assert.equal(await c.set(`after:${i}`, `w${i}`), 'OK');
    assert.equal(await c.get('before:42'), 'v42');
    assert.deepEqual(await c.lrange('list', 0, -1), ['a', 'b', 'c']);
    assert.equal(await call(promoted.port, 'GET', 'after:49'), 'w49');
    assert.equal(await c.wait(1, 10000), 1);
    const [a, b] = await Promise.all([readDataset(promoted.port), readDataset(other.port)]);
    assert.deepEqual(diffDatasets(a, b), []);
    assert.equal(keyCount(a), 151);
  }));

  it('the old primary, restarted, is turned into a replica of the new one', { timeout: 60000 }, () => step(async () => {
    await startNode(nodes[0]);
    // The target is whichever server the sentinels name now. On a starved CI machine they may have
    // failed over a second time (a PING answered after down-after-milliseconds is a failure to
    // them); the old primary must then follow that one, and the check stays the same.
    let current: Node | undefined;
    await until('the old primary follows the primary the sentinels name', async () => {
      const addr = await call(sentinels[0].port, 'SENTINEL', 'get-master-addr-by-name', 'mymaster');
      current = nodes.find((n) => n !== nodes[0] && String(n.port) === addr[1]);
      if (current === undefined) return false;
      const role = await call(nodes[0].port, 'ROLE');
      return role[0] === 'slave' && role[2] === current.port && role[3] === 'connected';
    }, 50000);
    if (current !== promoted) process.stderr.write(`note: the sentinels failed over again, from ${promoted.port} to ${current!.port}\n`);
    await until('the old primary caught up', async () =>
      (await field(nodes[0].port, 'slave_repl_offset')) === (await field(current!.port, 'master_repl_offset')));
    const [a, b] = await Promise.all([readDataset(current!.port), readDataset(nodes[0].port)]);
    assert.deepEqual(diffDatasets(a, b), []);
    assert.equal(keyCount(b), 151);
    assert.match(fs.readFileSync(nodes[0].conf, 'latin1'), new RegExp(`^replicaof 127\\.0\\.0\\.1 ${current!.port}$`, 'm'));
  }));
});
