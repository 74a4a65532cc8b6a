/*
 * DUMP and RESTORE against redis-server 7.0.15.
 *
 * 1. Byte-for-byte DUMP payloads where Redis's bytes are deterministic: strings (raw, int-encoded,
 *    LZF), listpack hashes and zsets, intsets, lists built by tail pushes (including lists spanning
 *    several quicklist nodes, under byte and count limits), and every RESTORE error reply.
 * 2. Payloads crossing over: every type and encoding DUMPed by Redis is RESTOREd into Redoubt (and
 *    the other way round) and the values read back are compared, including the encoding the loader
 *    chose.
 * 3. A fuzz: valid payloads are mutated (bytes flipped, truncated, lengths forged) and re-sealed
 *    with a correct CRC so they reach the parser; every RESTORE must answer an error or create a
 *    key whose value then reads back without error, and the server stays up.
 */

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { diffSuite } from './harness';
import { bothServers } from '../support/servers';
import { readReply, encodeCommand, type RespValue } from '../support/resp';
import { crc64 } from '../../src/persistence/rdb/crc64';

const big = (n: number, seed: string) => seed.repeat(Math.ceil(n / seed.length)).slice(0, n);
const bin = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join('');

diffSuite('dump payloads', [
  {
    name: 'strings: raw, integers at the encoding boundaries, LZF',
    steps: [
      ['SET', 's1', 'hello'], ['DUMP', 's1'],
      ['SET', 's2', '0'], ['DUMP', 's2'],
      ['SET', 's3', '-128'], ['DUMP', 's3'], ['SET', 's3', '127'], ['DUMP', 's3'], ['SET', 's3', '128'], ['DUMP', 's3'],
      ['SET', 's4', '-32768'], ['DUMP', 's4'], ['SET', 's4', '32768'], ['DUMP', 's4'],
      ['SET', 's5', '2147483647'], ['DUMP', 's5'], ['SET', 's5', '-2147483648'], ['DUMP', 's5'], ['SET', 's5', '2147483648'], ['DUMP', 's5'],
      ['SET', 's6', '9223372036854775807'], ['DUMP', 's6'], ['SET', 's6', '-9223372036854775808'], ['DUMP', 's6'],
      ['SET', 's7', '007'], ['DUMP', 's7'], ['SET', 's7', '-0'], ['DUMP', 's7'], ['SET', 's7', ''], ['DUMP', 's7'],
      ['SET', 's8', big(21, 'a')], ['DUMP', 's8'], ['SET', 's8', big(20, 'a')], ['DUMP', 's8'],
      ['SET', 's9', big(5000, 'abcdefgh')], ['DUMP', 's9'],
      ['SET', 's10', bin], ['DUMP', 's10'], ['SET', 's10', bin + bin + bin], ['DUMP', 's10'],
      ['APPEND', 's11', '12'], ['DUMP', 's11'],
      ['DUMP', 'nosuchkey'],
    ],
  },
  {
    name: 'strings with rdbcompression off',
    steps: [['CONFIG', 'SET', 'rdbcompression', 'no'], ['SET', 's', big(200, 'xy')], ['DUMP', 's'], ['CONFIG', 'SET', 'rdbcompression', 'yes'], ['DUMP', 's']],
  },
  {
    name: 'hash listpack and hashtable sizes; set intset widths; zset listpack',
    steps: [
      ['HSET', 'h', 'f1', 'v1', 'f2', '12', 'f3', '-5000', 'f4', '70000', 'f5', '9000000000', 'num', '127', 'neg', '-1', 'x', big(63, 'q'), 'y', big(64, 'r')], ['DUMP', 'h'],
      ['HDEL', 'h', 'f2'], ['HSET', 'h', 'f1', 'changed'], ['DUMP', 'h'],
      ['SADD', 'i16', '1', '2', '3', '-32768', '32767'], ['DUMP', 'i16'],
      ['SADD', 'i32', '1', '40000', '-2147483648'], ['DUMP', 'i32'],
      ['SADD', 'i64', '5', '9223372036854775807', '-9223372036854775808'], ['DUMP', 'i64'],
      ['ZADD', 'z', '1', 'a', '2.5', 'b', '-3', 'c', 'inf', 'd', '-inf', 'e', '0', 'f', '1e300', 'g', '0.1', 'h', '4503599627370496', 'i', '-0', 'j'], ['DUMP', 'z'],
      ['ZADD', 'z2', '100', '12', '3', '9999999999', '7', 'x'], ['DUMP', 'z2'],
    ],
  },
  {
    name: 'lists pushed on the tail: one node, several nodes (size and count limits)',
    steps: [
      ['RPUSH', 'l1', 'a', '1', '-200', '5000', 'b', '', bin], ['DUMP', 'l1'],
      ['RPUSH', 'l2', ...Array.from({ length: 1500 }, (_, i) => 'element-' + i)], ['DUMP', 'l2'],
      ['RPUSH', 'l3', ...Array.from({ length: 40 }, (_, i) => big(300 + i * 37, 'value' + i))], ['DUMP', 'l3'],
      ['RPUSH', 'l4', ...Array.from({ length: 3000 }, (_, i) => String(i * 7919))], ['DUMP', 'l4'],
      ['CONFIG', 'SET', 'list-max-listpack-size', '5'],
      ['RPUSH', 'l5', ...Array.from({ length: 23 }, (_, i) => 'e' + i)], ['DUMP', 'l5'],
      ['CONFIG', 'SET', 'list-max-listpack-size', '-1'],
      ['RPUSH', 'l6', ...Array.from({ length: 800 }, (_, i) => 'item:' + i)], ['DUMP', 'l6'],
      ['CONFIG', 'SET', 'list-max-listpack-size', '-2'],
      ['CONFIG', 'SET', 'list-compress-depth', '1'],
      ['RPUSH', 'l7', ...Array.from({ length: 3000 }, (_, i) => 'compressible-' + (i % 50))], ['DUMP', 'l7'],
      ['CONFIG', 'SET', 'list-compress-depth', '2'],
      ['RPUSH', 'l8', ...Array.from({ length: 5000 }, (_, i) => 'node-' + (i % 70))], ['DUMP', 'l8'],
      ['CONFIG', 'SET', 'list-compress-depth', '0'],
    ],
  },
  {
    name: 'RESTORE errors and options',
    steps: [
      ['SET', 'src', 'value'],
      ['RESTORE', 'k', '0', 'garbage'],
      ['RESTORE', 'k', '0', ''],
      ['RESTORE', 'k', '-1', 'x'],
      ['RESTORE', 'k', 'abc', 'x'],
      ['RESTORE', 'src', '0', 'x'],
      ['RESTORE', 'k', '0', 'x', 'BADOPT'],
      ['RESTORE', 'k', '0', 'x', 'IDLETIME'],
      ['RESTORE', 'k', '0', 'x', 'IDLETIME', '-1'],
      ['RESTORE', 'k', '0', 'x', 'IDLETIME', 'z'],
      ['RESTORE', 'k', '0', 'x', 'FREQ', '256'],
      ['RESTORE', 'k', '0', 'x', 'FREQ', '-1'],
      ['RESTORE', 'k', '0', 'x', 'FREQ', '1', 'IDLETIME', '1'],
      ['RESTORE', 'k', '0', 'x', 'IDLETIME', '1', 'FREQ', '1'],
      ['RESTORE', 'k'],
      // a valid string payload ("hello"), then a future RDB version, then a bad checksum
      ['RESTORE', 'k', '0', '\x00\x05hello\x0a\x00' + crcOf('\x00\x05hello\x0a\x00')],
      ['GET', 'k'],
      ['RESTORE', 'k', '0', '\x00\x05hello\x0a\x00' + crcOf('\x00\x05hello\x0a\x00')],
      ['RESTORE', 'k', '0', '\x00\x05hello\x0a\x00' + crcOf('\x00\x05hello\x0a\x00'), 'REPLACE', 'IDLETIME', '1000'],
      ['OBJECT', 'IDLETIME', 'k'],
      ['RESTORE', 'k2', '0', '\x00\x05hello\x0b\x00' + crcOf('\x00\x05hello\x0b\x00')],
      ['RESTORE', 'k2', '0', '\x00\x05hello\x0a\x00' + '\x00'.repeat(8)],
      ['RESTORE', 'k2', '0', '\x00\x05hell\x0a\x00' + crcOf('\x00\x05hell\x0a\x00')],
      ['RESTORE', 'k2', '0', '\x63\x05hello\x0a\x00' + crcOf('\x63\x05hello\x0a\x00')],
      ['RESTORE', 'k2', '0', '\x0f\x05hello\x0a\x00' + crcOf('\x0f\x05hello\x0a\x00')],
      ['RESTORE', 'k2', '0', '\x01\x00\x0a\x00' + crcOf('\x01\x00\x0a\x00')],
      ['EXISTS', 'k2'],
      ['RESTORE', 'k3', '100000', '\x00\x05hello\x0a\x00' + crcOf('\x00\x05hello\x0a\x00')],
      { cmd: ['PTTL', 'k3'], mask: (v) => ({ t: v.t, v: Number(v.v) > 99000 ? 'ok' : String(v.v) }) as RespValue },
      ['RESTORE', 'k4', '1000', '\x00\x05hello\x0a\x00' + crcOf('\x00\x05hello\x0a\x00'), 'ABSTTL'],
      ['EXISTS', 'k4'],
      ['RESTORE', 'k', '1', '\x00\x05hello\x0a\x00' + crcOf('\x00\x05hello\x0a\x00'), 'REPLACE', 'ABSTTL'],
      ['EXISTS', 'k'],
      ['RESTORE', 'k5', '99999999999999', '\x00\x05hello\x0a\x00' + crcOf('\x00\x05hello\x0a\x00'), 'ABSTTL'],
      ['PEXPIRETIME', 'k5'],
    ],
  },
]);

