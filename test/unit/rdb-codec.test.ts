/*
 * The RDB codec in isolation: known vectors (CRC-64, payloads taken from redis-server 7.0.15),
 * property-based round trips of every type and encoding, the old encodings Redis 7.0 still loads
 * (ziplist, zipmap, intset, quicklist of ziplists, linked lists, string-scored zsets), file
 * framing, and refusal of malformed input with RdbError only.
 */

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { crc64 } from '../../src/persistence/rdb/crc64';
import { lzfCompress, lzfDecompress } from '../../src/persistence/rdb/lzf';
import { RdbError } from '../../src/persistence/rdb/errors';
import { ByteWriter } from '../../src/persistence/rdb/writer';
import { ByteReader } from '../../src/persistence/rdb/reader';
import { buildListpack, readListpack } from '../../src/persistence/rdb/listpack';
import { dumpPayload, RdbEncoder } from '../../src/persistence/rdb/encode';
import { parseDumpPayload, loadRdb, type RdbSink } from '../../src/persistence/rdb/decode';
import { RObj, stringEncoding } from '../../src/data/keyspace';
import { Quicklist } from '../../src/data/quicklist';
import { ZSet, encodingFor } from '../../src/data/zset';
import { ScanMap } from '../../src/data/scanmap';
import { newSetFor, setAdd, setMembers } from '../../src/data/settype';
import { newHash, hashSet } from '../../src/data/hashtype';

const latin1 = (maxLength = 80) => fc.uint8Array({ maxLength }).map((b) => Buffer.from(b).toString('latin1'));
const intish = fc.oneof(
  fc.integer({ min: -5000, max: 5000 }).map(String),
  fc.constantFrom('0', '127', '128', '-4096', '4095', '-4097', '4096', '32767', '-32768', '32768', '8388607', '-8388608', '8388608',
    '2147483647', '-2147483648', '2147483648', '9223372036854775807', '-9223372036854775808', '9223372036854775808', '-0', '007', '+1', ' 1'),
);
const elem = fc.oneof(latin1(), intish, latin1(300));
const opts = { deepSanitize: true, now: 1_700_000_000_000 };

function roundTrip(o: RObj, compress = true): RObj {
  return parseDumpPayload(dumpPayload(o, compress), opts);
}

function sealed(body: string): Buffer {
  const b = Buffer.from(body + '\x0a\x00', 'latin1');
  const out = Buffer.alloc(b.length + 8);
  b.copy(out);
  out.writeBigUInt64LE(crc64(0n, b), b.length);
  return out;
}

describe('rdb codec: primitives', () => {
  it('crc64 is Redis\'s (Jones, reflected): check value of "123456789"', () => {
    assert.equal(crc64(0n, Buffer.from('123456789')), 0xe9c6d914c4b8d9can);
    // incremental use gives the same value
    assert.equal(crc64(crc64(0n, Buffer.from('1234')), Buffer.from('56789')), 0xe9c6d914c4b8d9can);
  });

  it('LZF output equals redis-server\'s for known strings', () => {
    // DUMP replies of redis-server 7.0.15 for SET k <21 x 'a'> and SET k <"The quick brown fox jumps over the lazy dog. " x 3>
    const a21 = dumpPayload(new RObj('string', 'a'.repeat(21), 'embstr', 0), true);
    assert.equal(a21.toString('hex'), '00c30615016161e00a000a00fd0cb36807413f68');
    const fox = 'The quick brown fox jumps over the lazy dog. '.repeat(3);
    assert.equal(
      dumpPayload(new RObj('string', fox, 'raw', 0), true).toString('hex'),
      '00c33740871f54686520717569636b2062726f776e20666f78206a756d7073206f7665722074201e0a6c617a7920646f672e2054200de04b2c012e200a00eb396db124addced',
    );
    assert.equal(parseDumpPayload(Buffer.from('00c30615016161e00a000a00fd0cb36807413f68', 'hex'), opts).value, 'a'.repeat(21));
    const lzf = lzfCompress(Buffer.from('a'.repeat(100)), 96);
    assert.ok(lzf !== null);
    assert.equal(lzfDecompress(lzf, 0, lzf.length, 100).toString(), 'a'.repeat(100));
  });

  it('LZF round-trips any input it compresses, and refuses malformed streams', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 2000 }), fc.nat(3), (b, rep) => {
        const input = Buffer.concat(Array.from({ length: rep + 1 }, () => Buffer.from(b)));
        const c = lzfCompress(input, input.length + 64);
        if (c === null) return;
        assert.deepEqual(lzfDecompress(c, 0, c.length, input.length), input);
      }),
    );
    assert.throws(() => lzfDecompress(Buffer.from([0x20, 0x00]), 0, 2, 5), RdbError); // reference before start
    assert.throws(() => lzfDecompress(Buffer.from([0x05, 0x61]), 0, 2, 6), RdbError); // truncated literal
    assert.throws(() => lzfDecompress(Buffer.from([0x00, 0x61]), 0, 2, 2), RdbError); // short output
  });

  it('lengths and strings round-trip in every encoding', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.nat(), fc.constantFrom(63, 64, 16383, 16384, 2 ** 32 - 1, 2 ** 32, 2 ** 40))), fc.array(elem), (lens, strs) => {
        const w = new ByteWriter(8);
        for (const n of lens) w.len(n);
        for (const s of strs) w.string(s, true);
        const r = new ByteReader(w.view());
        for (const n of lens) assert.equal(r.len(), n);
        for (const s of strs) assert.equal(r.string(), s);
        assert.equal(r.remaining, 0);
      }),
    );
  });

  it('integer strings use the 8/16/32-bit encodings only when they round-trip', () => {
    const enc = (s: string) => {
      const w = new ByteWriter();
      w.string(s, false);
      return w.view().toString('hex');
    };
    assert.equal(enc('-128'), 'c080');
    assert.equal(enc('128'), 'c18000');
    assert.equal(enc('-2147483648'), 'c200000080');
    assert.equal(enc('2147483648'), '0a32313437343833363438');
    assert.equal(enc('007'), '03303037');
    assert.equal(enc('-0'), '022d30');
  });

  it('listpacks: integer entries at every width boundary and strings of every length class', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(elem, latin1(5000)), { maxLength: 40 }), (items) => {
        assert.deepEqual(readListpack(buildListpack(items)), items.map((s) => s));
      }),
    );
    const lp = buildListpack(['a', '1']);
    for (let cut = 0; cut < lp.length; cut++) assert.throws(() => readListpack(lp.subarray(0, cut)), RdbError);
  });
});

