/*
 * Command rate limits (src/security/ratelimit.ts): the ACL `rate:` rule (grammar, canonical form,
 * GETUSER / LIST / SAVE / LOAD, never a Redis rule: redis-server refuses it), the
 * `connection-rate-limit` directive, the RATELIMITED error, INFO counters and ACL LOG entries, and
 * accuracy: a client sending as fast as it can gets the configured rate, within a few percent.
 */

import { describe, it, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startRedoubt, startRedis, type RunningServer } from '../support/servers';
import { readReply, encodeCommand, type RespValue } from '../support/resp';

class Client {
  private buf = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  private constructor(private readonly s: net.Socket) {
    s.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      for (const w of this.waiters.splice(0)) w();
    });
  }
  static open(port: number): Promise<Client> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host: '127.0.0.1' }, () => resolve(new Client(s)));
      s.setNoDelay(true);
      s.once('error', reject);
    });
  }
  send(...argv: string[]): void {
    this.s.write(encodeCommand(argv));
  }
  async read(): Promise<RespValue> {
    for (;;) {
      const r = readReply(this.buf);
      if (r !== null) {
        this.buf = this.buf.subarray(r[1]);
        return r[0];
      }
      await new Promise<void>((w) => this.waiters.push(w));
    }
  }
  async text(...argv: string[]): Promise<string> {
    this.send(...argv);
    const r = await this.read();
    return (r.t === '-' ? '-' : '') + (Array.isArray(r.v) ? JSON.stringify(r.v.map((x) => x.v)) : String(r.v));
  }
  close(): void {
    this.s.destroy();
  }
}

/**
 * Sends PINGs as fast as it can (a window of `depth` in flight) for `ms`; returns how many were
 * answered PONG, how many RATELIMITED, and the elapsed time.
 */
async function flood(c: Client, ms: number, depth = 32): Promise<{ ok: number; limited: number; seconds: number; sample: string }> {
  let ok = 0;
  let limited = 0;
  let sample = '';
  const t0 = process.hrtime.bigint();
  const end = Date.now() + ms;
  let inflight = 0;
  for (; inflight < depth; inflight++) c.send('PING');
  while (inflight > 0) {
    const r = await c.read();
    inflight--;
    if (r.t === '+') ok++;
    else {
      limited++;
      sample = String(r.v);
    }
    if (Date.now() < end) {
      c.send('PING');
      inflight++;
    }
  }
  return { ok, limited, seconds: Number(process.hrtime.bigint() - t0) / 1e9, sample };
}