function crcOf(s: string): string {
  const c = crc64(0n, Buffer.from(s, 'latin1'));
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(c);
  return b.toString('latin1');
}

/** A minimal request/reply client over one socket. */
class Client {
  private buf = Buffer.alloc(0);
  private waiting: ((v: RespValue) => void)[] = [];
  private constructor(private readonly sock: net.Socket) {
    sock.on('data', (d) => {
      this.buf = Buffer.concat([this.buf, d]);
      for (;;) {
        const r = readReply(this.buf);
        if (r === null) break;
        this.buf = this.buf.subarray(r[1]);
        this.waiting.shift()?.(r[0]);
      }
    });
  }
  static open(port: number): Promise<Client> {
    return new Promise((res, rej) => {
      const s = net.connect(port, '127.0.0.1', () => res(new Client(s)));
      s.once('error', rej);
    });
  }
  call(...args: string[]): Promise<RespValue> {
    return new Promise((res) => {
      this.waiting.push(res);
      this.sock.write(encodeCommand(args));
    });
  }
  close(): void {
    this.sock.destroy();
  }
}

/** Commands that read a whole value back, per type. */
const READERS: Record<string, (k: string) => string[][]> = {
  string: (k) => [['GET', k]],
  list: (k) => [['LRANGE', k, '0', '-1'], ['LLEN', k]],
  hash: (k) => [['HGETALL', k], ['HLEN', k]],
  set: (k) => [['SMEMBERS', k], ['SCARD', k]],
  zset: (k) => [['ZRANGE', k, '0', '-1', 'WITHSCORES'], ['ZCARD', k]],
};