function zsetOf(pairs: Array<[string, number]>): RObj {
  const z = new ZSet();
  let max = 0;
  for (const [m, s] of pairs) {
    z.set(m, s);
    max = Math.max(max, m.length);
  }
  return new RObj('zset', z, encodingFor(z.size, max), 0);
}

describe('rdb codec: values round-trip through DUMP payloads', () => {
  it('strings of any bytes, with and without compression', () => {
    fc.assert(
      fc.property(fc.oneof(elem, latin1(3000)), fc.boolean(), (s, compress) => {
        const back = roundTrip(new RObj('string', s, stringEncoding(s), 0), compress);
        assert.equal(back.value, s);
        assert.equal(back.enc, stringEncoding(s));
      }),
    );
  });

  it('lists of any length (several quicklist nodes), order kept', () => {
    fc.assert(
      fc.property(fc.array(elem, { minLength: 1, maxLength: 400 }), (items) => {
        const back = roundTrip(new RObj('list', Quicklist.from(items), 'quicklist', 0));
        assert.deepEqual((back.value as Quicklist).toArray(), items);
        assert.equal(back.enc, 'quicklist');
      }),
    );
  });

  it('hashes in both encodings', () => {
    fc.assert(
      fc.property(fc.uniqueArray(elem, { minLength: 1, maxLength: 700 }), (fields) => {
        const o = newHash(0);
        for (const f of fields) hashSet(o, f, f + ':v');
        const back = roundTrip(o);
        assert.equal(back.enc, o.enc);
        assert.deepEqual([...(back.value as Map<string, string>).entries()].sort(), [...(o.value as Map<string, string>).entries()].sort());
      }),
    );
  });

  it('sets in both encodings, intsets of every width', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.oneof(intish, elem), { minLength: 1, maxLength: 700 }), (members) => {
        const o = newSetFor(members[0], 0);
        for (const m of members) setAdd(o, m);
        const back = roundTrip(o);
        assert.equal(back.enc, o.enc);
        assert.deepEqual(setMembers(back).sort(), setMembers(o).sort());
      }),
    );
  });

  it('sorted sets in both encodings, with inf/-inf, -0 and extreme scores', () => {
    const score = fc.oneof(fc.double({ noNaN: true }), fc.constantFrom(Infinity, -Infinity, -0, 0, 1e300, 5e-324, 4503599627370496, 0.1));
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(elem, score), { minLength: 1, maxLength: 300, selector: (t) => t[0] }), (pairs) => {
        const o = zsetOf(pairs);
        const back = roundTrip(o);
        assert.equal(back.enc, o.enc);
        assert.deepEqual([...(back.value as ZSet).entries()], [...(o.value as ZSet).entries()]);
      }),
    );
  });

  it('a big string (1 MB) and a big list survive', () => {
    const s = 'x'.repeat(1 << 20) + 'tail';
    assert.equal(roundTrip(new RObj('string', s, 'raw', 0)).value, s);
    const items = Array.from({ length: 50000 }, (_, i) => 'v' + i);
    assert.equal((roundTrip(new RObj('list', Quicklist.from(items), 'quicklist', 0)).value as Quicklist).length, 50000);
  });
});

