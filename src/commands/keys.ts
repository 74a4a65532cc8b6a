/*
 * Generic key commands: DEL UNLINK EXISTS TYPE TOUCH KEYS SCAN RANDOMKEY RENAME RENAMENX COPY MOVE
 * OBJECT (the EXPIRE family lives in keys-expire.ts and is exported from here too).
 *
 * Every key access goes through the keyspace lookups, so an expired key is never seen and is
 * reclaimed on the way (DEL of an expired key counts as nothing deleted). Read lookups count
 * keyspace hits and misses, write lookups do not, as in Redis. KEYS checks expiry per key without
 * deleting (it iterates the dictionary it would modify); SCAN deletes the expired keys it meets.
 * SCAN's cursor comes from ScanMap, which guarantees that a key present for the whole iteration is
 * returned at least once and that an iteration always ends.
 */

import { command, type CommandSpec } from './table';
import type { Ctx } from './context';
import { duplicateObject, type RObj } from '../data/keyspace';
import { compileGlob } from '../data/glob';
import { ERR, parseLongLong } from './util';
import { EXPIRE_COMMANDS, lookupRead, lookupWrite } from './keys-expire';

const INT_MAX = 2147483647n;
const INT_MIN = -2147483648n;
/** Redis's refcount for its shared objects (the integers 0..9999 among them). */
const OBJ_SHARED_REFCOUNT = 2147483647;
const OBJ_SHARED_INTEGERS = 10000;
const LFU_POLICY_NOT_SELECTED =
  'ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.';
const LFU_POLICY_SELECTED =
  'ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.';
const SAME_OBJECT = 'ERR source and destination objects are the same';

/**
 * getIntFromObjectOrReply: a strict 64-bit integer that fits in a C int. Replies on error, with
 * `msg` for both failures when given, else Redis's two distinct texts.
 */
export function parseIntArg(ctx: Ctx, s: string, msg?: string): number | null {
  const v = parseLongLong(s);
  if (v === null) {
    ctx.reply.error(msg ?? ERR.NOT_INTEGER);
    return null;
  }
  if (v > INT_MAX || v < INT_MIN) {
    ctx.reply.error(msg ?? `ERR value is out of range, value must between ${INT_MIN} and ${INT_MAX}`);
    return null;
  }
  return Number(v);
}

function maxmemoryPolicy(ctx: Ctx): string {
  return String(ctx.server.config.lookup('maxmemory-policy')?.value ?? 'noeviction');
}

function delGeneric(ctx: Ctx): void {
  const db = ctx.db;
  let deleted = 0;
  for (let j = 1; j < ctx.argv.length; j++) {
    const key = ctx.argv[j];
    db.expireIfNeeded(key, ctx.now);
    if (db.delete(key)) {
      ctx.server.dirty++;
      deleted++;
    }
  }
  ctx.reply.int(deleted);
}

// UNLINK differs from DEL only in freeing memory in the background; a JS heap has nothing to gain
// from that, so both free synchronously (the garbage collector does the rest).
const delCommand = delGeneric;
const unlinkCommand = delGeneric;

function existsCommand(ctx: Ctx): void {
  let count = 0;
  for (let j = 1; j < ctx.argv.length; j++) if (lookupRead(ctx, ctx.argv[j], false) !== undefined) count++;
  ctx.reply.int(count);
}

function touchCommand(ctx: Ctx): void {
  let count = 0;
  for (let j = 1; j < ctx.argv.length; j++) if (lookupRead(ctx, ctx.argv[j], true) !== undefined) count++;
  ctx.reply.int(count);
}

function typeCommand(ctx: Ctx): void {
  const o = lookupRead(ctx, ctx.argv[1], false);
  ctx.reply.simple(o === undefined ? 'none' : o.type);
}

