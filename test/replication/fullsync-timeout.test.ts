/*
 * A replica that stops reading during a diskless full sync must not hold the others' transfer
 * forever: after repl-timeout without progress it is dropped ("Disconnecting timedout replica
 * (full sync)"), and a real redis-server 7.0.15 replica that joined the same transfer completes its
 * sync with every key. (A replica that took everything it was sent and only waits for the others is
 * not dropped; Redis would drop it too.)
 */

import { describe, it, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { randomBytes } from 'node:crypto';
import { startRedis, startRedoubt, type RunningServer } from '../support/servers';
import { RawConn } from '../support/dataset';
import { until } from '../support/poll';
import { encodeCommand } from '../support/resp';

const KEYS = 250000;

async function field(port: number, name: string): Promise<string | undefined> {
  const r = await RawConn.callOnce(port, 'INFO', 'all');
  return new RegExp(`\r\n${name}:([^\r]*)`).exec('\r\n' + String(r.v))?.[1];
}

/** Writes KEYS keys with 100 random bytes each (incompressible: the RDB is ~30 MB). */
async function load(port: number): Promise<void> {
  const c = await RawConn.open(port);
  try {
    for (let i = 0; i < KEYS; i += 5000) {
      const batch: string[][] = [];
      for (let j = i; j < Math.min(KEYS, i + 5000); j++) batch.push(['SET', `key:${j}`, randomBytes(50).toString('hex')]);
      await c.pipeline(batch);
    }
  } finally {
    c.close();
  }
}

describe('diskless full sync with a replica that stops reading', () => {
  const running: RunningServer[] = [];
  const sockets: net.Socket[] = [];
  after(async () => {
    for (const s of sockets) s.destroy();
    await Promise.all(running.map((s) => s.stop()));
  });

  it('drops the stalled replica after repl-timeout; the other replica completes', { timeout: 120000 }, async () => {
    const primary = await startRedoubt(['--repl-diskless-sync', 'yes', '--repl-diskless-sync-delay', '2', '--repl-timeout', '3']);
    running.push(primary);
    await load(primary.port);
    // the stalled "replica": handshake, PSYNC, then it never reads again
    const stalled = net.connect(primary.port, '127.0.0.1');
    sockets.push(stalled);
    await new Promise<void>((r) => stalled.once('connect', () => r()));
    // PSYNC only once the handshake's replies are out (a server refuses it with pending output)
    let got = '';
    const handshake = new Promise<void>((resolve) => {
      const onData = (d: Buffer) => {
        got += d.toString('latin1');
        if (got.split('\r\n').length > 3) {
          stalled.off('data', onData);
          resolve();
        }
      };
      stalled.on('data', onData);
    });
    stalled.write(Buffer.concat([['PING'], ['REPLCONF', 'listening-port', '1'], ['REPLCONF', 'capa', 'eof', 'capa', 'psync2']].map(encodeCommand)));
    await handshake;
    assert.equal(got, '+PONG\r\n+OK\r\n+OK\r\n');
    stalled.pause();
    stalled.write(encodeCommand(['PSYNC', '?', '-1']));
    await until('the stalled replica is waiting for its sync', async () => (await field(primary.port, 'connected_slaves')) === '1');
    // a real replica joins within the sync delay, so both are in the same transfer
    const replica = await startRedis(['--replicaof', '127.0.0.1', String(primary.port), '--repl-timeout', '60']);
    running.push(replica);
    await until('the stalled replica is dropped', async () => primary.output().includes('Disconnecting timedout replica (full sync): 127.0.0.1:1'), 60000);
    await until('the real replica completes its sync', async () =>
      (await field(replica.port, 'master_link_status')) === 'up' && (await field(replica.port, 'db0'))?.startsWith(`keys=${KEYS},`) === true, 60000);
    // only the stalled one was dropped
    assert.equal((primary.output().match(/Disconnecting timedout replica \(full sync\)/g) ?? []).length, 1);
    assert.equal(await field(primary.port, 'connected_slaves'), '1');
  });
});
