/*
 * Attacks on authentication and on ACL enforcement, against a started Redoubt with a password
 * (scrypt-hashed, the default): oversized frames before AUTH from many connections, a client that
 * never reads its NOAUTH replies, AUTH brute force while legitimate clients keep being served,
 * permissions revoked in the middle of a session, deleted and expired users, and the
 * re-authentication control Redoubt adds (a user denied `auth` cannot switch identity).
 */

import { describe, it, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import * as fs from 'node:fs';
import { startRedoubt, type RunningServer } from '../support/servers';
import { encodeCommand } from '../support/resp';
import { Client } from '../interop/rawclient';

const PASS = 'attack-test-secret';

function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

/** Sends bytes, collects what comes back until the server closes (or the timeout). */
function attack(port: number, bytes: Buffer, waitMs = 3000): Promise<{ reply: string; closed: boolean }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let closed = false;
    const s = net.connect(port, '127.0.0.1', () => s.write(bytes));
    s.on('data', (d) => chunks.push(d));
    s.on('error', () => {});
    const done = () => {
      clearTimeout(t);
      s.destroy();
      resolve({ reply: Buffer.concat(chunks).toString('latin1'), closed });
    };
    s.on('close', () => { closed = true; done(); });
    const t = setTimeout(done, waitMs);
  });
}

async function authed(port: number, user = 'default', pass = PASS): Promise<Client> {
  const c = await Client.open(port);
  assert.deepEqual(await c.call('AUTH', user, pass), { t: '+', v: 'OK' });
  return c;
}

function infoField(info: string, name: string): number {
  const m = new RegExp(`^${name}:(\\d+)`, 'm').exec(info);
  assert.ok(m, `INFO has ${name}`);
  return Number(m[1]);
}