function keysCommand(ctx: Ctx): void {
  const pattern = ctx.argv[1];
  const db = ctx.db;
  // "*" is special-cased before matching, as in Redis (the matcher itself never matches "" with "*").
  const match = pattern === '*' ? null : compileGlob(pattern);
  const out: string[] = [];
  const checkTtl = db.expires.size !== 0;
  for (const key of db.dict.keys()) {
    if (match !== null && !match(key)) continue;
    if (checkTtl && db.isExpired(key, ctx.now)) continue;
    out.push(key);
  }
  ctx.reply.bulkArray(out);
}

/**
 * strtoul(3) as Redis's parseScanCursorOrReply uses it: optional sign (a '-' wraps modulo 2^64),
 * digits, nothing after them; an empty string is cursor 0; leading space and overflow are errors.
 * The C string ends at a NUL byte.
 */
export function parseScanCursor(arg: string): bigint | null {
  const z = arg.indexOf('\0');
  const s = z < 0 ? arg : arg.slice(0, z);
  if (s.length === 0) return 0n;
  const m = /^([+-]?)([0-9]+)$/.exec(s);
  if (m === null) return null;
  const v = BigInt(m[2]);
  if (v > 0xffffffffffffffffn) return null;
  return m[1] === '-' ? (0x10000000000000000n - v) % 0x10000000000000000n : v;
}

function scanCommand(ctx: Ctx): void {
  const argv = ctx.argv;
  const cursorArg = parseScanCursor(argv[1]);
  if (cursorArg === null) return ctx.reply.error('ERR invalid cursor');
  let count = 10;
  let pattern: string | null = null;
  let typeName: string | null = null;
  for (let i = 2; i < argv.length; ) {
    const opt = argv[i].toLowerCase();
    const left = argv.length - i;
    if (opt === 'count' && left >= 2) {
      const c = parseLongLong(argv[i + 1]);
      if (c === null) return ctx.reply.error(ERR.NOT_INTEGER);
      if (c < 1n) return ctx.reply.error(ERR.SYNTAX);
      count = c > 0x7fffffffn ? 0x7fffffff : Number(c);
      i += 2;
    } else if (opt === 'match' && left >= 2) {
      pattern = argv[i + 1];
      i += 2;
    } else if (opt === 'type' && left >= 2) {
      typeName = argv[i + 1].toLowerCase();
      i += 2;
    } else {
      return ctx.reply.error(ERR.SYNTAX);
    }
  }
  const db = ctx.db;
  const keys: string[] = [];
  const cursorNum = cursorArg > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(cursorArg);
  const next = db.dict.scan(cursorNum, count, (k) => keys.push(k));
  const match = pattern === null || pattern === '*' ? null : compileGlob(pattern);
  const out: string[] = [];
  for (const key of keys) {
    if (match !== null && !match(key)) continue;
    if (typeName !== null) {
      // Redis looks the key up here (counting a hit or miss); an expired key reads as "none".
      const o = lookupRead(ctx, key, false);
      if ((o === undefined ? 'none' : o.type) !== typeName) continue;
    }
    if (db.expireIfNeeded(key, ctx.now)) continue;
    out.push(key);
  }
  ctx.reply.array(2);
  ctx.reply.bulk(String(next));
  ctx.reply.bulkArray(out);
}

function randomkeyCommand(ctx: Ctx): void {
  const k = ctx.db.randomKey(ctx.now);
  if (k === undefined) ctx.reply.nullBulk();
  else ctx.reply.bulk(k);
}

function renameGeneric(ctx: Ctx, nx: boolean): void {
  const [, src, dst] = ctx.argv;
  const db = ctx.db;
  const o = lookupWrite(ctx, src);
  if (o === undefined) return ctx.reply.error(ERR.NO_KEY);
  if (src === dst) return nx ? ctx.reply.int(0) : ctx.reply.ok();
  const expire = db.getExpireBig(src);
  if (lookupWrite(ctx, dst) !== undefined) {
    if (nx) return ctx.reply.int(0);
    db.delete(dst);
  }
  db.add(dst, o);
  if (expire !== undefined) db.setExpireBig(dst, expire);
  db.delete(src);
  ctx.server.dirty++;
  if (nx) ctx.reply.int(1);
  else ctx.reply.ok();
}