function norm(v: RespValue, unordered: boolean): string {
  if (Array.isArray(v.v)) {
    const parts = v.v.map((x) => norm(x, false));
    if (unordered) {
      // HGETALL: compare field/value pairs as a set
      const pairs: string[] = [];
      if (v.v.length % 2 === 0 && v.v.length > 0) for (let i = 0; i < parts.length; i += 2) pairs.push(parts[i] + '=' + parts[i + 1]);
      return (pairs.length ? pairs : parts).sort().join('|');
    }
    return parts.join('|');
  }
  return `${v.t}${v.v}`;
}

/** Builds one key of every type and encoding on a server. */
const BUILDERS: string[][] = [
  ['SET', 'str', 'plain'],
  ['SET', 'int', '123456'],
  ['SET', 'long', big(3000, 'compress me ')],
  ['SET', 'binary', bin],
  ['PFADD', 'hll', 'a', 'b', 'c'],
  ['RPUSH', 'list', 'x', '1', bin, big(100, 'z')],
  ['RPUSH', 'biglist', ...Array.from({ length: 2000 }, (_, i) => 'e' + i)],
  ['HSET', 'hsmall', 'a', '1', 'b', bin.slice(0, 60)],
  ['HSET', 'hbig', 'a', big(100, 'v'), 'b', '2'],
  ['SADD', 'sint', '1', '2', '-99999999999'],
  ['SADD', 'sstr', 'a', 'b', 'c'],
  ['ZADD', 'zsmall', '1', 'a', '-inf', 'b', 'inf', 'c', '0.5', 'd'],
  ['ZADD', 'zbig', ...Array.from({ length: 300 }, (_, i) => [String(i / 7), 'm' + i]).flat()],
];

