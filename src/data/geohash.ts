/*
 * Geohash arithmetic as Redis 7.0 does it (geohash.c, geohash_helper.c, the helpers of geo.c).
 *
 * Design: a point is stored as a sorted-set score, the 52-bit interleaving of its 26-bit latitude
 * and longitude cells over Redis's Web-Mercator ranges (latitude +-85.05112878). Every float
 * operation is done in the order Redis's C does it, with IEEE doubles (x86-64 SSE, no fused
 * multiply-add), so scores, decoded coordinates and distances match to the last bit.
 *
 * Invariants:
 *  - No BigInt on the hot paths: hashes of up to 26 steps are two cell indexes (below 2^27) or
 *    two 32-bit words of the interleaving, and Redis's 64-bit neighbour moves are index +-1
 *    modulo 2^step. Only scores outside [0, 2^64) (never written by GEOADD) and the exact printf
 *    use BigInt.
 *  - A score is turned into a hash as C's `(uint64_t)double` conversion does on x86-64, including
 *    its results for negative and huge values, so GEOPOS on a foreign sorted set answers like Redis.
 *  - Shortcuts keep the bits: divisions by powers of two become multiplications (both exact),
 *    a radius search's centre trigonometry is computed once, and RadiusProbe rejects a point
 *    before any trigonometry only when a proven lower bound of its distance exceeds the radius.
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

/** Moves the even bits of a 32-bit word to its low half and the odd bits to its high half. */
function unshuffle32(x: number): number {
  let t = (x ^ (x >>> 1)) & 0x22222222;
  x = x ^ t ^ (t << 1);
  t = (x ^ (x >>> 2)) & 0x0c0c0c0c;
  x = x ^ t ^ (t << 2);
  t = (x ^ (x >>> 4)) & 0x00f000f0;
  x = x ^ t ^ (t << 4);
  t = (x ^ (x >>> 8)) & 0x0000ff00;
  return (x ^ t ^ (t << 8)) >>> 0;
}

/** The low word of the interleaving of x (even bits) and y (odd bits), two uint32s. */
const interleaveLo = (x: number, y: number): number => (spread16(x) | (spread16(y) << 1)) >>> 0;
/** The high word of the same interleaving. */
const interleaveHi = (x: number, y: number): number => (spread16(x >>> 16) | (spread16(y >>> 16) << 1)) >>> 0;

/** POW2[k] = 2^k exactly, k = 0..64: `2 ** k` with a variable k is a call to Math.pow. */
const POW2 = new Float64Array(65);
for (let k = 0, v = 1; k <= 64; k++, v *= 2) POW2[k] = v;

/** C's (uint32_t) of a non-negative double below 2^32: truncation. */
const u32 = (d: number): number => Math.trunc(d) >>> 0;

/* ---------------- encode / decode ---------------- */

// Module-local copies of the exported limits: compiled code reads an export as a property of
// `exports` on every use, a local const is a constant.
const LAT_MIN = -85.05112878;
const LAT_MAX = 85.05112878;
const LAT_SCALE = LAT_MAX - LAT_MIN;
const LONG_SCALE = 180 - -180;
const TWO_R = 2.0 * 6372797.560856;

function inWgs84(lon: number, lat: number): boolean {
  return !(lon > 180 || lon < -180 || lat > LAT_MAX || lat < LAT_MIN);
}

/** True if Redis accepts the pair for GEOADD / FROMLONLAT (NaN never reaches here). */
export function validLonLat(lon: number, lat: number): boolean {
  return inWgs84(lon, lat);
}

/**
 * Cell indexes of the last encodeCell or scoreCells (a pair of out-parameters, so the hot paths
 * allocate nothing; read them right after the call).
 */
let cellLat = 0;
let cellLon = 0;

/**
 * Redis's geohashEncode over WGS84 ranges, leaving the latitude and longitude cell indexes in
 * cellLat/cellLon (each below 2^step, or exactly 2^step on the range's upper edge). A failed
 * encode leaves the all-zero hash, as Redis's does after it has cleared the bits.
 */