function renameCommand(ctx: Ctx): void {
  renameGeneric(ctx, false);
}
function renamenxCommand(ctx: Ctx): void {
  renameGeneric(ctx, true);
}

function moveCommand(ctx: Ctx): void {
  const key = ctx.argv[1];
  const dbid = parseIntArg(ctx, ctx.argv[2]);
  if (dbid === null) return;
  const dbs = ctx.server.dbs;
  if (dbid < 0 || dbid >= dbs.length) return ctx.reply.error(ERR.DB_INDEX);
  const src = ctx.db;
  const dst = dbs[dbid];
  if (src === dst) return ctx.reply.error(SAME_OBJECT);
  const o = lookupWrite(ctx, key);
  if (o === undefined) return ctx.reply.int(0);
  const expire = src.getExpireBig(key);
  if (dst.lookupTouch(key, ctx.now, ctx.server.lruClock) !== undefined) return ctx.reply.int(0);
  dst.add(key, o);
  if (expire !== undefined) dst.setExpireBig(key, expire);
  src.delete(key);
  ctx.server.dirty++;
  ctx.reply.int(1);
}

function copyCommand(ctx: Ctx): void {
  const argv = ctx.argv;
  const src = ctx.db;
  let dst = ctx.db;
  let replace = false;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j].toLowerCase();
    if (opt === 'replace') {
      replace = true;
    } else if (opt === 'db' && argv.length - j - 1 >= 1) {
      const dbid = parseIntArg(ctx, argv[j + 1]);
      if (dbid === null) return;
      if (dbid < 0 || dbid >= ctx.server.dbs.length) return ctx.reply.error(ERR.DB_INDEX);
      dst = ctx.server.dbs[dbid];
      j++;
    } else {
      return ctx.reply.error(ERR.SYNTAX);
    }
  }
  const key = argv[1];
  const newkey = argv[2];
  if (src === dst && key === newkey) return ctx.reply.error(SAME_OBJECT);
  const o = lookupRead(ctx, key, true);
  if (o === undefined) return ctx.reply.int(0);
  const expire = src.getExpireBig(key);
  let del = false;
  if (dst.lookupTouch(newkey, ctx.now, ctx.server.lruClock) !== undefined) {
    if (!replace) return ctx.reply.int(0);
    del = true;
  }
  const copy = duplicateObject(o, ctx.server.lruClock);
  if (del) dst.delete(newkey);
  dst.add(newkey, copy);
  if (expire !== undefined) dst.setExpireBig(newkey, expire);
  ctx.server.dirty++;
  ctx.reply.int(1);
}

/* ---------------------------------------------------------------- OBJECT */

/** OBJECT's lookup: no LRU update (inspecting must not change what is inspected), but stats. */
function objectLookup(ctx: Ctx): RObj | undefined {
  const o = lookupRead(ctx, ctx.argv[2], false);
  if (o === undefined) ctx.reply.nullBulk();
  return o;
}

function object_encodingCommand(ctx: Ctx): void {
  const o = objectLookup(ctx);
  if (o !== undefined) ctx.reply.bulk(o.enc);
}

function object_refcountCommand(ctx: Ctx): void {
  const o = objectLookup(ctx);
  if (o === undefined) return;
  // Redis stores SET values 0..9999 as shared integer objects, unless an LRU/LFU policy with a
  // memory limit needs per-key access data; COPY makes a private object.
  let shared = false;
  if (o.type === 'string' && o.enc === 'int' && !o.privateInt) {
    const v = Number(o.value);
    const maxmemory = Number(ctx.server.config.lookup('maxmemory')?.value ?? 0);
    const policy = maxmemoryPolicy(ctx);
    const noShared = maxmemory !== 0 && (policy.includes('lru') || policy.includes('lfu'));
    shared = !noShared && v >= 0 && v < OBJ_SHARED_INTEGERS;
  }
  ctx.reply.int(shared ? OBJ_SHARED_REFCOUNT : 1);
}

