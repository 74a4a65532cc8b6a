/*
 * Protected mode and bind, attacked from another host: a network namespace created by the test
 * (addresses from 203.0.113.0/24 and 2001:db8::/32, checked unused first: see net-ns.ts) reaches the
 * servers over a veth pair. Redoubt is started with `allow-unauthenticated-network yes`, without
 * which it would refuse to listen on that address at all (net-remote.test.ts). With the default
 * user passwordless and protected mode on, a non-loopback client gets Redis's exact DENIED error
 * and is disconnected; redis-server 7.0.15 runs the same scenario, so the expectation is checked
 * against the reference. Needs root (ip netns); skipped otherwise, with the reason.
 */

import { describe, it, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startRedis, startRedoubt, type RunningServer } from '../support/servers';
import { planNetNs, createNetNs, destroyNetNs, remoteCli as cliFrom } from './net-ns';

const net = planNetNs(0);
const HOST_IP = net.hostIp;

/** redis-cli run from inside the namespace: the server sees a non-loopback peer. */
function remoteCli(port: number, ...args: string[]): { out: string } {
  return { out: cliFrom(net, HOST_IP, port, ...args) };
}

const cli = (port: number, ...args: string[]) =>
  execFileSync('redis-cli', ['-p', String(port), ...args], { encoding: 'latin1' }).trim();

const skip = net.skip;

describe('protected mode from a non-loopback host', { skip: skip ?? false }, () => {
  let redis: RunningServer;
  let redoubt: RunningServer;

  before(async () => {
    createNetNs(net);
    const bind = ['--bind', '127.0.0.1', HOST_IP];
    // Redoubt refuses to listen on the network with a passwordless default user unless told to
    [redis, redoubt] = await Promise.all([startRedis(bind), startRedoubt([...bind, '--allow-unauthenticated-network', 'yes'])]);
  });

  after(async () => {
    await Promise.all([redis?.stop(), redoubt?.stop()]);
    destroyNetNs(net);
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
