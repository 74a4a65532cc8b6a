/*
 * BGSAVE side by side: redis-server (fork + copy-on-write pages) and Redoubt (in-process
 * point-in-time snapshot walked between event-loop turns, copy-on-write per key).
 *
 * Each server gets the same dataset — --keys keys of mixed types (60% 100-byte strings, 10% each
 * hashes, lists, sets and sorted sets of 10 members), written by a pipelined raw loader — then:
 *  - baseline throughput: --clients connections each sending pipelines of 50 SET + 50 GET on other
 *    keys (tp:*) for --seconds, requests per second counted;
 *  - BGSAVE under the same load: its duration (BGSAVE reply until rdb_bgsave_in_progress:0), the
 *    throughput while it ran, relative to the baseline (the issue's target: >= 0.7x);
 *  - memory: the dataset's cost (RSS after loading minus before), and the extra memory the save
 *    needed: for Redoubt the peak of its RSS above the pre-save level (sampled every 5 ms), for
 *    redis-server the copy-on-write size the child reports (INFO rdb_last_cow_size), which is what
 *    the fork costs on top of the dataset.
 *
 * With --codec, no server is started: the same dataset is built in this process (through the
 * value types' own constructors, so every value has the encoding the commands would give it) and
 * the RDB codec alone is timed, median of --runs runs: encoding (RdbEncoder with compression and
 * checksum, bytes handed over and recycled every 1 MB as BGSAVE's writer does) and loading
 * (loadRdb of the result into a counting sink). This is the CPU cost of the format itself,
 * independent of the snapshot's slicing and of other load on the machine.
 *
 * Usage: npm run bench:snapshot [-- --keys N] [--clients N] [--seconds S]
 *        npm run bench:snapshot -- --codec [--keys N] [--runs N]
 * Every server started here is stopped before exit.
 */

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startRedis, startRedoubt, type RunningServer } from '../test/support/servers';
import { RawConn } from '../test/support/dataset';
import { RObj } from '../src/data/keyspace';
import { Quicklist } from '../src/data/quicklist';
import { ZSet, encodingFor } from '../src/data/zset';
import { newHash, hashSet } from '../src/data/hashtype';
import { newSetFor, setAdd } from '../src/data/settype';
import { RdbEncoder } from '../src/persistence/rdb/encode';
import { loadRdb } from '../src/persistence/rdb/decode';

interface Options { keys: number; clients: number; seconds: number; codec: boolean; runs: number }

function parseOptions(argv: string[]): Options {
  const o: Options = { keys: 1_000_000, clients: 4, seconds: 3, codec: false, runs: 3 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = Number(argv[i + 1]);
    if (a === '--keys') { o.keys = v; i++; }
    else if (a === '--clients') { o.clients = v; i++; }
    else if (a === '--seconds') { o.seconds = v; i++; }
    else if (a === '--runs') { o.runs = v; i++; }
    else if (a === '--codec') o.codec = true;
    else throw new Error(`unknown option ${a}`);
  }
  return o;
}

function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'latin1'));
  return m ? Number(m[1]) * 1024 : 0;
}

function mb(n: number): string {
  return (n / (1024 * 1024)).toFixed(1);
}

/** Commands creating key i of the mixed dataset. */
function keyCommands(i: number): string[][] {
  const k = `key:${i}`;
  const kind = i % 10;
  const ten = (f: (j: number) => string[]) => Array.from({ length: 10 }, (_, j) => f(j)).flat();
  if (kind < 6) return [['SET', k, `${i}:`.padEnd(100, 'x')]];
  if (kind === 6) return [['HSET', k, ...ten((j) => [`f${j}`, `value-${i}-${j}`])]];
  if (kind === 7) return [['RPUSH', k, ...ten((j) => [`item-${i}-${j}`])]];
  if (kind === 8) return [['SADD', k, ...ten((j) => [`member-${i}-${j}`])]];
  return [['ZADD', k, ...ten((j) => [String(j * 1.5), `m-${i}-${j}`])]];
}

async function load(port: number, keys: number): Promise<void> {
  const c = await RawConn.open(port);
  try {
    for (let i = 0; i < keys; i += 10000) {
      const cmds: string[][] = [];
      for (let j = i; j < Math.min(keys, i + 10000); j++) cmds.push(...keyCommands(j));
      const r = await c.pipeline(cmds);
      const bad = r.find((x) => x.t === '-');
      if (bad) throw new Error(`load failed: ${bad.v}`);
    }
  } finally {
    c.close();
  }
}

