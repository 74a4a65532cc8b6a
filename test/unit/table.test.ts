/*
 * The command table's derivations, checked on Redis 7.0 commands whose COMMAND INFO values are
 * known: the legacy (first, last, step) triple, movablekeys, implicit ACL categories, and key
 * extraction from key specs (including Redis's quirks: the keyword scan never looks at its last
 * bound, a zero numkeys is an invalid spec, incomplete specs defer to the command's extractor).
 */

import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { Command, keysFromSpecs, keySpecIndexes, type CommandSpec, type KeySpec } from '../../src/commands/table';

const docs = { summary: '', since: '', group: '' };
const idx = (i: number, flags: KeySpec['flags'], lastkey = 0, step = 1, limit = 0): KeySpec =>
  ({ flags, begin: { index: i }, find: { range: [lastkey, step, limit] } });
const mk = (spec: Partial<CommandSpec> & { name: string; arity: number }) => new Command({ docs, ...spec });
const info = (c: Command) => [c.legacy.join(','), c.flags.has('movablekeys'), [...c.categories].join(',')];

describe('legacy key range and movablekeys', () => {
  it('a lone index+range spec is used as it is (MSET: 1,-1,2; BLPOP: 1,-2,1; LCS: 1,2,1)', () => {
    assert.deepEqual(info(mk({ name: 'mset', arity: -3, flags: ['write', 'denyoom'], categories: ['string'], keys: [idx(1, ['OW', 'update'], -1, 2)] })),
      ['1,-1,2', false, 'write,string,slow']);
    assert.deepEqual(info(mk({ name: 'blpop', arity: -3, flags: ['write', 'noscript', 'blocking'], categories: ['list'], keys: [idx(1, ['RW', 'access', 'delete'], -2)] })),
      ['1,-2,1', false, 'write,list,slow,blocking']);
    assert.deepEqual(info(mk({ name: 'lcs', arity: -3, flags: ['readonly'], categories: ['string'], keys: [idx(1, ['RO', 'access'], 1)] })),
      ['1,2,1', false, 'read,string,slow']);
  });

  it('consecutive range specs merge (LMOVE: 1,2,1), a key extractor alone is not movable', () => {
    const lmove = mk({ name: 'lmove', arity: 5, flags: ['write', 'denyoom'], categories: ['list'],
      keys: [idx(1, ['RW', 'access', 'delete']), idx(2, ['RW', 'insert'])], getKeys: () => [1, 2] });
    assert.deepEqual(info(lmove), ['1,2,1', false, 'write,list,slow']);
  });

  it('a keynum spec makes the command movable and is left out of the range (ZUNIONSTORE: 1,1,1; EVAL: 0,0,0)', () => {
    const zus = mk({ name: 'zunionstore', arity: -4, flags: ['write', 'denyoom'], categories: ['sortedset'],
      keys: [idx(1, ['OW', 'update']), { flags: ['RO', 'access'], begin: { index: 2 }, find: { keynum: [0, 1, 1] } }] });
    assert.deepEqual(info(zus), ['1,1,1', true, 'write,sortedset,slow']);
    const evl = mk({ name: 'eval', arity: -3, flags: ['noscript', 'stale', 'skip_monitor', 'no_mandatory_keys'], categories: ['scripting'],
      keys: [{ flags: ['RW', 'access', 'update'], begin: { index: 2 }, find: { keynum: [0, 1, 1] } }] });
    assert.deepEqual(info(evl), ['0,0,0', true, 'slow,scripting']);
  });

  it('keyword and unknown specs are movable (MIGRATE: 3,3,1; XREAD: 0,0,0; SORT: 1,1,1)', () => {
    const migrate = mk({ name: 'migrate', arity: -6, flags: ['write'], categories: ['keyspace', 'dangerous'], keys: [
      idx(3, ['RW', 'access', 'delete']),
      { flags: ['RW', 'access', 'delete', 'incomplete'], begin: { keyword: 'KEYS', startfrom: -2 }, find: { range: [-1, 1, 0] } },
    ] });
    assert.deepEqual(info(migrate), ['3,3,1', true, 'keyspace,write,slow,dangerous']);
    const xread = mk({ name: 'xread', arity: -4, flags: ['readonly', 'blocking'], categories: ['stream'],
      keys: [{ flags: ['RO', 'access'], begin: { keyword: 'STREAMS', startfrom: 1 }, find: { range: [-1, 1, 2] } }] });
    assert.deepEqual(info(xread), ['0,0,0', true, 'read,stream,slow,blocking']);
    const sort = mk({ name: 'sort', arity: -2, flags: ['write', 'denyoom'], categories: ['set', 'sortedset', 'list', 'dangerous'], keys: [
      idx(1, ['RO', 'access']),
      { flags: ['RO', 'access'], begin: { unknown: true }, find: { unknown: true } },
      { flags: ['OW', 'update'], begin: { unknown: true }, find: { unknown: true } },
    ] });
    assert.deepEqual(info(sort), ['1,1,1', true, 'write,set,sortedset,list,slow,dangerous']);
  });

  it('subcommands get their own range and the container|sub name (OBJECT ENCODING: 2,2,1)', () => {
    const object = mk({ name: 'object', arity: -2, subcommands: [
      { name: 'encoding', arity: 3, flags: ['readonly'], categories: ['keyspace'], keys: [idx(2, ['RO'])], docs },
    ] });
    const enc = object.subcommands!.get('encoding')!;
    assert.equal(enc.fullname, 'object|encoding');
    assert.deepEqual(info(enc), ['2,2,1', false, 'keyspace,read,slow']);
    assert.deepEqual(info(object), ['0,0,0', false, 'slow']);
  });
});

