/*
 * The AOF append path in isolation (src/persistence/aof/writer.ts), with a controllable clock and
 * a background fdatasync that completes only when the test says so — the only way to see Redis's
 * everysec rules on a fast disk: a write waits behind a running fsync for up to two seconds, then
 * goes ahead and counts in aof_delayed_fsync; a forced flush never waits; a failed background
 * fsync is remembered until one succeeds. Also the bytes: RESP multibulk with SELECT and #TS
 * annotations exactly as Redis writes them, binary-safe.
 */

import { describe, it, beforeEach, afterEach } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fsModule = require('node:fs');
import { AofWriter } from '../../src/persistence/aof/writer';

type Held = { fd: number; cb: (err: NodeJS.ErrnoException | null) => void };

describe('AofWriter', () => {
  let dir: string;
  let file: string;
  let fd: number;
  let clock: number;
  let logs: string[];
  let held: Held[];
  // the module object itself: the writer's namespace import reads its properties at call time
  const realFdatasync = fsModule.fdatasync;

  const newWriter = (policy: 'everysec' | 'always' | 'no') => {
    const w = new AofWriter({
      log: (_level, msg) => logs.push(msg),
      unixtime: () => clock,
      childActive: () => false,
      latencyOn: () => false,
      latencySample: () => undefined,
      fatal: (code) => { throw new Error(`fatal ${code}`); },
    });
    w.policy = policy;
    w.accepting = true;
    w.switchTo(fd);
    return w;
  };
  const size = () => fs.fstatSync(fd).size;
  const settle = () => new Promise((r) => setImmediate(r));
  // background jobs start from a promise chain: let it run before looking at `held`
  const release = async (err: NodeJS.ErrnoException | null = null) => {
    await settle();
    const h = held.shift();
    assert.ok(h, 'no fsync was running');
    h.cb(err);
    await settle();
  };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'redoubt-aofw-'));
    file = path.join(dir, 'appendonly.aof.1.incr.aof');
    fd = fs.openSync(file, 'a', 0o600);
    clock = 1000;
    logs = [];
    held = [];
    (fsModule as { fdatasync: unknown }).fdatasync = (f: number, cb: Held['cb']) => held.push({ fd: f, cb });
  });

  afterEach(() => {
    fsModule.fdatasync = realFdatasync;
    fs.closeSync(fd);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('encodes commands as Redis does: SELECT on db change, #TS once per second, binary-safe', () => {
    const w = newWriter('no');
    w.timestamps = true;
    w.feed(0, ['SET', 'k', 'v']);
    w.feed(0, ['SET', '\x00\xff\r\n', 'x'.repeat(100)]);
    clock++;
    w.feed(12, ['DEL', 'k']);
    w.flush();
    const want =
      '#TS:1000\r\n*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n' +
      `*3\r\n$3\r\nSET\r\n$4\r\n\x00\xff\r\n\r\n$100\r\n${'x'.repeat(100)}\r\n` +
      '#TS:1001\r\n*2\r\n$6\r\nSELECT\r\n$2\r\n12\r\n*2\r\n$3\r\nDEL\r\n$1\r\nk\r\n';
    assert.equal(fs.readFileSync(file, 'latin1'), want);
    assert.equal(w.currentSize, want.length);
    assert.equal(w.pending, 0);
  });

  it('grows its buffer for a large value and keeps the bytes intact', () => {
    const w = newWriter('no');
    const big = Array.from({ length: 300000 }, (_, i) => String.fromCharCode(i % 256)).join('');
    w.feed(0, ['SET', 'big', big]);
    w.feed(0, ['SET', 'small', 'v']);
    w.flush();
    const body = fs.readFileSync(file, 'latin1');
    assert.ok(body.includes(`$300000\r\n${big}\r\n*3\r\n$3\r\nSET\r\n$5\r\nsmall\r\n`));
  });

  it('everysec: a write waits up to two seconds behind a running fsync, then goes ahead', async () => {
    const w = newWriter('everysec');
    w.feed(0, ['SET', 'a', '1']);
    w.flush();
    const first = size();
    assert.ok(first > 0);
    await settle();
    assert.equal(held.length, 1, 'the first write of a second queues a background fsync');
    assert.equal(w.pendingFsyncs, 1);

    w.feed(0, ['SET', 'b', '2']);
    w.flush();
    assert.equal(size(), first, 'postponed while the fsync runs');
    assert.ok(w.pending > 0);
    clock += 1;
    w.flush();
    assert.equal(size(), first, 'still within two seconds');
    clock += 1;
    w.flush();
    assert.ok(size() > first, 'written after two seconds');
    assert.equal(w.pending, 0);
    assert.equal(w.delayedFsyncs, 1);
    assert.ok(logs.includes('Asynchronous AOF fsync is taking too long (disk is busy?). Writing the AOF buffer without waiting for fsync to complete, this may slow down Redis.'));
    await settle();
    assert.equal(held.length, 1, 'no second fsync while one runs');

    await release();
    assert.equal(w.pendingFsyncs, 0);
    w.feed(0, ['SET', 'c', '3']);
    const before = size();
    w.flush();
    assert.ok(size() > before, 'no fsync running: written at once');
  });

  it('everysec: a forced flush writes even while an fsync runs', () => {
    const w = newWriter('everysec');
    w.feed(0, ['SET', 'a', '1']);
    w.flush();
    const first = size();
    w.feed(0, ['SET', 'b', '2']);
    w.flush(true);
    assert.ok(size() > first);
    assert.equal(w.delayedFsyncs, 0);
  });

  it('everysec: an fsync is owed for bytes written in an earlier second even with nothing buffered', async () => {
    const w = newWriter('everysec');
    w.feed(0, ['SET', 'a', '1']);
    w.flush();
    await release();
    w.feed(0, ['SET', 'b', '2']);
    w.flush();
    await settle();
    assert.equal(held.length, 0, 'one fsync per second');
    w.flush();
    await settle();
    assert.equal(held.length, 0);
    clock += 1;
    w.flush();
    await settle();
    assert.equal(held.length, 1, 'the next second fsyncs what the previous one wrote');
    await release();
  });

  it('a failed background fsync is reported until one succeeds; EBADF is not a failure', async () => {
    const w = newWriter('everysec');
    w.feed(0, ['SET', 'a', '1']);
    w.flush();
    await release(Object.assign(new Error('EIO'), { code: 'EIO' }));
    assert.notEqual(w.bgFsyncError, null);
    assert.ok(logs.some((l) => l.startsWith('Fail to fsync the AOF file: ')));
    clock += 1;
    w.feed(0, ['SET', 'b', '2']);
    w.flush();
    await release();
    assert.equal(w.bgFsyncError, null);
    clock += 1;
    w.feed(0, ['SET', 'c', '3']);
    w.flush();
    await release(Object.assign(new Error('EBADF'), { code: 'EBADF' }));
    assert.equal(w.bgFsyncError, null);
  });

  it('always: written and fsync\'d synchronously, never postponed, no background fsync', async () => {
    const w = newWriter('always');
    w.feed(0, ['SET', 'a', '1']);
    w.flush();
    const first = size();
    assert.ok(first > 0);
    assert.equal(w.fsyncOffset, w.currentSize);
    w.feed(0, ['SET', 'b', '2']);
    w.flush();
    assert.ok(size() > first);
    await settle();
    assert.equal(held.length, 0);
  });

  it('discard drops what is buffered', () => {
    const w = newWriter('no');
    w.feed(0, ['SET', 'a', '1']);
    assert.ok(w.pending > 0);
    w.discard();
    assert.equal(w.pending, 0);
    w.flush();
    assert.equal(size(), 0);
  });
});
