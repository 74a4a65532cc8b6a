/*
 * The ACL engine without a server: the rule grammar, check() (commands, first-args, keys with
 * read/write access from key specs, channels, selectors), the description, the ACL LOG grouping,
 * the ACL file parser, and a property: any rule list, described by ACL LIST and re-applied to a
 * fresh user, gives the same description and the same decisions.
 */

import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildCommandTable } from '../../src/commands/index';
import { Acl } from '../../src/security/acl';
import { AclLog } from '../../src/security/acllog';
import { describeUser } from '../../src/security/acldescribe';
import { parseAclText } from '../../src/security/aclfile';
import { ConfigLoader, ConfigFileError } from '../../src/config/file';
import { ConfigRegistry } from '../../src/config/registry';
import { DIRECTIVES } from '../../src/config/directives';
import { isSha256Hex, sha256Hex } from '../../src/security/passwords';
import type { Command } from '../../src/commands/table';

const commands = buildCommandTable();

function newAcl(overrides: [string, string][] = []): Acl {
  const config = new ConfigRegistry(DIRECTIVES);
  const pairs = new Map<string, string>([['acl-password-hash', 'sha256'], ...overrides]);
  assert.equal(config.setMany([...pairs], true), null);
  return new Acl({ commands, config });
}

function lookup(argv: string[]): Command {
  let c = commands.get(argv[0].toLowerCase())!;
  if (c.subcommands && argv.length > 1) c = c.subcommands.get(argv[1].toLowerCase())!;
  assert.ok(c, argv.join(' '));
  return c;
}

function allowed(acl: Acl, user: string, argv: string[]): string {
  const d = acl.check(acl.getUser(user)!, lookup(argv), argv);
  return d === null ? 'ok' : `${d.reason}:${d.object}`;
}

function list(acl: Acl, name: string): string {
  return describeUser(acl.getUser(name)!, acl.index);
}

