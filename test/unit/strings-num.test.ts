/*
 * The number model behind INCR and INCRBYFLOAT. Expected values are what redis-server 7.0.15
 * answers on x86-64 (80-bit long double), so a failure here is a byte difference on the wire.
 */

import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { addInt64, formatLongDoubleHuman, ldAdd, ldFromInteger, parseInt64, parseLongDouble, type LDouble } from '../../src/data/strnum';

/** Replays INCRBYFLOAT: starting from "0" (missing key), adds each increment, returns each reply. */
function incrbyfloat(incrs: string[], start = '0'): string[] {
  let cur = start;
  const out: string[] = [];
  for (const inc of incrs) {
    const a = parseLongDouble(cur);
    const b = parseLongDouble(inc);
    if (a === null || b === null) { out.push('ERR float'); continue; }
    if (typeof a === 'string' || typeof b === 'string') { out.push('ERR naninf'); continue; }
    const s = ldAdd(a, b);
    if (s === null) { out.push('ERR naninf'); continue; }
    cur = formatLongDoubleHuman(s);
    out.push(cur);
  }
  return out;
}

describe('long double emulation (INCRBYFLOAT)', () => {
  it('accumulates like x87 extended precision', () => {
    assert.deepEqual(
      incrbyfloat(['10.5', '0.1', '-10.6', '3.0e3', '1e3', '1E-3', '.5', '5.', '+1.25', '-0.0', '0x10', '0x1.8p1', '-4000', '-6.75']),
      ['10.5', '10.6', '0', '3000', '4000', '4000.00099999999999989', '4000.50099999999999989', '4005.50099999999999989',
        '4006.75099999999999989', '4006.75099999999999989', '4022.75099999999999989', '4025.75099999999999989',
        '25.75099999999999989', '19.00099999999999989'],
    );
    assert.deepEqual(incrbyfloat(['1.1', '2.2', '3.3']), ['1.1', '3.3', '6.6']);
    assert.deepEqual(incrbyfloat(['0.1', '0.2', '-0.3']), ['0.1', '0.3', '0']);
  });

  it('prints with %.17Lf and trims zeros', () => {
    assert.deepEqual(incrbyfloat(['1e-17']), ['0.00000000000000001']);
    assert.deepEqual(incrbyfloat(['5e-18']), ['0']);
    assert.deepEqual(incrbyfloat(['1.5e-17']), ['0.00000000000000002']);
    assert.deepEqual(incrbyfloat(['-1e-20']), ['0']);
    assert.deepEqual(incrbyfloat(['3.14159265358979323846264338327950288']), ['3.14159265358979324']);
    assert.deepEqual(incrbyfloat(['123456789012345678901234567890']), ['123456789012345678899921813504']);
    const big = incrbyfloat(['1e400'])[0];
    assert.equal(big.slice(0, 100), '1000000000000000000028188068394758651458645343362905203862591069353968553400862986203936399484832416');
    assert.equal(big.length, 401);
    assert.deepEqual(incrbyfloat(['1e-4940']), ['0']);
  });

  it('refuses what string2ld refuses', () => {
    for (const s of ['', ' 1', '1 ', '\t1', 'abc', '1e', '.', '0x', 'nan', '-nan', '1e5000', '1e-5000', '1'.repeat(5120), '--1', '1..2'])
      assert.equal(parseLongDouble(s), null, JSON.stringify(s));
    assert.equal(parseLongDouble('inf'), 'inf');
    assert.equal(parseLongDouble('-Infinity'), '-inf');
    // Redis checks that strtold consumed every byte, so a NUL anywhere refuses the value
    assert.equal(parseLongDouble('1\x00abc'), null);
    assert.equal(parseLongDouble('\x00'), null);
  });

  it('holds 64-bit integers exactly', () => {
    assert.equal(formatLongDoubleHuman(ldFromInteger(9223372036854775807n)), '9223372036854775807');
    assert.equal(formatLongDoubleHuman(ldFromInteger(-9223372036854775808n)), '-9223372036854775808');
    const r = ldAdd(ldFromInteger(9223372036854775807n), parseLongDouble('1') as LDouble)!;
    assert.equal(formatLongDoubleHuman(r), '9223372036854775808');
  });
});

describe('64-bit integers (INCR family)', () => {
  it('parses like string2ll', () => {
    assert.equal(parseInt64('0'), 0);
    assert.equal(parseInt64('-1'), -1);
    assert.equal(parseInt64('123456789012345'), 123456789012345);
    assert.equal(parseInt64('9223372036854775807'), 9223372036854775807n);
    assert.equal(parseInt64('-9223372036854775808'), -9223372036854775808n);
    for (const s of ['', '-', '+1', ' 1', '1 ', '01', '-0', '1.0', '9223372036854775808', '-9223372036854775809', '1e3', '12345678901234567890'])
      assert.equal(parseInt64(s), null, s);
  });

  it('adds with overflow detection and stays on numbers when it can', () => {
    assert.equal(addInt64(1, 2), 3);
    assert.equal(addInt64(9007199254740991, 1), 9007199254740992n);
    assert.equal(addInt64(9007199254740992n, -1), 9007199254740991);
    assert.equal(addInt64(9223372036854775807n, 1), null);
    assert.equal(addInt64(-9223372036854775808n, -1), null);
    assert.equal(addInt64(9223372036854775807n, -9223372036854775808n), -1);
  });
});
