/*
 * The RDB life cycle around the commands: save points start a BGSAVE, a failed BGSAVE turns on the
 * MISCONF write gate (same text as redis-server in the same situation), SHUTDOWN's SAVE / NOSAVE /
 * FORCE semantics, FLUSHALL's save, DEBUG RELOAD keeping the dataset.
 *
 * Tests run as root, so an unwritable directory is no failure: a dump that cannot be renamed into
 * place (a directory named like `dbfilename`) is.
 */

import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readDataset, diffDatasets, allTypesCommands, runCommands, RawConn, afterReload, keyCount } from '../support/dataset';
import { startRedis, redisServerBin } from '../support/servers';
import { tempDir, redoubtIn, infoField, waitBgsave, exitOf, waitFor, shutdownNoSave } from './rdb-helpers';

describe('save points', () => {
  it('a save point starts a BGSAVE once enough changes and seconds passed', async () => {
    const dir = tempDir();
    const s = await redoubtIn(dir, ['--save', '1 2']);
    try {
      await runCommands(s.port, [['SET', 'a', '1']]);
      await new Promise((r) => setTimeout(r, 1200));
      assert.ok(!fs.existsSync(path.join(dir, 'dump.rdb')), 'one change is below the threshold');
      await runCommands(s.port, [['SET', 'b', '2']]);
      await waitFor(() => fs.existsSync(path.join(dir, 'dump.rdb')), 5000, 'the dump');
      assert.equal(await waitBgsave(s.port), 'ok');
      assert.match(s.output(), /2 changes in 1 seconds\. Saving\.\.\./);
      assert.match(s.output(), /Background saving started/);
      assert.match(s.output(), /Background saving terminated with success/);
      assert.equal(await infoField(s.port, 'rdb_changes_since_last_save'), '0');
      const c = await RawConn.open(s.port);
      assert.deepEqual(await c.call('CONFIG', 'GET', 'save'), { t: '*', v: [{ t: '$', v: 'save' }, { t: '$', v: '1 2' }] });
      assert.deepEqual(await c.call('CONFIG', 'SET', 'save', ''), { t: '+', v: 'OK' });
      c.close();
    } finally {
      await shutdownNoSave(s);
    }
  });
});

describe('MISCONF after a failed BGSAVE', () => {
  async function scenario(start: (dir: string) => Promise<{ port: number; stop(): Promise<unknown> }>): Promise<unknown[]> {
    const dir = tempDir();
    const s = await start(dir);
    // the dump cannot be renamed over a non-empty directory, whoever runs the test
    fs.mkdirSync(path.join(dir, 'dump.rdb'));
    fs.writeFileSync(path.join(dir, 'dump.rdb', 'x'), 'x');
    const c = await RawConn.open(s.port);
    try {
      const out: unknown[] = [];
      out.push(await c.call('SET', 'k', 'v'));
      out.push(await c.call('BGSAVE'));
      await waitBgsave(s.port);
      out.push(await infoField(s.port, 'rdb_last_bgsave_status'));
      out.push(...(await c.pipeline([['SET', 'k', 'v2'], ['PING'], ['GET', 'k'], ['MULTI'], ['SET', 'x', '1'], ['EXEC'], ['MULTI'], ['GET', 'k'], ['EXEC']])));
      out.push(await c.call('SAVE'));
      out.push(await c.call('CONFIG', 'SET', 'stop-writes-on-bgsave-error', 'no'));
      out.push(await c.call('SET', 'k', 'v3'));
      out.push(await c.call('CONFIG', 'SET', 'stop-writes-on-bgsave-error', 'yes'));
      out.push(await c.call('CONFIG', 'SET', 'save', ''));
      out.push(await c.call('SET', 'k', 'v4'), await c.call('PING'));
      return out;
    } finally {
      c.close();
      await s.stop();
    }
  }

  it('refuses writes and PING with the MISCONF error, exactly as redis-server', async () => {
    const ours = await scenario((dir) => redoubtIn(dir, ['--save', '3600 1000']));
    assert.equal(ours[2], 'err');
    assert.match(String((ours[3] as { v: string }).v), /^MISCONF Redis is configured to save RDB snapshots/);
    assert.deepEqual(ours[5], { t: '$', v: 'v' }, 'reads still work');
    if (redisServerBin() !== null) {
      const theirs = await scenario((dir) => startRedis(['--dir', dir, '--save', '3600 1000']));
      assert.deepEqual(ours, theirs);
    }
  });
});