describe('DUMP/RESTORE payloads cross between redis-server and Redoubt', () => {
  const pair = bothServers();

  for (const [fromName, toName] of [['redis', 'redoubt'], ['redoubt', 'redis']] as const) {
    it(`values DUMPed by ${fromName} RESTORE in ${toName} with the same contents and encoding`, async () => {
      const from = await Client.open(pair[fromName].port);
      const to = await Client.open(pair[toName].port);
      const ref = await Client.open(pair[fromName].port);
      try {
        await from.call('FLUSHALL');
        await to.call('FLUSHALL');
        for (const b of BUILDERS) await from.call(...b);
        for (const b of BUILDERS) {
          const key = b[1];
          const payload = await from.call('DUMP', key);
          assert.equal(payload.t, '$');
          const r = await to.call('RESTORE', key, '0', payload.v as string);
          assert.deepEqual(r, { t: '+', v: 'OK' }, `RESTORE ${key}`);
          const type = (await ref.call('TYPE', key)).v as string;
          assert.deepEqual(await to.call('TYPE', key), { t: '+', v: type });
          // the encoding a loader gives the value (not the one the builder left: PFADD's is raw)
          assert.deepEqual(await ref.call('RESTORE', key + ':r', '0', payload.v as string), { t: '+', v: 'OK' });
          assert.deepEqual(await to.call('OBJECT', 'ENCODING', key), await ref.call('OBJECT', 'ENCODING', key + ':r'), `encoding of ${key}`);
          for (const rd of READERS[type](key)) {
            const unordered = rd[0] === 'HGETALL' || rd[0] === 'SMEMBERS';
            assert.equal(norm(await to.call(...rd), unordered), norm(await ref.call(...rd), unordered), `${rd.join(' ')}`);
          }
        }
      } finally {
        from.close();
        to.close();
        ref.close();
      }
    });
  }

  it('the loader converts encodings as Redis does under lowered limits', async () => {
    const r = await Client.open(pair.redis.port);
    const o = await Client.open(pair.redoubt.port);
    try {
      for (const c of [r, o]) {
        await c.call('FLUSHALL');
        await c.call('CONFIG', 'SET', 'hash-max-listpack-entries', '512');
        await c.call('CONFIG', 'SET', 'zset-max-listpack-entries', '128');
        await c.call('CONFIG', 'SET', 'set-max-intset-entries', '512');
        await c.call('CONFIG', 'SET', 'hash-max-listpack-value', '64');
        await c.call('CONFIG', 'SET', 'zset-max-listpack-value', '64');
      }
      await r.call('HSET', 'h', 'a', '1', 'b', '2', 'c', big(40, 'x'));
      await r.call('ZADD', 'z', '1', 'a', '2', 'b', '3', big(40, 'y'));
      await r.call('SADD', 's', '1', '2', '3');
      await r.call('HSET', 'hh', ...Array.from({ length: 20 }, (_, i) => ['f' + i, big(70, 'v')]).flat());
      await r.call('ZADD', 'zz', ...Array.from({ length: 200 }, (_, i) => [String(i), 'm' + i]).flat());
      const payloads: Record<string, string> = {};
      for (const k of ['h', 'z', 's', 'hh', 'zz']) payloads[k] = (await r.call('DUMP', k)).v as string;
      for (const c of [r, o]) {
        await c.call('CONFIG', 'SET', 'hash-max-listpack-entries', '2');
        await c.call('CONFIG', 'SET', 'zset-max-listpack-entries', '2');
        await c.call('CONFIG', 'SET', 'set-max-intset-entries', '2');
      }
      for (const k of Object.keys(payloads)) {
        await r.call('RESTORE', k + ':1', '0', payloads[k]);
        await o.call('RESTORE', k + ':1', '0', payloads[k]);
        assert.deepEqual(await o.call('OBJECT', 'ENCODING', k + ':1'), await r.call('OBJECT', 'ENCODING', k + ':1'), `${k} with low entry limits`);
      }
      for (const c of [r, o]) {
        await c.call('CONFIG', 'SET', 'hash-max-listpack-entries', '512');
        await c.call('CONFIG', 'SET', 'zset-max-listpack-entries', '128');
        await c.call('CONFIG', 'SET', 'set-max-intset-entries', '512');
        await c.call('CONFIG', 'SET', 'hash-max-listpack-value', '10');
        await c.call('CONFIG', 'SET', 'zset-max-listpack-value', '10');
      }
      for (const k of Object.keys(payloads)) {
        await r.call('RESTORE', k + ':2', '0', payloads[k]);
        await o.call('RESTORE', k + ':2', '0', payloads[k]);
        assert.deepEqual(await o.call('OBJECT', 'ENCODING', k + ':2'), await r.call('OBJECT', 'ENCODING', k + ':2'), `${k} with low value limits`);
      }
    } finally {
      for (const c of [r, o]) {
        await c.call('CONFIG', 'SET', 'hash-max-listpack-value', '64');
        await c.call('CONFIG', 'SET', 'zset-max-listpack-value', '64');
        c.close();
      }
    }
  });

  it('fuzz: mutated payloads re-sealed with a valid CRC never corrupt a value or stop the server', async () => {
    const o = await Client.open(pair.redoubt.port);
    const r = await Client.open(pair.redis.port);
    try {
      await r.call('FLUSHALL');
      await o.call('FLUSHALL');
      for (const b of BUILDERS) await r.call(...b);
      await r.call('CONFIG', 'SET', 'list-max-listpack-size', '4');
      await r.call('RPUSH', 'qlist', ...Array.from({ length: 12 }, (_, i) => String(i * 1000)));
      await r.call('CONFIG', 'SET', 'list-max-listpack-size', '-2');
      const seeds: string[] = [];
      for (const b of [...BUILDERS, ['', 'qlist']]) seeds.push((await r.call('DUMP', b[1])).v as string);
      let rnd = 12345;
      const next = (n: number) => {
        rnd = (Math.imul(rnd, 1103515245) + 12345) >>> 0;
        return rnd % n;
      };
      let created = 0;
      let refused = 0;
      for (let iter = 0; iter < 3000; iter++) {
        const seed = Buffer.from(seeds[iter % seeds.length], 'latin1');
        let body = Buffer.from(seed.subarray(0, seed.length - 8));
        const kind = next(4);
        if (kind === 0) {
          for (let k = 0, n = 1 + next(3); k < n; k++) body[next(body.length - 2)] = next(256);
        } else if (kind === 1) {
          const cut = next(body.length - 2);
          body = Buffer.concat([body.subarray(0, cut), body.subarray(body.length - 2)]);
        } else if (kind === 2) {
          // forge a length-looking byte into a 32-bit length
          const at = 1 + next(Math.max(1, body.length - 3));
          body = Buffer.concat([body.subarray(0, at), Buffer.from([0x80, 0x7f, 0xff, 0xff, next(256)]), body.subarray(at)]);
        } else {
          body[next(body.length - 2)] ^= 1 << next(8);
        }
        const sealed = Buffer.concat([body, Buffer.alloc(8)]);
        sealed.writeBigUInt64LE(crc64(0n, body), body.length);
        const key = 'f' + iter;
        const res = await o.call('RESTORE', key, '0', sealed.toString('latin1'));
        if (res.t === '-') {
          assert.match(String(res.v), /^ERR (Bad data format|DUMP payload version or checksum are wrong)$/);
          refused++;
          continue;
        }
        assert.deepEqual(res, { t: '+', v: 'OK' });
        created++;
        const type = (await o.call('TYPE', key)).v as string;
        for (const rd of READERS[type](key)) {
          const v = await o.call(...rd);
          assert.notEqual(v.t, '-', `${rd.join(' ')} after a fuzzed RESTORE: ${JSON.stringify(v)}`);
        }
        // the value also survives a round trip through DUMP/RESTORE
        const again = await o.call('DUMP', key);
        assert.deepEqual(await o.call('RESTORE', key + ':copy', '0', again.v as string), { t: '+', v: 'OK' });
        await o.call('DEL', key, key + ':copy');
      }
      assert.ok(created > 0 && refused > 0, `created ${created}, refused ${refused}`);
      assert.deepEqual(await o.call('PING'), { t: '+', v: 'PONG' });
    } finally {
      o.close();
      r.close();
    }
  });
});

