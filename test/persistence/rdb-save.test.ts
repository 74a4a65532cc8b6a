/*
 * SAVE, BGSAVE and loading at start-up: every type and encoding survives a dump and a restart,
 * BGSAVE keeps point-in-time semantics while clients write, the replies and INFO fields are
 * Redis's, dumps are owner-only (0600), and a missing, truncated or corrupt file at start-up
 * behaves as Redis does (missing: empty dataset; damaged: exit 1 with a message).
 */

import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { readDataset, diffDatasets, keyCount, allTypesCommands, runCommands, RawConn, afterReload } from '../support/dataset';
import { REDOUBT_BIN, freePort } from '../support/servers';
import { tempDir, redoubtIn, infoField, waitBgsave, shutdownNoSave } from './rdb-helpers';

describe('RDB round trips', () => {
  for (const mode of ['SAVE', 'BGSAVE'] as const) {
    it(`every type and encoding survives ${mode} and a restart`, async () => {
      const dir = tempDir();
      const s = await redoubtIn(dir);
      let before;
      try {
        await runCommands(s.port, allTypesCommands());
        before = await readDataset(s.port, { encodings: true });
        assert.ok(keyCount(before) > 30);
        const c = await RawConn.open(s.port);
        const r = await c.call(mode);
        c.close();
        assert.deepEqual(r, mode === 'SAVE' ? { t: '+', v: 'OK' } : { t: '+', v: 'Background saving started' });
        if (mode === 'BGSAVE') assert.equal(await waitBgsave(s.port), 'ok');
        assert.equal(await infoField(s.port, 'rdb_changes_since_last_save'), '0');
        assert.equal(await infoField(s.port, 'rdb_saves'), '1');
      } finally {
        await shutdownNoSave(s);
      }
      const file = path.join(dir, 'dump.rdb');
      assert.equal(fs.statSync(file).mode & 0o777, 0o600, 'the dump is owner-only');
      assert.deepEqual(fs.readdirSync(dir).filter((f) => f.startsWith('temp-')), [], 'no temp file left');
      const s2 = await redoubtIn(dir);
      try {
        const after = await readDataset(s2.port, { encodings: true });
        assert.deepEqual(diffDatasets(afterReload(before), after), []);
        assert.equal(await infoField(s2.port, 'rdb_last_load_keys_loaded'), String(keyCount(before)));
        assert.match(s2.output(), /Done loading RDB, keys loaded: \d+, keys expired: 0\./);
        assert.match(s2.output(), /DB loaded from disk: [0-9.]+ seconds/);
      } finally {
        await s2.stop();
      }
    });
  }

  it('keys whose TTL passed while the server was down are skipped and counted', async () => {
    const dir = tempDir();
    const s = await redoubtIn(dir);
    try {
      await runCommands(s.port, [['SET', 'short', 'v', 'PX', '300'], ['SET', 'long', 'v', 'EX', '1000'], ['SET', 'plain', 'v'], ['SAVE']]);
    } finally {
      await shutdownNoSave(s);
    }
    await new Promise((r) => setTimeout(r, 400));
    const s2 = await redoubtIn(dir);
    try {
      const d = await readDataset(s2.port);
      assert.deepEqual([...d.dbs[0].keys()].sort(), ['long', 'plain']);
      assert.equal(await infoField(s2.port, 'rdb_last_load_keys_expired'), '1');
      assert.equal(await infoField(s2.port, 'rdb_last_load_keys_loaded'), '2');
    } finally {
      await s2.stop();
    }
  });

  it('honours dbfilename and dir; a missing file is an empty dataset', async () => {
    const dir = tempDir();
    const s = await redoubtIn(dir, ['--dbfilename', 'other.rdb']);
    try {
      assert.equal(keyCount(await readDataset(s.port)), 0);
      await runCommands(s.port, [['SET', 'k', 'v'], ['SAVE']]);
      assert.ok(fs.existsSync(path.join(dir, 'other.rdb')));
      assert.ok(!fs.existsSync(path.join(dir, 'dump.rdb')));
    } finally {
      await shutdownNoSave(s);
    }
  });
});