function encodeCell(lon: number, lat: number, step: number): void {
  cellLat = 0;
  cellLon = 0;
  if (step > 32 || step === 0 || !inWgs84(lon, lat)) return;
  const scale = POW2[step];
  cellLat = u32(((lat - LAT_MIN) / LAT_SCALE) * scale);
  cellLon = u32(((lon - -180) / LONG_SCALE) * scale);
}

/**
 * GEOADD's score for a valid point: the 26-step hash aligned to 52 bits, as the double ZADD
 * parses from its decimal text (only the corner lon=180 exceeds 2^53, rounded like strtod).
 */
export function geoScore(lon: number, lat: number): number {
  const latOff = u32(((lat - LAT_MIN) / LAT_SCALE) * 67108864);
  const lonOff = u32(((lon - -180) / LONG_SCALE) * 67108864);
  return interleaveHi(latOff, lonOff) * TWO32 + interleaveLo(latOff, lonOff);
}

/** Redis's (uint64_t) cast of a score outside [0, 2^64), as [hiWord, loWord] (x86-64 results). */
function oddScoreWords(score: number): [number, number] {
  let b: bigint;
  if (score >= 18446744073709551616) b = 0n; // includes +inf: the x86 conversion yields 0
  else if (!(score > -9223372036854775808)) b = 1n << 63n; // -inf, NaN and below int64
  else b = BigInt.asUintN(64, BigInt(Math.trunc(score)));
  return [Number(b >> 32n), Number(b & 0xffffffffn)];
}

/** Splits a score into its 26-bit latitude and longitude cell indexes (Redis's deinterleave64). */
function scoreCells(score: number): void {
  let hi: number, lo: number;
  if (score >= 0 && score < 18446744073709551616) {
    // ToUint32 truncates and reduces modulo 2^32 exactly, whatever the magnitude
    hi = (score / TWO32) >>> 0;
    lo = score >>> 0;
  } else {
    const w = oddScoreWords(score);
    hi = w[0];
    lo = w[1];
  }
  const l = unshuffle32(lo);
  const h = unshuffle32(hi);
  cellLat = ((l & 0xffff) | (h << 16)) >>> 0;
  cellLon = ((l >>> 16) | (h & 0xffff0000)) >>> 0;
}

// i / 2^26 and x / 2 are exact scalings by powers of two: multiplying gives the same bits
const INV26 = 1 / 67108864;

/** Centre longitude of a 26-step cell, clamped as Redis's decodeGeohash does. */
function cellCentreLon(ilon: number): number {
  const x = (-180 + ilon * INV26 * LONG_SCALE + (-180 + ((ilon + 1) >>> 0) * INV26 * LONG_SCALE)) * 0.5;
  return x > 180 ? 180 : x < -180 ? -180 : x;
}

/** Centre latitude of a 26-step cell, clamped. */
function cellCentreLat(ilat: number): number {
  const y = (LAT_MIN + ilat * INV26 * LAT_SCALE + (LAT_MIN + ((ilat + 1) >>> 0) * INV26 * LAT_SCALE)) * 0.5;
  return y > LAT_MAX ? LAT_MAX : y < LAT_MIN ? LAT_MIN : y;
}

/** A cell's lower edge on one axis: Redis's geohashDecode, `min + (i / 2^step) * scale`. */
const edgeMin = (i: number, div: number, min: number, scale: number): number => min + (i / div) * scale;
/** The same cell's upper edge (the index wraps at 2^32 as Redis's uint32 arithmetic does). */
const edgeMax = (i: number, div: number, min: number, scale: number): number => min + (((i + 1) >>> 0) / div) * scale;

/**
 * Decodes a member's score to [longitude, latitude] (the centre of its 26-step cell, clamped to
 * the valid ranges), writing into `out`. Redis's decodeGeohash; it always succeeds for step 26.
 * Scores GEOADD writes (below 2^53) split into words with exact Number arithmetic.
 */
export function decodeScore(score: number, out: number[]): void {
  scoreCells(score);
  out[0] = cellCentreLon(cellLon);
  out[1] = cellCentreLat(cellLat);
}

const GEOALPHABET = '0123456789bcdefghjkmnpqrstuvwxyz';

