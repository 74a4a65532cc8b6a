/*
 * Replication cost: SET throughput of a primary with no replica and with two replicas attached
 * (replicas of the same kind as the primary), Redoubt beside redis-server 7.0.15, measured with
 * redis-benchmark (50 clients, pipeline 1 and 16); and replication lag under that load: how far
 * behind the primary's master_repl_offset the slowest replica's ACKed offset is, sampled every
 * 100 ms while the benchmark runs (bytes), and how long the replicas take to catch up after it.
 *
 * Usage: npm run bench:replication [-- --requests N] [--redis-replicas]
 * (--redis-replicas: the replicas are redis-server for both primaries, isolating the primary side)
 */

import { execFile, execFileSync } from 'node:child_process';
import { startRedis, startRedoubt, type RunningServer } from '../test/support/servers';

function option(name: string, def: number): number {
  const i = process.argv.indexOf(name);
  if (i < 0) return def;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v <= 0) throw new Error(`${name} needs a positive integer`);
  return v;
}

function cli(port: number, ...args: string[]): string {
  return execFileSync('redis-cli', ['-p', String(port), ...args], { encoding: 'latin1' });
}

function infoField(port: number, name: string): string | null {
  const m = cli(port, 'INFO', 'replication').match(new RegExp(`^${name}:(.*)\\r?$`, 'm'));
  return m ? m[1].trim() : null;
}

/** Smallest ACKed offset among the primary's replicas (INFO slaveN offset=). */
function slowestAck(port: number): number {
  const s = cli(port, 'INFO', 'replication');
  const offs = [...s.matchAll(/^slave\d+:.*offset=(\d+)/gm)].map((m) => Number(m[1]));
  return offs.length ? Math.min(...offs) : 0;
}

function benchmark(port: number, requests: number, pipeline: number): Promise<number> {
  return new Promise((resolve, reject) => {
    execFile('redis-benchmark', ['-p', String(port), '-t', 'set', '-n', String(requests), '-P', String(pipeline), '-r', '100000', '-c', '50', '-q', '--csv'], { encoding: 'latin1' }, (err, out) => {
      if (err) return reject(err);
      const line = out.split('\n').find((l) => l.startsWith('"SET"'));
      if (!line) return reject(new Error(`unexpected redis-benchmark output: ${out}`));
      resolve(Number(line.split(',')[1].replace(/"/g, '')));
    });
  });
}

async function waitUntil(fn: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (fn()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

type Start = (args: string[]) => Promise<RunningServer>;

const redisReplicas = process.argv.includes('--redis-replicas');

async function measure(start: Start, replicas: number, requests: number, pipeline: number): Promise<{ rate: number; maxLag: number; catchUpMs: number }> {
  const p = await start(['--save', '', '--repl-diskless-sync-delay', '0']);
  const reps: RunningServer[] = [];
  try {
    for (let i = 0; i < replicas; i++) reps.push(await (redisReplicas ? (a: string[]) => startRedis(a) : start)(['--save', '', '--replicaof', '127.0.0.1', String(p.port)]));
    for (const r of reps) {
      if (!(await waitUntil(() => infoField(r.port, 'master_link_status') === 'up', 20000))) throw new Error('replica did not sync');
    }
    let maxLag = 0;
    const sampler = setInterval(() => {
      if (replicas === 0) return;
      const lag = Number(infoField(p.port, 'master_repl_offset')) - slowestAck(p.port);
      if (lag > maxLag) maxLag = lag;
    }, 100);
    const rate = await benchmark(p.port, requests, pipeline);
    clearInterval(sampler);
    const t0 = Date.now();
    const target = Number(infoField(p.port, 'master_repl_offset'));
    if (replicas > 0) await waitUntil(() => reps.every((r) => Number(infoField(r.port, 'master_repl_offset')) >= target), 60000);
    return { rate, maxLag, catchUpMs: replicas > 0 ? Date.now() - t0 : 0 };
  } finally {
    for (const r of reps) await r.stop();
    await p.stop();
  }
}

async function main(): Promise<void> {
  const requests = option('--requests', 100000);
  const rows = [['server', 'pipeline', '0 replicas req/s', '2 replicas req/s', 'ratio', 'max lag bytes', 'catch-up ms']];
  const servers: Array<[string, Start]> = [['redoubt', (a) => startRedoubt(a)], ['redis', (a) => startRedis(a)]];
  for (const pipeline of [1, 16]) {
    for (const [name, start] of servers) {
      const alone = await measure(start, 0, requests, pipeline);
      const two = await measure(start, 2, requests, pipeline);
      rows.push([name, String(pipeline), alone.rate.toFixed(0), two.rate.toFixed(0), (two.rate / alone.rate).toFixed(2), String(two.maxLag), String(two.catchUpMs)]);
    }
  }
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows) process.stdout.write(r.map((c, i) => c.padStart(w[i])).join('  ') + '\n');
}

main().catch((e) => {
  process.stderr.write(String(e?.stack ?? e) + '\n');
  process.exit(1);
});
