/*
 * Password guessing against the AUTH guard (src/security/guard.ts), as an attacker would do it:
 *  - from one address, on one connection and on many at once: a few free failures, then delays
 *    that double, then a lockout in which even the right password is refused unchecked; every
 *    checked failure and the lockout are logged in a line the documented fail2ban regex matches;
 *    a legitimate session keeps being served with no added latency all along (timers, not a
 *    blocked event loop);
 *  - from many addresses (a network namespace with one IPv6 address per guess): the user is locked
 *    for unknown addresses, while its legitimate client, from an address it has logged in from
 *    before, still gets in; with the default IPv6 /64 grouping the same addresses count as one.
 * Guard timings are shortened with the directives so the test runs in seconds.
 */

import { describe, it, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { spawnSync } from 'node:child_process';
import { startRedoubt, type RunningServer } from '../support/servers';
import { readReply, encodeCommand, type RespValue } from '../support/resp';
import { planNetNs, createNetNs, destroyNetNs } from './net-ns';

/** The fail2ban failregex documented in docs/security.md (<HOST> replaced by a capture). */
const FAIL2BAN = /^\d+:[MSCX] \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2}\.\d{3} # AUTH (?:failed|lockout) from (\S+) /;

class Client {
  private buf = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  private constructor(private readonly s: net.Socket) {
    s.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      for (const w of this.waiters.splice(0)) w();
    });
  }
  static open(port: number, host = '127.0.0.1'): Promise<Client> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host }, () => resolve(new Client(s)));
      s.setNoDelay(true);
      s.once('error', reject);
    });
  }
  async call(...argv: string[]): Promise<RespValue> {
    this.s.write(encodeCommand(argv));
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
    const r = await this.call(...argv);
    return (r.t === '-' ? '-' : '') + String(r.v);
  }
  close(): void {
    this.s.destroy();
  }
}

const WRONGPASS = '-WRONGPASS invalid username-password pair or user is disabled.';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function stat(c: Client, field: string): Promise<number> {
  const m = new RegExp(`^${field}:(\\d+)`, 'm').exec(await c.text('INFO', 'stats'));
  return m === null ? -1 : Number(m[1]);
}

/**
 * The guard's log lines so far. The server writes a line before its reply, but the test reads the
 * server's stdout pipe on its own schedule (and not at all while spawnSync runs an attacker), so
 * first wait until the captured output stops growing.
 */
async function guardLines(s: RunningServer, kind: 'failed' | 'lockout'): Promise<string[]> {
  let len = -1;
  let stable = 0;
  for (let i = 0; i < 100 && stable < 3; i++) {
    await new Promise((r) => setTimeout(r, 30));
    const n = s.output().length;
    stable = n === len ? stable + 1 : 0;
    len = n;
  }
  return s.output().split('\n').filter((l) => l.includes(`# AUTH ${kind} from`) || (kind === 'lockout' && l.includes('# AUTH lockout of user')));
}

const FAST = ['--auth-guard-exempt-networks', '', '--auth-guard-free-failures', '3', '--auth-guard-delay-ms', '100',
  '--auth-guard-max-delay-ms', '400', '--auth-guard-lockout-failures', '8', '--auth-guard-lockout-seconds', '2'];