describe('rate limits', () => {
  let s: RunningServer;
  let admin: Client;
  before(async () => {
    s = await startRedoubt(['--requirepass', 'adminpw', '--acl-password-hash', 'sha256']);
    admin = await Client.open(s.port);
    assert.equal(await admin.text('AUTH', 'adminpw'), 'OK');
  });
  after(async () => {
    admin.close();
    await s.stop();
  });

  it('ACL rule grammar, canonical form, GETUSER and LIST', async () => {
    const cases: [string, string][] = [
      ['rate:100/s', 'rate:100/1s'], ['rate:6000/60s', 'rate:6000/1m'], ['rate:10/100ms:50', 'rate:10/100ms:50'],
      ['RATE:5/2H', 'rate:5/2h'], ['rate:7/1500ms:7', 'rate:7/1500ms'], ['rate:1/24h:1000000000', 'rate:1/24h:1000000000'],
    ];
    for (const [rule, shown] of cases) {
      assert.equal(await admin.text('ACL', 'SETUSER', 'r', 'reset', 'on', 'nopass', '+@all', '~*', rule), 'OK');
      assert.match(await admin.text('ACL', 'LIST'), new RegExp(`user r on nopass sanitize-payload ${shown} ~\\*`));
      const g = await admin.text('ACL', 'GETUSER', 'r');
      assert.ok(g.endsWith(`"rate","${shown}"]`), g);
    }
    for (const bad of ['rate:0/s', 'rate:1/0s', 'rate:abc', 'rate:1/25h', 'rate:1/s:0', 'rate:-1/s', 'rate:1/1d', 'rate:1/s:', 'rate:']) {
      assert.equal(await admin.text('ACL', 'SETUSER', 'r', bad), `-ERR Error in ACL SETUSER modifier '${bad}': Syntax error`);
    }
    // a rate rule is a user rule, not a selector rule
    assert.match(await admin.text('ACL', 'SETUSER', 'r', '(+get rate:1/s)'), /Syntax error/);
    // reset keeps it (like from: and expireat:), norate removes it
    assert.equal(await admin.text('ACL', 'SETUSER', 'r', 'rate:3/s', 'reset'), 'OK');
    assert.match(await admin.text('ACL', 'LIST'), /user r off sanitize-payload rate:3\/1s resetchannels -@all/);
    assert.equal(await admin.text('ACL', 'SETUSER', 'r', 'norate'), 'OK');
    assert.doesNotMatch(await admin.text('ACL', 'LIST'), /rate:/);
    assert.equal(await admin.text('ACL', 'DELUSER', 'r'), '1');
  });

  it('redis-server refuses the rule, so no Redis ACL file can contain it', async () => {
    const redis = await startRedis();
    try {
      const c = await Client.open(redis.port);
      assert.equal(await c.text('ACL', 'SETUSER', 'r', 'rate:100/s'), "-ERR Error in ACL SETUSER modifier 'rate:100/s': Syntax error");
      c.close();
    } finally {
      await redis.stop();
    }
  });

  it('ACL SAVE writes the rule and ACL LOAD reads it back', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'redoubt-rate-'));
    const file = path.join(dir, 'users.acl');
    fs.writeFileSync(file, 'user default on nopass ~* &* +@all\nuser app on nopass ~* +@all rate:50/1s:10\n');
    const t = await startRedoubt(['--aclfile', file]);
    try {
      const c = await Client.open(t.port);
      assert.ok((await c.text('ACL', 'GETUSER', 'app')).endsWith('"rate","rate:50/1s:10"]'));
      assert.equal(await c.text('ACL', 'SETUSER', 'app', 'rate:60/1m'), 'OK');
      assert.equal(await c.text('ACL', 'SAVE'), 'OK');
      assert.match(fs.readFileSync(file, 'latin1'), /^user app on nopass rate:60\/1m ~\* /m);
      assert.equal(await c.text('ACL', 'SETUSER', 'app', 'norate'), 'OK');
      assert.equal(await c.text('ACL', 'LOAD'), 'OK');
      assert.ok((await c.text('ACL', 'GETUSER', 'app')).endsWith('"rate","rate:60/1m"]'));
      c.close();
    } finally {
      await t.stop();
    }
  });

  it('a user over its rate gets RATELIMITED, counted in INFO and ACL LOG; AUTH and QUIT are never limited', async () => {
    assert.equal(await admin.text('ACL', 'SETUSER', 'slow', 'reset', 'on', '>pw', '+@all', '~*', 'rate:3/10s'), 'OK');
    const c = await Client.open(s.port);
    assert.equal(await c.text('AUTH', 'slow', 'pw'), 'OK');
    for (let i = 0; i < 3; i++) assert.equal(await c.text('PING'), 'PONG');
    assert.match(await c.text('SET', 'k', 'v'), /^-RATELIMITED too many commands for user 'slow': limit 3\/10s, retry in \d+ ms$/);
    assert.equal(await c.text('AUTH', 'slow', 'pw'), 'OK');
    // a refused command inside MULTI fails the transaction, as any refusal before queueing does
    assert.equal(await admin.text('ACL', 'SETUSER', 'tx', 'reset', 'on', '>pw', '+@all', '~*', 'rate:2/10s'), 'OK');
    const t = await Client.open(s.port);
    assert.equal(await t.text('AUTH', 'tx', 'pw'), 'OK');
    assert.equal(await t.text('MULTI'), 'OK');
    assert.equal(await t.text('SET', 'a', '1'), 'QUEUED');
    assert.match(await t.text('SET', 'b', '2'), /^-RATELIMITED /);
    assert.match(await t.text('EXEC'), /^-EXECABORT Transaction discarded because of/);
    assert.equal(await admin.text('EXISTS', 'a'), '0');
    t.close();
    const info = await admin.text('INFO', 'stats');
    assert.ok(Number(/redoubt_rate_limited_user_commands:(\d+)/.exec(info)?.[1]) >= 3);
    const log = await admin.text('ACL', 'LOG');
    const text = log.replace(/\{"t":"[$:]","v":("[^"]*")\}/g, '$1');
    assert.match(text, /"reason","ratelimit","context","toplevel","object","set","username","slow"/);
    assert.equal(await c.text('QUIT'), 'OK');
    c.close();
  });

  // (a burst of 50 ms' worth: with burst 1 a bucket cannot hold the tokens that accrue while
  // one event-loop turn runs, and the rate a flooding client sees is one command per turn)
  it('accuracy: a user limited to 2000/s gets 2000/s, within 3%', async () => {
    assert.equal(await admin.text('ACL', 'SETUSER', 'fast', 'reset', 'on', '>pw', '+@all', '~*', 'rate:2000/1s:100'), 'OK');
    const c = await Client.open(s.port);
    assert.equal(await c.text('AUTH', 'fast', 'pw'), 'OK');
    const r = await flood(c, 3000);
    const measured = (r.ok - 100) / r.seconds;
    const err = Math.abs(measured - 2000) / 2000;
    process.stdout.write(`# user rate 2000/s: measured ${measured.toFixed(1)}/s over ${r.seconds.toFixed(2)} s (${r.ok} allowed, ${r.limited} refused), error ${(err * 100).toFixed(2)}%\n`);
    assert.ok(r.limited > 0, 'the client sent faster than the limit');
    assert.ok(err <= 0.03, `measured ${measured}/s`);
    c.close();
  });

  it('accuracy with a burst: 200/s with burst 100 over 2 s allows ~100 + 400', async () => {
    assert.equal(await admin.text('ACL', 'SETUSER', 'bursty', 'reset', 'on', '>pw', '+@all', '~*', 'rate:200/1s:100'), 'OK');
    const c = await Client.open(s.port);
    assert.equal(await c.text('AUTH', 'bursty', 'pw'), 'OK');
    const r = await flood(c, 2000);
    const expected = 100 + 200 * r.seconds;
    const err = Math.abs(r.ok - expected) / expected;
    process.stdout.write(`# user rate 200/s burst 100: ${r.ok} allowed in ${r.seconds.toFixed(2)} s, expected ${expected.toFixed(0)}, error ${(err * 100).toFixed(2)}%\n`);
    assert.ok(err <= 0.03, `allowed ${r.ok}, expected ${expected}`);
    c.close();
  });

  it('connection-rate-limit: each connection has its own bucket', async () => {
    assert.equal(await admin.text('CONFIG', 'SET', 'connection-rate-limit', 'x/s'), "-ERR CONFIG SET failed (possibly related to argument 'connection-rate-limit') - Invalid rate limit: expected <count>/<period>[:<burst>], e.g. 100/1s or 6000/1m:200");
    // the limit applies to the admin connection too once set, so set and read it in one go
    const a = await Client.open(s.port);
    const b = await Client.open(s.port);
    assert.equal(await a.text('AUTH', 'adminpw'), 'OK');
    assert.equal(await b.text('AUTH', 'adminpw'), 'OK');
    assert.equal(await admin.text('CONFIG', 'SET', 'connection-rate-limit', '1000/1000ms:50'), 'OK');
    const [ra, rb] = await Promise.all([flood(a, 2000), flood(b, 2000)]);
    for (const r of [ra, rb]) {
      const measured = (r.ok - 50) / r.seconds;
      process.stdout.write(`# connection rate 1000/s: measured ${measured.toFixed(1)}/s, error ${(Math.abs(measured - 1000) / 10).toFixed(2)}%\n`);
      assert.ok(Math.abs(measured - 1000) / 1000 <= 0.03, `measured ${measured}/s`);
      assert.match(r.sample, /^RATELIMITED too many commands on this connection: limit 1000\/1s:50, retry in \d+ ms$/);
    }
    assert.equal(await admin.text('CONFIG', 'GET', 'connection-rate-limit'), '["connection-rate-limit","1000/1s:50"]');
    assert.equal(await admin.text('CONFIG', 'SET', 'connection-rate-limit', ''), 'OK');
    const info = await admin.text('INFO', 'stats');
    assert.ok(Number(/redoubt_rate_limited_connection_commands:(\d+)/.exec(info)?.[1]) > 0);
    a.close();
    b.close();
  });
});
