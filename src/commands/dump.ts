/*
 * DUMP and RESTORE (Redis 7.0's cluster.c dumpCommand / restoreCommand).
 *
 * DUMP serialises a value in the RDB value format followed by the RDB version (2 bytes LE) and a
 * CRC-64 of everything before it (8 bytes LE), so payloads move between Redis and Redoubt in both
 * directions. RESTORE checks its options, the existing key and the TTL before looking at the
 * payload, then the footer (version <= 10, checksum), then parses the value; a payload that is
 * malformed in any way is an error reply, never a corrupt value: the codec validates every byte
 * whatever `sanitize-dump-payload` says (it only decides how much Redis itself would check).
 *
 * Propagation follows Redis: a relative TTL is rewritten to the absolute time and ABSTTL appended,
 * so replicas and the AOF recreate the same expiry; a TTL already in the past deletes the key it
 * replaced (propagated as DEL) or does nothing at all.
 */

import { command, type CommandSpec } from './table';
import type { Ctx } from './context';
import { ERR, parseLongLong } from './util';
import { lookupRead, lookupWrite } from './keys-expire';
import { dumpPayload } from '../persistence/rdb/encode';
import { parseDumpPayload } from '../persistence/rdb/decode';
import { RdbError } from '../persistence/rdb/errors';
import { lfuPack } from '../server/evict';

const BUSYKEY = 'BUSYKEY Target key name already exists.';
const LLONG_MAX = 9223372036854775807n;
const TWO_64 = 1n << 64n;

function configYes(ctx: Ctx, name: string, dflt: boolean): boolean {
  const v = ctx.server.config.lookup(name)?.value;
  if (v === undefined) return dflt;
  return v === true || v === 'yes';
}

function configString(ctx: Ctx, name: string, dflt: string): string {
  const v = ctx.server.config.lookup(name)?.value;
  return v === undefined ? dflt : String(v);
}

function dumpCommand(ctx: Ctx): void {
  const o = lookupRead(ctx, ctx.argv[1], true);
  if (o === undefined) return ctx.reply.nullBulk();
  let payload: Buffer;
  try {
    payload = dumpPayload(o, configYes(ctx, 'rdbcompression', true));
  } catch (e) {
    if (e instanceof RdbError) return ctx.reply.error('ERR ' + e.message);
    throw e;
  }
  ctx.reply.bulk(payload.toString('latin1'));
}

/** Whether Redis would sanitise this payload deeply (sanitize-dump-payload, ACL skip flag, replication link). */
function deepSanitize(ctx: Ctx): boolean {
  const mode = configString(ctx, 'sanitize-dump-payload', 'no');
  if (mode === 'yes') return true;
  if (mode !== 'clients') return false;
  if (ctx.client.kind === 'master') return false;
  return ctx.server.acl.getUser(ctx.client.user)?.sanitize !== 'skip-sanitize-payload';
}