describe('AUTH guard: one attacking address', () => {
  const servers: RunningServer[] = [];
  after(async () => { await Promise.all(servers.map((s) => s.stop())); });
  const start = async (extra: string[] = []) => {
    const s = await startRedoubt(['--requirepass', 'adminpw', '--acl-password-hash', 'sha256', ...FAST, ...extra]);
    servers.push(s);
    const admin = await Client.open(s.port);
    assert.equal(await admin.text('AUTH', 'adminpw'), 'OK');
    assert.equal(await admin.text('ACL', 'SETUSER', 'app', 'on', '>right', '+@all', '~*'), 'OK');
    return { s, admin };
  };

  it('a human who mistypes a few times gets in at once', async () => {
    const { s, admin } = await start();
    const c = await Client.open(s.port);
    for (let i = 0; i < 3; i++) {
      const t0 = Date.now();
      assert.equal(await c.text('AUTH', 'app', `typo${i}`), WRONGPASS);
      assert.ok(Date.now() - t0 < 80, 'free failures are not delayed');
    }
    // after the free failures the next attempt waits the first delay (100 ms here, 200 ms by
    // default), and the right password then works
    const t0 = Date.now();
    assert.equal(await c.text('AUTH', 'app', 'right'), 'OK');
    const took = Date.now() - t0;
    assert.ok(took >= 85 && took < 250, `took ${took} ms`);
    assert.equal(await stat(admin, 'redoubt_auth_guard_delayed'), 1);
    assert.equal(await stat(admin, 'redoubt_auth_guard_refused'), 0);
    c.close();
    admin.close();
  });

  it('guesses are delayed exponentially, then locked out; the legitimate session is never slowed', async () => {
    const { s, admin } = await start();
    // the legitimate session measures its latency throughout the attack
    let worst = 0;
    let running = true;
    const pinger = (async () => {
      while (running) {
        const t0 = Date.now();
        assert.equal(await admin.text('PING'), 'PONG');
        worst = Math.max(worst, Date.now() - t0);
        await sleep(5);
      }
    })();
    const c = await Client.open(s.port);
    const times: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t0 = Date.now();
      assert.equal(await c.text('AUTH', 'app', `guess${i}`), WRONGPASS);
      times.push(Date.now() - t0);
    }
    // 3 free, then 100, 200, 400, 400, 400 ms (capped), then the 8th failure locks: refused at once
    for (let i = 0; i < 3; i++) assert.ok(times[i] < 80, `guess ${i} took ${times[i]} ms`);
    const expected = [100, 200, 400, 400, 400];
    for (let i = 0; i < 5; i++) assert.ok(times[3 + i] >= expected[i] - 15 && times[3 + i] < expected[i] + 150, `guess ${3 + i} took ${times[3 + i]} ms, expected ~${expected[i]}`);
    assert.ok(times[8] < 80 && times[9] < 80, 'locked out: answered at once, unchecked');
    // even the right password is refused during the lockout
    assert.equal(await c.text('AUTH', 'app', 'right'), WRONGPASS);
    running = false;
    await pinger;
    assert.ok(worst < 60, `the legitimate session waited ${worst} ms`);

    assert.equal(await stat(admin, 'redoubt_auth_guard_delayed'), 5);
    // the address and the user (this address never logged in as app) are both locked
    assert.equal(await stat(admin, 'redoubt_auth_guard_lockouts'), 2);
    assert.equal(await stat(admin, 'redoubt_auth_guard_locked_users'), 1);
    assert.equal(await stat(admin, 'redoubt_auth_guard_refused'), 3);
    assert.equal(await stat(admin, 'redoubt_auth_guard_locked_sources'), 1);
    // every failure, checked or not, is an ACL LOG `auth` entry as Redis writes it (grouped)
    const log = await admin.call('ACL', 'LOG', '1');
    const e = (log.v as RespValue[])[0].v as RespValue[];
    const fields = new Map<string, string>();
    for (let i = 0; i < e.length; i += 2) fields.set(String(e[i].v), String(e[i + 1].v));
    assert.equal(fields.get('reason'), 'auth');
    assert.equal(fields.get('context'), 'toplevel');
    assert.equal(fields.get('object'), 'AUTH');
    assert.equal(fields.get('username'), 'app');
    assert.equal(fields.get('count'), '11');

    // the log: 8 checked failures and one lockout, all matched by the fail2ban regex with the address
    await sleep(50);
    const failed = (await guardLines(s, 'failed'));
    assert.equal(failed.length, 8);
    const sourceLockouts = (await guardLines(s, 'lockout')).filter((l) => l.includes('AUTH lockout from'));
    for (const l of [...failed, ...sourceLockouts]) assert.equal(FAIL2BAN.exec(l)?.[1], '127.0.0.1', l);
    assert.equal(sourceLockouts.length, 1);
    assert.ok((await guardLines(s, 'lockout')).some((l) => l.includes("AUTH lockout of user 'app'")));

    // after the lockout the right password works again; one more wrong guess locks at once
    await sleep(2100);
    assert.equal(await c.text('AUTH', 'app', 'right'), 'OK');
    assert.equal(await c.text('AUTH', 'app', 'wrong-again'), WRONGPASS);
    assert.equal(await c.text('AUTH', 'app', 'right'), WRONGPASS);
    c.close();
    admin.close();
  });

  it('parallel connections from the same address do not multiply the rate', async () => {
    const { s, admin } = await start(['--auth-guard-delay-ms', '300', '--auth-guard-max-delay-ms', '300']);
    const c = await Client.open(s.port);
    for (let i = 0; i < 3; i++) await c.text('AUTH', 'app', `free${i}`);
    const conns = await Promise.all(Array.from({ length: 20 }, () => Client.open(s.port)));
    const t0 = Date.now();
    const replies = await Promise.all(conns.map((k, i) => k.text('AUTH', 'app', `par${i}`)));
    assert.ok(replies.every((r) => r === WRONGPASS));
    // one attempt was checked (after the 300 ms delay); the other 19 were refused at once
    assert.ok(Date.now() - t0 >= 280);
    assert.equal((await guardLines(s, 'failed')).length, 4);
    assert.equal(await stat(admin, 'redoubt_auth_guard_refused'), 19);
    for (const k of conns) k.close();
    c.close();
    admin.close();
  });

  it('a crafted user name cannot forge a log line or an address', async () => {
    const { s, admin } = await start();
    const c = await Client.open(s.port);
    assert.equal(await c.text('AUTH', "x'\n1:M 01 Jan 2030 00:00:00.000 # AUTH failed from 6.6.6.6 ", 'p'), WRONGPASS);
    await sleep(50);
    const lines = (await guardLines(s, 'failed'));
    assert.equal(lines.length, 1);
    assert.equal(FAIL2BAN.exec(lines[0])?.[1], '127.0.0.1');
    assert.match(lines[0], /user 'x\\x27\\x0a1:M 01 Jan/);
    c.close();
    admin.close();
  });

  it('loopback is exempt by default; auth-guard no turns the guard off', async () => {
    for (const args of [['--auth-guard-exempt-networks', '127.0.0.0/8 ::1'], ['--auth-guard', 'no']]) {
      const { s, admin } = await start(args);
      const c = await Client.open(s.port);
      const t0 = Date.now();
      for (let i = 0; i < 30; i++) assert.equal(await c.text('AUTH', 'app', `g${i}`), WRONGPASS);
      assert.equal(await c.text('AUTH', 'app', 'right'), 'OK');
      assert.ok(Date.now() - t0 < 1000);
      assert.equal(await stat(admin, 'redoubt_auth_guard_delayed'), 0);
      c.close();
      admin.close();
    }
  });
});

