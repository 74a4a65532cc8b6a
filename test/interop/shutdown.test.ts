/*
 * SHUTDOWN ends the process: no reply, connection closed, exit code 0. A final save that cannot
 * happen (here: `dump.rdb` is a non-empty directory) refuses the shutdown with Redis's error unless
 * FORCE is given. SIGTERM and SIGINT shut down as SHUTDOWN with the flags of shutdown-on-sigterm /
 * shutdown-on-sigint: `default` saves when save points are set, `nosave` does not, `save` saves
 * without them, and a refused save keeps the server running unless `force` is among them.
 */

import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startRedoubt } from '../support/servers';
import { Client } from './rawclient';

const exitOf = (p: import('node:child_process').ChildProcess) =>
  new Promise<number | null>((resolve) => (p.exitCode !== null ? resolve(p.exitCode) : p.once('exit', (code) => resolve(code))));

describe('SHUTDOWN', () => {
  it('exits the process without a reply', async () => {
    const s = await startRedoubt();
    const c = await Client.open(s.port);
    try {
      assert.deepEqual(await c.call('SET', 'k', 'v'), { t: '+', v: 'OK' });
      const exited = exitOf(s.proc);
      assert.equal(await c.call('SHUTDOWN'), null);
      assert.ok(c.closed);
      assert.equal(await exited, 0);
      assert.match(s.output(), /User requested shutdown/);
    } finally {
      c.close();
      await s.stop();
    }
  });

  it('a SAVE that fails is refused; FORCE exits anyway; NOSAVE NOW exits', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'redoubt-shutdown-'));
    const s = await startRedoubt([], { cwd: dir });
    // made after start-up: a dump.rdb that cannot be read stops start-up, as in Redis
    fs.mkdirSync(path.join(dir, 'dump.rdb'));
    fs.writeFileSync(path.join(dir, 'dump.rdb', 'x'), 'x');
    const c = await Client.open(s.port);
    try {
      assert.deepEqual(await c.call('SHUTDOWN', 'SAVE'), { t: '-', v: 'ERR Errors trying to SHUTDOWN. Check logs.' });
      assert.deepEqual(await c.call('SHUTDOWN', 'ABORT'), { t: '-', v: 'ERR No shutdown in progress.' });
      assert.deepEqual(await c.call('PING'), { t: '+', v: 'PONG' });
      assert.equal(s.proc.exitCode, null, 'still running');
      const exited = exitOf(s.proc);
      assert.equal(await c.call('SHUTDOWN', 'SAVE', 'FORCE'), null);
      assert.equal(await exited, 0);
      assert.match(s.output(), /Error trying to save the DB, can't exit\./);
      assert.match(s.output(), /Error trying to save the DB\. Exit anyway\./);
    } finally {
      c.close();
      await s.stop();
    }
    const s2 = await startRedoubt();
    const c2 = await Client.open(s2.port);
    try {
      const exited = exitOf(s2.proc);
      assert.equal(await c2.call('shutdown', 'nosave', 'now'), null);
      assert.equal(await exited, 0);
    } finally {
      c2.close();
      await s2.stop();
    }
  });

  /** Starts a server with save points in a fresh directory, writes a key, sends `sig`. */
  const signalled = async (sig: NodeJS.Signals, args: string[], broken = false) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'redoubt-signal-'));
    const s = await startRedoubt(args, { cwd: dir });
    if (broken) {
      fs.mkdirSync(path.join(dir, 'dump.rdb'));
      fs.writeFileSync(path.join(dir, 'dump.rdb', 'x'), 'x');
    }
    const c = await Client.open(s.port);
    assert.deepEqual(await c.call('SET', 'k', 'v'), { t: '+', v: 'OK' });
    const exited = exitOf(s.proc);
    s.proc.kill(sig);
    return { s, c, dir, exited, dump: () => fs.statSync(path.join(dir, 'dump.rdb'), { throwIfNoEntry: false })?.isFile() === true };
  };

  it('SIGTERM with the default flags saves when save points are set; nosave does not', async () => {
    const a = await signalled('SIGTERM', ['--save', '3600 1']);
    try {
      assert.equal(await a.exited, 0);
      assert.ok(a.dump(), 'saved');
      assert.match(a.s.output(), /Received SIGTERM scheduling shutdown/);
    } finally {
      a.c.close();
      await a.s.stop();
    }
    const b = await signalled('SIGTERM', ['--save', '3600 1', '--shutdown-on-sigterm', 'nosave now']);
    try {
      assert.equal(await b.exited, 0);
      assert.ok(!b.dump(), 'nosave: no dump');
    } finally {
      b.c.close();
      await b.s.stop();
    }
  });

  it('SIGINT with `save` saves without save points; a failed save keeps running unless `force`', async () => {
    const a = await signalled('SIGINT', ['--shutdown-on-sigint', 'save']);
    try {
      assert.equal(await a.exited, 0);
      assert.ok(a.dump(), 'saved though no save point is set');
    } finally {
      a.c.close();
      await a.s.stop();
    }
    const b = await signalled('SIGTERM', ['--save', '3600 1'], true);
    try {
      // the refusal is logged and the server carries on
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(b.s.proc.exitCode, null, 'still running');
      assert.deepEqual(await b.c.call('PING'), { t: '+', v: 'PONG' });
      assert.match(b.s.output(), /Error trying to save the DB, can't exit\./);
      // now with force: CONFIG SET takes effect for the next signal
      assert.deepEqual(await b.c.call('CONFIG', 'SET', 'shutdown-on-sigterm', 'force'), { t: '+', v: 'OK' });
      b.s.proc.kill('SIGTERM');
      assert.equal(await b.exited, 0);
      assert.match(b.s.output(), /Error trying to save the DB\. Exit anyway\./);
    } finally {
      b.c.close();
      await b.s.stop();
    }
  });
});