describe('SHUTDOWN and persistence', () => {
  it('SAVE writes a dump, NOSAVE skips the save points, a failing save refuses unless FORCE', async () => {
    const dir = tempDir();
    const s = await redoubtIn(dir);
    let c = await RawConn.open(s.port);
    await c.call('SET', 'k', 'saved by shutdown');
    let exited = exitOf(s.proc);
    c.pipeline([['SHUTDOWN', 'SAVE']]).catch(() => undefined);
    assert.equal(await exited, 0);
    c.close();
    assert.match(s.output(), /Saving the final RDB snapshot before exiting\./);
    assert.match(s.output(), /DB saved on disk/);
    assert.equal(fs.statSync(path.join(dir, 'dump.rdb')).mode & 0o777, 0o600);

    const s2 = await redoubtIn(dir, ['--save', '3600 1']);
    c = await RawConn.open(s2.port);
    assert.deepEqual(await c.call('GET', 'k'), { t: '$', v: 'saved by shutdown' });
    await c.call('SET', 'k', 'not saved');
    exited = exitOf(s2.proc);
    c.pipeline([['SHUTDOWN', 'NOSAVE']]).catch(() => undefined);
    assert.equal(await exited, 0);
    c.close();

    const s3 = await redoubtIn(dir, ['--save', '3600 1']);
    c = await RawConn.open(s3.port);
    assert.deepEqual(await c.call('GET', 'k'), { t: '$', v: 'saved by shutdown' });
    await c.call('SET', 'k', 'saved by SIGTERM');
    c.close();
    // save points exist: a plain SIGTERM shutdown saves
    assert.equal(await s3.stop('SIGTERM'), 0);

    const s4 = await redoubtIn(dir);
    c = await RawConn.open(s4.port);
    assert.deepEqual(await c.call('GET', 'k'), { t: '$', v: 'saved by SIGTERM' });
    fs.renameSync(path.join(dir, 'dump.rdb'), path.join(dir, 'old.rdb'));
    fs.mkdirSync(path.join(dir, 'dump.rdb'));
    fs.writeFileSync(path.join(dir, 'dump.rdb', 'x'), 'x');
    assert.deepEqual(await c.call('SHUTDOWN', 'SAVE'), { t: '-', v: 'ERR Errors trying to SHUTDOWN. Check logs.' });
    assert.deepEqual(await c.call('PING'), { t: '+', v: 'PONG' });
    assert.match(s4.output(), /Error moving temp DB file temp-\d+\.rdb on the final destination dump\.rdb/);
    assert.match(s4.output(), /Error trying to save the DB, can't exit\./);
    assert.deepEqual(fs.readdirSync(dir).filter((f) => f.startsWith('temp-')), [], 'the temp file was removed');
    exited = exitOf(s4.proc);
    c.pipeline([['SHUTDOWN', 'SAVE', 'FORCE']]).catch(() => undefined);
    assert.equal(await exited, 0);
    c.close();
    assert.match(s4.output(), /Error trying to save the DB\. Exit anyway\./);
  });
});

describe('FLUSHALL and DEBUG RELOAD', () => {
  it('FLUSHALL saves the empty dataset when save points exist', async () => {
    const dir = tempDir();
    const s = await redoubtIn(dir, ['--save', '3600 1000']);
    const c = await RawConn.open(s.port);
    try {
      await runCommands(s.port, [['SET', 'a', '1'], ['SAVE']]);
      const size = fs.statSync(path.join(dir, 'dump.rdb')).size;
      assert.deepEqual(await c.call('FLUSHALL'), { t: '+', v: 'OK' });
      assert.ok(fs.statSync(path.join(dir, 'dump.rdb')).size < size, 'the dump was rewritten without the key');
      // the FLUSHALL itself still counts as a change, so it reaches the AOF and replicas
      assert.equal(await infoField(s.port, 'rdb_changes_since_last_save'), '2');
    } finally {
      c.close();
      await shutdownNoSave(s);
    }
  });

  it('FLUSHALL stops a running BGSAVE without marking it failed', async () => {
    const dir = tempDir();
    const s = await redoubtIn(dir);
    const c = await RawConn.open(s.port);
    try {
      const fill: string[][] = [];
      for (let i = 0; i < 100000; i++) fill.push(['SET', `k${i}`, 'v']);
      await runCommands(s.port, fill);
      const r = await c.pipeline([['BGSAVE'], ['FLUSHALL'], ['INFO', 'persistence']]);
      assert.deepEqual(r[0], { t: '+', v: 'Background saving started' });
      assert.match(String(r[2].v), /rdb_bgsave_in_progress:0/);
      assert.match(String(r[2].v), /rdb_last_bgsave_status:ok/);
      assert.ok(!fs.existsSync(path.join(dir, 'dump.rdb')));
      await new Promise((res) => setTimeout(res, 100));
      assert.deepEqual(fs.readdirSync(dir).filter((f) => f.startsWith('temp-')), [], 'the temp file was removed');
    } finally {
      c.close();
      await shutdownNoSave(s);
    }
  });

  it('DEBUG RELOAD keeps every key, type, encoding and TTL', async () => {
    const dir = tempDir();
    const s = await redoubtIn(dir, ['--enable-debug-command', 'yes']);
    const c = await RawConn.open(s.port);
    try {
      await runCommands(s.port, allTypesCommands());
      const before = await readDataset(s.port, { encodings: true });
      assert.deepEqual(await c.call('DEBUG', 'RELOAD'), { t: '+', v: 'OK' });
      assert.deepEqual(diffDatasets(afterReload(before), await readDataset(s.port, { encodings: true })), []);
      assert.deepEqual(await c.call('DEBUG', 'RELOAD', 'BOGUS'), { t: '-', v: 'ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.' });
      // NOSAVE loads the file as it is: a key created since is gone
      await c.call('SET', 'after-save', '1');
      assert.deepEqual(await c.call('DEBUG', 'RELOAD', 'NOSAVE'), { t: '+', v: 'OK' });
      assert.deepEqual(await c.call('EXISTS', 'after-save'), { t: ':', v: '0' });
      // NOFLUSH MERGE keeps keys that are not in the file
      await c.call('SET', 'extra', '1');
      assert.deepEqual(await c.call('DEBUG', 'RELOAD', 'NOSAVE', 'NOFLUSH', 'MERGE'), { t: '+', v: 'OK' });
      assert.equal(keyCount(await readDataset(s.port)), keyCount(before) + 1);
      assert.match(s.output(), /DB reloaded by DEBUG RELOAD/);
    } finally {
      c.close();
      await shutdownNoSave(s);
    }
  });
});