async function info(c: RawConn, field: string): Promise<string> {
  const r = await c.call('INFO', 'persistence');
  const m = new RegExp(`^${field}:(.*)\\r$`, 'm').exec(String(r.v));
  return m ? m[1] : '';
}

/** Runs the SET/GET load until `stop()` resolves; returns requests per second. */
async function traffic(port: number, clients: number, until: Promise<void>): Promise<number> {
  let done = false;
  void until.then(() => { done = true; });
  const conns = await Promise.all(Array.from({ length: clients }, () => RawConn.open(port)));
  const t0 = performance.now();
  let count = 0;
  await Promise.all(conns.map(async (c, n) => {
    let seq = 0;
    while (!done) {
      const cmds: string[][] = [];
      for (let j = 0; j < 50; j++) {
        const k = `tp:${n}:${(seq++ * 7919) % 100000}`;
        cmds.push(['SET', k, 'value-of-the-traffic-key'], ['GET', k]);
      }
      await c.pipeline(cmds);
      count += cmds.length;
    }
  }));
  const secs = (performance.now() - t0) / 1000;
  for (const c of conns) c.close();
  return count / secs;
}

interface Result { server: string; loadSec: number; datasetBytes: number; bgsaveMs: number; extraBytes: number; baseRps: number; duringRps: number; dumpBytes: number }

