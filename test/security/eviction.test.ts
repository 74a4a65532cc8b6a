/*
 * maxmemory and eviction under load, per policy: what may be evicted, in which order, that memory
 * stays near the limit, and that noeviction answers Redis's OOM error. The OOM and wrong-policy
 * replies are compared byte for byte with redis-server. Evictions reach the AOF and a replica (as
 * DEL, or UNLINK with lazyfree-lazy-eviction), and RDB files carry IDLE / FREQ per key as Redis
 * writes and reads them (checked by loading our files into redis-server and back).
 */

import { describe, it, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Redis from 'ioredis';
import { startRedoubt, startRedis, redisServerBin, type RunningServer } from '../support/servers';
import { readDataset, diffDatasets } from '../support/dataset';
import { until as untilTrue } from '../support/poll';

const VALUE = 'v'.repeat(200);

async function usedMemory(r: Redis): Promise<number> {
  const info = await r.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)![1]);
}

async function stat(r: Redis, name: string): Promise<number> {
  const info = await r.info('stats');
  return Number(new RegExp(`${name}:(\\d+)`).exec(info)![1]);
}

/** Sets maxmemory to the current usage plus `room` bytes. */
async function limitTo(r: Redis, room: number): Promise<number> {
  const limit = (await usedMemory(r)) + room;
  await r.config('SET', 'maxmemory', String(limit));
  return limit;
}

async function fill(r: Redis, prefix: string, n: number, ttl = 0): Promise<void> {
  for (let i = 0; i < n; i += 500) {
    const p = r.pipeline();
    for (let j = i; j < Math.min(n, i + 500); j++) {
      if (ttl > 0) p.set(`${prefix}${j}`, VALUE, 'EX', ttl + j);
      else p.set(`${prefix}${j}`, VALUE);
    }
    await p.exec();
  }
}

