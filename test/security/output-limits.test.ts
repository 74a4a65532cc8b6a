/*
 * client-output-buffer-limit: a client that asks for more than it reads is disconnected at the hard
 * limit, as redis-server does, and the server keeps serving others. Both servers run the same
 * scenario, so the expectation itself is checked against the reference.
 */

import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { execFileSync } from 'node:child_process';
import { bothServers } from '../support/servers';

const LIMIT_ARGS = ['--client-output-buffer-limit', 'normal', '256kb', '128kb', '1'];

/** Sends many GETs of a 60 KB value without reading; resolves with whether the server closed us. */
function flood(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => {
      s.pause();
      s.write('GET big\r\n'.repeat(3000));
      setTimeout(() => s.resume(), 1500);
    });
    const done = setTimeout(() => { s.destroy(); resolve(false); }, 6000);
    s.on('error', () => {});
    s.on('close', () => { clearTimeout(done); resolve(true); });
  });
}

describe('client-output-buffer-limit', () => {
  const servers = bothServers(LIMIT_ARGS, LIMIT_ARGS);

  for (const which of ['redis', 'redoubt'] as const) {
    it(`${which}: a client over the hard limit is disconnected, others are served`, async () => {
      const srv = which === 'redis' ? servers.redis : servers.redoubt;
      execFileSync('redis-cli', ['-p', String(srv.port), 'SET', 'big', 'x'.repeat(60000)]);
      assert.equal(await flood(srv.port), true);
      assert.equal(execFileSync('redis-cli', ['-p', String(srv.port), 'PING']).toString().trim(), 'PONG');
    });
  }

  it('redoubt: the limit is visible and settable with CONFIG', () => {
    const cli = (...a: string[]) => execFileSync('redis-cli', ['-p', String(servers.redoubt.port), ...a]).toString();
    assert.match(cli('CONFIG', 'GET', 'client-output-buffer-limit'), /normal 262144 131072 1/);
    assert.equal(cli('CONFIG', 'SET', 'client-output-buffer-limit', 'normal 0 0 0').trim(), 'OK');
    assert.match(cli('CONFIG', 'GET', 'client-output-buffer-limit'), /normal 0 0 0/);
  });
});
