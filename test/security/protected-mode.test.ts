/*
 * Protected mode and bind, attacked from another host: a network namespace created by the test
 * (198.51.100.0/24, TEST-NET-2, routed nowhere else on this machine) reaches the servers over a
 * veth pair. With the default user passwordless and protected mode on, a non-loopback client gets
 * Redis's exact DENIED error and is disconnected; redis-server 7.0.15 runs the same scenario, so
 * the expectation is checked against the reference. Needs root (ip netns); skipped otherwise, with
 * the reason.
 */

import { describe, it, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { startRedis, startRedoubt, type RunningServer } from '../support/servers';

const NS = `rdt${process.pid}`;
const HOST_IF = `vrd${process.pid % 100000}a`;
const NS_IF = `vrd${process.pid % 100000}b`;
const HOST_IP = '198.51.100.1';
const NS_IP = '198.51.100.2';

function canUseNetns(): string | null {
  if (process.getuid?.() !== 0) return 'needs root to create a network namespace';
  if (spawnSync('ip', ['netns', 'list']).status !== 0) return 'iproute2 (ip netns) is not available';
  return null;
}

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' });

/** redis-cli run from inside the namespace: the server sees a non-loopback peer. */
function remoteCli(port: number, ...args: string[]): { out: string; code: number | null } {
  const r = spawnSync('ip', ['netns', 'exec', NS, 'redis-cli', '-h', HOST_IP, '-p', String(port), ...args], { encoding: 'latin1', timeout: 5000 });
  return { out: (r.stdout + r.stderr).trim(), code: r.status };
}

const cli = (port: number, ...args: string[]) =>
  execFileSync('redis-cli', ['-p', String(port), ...args], { encoding: 'latin1' }).trim();

const skip = canUseNetns();

describe('protected mode from a non-loopback host', { skip: skip ?? false }, () => {
  let redis: RunningServer;
  let redoubt: RunningServer;

  before(async () => {
    ip('netns', 'add', NS);
    ip('link', 'add', HOST_IF, 'type', 'veth', 'peer', 'name', NS_IF);
    ip('link', 'set', NS_IF, 'netns', NS);
    ip('addr', 'add', `${HOST_IP}/24`, 'dev', HOST_IF);
    ip('link', 'set', HOST_IF, 'up');
    ip('netns', 'exec', NS, 'ip', 'addr', 'add', `${NS_IP}/24`, 'dev', NS_IF);
    ip('netns', 'exec', NS, 'ip', 'link', 'set', NS_IF, 'up');
    ip('netns', 'exec', NS, 'ip', 'link', 'set', 'lo', 'up');
    const bind = ['--bind', '127.0.0.1', HOST_IP];
    [redis, redoubt] = await Promise.all([startRedis(bind), startRedoubt(bind)]);
  });

  after(async () => {
    await Promise.all([redis?.stop(), redoubt?.stop()]);
    try { ip('link', 'del', HOST_IF); } catch { /* already gone with the namespace */ }
    try { ip('netns', 'del', NS); } catch { /* never created */ }
  });

  it('a remote client gets the same DENIED error from both servers, and is counted', () => {
    const fromRedis = remoteCli(redis.port, 'PING');
    const fromRedoubt = remoteCli(redoubt.port, 'PING');
    assert.match(fromRedoubt.out, /^DENIED Redis is running in protected mode because protected mode is enabled/);
    assert.equal(fromRedoubt.out, fromRedis.out);
    assert.match(cli(redoubt.port, 'INFO', 'stats'), /rejected_connections:1\r?\n/);
  });

  it('a loopback client is served', () => {
    assert.equal(cli(redoubt.port, 'PING'), 'PONG');
  });

  it('turning protected mode off from loopback admits the remote client', () => {
    assert.equal(cli(redoubt.port, 'CONFIG', 'SET', 'protected-mode', 'no'), 'OK');
    assert.equal(remoteCli(redoubt.port, 'PING').out, 'PONG');
    assert.equal(cli(redoubt.port, 'CONFIG', 'SET', 'protected-mode', 'yes'), 'OK');
    assert.match(remoteCli(redoubt.port, 'PING').out, /^DENIED/);
  });

  it('the default bind does not listen on the network at all', async () => {
    const local = await startRedoubt();
    try {
      const r = remoteCli(local.port, 'PING');
      assert.match(r.out, /Connection refused|Could not connect/);
    } finally {
      await local.stop();
    }
  });
});
