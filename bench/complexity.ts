/*
 * Complexity benchmark: does the per-operation cost of the collection commands stay flat as the
 * collection grows, on redis-server and on Redoubt?
 *
 * For each size (default 10,000 and 1,000,000 elements) and each server, a sorted set and a list
 * of that size are built, then each operation below is sent as one pipelined burst over a single
 * connection and timed from the first byte written to the last reply read. The burst keeps the
 * server busy without waiting on the network, so the time per operation is the server's own cost
 * (parsing and replying included, which is constant). An O(log n) command shows a small ratio
 * between the sizes (log 1M / log 10k = 1.5, plus cache misses); an O(n) one would show ~100.
 *
 * Operations, and how the size is held steady:
 *   PING             the fixed per-request cost, for reference
 *   ZADD insert      OPS_W new members, then ZREM removes them (timed as ZREM): size oscillates
 *                    between n and n + OPS_W
 *   ZADD update      existing random members get new random scores (a skiplist move)
 *   ZRANK            random existing members
 *   ZRANGE by rank   ZRANGE key r r at random ranks
 *   LPUSH / LPOP     OPS_W pushes at the head, then as many pops
 *   LINDEX 0 / -1    both ends
 * Every operation runs --rounds times; the table shows the median µs per operation at each size
 * and the ratio largest/smallest size for each server, plus memory per element (used_memory growth
 * over the empty server divided by the elements of both keys).
 *
 * Usage: npm run bench:complexity [-- --sizes 10000,1000000] [--ops N] [--rounds N] [--quick]
 * Every server started here is stopped before exit, also on errors and Ctrl-C.
 */

import * as net from 'node:net';
import { execFileSync } from 'node:child_process';
import { startRedis, startRedoubt, type RunningServer } from '../test/support/servers';
import { prng } from '../test/support/prng';

interface Options {
  sizes: number[];
  /** operations per burst for the read-only and size-neutral commands */
  ops: number;
  /** operations per burst for the commands that grow the key (undone right after) */
  writeOps: number;
  rounds: number;
}

function parseOptions(argv: string[]): Options {
  const o: Options = { sizes: [10000, 1000000], ops: 50000, writeOps: 5000, rounds: 5 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const num = (v: string) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n <= 0) throw new Error(`${a} needs positive integers`);
      return n;
    };
    if (a === '--sizes') o.sizes = String(argv[++i]).split(',').map(num);
    else if (a === '--ops') o.ops = num(argv[++i]);
    else if (a === '--write-ops') o.writeOps = num(argv[++i]);
    else if (a === '--rounds') o.rounds = num(argv[++i]);
    else if (a === '--quick') Object.assign(o, { ops: 10000, writeOps: 2000, rounds: 3 });
    else if (a === '--help' || a === '-h') {
      process.stdout.write('usage: npm run bench:complexity -- [--sizes 10000,1000000] [--ops N] [--write-ops N] [--rounds N] [--quick]\n');
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  return o;
}


function encode(argv: string[]): string {
  let s = `*${argv.length}\r\n`;
  for (const a of argv) s += `$${Buffer.byteLength(a, 'latin1')}\r\n${a}\r\n`;
  return s;
}

/**
 * End offset of the reply starting at `pos`, or -1 if incomplete. Only the reply shapes these
 * commands produce (simple, error, integer, bulk, array) are understood.
 */
function skipReply(b: Buffer, pos: number): number {
  if (pos >= b.length) return -1;
  const nl = b.indexOf(13, pos);
  if (nl < 0 || nl + 1 >= b.length) return -1;
  const t = b[pos];
  if (t === 0x2b || t === 0x2d || t === 0x3a) return nl + 2; // + - :
  const n = Number(b.toString('latin1', pos + 1, nl));
  if (t === 0x24) return n < 0 ? nl + 2 : nl + 2 + n + 2 <= b.length ? nl + 2 + n + 2 : -1; // $
  if (t === 0x2a) { // *
    let p = nl + 2;
    for (let i = 0; i < n; i++) {
      p = skipReply(b, p);
      if (p < 0) return -1;
    }
    return p;
  }
  throw new Error(`unexpected reply type ${String.fromCharCode(t)}`);
}