describe('BGSAVE', () => {
  it('is a point-in-time image while clients overwrite, delete and create keys', async () => {
    const dir = tempDir();
    const s = await redoubtIn(dir);
    const N = 150000;
    let atBgsave;
    try {
      const fill: string[][] = [];
      for (let i = 0; i < N; i++) fill.push(['SET', `k:${i}`, `v:${i}`]);
      for (let i = 0; i < 200; i++) fill.push(['HSET', `h:${i}`, 'f', 'old', 'g', String(i)], ['RPUSH', `l:${i}`, 'a', 'b']);
      fill.push(['SELECT', '2'], ['SET', 'other-db', 'before'], ['SELECT', '0']);
      await runCommands(s.port, fill);
      atBgsave = await readDataset(s.port, { batch: 2000 });
      const writer = await RawConn.open(s.port);
      // BGSAVE and the first writes in one request: the writes run right after the snapshot point
      const first = await writer.pipeline([
        ['BGSAVE'], ['BGSAVE'], ['SAVE'],
        ['SET', 'k:0', 'changed'], ['DEL', 'k:1'], ['SET', 'created', 'x'], ['HSET', 'h:0', 'f', 'new'],
        ['RPUSH', 'l:0', 'c'], ['EXPIRE', 'k:2', '1000'], ['SELECT', '2'], ['SET', 'other-db', 'after'], ['SELECT', '0'],
      ]);
      assert.deepEqual(first.slice(0, 3), [
        { t: '+', v: 'Background saving started' },
        { t: '-', v: 'ERR Background save already in progress' },
        { t: '-', v: 'ERR Background save already in progress' },
      ]);
      // keep writing (overwrites, deletes, new keys, in-place changes) while the walk runs
      let rounds = 0;
      let sawProgress = false;
      while ((await infoField(s.port, 'rdb_bgsave_in_progress')) === '1') {
        const processed = Number(await infoField(s.port, 'current_save_keys_processed'));
        const total = Number(await infoField(s.port, 'current_save_keys_total'));
        if (processed < total) sawProgress = true;
        const batch: string[][] = [];
        for (let j = 0; j < 500; j++) {
          const i = Math.floor(Math.random() * N);
          batch.push(j % 3 === 0 ? ['DEL', `k:${i}`] : ['SET', `k:${i}`, `w:${rounds}`]);
          batch.push(['SET', `new:${rounds}:${j}`, 'n']);
          if (j % 50 === 0) batch.push(['HSET', `h:${j % 200}`, 'f', `r${rounds}`], ['LPOP', `l:${j % 200}`]);
        }
        await writer.pipeline(batch);
        rounds++;
      }
      writer.close();
      assert.equal(await infoField(s.port, 'rdb_last_bgsave_status'), 'ok');
      assert.ok(sawProgress && rounds > 0, `writes happened during the snapshot (rounds=${rounds})`);
      const live = await readDataset(s.port, { batch: 2000 });
      assert.notDeepEqual(diffDatasets(atBgsave, live, { limit: 1 }), [], 'the live dataset moved on');
      // writes after the snapshot point are not saved: rdb_changes_since_last_save keeps them
      assert.ok(Number(await infoField(s.port, 'rdb_changes_since_last_save')) > 0);
    } finally {
      await shutdownNoSave(s);
    }
    const s2 = await redoubtIn(dir);
    try {
      const loaded = await readDataset(s2.port, { batch: 2000 });
      assert.deepEqual(diffDatasets(atBgsave, loaded), []);
    } finally {
      await s2.stop();
    }
  });

  it('SCHEDULE, MULTI and LASTSAVE answer as Redis', async () => {
    const dir = tempDir();
    const s = await redoubtIn(dir);
    const c = await RawConn.open(s.port);
    try {
      const t0 = Number((await c.call('LASTSAVE')).v);
      assert.ok(Math.abs(t0 - Date.now() / 1000) < 30);
      assert.deepEqual(await c.call('BGSAVE', 'NOW'), { t: '-', v: 'ERR syntax error' });
      assert.deepEqual(await c.call('SAVE', 'x'), { t: '-', v: "ERR wrong number of arguments for 'save' command" });
      // inside EXEC Redis only schedules the save; the cron starts it
      const r = await c.pipeline([['SET', 'a', '1'], ['MULTI'], ['BGSAVE'], ['EXEC'], ['MULTI'], ['SAVE'], ['DISCARD']]);
      assert.deepEqual(r[3], { t: '*', v: [{ t: '+', v: 'Background saving scheduled' }] });
      assert.deepEqual(r[5], { t: '-', v: 'ERR Command not allowed inside a transaction' });
      const deadline = Date.now() + 5000;
      while ((await infoField(s.port, 'rdb_saves')) !== '1') {
        assert.ok(Date.now() < deadline, 'the scheduled BGSAVE ran');
        await new Promise((res) => setTimeout(res, 20));
      }
      assert.equal(await waitBgsave(s.port), 'ok');
      assert.ok(fs.existsSync(path.join(dir, 'dump.rdb')));
      assert.ok(Number((await c.call('LASTSAVE')).v) >= t0);
      assert.equal(await infoField(s.port, 'rdb_last_bgsave_time_sec'), '0');
    } finally {
      c.close();
      await shutdownNoSave(s);
    }
  });
});