describe('authentication attacks', () => {
  let server: RunningServer;
  let admin: Client;
  before(async () => {
    // auth-timeout is raised so a slow machine hashing the brute-force batch (200 scrypt checks)
    // never hits it: this suite is about the guesses, test/security/hardening covers the timeout
    server = await startRedoubt(['--requirepass', PASS, '--hz', '50', '--auth-timeout', '300']);
    admin = await authed(server.port);
  });
  after(async () => {
    admin?.close();
    await server?.stop();
  });

  const alive = async () => {
    assert.equal(server.proc.exitCode, null, 'the server process is still running');
    assert.deepEqual(await admin.call('PING'), { t: '+', v: 'PONG' });
  };

  it('a new connection must authenticate; only AUTH HELLO QUIT RESET run before', async () => {
    const c = await Client.open(server.port);
    assert.deepEqual(await c.call('GET', 'x'), { t: '-', v: 'NOAUTH Authentication required.' });
    assert.deepEqual(await c.call('RESET'), { t: '+', v: 'RESET' });
    assert.deepEqual(await c.call('AUTH', 'wrong'), { t: '-', v: 'WRONGPASS invalid username-password pair or user is disabled.' });
    assert.deepEqual(await c.call('AUTH', PASS), { t: '+', v: 'OK' });
    assert.deepEqual(await c.call('PING'), { t: '+', v: 'PONG' });
    assert.deepEqual(await c.call('QUIT'), { t: '+', v: 'OK' });
    c.close();
  });

  it('oversized frames before AUTH from many connections are cut off and cost little memory', async () => {
    const before = rssKb(server.proc.pid!);
    const big = Buffer.concat([Buffer.from('*2\r\n$4\r\nAUTH\r\n$10000000\r\n'), Buffer.alloc(60000, 'a')]);
    const many = Buffer.from('*100000\r\n');
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => attack(server.port, i % 2 ? big : many)));
    for (const [i, r] of results.entries()) {
      const msg = i % 2 ? 'unauthenticated bulk length' : 'unauthenticated multibulk length';
      assert.deepEqual(r, { reply: `-ERR Protocol error: ${msg}\r\n`, closed: true });
    }
    const grown = rssKb(server.proc.pid!) - before;
    assert.ok(grown < 64 * 1024, `100 oversized pre-auth frames grew RSS by ${grown} KB`);
    await alive();
  });

  it('a client that never reads its NOAUTH replies is disconnected, memory stays bounded', async () => {
    const before = rssKb(server.proc.pid!);
    const logged = () => server.output().split('overcoming of output buffer limits').length - 1;
    const disconnectsBefore = logged();
    const s = net.connect(server.port, '127.0.0.1');
    s.on('error', () => {});
    let closed = false;
    s.on('close', () => (closed = true));
    await new Promise((r) => s.once('connect', r));
    s.pause(); // never read
    const burst = Buffer.from('PING\r\n'.repeat(100000)); // 600 KB in, 3.4 MB of NOAUTH out
    let sent = 0;
    let peak = 0;
    while (!closed && sent < 200 * burst.length) {
      if (!s.write(burst)) await new Promise((r) => { s.once('drain', r); setTimeout(r, 200); });
      sent += burst.length;
      peak = Math.max(peak, rssKb(server.proc.pid!) - before);
    }
    const deadline = Date.now() + 5000;
    while (!closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    s.destroy();
    assert.ok(closed, 'the server closed the connection');
    assert.ok(peak < 96 * 1024, `RSS grew by ${peak} KB`);
    assert.ok(logged() > disconnectsBefore, 'the output-limit disconnection was logged');
    await alive();
  });

  it('brute force: every guess fails, is counted and logged, and other clients keep being served', async () => {
    await admin.call('ACL', 'LOG', 'RESET');
    const before = infoField(String((await admin.call('INFO', 'stats'))!.v), 'acl_access_denied_auth');
    const attackers = await Promise.all(Array.from({ length: 8 }, () => Client.open(server.port)));
    const guesses = 25;
    let stop = false;
    const latencies: number[] = [];
    const probe = (async () => {
      while (!stop) {
        const t0 = process.hrtime.bigint();
        assert.deepEqual(await admin.call('PING'), { t: '+', v: 'PONG' });
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    const replies = await Promise.all(attackers.map(async (c, i) => {
      // pipelined: a whole batch of guesses arrives in one read
      c.sock.write(Buffer.concat(Array.from({ length: guesses }, (_, k) => encodeCommand(['AUTH', `guess-${i}-${k}`]))));
      const out = [];
      for (let k = 0; k < guesses; k++) out.push(await c.read(60000));
      return out;
    }));
    stop = true;
    await probe;
    for (const rs of replies) for (const r of rs) assert.deepEqual(r, { t: '-', v: 'WRONGPASS invalid username-password pair or user is disabled.' });
    for (const c of attackers) {
      assert.deepEqual(await c.call('GET', 'x'), { t: '-', v: 'NOAUTH Authentication required.' });
      c.close();
    }
    const info = String((await admin.call('INFO', 'stats'))!.v);
    assert.equal(infoField(info, 'acl_access_denied_auth') - before, attackers.length * guesses);
    // similar failures merge into one ACL LOG entry (same reason, object, user)
    const log = (await admin.call('ACL', 'LOG')) as { v: { v: { v: unknown }[] }[] };
    assert.equal(log.v.length, 1);
    assert.equal(Number(log.v[0].v[1].v), attackers.length * guesses);
    latencies.sort((a, b) => a - b);
    const worst = latencies[latencies.length - 1];
    assert.ok(latencies.length > 5, 'the probe ran during the attack');
    // scrypt runs on the thread pool: a PING never waits for a batch of guesses to be hashed
    assert.ok(worst < 1000, `a PING took ${worst.toFixed(1)} ms during the brute force`);
  });

  it('the right password after wrong ones works, and a second AUTH is fast (verified cache)', async () => {
    const c = await Client.open(server.port);
    assert.equal((await c.call('AUTH', 'nope'))!.t, '-');
    assert.deepEqual(await c.call('AUTH', PASS), { t: '+', v: 'OK' });
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < 20; i++) assert.deepEqual(await c.call('AUTH', PASS), { t: '+', v: 'OK' });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    assert.ok(ms < 500, `20 cached AUTHs took ${ms} ms`);
    c.close();
  });

  it('commands pipelined after a slow AUTH wait for it and run as the new user, in order', async () => {
    assert.deepEqual(await admin.call('ACL', 'SETUSER', 'pipe1', 'on', '>pipe-pass', '+@all', '~*'), { t: '+', v: 'OK' });
    const c = await Client.open(server.port);
    c.sock.write(Buffer.concat([
      encodeCommand(['AUTH', 'pipe1', 'pipe-pass']),
      encodeCommand(['ACL', 'WHOAMI']),
      encodeCommand(['AUTH', 'pipe1', 'bad']),
      encodeCommand(['ACL', 'WHOAMI']),
    ]));
    assert.deepEqual(await c.read(), { t: '+', v: 'OK' });
    assert.deepEqual(await c.read(), { t: '$', v: 'pipe1' });
    assert.equal((await c.read())!.t, '-');
    assert.deepEqual(await c.read(), { t: '$', v: 'pipe1' });
    c.close();
    await admin.call('ACL', 'DELUSER', 'pipe1');
  });

  it('revoked permissions apply to the very next command of an open session', async () => {
    await admin.call('ACL', 'SETUSER', 'rev1', 'on', '>p1', '+@all', '~*');
    const c = await authed(server.port, 'rev1', 'p1');
    assert.deepEqual(await c.call('SET', 'doc:1', 'v'), { t: '+', v: 'OK' });
    await admin.call('ACL', 'SETUSER', 'rev1', '-set');
    assert.deepEqual(await c.call('SET', 'doc:1', 'w'), { t: '-', v: "NOPERM this user has no permissions to run the 'set' command" });
    await admin.call('ACL', 'SETUSER', 'rev1', 'resetkeys', '~pub:*');
    assert.deepEqual(await c.call('GET', 'doc:1'), { t: '-', v: 'NOPERM this user has no permissions to access one of the keys used as arguments' });
    assert.deepEqual(await c.call('GET', 'pub:1'), { t: '$', v: null });
    // `off` stops new logins only, as in Redis
    await admin.call('ACL', 'SETUSER', 'rev1', 'off');
    assert.deepEqual(await c.call('GET', 'pub:1'), { t: '$', v: null });
    assert.equal((await (await Client.open(server.port)).call('AUTH', 'rev1', 'p1'))!.t, '-');
    const info = String((await admin.call('INFO', 'stats'))!.v);
    assert.ok(infoField(info, 'acl_access_denied_cmd') >= 1);
    assert.ok(infoField(info, 'acl_access_denied_key') >= 1);
    c.close();
    await admin.call('ACL', 'DELUSER', 'rev1');
  });

  it('ACL DELUSER closes every session of that user; CLIENT LIST shows user=', async () => {
    await admin.call('ACL', 'SETUSER', 'gone1', 'on', '>p1', '+@all', '~*');
    const a = await authed(server.port, 'gone1', 'p1');
    const b = await authed(server.port, 'gone1', 'p1');
    const list = String((await admin.call('CLIENT', 'LIST'))!.v);
    assert.equal(list.split('\n').filter((l) => / user=gone1 /.test(l)).length, 2);
    assert.deepEqual(await admin.call('ACL', 'DELUSER', 'gone1'), { t: ':', v: '1' });
    assert.equal(await a.read(1000), null);
    assert.equal(await b.read(1000), null);
    assert.ok(a.closed && b.closed);
    await alive();
  });

  it('CLIENT KILL USER closes that user\'s sessions only', async () => {
    await admin.call('ACL', 'SETUSER', 'kill1', 'on', '>p1', '+@all', '~*');
    const a = await authed(server.port, 'kill1', 'p1');
    const other = await authed(server.port);
    assert.deepEqual(await admin.call('CLIENT', 'KILL', 'USER', 'kill1'), { t: ':', v: '1' });
    assert.equal(await a.read(1000), null);
    assert.deepEqual(await other.call('PING'), { t: '+', v: 'PONG' });
    a.close();
    other.close();
    await admin.call('ACL', 'DELUSER', 'kill1');
  });

  it('an expired user cannot authenticate and its open sessions are closed', async () => {
    const at = Math.floor(Date.now() / 1000) + 2;
    assert.deepEqual(await admin.call('ACL', 'SETUSER', 'temp1', 'on', '>p1', '+@all', '~*', `expireat:${at}`), { t: '+', v: 'OK' });
    const c = await authed(server.port, 'temp1', 'p1');
    assert.deepEqual(await c.call('PING'), { t: '+', v: 'PONG' });
    while (Date.now() < at * 1000 + 300) await new Promise((r) => setTimeout(r, 100));
    assert.equal(await c.read(1000), null);
    assert.ok(c.closed, 'the expired user\'s session was closed');
    await admin.call('ACL', 'LOG', 'RESET');
    const late = await Client.open(server.port);
    assert.deepEqual(await late.call('AUTH', 'temp1', 'p1'), { t: '-', v: 'WRONGPASS invalid username-password pair or user is disabled.' });
    late.close();
    const log = (await admin.call('ACL', 'LOG', '1')) as { v: { v: { v: unknown }[] }[] };
    const fields = log.v[0].v.map((x) => x.v);
    assert.equal(fields[fields.indexOf('reason') + 1], 'auth');
    assert.equal(fields[fields.indexOf('username') + 1], 'temp1');
    // noexpire lets the user in again
    await admin.call('ACL', 'SETUSER', 'temp1', 'noexpire');
    (await authed(server.port, 'temp1', 'p1')).close();
    await admin.call('ACL', 'DELUSER', 'temp1');
  });

  it('re-authentication control: a user denied `auth` cannot switch identity', async () => {
    await admin.call('ACL', 'SETUSER', 'app1', 'on', '>p1', '+@all', '-auth', '~*');
    const c = await authed(server.port, 'app1', 'p1'); // the first AUTH runs before authentication
    const denied = { t: '-', v: "NOPERM this user has no permissions to run the 'auth' command" };
    assert.deepEqual(await c.call('AUTH', 'default', PASS), denied);
    assert.deepEqual(await c.call('AUTH', PASS), denied);
    assert.deepEqual(await c.call('HELLO', '3', 'AUTH', 'default', PASS), denied);
    assert.equal((await c.call('ACL', 'WHOAMI'))!.v, 'app1');
    // HELLO without AUTH and RESET still work
    assert.equal((await c.call('HELLO', '2'))!.t, '*');
    assert.deepEqual(await c.call('RESET'), { t: '+', v: 'RESET' });
    assert.deepEqual(await c.call('AUTH', 'default', PASS), { t: '+', v: 'OK' });
    // Redis's behaviour comes back by granting +auth
    await admin.call('ACL', 'SETUSER', 'app1', '+auth');
    const d = await authed(server.port, 'app1', 'p1');
    assert.deepEqual(await d.call('AUTH', 'default', PASS), { t: '+', v: 'OK' });
    c.close();
    d.close();
    await admin.call('ACL', 'DELUSER', 'app1');
  });
});
