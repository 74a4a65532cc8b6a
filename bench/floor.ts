/*
 * What the platform allows: PING at pipeline 1 against redis-server, Redoubt, and two Node servers
 * that do nothing but answer +PONG (bench/floor-server.ts: one on Redoubt's own I/O paths, one on
 * ordinary Node streams). No Node server can do less per request than those two, so they show how
 * much of the gap between Redoubt and redis-server Node itself imposes, and how much is Redoubt's.
 *
 * Besides requests per second, each run reads the server's CPU time (user and system, from
 * /proc/<pid>/stat) before and after and reports microseconds per request: on a host where the
 * client (redis-benchmark) competes for the same cores, CPU per request is the steadier figure.
 * Each round runs every server once, back to back, the order rotating by round; a server's ratio
 * is the median over rounds of its rate over redis-server's in the same round.
 *
 * Usage: npm run bench:floor [-- --rounds N] [--requests N] [--clients N]
 * Linux only (it reads /proc). Every server started here is stopped before exit.
 */

import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { freePort, startRedis, startRedoubt, startProcess, type RunningServer } from '../test/support/servers';
import { option } from './options';
import { cpuTimes as cpu } from './proc';

const rounds = option('--rounds', 5);
const requests = option('--requests', 300000);
const clients = option('--clients', 50);


interface Sample {
  rps: number;
  user: number;
  sys: number;
}

function run(s: RunningServer): Sample {
  const pid = s.proc.pid!;
  const [u0, s0] = cpu(pid);
  const r = spawnSync('redis-benchmark', ['-h', '127.0.0.1', '-p', String(s.port), '-c', String(clients), '-n', String(requests), '-P', '1', '-t', 'ping_mbulk', '-q', '--csv'], { encoding: 'latin1' });
  const [u1, s1] = cpu(pid);
  const m = /"PING_MBULK","([\d.]+)"/.exec(r.stdout ?? '');
  if (r.status !== 0 || m === null) throw new Error(`redis-benchmark failed: ${r.stderr}${r.stdout}`);
  return { rps: Number(m[1]), user: ((u1 - u0) * 1e6) / requests, sys: ((s1 - s0) * 1e6) / requests };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function main(): Promise<void> {
  const floorJs = path.join(__dirname, 'floor-server.js');
  const servers: Array<{ name: string; s: RunningServer }> = [];
  try {
    servers.push({ name: 'redis-server', s: await startRedis(['--save', '', '--appendonly', 'no']) });
    servers.push({ name: 'Redoubt', s: await startRedoubt(['--save', '']) });
    for (const variant of ['fast', 'streams']) {
      const port = await freePort();
      servers.push({ name: `Node floor (${variant === 'fast' ? "Redoubt's I/O" : 'streams'})`, s: await startProcess(process.execPath, [floorJs, String(port), variant], port) });
    }
    const samples = new Map<string, Sample[]>(servers.map((x) => [x.name, []]));
    const ratios = new Map<string, number[]>(servers.map((x) => [x.name, []]));
    for (let r = 0; r < rounds; r++) {
      const order = servers.map((_, i) => servers[(i + r) % servers.length]);
      const got = new Map<string, Sample>();
      for (const x of order) got.set(x.name, run(x.s));
      const redis = got.get('redis-server')!.rps;
      for (const [name, sample] of got) {
        samples.get(name)!.push(sample);
        ratios.get(name)!.push(sample.rps / redis);
      }
      process.stderr.write(`round ${r + 1}/${rounds}: ${[...got].map(([n, s]) => `${n} ${Math.round(s.rps)}`).join(', ')}\n`);
    }
    const rows = [['server', 'rps (median)', 'ratio to redis', 'CPU µs/req user', 'system', 'total']];
    for (const { name } of servers) {
      const xs = samples.get(name)!;
      const user = median(xs.map((x) => x.user));
      const sys = median(xs.map((x) => x.sys));
      rows.push([name, String(Math.round(median(xs.map((x) => x.rps)))), median(ratios.get(name)!).toFixed(2), user.toFixed(2), sys.toFixed(2), median(xs.map((x) => x.user + x.sys)).toFixed(2)]);
    }
    const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
    process.stdout.write(`PING_MBULK, pipeline 1, ${clients} clients, ${requests} requests, ${rounds} rounds\n`);
    for (const row of rows) process.stdout.write('| ' + row.map((v, c) => v.padEnd(widths[c])).join(' | ') + ' |\n');
  } finally {
    await Promise.all(servers.map((x) => x.s.stop()));
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
