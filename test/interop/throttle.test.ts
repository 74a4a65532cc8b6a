/*
 * CL.THROTTLE and INCREX on running servers: redis-cell's documented examples over the wire; the
 * same key bytes and deadline on a Redoubt replica and after an AOF restart (both commands are
 * propagated as SET ... PXAT, never recomputed against another clock); and the classic
 * INCR + EXPIRE rate-limit patterns (MULTI/EXEC, SET NX EX, INCREX ... ENX) staying exact under
 * many concurrent clients.
 */

import { describe, it, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startRedoubt, type RunningServer } from '../support/servers';
import { RawConn } from '../support/dataset';
import type { RespValue } from '../support/resp';
import { until as untilTrue } from '../support/poll';

const running: RunningServer[] = [];
after(async () => {
  for (const s of running) await s.stop();
});

async function server(args: string[] = [], cwd?: string): Promise<RunningServer> {
  const s = await startRedoubt(args, cwd ? { cwd } : {});
  running.push(s);
  return s;
}

const call = RawConn.callOnce;

function ints(v: RespValue): number[] {
  assert.ok(Array.isArray(v.v), JSON.stringify(v));
  return (v.v as RespValue[]).map((x) => Number(x.v));
}

/** the shared poll with this file's patience */
const until = (what: string, pred: () => Promise<boolean>, timeoutMs = 15000): Promise<void> => untilTrue(what, pred, timeoutMs);

async function infoField(port: number, section: string, field: string): Promise<string> {
  const text = String((await call(port, 'INFO', section)).v);
  return new RegExp(`^${field}:(.*)$`, 'm').exec(text)?.[1].trim() ?? '';
}

/** Value bytes and absolute deadline of each key. */
async function snapshot(port: number, keys: string[]): Promise<string[]> {
  const c = await RawConn.open(port);
  try {
    const out: string[] = [];
    for (const k of keys) {
      const [v, t] = await c.pipeline([['GET', k], ['PEXPIRETIME', k]]);
      out.push(`${k}=${JSON.stringify(v.v)} @${t.v}`);
    }
    return out;
  } finally {
    c.close();
  }
}

describe('CL.THROTTLE documented examples over the wire', () => {
  it('answers the README example and the e2e retry sequence', async () => {
    const s = await server();
    assert.deepEqual(ints(await call(s.port, 'CL.THROTTLE', 'user123', '15', '30', '60')), [0, 16, 15, -1, 2]);
    assert.deepEqual(ints(await call(s.port, 'CL.THROTTLE', 'user123-read-rate', '15', '30', '60')), [0, 16, 15, -1, 2]);
    assert.deepEqual(ints(await call(s.port, 'CL.THROTTLE', 'user123-write-rate', '5', '10', '60')), [0, 6, 5, -1, 6]);
    const first = ints(await call(s.port, 'CL.THROTTLE', 'e2e', '0', '1', '2', '1'));
    assert.deepEqual(first, [0, 1, 0, -1, 2]);
    const second = ints(await call(s.port, 'CL.THROTTLE', 'e2e', '0', '1', '2', '1'));
    assert.deepEqual(second, [1, 1, 0, 2, 2]);
    await new Promise((r) => setTimeout(r, second[3] * 1000));
    assert.deepEqual(ints(await call(s.port, 'CL.THROTTLE', 'e2e', '0', '1', '2', '1')), [0, 1, 0, -1, 2]);
  });
});