describe('maxmemory eviction (Redoubt)', () => {
  let srv: RunningServer;
  let r: Redis;
  before(async () => {
    srv = await startRedoubt();
    r = new Redis({ port: srv.port, host: '127.0.0.1', maxRetriesPerRequest: 1 });
  });
  after(async () => {
    r.disconnect();
    await srv.stop();
  });

  async function reset(policy: string): Promise<void> {
    await r.config('SET', 'maxmemory', '0');
    await r.flushall();
    await r.config('SET', 'maxmemory-policy', policy);
  }

  it('noeviction: writes get the OOM error, reads and deletes still work', async () => {
    await reset('noeviction');
    await limitTo(r, 200 * 1024);
    let oom = '';
    for (let i = 0; i < 5000 && oom === ''; i++) {
      try { await r.set(`k${i}`, VALUE); } catch (e) { oom = (e as Error).message; }
    }
    assert.equal(oom, "OOM command not allowed when used memory > 'maxmemory'.");
    assert.equal(await r.get('k0'), VALUE);
    assert.equal(await r.del('k0'), 1);
    assert.equal(await stat(r, 'evicted_keys'), 0);
  });

  it('allkeys-random / allkeys-lru: memory stays near maxmemory while writing 10x the room', async () => {
    for (const policy of ['allkeys-random', 'allkeys-lru']) {
      await reset(policy);
      const before = await stat(r, 'evicted_keys');
      const limit = await limitTo(r, 512 * 1024);
      await fill(r, 'k', 20000);
      const used = await usedMemory(r);
      assert.ok(used <= limit + 4096, `${policy}: used ${used} > limit ${limit}`);
      assert.ok(used > limit - 128 * 1024, `${policy}: used ${used} far below ${limit}`);
      assert.ok((await stat(r, 'evicted_keys')) - before > 10000);
      assert.ok((await r.dbsize()) > 500);
    }
  });

  it('volatile-*: keys without a TTL are never evicted; OOM once only they remain', async () => {
    for (const policy of ['volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl']) {
      await reset(policy);
      await fill(r, 'persist', 1000);
      const limit = await limitTo(r, 300 * 1024);
      let oom = false;
      try { await fill(r, 'ttl', 20000, 1000); } catch { oom = true; }
      assert.equal(await r.exists(...Array.from({ length: 1000 }, (_, i) => `persist${i}`)), 1000, policy);
      assert.ok((await usedMemory(r)) <= limit + 4096, policy);
      // once only persistent keys are left, a write beyond the limit is refused
      await r.config('SET', 'maxmemory', '0');
      const ttlKeys = await r.keys('ttl*');
      for (let i = 0; i < ttlKeys.length; i += 500) await r.del(...ttlKeys.slice(i, i + 500));
      await r.config('SET', 'maxmemory', String((await usedMemory(r)) - 64 * 1024));
      await assert.rejects(r.set('more', VALUE), /OOM command not allowed/, policy);
      assert.equal(oom, false, `${policy}: writes under an evicting policy must not be refused`);
    }
  });

  it('volatile-ttl evicts the nearest TTLs first', async () => {
    await reset('volatile-ttl');
    const limit = await limitTo(r, 400 * 1024);
    await fill(r, 'ttl', 6000, 1000); // key ttlN expires in 1000+N seconds
    assert.ok((await usedMemory(r)) <= limit + 4096);
    const survivors = (await r.keys('ttl*')).map((k) => Number(k.slice(3)));
    assert.ok(survivors.length > 200);
    const median = survivors.sort((a, b) => a - b)[Math.floor(survivors.length / 2)];
    // approximated, as in Redis: the survivors are overwhelmingly the far ones
    assert.ok(median > 6000 * 0.6, `median surviving index ${median}`);
  });

  it('allkeys-lru keeps a hot set that is read between writes', async () => {
    await reset('allkeys-lru');
    await r.config('SET', 'maxmemory-samples', '10');
    await fill(r, 'hot', 200);
    const limit = await limitTo(r, 500 * 1024);
    // the LRU clock counts seconds (as Redis's): each round is a new second in which the hot set is
    // read and fresh keys are written; what must go is the older rounds' keys
    for (let round = 0; round < 6; round++) {
      await new Promise((res) => setTimeout(res, 1050));
      const hot = r.pipeline();
      for (let i = 0; i < 200; i++) hot.get(`hot${i}`);
      await hot.exec();
      await fill(r, `cold${round}:`, 500);
    }
    const hotLeft = await r.exists(...Array.from({ length: 200 }, (_, i) => `hot${i}`));
    assert.ok(hotLeft >= 190, `hot keys left: ${hotLeft}/200`);
    assert.ok((await usedMemory(r)) <= limit + 4096);
    await r.config('SET', 'maxmemory-samples', '5');
  });

  it('allkeys-lfu keeps frequently used keys; OBJECT FREQ grows with use', async () => {
    await reset('allkeys-lfu');
    await r.config('SET', 'maxmemory-samples', '10');
    await fill(r, 'freq', 100);
    for (let n = 0; n < 30; n++) {
      const p = r.pipeline();
      for (let i = 0; i < 100; i++) p.get(`freq${i}`);
      await p.exec();
    }
    assert.ok(Number(await r.object('FREQ', 'freq0')) > 5);
    await limitTo(r, 300 * 1024);
    await fill(r, 'once', 8000);
    const left = await r.exists(...Array.from({ length: 100 }, (_, i) => `freq${i}`));
    assert.ok(left >= 95, `frequent keys left: ${left}/100`);
    await r.config('SET', 'maxmemory-samples', '5');
  });

  it('evictions reach keyspace notifications as `evicted`', async () => {
    await reset('allkeys-random');
    await r.config('SET', 'notify-keyspace-events', 'Ee');
    const sub = new Redis({ port: srv.port, host: '127.0.0.1' });
    const seen: string[] = [];
    await sub.subscribe('__keyevent@0__:evicted');
    sub.on('message', (_ch, key) => seen.push(key));
    const before = await stat(r, 'evicted_keys');
    await limitTo(r, 100 * 1024);
    await fill(r, 'n', 3000);
    await r.config('SET', 'maxmemory', '0');
    const evicted = (await stat(r, 'evicted_keys')) - before;
    await new Promise((res) => setTimeout(res, 300));
    assert.ok(seen.length > 100);
    assert.equal(seen.length, evicted);
    sub.disconnect();
    await r.config('SET', 'notify-keyspace-events', '');
  });
});

