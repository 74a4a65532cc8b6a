/*
 * Listeners as the operator configures them, checked from this host: several bind addresses
 * (IPv4 and IPv6 loopback), the optional '-' prefix, '*' and '::*', `port 0`, the Unix socket and
 * its permissions (never looser than unixsocketperm, not even for an instant: CVE-2023-45145),
 * tcp-backlog and tcp-keepalive as the kernel reports them (ss), and the start-up refusal for a
 * passwordless default user on a non-loopback address — which is tested here with the wildcard
 * addresses, so that nothing ever listens on the network unauthenticated while the test runs.
 */

import { describe, it, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { startRedoubt, startRedis, type RunningServer } from '../support/servers';

const cli = (args: string[]) => {
  const r = spawnSync('redis-cli', args, { encoding: 'latin1', timeout: 5000 });
  return ((r.stdout ?? '') + (r.stderr ?? '')).trim();
};

const ss = (args: string[]) => spawnSync('ss', args, { encoding: 'latin1' }).stdout ?? '';
const hasSs = spawnSync('ss', ['-V']).status === 0;

async function exitOf(s: RunningServer): Promise<number | null> {
  return new Promise((resolve) => {
    if (s.proc.exitCode !== null) resolve(s.proc.exitCode);
    else s.proc.once('exit', (c) => resolve(c));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('listeners', () => {
  const servers: RunningServer[] = [];
  const start = async (args: string[], opts: { wait?: boolean; cwd?: string } = {}) => {
    const s = await startRedoubt(args, opts);
    servers.push(s);
    return s;
  };
  after(async () => {
    await Promise.all(servers.map((s) => s.stop()));
  });

  it('listens on every bind address, IPv4 and IPv6', async () => {
    const s = await start(['--bind', '127.0.0.1', '127.0.0.2', '::1']);
    for (const h of ['127.0.0.1', '127.0.0.2', '::1']) assert.equal(cli(['-h', h, '-p', String(s.port), 'PING']), 'PONG', h);
  });

  it("a '-' address that cannot be bound is skipped with a warning; without '-' start-up fails as in Redis", async () => {
    const ok = await start(['--bind', '127.0.0.1', '-203.0.113.254', '--requirepass', 'pw']);
    assert.equal(cli(['-p', String(ok.port), '--no-auth-warning', '-a', 'pw', 'PING']), 'PONG');
    assert.match(ok.output(), /Warning: Could not create server TCP listening socket 203\.0\.113\.254:\d+/);
    const bad = await start(['--bind', '127.0.0.1', '203.0.113.254', '--requirepass', 'pw'], { wait: false });
    assert.equal(await exitOf(bad), 1);
    assert.match(bad.output(), /Could not create server TCP listening socket 203\.0\.113\.254:\d+/);
  });

  it("'*' is every IPv4 address and '::*' every IPv6 address, as in Redis", { skip: hasSs ? false : 'ss is not installed' }, async () => {
    const s = await start(['--bind', '*', '-::*', '--requirepass', 'pw']);
    const r = await startRedis(['--bind', '*', '-::*', '--requirepass', 'pw']);
    servers.push(r);
    const local = (port: number) => ss(['-ltnH', `( sport = :${port} )`]).split('\n').filter(Boolean).map((l) => l.trim().split(/\s+/)[3].replace(String(port), 'P')).sort();
    assert.deepEqual(local(s.port), ['0.0.0.0:P', '[::]:P']);
    assert.deepEqual(local(s.port), local(r.port));
  });

  describe('the start-up refusal', () => {
    for (const bind of [['*'], ['0.0.0.0'], ['::'], ['-::*'], ['127.0.0.1', '-0.0.0.0']]) {
      it(`bind ${bind.join(' ')} with a passwordless default user does not start`, async () => {
        const s = await start(['--bind', ...bind], { wait: false });
        assert.equal(await exitOf(s), 1);
        assert.match(s.output(), /Refusing to listen on the non-loopback address\(es\) .* while the default user needs no password.*'allow-unauthenticated-network yes'/);
      });
    }

    it('loopback addresses, a password, port 0, or the explicit directive let it start', async () => {
      await start(['--bind', '127.0.0.1', '127.9.9.9', '-::1']);
      await start(['--bind', '*', '--requirepass', 'pw']);
      await start(['--bind', '*', '--allow-unauthenticated-network', 'yes', '--requirepass', 'pw']);
      // a disabled default user is not an open door either
      const s = await start(['--bind', '*', '--user', 'default', 'off', 'nopass', '+@all', '~*', '--user', 'admin', 'on', '>pw', '+@all', '~*'], { wait: false });
      await sleep(1000);
      assert.equal(s.proc.exitCode, null, s.output());
    });

    it('allow-unauthenticated-network cannot be changed at run time', async () => {
      const s = await start([]);
      assert.equal(cli(['-p', String(s.port), 'CONFIG', 'SET', 'allow-unauthenticated-network', 'yes']),
        "ERR CONFIG SET failed (possibly related to argument 'allow-unauthenticated-network') - can't set immutable config");
      assert.match(cli(['-p', String(s.port), 'CONFIG', 'SET', 'bind', '0.0.0.0']), /^ERR CONFIG SET failed \(possibly related to argument 'bind'\) - Refusing to listen on the non-loopback address\(es\) 0\.0\.0\.0/);
      assert.equal(cli(['-p', String(s.port), 'PING']), 'PONG');
    });
  });

  describe('Unix socket', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'redoubt-unix-'));

    for (const [perm, mode] of [[null, 0o700], ['770', 0o770]] as const) {
      it(`is never reachable with permissions looser than ${mode.toString(8)}, even while starting (CVE-2023-45145)`, async () => {
        const sock = path.join(dir, `s${mode.toString(8)}.sock`);
        const args = ['--unixsocket', sock, ...(perm === null ? [] : ['--unixsocketperm', perm])];
        const s = await start(args, { wait: false });
        // watch the path from the moment the process starts until it is listening
        const seen = new Set<number>();
        const deadline = Date.now() + 10000;
        while (Date.now() < deadline && s.proc.exitCode === null) {
          try {
            seen.add(fs.statSync(sock).mode & 0o777);
            if (cli(['-s', sock, 'PING']) === 'PONG') break;
          } catch { /* not created yet */ }
          await new Promise((r) => setImmediate(r));
        }
        assert.ok(seen.size > 0, 'the socket appeared');
        for (const m of seen) assert.equal(m & ~mode, 0, `mode ${m.toString(8)} is looser than ${mode.toString(8)}`);
        assert.equal(fs.statSync(sock).mode & 0o777, mode);
        assert.equal(cli(['-s', sock, 'PING']), 'PONG');
      });
    }

    it('port 0 turns TCP off; the Unix socket still serves', async () => {
      const sock = path.join(dir, 'p0.sock');
      const s = await start(['--port', '0', '--unixsocket', sock, '--bind', '*'], { wait: false });
      const deadline = Date.now() + 10000;
      while (Date.now() < deadline && cli(['-s', sock, 'PING']) !== 'PONG') await sleep(50);
      assert.equal(cli(['-s', sock, 'CONFIG', 'GET', 'port']), 'port\n0');
      assert.equal(s.proc.exitCode, null);
      if (hasSs) assert.equal(ss(['-ltnpH']).split('\n').filter((l) => l.includes(`pid=${s.proc.pid},`)).length, 0);
    });
  });

  describe('socket options', { skip: hasSs ? false : 'ss is not installed' }, () => {
    it('tcp-backlog is the listen backlog', async () => {
      const s = await start(['--tcp-backlog', '17']);
      const line = ss(['-ltnH', `( sport = :${s.port} )`]).trim().split('\n')[0];
      assert.equal(line.split(/\s+/)[2], '17');
    });

    for (const [ka, expect] of [['7', true], ['0', false]] as const) {
      it(`tcp-keepalive ${ka} ${expect ? 'arms' : 'does not arm'} the keepalive timer on accepted connections`, async () => {
        const s = await start(['--tcp-keepalive', ka]);
        const child = spawnSync('bash', ['-c', `exec 3<>/dev/tcp/127.0.0.1/${s.port}; sleep 0.3; ss -tnoH '( sport = :${s.port} )'`], { encoding: 'latin1' });
        const out = child.stdout;
        assert.match(out, /ESTAB/);
        if (expect) assert.match(out, /timer:\(keepalive,[0-9.]+m?s,0\)/);
        else assert.doesNotMatch(out, /keepalive/);
      });
    }
  });
});
