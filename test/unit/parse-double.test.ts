/*
 * The double parser behind ZADD scores, GEOADD coordinates, INCRBYFLOAT and friends: its fast path
 * (plainDecimal computes short decimals itself, Clinger's fast path) must give exactly the double
 * strtod gives, which for these forms is what Number() gives: checked bit for bit (-0 included)
 * on random decimal strings of every shape the fast path takes or hands on.
 */

import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { plainDecimal, parseDouble } from '../../src/commands/util';

const digit = fc.constantFrom(...'0123456789'.split(''));
const digits = (max: number) => fc.array(digit, { minLength: 0, maxLength: max }).map((a) => a.join(''));

/** sign, integer part, optional point and fraction: "-000123.4500", ".5", "7.", "+0" */
const decimal = fc
  .tuple(fc.constantFrom('', '-', '+'), digits(18), fc.boolean(), digits(24))
  .filter(([, int, point, frac]) => int.length + (point ? frac.length : 0) > 0)
  .map(([sign, int, point, frac]) => sign + int + (point ? '.' + frac : ''));

describe('plainDecimal / parseDouble', () => {
  it('equals Number() bit for bit on decimal strings', () => {
    fc.assert(
      fc.property(decimal, (s) => {
        const v = plainDecimal(s);
        if (s.length > 24) assert.equal(v, null);
        else assert.ok(Object.is(v, Number(s)), `${s}: ${v} vs ${Number(s)}`);
        assert.ok(Object.is(parseDouble(s), Number(s)), `parseDouble(${s})`);
      }),
      { numRuns: 20000 },
    );
  });

  it('is exact at the edges of the fast path', () => {
    const cases = [
      '13.000000012345', '000000012345', '-0', '-0.0', '+0', '5.', '.5', '0.1', '0.3', '-13.25',
      '123456789012345', '999999999999999', '1234567890123456', '9007199254740993', '0.0000000000000000000001',
      '3.141592653589793', '2.2250738585072014', '0001.1000', '4.35', '1.005', '8.5e1'.slice(0, 3),
    ];
    for (const s of cases) assert.ok(Object.is(plainDecimal(s), Number(s)), s);
  });

  it('leaves every other form to the full parser', () => {
    for (const s of ['', '.', '-', '+', '1e5', 'inf', '-inf', '0x10', ' 1', '1 ', '1.2.3', '--1', 'nan']) {
      assert.equal(plainDecimal(s), null, s);
    }
    assert.equal(parseDouble('1e5'), 100000);
    assert.equal(parseDouble('-inf'), -Infinity);
    assert.equal(parseDouble('nan'), null);
    assert.equal(parseDouble('1e400'), null);
  });
});
