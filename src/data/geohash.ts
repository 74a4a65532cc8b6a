/*
 * Geohash arithmetic as Redis 7.0 does it (geohash.c, geohash_helper.c, the helpers of geo.c).
 *
 * Design: a point is stored as a sorted-set score, the 52-bit interleaving of its 26-bit latitude
 * and longitude cells over Redis's Web-Mercator ranges (latitude +-85.05112878). Every float
 * operation is done in the order Redis's C does it, with IEEE doubles (x86-64 SSE, no fused
 * multiply-add), so scores, decoded coordinates and distances match to the last bit.
 *
 * Invariants:
 *  - The hot paths (encode for GEOADD, decode of every candidate during a search) work on two
 *    32-bit words with Number arithmetic; anything that needs Redis's 64-bit wrap-around (the
 *    neighbour moves, box alignment, scores outside [0, 2^53)) uses BigInt, which is exact.
 *  - A score is turned into a hash as C's `(uint64_t)double` conversion does on x86-64, including
 *    its results for negative and huge values, so GEOPOS on a foreign sorted set answers like Redis.
 *  - Number formatting (%f, %.4f, Redis's "human" long double) is exact: the decimal expansion of
 *    the binary value, rounded half-to-even like glibc's printf.
 */

export const GEO_LAT_MIN = -85.05112878;
export const GEO_LAT_MAX = 85.05112878;
export const GEO_LONG_MIN = -180;
export const GEO_LONG_MAX = 180;
export const GEO_STEP_MAX = 26;

/** Earth's quadratic mean radius (WGS-84) that Redis measures distances with. */
export const EARTH_RADIUS_IN_METERS = 6372797.560856;
const MERCATOR_MAX = 20037726.37;
const D_R = Math.PI / 180.0;
const TWO32 = 4294967296;
const MASK64 = (1n << 64n) - 1n;

export interface Range {
  min: number;
  max: number;
}
export const WGS84_LONG: Range = { min: GEO_LONG_MIN, max: GEO_LONG_MAX };
export const WGS84_LAT: Range = { min: GEO_LAT_MIN, max: GEO_LAT_MAX };
/** The standard geohash ranges GEOHASH re-encodes with. */
const STD_LONG: Range = { min: -180, max: 180 };
const STD_LAT: Range = { min: -90, max: 90 };

/** A hash of `step` bits per coordinate (bits: up to 64 bits, as Redis's uint64_t). */
export interface HashBits {
  bits: bigint;
  step: number;
}

/* ---------------- bit interleaving on 32-bit words ---------------- */

/** Spreads the low 16 bits of v to the even bit positions of a 32-bit word. */
function spread16(v: number): number {
  v &= 0xffff;
  v = (v | (v << 8)) & 0x00ff00ff;
  v = (v | (v << 4)) & 0x0f0f0f0f;
  v = (v | (v << 2)) & 0x33333333;
  v = (v | (v << 1)) & 0x55555555;
  return v;
}

/** Gathers the even bits of a 32-bit word into 16 bits. */
function compact16(v: number): number {
  v &= 0x55555555;
  v = (v | (v >>> 1)) & 0x33333333;
  v = (v | (v >>> 2)) & 0x0f0f0f0f;
  v = (v | (v >>> 4)) & 0x00ff00ff;
  v = (v | (v >>> 8)) & 0x0000ffff;
  return v;
}

/** Interleaves x (even bits) and y (odd bits), two uint32s, into [hiWord, loWord]. */
function interleaveWords(x: number, y: number): [number, number] {
  const lo = (spread16(x) | (spread16(y) << 1)) >>> 0;
  const hi = (spread16(x >>> 16) | (spread16(y >>> 16) << 1)) >>> 0;
  return [hi, lo];
}