/** One client connection that sends pipelined bursts and counts the replies. */
class Client {
  private sock!: net.Socket;
  private pending: Buffer = Buffer.alloc(0);
  private want = 0;
  private got = 0;
  private firstError: string | null = null;
  private done: (() => void) | null = null;
  private fail: ((e: Error) => void) | null = null;

  static async open(port: number): Promise<Client> {
    const c = new Client();
    await new Promise<void>((resolve, reject) => {
      c.sock = net.connect(port, '127.0.0.1', () => resolve());
      c.sock.once('error', reject);
    });
    c.sock.setNoDelay(true);
    c.sock.on('data', (d: Buffer) => c.onData(d));
    c.sock.on('error', (e) => c.fail?.(e));
    return c;
  }

  private onData(d: Buffer): void {
    const b = this.pending.length ? Buffer.concat([this.pending, d]) : d;
    let p = 0;
    for (;;) {
      const e = skipReply(b, p);
      if (e < 0) break;
      if (b[p] === 0x2d && this.firstError === null) this.firstError = b.toString('latin1', p + 1, b.indexOf(13, p));
      this.got++;
      p = e;
    }
    this.pending = b.subarray(p);
    if (this.got >= this.want && this.done) {
      const f = this.done;
      this.done = null;
      f();
    }
  }

  /** Sends the commands (already encoded) and resolves with the elapsed ns once all replied. */
  async burst(payload: string, count: number): Promise<number> {
    this.want = count;
    this.got = 0;
    this.firstError = null;
    const buf = Buffer.from(payload, 'latin1');
    const t0 = process.hrtime.bigint();
    await new Promise<void>((resolve, reject) => {
      this.done = resolve;
      this.fail = reject;
      this.sock.write(buf);
    });
    const ns = Number(process.hrtime.bigint() - t0);
    if (this.firstError !== null) throw new Error(this.firstError);
    return ns;
  }

  /** Sends commands in windows of `window`, for loading (not timed). */
  async load(cmds: string[][], window = 20): Promise<void> {
    for (let i = 0; i < cmds.length; i += window) {
      const slice = cmds.slice(i, i + window);
      await this.burst(slice.map(encode).join(''), slice.length);
    }
  }

  /** One command, its reply as text (for INFO, DBSIZE). */
  async query(argv: string[]): Promise<string> {
    this.want = 1;
    this.got = 0;
    let text = '';
    const capture = (d: Buffer) => (text += d.toString('latin1'));
    this.sock.on('data', capture);
    await this.burst(encode(argv), 1);
    this.sock.off('data', capture);
    const m = /^\$\d+\r\n/.exec(text);
    return m ? text.slice(m[0].length, text.length - 2) : text.slice(1, text.indexOf('\r\n'));
  }

  close(): void {
    this.sock.destroy();
  }
}

const Z = 'cx:z';
const L = 'cx:l';

/** The measured operations: each builds its burst (commands + count) for a round. */
interface Op {
  name: string;
  /** builds the timed burst, and optionally an untimed-or-timed follow-up that undoes it */
  run(c: Client, size: number, o: Options, rnd: () => number, round: number): Promise<Map<string, number>>;
}

function burstOf(cmds: string[][]): [string, number] {
  return [cmds.map(encode).join(''), cmds.length];
}

async function timed(c: Client, cmds: string[][]): Promise<number> {
  const [payload, n] = burstOf(cmds);
  return (await c.burst(payload, n)) / n / 1000;
}

const score = (rnd: () => number) => String(Math.floor(rnd() * 1e9));
const member = (size: number, rnd: () => number) => 'm:' + Math.floor(rnd() * size);

