/*
 * SHUTDOWN waits for the replicas (shutdown-timeout), as Redis 7.0 does: with a replica that has
 * not acknowledged the whole stream (a redis-server 7.0.15 replica frozen with SIGSTOP), SHUTDOWN
 * blocks its caller and pauses writes (reads still run); SHUTDOWN ABORT cancels it (the caller gets
 * Redis's error, the paused write completes); once the replica catches up the primary exits with
 * the replica holding every write; and with the replica still frozen, the timeout ends the wait
 * and the lagging replica is logged.
 */

import { describe, it, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { startRedis, startRedoubt, type RunningServer } from '../support/servers';
import { RawConn } from '../support/dataset';
import type { RespValue } from '../support/resp';
import { until } from '../support/poll';

const call = RawConn.callOnce;

async function field(port: number, section: string, name: string): Promise<string | undefined> {
  const r = await call(port, 'INFO', section);
  return new RegExp(`\r\n${name}:([^\r]*)`).exec('\r\n' + String(r.v))?.[1];
}

/** Resolves with 'pending' if `p` has not settled within `ms`. */
function within<T>(p: Promise<T>, ms: number): Promise<T | 'pending'> {
  return Promise.race([p, new Promise<'pending'>((r) => setTimeout(() => r('pending'), ms))]);
}

function exited(s: RunningServer): Promise<number | null> {
  return new Promise((resolve) => {
    if (s.proc.exitCode !== null) resolve(s.proc.exitCode);
    else s.proc.once('exit', (code) => resolve(code));
  });
}

async function pair(timeout: string): Promise<{ primary: RunningServer; replica: RunningServer }> {
  const primary = await startRedoubt(['--shutdown-timeout', timeout, '--repl-diskless-sync-delay', '0']);
  const replica = await startRedis(['--replicaof', '127.0.0.1', String(primary.port)]);
  await until('replica in sync', async () =>
    (await field(replica.port, 'replication', 'master_link_status')) === 'up' &&
    (await field(primary.port, 'replication', 'master_repl_offset')) === (await field(replica.port, 'replication', 'slave_repl_offset')));
  return { primary, replica };
}

describe('SHUTDOWN waits for replicas', () => {
  const running: RunningServer[] = [];
  after(async () => {
    for (const s of running) {
      try { s.proc.kill('SIGCONT'); } catch { /* gone */ }
    }
    await Promise.all(running.map((s) => s.stop()));
  });

  it('blocks, pauses writes, and is cancelled by SHUTDOWN ABORT', async () => {
    const { primary, replica } = await pair('30');
    running.push(primary, replica);
    replica.proc.kill('SIGSTOP');
    assert.deepEqual(await call(primary.port, 'SET', 'k1', 'v1'), { t: '+', v: 'OK' });
    const caller = await RawConn.open(primary.port);
    const shutdown = caller.call('SHUTDOWN');
    assert.equal(await within(shutdown, 500), 'pending', 'SHUTDOWN answered while the replica lags');
    await until('the wait is logged', async () => primary.output().includes('Waiting for replicas before shutting down.'));
    // writes wait, reads run
    const writer = await RawConn.open(primary.port);
    const write = writer.call('SET', 'k2', 'v2');
    assert.deepEqual(await call(primary.port, 'GET', 'k1'), { t: '$', v: 'v1' });
    assert.equal(await within(write, 300), 'pending', 'a write ran during the shutdown wait');
    // a second SHUTDOWN joins the first; ABORT cancels both
    assert.deepEqual(await call(primary.port, 'SHUTDOWN', 'ABORT'), { t: '+', v: 'OK' });
    assert.deepEqual(await shutdown, { t: '-', v: 'ERR Errors trying to SHUTDOWN. Check logs.' });
    assert.deepEqual(await write, { t: '+', v: 'OK' });
    assert.ok(primary.output().includes('Shutdown manually aborted.'));
    assert.deepEqual(await call(primary.port, 'SHUTDOWN', 'ABORT'), { t: '-', v: 'ERR No shutdown in progress.' });
    caller.close();
    writer.close();

    // again, and this time the replica wakes up: the primary exits once it has everything
    const again = await RawConn.open(primary.port);
    void again.call('SHUTDOWN', 'NOSAVE').catch(() => undefined);
    await until('the wait is logged again', async () => primary.output().split('Waiting for replicas before shutting down.').length === 3);
    assert.equal(primary.proc.exitCode, null);
    replica.proc.kill('SIGCONT');
    const code = await within(exited(primary), 5000);
    assert.equal(code, 0, 'the primary did not exit once its replica caught up');
    assert.match(primary.output(), /1 of 1 replicas are in sync when shutting down\./);
    assert.deepEqual(await call(replica.port, 'GET', 'k2'), { t: '$', v: 'v2' });
    again.close();
  });

  it('gives up after shutdown-timeout and logs the lagging replica', async () => {
    const { primary, replica } = await pair('1');
    running.push(primary, replica);
    replica.proc.kill('SIGSTOP');
    await call(primary.port, 'SET', 'late', 'x');
    const t0 = Date.now();
    primary.proc.kill('SIGTERM');
    const code = await within(exited(primary), 5000);
    assert.equal(code, 0);
    assert.ok(Date.now() - t0 >= 900, 'the primary did not wait for its replica');
    assert.match(primary.output(), /Lagging replica 127\.0\.0\.1:\d+ reported offset \d+ behind master, lag=\d+, state=online\./);
    assert.match(primary.output(), /0 of 1 replicas are in sync when shutting down\./);
    replica.proc.kill('SIGCONT');
  });

  it('SHUTDOWN NOW does not wait', async () => {
    const { primary, replica } = await pair('30');
    running.push(primary, replica);
    replica.proc.kill('SIGSTOP');
    await call(primary.port, 'SET', 'late', 'x');
    const c = await RawConn.open(primary.port);
    void c.call('SHUTDOWN', 'NOW', 'NOSAVE').catch(() => undefined);
    assert.equal(await within(exited(primary), 3000), 0);
    assert.ok(!primary.output().includes('Waiting for replicas'));
    replica.proc.kill('SIGCONT');
    c.close();
  });
});