describe('maxmemory replies (differential with redis-server)', { skip: redisServerBin() === null }, () => {
  let a: RunningServer;
  let b: RunningServer;
  let ra: Redis;
  let rb: Redis;
  before(async () => {
    [a, b] = await Promise.all([startRedis(), startRedoubt()]);
    ra = new Redis({ port: a.port, host: '127.0.0.1', maxRetriesPerRequest: 1 });
    rb = new Redis({ port: b.port, host: '127.0.0.1', maxRetriesPerRequest: 1 });
  });
  after(async () => {
    ra.disconnect();
    rb.disconnect();
    await Promise.all([a.stop(), b.stop()]);
  });

  async function both(f: (r: Redis) => Promise<unknown>): Promise<[string, string]> {
    const run = (r: Redis) => f(r).then((v) => `ok:${JSON.stringify(v)}`, (e: Error) => `err:${e.message}`);
    return [await run(ra), await run(rb)];
  }

  it('OBJECT FREQ / IDLETIME under the wrong policy, and the OOM error in and out of MULTI', async () => {
    for (const step of [
      (r: Redis) => r.set('k', 'v'),
      (r: Redis) => r.object('FREQ', 'k'),
      (r: Redis) => r.config('SET', 'maxmemory-policy', 'allkeys-lfu'),
      (r: Redis) => r.object('IDLETIME', 'k'),
      (r: Redis) => r.object('FREQ', 'nokey'),
      (r: Redis) => r.config('SET', 'maxmemory-policy', 'noeviction'),
      (r: Redis) => r.config('SET', 'maxmemory', '1'),
      (r: Redis) => r.set('x', 'y'),
      (r: Redis) => r.get('k'),
      (r: Redis) => r.multi().set('x', 'y').exec(),
      (r: Redis) => r.config('SET', 'maxmemory', '0'),
      (r: Redis) => r.config('GET', 'maxmemory-clients'),
    ]) {
      const [ref, ours] = await both(step);
      assert.equal(ours, ref);
    }
  });
});

/** the shared poll with this file's patience */
const until = (what: string, pred: () => Promise<boolean>, timeoutMs = 15000): Promise<void> => untilTrue(what, pred, timeoutMs);

async function infoField(r: Redis, section: string, field: string): Promise<string> {
  return new RegExp(`^${field}:(.*)$`, 'm').exec(await r.info(section))?.[1].trim() ?? '';
}

describe('evictions reach the AOF and replicas', () => {
  const running: RunningServer[] = [];
  const clients: Redis[] = [];
  after(async () => {
    for (const c of clients) c.disconnect();
    for (const s of running) await s.stop();
  });
  const open = (s: RunningServer) => {
    const c = new Redis({ port: s.port, host: '127.0.0.1', maxRetriesPerRequest: 1 });
    clients.push(c);
    return c;
  };

  it('the replica and an AOF restart hold the dataset of the primary after evictions (DEL and UNLINK)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'redoubt-evict-aof-'));
    let primary = await startRedoubt(['--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--repl-diskless-sync-delay', '0', '--maxmemory-policy', 'allkeys-lru'], { cwd: dir });
    running.push(primary);
    const replica = await startRedoubt();
    running.push(replica);
    const p = open(primary);
    const rr = open(replica);
    await rr.replicaof('127.0.0.1', String(primary.port));
    await until('link up', async () => (await infoField(rr, 'replication', 'master_link_status')) === 'up');

    await fill(p, 'a', 1000);
    await p.hset('h', 'f1', 'v1', 'f2', 'v2');
    await p.sadd('s', 'x', 'y');
    await limitTo(p, 300 * 1024);
    await fill(p, 'b', 4000);
    const delEvicted = await stat(p, 'evicted_keys');
    await p.config('SET', 'lazyfree-lazy-eviction', 'yes');
    await fill(p, 'c', 4000);
    const allEvicted = await stat(p, 'evicted_keys');
    assert.ok(delEvicted > 1000 && allEvicted - delEvicted > 1000, `evicted ${delEvicted} then ${allEvicted - delEvicted}`);
    // reads below must not evict more (their replies are client memory)
    await p.config('SET', 'maxmemory', '0');

    await until('replica caught up', async () =>
      (await infoField(p, 'replication', 'master_repl_offset')) === (await infoField(rr, 'replication', 'master_repl_offset')));
    const expected = await readDataset(primary.port);
    assert.ok(expected.dbs[0].size > 500 && expected.dbs[0].size < 9000, `primary keeps ${expected.dbs[0].size} keys`);
    assert.deepEqual(diffDatasets(expected, await readDataset(replica.port)), []);

    // the AOF holds both forms
    const aofDir = path.join(dir, 'appendonlydir');
    const aof = fs.readdirSync(aofDir).filter((f) => f.endsWith('.incr.aof')).map((f) => fs.readFileSync(path.join(aofDir, f), 'latin1')).join('');
    assert.match(aof, /\*2\r\n\$3\r\nDEL\r\n/);
    assert.match(aof, /\*2\r\n\$6\r\nUNLINK\r\n/);

    await primary.stop();
    running.splice(running.indexOf(primary), 1);
    primary = await startRedoubt(['--dir', dir, '--appendonly', 'yes'], { cwd: dir });
    running.push(primary);
    assert.deepEqual(diffDatasets(expected, await readDataset(primary.port)), []);
  });
});