/** A test-only ziplist builder (strings as 6/14-bit strings, small integers as immediates). */
function ziplist(items: string[]): Buffer {
  const entries: Buffer[] = [];
  let prev = 0;
  for (const s of items) {
    const n = Number(s);
    let body: Buffer;
    if (/^(0|[1-9][0-9]?)$/.test(s) && n <= 12) body = Buffer.from([0xf1 + n]);
    else if (/^-?[1-9][0-9]*$/.test(s) && n >= -32768 && n <= 32767) {
      body = Buffer.alloc(3);
      body[0] = 0xc0;
      body.writeInt16LE(n, 1);
    } else if (s.length < 64) body = Buffer.concat([Buffer.from([s.length]), Buffer.from(s, 'latin1')]);
    else body = Buffer.concat([Buffer.from([0x40 | (s.length >> 8), s.length & 0xff]), Buffer.from(s, 'latin1')]);
    const pl = prev < 254 ? Buffer.from([prev]) : Buffer.from([0xfe, prev & 0xff, (prev >> 8) & 0xff, (prev >> 16) & 0xff, prev >>> 24]);
    const e = Buffer.concat([pl, body]);
    entries.push(e);
    prev = e.length;
  }
  const body = Buffer.concat(entries);
  const hdr = Buffer.alloc(10);
  hdr.writeUInt32LE(10 + body.length + 1, 0);
  hdr.writeUInt32LE(entries.length ? 10 + body.length - prev : 10, 4);
  hdr.writeUInt16LE(entries.length, 8);
  return Buffer.concat([hdr, body, Buffer.from([0xff])]);
}

function str(s: string | Buffer): string {
  const b = typeof s === 'string' ? Buffer.from(s, 'latin1') : s;
  const w = new ByteWriter();
  w.blob(b, false);
  return w.view().toString('latin1');
}

describe('rdb codec: encodings Redis 7.0 still loads', () => {
  it('ziplist lists, hashes and zsets; quicklist v1; linked lists; string-scored zsets', () => {
    const zl = ziplist(['a', '5', '-300', 'b'.repeat(70)]);
    assert.deepEqual((parseDumpPayload(sealed('\x0a' + str(zl)), opts).value as Quicklist).toArray(), ['a', '5', '-300', 'b'.repeat(70)]);
    assert.deepEqual((parseDumpPayload(sealed('\x0e\x02' + str(zl) + str(ziplist(['z']))), opts).value as Quicklist).toArray(), ['a', '5', '-300', 'b'.repeat(70), 'z']);
    const h = parseDumpPayload(sealed('\x0d' + str(ziplist(['f', 'v', 'g', '7']))), opts);
    assert.equal(h.enc, 'listpack');
    assert.deepEqual([...(h.value as Map<string, string>)], [['f', 'v'], ['g', '7']]);
    const z = parseDumpPayload(sealed('\x0c' + str(ziplist(['m', '2', 'n', '1.5']))), opts);
    assert.deepEqual([...(z.value as ZSet).entries()], [['n', 1.5], ['m', 2]]);
    const l = parseDumpPayload(sealed('\x01\x02' + str('x') + str('y')), opts);
    assert.deepEqual((l.value as Quicklist).toArray(), ['x', 'y']);
    const z3 = parseDumpPayload(sealed('\x03\x03' + str('a') + '\x031.5' + str('b') + '\xfe' + str('c') + '\xff'), opts);
    assert.deepEqual([...(z3.value as ZSet).entries()], [['c', -Infinity], ['a', 1.5], ['b', Infinity]]);
    assert.throws(() => parseDumpPayload(sealed('\x03\x01' + str('a') + '\xfd'), opts), /Bad data format/); // NaN
    assert.throws(() => parseDumpPayload(sealed('\x0c' + str(ziplist(['m', '2', 'm', '3']))), opts), /Bad data format/); // duplicate
  });

  it('zipmap hashes and intsets', () => {
    const zm = Buffer.concat([Buffer.from([2]), Buffer.from('\x01a\x02\x00xy\x01b\x01\x02z\x00\x00\xff', 'latin1')]);
    const h = parseDumpPayload(sealed('\x09' + str(zm)), opts);
    assert.deepEqual([...(h.value as Map<string, string>)], [['a', 'xy'], ['b', 'z']]);
    const is = Buffer.alloc(8 + 6);
    is.writeUInt32LE(2, 0);
    is.writeUInt32LE(3, 4);
    [-5, 3, 700].forEach((v, i) => is.writeInt16LE(v, 8 + 2 * i));
    const s = parseDumpPayload(sealed('\x0b' + str(is)), opts);
    assert.deepEqual(setMembers(s), ['-5', '3', '700']);
    is.writeInt16LE(-5, 10); // duplicate -5: not strictly ascending
    assert.throws(() => parseDumpPayload(sealed('\x0b' + str(is)), opts), /Bad data format/);
  });

  it('types Redoubt cannot hold are named, never skipped', () => {
    const sink: RdbSink = { aux() {}, selectDb() {}, entry() {} };
    const file = (body: string) => Buffer.from('REDIS0010' + body + '\xff' + '\x00'.repeat(8), 'latin1');
    assert.throws(() => loadRdb(file('\x13' + str('k')), sink, { checksum: true, deepSanitize: true, now: 0 }), /stream values \(RDB type 19\) are not supported by Redoubt/);
    assert.throws(() => loadRdb(file('\x07' + str('k')), sink, { checksum: true, deepSanitize: true, now: 0 }), /module values \(RDB type 7\)/);
    assert.throws(() => loadRdb(file('\xf7'), sink, { checksum: true, deepSanitize: true, now: 0 }), /opcode 247/);
    assert.throws(() => loadRdb(file('\xf6' + str('#!lua name=x')), sink, { checksum: true, deepSanitize: true, now: 0 }), /opcode 246/);
  });
});

