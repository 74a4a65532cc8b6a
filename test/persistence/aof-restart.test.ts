/*
 * AOF behaviour of a running Redoubt process: every type survives a restart from the AOF and a
 * BGREWRITEAOF (RDB-preamble and command bases), the directory interoperates with redis-server
 * 7.0.15 both ways, a truncated tail is cut or refused per aof-load-truncated, and with
 * appendfsync always no acknowledged write is lost to kill -9.
 */

import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startRedoubt, startRedis, redisServerBin, type RunningServer } from '../support/servers';
import { readDataset, diffDatasets, allTypesCommands, runCommands, keyCount, RawConn } from '../support/dataset';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'redoubt-aof-'));
const aofArgs = (dir: string, extra: string[] = []) => ['--dir', dir, '--appendonly', 'yes', ...extra];

async function info(port: number, field: string): Promise<string> {
  const c = await RawConn.open(port);
  try {
    const r = await c.call('INFO', 'persistence');
    const m = new RegExp(`^${field}:(.*)\\r?$`, 'm').exec(String(r.v));
    return m ? m[1].trim() : '';
  } finally {
    c.close();
  }
}

async function waitRewrite(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if ((await info(port, 'aof_rewrite_in_progress')) === '0' && (await info(port, 'aof_rewrite_scheduled')) === '0') return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('rewrite did not finish');
}

async function restart(s: RunningServer, dir: string, extra: string[] = []): Promise<RunningServer> {
  await s.stop();
  return startRedoubt(aofArgs(dir, extra), { cwd: dir });
}

for (const preamble of ['yes', 'no']) {
  describe(`AOF round trip (aof-use-rdb-preamble ${preamble})`, () => {
    it('every type survives restart, BGREWRITEAOF, and writes after the rewrite', async () => {
      const dir = tmp();
      const extra = ['--aof-use-rdb-preamble', preamble];
      let s = await startRedoubt(aofArgs(dir, extra), { cwd: dir });
      try {
        await runCommands(s.port, allTypesCommands());
        const before = await readDataset(s.port);
        s = await restart(s, dir, extra);
        assert.deepEqual(diffDatasets(before, await readDataset(s.port)), []);
        await runCommands(s.port, [['BGREWRITEAOF']]);
        await waitRewrite(s.port);
        await runCommands(s.port, [['SET', 'after', 'rewrite'], ['SELECT', '5'], ['LPUSH', 'l5', 'x']]);
        const after = await readDataset(s.port);
        const files = fs.readdirSync(path.join(dir, 'appendonlydir')).sort();
        assert.deepEqual(files, ['appendonly.aof.2.base.' + (preamble === 'yes' ? 'rdb' : 'aof'), 'appendonly.aof.2.incr.aof', 'appendonly.aof.manifest']);
        assert.equal(fs.statSync(path.join(dir, 'appendonlydir', 'appendonly.aof.manifest')).mode & 0o777, 0o600);
        s = await restart(s, dir, extra);
        assert.deepEqual(diffDatasets(after, await readDataset(s.port)), []);
      } finally {
        await s.stop();
      }
    });
  });
}

describe('AOF interop with redis-server 7.0.15', { skip: redisServerBin() === null }, () => {
  it('redis-server loads the directory Redoubt wrote, and Redoubt loads redis-server\'s', async () => {
    const dir = tmp();
    let s = await startRedoubt(aofArgs(dir), { cwd: dir });
    await runCommands(s.port, allTypesCommands());
    await runCommands(s.port, [['BGREWRITEAOF']]);
    await waitRewrite(s.port);
    await runCommands(s.port, [['SET', 'tail', 'write'], ['SADD', 'tailset', 'a', 'b']]);
    const ours = await readDataset(s.port);
    await s.stop();
    const r = await startRedis(['--dir', dir, '--appendonly', 'yes']);
    try {
      assert.deepEqual(diffDatasets(ours, await readDataset(r.port), { ignoreEncoding: true }), []);
      await runCommands(r.port, [['SET', 'from', 'redis'], ['SELECT', '7'], ['HSET', 'h7', 'f', 'v']]);
      await runCommands(r.port, [['BGREWRITEAOF']]);
      await waitRewrite(r.port);
      await runCommands(r.port, [['INCR', 'counter']]);
    } finally {
      var theirs = await readDataset(r.port);
      await r.stop();
    }
    s = await startRedoubt(aofArgs(dir), { cwd: dir });
    try {
      assert.ok(keyCount(theirs) > 30);
      assert.deepEqual(diffDatasets(theirs, await readDataset(s.port), { ignoreEncoding: true }), []);
    } finally {
      await s.stop();
    }
  });
});

