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
import { ERR, parseLongLong, replyHelp } from './util';
import { EXPIRE_COMMANDS, lookupRead, lookupWrite } from './keys-expire';
import { lfuDecrAndReturn } from '../server/evict';

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
      ctx.server.signalModifiedKey(db, key);
      ctx.server.notifyKeyspaceEvent('g', 'del', key, db.id);
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
  ctx.server.signalModifiedKey(db, src);
  ctx.server.signalModifiedKey(db, dst);
  ctx.server.notifyKeyspaceEvent('g', 'rename_from', src, db.id);
  ctx.server.notifyKeyspaceEvent('g', 'rename_to', dst, db.id);
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
  ctx.server.signalModifiedKey(src, key);
  ctx.server.signalModifiedKey(dst, key);
  ctx.server.notifyKeyspaceEvent('g', 'move_from', key, src.id);
  ctx.server.notifyKeyspaceEvent('g', 'move_to', key, dst.id);
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
  ctx.server.signalModifiedKey(dst, newkey);
  ctx.server.notifyKeyspaceEvent('g', 'copy_to', newkey, dst.id);
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
  // the counter with the decay owed since its last update, as Redis's LFUDecrAndReturn
  ctx.reply.int(lfuDecrAndReturn(o, ctx.now));
}

/** OBJECT HELP, in our own words. */
const OBJECT_HELP = [
  'ENCODING <key>',
  '    Reply with the name of the internal representation of the value at',
  '    <key>.',
  'FREQ <key>',
  '    Reply with the logarithmic access-frequency counter of <key> (only under',
  '    an LFU maxmemory policy).',
  'IDLETIME <key>',
  '    Reply with the seconds since <key> was last read or written (not under an',
  '    LFU maxmemory policy).',
  'REFCOUNT <key>',
  '    Reply with the number of references held to the value at <key>.',
];

function object_helpCommand(ctx: Ctx): void {
  replyHelp(ctx, OBJECT_HELP);
}

export const COMMANDS: CommandSpec[] = [
  command({
    name: 'del', arity: -2, flags: ['write'], categories: ['keyspace'], tips: ['request_policy:multi_shard', 'response_policy:agg_sum'],
    keys: [{ flags: ['RM', 'delete'], begin: {index: 1}, find: {range: [-1, 1, 0]} }],
    docs: { summary: 'Removes one or more keys.', since: '1.0.0', group: 'generic', complexity: 'O(N), N being the number of keys removed; a key holding a list, set, sorted set or hash of M elements costs O(M), a string key O(1).', arguments: [{ name: 'key', type: 'key', key_spec_index: 0, flags: ['multiple'] }] },
    handler: delCommand,
  }),
  command({
    name: 'unlink', arity: -2, flags: ['write', 'fast'], categories: ['keyspace'], tips: ['request_policy:multi_shard', 'response_policy:agg_sum'],
    keys: [{ flags: ['RM', 'delete'], begin: {index: 1}, find: {range: [-1, 1, 0]} }],
    docs: { summary: 'Removes one or more keys, reclaiming their memory in the background.', since: '4.0.0', group: 'generic', complexity: 'O(1) per key, whatever its size; freeing the memory, O(N) in the number of allocations the values used, happens in the background.', arguments: [{ name: 'key', type: 'key', key_spec_index: 0, flags: ['multiple'] }] },
    handler: unlinkCommand,
  }),
  command({
    name: 'exists', arity: -2, flags: ['readonly', 'fast'], categories: ['keyspace'], tips: ['request_policy:multi_shard', 'response_policy:agg_sum'],
    keys: [{ flags: ['RO'], begin: {index: 1}, find: {range: [-1, 1, 0]} }],
    docs: { summary: 'Counts how many of the given keys exist.', since: '1.0.0', group: 'generic', complexity: 'O(N), N being the number of keys named.', history: [['3.0.3', 'Takes several keys in one call.']], arguments: [{ name: 'key', type: 'key', key_spec_index: 0, flags: ['multiple'] }] },
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
    docs: { summary: 'Updates the last-access time of the given keys and counts those that exist.', since: '3.2.1', group: 'generic', complexity: 'O(N), N being the number of keys named.', arguments: [{ name: 'key', type: 'key', key_spec_index: 0, flags: ['multiple'] }] },
    handler: touchCommand,
  }),
  command({
    name: 'keys', arity: 2, flags: ['readonly'], categories: ['keyspace', 'dangerous'], tips: ['request_policy:all_shards', 'nondeterministic_output_order'],
    docs: { summary: 'Lists the keys that match a glob-style pattern.', since: '1.0.0', group: 'generic', complexity: 'O(N), N being the number of keys in the database, for key names and a pattern of bounded length.', arguments: [{ name: 'pattern', type: 'pattern' }] },
    handler: keysCommand,
  }),
  command({
    name: 'scan', arity: -2, flags: ['readonly'], categories: ['keyspace'], tips: ['nondeterministic_output', 'request_policy:special'],
    docs: { summary: 'Iterates over the keys of the database incrementally.', since: '2.8.0', group: 'generic', complexity: 'O(1) per call; O(N) for a full iteration, until the cursor comes back to 0, N being the number of keys.', history: [['6.0.0', 'Accepts the `TYPE` filter.']], arguments: [{ name: 'cursor', type: 'integer' }, { name: 'pattern', type: 'pattern', token: 'MATCH', flags: ['optional'] }, { name: 'count', type: 'integer', token: 'COUNT', flags: ['optional'] }, { name: 'type', type: 'string', token: 'TYPE', since: '6.0.0', flags: ['optional'] }] },
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
    docs: { summary: 'Renames a key only when the new name is not taken.', since: '1.0.0', group: 'generic', complexity: 'O(1)', history: [['3.2.0', 'Renaming a key to its own name is no longer an error.']], arguments: [{ name: 'key', type: 'key', key_spec_index: 0 }, { name: 'newkey', type: 'key', key_spec_index: 1 }] },
    handler: renamenxCommand,
  }),
  command({
    name: 'copy', arity: -3, flags: ['write', 'denyoom'], categories: ['keyspace'],
    keys: [{ flags: ['RO', 'access'], begin: {index: 1}, find: {range: [0, 1, 0]} }, { flags: ['OW', 'update'], begin: {index: 2}, find: {range: [0, 1, 0]} }],
    docs: { summary: 'Copies the value of a key to another key.', since: '6.2.0', group: 'generic', complexity: 'O(N) for a collection, N being its number of nested items; O(1) for a string.', arguments: [{ name: 'source', type: 'key', key_spec_index: 0 }, { name: 'destination', type: 'key', key_spec_index: 1 }, { name: 'destination-db', type: 'integer', token: 'DB', flags: ['optional'] }, { name: 'replace', type: 'pure-token', token: 'REPLACE', flags: ['optional'] }] },
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
    docs: { summary: 'Container for commands that inspect stored values.', since: '2.2.3', group: 'generic', complexity: 'Varies with the subcommand.' },
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