describe('implicit ACL categories', () => {
  it('admin adds @admin and @dangerous; fast replaces slow; pubsub and blocking are implied', () => {
    assert.deepEqual([...mk({ name: 'x', arity: 1, flags: ['admin', 'noscript'] }).categories], ['admin', 'slow', 'dangerous']);
    assert.deepEqual([...mk({ name: 'x', arity: 1, flags: ['pubsub', 'fast'] }).categories], ['pubsub', 'fast']);
    assert.deepEqual([...mk({ name: 'x', arity: 1, flags: ['blocking'], categories: ['list'] }).categories], ['list', 'slow', 'blocking']);
  });
  it('readonly scripting commands are not @read', () => {
    assert.deepEqual([...mk({ name: 'x', arity: 1, flags: ['readonly'], categories: ['scripting'] }).categories], ['slow', 'scripting']);
  });
});

describe('key extraction', () => {
  it('ranges with a negative lastkey and a limit (XREAD STREAMS a b 0 0)', () => {
    const ks: KeySpec = { flags: ['RO', 'access'], begin: { keyword: 'STREAMS', startfrom: 1 }, find: { range: [-1, 1, 2] } };
    assert.deepEqual(keySpecIndexes(ks, ['xread', 'streams', 'a', 'b', '0', '0']), [2, 3]);
    assert.deepEqual(keySpecIndexes(ks, ['xread', 'COUNT', '1', 'STREAMS', 'a', '0']), [4]);
  });

  it('the keyword scan never examines its last bound', () => {
    const ks: KeySpec = { flags: ['OW', 'update'], begin: { keyword: 'STORE', startfrom: 2 }, find: { range: [0, 1, 0] } };
    assert.deepEqual(keysFromSpecs([ks], ['cmd', 'k', 'STORE', 'dst'], -2)!.map((k) => k.index), [3]);
    // keyword as the last argument: not found, so the spec contributes nothing (no error)
    assert.deepEqual(keysFromSpecs([ks], ['cmd', 'k', 'x', 'STORE'], -2), []);
  });

  it('keynum: a count of zero, a bad count or too few arguments invalidates the spec', () => {
    const ks: KeySpec = { flags: ['RW', 'access', 'update'], begin: { index: 2 }, find: { keynum: [0, 1, 1] } };
    assert.deepEqual(keysFromSpecs([ks], ['eval', 's', '2', 'a', 'b'], -3)!.map((k) => k.index), [3, 4]);
    assert.equal(keysFromSpecs([ks], ['eval', 's', '0'], -3), null);
    assert.equal(keysFromSpecs([ks], ['eval', 's', '3', 'a', 'b'], -3), null);
    assert.equal(keysFromSpecs([ks], ['eval', 's', '-1', 'a'], -3), null);
    assert.equal(keysFromSpecs([ks], ['eval', 's', '01', 'a'], -3), null);
    assert.equal(keysFromSpecs([ks], ['eval', 's', 'x'], -3), null);
  });

  it('an incomplete spec defers to the command extractor; variable flags prefer the extractor', () => {
    const migrate = mk({ name: 'migrate', arity: -6, flags: ['write'], keys: [
      idx(3, ['RW', 'access', 'delete']),
      { flags: ['RW', 'access', 'delete', 'incomplete'], begin: { keyword: 'KEYS', startfrom: -2 }, find: { range: [-1, 1, 0] } },
    ], getKeys: (argv) => (argv[3] === '' ? [7, 8] : [3]) });
    assert.deepEqual(migrate.keyIndexes(['migrate', 'h', 'p', '', '0', '0', 'KEYS', 'a', 'b']), [7, 8]);
    const set = mk({ name: 'set', arity: -3, flags: ['write', 'denyoom'],
      keys: [idx(1, ['RW', 'access', 'update', 'variable_flags'])],
      getKeyRefs: (argv) => [{ index: 1, flags: argv.length > 3 ? ['RW', 'access', 'update'] : ['OW', 'update'] }] });
    assert.deepEqual(set.getKeys(['set', 'k', 'v']), [{ index: 1, flags: ['OW', 'update'] }]);
    assert.deepEqual(set.getKeys(['set', 'k', 'v', 'GET']), [{ index: 1, flags: ['RW', 'access', 'update'] }]);
  });

  it('not_key specs are skipped and do not count as keys', () => {
    const c = mk({ name: 'x', arity: -2, keys: [{ flags: ['not_key'], begin: { index: 1 }, find: { range: [0, 1, 0] } }] });
    assert.equal(c.hasKeys(), false);
    assert.deepEqual(c.keyIndexes(['x', 'a']), []);
  });
});
