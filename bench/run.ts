/*
 * Side-by-side benchmark: redis-server and Redoubt, same machine, same run.
 *
 * Throughput: redis-benchmark (-q --csv, 50 clients) runs PING (ping_mbulk), SET, GET, INCR and
 * MSET at pipeline 1 and 16. Each row is one redis-benchmark run per server, the two runs back to
 * back (which server goes first alternates by round): the host's load drifts over minutes, and a
 * pair taken seconds apart sees the same machine. The table reports the median requests per
 * second of each server and the median of the pairs' ratios, and beside them each server's CPU time
 * per request (user + system, all its threads, from /proc/PID/stat around the run; not for LRANGE,
 * whose runs include redis-benchmark's LPUSH prefill), which drifts less with the host's load than
 * requests per second do. Memory: a raw-socket pipelined loader writes the same N keys with 100-byte values
 * into each server, and the report gives used_memory (INFO memory) and resident set size
 * (/proc/<pid>/status VmRSS) per key, net of what each server used before loading.
 *
 * Data types (issue 5): LPUSH, RPOP, SADD, HSET, SPOP, ZADD, LRANGE_100 and LRANGE_600 are
 * redis-benchmark's built-in tests, each its own run with -r 100000 so the collections hold many
 * distinct members, in redis-benchmark's order so each finds what the ones before built (RPOP pops
 * LPUSH's list, SPOP SADD's set; LRANGE's runs bring their own LPUSH prefill, not a row). GEOADD and GEOSEARCH are explicit command lines:
 * GEOADD writes random members around (13.0, 38.0) into a key emptied before each run;
 * GEOSEARCH queries a key this script prefills
 * with GEO_POINTS points spread uniformly over a 0.5 x 0.5 degree square (~2,400 km^2), within
 * 500 m of its centre, COUNT 10 ASC (27 points fall in the circle, a few hundred in the geohash
 * boxes scanned); being ~10x slower per call than the others, it runs a quarter of --requests.
 *
 * --only strings|types|all picks the rows (default all; --types = --only types). The memory part
 * runs with the string rows only. A server that lacks one of the type commands (COMMAND INFO) gets
 * 'n/a' in those rows rather than a rate of error replies.
 *
 * With --acl, both servers get a user `bench` restricted to the key patterns redis-benchmark uses
 * (~key:* ~counter:*) plus a selector, and SET/GET run as that user (`--user bench -a ...`), so the
 * table shows what ACL enforcement costs each server; the memory part is skipped.
 *
 * With --tls, both servers also listen on a TLS port (certificates generated with openssl for the
 * run, `tls-auth-clients no` on both) and redis-benchmark --tls runs PING, SET and GET over it; the
 * memory part is skipped.
 *
 * --acl and --tls apply to the string rows only (the ACL user's key patterns are redis-benchmark's
 * string keys), so they imply --only strings.
 *
 * With --pin (needs taskset and two CPUs), both servers run on the last CPU, every thread of them,
 * and redis-benchmark on CPU 0, so client and server never share a core. Unpinned on a small
 * machine, the scheduler at times runs the client on the server's core (wake-up affinity on
 * loopback ping-pong), and Node's helper threads (parallel GC, compiler) take turns on the client's:
 * the figures then vary more from run to run, and Redoubt's more than Redis's. Both servers get the
 * same treatment; the header says which mode ran.
 *
 * Usage: npm run bench [-- --rounds N] [--requests N] [--keys N] [--quick] [--acl] [--tls]
 *                         [--only strings|types|all] [--types] [--pin]
 * Every server started here is stopped before exit, also on errors and Ctrl-C.
 */

import { spawn, execFileSync } from 'node:child_process';
import * as net from 'node:net';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { freePort, startRedis, startRedoubt, type RunningServer } from '../test/support/servers';
import { makePki, type TestPki } from '../test/support/certs';
import { prng } from '../test/support/prng';
import { cpuTimes } from './proc';

interface Options {
  rounds: number;
  requests: number;
  keys: number;
  clients: number;
  acl: boolean;
  tls: boolean;
  strings: boolean;
  types: boolean;
  /** CPU for both servers, and 0 for redis-benchmark (--pin); null: unpinned */
  pinCpu: number | null;
}

