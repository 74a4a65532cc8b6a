/*
 * Dangerous commands and protected configuration, side by side with redis-server 7.0.15: the same
 * requests go to both and the reply bytes must be equal. Covers rename-command (renamed and
 * removed commands), enable-debug-command no|yes|local over TCP loopback and the Unix socket
 * (the non-loopback half of `local` is in net-remote.test.ts), enable-protected-configs for `dir`
 * and `dbfilename`, and `dbfilename` refusing a path. AOF does not exist in Redoubt yet, so
 * "a renamed command reaches the AOF under its original name" is not tested here.
 */

import { describe, it, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startRedis, startRedoubt, type RunningServer } from '../support/servers';

/** Sends one request (raw RESP or inline) and returns every byte until the reply settles. */
function ask(target: { port: number } | { path: string }, req: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = 'port' in target ? net.connect({ port: target.port, host: '127.0.0.1' }) : net.connect({ path: target.path });
    let buf = '';
    let timer: NodeJS.Timeout | null = null;
    sock.setEncoding('latin1');
    sock.on('data', (d: string) => {
      buf += d;
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => sock.destroy(), 80);
    });
    sock.on('close', () => resolve(buf));
    sock.on('error', reject);
    sock.write(req);
  });
}

const resp = (...args: string[]) => `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a, 'latin1')}\r\n${a}\r\n`).join('')}`;

describe('dangerous commands and protected configs (against redis-server 7.0.15)', () => {
  const servers: RunningServer[] = [];
  const pair = async (args: string[]) => {
    const both = await Promise.all([startRedis(args), startRedoubt(args)]);
    servers.push(...both);
    return both;
  };
  after(async () => {
    await Promise.all(servers.map((s) => s.stop()));
  });

  const same = async (redis: RunningServer, redoubt: RunningServer, req: string, expect?: RegExp) => {
    const [a, b] = await Promise.all([ask(redis, req), ask(redoubt, req)]);
    assert.equal(b, a, JSON.stringify(req));
    if (expect) assert.match(b, expect);
    return b;
  };

  it('rename-command: the new name works, the old name and a removed command are unknown', async () => {
    const [redis, redoubt] = await pair(['--rename-command', 'config', 'cfg-7f3a', '--rename-command', 'flushall', '']);
    await same(redis, redoubt, resp('CONFIG', 'GET', 'maxclients'), /^-ERR unknown command 'CONFIG', with args beginning with: 'GET' 'maxclients' \r\n$/);
    await same(redis, redoubt, resp('cfg-7f3a', 'GET', 'maxclients'), /^\*2\r\n/);
    await same(redis, redoubt, resp('FLUSHALL'), /^-ERR unknown command 'FLUSHALL'/);
    await same(redis, redoubt, resp('SET', 'k', 'v'));
    await same(redis, redoubt, resp('cfg-7f3a', 'SET', 'dir', '/tmp'), /can't set protected config/);
  });

  it('defaults: DEBUG and protected configs are refused with Redis\'s texts', async () => {
    const [redis, redoubt] = await pair([]);
    await same(redis, redoubt, resp('DEBUG', 'SLEEP', '0'), /^-ERR DEBUG command not allowed\. If the enable-debug-command option is set to "local"/);
    await same(redis, redoubt, resp('CONFIG', 'SET', 'dir', '/tmp'), /^-ERR CONFIG SET failed \(possibly related to argument 'dir'\) - can't set protected config\r\n$/);
    await same(redis, redoubt, resp('CONFIG', 'SET', 'dbfilename', 'x.rdb'), /can't set protected config/);
    await same(redis, redoubt, resp('CONFIG', 'SET', 'dbfilename', '../../etc/cron.d/x'), /can't set protected config/);
    for (const name of ['enable-debug-command', 'enable-module-command', 'enable-protected-configs']) {
      for (const v of ['yes', 'local', 'no']) await same(redis, redoubt, resp('CONFIG', 'SET', name, v), /can't set immutable config/);
      await same(redis, redoubt, resp('CONFIG', 'GET', name), /\r\nno\r\n$/);
    }
  });

  it('enable-protected-configs yes: dbfilename still cannot be a path', async () => {
    const [redis, redoubt] = await pair(['--enable-protected-configs', 'yes']);
    await same(redis, redoubt, resp('CONFIG', 'SET', 'dbfilename', '/etc/passwd'), /^-ERR CONFIG SET failed \(possibly related to argument 'dbfilename'\) - dbfilename can't be a path, just a filename\r\n$/);
    await same(redis, redoubt, resp('CONFIG', 'SET', 'dbfilename', 'a/b.rdb'), /can't be a path/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'redoubt-dir-'));
    await same(redis, redoubt, resp('CONFIG', 'SET', 'dir', dir), /^\+OK\r\n$/);
  });

  it('enable-debug-command yes runs DEBUG; local runs it from loopback and the Unix socket', async () => {
    const [redis, redoubt] = await pair(['--enable-debug-command', 'yes']);
    await same(redis, redoubt, resp('DEBUG', 'SLEEP', '0'), /^\+OK\r\n$/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'redoubt-dbg-'));
    const sockA = path.join(dir, 'a.sock');
    const sockB = path.join(dir, 'b.sock');
    const [r2, d2] = await Promise.all([
      startRedis(['--enable-debug-command', 'local', '--unixsocket', sockA]),
      startRedoubt(['--enable-debug-command', 'local', '--unixsocket', sockB]),
    ]);
    servers.push(r2, d2);
    await same(r2, d2, resp('DEBUG', 'SLEEP', '0'), /^\+OK\r\n$/);
    const [a, b] = await Promise.all([ask({ path: sockA }, resp('DEBUG', 'SLEEP', '0')), ask({ path: sockB }, resp('DEBUG', 'SLEEP', '0'))]);
    assert.equal(b, '+OK\r\n');
    assert.equal(b, a);
  });
});