function interleaveBig(x: number, y: number): bigint {
  const [hi, lo] = interleaveWords(x, y);
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** Splits a 64-bit hash into its even-bit (latitude) and odd-bit (longitude) uint32 halves. */
function deinterleaveWords(hi: number, lo: number): [lat: number, lon: number] {
  const lat = (compact16(lo) | (compact16(hi) << 16)) >>> 0;
  const lon = (compact16(lo >>> 1) | (compact16(hi >>> 1) << 16)) >>> 0;
  return [lat, lon];
}

/** C's (uint32_t) of a non-negative double below 2^32: truncation. */
const u32 = (d: number): number => Math.trunc(d) >>> 0;

/* ---------------- encode / decode ---------------- */

function inWgs84(lon: number, lat: number): boolean {
  return !(lon > GEO_LONG_MAX || lon < GEO_LONG_MIN || lat > GEO_LAT_MAX || lat < GEO_LAT_MIN);
}

/** True if Redis accepts the pair for GEOADD / FROMLONLAT (NaN never reaches here). */
export function validLonLat(lon: number, lat: number): boolean {
  return inWgs84(lon, lat);
}

/** Redis's geohashEncode: null where Redis returns 0 (out of range). */
export function geohashEncode(lonR: Range, latR: Range, lon: number, lat: number, step: number): HashBits | null {
  if (step > 32 || step === 0) return null;
  if (!inWgs84(lon, lat)) return null;
  if (lat < latR.min || lat > latR.max || lon < lonR.min || lon > lonR.max) return null;
  let latOff = (lat - latR.min) / (latR.max - latR.min);
  let lonOff = (lon - lonR.min) / (lonR.max - lonR.min);
  const scale = 2 ** step;
  latOff *= scale;
  lonOff *= scale;
  return { bits: interleaveBig(u32(latOff), u32(lonOff)), step };
}

/**
 * GEOADD's score for a valid point: the 26-step hash aligned to 52 bits, as the double ZADD
 * parses from its decimal text (only the corner lon=180 exceeds 2^53, rounded like strtod).
 */
export function geoScore(lon: number, lat: number): number {
  const latOff = ((lat - GEO_LAT_MIN) / (GEO_LAT_MAX - GEO_LAT_MIN)) * 67108864;
  const lonOff = ((lon - GEO_LONG_MIN) / (GEO_LONG_MAX - GEO_LONG_MIN)) * 67108864;
  const [hi, lo] = interleaveWords(u32(latOff), u32(lonOff));
  return hi * TWO32 + lo;
}

/** The 64-bit hash C's (uint64_t) conversion makes of a score, as [hiWord, loWord]. */
function scoreWords(score: number): [number, number] {
  if (score >= 0 && score < 18446744073709551616) {
    const t = Math.trunc(score);
    const hi = Math.floor(t / TWO32);
    return [hi, t - hi * TWO32];
  }
  let b: bigint;
  if (score >= 18446744073709551616) b = 0n; // includes +inf: the x86 conversion yields 0
  else if (!(score > -9223372036854775808)) b = 1n << 63n; // -inf, NaN and below int64
  else b = BigInt.asUintN(64, BigInt(Math.trunc(score)));
  return [Number(b >> 32n), Number(b & 0xffffffffn)];
}

/** Redis's geohashDecode: the cell of a hash (null for the all-zero "no area" hash). */
export function geohashDecode(lonR: Range, latR: Range, h: HashBits): { latMin: number; latMax: number; lonMin: number; lonMax: number } | null {
  if (h.bits === 0n && h.step === 0) return null;
  const [ilat, ilon] = deinterleaveWords(Number((h.bits >> 32n) & 0xffffffffn), Number(h.bits & 0xffffffffn));
  return cellOf(lonR, latR, ilat, ilon, h.step);
}

function cellOf(lonR: Range, latR: Range, ilat: number, ilon: number, step: number) {
  const latScale = latR.max - latR.min;
  const lonScale = lonR.max - lonR.min;
  const div = 2 ** step;
  return {
    latMin: latR.min + (ilat / div) * latScale,
    latMax: latR.min + (((ilat + 1) >>> 0) / div) * latScale,
    lonMin: lonR.min + (ilon / div) * lonScale,
    lonMax: lonR.min + (((ilon + 1) >>> 0) / div) * lonScale,
  };
}

/**
 * Decodes a member's score to [longitude, latitude] (the centre of its 26-step cell, clamped to
 * the valid ranges), writing into `out`. Redis's decodeGeohash; it always succeeds for step 26.
 */
export function decodeScore(score: number, out: number[]): void {
  const [hi, lo] = scoreWords(score);
  const [ilat, ilon] = deinterleaveWords(hi, lo);
  const c = cellOf(WGS84_LONG, WGS84_LAT, ilat, ilon, GEO_STEP_MAX);
  let x = (c.lonMin + c.lonMax) / 2;
  if (x > GEO_LONG_MAX) x = GEO_LONG_MAX;
  if (x < GEO_LONG_MIN) x = GEO_LONG_MIN;
  let y = (c.latMin + c.latMax) / 2;
  if (y > GEO_LAT_MAX) y = GEO_LAT_MAX;
  if (y < GEO_LAT_MIN) y = GEO_LAT_MIN;
  out[0] = x;
  out[1] = y;
}

const GEOALPHABET = '0123456789bcdefghjkmnpqrstuvwxyz';

/** GEOHASH's 11-character string for a stored score (standard latitude range, last char '0'). */
export function geohashString(score: number): string {
  const xy = [0, 0];
  decodeScore(score, xy);
  const h = geohashEncode(STD_LONG, STD_LAT, xy[0], xy[1], 26);
  const bits = h === null ? 0n : h.bits;
  let s = '';
  for (let i = 0; i < 10; i++) s += GEOALPHABET[Number((bits >> BigInt(52 - (i + 1) * 5)) & 0x1fn)];
  return s + '0';
}

/* ---------------- distances ---------------- */

const degRad = (a: number): number => a * D_R;
const radDeg = (a: number): number => a / D_R;

/** Haversine great-circle distance in meters (Redis 7.0's geohashGetDistance). */
export function geoDistance(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const lat1r = degRad(lat1);
  const lon1r = degRad(lon1);
  const lat2r = degRad(lat2);
  const lon2r = degRad(lon2);
  const u = Math.sin((lat2r - lat1r) / 2);
  const v = Math.sin((lon2r - lon1r) / 2);
  return 2.0 * EARTH_RADIUS_IN_METERS * Math.asin(Math.sqrt(u * u + Math.cos(lat1r) * Math.cos(lat2r) * v * v));
}

/** Redis's geohashGetDistanceIfInRectangle: the distance to the centre, or -1 when outside. */
export function distanceIfInRectangle(widthM: number, heightM: number, x1: number, y1: number, x2: number, y2: number): number {
  const lonDistance = geoDistance(x2, y2, x1, y2);
  const latDistance = geoDistance(x2, y2, x2, y1);
  if (lonDistance > widthM / 2 || latDistance > heightM / 2) return -1;
  return geoDistance(x1, y1, x2, y2);
}

/** Meters per unit for m, km, ft, mi (ASCII case-insensitive), or -1. */
export function unitFactor(unit: string): number {
  const nul = unit.indexOf('\0'); // Redis compares the C string
  const u = (nul >= 0 ? unit.slice(0, nul) : unit).toLowerCase();
  if (u === 'm') return 1;
  if (u === 'km') return 1000;
  if (u === 'ft') return 0.3048;
  if (u === 'mi') return 1609.34;
  return -1;
}

/* ---------------- search areas ---------------- */

/** A search shape: centre, and a radius or a box, in `unit`s (conversion = meters per unit). */
export interface GeoShape {
  lon: number;
  lat: number;
  conversion: number;
  radius?: number;
  width?: number;
  height?: number;
}

/** Redis's geohashEstimateStepsByRadius. */
export function estimateSteps(rangeMeters: number, lat: number): number {
  if (rangeMeters === 0) return 26;
  let step = 1;
  while (rangeMeters < MERCATOR_MAX) {
    rangeMeters *= 2;
    step++;
  }
  step -= 2;
  if (lat > 66 || lat < -66) {
    step--;
    if (lat > 80 || lat < -80) step--;
  }
  if (step < 1) step = 1;
  if (step > 26) step = 26;
  return step;
}

/** Redis's geohashBoundingBox: [minLon, minLat, maxLon, maxLat]. */
export function boundingBox(s: GeoShape): [number, number, number, number] {
  const circle = s.radius !== undefined;
  const height = s.conversion * (circle ? s.radius! : s.height! / 2);
  const width = s.conversion * (circle ? s.radius! : s.width! / 2);
  const latDelta = radDeg(height / EARTH_RADIUS_IN_METERS);
  const longDeltaTop = radDeg(width / EARTH_RADIUS_IN_METERS / Math.cos(degRad(s.lat + latDelta)));
  const longDeltaBottom = radDeg(width / EARTH_RADIUS_IN_METERS / Math.cos(degRad(s.lat - latDelta)));
  const south = s.lat < 0;
  return [
    south ? s.lon - longDeltaBottom : s.lon - longDeltaTop,
    s.lat - latDelta,
    south ? s.lon + longDeltaBottom : s.lon + longDeltaTop,
    s.lat + latDelta,
  ];
}

function move(h: HashBits, d: number, alongOdd: boolean): HashBits {
  if (d === 0) return h;
  const shift = BigInt(64 - h.step * 2);
  const oddMask = 0xaaaaaaaaaaaaaaaan;
  const evenMask = 0x5555555555555555n;
  let moving = h.bits & (alongOdd ? oddMask : evenMask);
  const fixed = h.bits & (alongOdd ? evenMask : oddMask);
  const zz = (alongOdd ? evenMask : oddMask) >> shift;
  if (d > 0) moving = (moving + (zz + 1n)) & MASK64;
  else moving = ((moving | zz) - (zz + 1n)) & MASK64;
  moving &= (alongOdd ? oddMask : evenMask) >> shift;
  return { bits: moving | fixed, step: h.step };
}

const ZERO: HashBits = { bits: 0n, step: 0 };
const isZero = (h: HashBits): boolean => h.bits === 0n && h.step === 0;

/**
 * The boxes a search visits, in Redis's order (centre, N, S, E, W, NE, NW, SE, SW), with the
 * useless ones zeroed and consecutive duplicates dropped: geohashCalculateAreasByShapeWGS84 plus
 * the walk of membersOfAllNeighbors. Each box is returned as the [min, max) score range it covers.
 */
export function searchRanges(s: GeoShape): { min: number; max: number }[] {
  const [minLon, minLat, maxLon, maxLat] = boundingBox(s);
  let radiusMeters = s.radius !== undefined ? s.radius : Math.sqrt((s.width! / 2) * (s.width! / 2) + (s.height! / 2) * (s.height! / 2));
  radiusMeters *= s.conversion;
  let steps = estimateSteps(radiusMeters, s.lat);

  const around = (st: number) => {
    const hash = geohashEncode(WGS84_LONG, WGS84_LAT, s.lon, s.lat, st) ?? { bits: 0n, step: st };
    const n = {
      north: move(hash, 1, false), south: move(hash, -1, false),
      east: move(hash, 1, true), west: move(hash, -1, true),
      northEast: move(move(hash, 1, true), 1, false), northWest: move(move(hash, -1, true), 1, false),
      southEast: move(move(hash, 1, true), -1, false), southWest: move(move(hash, -1, true), -1, false),
    };
    return { hash, n, area: geohashDecode(WGS84_LONG, WGS84_LAT, hash)! };
  };

  let { hash, n, area } = around(steps);
  const north = geohashDecode(WGS84_LONG, WGS84_LAT, n.north)!;
  const south = geohashDecode(WGS84_LONG, WGS84_LAT, n.south)!;
  const east = geohashDecode(WGS84_LONG, WGS84_LAT, n.east)!;
  const west = geohashDecode(WGS84_LONG, WGS84_LAT, n.west)!;
  const decrease = north.latMax < maxLat || south.latMin > minLat || east.lonMax < maxLon || west.lonMin > minLon;
  if (steps > 1 && decrease) {
    steps--;
    ({ hash, n, area } = around(steps));
  }
  if (steps >= 2) {
    if (area.latMin < minLat) n.south = n.southWest = n.southEast = ZERO;
    if (area.latMax > maxLat) n.north = n.northEast = n.northWest = ZERO;
    if (area.lonMin < minLon) n.west = n.southWest = n.northWest = ZERO;
    if (area.lonMax > maxLon) n.east = n.southEast = n.northEast = ZERO;
  }
  const boxes = [hash, n.north, n.south, n.east, n.west, n.northEast, n.northWest, n.southEast, n.southWest];
  const out: { min: number; max: number }[] = [];
  let last: HashBits | null = null;
  for (const b of boxes) {
    if (isZero(b)) continue;
    if (last !== null && b.bits === last.bits && b.step === last.step) continue;
    last = b;
    const shift = BigInt(52 - b.step * 2);
    out.push({ min: Number((b.bits << shift) & MASK64), max: Number(((b.bits + 1n) << shift) & MASK64) });
  }
  return out;
}

/* ---------------- number formatting ---------------- */

const f64 = new Float64Array(1);
const u64v = new BigUint64Array(f64.buffer);

/** printf("%.<p>f") of a finite non-negative double, exact, ties to even. */
function fixedExact(x: number, p: number): string {
  f64[0] = x;
  const raw = u64v[0];
  const bexp = Number((raw >> 52n) & 0x7ffn);
  let mant = raw & 0xfffffffffffffn;
  let e: number;
  if (bexp === 0) e = -1074;
  else {
    mant |= 1n << 52n;
    e = bexp - 1075;
  }
  let q: bigint;
  if (e >= 0) q = (mant << BigInt(e)) * 10n ** BigInt(p);
  else {
    const num = mant * 10n ** BigInt(p);
    const sh = BigInt(-e);
    q = num >> sh;
    const r = num - (q << sh);
    const half = 1n << (sh - 1n);
    if (r > half || (r === half && (q & 1n) === 1n)) q++;
  }
  const digits = q.toString().padStart(p + 1, '0');
  return p === 0 ? digits : digits.slice(0, digits.length - p) + '.' + digits.slice(digits.length - p);
}

/** C's printf("%.<p>f", x) as glibc prints it. */
export function formatFixed(x: number, p: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  const neg = x < 0 || Object.is(x, -0);
  const a = Math.abs(x);
  let s: string;
  const t = a * 2 ** (p + 1);
  // toFixed is exact but rounds ties away from zero; a tie needs x * 2^(p+1) to be an odd integer
  if (a >= 1e21 || (Number.isInteger(t) && t % 2 === 1)) s = fixedExact(a, p);
  else s = a.toFixed(p);
  return neg ? '-' + s : s;
}

/** Redis's addReplyDoubleDistance text: four decimals. */
export function formatDistance(d: number): string {
  return formatFixed(d, 4);
}

/** Redis's LD_STR_HUMAN: %.17Lf without trailing zeros (GEOPOS, WITHCOORD). */
export function formatHuman(d: number): string {
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  let s = formatFixed(d, 17);
  if (s.indexOf('.') >= 0) {
    let l = s.length;
    while (s.charCodeAt(l - 1) === 48) l--;
    if (s.charCodeAt(l - 1) === 46) l--;
    s = s.slice(0, l);
  }
  return s === '-0' ? '0' : s;
}
