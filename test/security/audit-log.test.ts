/*
 * The persistent audit log, end to end against a started Redoubt: every event class with the
 * identity and result fields, secret redaction in CONFIG SET and ACL records, size rotation,
 * owner-only files, refusal to follow a symbolic link, both unwritable-log policies (continue
 * and refuse, with recovery), the stdout and syslog sinks and the refusal of a syslog sink that
 * cannot work. Redaction and class parsing are also checked as pure functions.
 */

import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { startRedoubt, freePort, REDOUBT_BIN, type RunningServer } from '../support/servers';
import { RawConn } from '../support/dataset';
import { parseAuditEvents, redactDescription, redactRules, formatAuditEvents } from '../../src/audit/events';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function tmpdir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'redoubt-audit-'));
}

type Rec = Record<string, any>;

function records(file: string): Rec[] {
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l));
}

async function waitFor<T>(fn: () => T | undefined | false, ms = 4000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(30);
  }
}

async function call(c: RawConn, ...args: string[]): Promise<string> {
  const r = await c.call(...args);
  return `${r.t}${Array.isArray(r.v) ? JSON.stringify(r.v) : r.v}`;
}

async function info(port: number, pass?: string): Promise<Record<string, string>> {
  const c = await RawConn.open(port);
  if (pass !== undefined) await c.call('AUTH', pass);
  const r = await c.call('INFO', 'security');
  c.close();
  const out: Record<string, string> = {};
  for (const line of String(r.v).split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

describe('audit log: pure parts', () => {
  it('parses and shows event classes', () => {
    const r = parseAuditEvents(['auth', 'write', 'connection']);
    assert.ok(!('error' in r));
    assert.equal(formatAuditEvents((r as { value: number }).value), 'connection auth write');
    assert.equal(formatAuditEvents((parseAuditEvents(['all']) as { value: number }).value), 'connection auth acl config denied dangerous write');
    assert.ok('error' in parseAuditEvents(['reads']));
  });

  it('redacts passwords and hashes in ACL rules and descriptions', () => {
    assert.deepEqual(redactRules(['on', '>secret', '<old', '#' + 'a'.repeat(64), '!' + 'b'.repeat(64), '~k*', '+get']),
      ['on', '[redacted]', '[redacted]', '[redacted]', '[redacted]', '~k*', '+get']);
    assert.equal(redactDescription('user bob on $scrypt$16384$8$1$c2FsdA$aGFzaA #abcd ~* +@all'), 'user bob on [redacted] [redacted] ~* +@all');
  });
});

describe('audit log: every event class', () => {
  let srv: RunningServer;
  let dir: string;
  let file: string;

  it('records connections, auth, ACL and CONFIG changes, denials, dangerous commands and writes', async () => {
    dir = tmpdir();
    file = path.join(dir, 'audit.log');
    srv = await startRedoubt(['--requirepass', 'adminpw', '--audit-log-file', file, '--audit-log-events', 'all', '--maxclients-per-ip', '2']);
    try {
      const a = await RawConn.open(srv.port);
      assert.equal(await call(a, 'GET', 'x'), '-NOAUTH Authentication required.');
      assert.equal(await call(a, 'AUTH', 'nope'), '-WRONGPASS invalid username-password pair or user is disabled.');
      assert.equal(await call(a, 'AUTH', 'adminpw'), '+OK');
      assert.equal(await call(a, 'SET', 'k1', 'v1'), '+OK');
      assert.equal(await call(a, 'ACL', 'SETUSER', 'bob', 'on', '>bobsecret', '~k*', '+get'), '+OK');
      assert.equal(await call(a, 'ACL', 'SETUSER', 'bob', '+set'), '+OK');
      assert.equal(await call(a, 'CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru', 'requirepass', 'newadminpw'), '+OK');
      assert.equal(await call(a, 'CONFIG', 'RESETSTAT'), '+OK');
      assert.equal(await call(a, 'KEYS', '*'), '*' + JSON.stringify([{ t: '$', v: 'k1' }]));
      const b = await RawConn.open(srv.port);
      assert.equal(await call(b, 'AUTH', 'bob', 'bobsecret'), '+OK');
      assert.match(await call(b, 'GET', 'other'), /^-NOPERM/);
      assert.match(await call(b, 'FLUSHALL'), /^-NOPERM/);
      assert.equal(await call(b, 'GET', 'k1'), '$v1');
      assert.equal(await call(a, 'ACL', 'DELUSER', 'bob'), ':1');
      // a third connection from this address is refused at accept time (maxclients-per-ip 2; DELUSER closed bob's)
      const c = await RawConn.open(srv.port);
      const d = await RawConn.open(srv.port);
      await sleep(100);
      a.close(); c.close(); d.close(); b.close();
      await sleep(300);

      const recs = await waitFor(() => { const r = records(file); return r.some((x) => x.event === 'connection.refused') && r.filter((x) => x.event === 'connection.closed').length >= 3 ? r : undefined; }).catch(() => { throw new Error(fs.readFileSync(file, 'utf8')); });
      for (const r of recs) {
        assert.equal(typeof r.ts, 'string');
        assert.equal(new Date(r.ts).getTime(), r.ts_ms);
      }
      const find = (pred: (r: Rec) => boolean, what: string) => {
        const r = recs.find(pred);
        assert.ok(r, `missing record: ${what}\n${recs.map((x) => JSON.stringify(x)).join('\n')}`);
        return r!;
      };
      assert.equal(recs[0].event, 'audit.opened');
      const acc = find((r) => r.event === 'connection.accepted', 'connection accepted');
      assert.match(acc.addr, /^127\.0\.0\.1:\d+$/);
      assert.equal(acc.laddr, `127.0.0.1:${srv.port}`);
      assert.equal(typeof acc.client_id, 'number');
      find((r) => r.event === 'connection.refused' && r.reason === 'per-ip', 'connection refused');
      find((r) => r.event === 'connection.closed' && typeof r.age_ms === 'number', 'connection closed');
      find((r) => r.event === 'command.denied' && r.reason === 'noauth' && r.command === 'get' && r.result === 'NOAUTH', 'NOAUTH denial');
      const fail = find((r) => r.event === 'auth.failure', 'auth failure');
      assert.equal(fail.username, 'default');
      assert.equal(fail.class, 'auth');
      const ok = find((r) => r.event === 'auth.success' && r.username === 'bob', 'auth success as bob');
      assert.equal(ok.user, 'bob');
      const w = find((r) => r.event === 'command.write' && r.command === 'set', 'write');
      assert.deepEqual(w.keys, ['k1']);
      assert.equal(w.result, 'ok');
      assert.equal(w.class, 'write');
      const su = recs.filter((r) => r.event === 'acl.setuser');
      assert.equal(su.length, 2);
      assert.deepEqual(su[0].rules, ['on', '[redacted]', '~k*', '+get']);
      assert.equal(su[0].old, null);
      assert.match(su[0].new, /^user bob on \[redacted\] ~k\* resetchannels -@all \+get$/);
      assert.equal(su[1].old, su[0].new);
      assert.match(su[1].new, /\+set/);
      const del = find((r) => r.event === 'acl.deluser', 'acl deluser');
      assert.deepEqual(del.usernames, ['bob']);
      assert.equal(del.old.length, 1);
      const cs = find((r) => r.event === 'config.set', 'config set');
      assert.deepEqual(cs.params, [
        { name: 'maxmemory-policy', old: 'noeviction', requested: 'allkeys-lru', new: 'allkeys-lru' },
        { name: 'requirepass', old: '[redacted]', requested: '[redacted]', new: '[redacted]' },
      ]);
      find((r) => r.event === 'config.resetstat', 'config resetstat');
      find((r) => r.event === 'command.dangerous' && r.command === 'keys', 'dangerous KEYS');
      const np = recs.filter((r) => r.event === 'command.denied' && r.result === 'NOPERM');
      assert.deepEqual(np.map((r) => [r.reason, r.command, r.user]), [['noperm-key', 'get', 'bob'], ['noperm-command', 'flushall', 'bob']]);
      assert.deepEqual(np[0].keys, ['other']);
      // no secret anywhere in the file
      const text = fs.readFileSync(file, 'utf8');
      for (const secret of ['adminpw', 'bobsecret', 'newadminpw']) assert.ok(!text.includes(secret), `${secret} leaked`);
      assert.equal((fs.statSync(file).mode & 0o777), 0o600);
    } finally {
      await srv.stop();
    }
    // SHUTDOWN-like ends and a clean stop both close the log with a final record
    const last = records(file).at(-1)!;
    assert.equal(last.event, 'audit.closed');
  });

  it('records only the default classes unless told otherwise, and SHUTDOWN before exiting', async () => {
    const d = tmpdir();
    const f = path.join(d, 'audit.log');
    const s = await startRedoubt(['--audit-log-file', f]);
    const c = await RawConn.open(s.port);
    assert.equal(await call(c, 'SET', 'a', '1'), '+OK');
    assert.equal(await call(c, 'CONFIG', 'SET', 'audit-log-events', 'connection'), '+OK');
    assert.equal(await call(c, 'FLUSHALL'), '+OK');
    await c.call('SHUTDOWN', 'NOSAVE');
    await s.stop();
    const recs = records(f);
    assert.ok(!recs.some((r) => r.class === 'write'), 'writes are not in the default classes');
    const cs = recs.find((r) => r.event === 'config.set')!;
    assert.deepEqual(cs.params, [{ name: 'audit-log-events', old: 'connection auth acl config denied dangerous', requested: 'connection', new: 'connection' }]);
    assert.ok(!recs.some((r) => r.command === 'flushall'), 'dangerous was switched off');
    assert.equal(recs.at(-1)!.event, 'audit.closed');
  });

  it('records SHUTDOWN itself', async () => {
    const d = tmpdir();
    const f = path.join(d, 'audit.log');
    const s = await startRedoubt(['--audit-log-file', f]);
    const c = await RawConn.open(s.port);
    await c.call('SHUTDOWN', 'NOSAVE');
    await s.stop();
    const sh = records(f).find((r) => r.command === 'shutdown');
    assert.ok(sh);
    assert.equal(sh.event, 'command.dangerous');
    assert.equal(sh.result, 'exiting');
  });
});

describe('audit log: files', () => {
  it('rotates by size, keeps audit-log-max-files generations, all 0600', async () => {
    const d = tmpdir();
    const f = path.join(d, 'audit.log');
    const s = await startRedoubt(['--audit-log-file', f, '--audit-log-events', 'write', '--audit-log-max-size', '4kb', '--audit-log-max-files', '2']);
    try {
      const c = await RawConn.open(s.port);
      for (let i = 0; i < 30; i++) await c.pipeline(Array.from({ length: 10 }, (_, j) => ['SET', `key:${i}:${j}`, 'v']));
      await sleep(100);
      const inf = await info(s.port);
      assert.equal(inf.audit_events_written, String(301));
      assert.ok(Number(inf.audit_rotations) >= 3, inf.audit_rotations);
      c.close();
    } finally {
      await s.stop();
    }
    assert.deepEqual(fs.readdirSync(d).sort(), ['audit.log', 'audit.log.1', 'audit.log.2']);
    for (const n of ['audit.log', 'audit.log.1', 'audit.log.2']) {
      const p = path.join(d, n);
      assert.equal(fs.statSync(p).mode & 0o777, 0o600, n);
      if (n !== 'audit.log') assert.ok(fs.statSync(p).size <= 4096, `${n} is ${fs.statSync(p).size} bytes`);
      for (const line of fs.readFileSync(p, 'utf8').split('\n').filter((l) => l !== '')) JSON.parse(line);
    }
    // the newest records are in the live file, in order
    const keys = [...records(path.join(d, 'audit.log.2')), ...records(path.join(d, 'audit.log.1')), ...records(f)].filter((r) => r.command === 'set').map((r) => r.keys[0]);
    assert.equal(keys.at(-1), 'key:29:9');
    for (let i = 1; i < keys.length; i++) {
      const [a1, a2] = keys[i - 1].split(':').slice(1).map(Number);
      const [b1, b2] = keys[i].split(':').slice(1).map(Number);
      assert.equal(b1 * 10 + b2, a1 * 10 + a2 + 1, 'records are contiguous across generations');
    }
  });

  it('tightens a pre-existing log file to 0600', async () => {
    const d = tmpdir();
    const f = path.join(d, 'audit.log');
    fs.writeFileSync(f, '', { mode: 0o644 });
    fs.chmodSync(f, 0o644);
    const s = await startRedoubt(['--audit-log-file', f]);
    await s.stop();
    assert.equal(fs.statSync(f).mode & 0o777, 0o600);
    assert.equal(records(f)[0].event, 'audit.opened');
  });

  it('never follows a symbolic link at the log path', async () => {
    const d = tmpdir();
    const target = path.join(d, 'victim');
    fs.writeFileSync(target, 'precious\n');
    const f = path.join(d, 'audit.log');
    fs.symlinkSync(target, f);
    const s = await startRedoubt(['--audit-log-file', f]);
    try {
      const inf = await info(s.port);
      assert.equal(inf.audit_log_ok, '0');
      assert.ok(Number(inf.audit_write_errors) >= 1);
      assert.match(s.output(), /is a symbolic link: refusing to follow it/);
    } finally {
      await s.stop();
    }
    assert.equal(fs.readFileSync(target, 'utf8'), 'precious\n');
    assert.ok(fs.lstatSync(f).isSymbolicLink());
  });
});

describe('audit log: when it cannot be written', () => {
  it('continue: keeps serving, counts what is lost, recovers once the path works', async () => {
    const d = tmpdir();
    const blocker = path.join(d, 'logs');
    fs.writeFileSync(blocker, 'a file where a directory should be');
    const f = path.join(blocker, 'audit.log');
    const s = await startRedoubt(['--audit-log-file', f, '--audit-log-events', 'all']);
    try {
      const c = await RawConn.open(s.port);
      assert.equal(await call(c, 'SET', 'a', '1'), '+OK');
      assert.equal(await call(c, 'CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru'), '+OK');
      await sleep(50);
      let inf = await info(s.port);
      assert.equal(inf.audit_log_ok, '0');
      assert.ok(Number(inf.audit_events_dropped) >= 2, inf.audit_events_dropped);
      assert.match(s.output(), /Audit log .* cannot be written: .*ENOTDIR.*audit-log-on-error continue/);
      fs.rmSync(blocker);
      fs.mkdirSync(blocker);
      await sleep(1100);
      assert.equal(await call(c, 'SET', 'b', '2'), '+OK');
      const recs = await waitFor(() => { const r = records(f); return r.some((x) => x.command === 'set') ? r : undefined; });
      const rec = recs.find((r) => r.event === 'audit.recovered')!;
      assert.ok(rec.dropped >= 2);
      inf = await info(s.port);
      assert.equal(inf.audit_log_ok, '1');
      c.close();
    } finally {
      await s.stop();
    }
  });

  it('refuse: refuses audited commands with a clear error, serves the rest, recovers', async () => {
    const d = tmpdir();
    const blocker = path.join(d, 'logs');
    fs.writeFileSync(blocker, 'x');
    const f = path.join(blocker, 'audit.log');
    const s = await startRedoubt(['--audit-log-file', f, '--audit-log-events', 'config dangerous write', '--audit-log-on-error', 'refuse']);
    try {
      const c = await RawConn.open(s.port);
      const refusal = '-AUDITFAIL The audit log cannot be written and audit-log-on-error is refuse: commands that must be audited are refused until it can. Check the server log.';
      assert.equal(await call(c, 'SET', 'a', '1'), refusal);
      assert.equal(await call(c, 'CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru'), refusal);
      assert.equal(await call(c, 'FLUSHALL'), refusal);
      assert.equal(await call(c, 'GET', 'a'), '$null');
      assert.equal(await call(c, 'PING'), '+PONG');
      assert.equal(await call(c, 'DBSIZE'), ':0');
      fs.rmSync(blocker);
      fs.mkdirSync(blocker);
      await sleep(1100);
      assert.equal(await call(c, 'SET', 'a', '1'), '+OK');
      assert.equal(await call(c, 'GET', 'a'), '$1');
      const recs = await waitFor(() => { const r = records(f); return r.some((x) => x.command === 'set') ? r : undefined; });
      assert.ok(recs.some((r) => r.event === 'audit.recovered'));
      c.close();
    } finally {
      await s.stop();
    }
  });

  it('refuse: a rotation blocked by a directory stops audited commands (max-size is a bound)', async () => {
    const d = tmpdir();
    const f = path.join(d, 'audit.log');
    fs.mkdirSync(`${f}.1`);
    fs.writeFileSync(path.join(`${f}.1`, 'keep'), 'x');
    const s = await startRedoubt(['--audit-log-file', f, '--audit-log-events', 'write', '--audit-log-max-size', '2kb', '--audit-log-max-files', '1', '--audit-log-on-error', 'refuse', '--audit-log-fsync', 'always']);
    try {
      const c = await RawConn.open(s.port);
      let refused = 0;
      let ok = 0;
      for (let i = 0; i < 40; i++) {
        const r = await call(c, 'SET', `key${i}`, 'v');
        if (r.startsWith('-AUDITFAIL')) refused++;
        else ok++;
      }
      assert.ok(ok > 0 && refused > 0, `ok=${ok} refused=${refused}`);
      assert.ok(fs.statSync(f).size <= 2048);
      assert.match(s.output(), /cannot rotate/);
      // every SET that ran is on file, but the one whose record met the failure: it had already
      // run, and its record is held until the log can be written again
      assert.equal(records(f).filter((r) => r.command === 'set').length, ok - 1);
      c.close();
    } finally {
      await s.stop();
    }
  });
});

describe('audit log: other sinks', () => {
  it('stdout', async () => {
    const s = await startRedoubt(['--audit-log-file', 'stdout', '--audit-log-events', 'write']);
    try {
      const c = await RawConn.open(s.port);
      assert.equal(await call(c, 'SET', 'k', 'v'), '+OK');
      c.close();
      const line = await waitFor(() => s.output().split('\n').find((l) => l.startsWith('{') && l.includes('"command.write"')));
      const r = JSON.parse(line);
      assert.deepEqual([r.command, r.keys, r.result], ['set', ['k'], 'ok']);
    } finally {
      await s.stop();
    }
  });

  it('syslog: refused at start-up when the socket is missing', async () => {
    const port = await freePort();
    const r = spawnSync(process.execPath, [REDOUBT_BIN, '--port', String(port), '--save', '', '--audit-log-file', 'syslog:redoubt', '--audit-log-syslog-socket', '/nonexistent/log'], { encoding: 'latin1', timeout: 10000 });
    assert.equal(r.status, 1);
    assert.match(r.stdout + r.stderr, /audit-log-file syslog:redoubt: \/nonexistent\/log does not exist/);
  });

  it('syslog: records reach the datagram socket', { skip: spawnSync('python3', ['-c', '1']).status !== 0 ? 'python3 is needed to listen on a datagram socket' : false }, async () => {
    const d = tmpdir();
    const sock = path.join(d, 'log');
    const got = path.join(d, 'got');
    const py = spawn('python3', ['-c', `
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
open(sys.argv[1] + '.ready', 'w').close()
with open(sys.argv[2], 'ab', buffering=0) as f:
    while True:
        f.write(s.recv(70000) + b'\\n')
`, sock, got], { stdio: 'ignore' });
    try {
      await waitFor(() => fs.existsSync(sock + '.ready'));
      const s = await startRedoubt(['--audit-log-file', 'syslog:redoubt-test', '--audit-log-syslog-socket', sock, '--audit-log-events', 'write']);
      try {
        const c = await RawConn.open(s.port);
        assert.equal(await call(c, 'SET', 'sys', 'log'), '+OK');
        c.close();
        const text = await waitFor(() => { const t = fs.existsSync(got) ? fs.readFileSync(got, 'utf8') : ''; return t.includes('"command.write"') ? t : undefined; });
        assert.match(text, /redoubt-test(\[\d+\])?: \{"ts":/);
        assert.match(text, /"keys":\["sys"\]/);
      } finally {
        await s.stop();
      }
    } finally {
      py.kill();
    }
  });
});