describe('ACL rules', () => {
  it('creates the default user unrestricted, and new users with nothing', () => {
    const acl = newAcl();
    assert.equal(list(acl, 'default'), 'on nopass ~* &* +@all');
    assert.equal(acl.defaultUser.unrestricted, true);
    assert.equal(acl.setUser('u', []), null);
    assert.equal(list(acl, 'u'), 'off resetchannels -@all');
    assert.equal(acl.getUser('u')!.unrestricted, false);
  });

  it('follows acl-pubsub-default for new users, selectors and reset', () => {
    const acl = newAcl([['acl-pubsub-default', 'allchannels']]);
    assert.equal(acl.setUser('u', ['reset', '(+get)']), null);
    assert.equal(list(acl, 'u'), 'off sanitize-payload &* -@all (&* -@all +get)');
  });

  it('applies rules left to right', () => {
    const acl = newAcl();
    acl.setUser('a', ['+@all', '-debug']);
    acl.setUser('b', ['-debug', '+@all']);
    assert.equal(list(acl, 'a'), 'off resetchannels +@all -debug');
    assert.equal(list(acl, 'b'), 'off resetchannels +@all');
  });

  it('is all-or-nothing and reports Redis texts', () => {
    const acl = newAcl();
    acl.setUser('u', ['on', '~k']);
    assert.equal(acl.setUser('u', ['off', '~*', '~x']), "ERR Error in ACL SETUSER modifier '~x': Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns");
    assert.equal(acl.setUser('u', ['+config|get|x']), "ERR Error in ACL SETUSER modifier '+config|get|x': Allowing first-arg of a subcommand is not supported");
    assert.equal(acl.setUser('u', ['(+get', '~a']), "ERR Unmatched parenthesis in acl selector starting at '(+get'.");
    assert.equal(acl.setUser('a b', []), "ERR Usernames can't contain spaces or null characters");
    assert.equal(list(acl, 'u'), 'on ~k resetchannels -@all');
  });

  it("writes a non-allkeys '*' pattern so that it reloads (Redis's \"~x ~*\" would not)", () => {
    const acl = newAcl();
    acl.setUser('u', ['%RW~*', '~a*']);
    assert.equal(list(acl, 'u'), 'off %RW~* ~a* resetchannels -@all');
    assert.ok(typeof acl.stage('v', undefined, list(acl, 'u').split(' ')) !== 'string');
  });

  it('stores passwords as Redis does with sha256, and salted with scrypt', () => {
    const acl = newAcl();
    acl.setUser('u', ['>secret', '>secret']);
    assert.deepEqual(acl.getUser('u')!.passwords, [sha256Hex('secret')]);
    assert.equal(acl.setUser('u', ['<nope']), "ERR Error in ACL SETUSER modifier '<nope': The password you are trying to remove from the user does not exist");
    assert.equal(acl.setUser('u', ['<secret']), null);
    const scrypt = newAcl([['acl-password-hash', 'scrypt']]);
    scrypt.setUser('s', ['>pw', '>pw']);
    const stored = scrypt.getUser('s')!.passwords;
    assert.equal(stored.length, 1);
    assert.ok(stored[0].startsWith('$scrypt$') && !isSha256Hex(stored[0]));
    // the rendering reloads, and `<pw` finds the salted hash
    const again = scrypt.stage('t', undefined, list(scrypt, 's').split(' '));
    assert.ok(typeof again !== 'string');
    assert.deepEqual(again.passwords, stored);
    assert.equal(scrypt.setUser('s', ['<pw']), null);
    assert.deepEqual(scrypt.getUser('s')!.passwords, []);
  });

  it('parses and renders the Redoubt expiry', () => {
    const acl = newAcl();
    assert.equal(acl.setUser('u', ['expireat:1700000000']), null);
    assert.equal(acl.getUser('u')!.expireAt, 1700000000000);
    assert.equal(list(acl, 'u'), 'off expireat:1700000000 resetchannels -@all');
    assert.equal(acl.setUser('u', ['expireat:-1']), "ERR Error in ACL SETUSER modifier 'expireat:-1': Syntax error");
    assert.equal(acl.setUser('u', ['EXPIREAT:x']), "ERR Error in ACL SETUSER modifier 'EXPIREAT:x': Syntax error");
    assert.equal(acl.setUser('u', ['noexpire']), null);
    assert.equal(acl.getUser('u')!.expireAt, null);
  });

  it('parses and renders the Redoubt source networks (from:, anyfrom)', () => {
    const acl = newAcl();
    assert.equal(acl.setUser('u', ['from:10.9.8.7/8', 'FROM:2001:db8::1/32', 'from:::ffff:1.2.3.4', 'from:10.0.0.0/8']), null);
    assert.equal(list(acl, 'u'), 'off from:10.0.0.0/8 from:2001:db8::/32 from:1.2.3.4/32 resetchannels -@all');
    for (const bad of ['from:', 'from:10.0.0.0/33', 'from:10.0.0/8', 'from:host.example', 'from:::1/129', 'from:1.2.3.4/08', 'from:fe80::1%eth0']) {
      assert.equal(acl.setUser('u', [bad]), `ERR Error in ACL SETUSER modifier '${bad}': Syntax error`);
    }
    // reset leaves the networks alone, as it does the expiry; anyfrom clears them
    assert.equal(acl.setUser('u', ['reset']), null);
    assert.equal(acl.getUser('u')!.from.length, 3);
    assert.equal(acl.setUser('u', ['anyfrom']), null);
    assert.equal(list(acl, 'u'), 'off sanitize-payload resetchannels -@all');
  });

  it('keeps the live User object on SETUSER and reports changes and deletions', () => {
    const acl = newAcl();
    const seen: string[] = [];
    acl.onUserChanged = (_u, name, deleted) => seen.push(`${name}:${deleted}`);
    acl.setUser('u', ['on']);
    const u = acl.getUser('u');
    acl.setUser('u', ['+get']);
    assert.equal(acl.getUser('u'), u);
    assert.equal(acl.deleteUser('default'), false);
    assert.equal(acl.deleteUser('u'), true);
    assert.deepEqual(seen, ['u:false', 'u:false', 'u:true']);
  });
});

