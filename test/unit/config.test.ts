/*
 * The configuration registry, redis.conf parsing and CONFIG REWRITE, as pure functions: quoting,
 * includes, errors with line numbers, CONFIG SET atomicity, and rewrites that keep comments.
 */

import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigRegistry } from '../../src/config/registry';
import { DIRECTIVES } from '../../src/config/directives';
import { ConfigLoader, ConfigFileError, parseCommandLine } from '../../src/config/file';
import { splitArgs } from '../../src/protocol/sds';
import { rewriteContent } from '../../src/config/rewrite';
import { globMatch } from '../../src/data/glob';

const fresh = () => new ConfigRegistry(DIRECTIVES);
const tmpdir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'redoubt-cfg-'));

function loadText(text: string, cfg = fresh(), commands: string[] = ['get', 'set', 'flushall', 'config']): ConfigRegistry {
  const dir = tmpdir();
  const f = path.join(dir, 'redis.conf');
  fs.writeFileSync(f, text);
  new ConfigLoader(cfg, { commandNames: commands }).load(f, null, null);
  return cfg;
}

function loadError(text: string): ConfigFileError {
  try {
    loadText(text);
  } catch (e) {
    assert.ok(e instanceof ConfigFileError, String(e));
    return e;
  }
  assert.fail('expected a configuration error');
}

describe('sdssplitargs quoting', () => {
  it('splits on blanks and honours both kinds of quotes', () => {
    assert.deepEqual(splitArgs('  save 900   1 '), ['save', '900', '1']);
    assert.deepEqual(splitArgs('a "b c" \'d e\''), ['a', 'b c', 'd e']);
    assert.deepEqual(splitArgs('x "\\x41\\n\\t\\"" \'it\\\'s\''), ['x', 'A\n\t"', "it's"]);
    assert.deepEqual(splitArgs('requirepass ""'), ['requirepass', '']);
    assert.deepEqual(splitArgs('foo"bar baz"'), ['foobar baz']);
  });
  it('rejects unbalanced quotes and a quote glued to the next word', () => {
    assert.equal(splitArgs('a "b'), null);
    assert.equal(splitArgs("a 'b"), null);
    assert.equal(splitArgs('a "b"c'), null);
  });
});

describe('redis.conf loading', () => {
  it('reads directives case-insensitively, skips comments, takes multi-word values', () => {
    const cfg = loadText('# comment\n\n  PORT 7000\r\nHz 20\nsave ""\nslaveof no one\nbind 127.0.0.1 ::1\n');
    assert.equal(cfg.get('port'), 7000);
    assert.equal(cfg.get('hz'), 20);
    assert.equal(cfg.show(cfg.lookup('save')!), '');
    assert.deepEqual(cfg.get('bind'), ['127.0.0.1', '::1']);
    // save points: the first `save` line replaces the default, later ones add to it
    assert.deepEqual(loadText('port 7000\nsave 900 1\nsave 300 10\n').get('save'), [[900, 1], [300, 10]]);
    const e = loadError('port 7000\nsave 900\n');
    assert.equal(e.lineNumber, 2);
    assert.match(e.reason, /Invalid save parameters/);
  });
  it('includes other files, globs allowed, and an unmatched glob is not an error', () => {
    const dir = tmpdir();
    fs.writeFileSync(path.join(dir, 'a.conf'), 'timeout 5\n');
    fs.writeFileSync(path.join(dir, 'b.conf'), 'timeout 7\n');
    const cfg = loadText(`include ${path.join(dir, '*.conf')}\ninclude ${path.join(dir, 'none-*.conf')}\n`);
    assert.equal(cfg.get('timeout'), 7);
  });
  it('reports the line number, the line and Redis\'s reason', () => {
    const e = loadError('port 7000\n\nnosuch directive\n');
    assert.equal(e.lineNumber, 3);
    assert.equal(e.lineText, 'nosuch directive');
    assert.equal(e.reason, 'Bad directive or wrong number of arguments');
    assert.match(e.report('Redoubt 0.1.0'), /\*\*\* FATAL CONFIG FILE ERROR \(Redoubt 0\.1\.0\) \*\*\*\nReading the configuration file, at line 3\n>>> 'nosuch directive'\nBad directive/);
    assert.equal(loadError('port 1 2').reason, 'wrong number of arguments');
    assert.equal(loadError('port "1').reason, 'Unbalanced quotes in configuration line');
    assert.equal(loadError('port 70000').reason, 'argument must be between 0 and 65535 inclusive');
    assert.equal(loadError('loglevel loud').reason, 'argument(s) must be one of the following: debug, verbose, notice, warning');
  });
  it('refuses what Redoubt does not do, never ignoring it', () => {
    assert.match(loadError('cluster-enabled yes').reason, /only supports 'cluster-enabled no'/);
    assert.match(loadError('daemonize yes').reason, /cannot fork/);
    // `user` lines are kept for the ACL store (their rules are checked in test/unit/acl.test.ts)
    assert.deepEqual(loadText('user alice on >pw\nuser bob\n').get('user'), [['alice', 'on', '>pw'], ['bob']]);
    assert.match(loadError('loadmodule /x.so').reason, /modules/);
    // the truthful value of a pinned directive is accepted
    assert.equal(loadText('cluster-enabled no\ndaemonize no\n').get('cluster-enabled'), false);
  });
  it('rename-command checks names and produces [from, to] pairs for the command table', () => {
    const cfg = loadText('rename-command flushall ""\nrename-command config cfg-secret\n');
    assert.deepEqual(cfg.get('rename-command'), [['flushall', ''], ['config', 'cfg-secret']]);
    assert.equal(loadError('rename-command nosuch x').reason, 'No such command in rename-command');
    assert.equal(loadError('rename-command get set').reason, 'Target command name already exists');
  });
  it('command-line options become config lines after the file, as redis-server builds them', () => {
    assert.deepEqual(parseCommandLine(['/x.conf', '--port', '7000', '--save', '--bind', '127.0.0.1', '::1']), {
      file: '/x.conf', stdin: false, options: 'port "7000" \nsave ""\nbind "127.0.0.1" "::1" ',
    });
    assert.deepEqual(parseCommandLine(['--port 7000', '-']), { file: null, stdin: true, options: 'port 7000 ' });
    const cfg = fresh();
    new ConfigLoader(cfg).load(null, null, parseCommandLine(['--bind', '127.0.0.1', '::1', '--save', '--maxclients', '7']).options);
    assert.equal(cfg.show(cfg.lookup('bind')!), '127.0.0.1 ::1');
    assert.equal(cfg.get('maxclients'), 7);
  });
});

