/*
 * ACL LOAD / ACL SAVE with an aclfile, against redis-server 7.0.15, and ACL CAT's category contents.
 *
 * Each server gets its own aclfile with the same content; replies are compared after the file path
 * is replaced by a placeholder. ACL CAT <category> cannot be compared directly (Redoubt implements a
 * subset of Redis's commands, and Redis lists them in a randomly seeded order): each category of
 * Redoubt must equal Redis's category restricted to the commands Redoubt has.
 */

import { describe, it, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { runScript, type Script } from './harness';
import { readReply, encodeCommand, type RespValue } from '../support/resp';
import { startRedis, startRedoubt, type RunningServer } from '../support/servers';

async function call(port: number, cmd: string[]): Promise<RespValue> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(encodeCommand(cmd)));
    let buf = Buffer.alloc(0);
    s.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      const r = readReply(buf);
      if (r) {
        s.destroy();
        resolve(r[0]);
      }
    });
    s.on('error', reject);
  });
}

const strings = (v: RespValue): string[] => (v.v as RespValue[]).map((x) => String(x.v));

describe('differential: acl files and categories', () => {
  let redis: RunningServer;
  let redoubt: RunningServer;
  const dirA = fs.mkdtempSync(path.join(os.tmpdir(), 'acl-redis-'));
  const dirB = fs.mkdtempSync(path.join(os.tmpdir(), 'acl-redoubt-'));
  const fileA = path.join(dirA, 'users.acl');
  const fileB = path.join(dirB, 'users.acl');
  const write = (text: string) => {
    fs.writeFileSync(fileA, text);
    fs.writeFileSync(fileB, text);
  };
  const mask = (v: RespValue): RespValue => {
    if (Array.isArray(v.v)) return { t: v.t, v: v.v.map(mask) } as RespValue;
    if (typeof v.v === 'string') return { t: v.t, v: v.v.split(fileA).join('<file>').split(fileB).join('<file>') } as RespValue;
    return v;
  };
  const run = async (steps: string[][]) => {
    const script: Script = { name: 'aclfile', steps: steps.map((cmd) => ({ cmd, mask })) };
    for (const resp of [2, 3] as const) {
      const problems = await runScript(script, resp, redis.port, redoubt.port);
      assert.deepEqual(problems, [], problems.join('\n'));
    }
  };

  before(async () => {
    write('user alice on #' + 'a'.repeat(64) + ' ~k* &c +get\nuser default on nopass ~* &* +@all\n');
    [redis, redoubt] = await Promise.all([
      startRedis(['--aclfile', fileA]),
      startRedoubt(['--aclfile', fileB, '--acl-password-hash', 'sha256']),
    ]);
  });
  after(async () => {
    await Promise.all([redis?.stop(), redoubt?.stop()]);
    fs.rmSync(dirA, { recursive: true, force: true });
    fs.rmSync(dirB, { recursive: true, force: true });
  });

  it('loads the aclfile at start-up, saves atomically with owner-only permissions', async () => {
    await run([['ACL', 'LIST'], ['ACL', 'SETUSER', 'bob', 'on', '>pw', '(+set ~x)'], ['ACL', 'SAVE'], ['ACL', 'LIST']]);
    assert.equal(fs.readFileSync(fileB, 'latin1'), fs.readFileSync(fileA, 'latin1'));
    assert.equal(fs.statSync(fileB).mode & 0o777, 0o600);
    assert.deepEqual(fs.readdirSync(dirB), ['users.acl']);
  });

  it('ACL LOAD replaces every user, and refuses a broken file entirely', async () => {
    write('user carol on nopass ~* +@all\n\n   user dave off\n');
    await run([['ACL', 'LOAD'], ['ACL', 'LIST']]);
    for (const text of [
      'user carol on\nuser carol off\n',
      'usr carol\n',
      'user\n',
      'user erin +nosuch ~a ~* ~b #xyz\nuser frank &x allchannels &y\n',
      'user hal on\n# comment\n',
      'user ivan <nopass !' + 'b'.repeat(64) + '\n',
      'user default on nopass ~* +@all -debug\nuser jo on  nopass\t\n',
    ]) {
      write(text);
      await run([['ACL', 'LOAD'], ['ACL', 'LIST']]);
    }
    fs.rmSync(fileA);
    fs.rmSync(fileB);
    await run([['ACL', 'LOAD'], ['ACL', 'LIST']]);
    write('user default on nopass ~* &* +@all\n');
    await run([['ACL', 'LOAD'], ['ACL', 'LIST']]);
  });

  it('ACL CAT <category> is Redis\'s category restricted to the commands Redoubt has', async () => {
    const cats = strings(await call(redoubt.port, ['ACL', 'CAT']));
    assert.deepEqual(cats, strings(await call(redis.port, ['ACL', 'CAT'])));
    const ours = new Map<string, string[]>();
    const all = new Set<string>();
    for (const c of cats) {
      const l = strings(await call(redoubt.port, ['ACL', 'CAT', c]));
      ours.set(c, l);
      for (const x of l) all.add(x);
    }
    // commands Redoubt adds beyond Redis 7.0 (CL.THROTTLE, INCREX) have no reference to compare with
    const known = new Set(strings(await call(redis.port, ['COMMAND', 'LIST'])));
    for (const c of cats) {
      const theirs = strings(await call(redis.port, ['ACL', 'CAT', c])).filter((x) => all.has(x)).sort();
      assert.deepEqual([...ours.get(c)!].filter((x) => known.has(x)).sort(), theirs, `category ${c}`);
    }
  });
});
