/*
 * In-process cost of the request pipeline: nanoseconds per request to parse one RESP request from
 * a buffer and run it through Server.execute (dispatch, ACL, the command, bookkeeping) as a
 * pseudo client, the reply dropped. No sockets and no system calls: it isolates Redoubt's own work
 * from the kernel's and the client's, which dominate the socket benchmark (bench/run.ts) at
 * pipeline 1. Use it to compare two builds of Redoubt, not Redoubt with Redis (the kernel, the
 * event loop and the connection layer are left out; bench/floor.ts measures those).
 *
 * Workloads mirror redis-benchmark's with -r (random 12-digit fields): PING, SET/GET on 100k keys,
 * LPUSH, SADD/HSET/ZADD on one key with 100k members, GEOADD with random members around (13, 38).
 * Each runs its requests once to warm up and grow the data, then `--rounds` timed passes, each on
 * an emptied server that the pass fills again; the best pass is reported.
 *
 * The host's speed drifts (on a shared VM, by 20% or more between runs a minute apart), so two
 * builds are compared in one process: `--against DIR` loads a second build (another checkout's
 * dist/) beside this one and alternates their passes, workload by workload.
 *
 * Usage: npm run bench:inproc [-- --requests N] [--rounds N] [--only ping,set,...] [--against DIR]
 */

import * as path from 'node:path';
import { prng } from '../test/support/prng';

const opts = { requests: 300000, rounds: 4, only: [] as string[], against: '' };
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (a === '--requests') opts.requests = Number(process.argv[++i]);
  else if (a === '--rounds') opts.rounds = Number(process.argv[++i]);
  else if (a === '--only') opts.only = process.argv[++i].split(',');
  else if (a === '--against') opts.against = path.resolve(process.argv[++i]);
  else throw new Error(`unknown option ${a} (--requests N, --rounds N, --only a,b, --against DIR)`);
}
if (!(opts.requests > 0 && opts.rounds > 0)) throw new Error('--requests and --rounds need positive numbers');

const random = prng(20261128);
const r = (n: number): string => String(Math.floor(random() * n)).padStart(12, '0');
const WORKLOADS: Record<string, () => string[]> = {
  ping: () => ['PING'],
  set: () => ['SET', 'key:' + r(100000), 'xxx'],
  get: () => ['GET', 'key:' + r(100000)],
  lpush: () => ['LPUSH', 'mylist', 'xxx'],
  sadd: () => ['SADD', 'myset', 'element:' + r(100000)],
  hset: () => ['HSET', 'myhash', 'element:' + r(100000), 'xxx'],
  zadd: () => ['ZADD', 'myzset', r(100000), 'element:' + r(100000)],
  geoadd: () => ['GEOADD', 'geo:bench', '13.' + r(1e9), '38.' + r(1e9), 'member:' + r(1e9)],
};
const names = opts.only.length > 0 ? opts.only : Object.keys(WORKLOADS);
for (const n of names) if (!(n in WORKLOADS)) throw new Error(`unknown workload ${n}: ${Object.keys(WORKLOADS).join(', ')}`);

function encode(args: string[]): Buffer {
  let o = `*${args.length}\r\n`;
  for (const a of args) o += `$${Buffer.byteLength(a, 'latin1')}\r\n${a}\r\n`;
  return Buffer.from(o, 'latin1');
}

/** One build's server, with a pseudo client and a parser; `pass` times one pass over `requests`. */
interface Build { label: string; pass(requests: Buffer[]): number; errors(): string }

/* eslint-disable @typescript-eslint/no-var-requires, @typescript-eslint/no-explicit-any */
function load(root: string, label: string): Build {
  const { loadConfiguration } = require(path.join(root, 'src/main.js'));
  const { Server } = require(path.join(root, 'src/server/server.js'));
  const { PseudoClient } = require(path.join(root, 'src/server/pseudoclient.js'));
  const { RequestParser } = require(path.join(root, 'src/protocol/parser.js'));
  const server = new Server(loadConfiguration(['--port', '0', '--save', '', '--logfile', '/dev/null']));
  const client = new PseudoClient(server, { id: 1 << 30, kind: 'normal' });
  const parser = new RequestParser({ maxBulkLen: 512 * 1024 * 1024, unauthenticated: false });
  return {
    label,
    pass(requests: Buffer[]): number {
      client.run(['FLUSHALL']);
      const t0 = process.hrtime.bigint();
      for (const req of requests) {
        parser.feed(req);
        const argv = parser.next();
        if (!Array.isArray(argv)) throw new Error('the parser did not return one request');
        server.execute(client, argv);
        client.reply.out = '';
      }
      return Number(process.hrtime.bigint() - t0) / requests.length;
    },
    errors: () => (client.errors > 0 ? `  (${client.errors} error replies: ${client.firstErrors[0]})` : ''),
  };
}
/* eslint-enable @typescript-eslint/no-var-requires, @typescript-eslint/no-explicit-any */

const builds = [load(path.resolve(__dirname, '..'), 'this build')];
if (opts.against !== '') builds.push(load(opts.against, path.basename(path.dirname(opts.against)) + '/' + path.basename(opts.against)));

process.stdout.write(`ns per request (parse + execute, in process), best of ${opts.rounds} passes of ${opts.requests}\n`);
process.stdout.write(`${'workload'.padEnd(10)}${builds.map((b) => (' ' + b.label).padStart(16)).join('')}${builds.length > 1 ? '   ratio' : ''}\n`);
for (const name of names) {
  const requests: Buffer[] = [];
  for (let i = 0; i < opts.requests; i++) requests.push(encode(WORKLOADS[name]()));
  for (const b of builds) b.pass(requests);
  const best = builds.map(() => Infinity);
  for (let k = 0; k < opts.rounds; k++) builds.forEach((b, j) => (best[j] = Math.min(best[j], b.pass(requests))));
  const ratio = builds.length > 1 ? `   ${(best[0] / best[1]).toFixed(2)}` : '';
  process.stdout.write(`${name.toUpperCase().padEnd(10)}${best.map((v) => v.toFixed(0).padStart(16)).join('')}${ratio}${builds.map((b) => b.errors()).join('')}\n`);
}
process.exit(0);
