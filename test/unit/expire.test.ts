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

/* ---- EXPIRE family propagation, through the handlers with a minimal context ---- */

import { COMMANDS as KEY_COMMANDS } from '../../src/commands/keys';
import { COMMANDS as DB_COMMANDS } from '../../src/commands/databases';
import { Reply } from '../../src/protocol/reply';
import type { CommandSpec } from '../../src/commands/table';

function harness() {
  const hooks = { onExpired: () => {} };
  const dbs = [new Database(0, hooks), new Database(1, hooks)];
  const propagated: [number, string[]][] = [];
  const server = {
    dbs, dirty: 0, lruClock: 0,
    stats: { keyspaceHits: 0, keyspaceMisses: 0 },
    config: { lookup: (_: string) => undefined },
    propagate: (db: number, argv: string[]) => propagated.push([db, argv]),
    signalModifiedKey: () => {},
    notifyKeyspaceEvent: () => {},
    touchAllWatchedKeysInDb: () => {},
    keysMayBeReady: () => {},
    tracking: { flushed: () => {} },
  };
  const client = { dbIndex: 0 };
  const specs = new Map<string, CommandSpec>();
  for (const s of [...KEY_COMMANDS, ...DB_COMMANDS]) specs.set(s.name, s);
  const run = (...argv: string[]) => {
    const reply = new Reply();
    const ctx: any = { argv, cmd: { fullname: argv[0].toLowerCase() }, client, db: dbs[client.dbIndex], reply, server, now: Date.now(), propagateAs: null };
    specs.get(argv[0].toLowerCase())!.handler!(ctx);
    return { out: reply.out, propagateAs: ctx.propagateAs as string[][] | null };
  };
  return { run, server, propagated, dbs };
}

describe('expire propagation', () => {
  it('propagates relative and second-based times as PEXPIREAT in ms, keeping the options', () => {
    const { run, dbs } = harness();
    dbs[0].set('k', new RObj('string', 'v', 'embstr', 0));
    const before = Date.now();
    const r = run('EXPIRE', 'k', '100', 'NX');
    assert.equal(r.out, ':1\r\n');
    const [argv] = r.propagateAs!;
    assert.equal(argv[0], 'PEXPIREAT');
    assert.equal(argv[1], 'k');
    const when = Number(argv[2]);
    assert.ok(when >= before + 100_000 && when <= Date.now() + 100_000);
    assert.equal(argv[3], 'NX');
    assert.deepEqual(run('EXPIREAT', 'k', '4102444800').propagateAs, [['PEXPIREAT', 'k', '4102444800000']]);
    assert.deepEqual(run('PEXPIREAT', 'k', '4102444800001', 'GT').propagateAs, [['PEXPIREAT', 'k', '4102444800001', 'GT']]);
    assert.equal(run('PEXPIRE', 'k', '5000').propagateAs![0][0], 'PEXPIREAT');
  });

  it('propagates a time in the past as DEL, and nothing when nothing changed', () => {
    const { run, dbs, server } = harness();
    dbs[0].set('k', new RObj('string', 'v', 'embstr', 0));
    const dirty = server.dirty;
    assert.equal(run('EXPIRE', 'k', '-1').out, ':1\r\n');
    assert.equal(dbs[0].size, 0);
    assert.equal(server.dirty, dirty + 1);
    const r = run('EXPIRE', 'k', '10');
    assert.equal(r.out, ':0\r\n');
    assert.equal(server.dirty, dirty + 1);
  });

  it('keeps a PEXPIREAT beyond 2^53 exact', () => {
    const { run, dbs } = harness();
    dbs[0].set('k', new RObj('string', 'v', 'embstr', 0));
    run('PEXPIREAT', 'k', '9223372036854775807');
    assert.equal(run('PEXPIRETIME', 'k').out, ':9223372036854775807\r\n');
    run('RENAME', 'k', 'j');
    assert.equal(run('PEXPIRETIME', 'j').out, ':9223372036854775807\r\n');
    run('PERSIST', 'j');
    assert.equal(dbs[0].bigExpires.size, 0);
  });

  it('propagates FLUSHDB even on an empty database', () => {
    const { run, propagated } = harness();
    run('FLUSHDB');
    assert.deepEqual(propagated, [[0, ['FLUSHDB']]]);
  });
});
