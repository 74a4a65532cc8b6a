/*
 * Connection hardening, attacked over loopback: maxclients, the idle timeout, auth-timeout for
 * connections that never authenticate, the per-address limits on concurrent and on new
 * connections, a client trickling its request a byte at a time, and the cross-protocol (HTTP)
 * defence with its once-a-minute log. Each limit is attacked and then shown not to hurt a
 * well-behaved client.
 */

import { describe, it, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { startRedoubt, type RunningServer } from '../support/servers';

interface Raw {
  sock: net.Socket;
  data(): string;
  closed: Promise<void>;
  isClosed(): boolean;
}

function raw(port: number, host = '127.0.0.1'): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ port, host });
    let buf = '';
    let done = false;
    sock.setEncoding('latin1');
    sock.on('data', (d: string) => (buf += d));
    const closed = new Promise<void>((r) => sock.on('close', () => { done = true; r(); }));
    sock.on('error', () => { /* close follows */ });
    sock.once('connect', () => resolve({ sock, data: () => buf, closed, isClosed: () => done }));
    sock.once('error', reject);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(ok: () => boolean, ms = 3000): Promise<boolean> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) return false;
    await sleep(10);
  }
  return true;
}

async function command(port: number, req: string): Promise<string> {
  const c = await raw(port);
  c.sock.write(req);
  await until(() => c.data().endsWith('\r\n'));
  c.sock.destroy();
  return c.data();
}

const statField = async (port: number, field: string, auth = '') => {
  const out = await command(port, `${auth}INFO stats\r\n`);
  const m = new RegExp(`^${field}:(\\d+)`, 'm').exec(out);
  return m === null ? -1 : Number(m[1]);
};

