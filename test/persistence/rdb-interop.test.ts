/*
 * Dumps move between Redoubt and the reference redis-server 7.0.15 in both directions: each loads
 * the other's dump.rdb and holds the same dataset (every type and encoding, binary keys and values,
 * TTLs exactly, several databases). Keys that expired while no server ran are dropped by both.
 */

import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readDataset, diffDatasets, keyCount, allTypesCommands, runCommands, afterReload } from '../support/dataset';
import { startRedis, redisServerBin } from '../support/servers';
import { tempDir, redoubtIn, infoField, shutdownNoSave } from './rdb-helpers';

const skip = redisServerBin() === null ? 'redis-server is not installed' : false;

describe('RDB interop with redis-server 7.0.15', { skip }, () => {
  it('redis-server loads a dump Redoubt wrote', async () => {
    const dir = tempDir();
    const s = await redoubtIn(dir);
    let before;
    try {
      await runCommands(s.port, [...allTypesCommands(), ['SET', 'gone', 'v', 'PX', '200'], ['SAVE']]);
      before = await readDataset(s.port, { encodings: true });
    } finally {
      await shutdownNoSave(s);
    }
    before.dbs[0].delete('gone');
    await new Promise((r) => setTimeout(r, 300));
    const rdir = tempDir('redis-load-');
    fs.copyFileSync(path.join(dir, 'dump.rdb'), path.join(rdir, 'dump.rdb'));
    const r = await startRedis(['--dir', rdir]);
    try {
      const loaded = await readDataset(r.port, { encodings: true });
      assert.deepEqual(diffDatasets(afterReload(before), loaded), []);
      assert.equal(await infoField(r.port, 'rdb_last_load_keys_expired'), '1');
    } finally {
      await r.stop();
    }
  });

  it('Redoubt loads a dump redis-server wrote', async () => {
    const rdir = tempDir('redis-save-');
    const r = await startRedis(['--dir', rdir]);
    let before;
    try {
      await runCommands(r.port, [...allTypesCommands(), ['SET', 'gone', 'v', 'PX', '200'], ['SAVE']]);
      before = await readDataset(r.port, { encodings: true });
    } finally {
      await r.stop();
    }
    before.dbs[0].delete('gone');
    await new Promise((res) => setTimeout(res, 300));
    const dir = tempDir();
    fs.copyFileSync(path.join(rdir, 'dump.rdb'), path.join(dir, 'dump.rdb'));
    const s = await redoubtIn(dir);
    try {
      const loaded = await readDataset(s.port, { encodings: true });
      assert.ok(keyCount(loaded) > 30);
      assert.deepEqual(diffDatasets(afterReload(before), loaded), []);
      assert.equal(await infoField(s.port, 'rdb_last_load_keys_expired'), '1');
      assert.match(s.output(), /Loading RDB produced by version 7\.0\.15/);
    } finally {
      await s.stop();
    }
  });

  it('the same uncompressed and checksum-less dumps load on both sides', async () => {
    const dir = tempDir();
    const s = await redoubtIn(dir, ['--rdbcompression', 'no', '--rdbchecksum', 'no']);
    let before;
    try {
      await runCommands(s.port, [...allTypesCommands(), ['SAVE']]);
      before = await readDataset(s.port, { encodings: true });
    } finally {
      await shutdownNoSave(s);
    }
    const bytes = fs.readFileSync(path.join(dir, 'dump.rdb'));
    assert.ok(bytes.subarray(bytes.length - 8).every((b) => b === 0), 'rdbchecksum no writes a zero checksum');
    const rdir = tempDir('redis-load-');
    fs.copyFileSync(path.join(dir, 'dump.rdb'), path.join(rdir, 'dump.rdb'));
    const r = await startRedis(['--dir', rdir]);
    try {
      assert.deepEqual(diffDatasets(afterReload(before), await readDataset(r.port, { encodings: true })), []);
    } finally {
      await r.stop();
    }
  });
});