/** GEOHASH's 11-character string for a stored score (standard latitude range, last char '0'). */
export function geohashString(score: number): string {
  const xy = [0, 0];
  decodeScore(score, xy);
  // re-encoded over the standard ranges (-180..180, -90..90) at 26 steps: always in range
  const ilat = u32(((xy[1] - -90) / (90 - -90)) * 67108864);
  const ilon = u32(((xy[0] - -180) / (180 - -180)) * 67108864);
  const hi = interleaveHi(ilat, ilon);
  const lo = interleaveLo(ilat, ilon);
  let s = '';
  for (let i = 0; i < 10; i++) {
    const sh = 52 - (i + 1) * 5; // 47 down to 2: the 5 bits at sh of the 64-bit hi:lo
    const idx = sh >= 32 ? hi >>> (sh - 32) : sh > 27 ? (lo >>> sh) | (hi << (32 - sh)) : lo >>> sh;
    s += GEOALPHABET[idx & 0x1f];
  }
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

/** Radii above this skip the pre-filters: far from the antipodes asin stays well-conditioned. */
const FILTER_MAX_RADIUS = 1e6;

/**
 * Distances from one centre to many points, for a radius search. `within` returns exactly what
 * `geoDistance(centre, point)` returns when that is <= radius, and -1 otherwise; the centre's
 * trigonometry is computed once (the same values, so the same bits).
 *
 * Points that are provably too far are rejected before any trigonometry. Two lower bounds of the
 * true distance d, from the haversine identity hav(d/R) = hav(dLat) + cos(lat1)cos(lat2)hav(dLon):
 * d >= R*|dLat|, and, once |lat2| <= |lat1| + maxDLat, hav(d/R) >= cos(lat1)cos(|lat1|+maxDLat)
 * hav(dLon). Both thresholds carry a relative margin (1e-9) and an absolute one far above the
 * few-ulp error of the computed distance, so a rejected point would have been rejected anyway.
 */
export class RadiusProbe {
  private readonly lonR: number;
  private readonly latR: number;
  private readonly cosLat: number;
  private readonly radius: number;
  /** |dLat| (radians) above which a point is surely outside; Infinity disables the check */
  private readonly maxDLat: number;
  /** |dLon| (radians, <= pi) above which a point that passed the latitude check is outside */
  private readonly maxDLon: number;

  constructor(lon: number, lat: number, radiusMeters: number) {
    this.lonR = degRad(lon);
    this.latR = degRad(lat);
    this.cosLat = Math.cos(this.latR);
    this.radius = radiusMeters;
    this.maxDLat = Infinity;
    this.maxDLon = Infinity;
    if (!(radiusMeters <= FILTER_MAX_RADIUS)) return;
    const rho = (radiusMeters * (1 + 1e-9) + 1e-6) / EARTH_RADIUS_IN_METERS;
    this.maxDLat = rho;
    const farLat = Math.abs(this.latR) + rho;
    if (farLat >= Math.PI / 2 - 1e-6) return;
    const c = this.cosLat * Math.cos(farLat) * (1 - 1e-9);
    const s = Math.sin(rho / 2);
    const arg = (s * s) / c;
    if (!(c > 0) || arg >= 0.25) return; // keep asin well away from 1
    this.maxDLon = 2 * Math.asin(Math.sqrt(arg)) * (1 + 1e-9) + 1e-12;
  }

  /** Longitude and latitude of the last point withinScore accepted. */
  pointLon = 0;
  pointLat = 0;

  /**
   * within() of a stored score's point (decoded exactly as decodeScore does), which it leaves in
   * pointLon/pointLat when accepted. The latitude is decoded first: most rejected points never
   * need their longitude.
   */
  withinScore(score: number): number {
    scoreCells(score);
    const y = cellCentreLat(cellLat);
    const dLat = degRad(y) - this.latR;
    if (dLat > this.maxDLat || -dLat > this.maxDLat) return -1;
    const x = cellCentreLon(cellLon);
    const d = this.within(x, y);
    if (d >= 0) {
      this.pointLon = x;
      this.pointLat = y;
    }
    return d;
  }

  /** The point's distance when inside the radius, else -1. */
  within(lon: number, lat: number): number {
    const lat2r = degRad(lat);
    const lon2r = degRad(lon);
    const dLat = lat2r - this.latR;
    if (dLat > this.maxDLat || -dLat > this.maxDLat) return -1;
    const dLon = lon2r - this.lonR;
    if ((dLon > this.maxDLon && dLon <= Math.PI) || (-dLon > this.maxDLon && -dLon <= Math.PI)) return -1;
    const u = Math.sin(dLat / 2);
    const v = Math.sin(dLon / 2);
    const d = TWO_R * Math.asin(Math.sqrt(u * u + this.cosLat * Math.cos(lat2r) * v * v));
    return d > this.radius ? -1 : d;
  }
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

/**
 * The boxes a search visits, in Redis's order (centre, N, S, E, W, NE, NW, SE, SW), with the
 * useless ones zeroed and consecutive duplicates dropped: geohashCalculateAreasByShapeWGS84 plus
 * the walk of membersOfAllNeighbors. Each box is returned as the [min, max) score range it covers.
 *
 * A box is its latitude and longitude cell indexes. Redis's neighbour moves add or subtract one
 * on one axis of the interleaved bits with 64-bit wrap-around, then keep the low 2*step bits of
 * that axis: that is the index +-1 modulo 2^step, while the other axis is kept as it was (it may
 * be 2^step on the upper range edge). The score range is the interleaving shifted to 52 bits;
 * each bound is formed with one rounding, as Redis's uint64 -> double conversion does.
 */
export function searchRanges(s: GeoShape): { min: number; max: number }[] {
  const [minLon, minLat, maxLon, maxLat] = boundingBox(s);
  let radiusMeters = s.radius !== undefined ? s.radius : Math.sqrt((s.width! / 2) * (s.width! / 2) + (s.height! / 2) * (s.height! / 2));
  radiusMeters *= s.conversion;
  let steps = estimateSteps(radiusMeters, s.lat);

  encodeCell(s.lon, s.lat, steps);
  let div = POW2[steps];
  let mask = div - 1;
  let ilat = cellLat, ilon = cellLon;
  const decrease =
    edgeMax((ilat + 1) & mask, div, LAT_MIN, LAT_SCALE) < maxLat ||
    edgeMin((ilat - 1) & mask, div, LAT_MIN, LAT_SCALE) > minLat ||
    edgeMax((ilon + 1) & mask, div, -180, LONG_SCALE) < maxLon ||
    edgeMin((ilon - 1) & mask, div, -180, LONG_SCALE) > minLon;
  if (steps > 1 && decrease) {
    steps--;
    encodeCell(s.lon, s.lat, steps);
    div = POW2[steps];
    mask = div - 1;
    ilat = cellLat;
    ilon = cellLon;
  }
  const nLat = (ilat + 1) & mask, sLat = (ilat - 1) & mask;
  const eLon = (ilon + 1) & mask, wLon = (ilon - 1) & mask;
  // centre, N, S, E, W, NE, NW, SE, SW
  const lats = [ilat, nLat, sLat, ilat, ilat, nLat, nLat, sLat, sLat];
  const lons = [ilon, ilon, ilon, eLon, wLon, eLon, wLon, eLon, wLon];
  const zero = [false, false, false, false, false, false, false, false, false];
  if (steps >= 2) {
    if (edgeMin(ilat, div, LAT_MIN, LAT_SCALE) < minLat) zero[2] = zero[8] = zero[7] = true;
    if (edgeMax(ilat, div, LAT_MIN, LAT_SCALE) > maxLat) zero[1] = zero[5] = zero[6] = true;
    if (edgeMin(ilon, div, -180, LONG_SCALE) < minLon) zero[4] = zero[8] = zero[6] = true;
    if (edgeMax(ilon, div, -180, LONG_SCALE) > maxLon) zero[3] = zero[7] = zero[5] = true;
  }
  const scale = POW2[52 - steps * 2];
  const out: { min: number; max: number }[] = [];
  let last = -1;
  for (let i = 0; i < 9; i++) {
    if (zero[i]) continue;
    if (last >= 0 && lats[i] === lats[last] && lons[i] === lons[last]) continue;
    last = i;
    const hi = interleaveHi(lats[i], lons[i]) * TWO32;
    const lo = interleaveLo(lats[i], lons[i]);
    out.push({ min: (hi + lo) * scale, max: (hi + (lo + 1)) * scale });
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