function object_idletimeCommand(ctx: Ctx): void {
  const o = objectLookup(ctx);
  if (o === undefined) return;
  if (maxmemoryPolicy(ctx).includes('lfu')) return ctx.reply.error(LFU_POLICY_SELECTED);
  ctx.reply.int(Math.max(0, ctx.server.lruClock - o.lru));
}

function object_freqCommand(ctx: Ctx): void {
  const o = objectLookup(ctx);
  if (o === undefined) return;
  if (!maxmemoryPolicy(ctx).includes('lfu')) return ctx.reply.error(LFU_POLICY_NOT_SELECTED);
  // The LFU counter is kept by the eviction layer when an LFU policy is active; a value it has
  // never touched has Redis's initial counter.
  const counter = (o as RObj & { lfu?: number }).lfu;
  ctx.reply.int(counter ?? 5);
}

const OBJECT_HELP = [
  'OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'ENCODING <key>',
  '    Return the kind of internal representation used in order to store the value',
  '    associated with a <key>.',
  'FREQ <key>',
  '    Return the access frequency index of the <key>. The returned integer is',
  '    proportional to the logarithm of the recent access frequency of the key.',
  'IDLETIME <key>',
  '    Return the idle time of the <key>, that is the approximated number of',
  '    seconds elapsed since the last access to the key.',
  'REFCOUNT <key>',
  '    Return the number of references of the value associated with the specified',
  '    <key>.',
  'HELP',
  '    Prints this help.',
];

function object_helpCommand(ctx: Ctx): void {
  ctx.reply.array(OBJECT_HELP.length);
  for (const line of OBJECT_HELP) ctx.reply.simple(line);
}