describe('loading a damaged file at start-up', () => {
  async function goodDump(): Promise<{ dir: string; bytes: Buffer }> {
    const dir = tempDir();
    const s = await redoubtIn(dir);
    try {
      await runCommands(s.port, [...allTypesCommands(), ['SAVE']]);
    } finally {
      await shutdownNoSave(s);
    }
    return { dir, bytes: fs.readFileSync(path.join(dir, 'dump.rdb')) };
  }

  it('a truncated or corrupt dump stops start-up with exit code 1; check-rdb reports it', async () => {
    const { dir, bytes } = await goodDump();
    const file = path.join(dir, 'dump.rdb');
    const ok = spawnSync(process.execPath, [REDOUBT_BIN, 'check-rdb', file], { encoding: 'latin1' });
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /RDB looks OK/);
    assert.match(ok.stdout, /Checksum OK/);
    assert.match(ok.stdout, /AUX FIELD redis-ver = '7\.0\.15'/);
    assert.match(ok.stdout, /db3: 4 keys/);

    const cases: Array<[string, Buffer]> = [
      ['truncated', bytes.subarray(0, Math.floor(bytes.length / 2))],
      ['corrupt', Buffer.from(bytes.map((b, i) => (i === Math.floor(bytes.length / 3) ? b ^ 0x5a : b)))],
      ['bad checksum', Buffer.from(bytes.map((b, i) => (i === bytes.length - 1 ? b ^ 1 : b)))],
    ];
    for (const [name, damaged] of cases) {
      fs.writeFileSync(file, damaged);
      const chk = spawnSync(process.execPath, [REDOUBT_BIN, 'check-rdb', file], { encoding: 'latin1' });
      assert.equal(chk.status, 1, `${name}: check-rdb exit code\n${chk.stdout}`);
      assert.match(chk.stdout, /RDB ERROR DETECTED/, name);
      // the server itself must refuse to start (a hang here means it started: the timeout fails it)
      const run = spawnSync(process.execPath, [REDOUBT_BIN, '--port', String(await freePort()), '--dir', dir], { encoding: 'latin1', timeout: 10000 });
      assert.equal(run.status, 1, `${name}: exit code`);
      assert.match(run.stdout + run.stderr, /Terminating server after rdb file reading failure|Short read|Internal error in RDB/);
    }
  });
});

