/*
 * Replication cost: SET throughput of a primary with no replica and with two replicas attached
 * (replicas of the same kind as the primary), Redoubt beside redis-server 7.0.15, measured with
 * redis-benchmark (50 clients, pipeline 1 and 16); and replication lag under that load: how far
 * behind the primary's master_repl_offset the slowest replica's applied offset (its own INFO
 * slave_repl_offset, asked together with the primary's) is, sampled every 50 ms while the benchmark
 * runs (bytes), and how long the replicas take to catch up after it. The replicas' ACKs are not
 * used for the lag: they come once a second, so they would measure the ACK period, not the lag.
 * All servers share this machine's cores, so with pipelining the replicas' work competes with the
 * primary's for CPU: the ratio then says as much about the machine as about the protocol.
 *
 * Usage: npm run bench:replication [-- --requests N] [--redis-replicas]
 * (--redis-replicas: the replicas are redis-server for both primaries, isolating the primary side)
 */

import { execFile, execFileSync } from 'node:child_process';
import { startRedis, startRedoubt, type RunningServer } from '../test/support/servers';
import { RawConn } from '../test/support/dataset';
import type { RespValue } from '../test/support/resp';
import { option } from './options';

function cli(port: number, ...args: string[]): string {
  return execFileSync('redis-cli', ['-p', String(port), ...args], { encoding: 'latin1' });
}

function infoField(port: number, name: string): string | null {
  const m = cli(port, 'INFO', 'replication').match(new RegExp(`^${name}:(.*)\\r?$`, 'm'));
  return m ? m[1].trim() : null;
}

function fieldOf(info: RespValue, name: string): number {
  const m = new RegExp(`^${name}:(\\d+)`, 'm').exec(String(info.v));
  if (!m) throw new Error(`no ${name} in INFO: ${String(info.v).slice(0, 200)}`);
  return Number(m[1]);
}

/**
 * Lag samples over persistent connections: the replicas' INFO is asked first and the primary's
 * right after, all in flight at once, so a sample is an upper bound off by about one round trip.
 */
class LagSampler {
  maxLag = 0;
  samples = 0;
  private busy = false;
  private timer: NodeJS.Timeout | null = null;
  private constructor(private readonly primary: RawConn, private readonly replicas: RawConn[]) {}
  static async open(primary: number, replicas: number[]): Promise<LagSampler> {
    return new LagSampler(await RawConn.open(primary), await Promise.all(replicas.map((p) => RawConn.open(p))));
  }
  start(): void {
    this.timer = setInterval(() => void this.sample(), 50);
  }
  private async sample(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const reps = this.replicas.map((c) => c.call('INFO', 'replication'));
      const prim = this.primary.call('INFO', 'replication');
      const applied = Math.min(...(await Promise.all(reps)).map((r) => fieldOf(r, 'slave_repl_offset')));
      const lag = fieldOf(await prim, 'master_repl_offset') - applied;
      this.samples++;
      if (lag > this.maxLag) this.maxLag = lag;
    } finally {
      this.busy = false;
    }
  }
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    while (this.busy) await new Promise((r) => setTimeout(r, 5));
    this.primary.close();
    for (const c of this.replicas) c.close();
  }
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
    const sampler = replicas > 0 ? await LagSampler.open(p.port, reps.map((r) => r.port)) : null;
    sampler?.start();
    const rate = await benchmark(p.port, requests, pipeline);
    await sampler?.stop();
    const maxLag = sampler?.maxLag ?? 0;
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
