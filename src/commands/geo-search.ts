/*
 * GEORADIUS, GEORADIUSBYMEMBER (and their _RO forms), GEOSEARCH and GEOSEARCHSTORE: one generic
 * handler, as Redis's georadiusGeneric, so every variant parses, fails and answers identically.
 *
 * Design: the search visits the (at most) nine geohash boxes Redis picks around the centre
 * (src/data/geohash.ts `searchRanges`), walks each box's score range in the sorted set in order,
 * keeps the points inside the circle or box, then orders them with the same sort Redis would use
 * (geo-sort.ts), so ties come out in Redis's order. A radius search measures the points with a
 * RadiusProbe (geohash.ts), which gives geoDistance's exact result but skips the trigonometry of
 * points provably outside the circle. Cost: O(log N) per box plus the points in the
 * boxes, as in Redis.
 *
 * Invariants: argument errors are reported in Redis's order (key type, centre, radius, then the
 * options left to right), and a missing source key still has all its options parsed first.
 */

import type { Ctx } from './context';
import { ERR, parseLongLong } from './util';
import { RObj } from '../data/keyspace';
import { ZSet, encodingFor } from '../data/zset';
import { decodeScore, RadiusProbe, distanceIfInRectangle, searchRanges, formatDistance, formatHuman, type GeoShape } from '../data/geohash';
import { stableSort, partialSort } from './geo-sort';
import { lookupRead } from './strings-shared';
import { parseGeoDouble, extractLonLat, extractUnit, geoArg } from './geo-args';

export const RADIUS_COORDS = 1;
export const RADIUS_MEMBER = 2;
export const RADIUS_NOSTORE = 4;
export const GEOSEARCH = 8;
export const GEOSEARCHSTORE = 16;

const SORT_NONE = 0;
const SORT_ASC = 1;
const SORT_DESC = 2;

interface GeoPoint {
  lon: number;
  lat: number;
  dist: number;
  score: number;
  member: string;
}

/** Reads "<distance> <unit>": sets shape.radius and shape.conversion, or replies an error. */
function extractDistance(ctx: Ctx, i: number, shape: GeoShape): boolean {
  const d = parseGeoDouble(ctx.argv[i]);
  if (d === null) {
    ctx.reply.error('ERR need numeric radius');
    return false;
  }
  if (d < 0) {
    ctx.reply.error('ERR radius cannot be negative');
    return false;
  }
  shape.radius = d;
  shape.width = shape.height = undefined;
  const conv = extractUnit(ctx, ctx.argv[i + 1]);
  if (conv < 0) return false;
  shape.conversion = conv;
  return true;
}

/** Reads "<width> <height> <unit>" into the shape, or replies an error. */
function extractBox(ctx: Ctx, i: number, shape: GeoShape): boolean {
  const w = parseGeoDouble(ctx.argv[i]);
  if (w === null) {
    ctx.reply.error('ERR need numeric width');
    return false;
  }
  const h = parseGeoDouble(ctx.argv[i + 1]);
  if (h === null) {
    ctx.reply.error('ERR need numeric height');
    return false;
  }
  if (h < 0 || w < 0) {
    ctx.reply.error('ERR height or width cannot be negative');
    return false;
  }
  shape.width = w;
  shape.height = h;
  shape.radius = undefined;
  const conv = extractUnit(ctx, ctx.argv[i + 2]);
  if (conv < 0) return false;
  shape.conversion = conv;
  return true;
}

/** The centre of a member, or null when it is absent. */
function memberCenter(z: ZSet, member: string, shape: GeoShape): boolean {
  const s = z.score(member);
  if (s === undefined) return false;
  const xy = [0, 0];
  decodeScore(s, xy);
  shape.lon = xy[0];
  shape.lat = xy[1];
  return true;
}

/**
 * Collects the points of the boxes that fall inside the shape (stopping early at `limit`). The
 * boxes are walked in place (ZSet.forEachInScore): no node handle per visited point.
 */
function collect(z: ZSet, shape: GeoShape, limit: number): GeoPoint[] {
  const out: GeoPoint[] = [];
  const xy = [0, 0];
  const circle = shape.radius !== undefined;
  const probe = circle ? new RadiusProbe(shape.lon, shape.lat, shape.radius! * shape.conversion) : null;
  const widthM = circle ? 0 : shape.width! * shape.conversion;
  const heightM = circle ? 0 : shape.height! * shape.conversion;
  const range = { min: 0, max: 0, minex: false, maxex: true };
  const visit = (member: string, score: number): boolean => {
    let dist: number;
    if (probe !== null) {
      dist = probe.withinScore(score);
      xy[0] = probe.pointLon;
      xy[1] = probe.pointLat;
    } else {
      decodeScore(score, xy);
      dist = distanceIfInRectangle(widthM, heightM, shape.lon, shape.lat, xy[0], xy[1]);
    }
    if (dist >= 0) {
      out.push({ lon: xy[0], lat: xy[1], dist, score, member });
      if (limit !== 0 && out.length >= limit) return false;
    }
    return true;
  };
  for (const box of searchRanges(shape)) {
    if (out.length !== 0 && limit !== 0 && out.length >= limit) break;
    range.min = box.min;
    range.max = box.max;
    z.forEachInScore(range, visit);
  }
  return out;
}