export const COMMANDS: CommandSpec[] = [
  command({
    name: 'del', arity: -2, flags: ['write'], categories: ['keyspace'], tips: ['request_policy:multi_shard', 'response_policy:agg_sum'],
    keys: [{ flags: ['RM', 'delete'], begin: {index: 1}, find: {range: [-1, 1, 0]} }],
    docs: { summary: 'Removes one or more keys.', since: '1.0.0', group: 'generic', complexity: 'O(N) where N is the number of keys that will be removed. When a key to remove holds a value other than a string, the individual complexity for this key is O(M) where M is the number of elements in the list, set, sorted set or hash. Removing a single key that holds a string value is O(1).', arguments: [{ name: 'key', type: 'key', key_spec_index: 0, flags: ['multiple'] }] },
    handler: delCommand,
  }),
  command({
    name: 'unlink', arity: -2, flags: ['write', 'fast'], categories: ['keyspace'], tips: ['request_policy:multi_shard', 'response_policy:agg_sum'],
    keys: [{ flags: ['RM', 'delete'], begin: {index: 1}, find: {range: [-1, 1, 0]} }],
    docs: { summary: 'Removes one or more keys, reclaiming their memory in the background.', since: '4.0.0', group: 'generic', complexity: 'O(1) for each key removed regardless of its size. Then the command does O(N) work in a different thread in order to reclaim memory, where N is the number of allocations the deleted objects where composed of.', arguments: [{ name: 'key', type: 'key', key_spec_index: 0, flags: ['multiple'] }] },
    handler: unlinkCommand,
  }),
  command({
    name: 'exists', arity: -2, flags: ['readonly', 'fast'], categories: ['keyspace'], tips: ['request_policy:multi_shard', 'response_policy:agg_sum'],
    keys: [{ flags: ['RO'], begin: {index: 1}, find: {range: [-1, 1, 0]} }],
    docs: { summary: 'Counts how many of the given keys exist.', since: '1.0.0', group: 'generic', complexity: 'O(N) where N is the number of keys to check.', history: [['3.0.3', 'Accepts multiple `key` arguments.']], arguments: [{ name: 'key', type: 'key', key_spec_index: 0, flags: ['multiple'] }] },
    handler: existsCommand,
  }),
  command({
    name: 'type', arity: 2, flags: ['readonly', 'fast'], categories: ['keyspace'],
    keys: [{ flags: ['RO'], begin: {index: 1}, find: {range: [0, 1, 0]} }],
    docs: { summary: 'Reports the type of the value stored at a key.', since: '1.0.0', group: 'generic', complexity: 'O(1)', arguments: [{ name: 'key', type: 'key', key_spec_index: 0 }] },
    handler: typeCommand,
  }),
  command({
    name: 'touch', arity: -2, flags: ['readonly', 'fast'], categories: ['keyspace'], tips: ['request_policy:multi_shard', 'response_policy:agg_sum'],
    keys: [{ flags: ['RO'], begin: {index: 1}, find: {range: [-1, 1, 0]} }],
    docs: { summary: 'Updates the last-access time of the given keys and counts those that exist.', since: '3.2.1', group: 'generic', complexity: 'O(N) where N is the number of keys that will be touched.', arguments: [{ name: 'key', type: 'key', key_spec_index: 0, flags: ['multiple'] }] },
    handler: touchCommand,
  }),
  command({
    name: 'keys', arity: 2, flags: ['readonly'], categories: ['keyspace', 'dangerous'], tips: ['request_policy:all_shards', 'nondeterministic_output_order'],
    docs: { summary: 'Lists the keys that match a glob-style pattern.', since: '1.0.0', group: 'generic', complexity: 'O(N) with N being the number of keys in the database, under the assumption that the key names in the database and the given pattern have limited length.', arguments: [{ name: 'pattern', type: 'pattern' }] },
    handler: keysCommand,
  }),
  command({
    name: 'scan', arity: -2, flags: ['readonly'], categories: ['keyspace'], tips: ['nondeterministic_output', 'request_policy:special'],
    docs: { summary: 'Iterates over the keys of the database incrementally.', since: '2.8.0', group: 'generic', complexity: 'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.', history: [['6.0.0', 'Added the `TYPE` subcommand.']], arguments: [{ name: 'cursor', type: 'integer' }, { name: 'pattern', type: 'pattern', token: 'MATCH', flags: ['optional'] }, { name: 'count', type: 'integer', token: 'COUNT', flags: ['optional'] }, { name: 'type', type: 'string', token: 'TYPE', since: '6.0.0', flags: ['optional'] }] },
    handler: scanCommand,
  }),
  command({
    name: 'randomkey', arity: 1, flags: ['readonly'], categories: ['keyspace'], tips: ['request_policy:all_shards', 'nondeterministic_output'],
    docs: { summary: 'Returns a key chosen at random from the database.', since: '1.0.0', group: 'generic', complexity: 'O(1)' },
    handler: randomkeyCommand,
  }),
  command({
    name: 'rename', arity: 3, flags: ['write'], categories: ['keyspace'],
    keys: [{ flags: ['RW', 'access', 'delete'], begin: {index: 1}, find: {range: [0, 1, 0]} }, { flags: ['OW', 'update'], begin: {index: 2}, find: {range: [0, 1, 0]} }],
    docs: { summary: 'Renames a key, replacing any key that has the new name.', since: '1.0.0', group: 'generic', complexity: 'O(1)', arguments: [{ name: 'key', type: 'key', key_spec_index: 0 }, { name: 'newkey', type: 'key', key_spec_index: 1 }] },
    handler: renameCommand,
  }),
  command({
    name: 'renamenx', arity: 3, flags: ['write', 'fast'], categories: ['keyspace'],
    keys: [{ flags: ['RW', 'access', 'delete'], begin: {index: 1}, find: {range: [0, 1, 0]} }, { flags: ['OW', 'insert'], begin: {index: 2}, find: {range: [0, 1, 0]} }],
    docs: { summary: 'Renames a key only when the new name is not taken.', since: '1.0.0', group: 'generic', complexity: 'O(1)', history: [['3.2.0', 'The command no longer returns an error when source and destination names are the same.']], arguments: [{ name: 'key', type: 'key', key_spec_index: 0 }, { name: 'newkey', type: 'key', key_spec_index: 1 }] },
    handler: renamenxCommand,
  }),
  command({
    name: 'copy', arity: -3, flags: ['write', 'denyoom'], categories: ['keyspace'],
    keys: [{ flags: ['RO', 'access'], begin: {index: 1}, find: {range: [0, 1, 0]} }, { flags: ['OW', 'update'], begin: {index: 2}, find: {range: [0, 1, 0]} }],
    docs: { summary: 'Copies the value of a key to another key.', since: '6.2.0', group: 'generic', complexity: 'O(N) worst case for collections, where N is the number of nested items. O(1) for string values.', arguments: [{ name: 'source', type: 'key', key_spec_index: 0 }, { name: 'destination', type: 'key', key_spec_index: 1 }, { name: 'destination-db', type: 'integer', token: 'DB', flags: ['optional'] }, { name: 'replace', type: 'pure-token', token: 'REPLACE', flags: ['optional'] }] },
    handler: copyCommand,
  }),
  command({
    name: 'move', arity: 3, flags: ['write', 'fast'], categories: ['keyspace'],
    keys: [{ flags: ['RW', 'access', 'update'], begin: {index: 1}, find: {range: [0, 1, 0]} }],
    docs: { summary: 'Moves a key to another database.', since: '1.0.0', group: 'generic', complexity: 'O(1)', arguments: [{ name: 'key', type: 'key', key_spec_index: 0 }, { name: 'db', type: 'integer' }] },
    handler: moveCommand,
  }),
  command({
    name: 'object', arity: -2, flags: [], categories: [],
    docs: { summary: 'Container for commands that inspect stored values.', since: '2.2.3', group: 'generic', complexity: 'Depends on subcommand.' },
    subcommands: [
      command({
        name: 'idletime', arity: 3, flags: ['readonly'], categories: ['keyspace'], tips: ['nondeterministic_output'],
        keys: [{ flags: ['RO'], begin: {index: 2}, find: {range: [0, 1, 0]} }],
        docs: { summary: 'Reports how many seconds have passed since a key was last accessed.', since: '2.2.3', group: 'generic', complexity: 'O(1)', arguments: [{ name: 'key', type: 'key', key_spec_index: 0 }] },
        handler: object_idletimeCommand,
      }),
      command({
        name: 'freq', arity: 3, flags: ['readonly'], categories: ['keyspace'], tips: ['nondeterministic_output'],
        keys: [{ flags: ['RO'], begin: {index: 2}, find: {range: [0, 1, 0]} }],
        docs: { summary: 'Reports the logarithmic access-frequency counter of a key.', since: '4.0.0', group: 'generic', complexity: 'O(1)', arguments: [{ name: 'key', type: 'key', key_spec_index: 0 }] },
        handler: object_freqCommand,
      }),
      command({
        name: 'help', arity: 2, flags: ['loading', 'stale'], categories: ['keyspace'],
        docs: { summary: 'Lists the OBJECT subcommands.', since: '6.2.0', group: 'generic', complexity: 'O(1)' },
        handler: object_helpCommand,
      }),
      command({
        name: 'encoding', arity: 3, flags: ['readonly'], categories: ['keyspace'], tips: ['nondeterministic_output'],
        keys: [{ flags: ['RO'], begin: {index: 2}, find: {range: [0, 1, 0]} }],
        docs: { summary: "Reports the internal representation of a key's value.", since: '2.2.3', group: 'generic', complexity: 'O(1)', arguments: [{ name: 'key', type: 'key', key_spec_index: 0 }] },
        handler: object_encodingCommand,
      }),
      command({
        name: 'refcount', arity: 3, flags: ['readonly'], categories: ['keyspace'], tips: ['nondeterministic_output'],
        keys: [{ flags: ['RO'], begin: {index: 2}, find: {range: [0, 1, 0]} }],
        docs: { summary: "Reports the reference count of a key's value.", since: '2.2.3', group: 'generic', complexity: 'O(1)', arguments: [{ name: 'key', type: 'key', key_spec_index: 0 }] },
        handler: object_refcountCommand,
      }),
    ],
  }),
  ...EXPIRE_COMMANDS,
];