const ACL_USER = 'bench';
const ACL_PASS = 'bench-password-0123456789';
/** key patterns redis-benchmark's SET/GET/INCR/MSET use, a read-only pattern and a selector */
const ACL_RULES = ['on', '>' + ACL_PASS, '+@all', '-@dangerous', '~key:*', '~counter:*', '%R~ro:*', '(+get ~cache:*)'];

function parseOptions(argv: string[]): Options {
  const o: Options = { rounds: 3, requests: 200000, keys: 1000000, clients: 50, acl: false, tls: false, strings: true, types: true, pinCpu: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const num = () => {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v <= 0) throw new Error(`${a} needs a positive integer`);
      return v;
    };
    if (a === '--rounds') o.rounds = num();
    else if (a === '--requests') o.requests = num();
    else if (a === '--keys') o.keys = num();
    else if (a === '--clients') o.clients = num();
    else if (a === '--quick') Object.assign(o, { rounds: 1, requests: 20000, keys: 100000 });
    else if (a === '--acl') o.acl = true;
    else if (a === '--tls') o.tls = true;
    else if (a === '--pin') {
      const cpus = os.cpus().length;
      if (cpus < 2) throw new Error('--pin needs at least two CPUs');
      try {
        execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
      } catch {
        throw new Error('--pin needs taskset (util-linux)');
      }
      o.pinCpu = cpus - 1;
    }
    else if (a === '--types') Object.assign(o, { strings: false, types: true });
    else if (a === '--only') {
      const v = argv[++i];
      if (v === 'strings') Object.assign(o, { strings: true, types: false });
      else if (v === 'types') Object.assign(o, { strings: false, types: true });
      else if (v === 'all') Object.assign(o, { strings: true, types: true });
      else throw new Error('--only needs strings, types or all');
    } else if (a === '--help' || a === '-h') {
      process.stdout.write('usage: npm run bench -- [--rounds N] [--requests N] [--keys N] [--clients N] [--quick] [--acl] [--tls] [--only strings|types|all] [--types] [--pin]\n');
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  if (o.acl || o.tls) {
    if (!o.strings) throw new Error('--acl and --tls measure the string rows only');
    o.types = false;
  }
  return o;
}

const TESTS = ['ping_mbulk', 'set', 'get', 'incr', 'mset'];
const PIPELINES = [1, 16];
/** redis-benchmark's built-in data-type tests (issue 5), in the order it runs them */
const TYPE_TESTS = ['lpush', 'rpop', 'sadd', 'hset', 'spop', 'zadd', 'lrange_100', 'lrange_600'];
/** -r for the type tests: members drawn from 100k names, so sets, hashes and zsets grow large */
const TYPE_KEYSPACE = 100000;
/** points GEOSEARCH's key holds, prefilled by this script after each FLUSHALL */
const GEO_POINTS = 100000;
const GEO_KEY = 'geo:search';
/**
 * redis-benchmark writes __rand_int__ as 12 zero-padded digits of random() % -r, so with -r 1e9
 * "13.__rand_int__" is a longitude in [13.0, 13.001): members land within ~100 m of each other.
 */
const GEOADD_CMD = ['GEOADD', 'geo:bench', '13.__rand_int__', '38.__rand_int__', 'member:__rand_int__'];
const GEOSEARCH_CMD = ['GEOSEARCH', GEO_KEY, 'FROMLONLAT', '13.25', '38.25', 'BYRADIUS', '500', 'm', 'COUNT', '10', 'ASC'];

/** TLS ports of the two servers and the CA their certificate comes from (with --tls). */
interface TlsTarget { ca: string; ports: Map<number, number> }

/**
 * What one redis-benchmark run measures: built-in tests (-t), or one explicit command line whose
 * row is named `label`; `extra` are further arguments (e.g. -r).
 */
type Workload = ({ tests: string[] } | { command: string[]; label: string }) & { extra?: string[]; requests?: number };

/** The string rows, as the options restrict them. */
function stringTests(o: Options): string[] {
  return o.acl ? ['set', 'get'] : o.tls ? ['ping_mbulk', 'set', 'get'] : TESTS;
}

/**
 * Runs redis-benchmark once; returns requests per second by test name (upper case, as printed,
 * without the parenthesised description; LRANGE's LPUSH prefill is left out).
 */
function redisBenchmark(port: number, pipeline: number, o: Options, tlsTarget: TlsTarget | null, work: Workload): Promise<Map<string, number>> {
  return new Promise((resolve, reject) => {
    const auth = o.acl ? ['--user', ACL_USER, '-a', ACL_PASS] : [];
    const target = tlsTarget ? ['--tls', '--cacert', tlsTarget.ca, '-p', String(tlsTarget.ports.get(port))] : ['-p', String(port)];
    const what = 'tests' in work ? ['-t', work.tests.join(',')] : [];
    const args = ['-h', '127.0.0.1', ...target, ...auth, '-c', String(o.clients), '-n', String(work.requests ?? o.requests), '-P', String(pipeline), ...(work.extra ?? []), ...what, '-q', '--csv', ...('command' in work ? work.command : [])];
    const p = o.pinCpu === null
      ? spawn('redis-benchmark', args, { stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn('taskset', ['-c', '0', 'redis-benchmark', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('error', reject);
    p.on('close', (code) => {
      if (code !== 0) return reject(new Error(`redis-benchmark exited with ${code}: ${err}`));
      const rps = new Map<string, number>();
      for (const line of out.split('\n')) {
        const m = /^"([^"]+)","([\d.]+)"/.exec(line);
        if (!m || m[1] === 'test' || m[1].startsWith('LPUSH (needed')) continue;
        rps.set('label' in work ? work.label : m[1].replace(/ \(.*\)$/, ''), Number(m[2]));
      }
      resolve(rps);
    });
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Sends one command on a fresh connection and returns the bulk/simple reply payload. */
function query(port: number, argv: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let buf = '';
    s.setEncoding('latin1');
    s.on('connect', () => s.write(argv.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).reduce((acc, x) => acc + x, `*${argv.length}\r\n`)));
    s.on('data', (d: string) => {
      buf += d;
      const m = /^\$(\d+)\r\n/.exec(buf);
      if (m && buf.length >= m[0].length + Number(m[1]) + 2) {
        s.destroy();
        resolve(buf.slice(m[0].length, m[0].length + Number(m[1])));
      } else if (/^[+:-].*\r\n/.test(buf)) {
        s.destroy();
        resolve(buf.slice(1, buf.indexOf('\r\n')));
      }
    });
    s.on('error', reject);
  });
}

/** Loads `n` keys (key:0000000 …) with 100-byte values, pipelined in batches over one socket. */
function loadKeys(port: number, n: number): Promise<void> {
  const value = 'x'.repeat(100);
  const BATCH = 2000;
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let sent = 0;
    let acked = 0;
    let pendingText = '';
    const sendBatch = () => {
      let out = '';
      const end = Math.min(n, sent + BATCH);
      for (; sent < end; sent++) {
        const key = 'key:' + String(sent).padStart(7, '0');
        out += `*3\r\n$3\r\nSET\r\n$${key.length}\r\n${key}\r\n$100\r\n${value}\r\n`;
      }
      s.write(out, 'latin1');
    };
    s.setEncoding('latin1');
    s.on('connect', () => {
      sendBatch();
      sendBatch();
    });
    s.on('data', (d: string) => {
      const text = pendingText + d;
      let i = 0;
      for (;;) {
        const nl = text.indexOf('\r\n', i);
        if (nl < 0) break;
        if (text[i] !== '+') return reject(new Error(`loader got ${JSON.stringify(text.slice(i, nl))}`));
        acked++;
        i = nl + 2;
      }
      pendingText = text.slice(i);
      // Keep two batches in flight: enough to saturate the server, bounded memory on both sides.
      while (sent < n && sent - acked < 2 * BATCH) sendBatch();
      if (acked === n) {
        s.end();
        resolve();
      }
    });
    s.on('error', reject);
  });
}

/** True if the server knows the command (COMMAND INFO answers with a non-null entry). */
function hasCommand(port: number, name: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let buf = '';
    s.setEncoding('latin1');
    s.on('connect', () => s.write(`*3\r\n$7\r\nCOMMAND\r\n$4\r\nINFO\r\n$${name.length}\r\n${name}\r\n`));
    s.on('data', (d: string) => {
      buf += d;
      if (buf.length >= 8) {
        s.destroy();
        resolve(buf.startsWith('*1\r\n*') && !buf.startsWith('*1\r\n*-1'));
      }
    });
    s.on('error', reject);
  });
}


