/*
 * Reads a server's whole dataset over one raw RESP2 connection, in a canonical form, so the data
 * held by two servers (Redoubt and redis-server, or one server before and after a restart) can be
 * compared key by key.
 *
 * Canonical form of a key: its type, its value (strings as bytes; lists in order; sets sorted;
 * hashes as sorted field/value pairs; sorted sets in rank order with their scores as the server
 * prints them; streams as XRANGE - +), whether it has a TTL and its absolute expiry (PEXPIRETIME,
 * exact in an RDB/AOF round trip), and optionally OBJECT ENCODING. Byte strings stay latin1.
 *
 * The reader is pipelined (one round trip per batch of keys), so it copes with ~100k keys. It uses
 * only read commands; SELECT changes the connection's db, which is its own connection.
 */

import * as net from 'node:net';
import { readReply, encodeCommand, type RespValue } from './resp';

export interface KeyDump {
  type: string;
  /** canonical text of the value */
  value: string;
  /** absolute expiry in unix ms (PEXPIRETIME), or -1 when the key is persistent */
  expireAt: number;
  encoding?: string;
}

export interface Dataset {
  /** index = db number; each db maps key -> dump (empty maps for empty dbs) */
  dbs: Array<Map<string, KeyDump>>;
}

/** A pipelined raw RESP2 connection (test side). */
export class RawConn {
  private buf = Buffer.alloc(0);
  private pending: Array<(v: RespValue) => void> = [];
  private head = 0;
  private failed: Error | null = null;
  private constructor(private readonly sock: net.Socket) {
    sock.on('data', (d) => {
      this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
      let pos = 0;
      for (;;) {
        const r = readReply(this.buf, pos);
        if (r === null) break;
        pos = r[1];
        // an index, not shift(): a pipeline may hold 100k+ waiters
        const w = this.pending[this.head];
        if (w) {
          this.pending[this.head++] = undefined as never;
          w(r[0]);
        }
      }
      this.buf = this.buf.subarray(pos);
      if (this.head === this.pending.length) {
        this.pending = [];
        this.head = 0;
      }
    });
    const fail = (e: Error) => {
      this.failed = e;
      const p = this.pending.slice(this.head);
      this.pending = [];
      this.head = 0;
      for (const w of p) w({ t: '-', v: `CONNECTION ${e.message}` });
    };
    sock.on('error', fail);
    sock.on('close', () => fail(new Error('closed')));
  }

  static open(port: number, host = '127.0.0.1'): Promise<RawConn> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, host, () => resolve(new RawConn(s)));
      s.once('error', reject);
    });
  }

  /** One command on a connection of its own, closed afterwards. */
  static async callOnce(port: number, ...args: string[]): Promise<RespValue> {
    const c = await RawConn.open(port);
    try {
      return await c.call(...args);
    } finally {
      c.close();
    }
  }

  /** Sends several commands in one write; resolves with their replies in order. */
  pipeline(cmds: string[][]): Promise<RespValue[]> {
    if (this.failed) return Promise.reject(this.failed);
    const out = cmds.map((c) => new Promise<RespValue>((resolve) => this.pending.push(resolve)));
    this.sock.write(Buffer.concat(cmds.map(encodeCommand)));
    return Promise.all(out);
  }

  async call(...args: string[]): Promise<RespValue> {
    return (await this.pipeline([args]))[0];
  }

  close(): void {
    this.sock.destroy();
  }
}

function str(v: RespValue): string {
  if (v.t === '-') throw new Error(`server error: ${v.v}`);
  return String(v.v);
}

function list(v: RespValue): string[] {
  if (v.t === '-') throw new Error(`server error: ${v.v}`);
  if (!Array.isArray(v.v)) throw new Error(`expected an array, got ${JSON.stringify(v)}`);
  return v.v.map(str);
}

function canonicalValue(type: string, v: RespValue): string {
  switch (type) {
    case 'string':
      return JSON.stringify(str(v));
    case 'list':
      return JSON.stringify(list(v));
    case 'set':
      return JSON.stringify(list(v).sort());
    case 'hash': {
      const flat = list(v);
      const pairs: string[] = [];
      for (let i = 0; i < flat.length; i += 2) pairs.push(JSON.stringify([flat[i], flat[i + 1]]));
      return `[${pairs.sort().join(',')}]`;
    }
    case 'zset':
      return JSON.stringify(list(v));
    default:
      // streams and anything else: the raw reply tree
      return JSON.stringify(v);
  }
}

function valueCommand(type: string, key: string): string[] {
  switch (type) {
    case 'string': return ['GET', key];
    case 'list': return ['LRANGE', key, '0', '-1'];
    case 'set': return ['SMEMBERS', key];
    case 'hash': return ['HGETALL', key];
    case 'zset': return ['ZRANGE', key, '0', '-1', 'WITHSCORES'];
    case 'stream': return ['XRANGE', key, '-', '+'];
    default: return ['TYPE', key];
  }
}