describe('registry and CONFIG SET', () => {
  it('formats values as CONFIG GET shows them', () => {
    const cfg = fresh();
    const get = (p: string) => Object.fromEntries(cfg.match([p], globMatch));
    assert.deepEqual(get('proto-max-bulk-len'), { 'proto-max-bulk-len': '536870912' });
    assert.deepEqual(get('bind'), { bind: '127.0.0.1 -::1' });
    assert.deepEqual(get('*max-*-entries*'), {
      'hash-max-listpack-entries': '512', 'hash-max-ziplist-entries': '512', 'set-max-intset-entries': '512',
      'zset-max-listpack-entries': '128', 'zset-max-ziplist-entries': '128',
    });
    assert.deepEqual(get('SLAVEOF'), { SLAVEOF: '' });
    assert.deepEqual(get('client-output-buffer-limit'), {
      'client-output-buffer-limit': 'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60',
    });
    assert.deepEqual(get('loadmodule'), {}); // unsupported: not visible
  });
  it('parses memory units and clamps hz like Redis', () => {
    const cfg = fresh();
    assert.equal(cfg.setMany([['proto-max-bulk-len', '2mb'], ['hz', '0']], true), null);
    assert.equal(cfg.show(cfg.lookup('proto-max-bulk-len')!), '2097152');
    assert.equal(cfg.get('hz'), 1);
  });
  it('sets several pairs atomically: one bad value changes nothing', () => {
    const cfg = fresh();
    const err = cfg.setMany([['timeout', '5'], ['maxclients', '0']], true);
    assert.equal(err, "ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument must be between 1 and 4294967295 inclusive");
    assert.equal(cfg.get('timeout'), 0);
  });
  it('rolls back values already stored when a listener refuses one', () => {
    const cfg = fresh();
    cfg.onChange('hz', (v) => { if (v === 77) throw new Error('refused by test'); });
    const err = cfg.setMany([['timeout', '5'], ['hz', '77']], true);
    assert.equal(err, "ERR CONFIG SET failed (possibly related to argument 'hz') - refused by test");
    assert.equal(cfg.get('timeout'), 0);
    assert.equal(cfg.get('hz'), 10);
  });
  it('uses Redis\'s error texts and precedence', () => {
    const cfg = fresh();
    assert.equal(cfg.setMany([['port', '1'], ['nosuch', '2']], true), "ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'");
    assert.equal(cfg.setMany([['timeout', '1'], ['TIMEOUT', '2']], true), "ERR CONFIG SET failed (possibly related to argument 'TIMEOUT') - duplicate parameter");
    assert.equal(cfg.setMany([['databases', '2']], true), "ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config");
    assert.equal(cfg.setMany([['dir', '/']], false), "ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config");
    assert.equal(cfg.setMany([['maxmemory-clients', '101%']], true), "ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - percentage argument must be less or equal to 100");
  });
  it('redacts sensitive values in dumps', () => {
    const cfg = loadText('masterauth ""\n');
    assert.ok(cfg.redactedDump().includes('requirepass '));
  });
});

describe('CONFIG REWRITE content', () => {
  it('keeps comments and unknown lines, rewrites in place, appends non-defaults, blanks duplicates', () => {
    const old = '# my comment\nport 7000\nunknownthing 5\nsave 900 1\nsave 300 10\nslave-read-only yes\nhash-max-ziplist-entries 512\n';
    const cfg = fresh();
    cfg.setAtStartup(cfg.lookup('port')!, ['7001']);
    cfg.setAtStartup(cfg.lookup('maxclients')!, ['99']);
    const out = rewriteContent(old, cfg);
    const lines = out.split('\n');
    assert.equal(lines[0], '# my comment');
    assert.equal(lines[1], 'port 7001');
    assert.equal(lines[2], '# ??? unknownthing 5');
    // save points are written one per line, the defaults included, as Redis 7.0.15 does
    assert.equal(lines[3], 'save 3600 1');
    assert.equal(lines[4], 'save 300 100');
    assert.ok(out.includes('\nsave 60 10000\n'));
    assert.equal(lines[5], 'replica-read-only yes');
    assert.equal(lines[6], 'hash-max-listpack-entries 512');
    assert.ok(out.includes('\n# Generated by CONFIG REWRITE\n'));
    assert.ok(out.includes('\nmaxclients 99\n'));
    assert.ok(!out.includes('timeout'), 'defaults absent from the file stay absent');
  });
});
