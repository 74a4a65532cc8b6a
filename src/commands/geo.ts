/*
 * The geo family: GEOADD GEOPOS GEODIST GEOHASH here, the searches in geo-search.ts.
 *
 * Design: a geo index is an ordinary sorted set whose scores are 52-bit geohashes
 * (src/data/geohash.ts). GEOADD is, as in Redis, ZADD with rewritten arguments: it validates the
 * coordinates, turns each pair into its score and runs ZADD's body on the rewritten arguments
 * (handing it the scores it computed, so their text is only formatted for propagation, never
 * parsed back), so encodings, replies, keyspace events, dirty counting and propagation (as that
 * ZADD) are ZADD's by construction. The readers decode scores of any sorted set, even one never written by GEOADD,
 * exactly as Redis does.
 */

import type { Ctx } from './context';
import { command, type CommandSpec, type ArgSpec } from './table';
import { ERR } from './util';
import { zaddGeneric, ZADD_NX, ZADD_XX, ZADD_CH } from './zsets-basic';
import type { ZSet } from '../data/zset';
import { geoScore, decodeScore, geoDistance, geohashString, formatDistance } from '../data/geohash';
import { lookupRead, keySpec, KEY_ARG } from './strings-shared';
import { extractLonLat, extractUnit, geoArg } from './geo-args';
import { georadiusGeneric, humanDouble, RADIUS_COORDS, RADIUS_MEMBER, RADIUS_NOSTORE, GEOSEARCH, GEOSEARCHSTORE } from './geo-search';

/**
 * The exact decimal text of a GEOADD score of 2^53 or more (only at longitude 180), where the
 * double would round it; below that, String(score) is exact.
 */
function exactScoreText(lon: number, lat: number): string {
  // the score's integer before the double rounding ZADD applies to it
  const latOff = Math.trunc(((lat - -85.05112878) / (85.05112878 - -85.05112878)) * 67108864);
  const lonOff = Math.trunc(((lon - -180) / 360) * 67108864);
  let bits = 0n;
  for (let b = 0; b < 32; b++) {
    bits |= BigInt((latOff >>> b) & 1) << BigInt(2 * b);
    bits |= BigInt((lonOff >>> b) & 1) << BigInt(2 * b + 1);
  }
  return bits.toString();
}

/** GEOADD key [NX|XX] [CH] longitude latitude member [...] */
function geoadd(ctx: Ctx): void {
  const argv = ctx.argv;
  let xx = false, nx = false, ch = false;
  let longIdx = 2;
  while (longIdx < argv.length) {
    // a longitude never starts like NX, XX or CH: skip lower-casing it
    const c0 = argv[longIdx].charCodeAt(0) | 0x20;
    if (c0 !== 0x6e && c0 !== 0x78 && c0 !== 0x63) break;
    const o = geoArg(argv[longIdx]);
    if (o === 'nx') nx = true;
    else if (o === 'xx') xx = true;
    else if (o === 'ch') ch = true;
    else break;
    longIdx++;
  }
  if ((argv.length - longIdx) % 3 !== 0 || (xx && nx)) {
    ctx.reply.error(ERR.SYNTAX);
    return;
  }
  const elements = (argv.length - longIdx) / 3;
  const zargv = ['zadd'];
  for (let i = 1; i < longIdx; i++) zargv.push(argv[i]);
  const xy = [0, 0];
  const scores: number[] = new Array(elements);
  // the scores as text are only needed for the ZADD that AOF and replicas receive
  const propagating = ctx.server.propagating;
  for (let i = 0; i < elements; i++) {
    const at = longIdx + i * 3;
    if (!extractLonLat(ctx, at, null, xy)) return;
    const s = geoScore(xy[0], xy[1]);
    if (s < 9007199254740992) {
      scores[i] = s;
      zargv.push(propagating ? String(s) : '', argv[at + 2]);
    } else {
      // the double ZADD would parse from that text
      const text = exactScoreText(xy[0], xy[1]);
      scores[i] = Number(text);
      zargv.push(text, argv[at + 2]);
    }
  }
  // Redis replaces the client's argument vector and calls zaddCommand: what is propagated is
  // that ZADD, while MONITOR and SLOWLOG keep showing the GEOADD as sent.
  ctx.argv = zargv;
  try {
    zaddGeneric(ctx, (nx ? ZADD_NX : 0) | (xx ? ZADD_XX : 0) | (ch ? ZADD_CH : 0), longIdx, scores);
  } finally {
    ctx.argv = argv;
  }
  if (ctx.propagateAs === null && propagating) ctx.propagateAs = [zargv];
}

