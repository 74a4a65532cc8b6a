/*
 * The process title (set-proc-title, proc-title-template): what /proc/PID/cmdline, and so `ps`,
 * shows for Redoubt and for redis-server 7.0.15 with the same listening address. {title} is each
 * program's own name ("redoubt" here), so the comparison uses templates without it; the default
 * template is checked on its own. set-proc-title no leaves the command line alone.
 */

import { describe, it, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { Client } from './rawclient';
import { startRedis, startRedoubt, type RunningServer } from '../support/servers';

const cmdline = (pid: number): string => fs.readFileSync(`/proc/${pid}/cmdline`, 'latin1');
/**
 * The title: the command line up to its first NUL, trailing spaces dropped. What follows is what
 * the setter left of the old command line: redis-server's setproctitle marks the old end with '.',
 * or a space when the title ends exactly there.
 */
const titleOf = (pid: number): string => cmdline(pid).split('\0')[0].trimEnd();

describe('process title', { skip: process.platform !== 'linux' }, () => {
  let redis: RunningServer;
  let redoubt: RunningServer;
  let a: Client;
  let b: Client;
  before(async () => {
    [redis, redoubt] = await Promise.all([startRedis(['--bind', '127.0.0.1']), startRedoubt(['--bind', '127.0.0.1'])]);
    [a, b] = await Promise.all([Client.open(redis.port), Client.open(redoubt.port)]);
  });
  after(async () => {
    a?.close();
    b?.close();
    await Promise.all([redis?.stop(), redoubt?.stop()]);
  });

  it('the default template names the program and its address', () => {
    assert.equal(titleOf(redoubt.proc.pid!), `redoubt 127.0.0.1:${redoubt.port}`);
    assert.match(titleOf(redis.proc.pid!), new RegExp(`redis-server 127\\.0\\.0\\.1:${redis.port}$`));
  });

  it('CONFIG SET proc-title-template renames the process at once, as in redis-server', async () => {
    for (const t of ['{listen-addr} {port} {tls-port} [{server-mode}] {config-file}', 'a}b {{x {port}', '  {port}  ']) {
      assert.deepEqual(await a.call('CONFIG', 'SET', 'proc-title-template', t), { t: '+', v: 'OK' });
      assert.deepEqual(await b.call('CONFIG', 'SET', 'proc-title-template', t), { t: '+', v: 'OK' });
      const norm = (s: string, port: number) => s.split(String(port)).join('PORT');
      assert.equal(norm(titleOf(redoubt.proc.pid!), redoubt.port), norm(titleOf(redis.proc.pid!), redis.port), t);
    }
    // an invalid template changes nothing
    assert.equal((await b.call('CONFIG', 'SET', 'proc-title-template', '{nosuch}'))!.t, '-');
    assert.equal(titleOf(redoubt.proc.pid!), `${redoubt.port}`);
  });

  it('set-proc-title no keeps the command line', async () => {
    const s = await startRedoubt(['--set-proc-title', 'no']);
    try {
      assert.match(cmdline(s.proc.pid!).replace(/\0/g, ' '), /bin\/redoubt --port \d+/);
    } finally {
      await s.stop();
    }
  });
});