describe('rdb codec: file framing', () => {
  it('header, AUX, SELECTDB/RESIZEDB, expiries, IDLE/FREQ, EOF and checksum round-trip', () => {
    for (const checksum of [true, false]) {
      const enc = new RdbEncoder({ compress: true, checksum });
      enc.header([['redis-ver', '7.0.15'], ['redis-bits', '64']]);
      enc.selectDb(0, 2, 1);
      enc.entry('a', new RObj('string', 'hello', 'embstr', 0), 1_800_000_000_000);
      const parts = enc.take();
      enc.entry('b', new RObj('list', Quicklist.from(['x', 'y']), 'quicklist', 0), undefined, 100);
      enc.selectDb(5);
      enc.entry('c', new RObj('string', '12', 'int', 0), 2n ** 62n, undefined, 7);
      enc.footer();
      const file = Buffer.concat([...parts, ...enc.take(), Buffer.from('trailing AOF')]);
      const seen: string[] = [];
      let db = -1;
      const res = loadRdb(file, {
        aux: (k, v) => seen.push(`aux ${k}=${v}`),
        selectDb: (d) => (db = d),
        resizeDb: (s, e) => seen.push(`resize ${s} ${e}`),
        entry: (k, o, exp, idle, freq) => seen.push(`${db} ${k} ${o.type} ${exp} ${idle} ${freq}`),
      }, { checksum: true, deepSanitize: true, now: 1_000_000 });
      assert.equal(res.end, file.length - 'trailing AOF'.length);
      assert.deepEqual(seen, ['aux redis-ver=7.0.15', 'aux redis-bits=64', 'resize 2 1', '0 a string 1800000000000 undefined undefined', '0 b list undefined 100 undefined', `5 c string ${2n ** 62n} undefined 7`]);
      // a checksum of zero is "not computed"; otherwise a flipped byte is caught
      const bad = Buffer.from(file);
      bad[12] ^= 1;
      if (checksum) assert.throws(() => loadRdb(bad, { aux() {}, selectDb() {}, entry() {} }, { checksum: true, deepSanitize: true, now: 0 }), /checksum/);
    }
  });

  it('every truncation of a file is an RdbError', () => {
    const enc = new RdbEncoder({ compress: false, checksum: true });
    enc.header([['x', 'y']]);
    enc.selectDb(0, 1, 0);
    enc.entry('k', zsetOf([['a', 1], ['b', 2]]));
    enc.footer();
    const file = Buffer.concat(enc.take());
    for (let cut = 0; cut < file.length; cut++) {
      assert.throws(() => loadRdb(file.subarray(0, cut), { aux() {}, selectDb() {}, entry() {} }, { checksum: true, deepSanitize: true, now: 0 }), RdbError);
    }
  });

  it('random bytes after a valid footer never escape as anything but RdbError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
        try {
          parseDumpPayload(sealed(Buffer.from(b).toString('latin1')), opts);
        } catch (e) {
          assert.ok(e instanceof RdbError, String(e));
        }
      }),
      { numRuns: 3000 },
    );
  });
});

// Keep the ScanMap import used: hashtable hashes are ScanMaps.
void ScanMap;
