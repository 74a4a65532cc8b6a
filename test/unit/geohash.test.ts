/*
 * The geohash arithmetic and formatting, against values redis-server 7.0.15 printed for the same
 * inputs (GEOADD scores, GEOPOS, GEOHASH, GEODIST, error texts), plus properties: encode/decode
 * round trips stay inside the cell, the exact printf matches a BigInt reference, and the partial
 * sort puts the right keys in the wanted positions.
 */

import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  geoScore, decodeScore, geohashString, geoDistance, formatFixed, formatHuman, formatDistance,
  estimateSteps, searchRanges, unitFactor, GEO_LAT_MAX, GEO_LAT_MIN,
} from '../../src/data/geohash';
import { partialSort, stableSort } from '../../src/commands/geo-sort';

const pos = (score: number): [string, string] => {
  const xy = [0, 0];
  decodeScore(score, xy);
  return [formatHuman(xy[0]), formatHuman(xy[1])];
};

describe('geohash encode/decode (oracle values)', () => {
  it('GEOADD scores', () => {
    assert.equal(geoScore(13.361389, 38.115556), 3479099956230698);
    assert.equal(geoScore(15.087269, 37.502669), 3479447370796909);
  });
  it('GEOPOS of stored points', () => {
    assert.deepEqual(pos(3479099956230698), ['13.36138933897018433', '38.11555639549629859']);
    assert.deepEqual(pos(3479447370796909), ['15.08726745843887329', '37.50266842333162032']);
  });
  it('scores no GEOADD writes decode as C casts them', () => {
    assert.deepEqual(pos(-1), ['180', '85.0511287799999991']);
    assert.deepEqual(pos(1e300), ['-179.99999731779098511', '-85.05112751263942528']);
    assert.deepEqual(pos(4503599627370495), ['179.99999731779098511', '85.05112751263942528']);
    assert.deepEqual(pos(4503599627370496), ['-179.99999731779098511', '85.0511287799999991']);
    assert.deepEqual(pos(1.5), ['-179.99999731779098511', '-85.05112497791824921']);
    assert.deepEqual(pos(0), ['-179.99999731779098511', '-85.05112751263942528']);
  });
  it('GEOHASH strings', () => {
    assert.equal(geohashString(3479099956230698), 'sqc8b49rny0');
    assert.equal(geohashString(-1), 'bp05b5048p0');
    assert.equal(geohashString(0), '00bh0hbj200');
    assert.equal(geohashString(4503599627370495), 'zzpgzgpfxz0');
    assert.equal(geohashString(1.5), '00bh0hbj210');
  });
  it('GEODIST Palermo-Catania', () => {
    const a = [0, 0];
    const b = [0, 0];
    decodeScore(3479099956230698, a);
    decodeScore(3479447370796909, b);
    assert.equal(formatDistance(geoDistance(a[0], a[1], b[0], b[1]) / 1000), '166.2742');
    assert.equal(formatDistance(geoDistance(a[0], a[1], b[0], b[1])), '166274.1516');
  });
  it('a decoded point stays inside its cell and re-encodes to the same score', () => {
    fc.assert(fc.property(fc.double({ min: -180, max: 180, noNaN: true }), fc.double({ min: GEO_LAT_MIN, max: GEO_LAT_MAX, noNaN: true }), (lon, lat) => {
      const s = geoScore(lon, lat);
      assert.ok(Number.isInteger(s) && s >= 0 && s < 2 ** 54);
      // at the top edges the offset rounds up to 2^26 and spills past 52 bits, as in Redis
      if (s >= 2 ** 52) return;
      const xy = [0, 0];
      decodeScore(s, xy);
      assert.ok(Math.abs(xy[0] - lon) <= 360 / 2 ** 26 && Math.abs(xy[1] - lat) <= 171 / 2 ** 26);
      assert.equal(geoScore(xy[0], xy[1]), s);
    }), { numRuns: 2000 });
  });
});

