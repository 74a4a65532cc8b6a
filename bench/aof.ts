/*
 * AOF write throughput: SET with appendonly yes under appendfsync everysec and always, Redoubt
 * beside redis-server 7.0.15 with the same settings, plus the same SET with appendonly no as the
 * baseline the AOF cost is read against. redis-benchmark (50 clients, -r 100000) at pipeline 1
 * and 16; prints the median requests/s of each server and the Redoubt/Redis ratio.
 *
 * Method: one pair of servers per setting, each in a fresh temp `dir`, kept for every round and
 * pipeline, warmed up by one unmeasured run first (a fresh Node process runs its first ~100k
 * requests before the JIT has settled, which a short cold run would measure instead of the AOF).
 * Rounds alternate which server goes first, so drift in the machine's load hits both alike.
 * appendfsync always at pipeline 1 runs a tenth of --requests (one fdatasync per request there).
 *
 * Besides requests/s, each server's CPU time per request (user + system, all threads, from
 * /proc/<pid>/stat around each run) is reported: on a shared machine the rate moves with the
 * neighbours' load, while the CPU a request costs barely does, so the AOF's own cost shows there.
 *
 * Usage: npm run bench:aof [-- --requests N] [--rounds N]
 */

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startRedis, startRedoubt, type RunningServer } from '../test/support/servers';
import { option } from './options';

function setRate(port: number, requests: number, pipeline: number): number {
  const out = execFileSync('redis-benchmark', ['-p', String(port), '-t', 'set', '-n', String(requests), '-P', String(pipeline), '-r', '100000', '-c', '50', '-q', '--csv'], { encoding: 'latin1' });
  const line = out.split('\n').find((l) => l.startsWith('"SET"'));
  if (!line) throw new Error(`unexpected redis-benchmark output: ${out}`);
  return Number(line.split(',')[1].replace(/"/g, ''));
}

let clockTick = 0;
/** user + system CPU seconds of a process so far (all its threads), or NaN off Linux */
function cpuSeconds(pid: number | undefined): number {
  try {
    if (clockTick === 0) clockTick = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'latin1' }).trim()) || 100;
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / clockTick;
  } catch {
    return NaN;
  }
}

/** requests/s and server CPU microseconds per request of one redis-benchmark run */
function measure(s: RunningServer, requests: number, pipeline: number): { rate: number; cpu: number } {
  const c0 = cpuSeconds(s.proc.pid);
  const rate = setRate(s.port, requests, pipeline);
  return { rate, cpu: ((cpuSeconds(s.proc.pid) - c0) * 1e6) / requests };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const PIPELINES = [1, 16];

async function main(): Promise<void> {
  const requests = option('--requests', 100000);
  const rounds = option('--rounds', 3);
  const rows = [['appendfsync', 'pipeline', 'redoubt req/s', 'redis req/s', 'ratio', 'redoubt cpu us/req', 'redis cpu us/req', 'cpu ratio']];
  const dirs: string[] = [];
  const running: RunningServer[] = [];
  try {
    for (const fsync of ['(aof off)', 'everysec', 'always']) {
      const persistence = fsync === '(aof off)' ? ['--appendonly', 'no'] : ['--appendonly', 'yes', '--appendfsync', fsync];
      const ourDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-aof-'));
      const theirDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-aof-'));
      dirs.push(ourDir, theirDir);
      const ours = await startRedoubt(['--dir', ourDir, '--save', '', ...persistence], { cwd: ourDir });
      running.push(ours);
      const theirs = await startRedis(['--dir', theirDir, ...persistence]);
      running.push(theirs);
      const n = (pipeline: number) => (fsync === 'always' && pipeline === 1 ? Math.max(1000, Math.floor(requests / 10)) : requests);
      for (const s of [ours, theirs]) setRate(s.port, Math.max(20000, requests), 16);
      type Sample = { rate: number; cpu: number };
      const samples = new Map<number, { ours: Sample[]; theirs: Sample[] }>(PIPELINES.map((p) => [p, { ours: [], theirs: [] }]));
      for (let round = 0; round < rounds; round++) {
        for (const pipeline of PIPELINES) {
          const smp = samples.get(pipeline)!;
          const order: Array<[RunningServer, Sample[]]> = [[ours, smp.ours], [theirs, smp.theirs]];
          if (round % 2 === 1) order.reverse();
          for (const [s, into] of order) into.push(measure(s, n(pipeline), pipeline));
        }
      }
      for (const pipeline of PIPELINES) {
        const smp = samples.get(pipeline)!;
        const a = median(smp.ours.map((x) => x.rate));
        const b = median(smp.theirs.map((x) => x.rate));
        const ca = median(smp.ours.map((x) => x.cpu));
        const cb = median(smp.theirs.map((x) => x.cpu));
        rows.push([fsync, String(pipeline), a.toFixed(0), b.toFixed(0), (a / b).toFixed(2), ca.toFixed(2), cb.toFixed(2), (ca / cb).toFixed(2)]);
      }
      await Promise.all([ours.stop(), theirs.stop()]);
      running.length = 0;
    }
  } finally {
    await Promise.all(running.map((s) => s.stop()));
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  }
  process.stdout.write(`SET, 50 clients, ${requests} requests, median of ${rounds} round(s) after a warm-up run\n\n`);
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows) process.stdout.write(r.map((c, i) => c.padStart(w[i])).join('  ') + '\n');
}

main().catch((e) => {
  process.stderr.write(String(e?.stack ?? e) + '\n');
  process.exit(1);
});