/* ------------------------------------------------------------------ many addresses */

const ns = planNetNs(9);
const ATTACK_ADDRS = 16;

/** Runs inside the namespace: one connection per source address, one AUTH each, prints the replies. */
const ATTACKER = `
const net = require('node:net');
const [host, port, user, pass, ...addrs] = process.argv.slice(1);
const one = (src, i) => new Promise((resolve) => {
  const s = net.connect({ host, port: Number(port), localAddress: src, family: 6 }, () => {
    const p = pass === '-' ? 'guess' + i : pass;
    s.write('*3\\r\\n$4\\r\\nAUTH\\r\\n$' + user.length + '\\r\\n' + user + '\\r\\n$' + p.length + '\\r\\n' + p + '\\r\\n');
  });
  let out = '';
  s.on('data', (d) => { out += d; if (out.endsWith('\\r\\n')) { s.destroy(); resolve(out.trim()); } });
  s.on('error', (e) => resolve('error ' + e.message));
});
(async () => { const r = []; for (let i = 0; i < addrs.length; i++) r.push(await one(addrs[i], i)); console.log(JSON.stringify(r)); })();
`;

function attack(port: number, user: string, pass: string, addrs: string[]): string[] {
  const r = spawnSync('ip', ['netns', 'exec', ns.ns, process.execPath, '-e', ATTACKER, ns.hostIp6, String(port), user, pass, ...addrs], { encoding: 'latin1', timeout: 20000 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as string[];
}

describe('AUTH guard: guessing one user from many addresses', { skip: ns.skip ?? false }, () => {
  const servers: RunningServer[] = [];
  const addrs = Array.from({ length: ATTACK_ADDRS + 2 }, (_, i) => ns.nsIp6.replace(/::2$/, `::${(0x100 + i).toString(16)}`));
  before(() => {
    createNetNs(ns);
    for (const a of addrs) spawnSync('ip', ['netns', 'exec', ns.ns, 'ip', '-6', 'addr', 'add', `${a}/64`, 'dev', ns.nsIf, 'nodad']);
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    destroyNetNs(ns);
  });
  const start = async (extra: string[]) => {
    const s = await startRedoubt(['--bind', '127.0.0.1', ns.hostIp6, '--requirepass', 'adminpw', '--acl-password-hash', 'sha256',
      '--auth-guard-exempt-networks', '', '--auth-guard-free-failures', '3', '--auth-guard-delay-ms', '50',
      '--auth-guard-max-delay-ms', '200', '--auth-guard-lockout-failures', '8', '--auth-guard-lockout-seconds', '60', ...extra]);
    servers.push(s);
    const admin = await Client.open(s.port);
    assert.equal(await admin.text('AUTH', 'adminpw'), 'OK');
    assert.equal(await admin.text('ACL', 'SETUSER', 'app', 'on', '>right', '+@all', '~*'), 'OK');
    return { s, admin };
  };

  it('the user is locked for unknown addresses; its known client keeps getting in', async () => {
    const { s, admin } = await start(['--auth-guard-ipv6-prefix', '128']);
    // the legitimate client logs in once before the attack: its address becomes known-good for app
    const legit = await Client.open(s.port);
    assert.equal(await legit.text('AUTH', 'app', 'right'), 'OK');
    legit.close();

    const replies = attack(s.port, 'app', '-', addrs.slice(0, ATTACK_ADDRS));
    assert.ok(replies.every((r) => r === WRONGPASS), replies.join(','));
    // each address failed once (no per-address delay); the user's counter passed its threshold
    assert.equal(await stat(admin, 'redoubt_auth_guard_locked_users'), 1, s.output().split('\n').slice(-30).join('\n'));
    assert.equal(await stat(admin, 'redoubt_auth_guard_locked_sources'), 0);
    // 8 failures were checked before the lockout (the first 3 free, then 50..200 ms apart)
    assert.equal((await guardLines(s, 'failed')).length, 8);
    assert.ok((await guardLines(s, 'lockout')).some((l) => l.includes("AUTH lockout of user 'app'")));
    const seen = new Set((await guardLines(s, 'failed')).map((l) => FAIL2BAN.exec(l)?.[1]));
    assert.equal(seen.size, 8, 'each failure is logged with its own address');

    // the right password from a new address is refused: the user is locked for it
    assert.deepEqual(attack(s.port, 'app', 'right', [addrs[ATTACK_ADDRS]]), [WRONGPASS]);
    // the known client still gets in, and already-open sessions never noticed
    const again = await Client.open(s.port);
    assert.equal(await again.text('AUTH', 'app', 'right'), 'OK');
    assert.equal(await again.text('PING'), 'PONG');
    again.close();
    assert.equal(await admin.text('PING'), 'PONG');
    admin.close();
  });

  it('with the default /64 grouping the same addresses are one source', async () => {
    const { s, admin } = await start([]);
    const replies = attack(s.port, 'nobody', '-', addrs.slice(0, ATTACK_ADDRS));
    assert.ok(replies.every((r) => r === WRONGPASS));
    assert.equal(await stat(admin, 'redoubt_auth_guard_locked_sources'), 1, s.output().split('\n').filter((l) => l.includes('AUTH')).join('\n'));
    const seen = (await guardLines(s, 'lockout')).filter((l) => l.includes('AUTH lockout from'));
    assert.equal(seen.length, 1);
    admin.close();
  });
});
