/*
 * The command line as an operator meets it: bin/redoubt with a redis.conf and overrides, queried
 * with redis-cli; --version and --help; a refused directive stops start-up with the line and a
 * non-zero exit; SIGTERM shuts down cleanly and removes the pid file; CONFIG REWRITE keeps the
 * operator's comments and writes an owner-only file.
 */

import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync, execFileSync } from 'node:child_process';
import { REDOUBT_BIN, freePort, startRedoubt, waitForPort, type RunningServer } from '../support/servers';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'redoubt-cli-'));
const cli = (port: number, ...args: string[]) =>
  execFileSync('redis-cli', ['-p', String(port), ...args], { encoding: 'latin1' }).trimEnd();

function run(args: string[], input?: string) {
  return spawnSync(process.execPath, [REDOUBT_BIN, ...args], { encoding: 'latin1', input, timeout: 10000 });
}

describe('bin/redoubt command line', () => {
  it('--version and -v print one line and exit 0', () => {
    for (const flag of ['--version', '-v']) {
      const r = run([flag]);
      assert.equal(r.status, 0);
      assert.match(r.stdout, /^Redoubt server v=\S+ redis_version=7\.0\.15 /);
    }
  });

  it('--help and -h print the usage and exit 0', () => {
    for (const flag of ['--help', '-h']) {
      const r = run([flag]);
      assert.equal(r.status, 0);
      assert.match(r.stdout, /^Usage: redoubt \[\/path\/to\/redis\.conf\] \[options\] \[-\]/);
    }
  });

  it('an unknown directive is fatal, with the line number and the line', () => {
    const dir = tmp();
    const conf = path.join(dir, 'redis.conf');
    fs.writeFileSync(conf, '# comment\nport 0\nnosuch-directive yes\n');
    const r = run([conf]);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /\*\*\* FATAL CONFIG FILE ERROR \(Redoubt \S+\) \*\*\*\nReading the configuration file, at line 3\n>>> 'nosuch-directive yes'\nBad directive or wrong number of arguments\n/);
    assert.ok(r.stderr.includes(conf));
  });

  it('a directive Redoubt does not honour is refused with the reason, also from the command line', () => {
    const r = run(['--port', '0', '--cluster-enabled', 'yes']);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /at line 3\n>>> 'cluster-enabled "yes"'\nRedoubt only supports 'cluster-enabled no': /);
    const d = run(['--daemonize', 'yes']);
    assert.notEqual(d.status, 0);
    assert.match(d.stderr, /cannot fork/);
  });

  it('reads the config from stdin with -', () => {
    const r = run(['-'], 'port 0\nloglevel loud\n');
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /at line 2\n>>> 'loglevel loud'\nargument\(s\) must be one of the following: debug, verbose, notice, warning/);
  });

  it('a config file plus overrides: CONFIG GET shows the merged values; SIGTERM removes the pid file', async () => {
    const dir = tmp();
    const port = await freePort();
    const conf = path.join(dir, 'redis.conf');
    const pidfile = path.join(dir, 'redoubt.pid');
    const logfile = path.join(dir, 'redoubt.log');
    fs.writeFileSync(conf, [
      '# Redoubt test configuration',
      'port 1', // overridden on the command line
      'timeout 30',
      'maxclients 64',
      `pidfile "${pidfile}"`,
      `logfile ${logfile}`,
      'save ""',
      '',
    ].join('\n'));
    const proc = require('node:child_process').spawn(process.execPath, [REDOUBT_BIN, conf, '--port', String(port), '--timeout', '45', '--bind', '127.0.0.1'], { stdio: 'ignore' });
    let exited = false;
    const exit = new Promise<number | null>((resolve) => proc.once('exit', (code: number | null) => { exited = true; resolve(code); }));
    try {
      await waitForPort(port);
      assert.equal(cli(port, 'CONFIG', 'GET', 'timeout'), 'timeout\n45');
      assert.equal(cli(port, 'CONFIG', 'GET', 'maxclients'), 'maxclients\n64');
      assert.equal(cli(port, 'CONFIG', 'GET', 'bind'), 'bind\n127.0.0.1');
      assert.equal(fs.readFileSync(pidfile, 'latin1'), `${proc.pid}\n`);
      assert.equal(fs.statSync(logfile).mode & 0o777, 0o600);

      assert.equal(cli(port, 'CONFIG', 'SET', 'maxclients', '65'), 'OK');
      assert.equal(cli(port, 'CONFIG', 'REWRITE'), 'OK');
      const rewritten = fs.readFileSync(conf, 'latin1');
      assert.ok(rewritten.startsWith('# Redoubt test configuration\n'));
      assert.match(rewritten, /\nmaxclients 65\n/);
      assert.match(rewritten, new RegExp(`\\nport ${port}\\n`));
      assert.equal(fs.statSync(conf).mode & 0o777, 0o600);

      proc.kill('SIGTERM');
      assert.equal(await exit, 0);
      assert.equal(fs.existsSync(pidfile), false);
      const log = fs.readFileSync(logfile, 'latin1');
      assert.match(log, /Ready to accept connections/);
      assert.match(log, /Received SIGTERM scheduling shutdown\.\.\./);
    } finally {
      if (!exited) proc.kill('SIGKILL');
    }
  });

  it('listens on a Unix socket with owner-only permissions by default', async () => {
    const dir = tmp();
    const sock = path.join(dir, 'redoubt.sock');
    let s: RunningServer | undefined;
    try {
      s = await startRedoubt(['--unixsocket', sock]);
      assert.equal(fs.statSync(sock).mode & 0o777, 0o700);
      assert.equal(execFileSync('redis-cli', ['-s', sock, 'PING'], { encoding: 'latin1' }).trim(), 'PONG');
      assert.equal(cli(s.port, 'CONFIG', 'GET', 'unixsocketperm'), 'unixsocketperm\n700');
    } finally {
      await s?.stop();
    }
    assert.equal(fs.existsSync(sock), false);
  });
});
