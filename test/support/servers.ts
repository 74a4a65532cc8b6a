/*
 * Starts real server processes for tests: Redoubt (bin/redoubt) and the reference redis-server
 * 7.0.15, each on a free loopback port, and stops them by pid. Every process a test starts is
 * stopped by that test (or at process exit as a last resort).
 */

import { spawn, type ChildProcess, execFileSync } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { before, after } from 'node:test';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const REDOUBT_BIN = path.join(ROOT, 'bin', 'redoubt');

const started = new Set<ChildProcess>();
process.on('exit', () => {
  for (const p of started) if (p.exitCode === null) p.kill('SIGKILL');
});

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export async function waitForPort(port: number, timeoutMs = 10000, host = '127.0.0.1'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, host);
      s.once('connect', () => { s.destroy(); resolve(true); });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`port ${port} did not open within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export interface RunningServer {
  port: number;
  proc: ChildProcess;
  /** accumulated stdout+stderr (the server log when no logfile is set) */
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

function track(proc: ChildProcess, port: number): RunningServer {
  started.add(proc);
  let out = '';
  proc.stdout?.on('data', (d) => (out += d));
  proc.stderr?.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => { started.delete(proc); resolve(code); }));
  return {
    port,
    proc,
    output: () => out,
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
  };
}

/**
 * Starts Redoubt with the given extra arguments (`--name value ...`).
 *
 * A free port found by freePort() may be taken by someone else (another test file's server or
 * client) before Redoubt binds it; Redoubt then exits at start-up, and the port may even answer
 * for another server. So a start counts only once this process printed "Ready to accept
 * connections" (or, for a server that logs elsewhere, once its port answers while it runs), and a
 * start lost to a port conflict is retried on another port.
 */
export async function startRedoubt(args: string[] = [], opts: { port?: number; wait?: boolean; cwd?: string } = {}): Promise<RunningServer> {
  const cwd = opts.cwd ?? fs.mkdtempSync(path.join(os.tmpdir(), 'redoubt-test-'));
  for (let attempt = 0; ; attempt++) {
    const port = opts.port ?? (await freePort());
    // no save points unless a test asks for them, as the oracle runs (`--save ''`): a later `--save`
    // in args replaces this one
    const proc = spawn(process.execPath, [REDOUBT_BIN, '--port', String(port), '--save', '', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd,
    });
    const s = track(proc, port);
    if (opts.wait === false) return s;
    const outcome = await startOutcome(s, port);
    if (outcome === 'ready') return s;
    if (outcome === 'port-taken' && opts.port === undefined && attempt < 3) continue;
    throw new Error(`Redoubt did not start on port ${port} (${outcome}):\n${s.output().slice(-2000)}`);
  }
}

async function startOutcome(s: RunningServer, port: number, timeoutMs = 10000): Promise<'ready' | 'port-taken' | 'exited' | 'timeout'> {
  const deadline = Date.now() + timeoutMs;
  let answeredAt = 0;
  for (;;) {
    if (s.output().includes('Ready to accept connections')) return 'ready';
    if (s.proc.exitCode !== null || s.proc.signalCode !== null) {
      return /Could not create server TCP listening socket.*(in use|EADDRINUSE)/i.test(s.output()) ? 'port-taken' : 'exited';
    }
    if (answeredAt === 0) {
      const open = await new Promise<boolean>((resolve) => {
        const c = net.connect(port, '127.0.0.1');
        c.once('connect', () => { c.destroy(); resolve(true); });
        c.once('error', () => resolve(false));
      });
      if (open) answeredAt = Date.now();
    } else if (Date.now() - answeredAt > 1000) {
      // logging to a file or above `notice`: the port answered and the process still runs
      return 'ready';
    }
    if (Date.now() > deadline) return 'timeout';
    await new Promise((r) => setTimeout(r, 25));
  }
}

let redisBin: string | null | undefined;
export function redisServerBin(): string | null {
  if (redisBin !== undefined) return redisBin;
  try {
    execFileSync('redis-server', ['--version']);
    redisBin = 'redis-server';
  } catch {
    redisBin = null;
  }
  return redisBin;
}

/** Starts the reference redis-server (no persistence) on a free port. */
export async function startRedis(args: string[] = []): Promise<RunningServer> {
  const bin = redisServerBin();
  if (!bin) throw new Error('redis-server is not installed (apt-get install redis-server)');
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'redis-oracle-'));
  const proc = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const s = track(proc, port);
  await waitForPort(port);
  return s;
}

/**
 * Inside a `describe`: starts a reference redis-server and a Redoubt before its tests and stops both
 * after them. The returned object's fields are set once the servers run.
 */
export function bothServers(redisArgs: string[] = [], redoubtArgs: string[] = []): { redis: RunningServer; redoubt: RunningServer } {
  const pair = {} as { redis: RunningServer; redoubt: RunningServer };
  before(async () => {
    [pair.redis, pair.redoubt] = await Promise.all([startRedis(redisArgs), startRedoubt(redoubtArgs)]);
  });
  after(async () => {
    await Promise.all([pair.redis?.stop(), pair.redoubt?.stop()]);
  });
  return pair;
}

/**
 * Starts any server-like program (Redoubt with a config file, redis-sentinel, nutcracker) whose
 * listening port the caller chose, tracked like the others (stopped at exit as a last resort).
 * `wait: false` returns at once (the caller polls the port itself).
 */
export async function startProcess(bin: string, args: string[], port: number, opts: { cwd?: string; wait?: boolean; timeoutMs?: number } = {}): Promise<RunningServer> {
  const proc = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: opts.cwd });
  const s = track(proc, port);
  if (opts.wait !== false) await waitForPort(port, opts.timeoutMs ?? 10000);
  return s;
}