describe('AOF truncated tail', () => {
  it('is cut with aof-load-truncated yes and refused with no', async () => {
    const dir = tmp();
    let s = await startRedoubt(aofArgs(dir), { cwd: dir });
    await runCommands(s.port, [['SET', 'a', '1'], ['SET', 'b', '2']]);
    await s.stop();
    const incr = path.join(dir, 'appendonlydir', 'appendonly.aof.1.incr.aof');
    const good = fs.statSync(incr).size;
    fs.appendFileSync(incr, '*3\r\n$3\r\nSET\r\n$1\r\nc\r\n$1');
    s = await startRedoubt(aofArgs(dir, ['--aof-load-truncated', 'no']), { cwd: dir, wait: false });
    const code = await new Promise<number | null>((r) => s.proc.once('exit', r));
    assert.equal(code, 1);
    assert.match(s.output(), /Unexpected end of file reading the append only file appendonly\.aof\.1\.incr\.aof/);
    s = await startRedoubt(aofArgs(dir, ['--aof-load-truncated', 'yes']), { cwd: dir });
    try {
      assert.match(s.output(), new RegExp(`!!! Truncating the AOF appendonly\\.aof\\.1\\.incr\\.aof at offset ${good} !!!`));
      assert.match(s.output(), /AOF appendonly\.aof\.1\.incr\.aof loaded anyway because aof-load-truncated is enabled/);
      const c = await RawConn.open(s.port);
      assert.deepEqual((await c.pipeline([['GET', 'a'], ['GET', 'b'], ['EXISTS', 'c']])).map((x) => String(x.v)), ['1', '2', '0']);
      c.close();
    } finally {
      await s.stop();
    }
  });

  it('a corrupted command in the middle is fatal', async () => {
    const dir = tmp();
    let s = await startRedoubt(aofArgs(dir), { cwd: dir });
    await runCommands(s.port, [['SET', 'a', '1']]);
    await s.stop();
    const incr = path.join(dir, 'appendonlydir', 'appendonly.aof.1.incr.aof');
    fs.appendFileSync(incr, 'garbage\r\n*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\n2\r\n');
    s = await startRedoubt(aofArgs(dir), { cwd: dir, wait: false });
    const code = await new Promise<number | null>((r) => s.proc.once('exit', r));
    assert.equal(code, 1);
    assert.match(s.output(), /Bad file format reading the append only file appendonly\.aof\.1\.incr\.aof/);
  });
});

describe('AOF durability under kill -9 (appendfsync always)', () => {
  it('every acknowledged write is there after restart, over several rounds', async () => {
    const dir = tmp();
    const extra = ['--appendfsync', 'always'];
    const acked = new Map<string, string>();
    let s = await startRedoubt(aofArgs(dir, extra), { cwd: dir });
    for (let round = 0; round < 4; round++) {
      const c = await RawConn.open(s.port);
      let stop = false;
      const writer = (async () => {
        for (let i = 0; !stop; i++) {
          const batch: string[][] = [];
          for (let j = 0; j < 16; j++) batch.push(['SET', `r${round}:${i}:${j}`, `v${i * 16 + j}`]);
          const replies = await c.pipeline(batch);
          replies.forEach((r, j) => { if (r.t === '+') acked.set(batch[j][1], batch[j][2]); });
          if (replies.some((r) => r.t !== '+')) break;
        }
      })().catch(() => undefined); // its connection dies with the kill: a rejection then is expected
      await new Promise((r) => setTimeout(r, 150 + Math.random() * 400));
      s.proc.kill('SIGKILL');
      await new Promise((r) => s.proc.once('exit', r));
      stop = true;
      await writer;
      c.close();
      s = await startRedoubt(aofArgs(dir, extra), { cwd: dir });
      const v = await RawConn.open(s.port);
      const keys = [...acked.keys()];
      const got = await v.pipeline(keys.map((k) => ['GET', k]));
      v.close();
      const missing = keys.filter((k, i) => got[i].v !== acked.get(k));
      assert.deepEqual(missing.slice(0, 5), [], `round ${round}: ${missing.length} acknowledged writes lost`);
      assert.ok(acked.size > 0);
    }
    await s.stop();
  });
});