describe('replication and AOF store exactly what the primary computed', () => {
  it('a Redoubt replica and an AOF restart hold the same bytes and deadlines', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'redoubt-throttle-'));
    let primary = await server(['--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--repl-diskless-sync-delay', '0'], dir);
    const replica = await server();
    assert.equal((await call(replica.port, 'REPLICAOF', '127.0.0.1', String(primary.port))).v, 'OK');
    await until('link up', async () => (await infoField(replica.port, 'replication', 'master_link_status')) === 'up');

    const c = await RawConn.open(primary.port);
    const keys = ['gcra', 'gcra2', 'cnt', 'cntf', 'win', 'sat', 'gone'];
    try {
      const replies = await c.pipeline([
        ['CL.THROTTLE', 'gcra', '15', '30', '60'],
        ['CL.THROTTLE', 'gcra', '15', '30', '60', '3'],
        ['CL.THROTTLE', 'gcra2', '0', '1', '60'],
        ['CL.THROTTLE', 'gcra2', '0', '1', '60'], // limited: nothing propagated
        ['INCREX', 'cnt', 'BYINT', '5', 'EX', '100'],
        ['INCREX', 'cnt', 'BYINT', '5', 'PX', '250000', 'ENX'],
        ['INCREX', 'cntf', 'BYFLOAT', '10.5'],
        ['INCREX', 'cntf', 'BYFLOAT', '0.1', 'EXAT', '4102444800'],
        ['INCREX', 'win', 'UBOUND', '2', 'EX', '60', 'ENX'],
        ['INCREX', 'win', 'UBOUND', '2', 'EX', '60', 'ENX'],
        ['INCREX', 'win', 'UBOUND', '2', 'EX', '60', 'ENX'],
        ['INCREX', 'sat', 'BYINT', '100', 'UBOUND', '42', 'SATURATE', 'PERSIST'],
        ['SET', 'gone', '1'],
        ['INCREX', 'gone', 'PXAT', '1'],
      ]);
      assert.deepEqual(ints(replies[3]).slice(0, 1), [1]);
      assert.deepEqual(ints(replies[10]), [2, 0]);
      assert.deepEqual(replies[7], { t: '*', v: [{ t: '$', v: '10.6' }, { t: '$', v: '0.1' }] });
    } finally {
      c.close();
    }
    const expected = await snapshot(primary.port, keys);
    assert.match(expected[0], /^gcra="\d{19}" @\d+$/);
    assert.ok(expected.includes('cntf="10.6" @4102444800000'));
    assert.ok(expected.includes('gone=null @-2'));

    await until('replica caught up', async () =>
      (await infoField(primary.port, 'replication', 'master_repl_offset')) === (await infoField(replica.port, 'replication', 'master_repl_offset')));
    assert.deepEqual(await snapshot(replica.port, keys), expected);

    await primary.stop();
    running.splice(running.indexOf(primary), 1);
    primary = await server(['--dir', dir, '--appendonly', 'yes'], dir);
    assert.deepEqual(await snapshot(primary.port, keys), expected);
  });
});

describe('INCR + EXPIRE rate-limit patterns under concurrency', () => {
  const CLIENTS = 20;
  const ROUNDS = 50;

  async function hammer(port: number, body: (c: RawConn, i: number) => Promise<void>): Promise<void> {
    const conns = await Promise.all(Array.from({ length: CLIENTS }, () => RawConn.open(port)));
    try {
      await Promise.all(conns.map(async (c) => {
        for (let i = 0; i < ROUNDS; i++) await body(c, i);
      }));
    } finally {
      for (const c of conns) c.close();
    }
  }

  it('MULTI INCR / EXPIRE NX, SET NX EX + INCR and INCREX ENX count every hit and set one window', async () => {
    const s = await server();
    await hammer(s.port, async (c) => {
      const [, , , exec] = await c.pipeline([['MULTI'], ['INCR', 'multi'], ['EXPIRE', 'multi', '100', 'NX'], ['EXEC']]);
      assert.equal(exec.t, '*');
      const [setnx, incr] = await c.pipeline([['SET', 'setnx', '0', 'EX', '100', 'NX'], ['INCR', 'setnx']]);
      assert.ok(setnx.t === '+' || setnx.t === '$', JSON.stringify(setnx));
      assert.equal(incr.t, ':');
      const r = await c.call('INCREX', 'increx', 'EX', '100', 'ENX');
      assert.equal(r.t, '*');
    });
    const total = String(CLIENTS * ROUNDS);
    for (const k of ['multi', 'setnx', 'increx']) {
      assert.equal((await call(s.port, 'GET', k)).v, total, k);
      const ttl = Number((await call(s.port, 'TTL', k)).v);
      assert.ok(ttl > 90 && ttl <= 100, `${k} ttl ${ttl}`);
    }
  });

  it('INCREX UBOUND admits exactly the cap across concurrent clients', async () => {
    const s = await server();
    let admitted = 0;
    await hammer(s.port, async (c) => {
      const r = ints(await c.call('INCREX', 'cap', 'UBOUND', '137', 'EX', '60', 'ENX'));
      if (r[1] === 1) admitted++;
    });
    assert.equal(admitted, 137);
    assert.equal((await call(s.port, 'GET', 'cap')).v, '137');
  });

  it('CL.THROTTLE admits exactly the burst across concurrent clients', async () => {
    const s = await server();
    let admitted = 0;
    await hammer(s.port, async (c) => {
      // 1 per hour: only the burst (49 + 1) can pass within the test
      const r = ints(await c.call('CL.THROTTLE', 'burst', '49', '1', '3600'));
      if (r[0] === 0) admitted++;
    });
    assert.equal(admitted, 50);
  });
});