/** Looks up a key for reading; undefined if absent, null after a WRONGTYPE reply. */
function readZset(ctx: Ctx, key: string): ZSet | undefined | null {
  const o = lookupRead(ctx, key);
  if (o === undefined) return undefined;
  if (o.type !== 'zset') {
    ctx.reply.error(ERR.WRONGTYPE);
    return null;
  }
  return o.value as ZSet;
}

function geohash(ctx: Ctx): void {
  const z = readZset(ctx, ctx.argv[1]);
  if (z === null) return;
  const r = ctx.reply;
  r.array(ctx.argv.length - 2);
  for (let j = 2; j < ctx.argv.length; j++) {
    const s = z?.score(ctx.argv[j]);
    if (s === undefined) r.nullBulk();
    else r.bulk(geohashString(s));
  }
}

function geopos(ctx: Ctx): void {
  const z = readZset(ctx, ctx.argv[1]);
  if (z === null) return;
  const r = ctx.reply;
  const xy = [0, 0];
  r.array(ctx.argv.length - 2);
  for (let j = 2; j < ctx.argv.length; j++) {
    const s = z?.score(ctx.argv[j]);
    if (s === undefined) r.nullArray();
    else {
      decodeScore(s, xy);
      r.array(2);
      humanDouble(ctx, xy[0]);
      humanDouble(ctx, xy[1]);
    }
  }
}

function geodist(ctx: Ctx): void {
  const argv = ctx.argv;
  let toMeter = 1;
  if (argv.length === 5) {
    toMeter = extractUnit(ctx, argv[4]);
    if (toMeter < 0) return;
  } else if (argv.length > 5) {
    ctx.reply.error(ERR.SYNTAX);
    return;
  }
  const z = readZset(ctx, argv[1]);
  if (z === null) return;
  const s1 = z?.score(argv[2]);
  const s2 = s1 === undefined ? undefined : z!.score(argv[3]);
  if (s1 === undefined || s2 === undefined) {
    ctx.reply.nullBulk();
    return;
  }
  const a = [0, 0];
  const b = [0, 0];
  decodeScore(s1, a);
  decodeScore(s2, b);
  ctx.reply.bulk(formatDistance(geoDistance(a[0], a[1], b[0], b[1]) / toMeter));
}

/* ---------------- command table ---------------- */

const UNIT_ARG: ArgSpec = { name: 'unit', type: 'oneof', arguments: [
  { name: 'm', type: 'pure-token', token: 'M' },
  { name: 'km', type: 'pure-token', token: 'KM' },
  { name: 'ft', type: 'pure-token', token: 'FT' },
  { name: 'mi', type: 'pure-token', token: 'MI' },
] };
const WITH_ARGS: ArgSpec[] = [
  { name: 'withcoord', type: 'pure-token', token: 'WITHCOORD', flags: ['optional'] },
  { name: 'withdist', type: 'pure-token', token: 'WITHDIST', flags: ['optional'] },
  { name: 'withhash', type: 'pure-token', token: 'WITHHASH', flags: ['optional'] },
];
const countArg = (anySince?: string): ArgSpec => ({ name: 'count', type: 'block', flags: ['optional'], arguments: [
  { name: 'count', type: 'integer', token: 'COUNT' },
  { name: 'any', type: 'pure-token', token: 'ANY', ...(anySince ? { since: anySince } : {}), flags: ['optional'] },
] });
const ORDER_ARG: ArgSpec = { name: 'order', type: 'oneof', flags: ['optional'], arguments: [
  { name: 'asc', type: 'pure-token', token: 'ASC' },
  { name: 'desc', type: 'pure-token', token: 'DESC' },
] };
const STORE_ARGS: ArgSpec[] = [
  { name: 'key', type: 'key', key_spec_index: 1, token: 'STORE', flags: ['optional'] },
  { name: 'key', type: 'key', key_spec_index: 2, token: 'STOREDIST', flags: ['optional'] },
];
const FROM_ARG: ArgSpec = { name: 'from', type: 'oneof', arguments: [
  { name: 'member', type: 'string', token: 'FROMMEMBER' },
  { name: 'longitude_latitude', type: 'block', token: 'FROMLONLAT', arguments: [
    { name: 'longitude', type: 'double' }, { name: 'latitude', type: 'double' },
  ] },
] };
const BY_ARG: ArgSpec = { name: 'by', type: 'oneof', arguments: [
  { name: 'circle', type: 'block', arguments: [{ name: 'radius', type: 'double', token: 'BYRADIUS' }, UNIT_ARG] },
  { name: 'box', type: 'block', arguments: [{ name: 'width', type: 'double', token: 'BYBOX' }, { name: 'height', type: 'double' }, UNIT_ARG] },
] };
const RADIUS_COMPLEXITY = 'O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index.';
const SEARCH_COMPLEXITY = 'O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area around the shape provided as the filter and M is the number of items inside the shape';
const UPPER_UNITS: [string, string] = ['7.0.0', 'Unit names may be given in upper case.'];
const ANY_ADDED: [string, string] = ['6.2.0', '`COUNT` accepts `ANY`.'];
const storeSpecs = (from: number) => [
  keySpec(['RO', 'access']),
  { flags: ['OW', 'update'], begin: { keyword: 'STORE', startfrom: from }, find: { range: [0, 1, 0] } },
  { flags: ['OW', 'update'], begin: { keyword: 'STOREDIST', startfrom: from }, find: { range: [0, 1, 0] } },
] as CommandSpec['keys'];
const LONLAT_ARGS: ArgSpec[] = [{ name: 'longitude', type: 'double' }, { name: 'latitude', type: 'double' }];