describe('RDB files: redis-server SAVE -> loadRdb -> RdbEncoder -> redis-server', () => {
  const pair = bothServers();

  it('every type, several databases and expiries survive both codecs', async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const { loadRdb } = await import('../../src/persistence/rdb/decode');
    const { RdbEncoder } = await import('../../src/persistence/rdb/encode');
    const { startRedis } = await import('../support/servers');
    const r = await Client.open(pair.redis.port);
    await r.call('FLUSHALL');
    for (const b of BUILDERS) await r.call(...b);
    await r.call('SELECT', '3');
    for (const b of BUILDERS) await r.call(...b);
    await r.call('PEXPIRE', 'str', '5000000');
    await r.call('EXPIRE', 'list', '86400');
    await r.call('SELECT', '0');
    assert.deepEqual(await r.call('SAVE'), { t: '+', v: 'OK' });
    const dir = (await r.call('CONFIG', 'GET', 'dir')).v as RespValue[];
    const file = fs.readFileSync(path.join(dir[1].v as string, 'dump.rdb'));

    const enc = new RdbEncoder({ compress: true, checksum: true });
    const aux: Array<[string, string]> = [];
    const entries: Array<{ db: number; key: string; obj: any; exp: number | bigint | undefined }> = [];
    let db = -1;
    const res = loadRdb(file, {
      aux: (k, v) => aux.push([k, v]),
      selectDb: (d) => (db = d),
      entry: (key, obj, exp) => entries.push({ db, key, obj, exp }),
    }, { checksum: true, deepSanitize: true, now: Date.now() });
    assert.equal(res.end, file.length);
    assert.equal(res.version, 10);
    assert.ok(aux.some(([k]) => k === 'redis-ver'));
    assert.equal(entries.length, BUILDERS.length * 2);
    enc.header([['redis-ver', '7.0.15'], ['redis-bits', '64']]);
    for (const d of [0, 3]) {
      const mine = entries.filter((e) => e.db === d);
      enc.selectDb(d, mine.length, mine.filter((e) => e.exp !== undefined).length);
      for (const e of mine) enc.entry(e.key, e.obj, e.exp);
    }
    enc.footer();
    const out = Buffer.concat(enc.take());
    // a corrupted copy is refused by our own loader when checksums are on
    const bad = Buffer.from(out);
    bad[20] ^= 0xff;
    assert.throws(() => loadRdb(bad, { aux() {}, selectDb() {}, entry() {} }, { checksum: true, deepSanitize: true, now: 0 }));

    const dir2 = fs.mkdtempSync(path.join(os.tmpdir(), 'redoubt-rdb-'));
    fs.writeFileSync(path.join(dir2, 'dump.rdb'), out);
    const second = await startRedis(['--dir', dir2, '--dbfilename', 'dump.rdb']);
    const s = await Client.open(second.port);
    try {
      for (const d of ['0', '3']) {
        await r.call('SELECT', d);
        await s.call('SELECT', d);
        assert.deepEqual(await s.call('DBSIZE'), await r.call('DBSIZE'));
        for (const b of BUILDERS) {
          const key = b[1];
          const type = (await r.call('TYPE', key)).v as string;
          assert.deepEqual(await s.call('TYPE', key), { t: '+', v: type });
          assert.deepEqual(await s.call('PEXPIRETIME', key), await r.call('PEXPIRETIME', key));
          for (const rd of READERS[type](key)) {
            const unordered = rd[0] === 'HGETALL' || rd[0] === 'SMEMBERS';
            assert.equal(norm(await s.call(...rd), unordered), norm(await r.call(...rd), unordered), `db ${d} ${rd.join(' ')}`);
          }
        }
      }
    } finally {
      s.close();
      r.close();
      await second.stop();
      fs.rmSync(dir2, { recursive: true, force: true });
    }
  });
});