describe('ACL check', () => {
  const acl = newAcl();
  acl.setUser('rw', ['-@all', '+@string', '+@keyspace', '%R~r*', '%W~w*', '~rw*', '+config|get', '+select|0', '&news.*']);
  acl.setUser('sel', ['-@all', '+get', '~k1', '(+set ~k2)']);

  it('commands, subcommands and first arguments', () => {
    assert.equal(allowed(acl, 'rw', ['config', 'get', 'port']), 'ok');
    assert.equal(allowed(acl, 'rw', ['config', 'set', 'port', '1']), 'command:config|set');
    assert.equal(allowed(acl, 'rw', ['select', '0']), 'ok');
    assert.equal(allowed(acl, 'rw', ['SELECT', '1']), 'command:select');
    assert.equal(allowed(acl, 'rw', ['info']), 'command:info');
  });

  it('keys need read or write permission as their key specs say', () => {
    assert.equal(allowed(acl, 'rw', ['get', 'r1']), 'ok');
    assert.equal(allowed(acl, 'rw', ['get', 'w1']), 'key:w1');
    assert.equal(allowed(acl, 'rw', ['set', 'w1', 'v']), 'ok'); // SET without GET only overwrites
    assert.equal(allowed(acl, 'rw', ['set', 'w1', 'v', 'GET']), 'key:w1');
    assert.equal(allowed(acl, 'rw', ['set', 'rw1', 'v', 'GET']), 'ok');
    assert.equal(allowed(acl, 'rw', ['incr', 'w1']), 'key:w1');
    assert.equal(allowed(acl, 'rw', ['exists', 'w1']), 'ok'); // RO without access: existence only
    assert.equal(allowed(acl, 'rw', ['copy', 'r1', 'w1']), 'ok');
    assert.equal(allowed(acl, 'rw', ['copy', 'w1', 'r1']), 'key:w1');
    assert.equal(allowed(acl, 'rw', ['copy', 'r1', 'r2']), 'key:r2');
    assert.equal(allowed(acl, 'rw', ['mset', 'w1', 'a', 'rw2', 'b', 'x', 'c']), 'key:x');
    assert.equal(allowed(acl, 'rw', ['mget', 'r1', 'rw1', 'w1']), 'key:w1');
    assert.equal(allowed(acl, 'rw', ['del', 'r1']), 'key:r1');
    assert.equal(allowed(acl, 'rw', ['rename', 'rw1', 'rw2']), 'ok');
    assert.equal(allowed(acl, 'rw', ['lcs', 'r1', 'w1']), 'key:w1');
  });

  it('selectors: one of them must allow the whole call; the worst denial is reported', () => {
    assert.equal(allowed(acl, 'sel', ['get', 'k1']), 'ok');
    assert.equal(allowed(acl, 'sel', ['set', 'k2', 'v']), 'ok');
    assert.equal(allowed(acl, 'sel', ['set', 'k1', 'v']), 'key:k1');
    assert.equal(allowed(acl, 'sel', ['get', 'k2']), 'key:k2');
    assert.equal(allowed(acl, 'sel', ['del', 'k1']), 'command:del');
  });

  it('channels: plain names match patterns, patterns match literally', () => {
    const u = acl.getUser('rw')!;
    assert.equal(acl.checkChannel(u, 'news.sport', false), true);
    assert.equal(acl.checkChannel(u, 'weather', false), false);
    assert.equal(acl.checkChannel(u, 'news.*', true), true);
    assert.equal(acl.checkChannel(u, 'news.s*', true), false);
    assert.equal(acl.checkChannel(acl.defaultUser, 'anything', true), true);
  });

  it('AUTH/HELLO are checked like any command unless the caller exempts them', () => {
    const auth = lookup(['auth', 'a', 'b']);
    assert.equal(acl.check(acl.getUser('rw')!, auth, ['auth', 'a', 'b'])?.reason, 'command');
    assert.equal(acl.check(acl.getUser('rw')!, auth, ['auth', 'a', 'b'], true), null);
  });
});

describe('ACL LOG', () => {
  it('merges similar events within 60 s among the 10 newest, and trims to acllog-max-len', () => {
    let now = 1000;
    let max = 3;
    const log = new AclLog(() => max, () => now);
    const ev = (object: string, username = 'u') => ({ reason: 'key' as const, context: 'toplevel' as const, object, username, clientInfo: `c${now}` });
    log.add(ev('a'));
    log.add(ev('b'));
    now += 60000;
    log.add(ev('a'));
    assert.deepEqual(log.entries(10).map((e) => [e.object, e.count, e.clientInfo]), [['a', 2, 'c61000'], ['b', 1, 'c1000']]);
    now += 60001;
    log.add(ev('a'));
    log.add(ev('c'));
    assert.deepEqual(log.entries(10).map((e) => `${e.object}${e.count}`), ['c1', 'a1', 'a2']);
    max = 1;
    log.add(ev('d'));
    assert.deepEqual(log.entries(10).map((e) => e.object), ['d']);
  });
});

describe('redis.conf user lines', () => {
  it('refuses malformed rules and duplicates with the config-file report, leaving unknown commands for later', () => {
    const config = new ConfigRegistry(DIRECTIVES);
    const loader = new ConfigLoader(config, { commandNames: commands.keys() });
    assert.throws(() => loader.load(null, null, 'user bob on >x ~a #zz'), (e: ConfigFileError) =>
      e.reason === "Error in user declaration '>x': The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters");
    const ok = new ConfigRegistry(DIRECTIVES);
    new ConfigLoader(ok, {}).load(null, null, 'user bob on +nosuch\nuser carol');
    assert.deepEqual(ok.get('user'), [['bob', 'on', '+nosuch'], ['carol']]);
    assert.throws(() => new ConfigLoader(new ConfigRegistry(DIRECTIVES), {}).load(null, null, 'user bob on\nuser bob off'), (e: ConfigFileError) =>
      e.reason === "Error in user declaration 'bob': Duplicate user found. A user can only be defined once in config files" && e.lineNumber === 3);
  });
});