const asc = (a: GeoPoint, b: GeoPoint): number => (a.dist > b.dist ? 1 : a.dist === b.dist ? 0 : -1);
const desc = (a: GeoPoint, b: GeoPoint): number => -asc(a, b);

const SHORT_DECIMAL = /^[1-9][0-9]{0,14}$/;

/** COUNT's value: plain short decimals without BigInt (exactly what string2ll gives them). */
function countArg(s: string): bigint | number | null {
  return SHORT_DECIMAL.test(s) ? Number(s) : parseLongLong(s);
}

/** Redis's georadiusGeneric. `srcIdx` is the source key's argument index. */
export function georadiusGeneric(ctx: Ctx, srcIdx: number, flags: number): void {
  const argv = ctx.argv;
  const src = lookupRead(ctx, argv[srcIdx]);
  if (src !== undefined && src.type !== 'zset') {
    ctx.reply.error(ERR.WRONGTYPE);
    return;
  }
  const z = src === undefined ? null : (src.value as ZSet);
  const shape: GeoShape = { lon: 0, lat: 0, conversion: 1 };
  let storeKey: string | null = null;
  let storeDist = false;
  let baseArgs: number;

  if (flags & RADIUS_COORDS) {
    baseArgs = 6;
    if (!extractLonLat(ctx, 2, shape)) return;
    if (!extractDistance(ctx, baseArgs - 2, shape)) return;
  } else if ((flags & RADIUS_MEMBER) && z === null) {
    baseArgs = 5; // parse the options anyway: the reply type depends on STORE
  } else if (flags & RADIUS_MEMBER) {
    baseArgs = 5;
    if (!memberCenter(z!, argv[2], shape)) {
      ctx.reply.error('ERR could not decode requested zset member');
      return;
    }
    if (!extractDistance(ctx, baseArgs - 2, shape)) return;
  } else {
    baseArgs = 2;
    if (flags & GEOSEARCHSTORE) {
      baseArgs = 3;
      storeKey = argv[1];
    }
  }

  let withDist = false, withHash = false, withCoords = false;
  let fromMember = false, fromLoc = false, byRadius = false, byBox = false;
  let sort = SORT_NONE;
  let any = false;
  let count = 0;
  const remaining = argv.length - baseArgs;
  for (let i = 0; i < remaining; i++) {
    const a = geoArg(argv[baseArgs + i]);
    if (a === 'withdist') withDist = true;
    else if (a === 'withhash') withHash = true;
    else if (a === 'withcoord') withCoords = true;
    else if (a === 'any') any = true;
    else if (a === 'asc') sort = SORT_ASC;
    else if (a === 'desc') sort = SORT_DESC;
    else if (a === 'count' && i + 1 < remaining) {
      const c = countArg(argv[baseArgs + i + 1]);
      if (c === null) {
        ctx.reply.error(ERR.NOT_INTEGER);
        return;
      }
      if (c <= 0) {
        ctx.reply.error('ERR COUNT must be > 0');
        return;
      }
      count = c > 9007199254740991n ? Number.MAX_SAFE_INTEGER : Number(c);
      i++;
    } else if ((a === 'store' || a === 'storedist') && i + 1 < remaining && !(flags & RADIUS_NOSTORE) && !(flags & GEOSEARCH)) {
      storeKey = argv[baseArgs + i + 1];
      storeDist = a === 'storedist';
      i++;
    } else if (a === 'storedist' && (flags & GEOSEARCH) && (flags & GEOSEARCHSTORE)) {
      storeDist = true;
    } else if (a === 'frommember' && i + 1 < remaining && (flags & GEOSEARCH) && !fromLoc) {
      if (z !== null && !memberCenter(z, argv[baseArgs + i + 1], shape)) {
        ctx.reply.error('ERR could not decode requested zset member');
        return;
      }
      fromMember = true;
      i++;
    } else if (a === 'fromlonlat' && i + 2 < remaining && (flags & GEOSEARCH) && !fromMember) {
      if (!extractLonLat(ctx, baseArgs + i + 1, shape)) return;
      fromLoc = true;
      i += 2;
    } else if (a === 'byradius' && i + 2 < remaining && (flags & GEOSEARCH) && !byBox) {
      if (!extractDistance(ctx, baseArgs + i + 1, shape)) return;
      byRadius = true;
      i += 2;
    } else if (a === 'bybox' && i + 3 < remaining && (flags & GEOSEARCH) && !byRadius) {
      if (!extractBox(ctx, baseArgs + i + 1, shape)) return;
      byBox = true;
      i += 3;
    } else {
      ctx.reply.error(ERR.SYNTAX);
      return;
    }
  }

  if (storeKey !== null && (withDist || withHash || withCoords)) {
    ctx.reply.error(`ERR ${flags & GEOSEARCHSTORE ? 'GEOSEARCHSTORE' : 'STORE option in GEORADIUS'} is not compatible with WITHDIST, WITHHASH and WITHCOORD options`);
    return;
  }
  if ((flags & GEOSEARCH) && !(fromMember || fromLoc)) {
    ctx.reply.error(`ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for ${cName(argv[0])}`);
    return;
  }
  if ((flags & GEOSEARCH) && !(byRadius || byBox)) {
    ctx.reply.error(`ERR exactly one of BYRADIUS and BYBOX can be specified for ${cName(argv[0])}`);
    return;
  }
  if (any && count === 0) {
    ctx.reply.error('ERR the ANY argument requires COUNT argument');
    return;
  }

  if (z === null) {
    if (storeKey !== null) {
      deleteStoreKey(ctx, storeKey);
      ctx.reply.int(0);
    } else ctx.reply.array(0);
    return;
  }

  if (count !== 0 && sort === SORT_NONE && !any) sort = SORT_ASC;
  const points = collect(z, shape, any ? count : 0);
  if (points.length === 0 && storeKey === null) {
    ctx.reply.array(0);
    return;
  }
  const total = points.length;
  const returned = count === 0 || total < count ? total : count;
  if (sort !== SORT_NONE) {
    const cmp = sort === SORT_ASC ? asc : desc;
    if (returned === total) stableSort(points, cmp);
    else partialSort(points, cmp, 0, returned - 1);
  }

  if (storeKey === null) {
    const options = (withDist ? 1 : 0) + (withHash ? 1 : 0) + (withCoords ? 1 : 0);
    const r = ctx.reply;
    r.array(returned);
    for (let i = 0; i < returned; i++) {
      const p = points[i];
      if (options !== 0) r.array(options + 1);
      r.bulk(p.member);
      if (withDist) r.bulk(formatDistance(p.dist / shape.conversion));
      if (withHash) r.int(Math.trunc(p.score));
      if (withCoords) {
        r.array(2);
        humanDouble(ctx, p.lon);
        humanDouble(ctx, p.lat);
      }
    }
    return;
  }

  if (returned !== 0) {
    const dst = new ZSet();
    let maxLen = 0;
    for (let i = 0; i < returned; i++) {
      const p = points[i];
      dst.set(p.member, storeDist ? p.dist / shape.conversion : p.score);
      if (p.member.length > maxLen) maxLen = p.member.length;
    }
    const o = new RObj('zset', dst, encodingFor(returned, maxLen), ctx.server.lruClock);
    ctx.db.lookup(storeKey, ctx.now); // setKey's lookupKeyWrite: lazy expiry first
    ctx.db.set(storeKey, o);
    ctx.server.signalModifiedKey(ctx.db, storeKey);
    ctx.server.notifyKeyspaceEvent('z', flags & GEOSEARCH ? 'geosearchstore' : 'georadiusstore', storeKey, ctx.db.id);
    ctx.server.dirty += returned;
  } else deleteStoreKey(ctx, storeKey);
  ctx.reply.int(returned);
}

function deleteStoreKey(ctx: Ctx, key: string): void {
  // dbDelete: removes whatever the dict holds, even a key whose TTL just passed
  if (ctx.db.delete(key)) {
    ctx.server.signalModifiedKey(ctx.db, key);
    ctx.server.notifyKeyspaceEvent('g', 'del', key, ctx.db.id);
    ctx.server.dirty++;
  }
}

/** The command name as the client typed it, up to a NUL as C's %s prints it. */
function cName(s: string): string {
  const nul = s.indexOf('\0');
  return nul >= 0 ? s.slice(0, nul) : s;
}

/** Redis's addReplyHumanLongDouble: a bulk string in RESP2, a double in RESP3. */
export function humanDouble(ctx: Ctx, d: number): void {
  const s = formatHuman(d);
  if (ctx.reply.resp === 2) ctx.reply.bulk(s);
  else ctx.reply.raw(',' + s + '\r\n');
}