describe('connection hardening', () => {
  const servers: RunningServer[] = [];
  const sockets: net.Socket[] = [];
  const start = async (args: string[]) => {
    const s = await startRedoubt(args);
    servers.push(s);
    return s;
  };
  const open = async (port: number) => {
    const c = await raw(port);
    sockets.push(c.sock);
    return c;
  };
  after(async () => {
    for (const s of sockets) s.destroy();
    await Promise.all(servers.map((s) => s.stop()));
  });

  it('maxclients: the next client gets Redis\'s error and is disconnected', async () => {
    const s = await start(['--maxclients', '2']);
    const a = await open(s.port);
    const b = await open(s.port);
    const c = await open(s.port);
    await c.closed;
    assert.equal(c.data(), '-ERR max number of clients reached\r\n');
    a.sock.write('PING\r\n');
    assert.ok(await until(() => a.data() === '+PONG\r\n'));
    b.sock.destroy();
    await sleep(50);
    const d = await open(s.port);
    d.sock.write('PING\r\n');
    assert.ok(await until(() => d.data() === '+PONG\r\n'));
  });

  it('timeout: an idle client is closed, an active one is not', async () => {
    const s = await start(['--timeout', '1']);
    const idle = await open(s.port);
    const busy = await open(s.port);
    const t0 = Date.now();
    const keepBusy = setInterval(() => busy.sock.write('PING\r\n'), 200);
    await idle.closed;
    clearInterval(keepBusy);
    assert.ok(Date.now() - t0 >= 900, 'closed only after the timeout');
    assert.equal(busy.isClosed(), false);
  });

  describe('auth-timeout', () => {
    it('closes connections that never authenticate; authenticated ones stay', async () => {
      const s = await start(['--requirepass', 'pw', '--auth-timeout', '1']);
      const lazy = await open(s.port);
      const good = await open(s.port);
      good.sock.write('AUTH pw\r\n');
      assert.ok(await until(() => good.data() === '+OK\r\n'));
      await lazy.closed;
      await sleep(300);
      assert.equal(good.isClosed(), false);
      assert.equal(await statField(s.port, 'redoubt_auth_timeouts', 'AUTH pw\r\n'), 1);
    });

    it('does not apply when no authentication is required', async () => {
      const s = await start(['--auth-timeout', '1']);
      const c = await open(s.port);
      await sleep(1600);
      assert.equal(c.isClosed(), false);
      c.sock.write('PING\r\n');
      assert.ok(await until(() => c.data() === '+PONG\r\n'));
    });

    it('defaults to 10 seconds', async () => {
      const s = await start([]);
      assert.equal(await command(s.port, 'CONFIG GET auth-timeout\r\n'), '*2\r\n$12\r\nauth-timeout\r\n$2\r\n10\r\n');
    });

    it('a client trickling one byte at a time cannot hold the server, and is closed', async () => {
      const s = await start(['--requirepass', 'pw', '--auth-timeout', '1']);
      const slow = await open(s.port);
      // an AUTH whose password bulk never completes: one byte every 100 ms
      slow.sock.write('*2\r\n$4\r\nAUTH\r\n$100\r\n');
      const drip = setInterval(() => { if (!slow.isClosed()) slow.sock.write('x'); }, 100);
      // meanwhile everybody else is served at once
      for (let k = 0; k < 5; k++) {
        assert.equal(await command(s.port, 'AUTH pw\r\nPING\r\n').then((r) => r.slice(0, 5)), '+OK\r\n');
      }
      await slow.closed;
      clearInterval(drip);
      assert.equal(slow.data(), '');
    });
  });

  describe('per-address limits', () => {
    it('maxclients-per-ip refuses the extra connection and admits again once one closes', async () => {
      const s = await start(['--maxclients-per-ip', '2']);
      const a = await open(s.port);
      const b = await open(s.port);
      const c = await open(s.port);
      await c.closed;
      assert.equal(c.data(), '-ERR max number of clients from this address reached\r\n');
      a.sock.destroy();
      await sleep(50);
      const d = await open(s.port);
      d.sock.write('PING\r\n');
      assert.ok(await until(() => d.data() === '+PONG\r\n'));
      b.sock.destroy();
      d.sock.destroy();
      await sleep(50);
      assert.equal(await statField(s.port, 'redoubt_rejected_per_ip_limit'), 1);
      assert.equal(await statField(s.port, 'rejected_connections'), 1);
      assert.equal(await command(s.port, 'CONFIG RESETSTAT\r\n'), '+OK\r\n');
      assert.equal(await statField(s.port, 'redoubt_rejected_per_ip_limit'), 0);
    });

    it('max-new-connections-per-ip-per-second refuses a connection flood', async () => {
      const s = await start(['--max-new-connections-per-ip-per-second', '3']);
      // start right after a second boundary so the burst falls in one window
      await sleep(1000 - (Date.now() % 1000) + 20);
      const burst = await Promise.all(Array.from({ length: 8 }, () => open(s.port)));
      await sleep(200);
      const refused = burst.filter((c) => c.data().startsWith('-ERR too many new connections from this address'));
      assert.ok(refused.length >= 5, `refused ${refused.length} of 8`);
      for (const c of burst) c.sock.destroy();
      await sleep(1100);
      const ok = await open(s.port);
      ok.sock.write('PING\r\n');
      assert.ok(await until(() => ok.data() === '+PONG\r\n'));
      const log = s.output();
      assert.match(log, /Refused connection from 127\.0\.0\.1:\d+: too many new connections per second/);
      // at most one log line a second for the flood
      assert.ok((log.match(/too many new connections per second/g) ?? []).length <= 2);
    });
  });

  it('cross-protocol requests are dropped, and logged once a minute', async () => {
    const s = await start([]);
    for (const req of ['POST / HTTP/1.1\r\nHost: x\r\n\r\n', 'Host: example.com\r\n', 'POST /x HTTP/1.0\r\n\r\n']) {
      const c = await open(s.port);
      c.sock.write(req);
      await c.closed;
      assert.equal(c.data(), '');
    }
    await sleep(100);
    const hits = s.output().match(/Possible SECURITY ATTACK detected/g) ?? [];
    assert.equal(hits.length, 1);
  });
});