/** Reads the whole dataset of the server at `port`. */
export async function readDataset(port: number, opts: { encodings?: boolean; batch?: number; host?: string } = {}): Promise<Dataset> {
  const c = await RawConn.open(port, opts.host);
  try {
    const dbCount = Number(list(await c.call('CONFIG', 'GET', 'databases'))[1]);
    const batch = opts.batch ?? 500;
    const dbs: Array<Map<string, KeyDump>> = [];
    for (let db = 0; db < dbCount; db++) {
      const map = new Map<string, KeyDump>();
      dbs.push(map);
      str(await c.call('SELECT', String(db)));
      let cursor = '0';
      const keys = new Set<string>();
      do {
        const r = await c.call('SCAN', cursor, 'COUNT', '1000');
        const [next, page] = r.v as RespValue[];
        cursor = str(next);
        for (const k of list(page)) keys.add(k);
      } while (cursor !== '0');
      const all = [...keys];
      for (let i = 0; i < all.length; i += batch) {
        const slice = all.slice(i, i + batch);
        const types = (await c.pipeline(slice.map((k) => ['TYPE', k]))).map(str);
        const cmds: string[][] = [];
        slice.forEach((k, j) => {
          cmds.push(valueCommand(types[j], k), ['PEXPIRETIME', k]);
          if (opts.encodings) cmds.push(['OBJECT', 'ENCODING', k]);
        });
        const replies = await c.pipeline(cmds);
        const per = opts.encodings ? 3 : 2;
        slice.forEach((k, j) => {
          const type = types[j];
          if (type === 'none') return; // expired or deleted between SCAN and TYPE
          const value = canonicalValue(type, replies[j * per]);
          const exp = Number(replies[j * per + 1].v);
          const d: KeyDump = { type, value, expireAt: exp >= 0 ? exp : -1 };
          if (opts.encodings) d.encoding = str(replies[j * per + 2]);
          map.set(k, d);
        });
      }
    }
    return { dbs };
  } finally {
    c.close();
  }
}

/** Number of keys in a dataset. */
export function keyCount(d: Dataset): number {
  return d.dbs.reduce((n, m) => n + m.size, 0);
}

/**
 * Differences between two datasets as readable lines (empty = equal), at most `limit` of them.
 * Expiry times are compared exactly unless `ttlToleranceMs` is given.
 */
export function diffDatasets(a: Dataset, b: Dataset, opts: { limit?: number; ttlToleranceMs?: number; ignoreEncoding?: boolean } = {}): string[] {
  const out: string[] = [];
  const limit = opts.limit ?? 20;
  const n = Math.max(a.dbs.length, b.dbs.length);
  for (let db = 0; db < n && out.length < limit; db++) {
    const ma = a.dbs[db] ?? new Map<string, KeyDump>();
    const mb = b.dbs[db] ?? new Map<string, KeyDump>();
    for (const [k, da] of ma) {
      if (out.length >= limit) break;
      const dbk = mb.get(k);
      const name = `db${db} ${JSON.stringify(k)}`;
      if (dbk === undefined) { out.push(`${name}: only in the first`); continue; }
      if (da.type !== dbk.type) { out.push(`${name}: type ${da.type} vs ${dbk.type}`); continue; }
      if (da.value !== dbk.value) out.push(`${name}: value ${da.value.slice(0, 200)} vs ${dbk.value.slice(0, 200)}`);
      const tol = opts.ttlToleranceMs ?? 0;
      if ((da.expireAt < 0) !== (dbk.expireAt < 0) || Math.abs(da.expireAt - dbk.expireAt) > tol) {
        out.push(`${name}: expireAt ${da.expireAt} vs ${dbk.expireAt}`);
      }
      if (!opts.ignoreEncoding && da.encoding !== undefined && dbk.encoding !== undefined && da.encoding !== dbk.encoding) {
        out.push(`${name}: encoding ${da.encoding} vs ${dbk.encoding}`);
      }
    }
    for (const k of mb.keys()) {
      if (out.length >= limit) break;
      if (!ma.has(k)) out.push(`db${db} ${JSON.stringify(k)}: only in the second`);
    }
  }
  return out;
}

/** Every byte value once, for binary-safety checks. */
export const ALL_BYTES = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join('');

/**
 * Commands that create at least one key of every type in every encoding Redis 7.0 uses
 * (int/embstr/raw strings, listpack/quicklist lists, intset/hashtable sets, listpack/hashtable
 * hashes, listpack/skiplist sorted sets), binary keys and values, HyperLogLogs, future TTLs (also
 * beyond 2^32 s), and keys in several databases. `scale` multiplies the sizes of the big values.
 */
