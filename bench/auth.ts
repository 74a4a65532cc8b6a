/*
 * AUTH latency and the cost of an offline guess.
 *
 * For Redoubt with `acl-password-hash scrypt` (the default), Redoubt with `sha256`, and
 * redis-server 7.0.15, it measures over raw sockets:
 *  - first AUTH: the first successful AUTH after the user's password was (re)set, so no proof is
 *    cached yet (for scrypt this pays one full scrypt, on the thread pool);
 *  - later AUTH: repeated AUTHs with the same secret on one connection (the verified-secret cache).
 * It then times, in this process, one offline guess against each stored form: what an attacker who
 * stole the ACL file pays per candidate password (scrypt N=2^14 r=8 p=1 versus one SHA-256).
 *
 * Finally it measures online guessing: one attacker on one address (loopback, with
 * `auth-guard-exempt-networks ""` so the guard applies to it) keeps 16 connections busy sending
 * wrong passwords for --seconds, against redis-server and against Redoubt with the brute-force
 * guard off and on (src/security/guard.ts). "checked" counts the guesses the server actually
 * tested (on Redoubt: acl_access_denied_auth minus the guard's unchecked refusals); replies to
 * unchecked attempts are the same WRONGPASS but tell the attacker nothing.
 *
 * Usage: npm run bench:auth [-- --first N] [--later N] [--seconds N]
 */

import * as net from 'node:net';
import { startRedis, startRedoubt, type RunningServer } from '../test/support/servers';
import { hashPassword, verifyPassword } from '../src/security/passwords';
import { option } from './options';

/** A socket that sends one command at a time and waits for its one-line reply. */
class Conn {
  private buf = '';
  private waiter: (() => void) | null = null;
  private constructor(private readonly s: net.Socket) {
    s.setEncoding('latin1');
    s.on('data', (d: string) => {
      this.buf += d;
      this.waiter?.();
    });
  }
  static open(port: number): Promise<Conn> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(new Conn(s)));
      s.setNoDelay(true);
      s.once('error', reject);
    });
  }
  async call(...argv: string[]): Promise<string> {
    this.s.write(argv.reduce((acc, a) => acc + `$${Buffer.byteLength(a, 'latin1')}\r\n${a}\r\n`, `*${argv.length}\r\n`), 'latin1');
    while (!this.buf.includes('\r\n')) await new Promise<void>((r) => (this.waiter = r));
    const line = this.buf.slice(0, this.buf.indexOf('\r\n'));
    this.buf = this.buf.slice(line.length + 2);
    return line;
  }
  /** A command whose reply is one bulk string (INFO). */
  async callBulk(...argv: string[]): Promise<string> {
    this.s.write(argv.reduce((acc, a) => acc + `$${Buffer.byteLength(a, 'latin1')}\r\n${a}\r\n`, `*${argv.length}\r\n`), 'latin1');
    while (!this.buf.includes('\r\n')) await new Promise<void>((r) => (this.waiter = r));
    const nl = this.buf.indexOf('\r\n');
    const len = Number(this.buf.slice(1, nl));
    while (this.buf.length < nl + 2 + len + 2) await new Promise<void>((r) => (this.waiter = r));
    const body = this.buf.slice(nl + 2, nl + 2 + len);
    this.buf = this.buf.slice(nl + 2 + len + 2);
    return body;
  }
  close(): void {
    this.s.destroy();
  }
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

const ms = (x: number) => (x < 1 ? x.toFixed(3) : x.toFixed(2));

async function measure(name: string, server: RunningServer, first: number, later: number): Promise<string[]> {
  const admin = await Conn.open(server.port);
  const firsts: number[] = [];
  for (let i = 0; i < first; i++) {
    const pass = `bench-auth-${i}-${Math.random()}`;
    const r = await admin.call('ACL', 'SETUSER', 'benchauth', 'reset', 'on', '>' + pass, '+@all', '~*');
    if (r !== '+OK') throw new Error(`${name}: ACL SETUSER: ${r}`);
    const c = await Conn.open(server.port);
    const t0 = process.hrtime.bigint();
    const a = await c.call('AUTH', 'benchauth', pass);
    firsts.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (a !== '+OK') throw new Error(`${name}: AUTH: ${a}`);
    c.close();
  }
  const pass = 'bench-auth-steady';
  await admin.call('ACL', 'SETUSER', 'benchauth', 'reset', 'on', '>' + pass, '+@all', '~*');
  const c = await Conn.open(server.port);
  await c.call('AUTH', 'benchauth', pass);
  const laters: number[] = [];
  for (let i = 0; i < later; i++) {
    const t0 = process.hrtime.bigint();
    await c.call('AUTH', 'benchauth', pass);
    laters.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  c.close();
  admin.close();
  return [name, ms(pct(firsts, 50)), ms(pct(firsts, 99)), ms(pct(laters, 50)), ms(pct(laters, 99))];
}

/** Guesses per second one attacker gets with `conns` connections busy for `seconds`. */
async function guessing(name: string, server: RunningServer, seconds: number, adminPass: string, conns = 16): Promise<string[]> {
  const admin = await Conn.open(server.port);
  if ((await admin.call('AUTH', adminPass)) !== '+OK') throw new Error(`${name}: admin AUTH failed`);
  await admin.call('ACL', 'SETUSER', 'victim', 'reset', 'on', '>the-real-password-0123456789', '+@all', '~*');
  const statsBefore = await infoStats(admin);
  let replies = 0;
  const deadline = Date.now() + seconds * 1000;
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: conns }, async (_, k) => {
    const c = await Conn.open(server.port);
    for (let i = 0; Date.now() < deadline; i++) {
      const r = await c.call('AUTH', 'victim', `guess-${k}-${i}`);
      if (!r.startsWith('-WRONGPASS')) throw new Error(`${name}: unexpected reply ${r}`);
      replies++;
    }
    c.close();
  }));
  const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  const statsAfter = await infoStats(admin);
  admin.close();
  const denied = statsAfter.get('acl_access_denied_auth');
  const refused = (statsAfter.get('redoubt_auth_guard_refused') ?? 0) - (statsBefore.get('redoubt_auth_guard_refused') ?? 0);
  // redis-server 7.0 has no acl_access_denied_auth: there every reply is a checked guess
  const checked = denied === undefined ? replies : denied - (statsBefore.get('acl_access_denied_auth') ?? 0) - refused;
  const f = (x: number) => Math.round(x).toLocaleString('en-US');
  return [name, f(replies / elapsed), f(checked), (checked / elapsed).toFixed(checked / elapsed < 10 ? 2 : 0)];
}