describe('RDB IDLE / FREQ records (with redis-server)', { skip: redisServerBin() === null }, () => {
  const running: RunningServer[] = [];
  const clients: Redis[] = [];
  after(async () => {
    for (const c of clients) c.disconnect();
    for (const s of running) await s.stop();
  });
  async function start(kind: 'redoubt' | 'redis', dir: string, policy: string): Promise<Redis> {
    const args = ['--dir', dir, '--dbfilename', 'dump.rdb', '--maxmemory-policy', policy];
    const s = kind === 'redoubt' ? await startRedoubt(args, { cwd: dir }) : await startRedis(args);
    running.push(s);
    const c = new Redis({ port: s.port, host: '127.0.0.1', maxRetriesPerRequest: 1 });
    clients.push(c);
    return c;
  }
  async function stopAll(): Promise<void> {
    for (const c of clients.splice(0)) c.disconnect();
    for (const s of running.splice(0)) await s.stop();
  }

  it('LFU: our FREQ survives a save into redis-server and back; keys saved without FREQ load at 5', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'redoubt-rdb-lfu-'));
    let r = await start('redoubt', dir, 'allkeys-lfu');
    await r.set('hot', 'v');
    await r.set('cold', 'v');
    for (let n = 0; n < 20; n++) {
      const pl = r.pipeline();
      for (let i = 0; i < 100; i++) pl.get('hot');
      await pl.exec();
    }
    const freq = Number(await r.object('FREQ', 'hot'));
    assert.ok(freq > 5, `freq ${freq}`);
    await r.save();
    await stopAll();
    // redis-server reads our FREQ records
    r = await start('redis', dir, 'allkeys-lfu');
    assert.equal(Number(await r.object('FREQ', 'hot')), freq);
    assert.equal(Number(await r.object('FREQ', 'cold')), 5);
    await r.save();
    await stopAll();
    // and we read redis-server's
    r = await start('redoubt', dir, 'allkeys-lfu');
    assert.equal(Number(await r.object('FREQ', 'hot')), freq);
    assert.equal(Number(await r.object('FREQ', 'cold')), 5);
    // a file saved under an LRU policy has IDLE records, no FREQ: LFU_INIT_VAL on load
    await r.config('SET', 'maxmemory-policy', 'allkeys-lru');
    await r.save();
    await stopAll();
    r = await start('redoubt', dir, 'allkeys-lfu');
    assert.equal(Number(await r.object('FREQ', 'hot')), 5);
    await stopAll();
  });

  it('LRU: idle time is saved as IDLE and restored (ours read by redis-server, and back)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'redoubt-rdb-lru-'));
    let r = await start('redoubt', dir, 'allkeys-lru');
    await r.set('old', 'v');
    await new Promise((res) => setTimeout(res, 3200));
    await r.set('new', 'v');
    await r.save();
    await stopAll();
    r = await start('redis', dir, 'allkeys-lru');
    const idle = Number(await r.object('IDLETIME', 'old'));
    assert.ok(idle >= 2 && idle <= 6, `redis-server idle ${idle}`);
    assert.ok(Number(await r.object('IDLETIME', 'new')) <= 1);
    await r.save();
    await stopAll();
    r = await start('redoubt', dir, 'allkeys-lru');
    const back = Number(await r.object('IDLETIME', 'old'));
    assert.ok(back >= 2 && back <= 7, `idle after reload ${back}`);
    assert.ok(Number(await r.object('IDLETIME', 'new')) <= 2);
    await stopAll();
  });
});