async function measure(name: string, start: (dir: string) => Promise<RunningServer>, o: Options): Promise<Result> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `bench-snapshot-${name}-`));
  const s = await start(dir);
  try {
    const pid = s.proc.pid!;
    const rss0 = rssOf(pid);
    const t0 = performance.now();
    await load(s.port, o.keys);
    const loadSec = (performance.now() - t0) / 1000;
    const rssLoaded = rssOf(pid);
    const baseRps = await traffic(s.port, o.clients, new Promise((r) => setTimeout(r, o.seconds * 1000)));
    const c = await RawConn.open(s.port);
    const rssBefore = rssOf(pid);
    let peak = rssBefore;
    const sampler = setInterval(() => { try { peak = Math.max(peak, rssOf(pid)); } catch { /* exited */ } }, 5);
    const b0 = performance.now();
    const r = await c.call('BGSAVE');
    if (r.v !== 'Background saving started') throw new Error(`${name}: BGSAVE answered ${JSON.stringify(r)}`);
    let bgsaveMs = 0;
    const finished = (async () => {
      while ((await info(c, 'rdb_bgsave_in_progress')) === '1') await new Promise((res) => setTimeout(res, 5));
      bgsaveMs = performance.now() - b0;
    })();
    const duringRps = await traffic(s.port, o.clients, finished);
    clearInterval(sampler);
    const status = await info(c, 'rdb_last_bgsave_status');
    if (status !== 'ok') throw new Error(`${name}: BGSAVE failed`);
    const cow = Number(await info(c, 'rdb_last_cow_size'));
    c.close();
    const extraBytes = name === 'redis-server' ? cow : peak - rssBefore;
    const dumpBytes = fs.statSync(path.join(dir, 'dump.rdb')).size;
    return { server: name, loadSec, datasetBytes: rssLoaded - rss0, bgsaveMs, extraBytes, baseRps, duringRps, dumpBytes };
  } finally {
    await s.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Key i of the mixed dataset as the commands of keyCommands would have built it. */
function keyObject(i: number): RObj {
  const kind = i % 10;
  if (kind < 6) {
    const v = `${i}:`.padEnd(100, 'x');
    return new RObj('string', v, v.length <= 44 ? 'embstr' : 'raw', 0);
  }
  if (kind === 6) {
    const o = newHash(0);
    for (let j = 0; j < 10; j++) hashSet(o, `f${j}`, `value-${i}-${j}`);
    return o;
  }
  if (kind === 7) {
    const q = new Quicklist();
    for (let j = 0; j < 10; j++) q.pushTail(`item-${i}-${j}`);
    return new RObj('list', q, 'quicklist', 0);
  }
  if (kind === 8) {
    const o = newSetFor(`member-${i}-0`, 0);
    for (let j = 0; j < 10; j++) setAdd(o, `member-${i}-${j}`);
    return o;
  }
  const z = new ZSet();
  let max = 0;
  for (let j = 0; j < 10; j++) {
    const m = `m-${i}-${j}`;
    z.set(m, j * 1.5);
    max = Math.max(max, m.length);
  }
  return new RObj('zset', z, encodingFor(z.size, max), 0);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** CPU milliseconds (user + system) and wall milliseconds of f. */
function timed(f: () => void): { cpu: number; wall: number } {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  f();
  const c = process.cpuUsage(c0);
  return { cpu: (c.user + c.system) / 1000, wall: performance.now() - t0 };
}

/** --codec: encode and load the dataset in-process, no servers. */
function codecBench(o: Options): void {
  const keys: string[] = [];
  const objs: RObj[] = [];
  for (let i = 0; i < o.keys; i++) {
    keys.push(`key:${i}`);
    objs.push(keyObject(i));
  }
  let file: Buffer = Buffer.alloc(0);
  const encode = (keep: boolean): void => {
    const enc = new RdbEncoder({ compress: true, checksum: true });
    enc.header([['redis-ver', '7.0.15'], ['redis-bits', '64'], ['ctime', '0'], ['used-mem', '0'], ['aof-base', '0']]);
    enc.selectDb(0, keys.length, 0);
    const parts: Buffer[] = [];
    const flush = (): void => {
      const chunks = enc.take();
      if (keep) for (const c of chunks) parts.push(Buffer.from(c));
      enc.recycle(chunks);
    };
    for (let i = 0; i < keys.length; i++) {
      enc.entry(keys[i], objs[i]);
      if (enc.pending >= 1 << 20) flush();
    }
    enc.footer();
    flush();
    if (keep) file = Buffer.concat(parts);
  };
  encode(true);
  const enc: Array<{ cpu: number; wall: number }> = [];
  for (let r = 0; r < o.runs; r++) enc.push(timed(() => encode(false)));
  const load: Array<{ cpu: number; wall: number }> = [];
  for (let r = 0; r < o.runs; r++) {
    let n = 0;
    load.push(timed(() => loadRdb(file, { aux() {}, selectDb() {}, entry() { n++; } }, { checksum: true, deepSanitize: true, now: Date.now() })));
    if (n !== keys.length) throw new Error(`loaded ${n} keys of ${keys.length}`);
  }
  const line = (what: string, xs: Array<{ cpu: number; wall: number }>): string =>
    `${what}: median ${median(xs.map((x) => x.wall)).toFixed(0)} ms wall, ${median(xs.map((x) => x.cpu)).toFixed(0)} ms CPU (runs: ${xs.map((x) => x.wall.toFixed(0)).join(', ')} ms)\n`;
  process.stdout.write(`RDB codec, ${o.keys} keys of mixed types, ${mb(file.length)} MB file\n`);
  process.stdout.write(line('encode', enc));
  process.stdout.write(line('load  ', load));
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  if (o.codec) {
    codecBench(o);
    return;
  }
  process.stdout.write(`BGSAVE of ${o.keys} keys of mixed types; ${o.clients} clients pipelining SET+GET\n`);
  const results: Result[] = [];
  results.push(await measure('redis-server', (dir) => startRedis(['--dir', dir]), o));
  results.push(await measure('redoubt', (dir) => startRedoubt(['--dir', dir], { cwd: dir }), o));
  const rows = [
    ['', ...results.map((r) => r.server)],
    ['load time (s)', ...results.map((r) => r.loadSec.toFixed(1))],
    ['dataset RSS (MB)', ...results.map((r) => mb(r.datasetBytes))],
    ['dump size (MB)', ...results.map((r) => mb(r.dumpBytes))],
    ['BGSAVE duration (ms)', ...results.map((r) => r.bgsaveMs.toFixed(0))],
    ['extra memory during BGSAVE (MB)', ...results.map((r) => mb(r.extraBytes))],
    ['extra memory / dataset', ...results.map((r) => (r.extraBytes / Math.max(1, r.datasetBytes)).toFixed(2))],
    ['throughput without BGSAVE (req/s)', ...results.map((r) => r.baseRps.toFixed(0))],
    ['throughput during BGSAVE (req/s)', ...results.map((r) => r.duringRps.toFixed(0))],
    ['during / without', ...results.map((r) => (r.duringRps / r.baseRps).toFixed(2))],
  ];
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w = Math.max(...rows.flatMap((r) => r.slice(1).map((c) => c.length)), 12);
  for (const r of rows) process.stdout.write(`${r[0].padEnd(w0)}  ${r.slice(1).map((c) => c.padStart(w)).join('  ')}\n`);
  process.stdout.write('(redis-server: extra memory = copy-on-write of the forked child; redoubt: peak RSS growth of the one process)\n');
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