export const COMMANDS: CommandSpec[] = [
  command({
    name: 'geoadd', arity: -5, flags: ['write', 'denyoom'], categories: ['geo'],
    keys: [keySpec(['RW', 'update'])],
    docs: {
      summary: 'Adds members with their coordinates to a geospatial index (a sorted set).', since: '3.2.0', group: 'geo',
      complexity: 'O(log(N)) for each item added, where N is the number of elements in the sorted set.',
      history: [['6.2.0', 'Accepts `CH`, `NX` and `XX`.']],
      arguments: [
        KEY_ARG,
        { name: 'condition', type: 'oneof', since: '6.2.0', flags: ['optional'], arguments: [
          { name: 'nx', type: 'pure-token', token: 'NX' }, { name: 'xx', type: 'pure-token', token: 'XX' },
        ] },
        { name: 'change', type: 'pure-token', token: 'CH', since: '6.2.0', flags: ['optional'] },
        { name: 'longitude_latitude_member', type: 'block', flags: ['multiple'], arguments: [...LONLAT_ARGS, { name: 'member', type: 'string' }] },
      ],
    },
    handler: geoadd,
  }),
  command({
    name: 'geodist', arity: -4, flags: ['readonly'], categories: ['geo'],
    keys: [keySpec(['RO', 'access'])],
    docs: {
      summary: 'Returns the distance between two members of a geospatial index.', since: '3.2.0', group: 'geo', complexity: 'O(log(N))',
      arguments: [KEY_ARG, { name: 'member1', type: 'string' }, { name: 'member2', type: 'string' }, { ...UNIT_ARG, flags: ['optional'] }],
    },
    handler: geodist,
  }),
  command({
    name: 'geohash', arity: -2, flags: ['readonly'], categories: ['geo'],
    keys: [keySpec(['RO', 'access'])],
    docs: {
      summary: 'Returns members of a geospatial index as standard geohash strings.', since: '3.2.0', group: 'geo',
      complexity: 'O(log(N)) for each member requested, where N is the number of elements in the sorted set.',
      arguments: [KEY_ARG, { name: 'member', type: 'string', flags: ['multiple'] }],
    },
    handler: geohash,
  }),
  command({
    name: 'geopos', arity: -2, flags: ['readonly'], categories: ['geo'],
    keys: [keySpec(['RO', 'access'])],
    docs: {
      summary: 'Returns the longitude and latitude of members of a geospatial index.', since: '3.2.0', group: 'geo',
      complexity: 'O(N) where N is the number of members requested.',
      arguments: [KEY_ARG, { name: 'member', type: 'string', flags: ['multiple'] }],
    },
    handler: geopos,
  }),
  command({
    name: 'geosearch', arity: -7, flags: ['readonly'], categories: ['geo'],
    keys: [keySpec(['RO', 'access'])],
    docs: {
      summary: 'Returns the members of a geospatial index inside a circle or a box.', since: '6.2.0', group: 'geo',
      complexity: SEARCH_COMPLEXITY, history: [UPPER_UNITS],
      arguments: [KEY_ARG, FROM_ARG, BY_ARG, ORDER_ARG, countArg(), ...WITH_ARGS],
    },
    handler: (ctx) => georadiusGeneric(ctx, 1, GEOSEARCH),
  }),
  command({
    name: 'geosearchstore', arity: -8, flags: ['write', 'denyoom'], categories: ['geo'],
    keys: [keySpec(['OW', 'update']), { flags: ['RO', 'access'], begin: { index: 2 }, find: { range: [0, 1, 0] } }],
    docs: {
      summary: 'Stores the members of a geospatial index inside a circle or a box in a sorted set.', since: '6.2.0', group: 'geo',
      complexity: SEARCH_COMPLEXITY, history: [UPPER_UNITS],
      arguments: [
        { name: 'destination', type: 'key', key_spec_index: 0 }, { name: 'source', type: 'key', key_spec_index: 1 },
        FROM_ARG, BY_ARG, ORDER_ARG, countArg(),
        { name: 'storedist', type: 'pure-token', token: 'STOREDIST', flags: ['optional'] },
      ],
    },
    handler: (ctx) => georadiusGeneric(ctx, 2, GEOSEARCH | GEOSEARCHSTORE),
  }),
  command({
    name: 'georadius', arity: -6, flags: ['write', 'denyoom'], categories: ['geo'],
    keys: storeSpecs(6),
    docs: {
      summary: 'Returns the members of a geospatial index within a distance of a point, optionally storing them.', since: '3.2.0', group: 'geo',
      complexity: RADIUS_COMPLEXITY, doc_flags: ['deprecated'], deprecated_since: '6.2.0',
      replaced_by: '`GEOSEARCH` and `GEOSEARCHSTORE` with `BYRADIUS`', history: [ANY_ADDED, UPPER_UNITS],
      arguments: [KEY_ARG, ...LONLAT_ARGS, { name: 'radius', type: 'double' }, UNIT_ARG, ...WITH_ARGS, countArg('6.2.0'), ORDER_ARG, ...STORE_ARGS],
    },
    handler: (ctx) => georadiusGeneric(ctx, 1, RADIUS_COORDS),
  }),
  command({
    name: 'georadiusbymember', arity: -5, flags: ['write', 'denyoom'], categories: ['geo'],
    keys: storeSpecs(5),
    docs: {
      summary: 'Returns the members of a geospatial index within a distance of a member, optionally storing them.', since: '3.2.0', group: 'geo',
      complexity: RADIUS_COMPLEXITY, doc_flags: ['deprecated'], deprecated_since: '6.2.0',
      replaced_by: '`GEOSEARCH` and `GEOSEARCHSTORE` with `BYRADIUS` and `FROMMEMBER`', history: [UPPER_UNITS],
      arguments: [KEY_ARG, { name: 'member', type: 'string' }, { name: 'radius', type: 'double' }, UNIT_ARG, ...WITH_ARGS, countArg(), ORDER_ARG, ...STORE_ARGS],
    },
    handler: (ctx) => georadiusGeneric(ctx, 1, RADIUS_MEMBER),
  }),
  command({
    name: 'georadius_ro', arity: -6, flags: ['readonly'], categories: ['geo'],
    keys: [keySpec(['RO', 'access'])],
    docs: {
      summary: 'Returns the members of a geospatial index within a distance of a point (read-only GEORADIUS).', since: '3.2.10', group: 'geo',
      complexity: RADIUS_COMPLEXITY, doc_flags: ['deprecated'], deprecated_since: '6.2.0',
      replaced_by: '`GEOSEARCH` with `BYRADIUS`', history: [ANY_ADDED],
      arguments: [KEY_ARG, ...LONLAT_ARGS, { name: 'radius', type: 'double' }, UNIT_ARG, ...WITH_ARGS, countArg('6.2.0'), ORDER_ARG],
    },
    handler: (ctx) => georadiusGeneric(ctx, 1, RADIUS_COORDS | RADIUS_NOSTORE),
  }),
  command({
    name: 'georadiusbymember_ro', arity: -5, flags: ['readonly'], categories: ['geo'],
    keys: [keySpec(['RO', 'access'])],
    docs: {
      summary: 'Returns the members of a geospatial index within a distance of a member (read-only GEORADIUSBYMEMBER).', since: '3.2.10', group: 'geo',
      complexity: RADIUS_COMPLEXITY, doc_flags: ['deprecated'], deprecated_since: '6.2.0',
      replaced_by: '`GEOSEARCH` with `BYRADIUS` and `FROMMEMBER`',
      arguments: [KEY_ARG, { name: 'member', type: 'string' }, { name: 'radius', type: 'double' }, UNIT_ARG, ...WITH_ARGS, countArg(), ORDER_ARG],
    },
    handler: (ctx) => georadiusGeneric(ctx, 1, RADIUS_MEMBER | RADIUS_NOSTORE),
  }),
];
