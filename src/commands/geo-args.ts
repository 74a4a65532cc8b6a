/*
 * Argument parsing shared by the geo commands, with Redis's exact rules and error texts.
 *
 * Redis compares option names and units with strcasecmp on C strings, so an argument is only
 * considered up to its first NUL byte; geoArg/unitFactor reproduce that. Doubles follow
 * getDoubleFromObject (strtod over the whole argument, out-of-range values refused).
 */

import type { Ctx } from './context';
import { ERR, parseDouble } from './util';
import { unitFactor, validLonLat, formatFixed, type GeoShape } from '../data/geohash';

/** An option argument as strcasecmp sees it: ASCII lower-cased, cut at the first NUL. */
export function geoArg(s: string): string {
  const nul = s.indexOf('\0');
  return (nul >= 0 ? s.slice(0, nul) : s).toLowerCase();
}

const INF_LITERAL = /^[+-]?inf(inity)?$/i;

/**
 * getDoubleFromObject: a double that strtod reads completely, NaN refused, and, as strtod's
 * ERANGE makes Redis do, overflow to infinity or underflow to zero refused.
 */
export function parseGeoDouble(s: string): number | null {
  const v = parseDouble(s);
  if (v === null) return null;
  if ((v === Infinity || v === -Infinity) && !INF_LITERAL.test(s)) return null;
  if (v === 0 && /^[+-]?(0[xX])?[0-9a-fA-F.]*[1-9a-fA-F]/.test(s.replace(/[eEpP].*$/, ''))) return null;
  return v;
}

/** Reads longitude and latitude at argv[i], argv[i+1] into the shape, or replies an error. */
export function extractLonLat(ctx: Ctx, i: number, shape: GeoShape | null, out?: number[]): boolean {
  const lon = parseGeoDouble(ctx.argv[i]);
  const lat = lon === null ? null : parseGeoDouble(ctx.argv[i + 1]);
  if (lon === null || lat === null) {
    ctx.reply.error(ERR.NOT_FLOAT);
    return false;
  }
  if (!validLonLat(lon, lat)) {
    ctx.reply.error(`ERR invalid longitude,latitude pair ${formatFixed(lon, 6)},${formatFixed(lat, 6)}`);
    return false;
  }
  if (shape !== null) {
    shape.lon = lon;
    shape.lat = lat;
  }
  if (out !== undefined) {
    out[0] = lon;
    out[1] = lat;
  }
  return true;
}

/** Meters per unit, or -1 after replying Redis's error. */
export function extractUnit(ctx: Ctx, s: string): number {
  const f = unitFactor(s);
  if (f < 0) ctx.reply.error('ERR unsupported unit provided. please use M, KM, FT, MI');
  return f;
}