function restoreCommand(ctx: Ctx): void {
  const argv = ctx.argv;
  let replace = false;
  let absttl = false;
  let lruIdle = -1n;
  let lfuFreq = -1n;
  for (let j = 4; j < argv.length; j++) {
    const opt = argv[j].toLowerCase();
    const more = argv.length - j - 1;
    if (opt === 'replace') {
      replace = true;
    } else if (opt === 'absttl') {
      absttl = true;
    } else if (opt === 'idletime' && more >= 1 && lfuFreq === -1n) {
      const v = parseLongLong(argv[j + 1]);
      if (v === null) return ctx.reply.error(ERR.NOT_INTEGER);
      if (v < 0n) return ctx.reply.error('ERR Invalid IDLETIME value, must be >= 0');
      lruIdle = v;
      j++;
    } else if (opt === 'freq' && more >= 1 && lruIdle === -1n) {
      const v = parseLongLong(argv[j + 1]);
      if (v === null) return ctx.reply.error(ERR.NOT_INTEGER);
      if (v < 0n || v > 255n) return ctx.reply.error('ERR Invalid FREQ value, must be >= 0 and <= 255');
      lfuFreq = v;
      j++;
    } else {
      return ctx.reply.error(ERR.SYNTAX);
    }
  }
  const key = argv[1];
  const db = ctx.db;
  if (!replace && lookupWrite(ctx, key) !== undefined) return ctx.reply.error(BUSYKEY);
  let ttl = parseLongLong(argv[2]);
  if (ttl === null) return ctx.reply.error(ERR.NOT_INTEGER);
  if (ttl < 0n) return ctx.reply.error('ERR Invalid TTL value, must be >= 0');

  let obj;
  try {
    obj = parseDumpPayload(Buffer.from(argv[3], 'latin1'), { deepSanitize: deepSanitize(ctx), now: ctx.now });
  } catch (e) {
    if (e instanceof RdbError) return ctx.reply.error('ERR ' + e.message);
    throw e;
  }

  let deleted = false;
  // dbDelete: no expiry check here, a logically expired key still counts as deleted
  if (replace) deleted = db.delete(key);
  if (ttl !== 0n && !absttl) {
    ttl += BigInt(ctx.now);
    // C's signed overflow wraps; the wrapped time lies in the past, as in Redis
    if (ttl > LLONG_MAX) ttl -= TWO_64;
  }
  if (ttl !== 0n && ttl <= BigInt(ctx.now) && ctx.server.role !== 'replica') {
    if (deleted) {
      ctx.server.signalModifiedKey(db, key);
      ctx.server.notifyKeyspaceEvent('g', 'del', key, db.id);
      ctx.server.dirty++;
      ctx.propagateAs = [['DEL', key]];
    } else {
      ctx.propagateAs = [];
    }
    return ctx.reply.ok();
  }

  db.add(key, obj);
  if (ttl !== 0n) {
    db.setExpireBig(key, ttl);
    if (!absttl) {
      const p = argv.slice();
      p[2] = ttl.toString();
      p.push('ABSTTL');
      ctx.propagateAs = [p];
    }
  }
  // objectSetLRUOrLFU: FREQ only matters under an LFU policy, IDLETIME under any other
  const lfu = configString(ctx, 'maxmemory-policy', 'noeviction').includes('lfu');
  if (lfu) {
    if (lfuFreq >= 0n) obj.lru = lfuPack(Number(lfuFreq), ctx.now);
  } else if (lruIdle >= 0n) {
    obj.lru = ctx.server.lruClock - Number(lruIdle);
  } else {
    obj.lru = ctx.server.lruClock;
  }
  ctx.server.signalModifiedKey(db, key);
  ctx.server.notifyKeyspaceEvent('g', 'restore', key, db.id);
  ctx.reply.ok();
  ctx.server.dirty++;
}

export const COMMANDS: CommandSpec[] = [
  command({
    name: 'dump', arity: 2, flags: ['readonly'], categories: ['keyspace'], tips: ['nondeterministic_output'],
    keys: [{ flags: ['RO', 'access'], begin: {index: 1}, find: {range: [0, 1, 0]} }],
    docs: { summary: 'Return a serialized version of the value stored at the specified key.', since: '2.6.0', group: 'generic', complexity: 'O(1) to access the key and additional O(N*M) to serialize it, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1).', arguments: [{ name: 'key', type: 'key', key_spec_index: 0 }] },
    handler: dumpCommand,
  }),
  command({
    name: 'restore', arity: -4, flags: ['write', 'denyoom'], categories: ['keyspace', 'dangerous'],
    keys: [{ flags: ['OW', 'update'], begin: {index: 1}, find: {range: [0, 1, 0]} }],
    docs: {
      summary: 'Create a key using the provided serialized value, previously obtained using DUMP.', since: '2.6.0', group: 'generic',
      complexity: 'O(1) to create the new key and additional O(N*M) to reconstruct the serialized value, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1). However for sorted set values the complexity is O(N*M*log(N)) because inserting values into sorted sets is O(log(N)).',
      history: [['3.0.0', 'Added the `REPLACE` modifier.'], ['5.0.0', 'Added the `ABSTTL` modifier.'], ['5.0.0', 'Added the `IDLETIME` and `FREQ` options.']],
      arguments: [
        { name: 'key', type: 'key', key_spec_index: 0 },
        { name: 'ttl', type: 'integer' },
        { name: 'serialized-value', type: 'string' },
        { name: 'replace', type: 'pure-token', token: 'REPLACE', since: '3.0.0', flags: ['optional'] },
        { name: 'absttl', type: 'pure-token', token: 'ABSTTL', since: '5.0.0', flags: ['optional'] },
        { name: 'seconds', type: 'integer', token: 'IDLETIME', since: '5.0.0', flags: ['optional'] },
        { name: 'frequency', type: 'integer', token: 'FREQ', since: '5.0.0', flags: ['optional'] },
      ],
    },
    handler: restoreCommand,
  }),
];
