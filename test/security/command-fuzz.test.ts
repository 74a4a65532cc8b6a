/*
 * Every command Redoubt has, called with random arguments drawn from values that exercise option
 * parsing, number edge cases and binary bytes: no command may fail with an internal error (a
 * handler exception turned into "ERR internal error ...") and the server must keep serving.
 * Seeded, so a failure replays. Commands that end the session or the server, or change who may
 * connect, are left out.
 */

import { describe, it, after, before } from 'node:test';
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { execFileSync } from 'node:child_process';
import { startRedoubt, type RunningServer } from '../support/servers';
import { encodeCommand } from '../support/resp';
import { prng as rng } from '../support/prng';

const EXCLUDED = /^(shutdown|monitor|quit|reset|client\|reply|debug\|sleep|client\|(pause|kill)|acl\|(deluser|load|save|setuser)|config\|(set|rewrite)|swapdb|flushall|auth|hello)$/;

const VALUES = [
  '0', '1', '-1', '3', '2', 'k', 'x', '*', '?', '[', '\\', 'EX', 'PX', 'EXAT', 'PXAT', 'NX', 'XX', 'GT', 'LT',
  'GET', 'KEEPTTL', 'PERSIST', '9223372036854775807', '-9223372036854775808', '9223372036854775808',
  '1e400', 'nan', 'inf', '-inf', '0.5', '', '\x00\xff\r\n', 'MATCH', 'COUNT', 'TYPE', 'string', 'IDX',
  'LEN', 'WITHMATCHLEN', 'MINMATCHLEN', 'REPLACE', 'DB', 'ASYNC', 'SYNC', 'ON', 'OFF', 'SKIP',
  'a'.repeat(300), '100000000000', '-100000000000', 'key:1', 'FILTERBY', 'ACLCAT', 'PATTERN', 'ID',
  'USER', 'ADDR', 'LADDR', 'SKIPME', 'yes', 'no', 'default', 'RESET', 'SETNAME',
];


describe('random arguments to every command', () => {
  let s: RunningServer;
  before(async () => {
    s = await startRedoubt(['--enable-debug-command', 'yes']);
  });
  after(async () => {
    await s?.stop();
  });

  it('never raises an internal error, and the server keeps serving', async () => {
    const names = execFileSync('redis-cli', ['-p', String(s.port), 'COMMAND', 'LIST'], { encoding: 'latin1' })
      .trim().split('\n').filter((n) => !EXCLUDED.test(n) && n !== 'debug');
    const random = rng(20261128);
    const pick = <T>(a: T[]) => a[Math.floor(random() * a.length)];
    const total = 20000;
    const found = await new Promise<string[]>((resolve, reject) => {
      const sock = net.connect(s.port, '127.0.0.1');
      let tail = '';
      const internal: string[] = [];
      sock.on('data', (d) => {
        const text = tail + d.toString('latin1');
        for (const m of text.matchAll(/-ERR internal error[^\r]*/g)) internal.push(m[0]);
        tail = text.slice(-64);
      });
      sock.on('error', reject);
      sock.on('close', () => resolve(internal));
      sock.on('connect', () => {
        const chunks: Buffer[] = [];
        for (let i = 0; i < total; i++) {
          const args = pick(names).split('|');
          const extra = Math.floor(random() * 6);
          for (let j = 0; j < extra; j++) args.push(pick(VALUES));
          chunks.push(encodeCommand(args));
        }
        chunks.push(encodeCommand(['QUIT']));
        sock.write(Buffer.concat(chunks));
      });
    });
    assert.deepEqual(found, []);
    assert.equal(execFileSync('redis-cli', ['-p', String(s.port), 'PING'], { encoding: 'latin1' }).trim(), 'PONG');
  });
});