describe('ACL file parser', () => {
  it('refuses an unterminated selector (where redis-server 7.0.15 crashes) and loads nothing', () => {
    const acl = newAcl();
    const r = parseAclText(acl, 'user a on\nuser b (+get ~k\n', 'f.acl');
    assert.equal(r, 'f.acl:2: Unmatched parenthesis in selector definition.WARNING: ACL errors detected, no change to the previously active ACL rules was performed');
  });
});

/* ------------------------------------------------------------------ round trip */

const names = ['get', 'set', 'del', 'mget', 'config', 'config|get', 'config|set', 'client|id', 'client', 'select', 'debug', 'acl|setuser', 'acl', 'ping', 'auth', 'flushall', 'copy'];
const cats = ['all', 'read', 'write', 'keyspace', 'string', 'admin', 'dangerous', 'fast', 'slow', 'connection'];
const patterns = ['*', 'a*', 'k?', 'x', 'a[bc]', ''];
const rule = fc.oneof(
  fc.constantFrom('on', 'off', 'nopass', 'resetpass', 'allkeys', 'resetkeys', 'allchannels', 'resetchannels', 'allcommands', 'nocommands', 'clearselectors', 'sanitize-payload', 'skip-sanitize-payload', 'noexpire'),
  fc.tuple(fc.constantFrom('+', '-'), fc.constantFrom(...names)).map(([s, n]) => s + n),
  fc.tuple(fc.constantFrom('+@', '-@'), fc.constantFrom(...cats)).map(([s, n]) => s + n),
  fc.tuple(fc.constantFrom('~', '%R~', '%W~', '%RW~', '&'), fc.constantFrom(...patterns)).map(([s, p]) => s + p),
  fc.constantFrom('+select|0', '+select|1', '+debug|sleep', '>pw', '>other', 'expireat:1900000000'),
  // Redoubt's source networks, in spellings that canonicalise differently
  fc.constantFrom('from:10.1.2.3/8', 'from:10.0.0.0/8', 'from:2001:DB8:0:0::1/32', 'from:::ffff:192.168.0.9/120', 'from:127.0.0.1', 'from:::1', 'anyfrom'),
  fc.array(fc.oneof(
    fc.tuple(fc.constantFrom('+', '-'), fc.constantFrom(...names)).map(([s, n]) => s + n),
    fc.tuple(fc.constantFrom('+@', '-@'), fc.constantFrom(...cats)).map(([s, n]) => s + n),
    fc.tuple(fc.constantFrom('~', '%R~', '%W~', '&'), fc.constantFrom(...patterns)).map(([s, p]) => s + p),
  ), { maxLength: 4 }).map((xs) => `(${xs.join(' ')})`),
);

const calls: string[][] = [
  ['get', 'a1'], ['get', 'kx'], ['set', 'x', 'v'], ['set', 'ab', 'v', 'GET'], ['del', 'x', 'a'], ['mget', 'a', 'x'],
  ['config', 'get', 'port'], ['config', 'set', 'port', '1'], ['client', 'id'], ['select', '0'], ['select', '1'],
  ['debug', 'sleep', '0'], ['ping'], ['flushall'], ['copy', 'ab', 'x'], ['acl', 'setuser', 'u'],
];

describe('ACL description round trip (property)', () => {
  it('re-applying ACL LIST\'s rendering to a fresh user gives the same rendering and decisions', () => {
    const acl = newAcl();
    fc.assert(fc.property(fc.array(rule, { maxLength: 12 }), (rules) => {
      const staged = acl.stage('p', undefined, rules);
      fc.pre(typeof staged !== 'string');
      const text = describeUser(staged, acl.index);
      const reload = (t: string) => {
        const u = acl.stage('q', undefined, t.match(/\([^)]*\)|\S+/g) ?? []);
        assert.ok(typeof u !== 'string', `${t}: ${u}`);
        return u;
      };
      const again = reload(text);
      const text2 = describeUser(again, acl.index);
      assert.equal(text2, text, rules.join(' '));
      assert.deepEqual(again.from.map((c) => c.text), staged.from.map((c) => c.text));
      for (const argv of calls) {
        const cmd = lookup(argv);
        assert.deepEqual(acl.check(again, cmd, argv), acl.check(staged, cmd, argv), `${rules.join(' ')} | ${argv.join(' ')}`);
      }
    }), { numRuns: 400 });
  });
});