describe('units and steps', () => {
  it('units are case-insensitive and cut at NUL like strcasecmp', () => {
    assert.equal(unitFactor('KM'), 1000);
    assert.equal(unitFactor('mi'), 1609.34);
    assert.equal(unitFactor('Ft'), 0.3048);
    assert.equal(unitFactor('m\0junk'), 1);
    assert.equal(unitFactor('meters'), -1);
    assert.equal(unitFactor(''), -1);
  });
  it('step estimation', () => {
    assert.equal(estimateSteps(0, 0), 26);
    assert.equal(estimateSteps(Infinity, 0), 1);
    assert.equal(estimateSteps(1000, 0), 14);
    assert.equal(estimateSteps(1000, 70), 13);
    assert.equal(estimateSteps(1000, -85), 12);
  });
  it('search boxes cover the centre and are valid score ranges', () => {
    fc.assert(fc.property(fc.double({ min: -180, max: 180, noNaN: true }), fc.double({ min: GEO_LAT_MIN, max: GEO_LAT_MAX, noNaN: true }), fc.double({ min: 0, max: 2e7, noNaN: true }), (lon, lat, r) => {
      const boxes = searchRanges({ lon, lat, conversion: 1, radius: r });
      assert.ok(boxes.length >= 1 && boxes.length <= 9);
      const s = geoScore(lon, lat);
      assert.ok(s >= boxes[0].min && s < boxes[0].max);
    }), { numRuns: 500 });
  });
});

/** printf %.Nf by exact rational arithmetic, the slow obvious way. */
function refFixed(x: number, p: number): string {
  const neg = x < 0 || Object.is(x, -0);
  let a = Math.abs(x);
  let e = 0;
  while (!Number.isInteger(a)) { a *= 2; e++; }
  const num = BigInt(a) * 10n ** BigInt(p);
  const den = 1n << BigInt(e);
  let q = num / den;
  const r2 = (num % den) * 2n;
  if (r2 > den || (r2 === den && q % 2n === 1n)) q++;
  const d = q.toString().padStart(p + 1, '0');
  const s = p === 0 ? d : d.slice(0, d.length - p) + '.' + d.slice(d.length - p);
  return neg ? '-' + s : s;
}

describe('number formatting', () => {
  it('matches glibc on ties (round half to even) and specials', () => {
    assert.equal(formatFixed(0.03125, 4), '0.0312');
    assert.equal(formatFixed(0.09375, 4), '0.0938');
    assert.equal(formatFixed(2.5, 0), '2');
    assert.equal(formatFixed(-0, 6), '-0.000000');
    assert.equal(formatFixed(200, 6), '200.000000');
    assert.equal(formatFixed(-Infinity, 6), '-inf');
    assert.equal(formatHuman(-0), '0');
    assert.equal(formatHuman(180), '180');
    assert.equal(formatHuman(GEO_LAT_MAX), '85.0511287799999991');
  });
  it('equals an exact reference on random doubles', () => {
    fc.assert(fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.constantFrom(0, 4, 6, 17), (x, p) => {
      assert.equal(formatFixed(x, p), refFixed(x, p));
    }), { numRuns: 3000 });
  });
});

describe('result ordering', () => {
  it('the partial sort places the k smallest keys first, in order', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 300 }), fc.nat(), (xs, k0) => {
      const k = (k0 % xs.length) + 1;
      const items = xs.map((v, i) => ({ v, i }));
      const cmp = (a: { v: number }, b: { v: number }) => (a.v > b.v ? 1 : a.v === b.v ? 0 : -1);
      partialSort(items, cmp, 0, k - 1);
      const sorted = [...xs].sort((a, b) => a - b);
      assert.deepEqual(items.slice(0, k).map((x) => x.v), sorted.slice(0, k));
      assert.deepEqual(items.map((x) => x.i).sort((a, b) => a - b), xs.map((_, i) => i));
    }), { numRuns: 500 });
  });
  it('the full sort is stable', () => {
    const items = [3, 1, 3, 1, 2].map((v, i) => ({ v, i }));
    stableSort(items, (a, b) => a.v - b.v);
    assert.deepEqual(items.map((x) => x.i), [1, 3, 4, 0, 2]);
  });
});