export function allTypesCommands(opts: { scale?: number; futureMs?: number } = {}): string[][] {
  const scale = opts.scale ?? 1;
  const future = String(opts.futureMs ?? Date.now() + 3600_000);
  const cmds: string[][] = [['SELECT', '0']];
  const range = (n: number) => Array.from({ length: n }, (_, i) => i);
  cmds.push(
    ['SET', 'str:int', '12345'], ['SET', 'str:neg', '-9223372036854775808'], ['SET', 'str:small', 'hello'],
    ['SET', 'str:raw', 'x'.repeat(100)], ['SET', 'str:compressible', 'abc'.repeat(2000 * scale)],
    ['SET', 'str:bytes', ALL_BYTES], ['SET', ALL_BYTES, 'binary key'], ['SET', 'str:empty', ''],
    ['SET', 'str:float', '3.14159'], ['SET', 'str:big-int-text', '123456789012345678901234567890'],
    ['SET', 'ttl:str', 'expiring', 'PXAT', future], ['SET', 'ttl:far', 'v', 'PXAT', '95617584000000'],
    ['RPUSH', 'list:small', 'a', 'b', '1', '2', ALL_BYTES.slice(0, 60)],
    ['RPUSH', 'list:big', ...range(2000 * scale).map((i) => `element-${i}`)],
    ['RPUSH', 'list:ints', ...range(300).map((i) => String(i * 1000003))],
    ['RPUSH', 'list:wide', 'y'.repeat(10000), 'z'],
    ['SADD', 'set:ints', ...range(100).map(String)],
    ['SADD', 'set:strs', 'a', 'b', 'c', ALL_BYTES.slice(128)],
    ['SADD', 'set:big', ...range(1000 * scale).map((i) => `m${i}`)],
    ['SADD', 'set:bigints', ...range(600).map((i) => String(i * 7))],
    ['HSET', 'hash:small', 'f1', 'v1', 'f2', '2', 'bin', ALL_BYTES.slice(0, 40)],
    ['HSET', 'hash:big', ...range(1000 * scale).flatMap((i) => [`field${i}`, `value${i}`])],
    ['HSET', 'hash:longval', 'f', 'v'.repeat(100)],
    ['ZADD', 'zset:small', '1', 'one', '2.5', 'two', '-inf', 'minf', '+inf', 'pinf', '0', ALL_BYTES.slice(0, 20)],
    ['ZADD', 'zset:big', ...range(500 * scale).flatMap((i) => [String(i / 7), `member${i}`])],
    ['ZADD', 'zset:longmember', '1', 'm'.repeat(100)],
    // GEOADD propagates as ZADD with the 52-bit scores as text (the edges test the exact text)
    ['GEOADD', 'geo:points', '13.361389', '38.115556', 'Palermo', '15.087269', '37.502669', 'Catania'],
    ['GEOADD', 'geo:points', 'CH', '179.999999', '85.05112', 'ne', '-180', '-85.05112878', 'sw'],
    ['PFADD', 'hll:sparse', 'a', 'b', 'c'],
    ['PFADD', 'hll:dense', ...range(5000).map((i) => `e${i}`)],
    ['RPUSH', 'ttl:list', 'a', 'b'], ['PEXPIREAT', 'ttl:list', future],
    ['HSET', 'ttl:hash', 'a', 'b'], ['PEXPIREAT', 'ttl:hash', future],
    ['SELECT', '3'],
    ['SET', 'db3:str', 'in db 3'], ['SADD', 'db3:set', 'x', 'y'], ['ZADD', 'db3:zset', '1', 'a'],
    ['SET', 'ttl:db3', 'v', 'PXAT', future],
    ['SELECT', '15'],
    ['RPUSH', 'db15:list', 'last', 'db'],
    ['SELECT', '0'],
  );
  return cmds;
}

/** Runs commands on the server at `port` and checks that none failed. */
export async function runCommands(port: number, cmds: string[][]): Promise<void> {
  const c = await RawConn.open(port);
  try {
    const replies = await c.pipeline(cmds);
    replies.forEach((r, i) => {
      if (r.t === '-') throw new Error(`${JSON.stringify(cmds[i]).slice(0, 100)} failed: ${r.v}`);
    });
  } finally {
    c.close();
  }
}

/**
 * The encodings Redis gives after loading from RDB/AOF: a short string built by APPEND, SETRANGE or
 * PFADD is "raw" in memory but comes back "embstr" (values ≤ 44 bytes are created embedded).
 */
export function afterReload(d: Dataset): Dataset {
  return {
    dbs: d.dbs.map((m) => new Map([...m].map(([k, v]) => {
      if (v.type === 'string' && v.encoding === 'raw' && (JSON.parse(v.value) as string).length <= 44) return [k, { ...v, encoding: 'embstr' }];
      return [k, v];
    }))),
  };
}