/** Fills GEO_KEY with GEO_POINTS points uniformly in [13.0, 13.5) x [38.0, 38.5), 500 per GEOADD. */
async function loadGeo(port: number): Promise<void> {
  const rnd = prng(7);
  const cmds: string[][] = [];
  for (let i = 0; i < GEO_POINTS; i += 500) {
    const argv = ['GEOADD', GEO_KEY];
    for (let j = i; j < Math.min(GEO_POINTS, i + 500); j++) argv.push((13 + rnd() / 2).toFixed(6), (38 + rnd() / 2).toFixed(6), 'p:' + j);
    cmds.push(argv);
  }
  for (const argv of cmds) {
    const r = await query(port, argv);
    if (!/^\d+$/.test(r)) throw new Error(`GEOADD prefill failed: ${r}`);
  }
  const n = Number(await query(port, ['ZCARD', GEO_KEY]));
  if (n !== GEO_POINTS) throw new Error(`GEOADD prefill: ZCARD ${n}, expected ${GEO_POINTS}`);
}

/** CPU time (user + system, all threads) a process has used so far, in seconds. */
function cpuSeconds(pid: number): number {
  const [user, sys] = cpuTimes(pid);
  return user + sys;
}

function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

async function usedMemory(port: number): Promise<number> {
  const info = await query(port, ['INFO', 'memory']);
  const m = /used_memory:(\d+)/.exec(info);
  return m ? Number(m[1]) : NaN;
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r, i) => {
    const line = r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
    return i === 0 ? line + '\n' + widths.map((w) => '-'.repeat(w)).join('  ') : line;
  }).join('\n');
}