async function infoStats(c: Conn): Promise<Map<string, number>> {
  return parseInfo(await c.callBulk('INFO', 'stats'));
}

function parseInfo(text: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of text.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0 && /^-?[0-9]+$/.test(line.slice(i + 1))) m.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return m;
}

function offlineGuess(stored: string, n: number): number {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) verifyPassword(stored, `guess-${i}`);
  return Number(process.hrtime.bigint() - t0) / 1e6 / n;
}

function table(rows: string[][]): string {
  const w = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r, i) => {
    const line = r.map((x, c) => (c === 0 ? x.padEnd(w[c]) : x.padStart(w[c]))).join('  ');
    return i === 0 ? line + '\n' + w.map((n) => '-'.repeat(n)).join('  ') : line;
  }).join('\n');
}

async function main(): Promise<void> {
  const first = option('--first', 40);
  const later = option('--later', 5000);
  const seconds = option('--seconds', 10);
  const servers: RunningServer[] = [];
  try {
    const scrypt = await startRedoubt(['--save', '']);
    servers.push(scrypt);
    const sha = await startRedoubt(['--save', '', '--acl-password-hash', 'sha256']);
    servers.push(sha);
    const redis = await startRedis();
    servers.push(redis);
    const rows = [['server', 'first p50 ms', 'first p99 ms', 'later p50 ms', 'later p99 ms']];
    rows.push(await measure('redoubt (scrypt)', scrypt, first, later));
    rows.push(await measure('redoubt (sha256)', sha, first, later));
    rows.push(await measure('redis-server', redis, first, later));
    process.stdout.write(`AUTH round-trip latency over loopback (${first} first AUTHs, ${later} later AUTHs)\n\n${table(rows)}\n\n`);
    const s = offlineGuess(hashPassword('secret', 'scrypt'), 20);
    const h = offlineGuess(hashPassword('secret', 'sha256'), 200000);
    process.stdout.write(`One offline guess against a stolen hash, one core:\n` +
      `  scrypt (N=16384, r=8, p=1): ${s.toFixed(1)} ms  (~${Math.round(1000 / s)} guesses/s)\n` +
      `  sha256 (Redis's form):      ${(h * 1000).toFixed(2)} µs (~${Math.round(1000 / h).toLocaleString('en-US')} guesses/s)\n` +
      `  ratio: ${Math.round(s / h).toLocaleString('en-US')}x more work per guess\n`);
    // online guessing: a fresh server per row, so no row inherits another's counters
    const guard = (on: boolean, hash: string) => ['--requirepass', 'bench-admin', '--acl-password-hash', hash,
      '--auth-guard', on ? 'yes' : 'no', '--auth-guard-exempt-networks', '',
      // auth-timeout would close the attacker's connections after 10 s (another defence): off here
      // so the figure is the guard's alone
      '--auth-timeout', '0'];
    const grows = [['server (one attacker, 16 connections)', 'replies/s', 'checked', 'checked/s']];
    for (const [name, args] of [
      ['redis-server', null],
      ['redoubt sha256, guard off', guard(false, 'sha256')],
      ['redoubt sha256, guard on', guard(true, 'sha256')],
      ['redoubt scrypt, guard off', guard(false, 'scrypt')],
      ['redoubt scrypt, guard on', guard(true, 'scrypt')],
    ] as [string, string[] | null][]) {
      const srv = args === null ? await startRedis(['--requirepass', 'bench-admin']) : await startRedoubt(['--save', '', ...args]);
      servers.push(srv);
      // the admin logs in before the attack: its address has no failures yet
      grows.push(await guessing(name, srv, seconds, 'bench-admin'));
      await srv.stop();
    }
    process.stdout.write(`\nOnline password guessing for ${seconds} s (loopback):\n\n${table(grows)}\n` +
      `With the guard's defaults, after the first 20 failures an address gets one checked guess per 300 s lockout.\n`);
  } finally {
    await Promise.all(servers.map((x) => x.stop()));
  }
}

main().then(() => process.exit(0), (e) => {
  process.stderr.write(`bench:auth: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