const OPS: Op[] = [
  { name: 'PING', run: async (c, _s, o) => new Map([['PING', await timed(c, Array.from({ length: o.ops }, () => ['PING']))]]) },
  {
    name: 'ZADD insert',
    run: async (c, _s, o, rnd, round) => {
      const names = Array.from({ length: o.writeOps }, (_, i) => `n:${round}:${i}`);
      const add = await timed(c, names.map((m) => ['ZADD', Z, score(rnd), m]));
      const rem = await timed(c, names.map((m) => ['ZREM', Z, m]));
      return new Map([['ZADD insert', add], ['ZREM', rem]]);
    },
  },
  { name: 'ZADD update', run: async (c, s, o, rnd) => new Map([['ZADD update', await timed(c, Array.from({ length: o.ops }, () => ['ZADD', Z, score(rnd), member(s, rnd)]))]]) },
  { name: 'ZRANK', run: async (c, s, o, rnd) => new Map([['ZRANK', await timed(c, Array.from({ length: o.ops }, () => ['ZRANK', Z, member(s, rnd)]))]]) },
  {
    name: 'ZRANGE by rank',
    run: async (c, s, o, rnd) => {
      const cmds = Array.from({ length: o.ops }, () => {
        const r = String(Math.floor(rnd() * s));
        return ['ZRANGE', Z, r, r];
      });
      return new Map([['ZRANGE r r', await timed(c, cmds)]]);
    },
  },
  {
    name: 'LPUSH',
    run: async (c, _s, o, rnd) => {
      const push = await timed(c, Array.from({ length: o.writeOps }, () => ['LPUSH', L, score(rnd)]));
      const pop = await timed(c, Array.from({ length: o.writeOps }, () => ['LPOP', L]));
      return new Map([['LPUSH', push], ['LPOP', pop]]);
    },
  },
  { name: 'LINDEX 0', run: async (c, _s, o) => new Map([['LINDEX 0', await timed(c, Array.from({ length: o.ops }, () => ['LINDEX', L, '0']))]]) },
  { name: 'LINDEX -1', run: async (c, _s, o) => new Map([['LINDEX -1', await timed(c, Array.from({ length: o.ops }, () => ['LINDEX', L, '-1']))]]) },
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function usedMemory(c: Client): Promise<number> {
  const m = /used_memory:(\d+)/.exec(await c.query(['INFO', 'memory']));
  return m ? Number(m[1]) : NaN;
}

/** Builds the zset (members m:0 .. m:size-1, random scores) and the list, 1000 per command. */
async function fill(c: Client, size: number): Promise<void> {
  const rnd = prng(size);
  const zcmds: string[][] = [];
  const lcmds: string[][] = [];
  for (let i = 0; i < size; i += 1000) {
    const z = ['ZADD', Z];
    const l = ['RPUSH', L];
    for (let j = i; j < Math.min(size, i + 1000); j++) {
      z.push(score(rnd), 'm:' + j);
      l.push('e:' + j);
    }
    zcmds.push(z);
    lcmds.push(l);
  }
  await c.load(zcmds);
  await c.load(lcmds);
  const zc = Number(await c.query(['ZCARD', Z]));
  const ll = Number(await c.query(['LLEN', L]));
  if (zc !== size || ll !== size) throw new Error(`fill: ZCARD ${zc}, LLEN ${ll}, expected ${size}`);
}

type Results = Map<string, Map<number, number>>; // op -> size -> median µs

const fmtUs = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? 'n/a' : n.toFixed(2));