const fmt = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  for (const tool of ['redis-server', 'redis-benchmark']) {
    try {
      execFileSync(tool, ['--version'], { stdio: 'ignore' });
    } catch {
      throw new Error(`${tool} is not installed (apt-get install redis-server redis-tools)`);
    }
  }
  const servers: RunningServer[] = [];
  let pki: TestPki | null = null;
  const stopAll = () => Promise.all(servers.map((s) => s.stop())).then(() => pki?.cleanup());
  process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
  process.once('SIGTERM', () => void stopAll().then(() => process.exit(143)));
  try {
    const noPersistence = ['--save', '', '--appendonly', 'no'];
    let tlsTarget: TlsTarget | null = null;
    const tlsArgs: [string[], string[]] = [[], []];
    if (o.tls) {
      pki = makePki();
      const common = ['--tls-cert-file', pki.server.cert, '--tls-key-file', pki.server.key, '--tls-ca-cert-file', pki.caCert, '--tls-auth-clients', 'no'];
      const ports = [await freePort(), await freePort()];
      tlsArgs[0] = ['--tls-port', String(ports[0]), ...common];
      tlsArgs[1] = ['--tls-port', String(ports[1]), ...common];
      tlsTarget = { ca: pki.caCert, ports: new Map() };
    }
    const redis = await startRedis(tlsArgs[0]);
    servers.push(redis);
    const redoubt = await startRedoubt([...noPersistence, ...tlsArgs[1]]);
    servers.push(redoubt);
    if (tlsTarget) {
      tlsTarget.ports.set(redis.port, Number(tlsArgs[0][1]));
      tlsTarget.ports.set(redoubt.port, Number(tlsArgs[1][1]));
      process.stdout.write('over TLS (redis-benchmark --tls; both servers tls-auth-clients no)\n');
    }
    if (o.pinCpu !== null) {
      // every thread of each server (-a); threads started later inherit their creator's set
      for (const s of [redis, redoubt]) execFileSync('taskset', ['-a', '-p', '-c', String(o.pinCpu), String(s.proc.pid)], { stdio: 'ignore' });
    }
    const version = execFileSync('redis-server', ['--version']).toString().trim().split(' ').slice(0, 3).join(' ');
    const pinned = o.pinCpu === null ? 'unpinned' : `servers pinned to CPU ${o.pinCpu}, redis-benchmark to CPU 0`;
    process.stdout.write(`Redoubt vs ${version}; ${o.rounds} round(s), ${o.requests} requests, ${o.clients} clients; ${pinned}\n\n`);
    if (o.acl) {
      for (const server of [redis, redoubt]) {
        const r = await query(server.port, ['ACL', 'SETUSER', ACL_USER, ...ACL_RULES]);
        if (r !== 'OK') throw new Error(`ACL SETUSER failed: ${r}`);
      }
      process.stdout.write(`as user ${ACL_USER}: ${ACL_RULES.filter((r) => !r.startsWith('>')).join(' ')}\n\n`);
    }

    type Sample = { redis: number[]; redoubt: number[]; ratios: number[]; cpu: { redis: number[]; redoubt: number[] } };
    const samples = new Map<string, Sample>();
    /** `cpuUs`: the server's CPU time per request in that run (null when the run did other work too) */
    const record = (name: 'redis' | 'redoubt', pipeline: number, rps: Map<string, number>, cpuUs: number | null) => {
      for (const [test, v] of rps) {
        const key = `${test}\t${pipeline}`;
        if (!samples.has(key)) samples.set(key, { redis: [], redoubt: [], ratios: [], cpu: { redis: [], redoubt: [] } });
        const s = samples.get(key)!;
        s[name].push(v);
        if (cpuUs !== null && rps.size === 1) s.cpu[name].push(cpuUs);
        // the two runs of a pair follow each other: their ratio sees the same machine
        if (s.redis.length === s.redoubt.length) s.ratios.push(s.redoubt[s.redoubt.length - 1] / s.redis[s.redis.length - 1]);
      }
    };
    // A server still lacking a family gets 'n/a' rows rather than timing its error replies.
    const lacks = new Map<RunningServer, Set<string>>();
    if (o.types) {
      for (const [name, server] of [['redis', redis], ['redoubt', redoubt]] as const) {
        const missing = new Set<string>();
        for (const c of ['lpush', 'rpop', 'lrange', 'sadd', 'spop', 'hset', 'zadd', 'geoadd', 'geosearch']) if (!(await hasCommand(server.port, c))) missing.add(c);
        if (missing.size) process.stdout.write(`${name} lacks ${[...missing].join(' ')}: those rows are skipped for it\n`);
        lacks.set(server, missing);
      }
    }
    /** one row's measurement: what redis-benchmark runs, what must hold before, what it needs */
    interface Job { work: Workload; flush?: boolean; before?: (port: number) => Promise<void>; needs: string[]; tls: boolean }
    const jobs: Job[] = [];
    if (o.strings) {
      stringTests(o).forEach((t, i) => jobs.push({ work: { tests: [t] }, flush: i === 0, needs: [], tls: true }));
    }
    if (o.types) {
      // in redis-benchmark's own order, so each test finds what the previous ones built (RPOP pops
      // LPUSH's list, SPOP SADD's set); LRANGE's runs bring their own LPUSH prefill
      TYPE_TESTS.forEach((t, i) => jobs.push({
        work: { tests: [t], extra: ['-r', String(TYPE_KEYSPACE)] }, flush: i === 0, tls: false,
        needs: t.startsWith('lrange') ? ['lrange', 'lpush'] : [t],
      }));
      // every GEOADD run starts from an empty key, so each run adds the same members' worth on
      // both servers: runs on a growing key were unequal, as a redis-benchmark run can repeat an
      // earlier run's random sequence (seen: after five 200k runs one server's key held 800k
      // members, the other's 1M) and then only rewrites existing members, a cheaper run
      jobs.push({ work: { command: GEOADD_CMD, label: 'GEOADD', extra: ['-r', '1000000000'] }, before: async (port) => void (await query(port, ['DEL', GEOADD_CMD[1]])), needs: ['geoadd'], tls: false });
      jobs.push({ work: { command: GEOSEARCH_CMD, label: 'GEOSEARCH', requests: Math.max(1000, o.requests >> 2) }, before: loadGeo, needs: ['geoadd', 'geosearch'], tls: false });
    }
    // Each row is measured on both servers back to back (alternating which goes first), round
    // after round: the machine's load drifts over minutes, and a pair taken seconds apart sees
    // the same machine. The ratio reported is the median of the pairs' ratios.
    for (let round = 0; round < o.rounds; round++) {
      const order: [string, RunningServer][] = round % 2 === 0 ? [['redis', redis], ['redoubt', redoubt]] : [['redoubt', redoubt], ['redis', redis]];
      for (const pipeline of PIPELINES) {
        for (const job of jobs) {
          if (order.some(([, server]) => job.needs.some((c) => lacks.get(server)?.has(c)))) continue;
          for (const [name, server] of order) {
            if (job.flush) await query(server.port, ['FLUSHALL']);
            if (job.before) await job.before(server.port);
            const cpu0 = cpuSeconds(server.proc.pid!);
            const rps = await redisBenchmark(server.port, pipeline, o, job.tls ? tlsTarget : null, job.work);
            // redis-benchmark's LRANGE tests first run an LPUSH prefill of their own: CPU not per LRANGE
            const prefilled = 'tests' in job.work && job.work.tests.some((t) => t.startsWith('lrange'));
            const cpuUs = prefilled ? null : ((cpuSeconds(server.proc.pid!) - cpu0) * 1e6) / (job.work.requests ?? o.requests);
            record(name as 'redis' | 'redoubt', pipeline, rps, cpuUs);
          }
        }
      }
      process.stdout.write(`round ${round + 1}/${o.rounds} done\n`);
    }
    const rows = [['test', 'pipeline', 'redis rps', 'redoubt rps', 'ratio', 'redis cpu', 'redoubt cpu']];
    const us = (xs: number[]) => (xs.length === 0 ? '-' : median(xs).toFixed(1));
    for (const [key, s] of samples) {
      const [test, pipeline] = key.split('\t');
      rows.push([test, pipeline, fmt(median(s.redis)), fmt(median(s.redoubt)), s.ratios.length ? median(s.ratios).toFixed(2) : 'n/a', us(s.cpu.redis), us(s.cpu.redoubt)]);
    }
    process.stdout.write('\nThroughput (median requests per second; ratio = median of the paired runs\' redoubt / redis;\n' +
      'cpu = the server process\'s CPU time per request in µs, user + system, all threads, median)\n\n' + table(rows) + '\n\n');
    if (o.acl || o.tls || !o.strings) return;

    const mem = [['server', 'keys', 'used_memory', 'bytes/key', 'RSS', 'RSS bytes/key']];
    for (const [name, server] of [['redis', redis], ['redoubt', redoubt]] as const) {
      await query(server.port, ['FLUSHALL']);
      await new Promise((r) => setTimeout(r, 500));
      const used0 = await usedMemory(server.port);
      const rss0 = rssBytes(server.proc.pid!);
      const t0 = Date.now();
      await loadKeys(server.port, o.keys);
      const loadMs = Date.now() - t0;
      const dbsize = Number(await query(server.port, ['DBSIZE']));
      if (dbsize !== o.keys) throw new Error(`${name}: DBSIZE ${dbsize} after loading ${o.keys} keys`);
      await new Promise((r) => setTimeout(r, 1000));
      const used = await usedMemory(server.port);
      const rss = rssBytes(server.proc.pid!);
      mem.push([name, fmt(o.keys), fmt(used), ((used - used0) / o.keys).toFixed(1), fmt(rss), ((rss - rss0) / o.keys).toFixed(1)]);
      process.stdout.write(`${name}: loaded ${fmt(o.keys)} keys in ${(loadMs / 1000).toFixed(1)} s\n`);
      await query(server.port, ['FLUSHALL']);
    }
    process.stdout.write(`\nMemory (${fmt(o.keys)} keys, 100-byte values; per key = growth over the empty server)\n\n` + table(mem) + '\n');
  } finally {
    await stopAll();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
