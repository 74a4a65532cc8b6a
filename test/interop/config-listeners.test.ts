/*
 * CONFIG SET port answers only once the new listener is bound, as redis-server does: a port that
 * cannot be bound is an error (same text as Redis), the old port keeps serving and CONFIG GET still
 * shows it; a free port moves the server. Both servers run the same steps.
 */

import { describe, it, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { freePort, startRedis, startRedoubt, type RunningServer } from '../support/servers';

const cli = (port: number, ...args: string[]) =>
  execFileSync('redis-cli', ['-p', String(port), ...args], { encoding: 'latin1' }).trim();

describe('CONFIG SET port', () => {
  const started: RunningServer[] = [];
  after(async () => {
    await Promise.all(started.map((s) => s.stop()));
  });

  it('refuses a port in use with Redis\'s error and keeps serving; moves to a free port', async () => {
    const [redis, redoubt, blocker] = await Promise.all([startRedis(), startRedoubt(), startRedis()]);
    started.push(redis, redoubt, blocker);
    const errors: string[] = [];
    for (const s of [redis, redoubt]) {
      errors.push(cli(s.port, 'CONFIG', 'SET', 'port', String(blocker.port)));
      assert.equal(cli(s.port, 'CONFIG', 'GET', 'port'), `port\n${s.port}`);
      assert.equal(cli(s.port, 'PING'), 'PONG');
    }
    assert.match(errors[1], /^ERR CONFIG SET failed \(possibly related to argument 'port'\)/);
    assert.equal(errors[1], errors[0]);

    const next = await freePort();
    assert.equal(cli(redoubt.port, 'CONFIG', 'SET', 'port', String(next)), 'OK');
    assert.equal(cli(next, 'PING'), 'PONG');
    assert.equal(cli(next, 'CONFIG', 'GET', 'port'), `port\n${next}`);
    // the server's own bookkeeping follows, so stop() still finds it by pid
  });
});