async function measure(name: string, server: RunningServer, o: Options, results: Results, memory: Map<number, number>): Promise<void> {
  const c = await Client.open(server.port);
  try {
    for (const size of o.sizes) {
      await c.query(['FLUSHALL']);
      await new Promise((r) => setTimeout(r, 300));
      const mem0 = await usedMemory(c);
      const t0 = Date.now();
      try {
        await fill(c, size);
      } catch (e) {
        process.stdout.write(`${name}: cannot build the keys (${e instanceof Error ? e.message : e}); its columns stay n/a\n`);
        return;
      }
      await new Promise((r) => setTimeout(r, 300));
      memory.set(size, ((await usedMemory(c)) - mem0) / (2 * size));
      process.stdout.write(`${name}: built ${size.toLocaleString('en-US')} + ${size.toLocaleString('en-US')} elements in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
      const rnd = prng(size * 31 + 1);
      for (const op of OPS) {
        const samples = new Map<string, number[]>();
        try {
          for (let r = 0; r < o.rounds; r++) {
            for (const [k, v] of await op.run(c, size, o, rnd, r)) {
              if (!samples.has(k)) samples.set(k, []);
              samples.get(k)!.push(v);
            }
          }
        } catch (e) {
          process.stdout.write(`${name}: ${op.name} failed (${e instanceof Error ? e.message : e})\n`);
          continue;
        }
        for (const [k, v] of samples) {
          if (!results.has(k)) results.set(k, new Map());
          results.get(k)!.set(size, median(v));
        }
      }
    }
  } finally {
    c.close();
  }
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r, i) => {
    const line = r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
    return i === 0 ? line + '\n' + widths.map((w) => '-'.repeat(w)).join('  ') : line;
  }).join('\n');
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error('redis-server is not installed (apt-get install redis-server)');
  }
  const servers: RunningServer[] = [];
  const stopAll = () => Promise.all(servers.map((s) => s.stop()));
  process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
  process.once('SIGTERM', () => void stopAll().then(() => process.exit(143)));
  try {
    const redis = await startRedis();
    servers.push(redis);
    const redoubt = await startRedoubt(['--save', '', '--appendonly', 'no']);
    servers.push(redoubt);
    const version = execFileSync('redis-server', ['--version']).toString().trim().split(' ').slice(0, 3).join(' ');
    const sizes = o.sizes;
    const lo = sizes[0];
    const hi = sizes[sizes.length - 1];
    process.stdout.write(`Redoubt vs ${version}; sizes ${sizes.map((s) => s.toLocaleString('en-US')).join(' / ')}; ` +
      `${o.ops} ops per burst (${o.writeOps} for growing writes), ${o.rounds} rounds, median\n\n`);
    const res: Record<string, Results> = { redis: new Map(), redoubt: new Map() };
    const mem: Record<string, Map<number, number>> = { redis: new Map(), redoubt: new Map() };
    await measure('redis', redis, o, res.redis, mem.redis);
    await measure('redoubt', redoubt, o, res.redoubt, mem.redoubt);

    const label = (n: number) => (n >= 1e6 && n % 1e6 === 0 ? `${n / 1e6}M` : n >= 1e3 && n % 1e3 === 0 ? `${n / 1e3}k` : String(n));
    const head = ['op (µs/op)'];
    for (const who of ['redis', 'redoubt']) {
      for (const s of sizes) head.push(`${who} ${label(s)}`);
      head.push(`${who} ${label(hi)}/${label(lo)}`);
    }
    const rows = [head];
    const names = [...new Set([...res.redis.keys(), ...res.redoubt.keys()])];
    for (const op of names) {
      const row = [op];
      for (const who of ['redis', 'redoubt']) {
        const m = res[who].get(op);
        for (const s of sizes) row.push(fmtUs(m?.get(s)));
        const a = m?.get(lo);
        const b = m?.get(hi);
        row.push(a !== undefined && b !== undefined ? (b / a).toFixed(2) : 'n/a');
      }
      rows.push(row);
    }
    const memRow = ['bytes/element (avg of both keys)'];
    for (const who of ['redis', 'redoubt']) {
      for (const s of sizes) memRow.push(Number.isFinite(mem[who].get(s)) ? (mem[who].get(s) as number).toFixed(1) : 'n/a');
      memRow.push('');
    }
    rows.push(memRow);
    process.stdout.write('\nPer-operation cost (pipelined bursts on one connection; ratio = largest / smallest size)\n\n' + table(rows) + '\n');
  } finally {
    await stopAll();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`bench:complexity: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
