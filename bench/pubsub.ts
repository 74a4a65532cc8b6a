/*
 * PUBLISH throughput with 1, 10 and 100 subscribers, Redoubt against redis-server in the same run.
 *
 * For each subscriber count, that many raw connections SUBSCRIBE to one channel on each server,
 * then redis-benchmark publishes a fixed message at pipeline 1 and 16 with 50 publishing clients.
 * The number reported is redis-benchmark's PUBLISH rate; each run is only accepted once every
 * subscriber has received every message (checked by counting the bytes of the fixed-size message
 * frames), so a server cannot look fast by dropping deliveries. The pubsub output-buffer limit is
 * lifted on both servers so a subscriber that reads a little late is not disconnected mid-run.
 *
 * Usage: npm run bench:pubsub [-- --requests N] [--rounds N] [--subscribers 1,10,100]
 */

import * as net from 'node:net';
import { execFileSync } from 'node:child_process';
import { startRedis, startRedoubt, type RunningServer } from '../test/support/servers';

const CHANNEL = 'bench:channel';
const PAYLOAD = 'x'.repeat(32);
/** the RESP2 frame each subscriber receives per PUBLISH */
const FRAME = `*3\r\n$7\r\nmessage\r\n$${CHANNEL.length}\r\n${CHANNEL}\r\n$${PAYLOAD.length}\r\n${PAYLOAD}\r\n`;

interface Options {
  requests: number;
  rounds: number;
  subscribers: number[];
}

function parseOptions(argv: string[]): Options {
  const o: Options = { requests: 100000, rounds: 3, subscribers: [1, 10, 100] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--requests') o.requests = Number(argv[++i]);
    else if (a === '--rounds') o.rounds = Number(argv[++i]);
    else if (a === '--subscribers') o.subscribers = argv[++i].split(',').map(Number);
    else if (a === '--quick') { o.requests = 20000; o.rounds = 1; }
    else {
      process.stdout.write('usage: npm run bench:pubsub -- [--requests N] [--rounds N] [--subscribers 1,10,100] [--quick]\n');
      process.exit(a === '--help' ? 0 : 2);
    }
  }
  return o;
}

/** A subscriber that counts the message bytes it receives after its SUBSCRIBE confirmation. */
class Subscriber {
  received = 0;
  private confirmed = false;
  private head = '';
  private constructor(private readonly sock: net.Socket) {}

  static open(port: number): Promise<Subscriber> {
    return new Promise((resolve, reject) => {
      const sock = net.connect(port, '127.0.0.1');
      const sub = new Subscriber(sock);
      sock.setNoDelay(true);
      sock.on('error', reject);
      sock.on('data', (d: Buffer) => {
        if (sub.confirmed) {
          sub.received += d.length;
          return;
        }
        sub.head += d.toString('latin1');
        // the confirmation is *3 $9 subscribe $<len> channel :1
        const end = sub.head.indexOf(':1\r\n');
        if (end >= 0) {
          sub.confirmed = true;
          sub.received = sub.head.length - (end + 4);
          resolve(sub);
        }
      });
      sock.write(`*2\r\n$9\r\nSUBSCRIBE\r\n$${CHANNEL.length}\r\n${CHANNEL}\r\n`);
    });
  }

  close(): void {
    this.sock.destroy();
  }
}

function configSet(port: number, ...args: string[]): void {
  execFileSync('redis-cli', ['-p', String(port), 'CONFIG', 'SET', ...args], { stdio: 'ignore' });
}

async function publishRate(port: number, subs: Subscriber[], requests: number, pipeline: number): Promise<number> {
  for (const s of subs) s.received = 0;
  const out = execFileSync('redis-benchmark', ['-p', String(port), '-c', '50', '-n', String(requests), '-P', String(pipeline), '-q', 'PUBLISH', CHANNEL, PAYLOAD], { encoding: 'latin1' });
  const m = /([\d.]+) requests per second/.exec(out.split('\r').pop() ?? '') ?? /([\d.]+) requests per second/.exec(out);
  if (!m) throw new Error(`unexpected redis-benchmark output: ${out}`);
  // every subscriber must get every message before the run counts
  const want = requests * FRAME.length;
  const deadline = Date.now() + 60000;
  while (subs.some((s) => s.received < want)) {
    if (Date.now() > deadline) throw new Error(`subscribers did not receive every message on port ${port}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return Number(m[1]);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  const servers: [string, RunningServer][] = [];
  const stopAll = async () => { for (const [, s] of servers) await s.stop(); };
  process.on('SIGINT', () => void stopAll().then(() => process.exit(130)));
  try {
    servers.push(['redis', await startRedis()]);
    servers.push(['redoubt', await startRedoubt(['--save', ''])]);
    for (const [, s] of servers) configSet(s.port, 'client-output-buffer-limit', 'pubsub 0 0 0');
    const rows: string[][] = [['subscribers', 'P', 'redis PUBLISH/s', 'redoubt PUBLISH/s', 'ratio']];
    for (const n of o.subscribers) {
      // fewer publishes with many subscribers: the one-process reader here is the bottleneck otherwise
      const requests = Math.max(1000, Math.floor(o.requests / Math.max(1, n / 10)));
      const subs = new Map<string, Subscriber[]>();
      for (const [name, s] of servers) subs.set(name, await Promise.all(Array.from({ length: n }, () => Subscriber.open(s.port))));
      for (const p of [1, 16]) {
        const rates = new Map<string, number[]>(servers.map(([name]) => [name, []]));
        for (let r = 0; r < o.rounds; r++) {
          for (const [name, s] of servers) rates.get(name)!.push(await publishRate(s.port, subs.get(name)!, requests, p));
        }
        const a = median(rates.get('redis')!);
        const b = median(rates.get('redoubt')!);
        rows.push([String(n), String(p), fmt(a), fmt(b), (b / a).toFixed(2)]);
      }
      for (const list of subs.values()) for (const s of list) s.close();
    }
    const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
    process.stdout.write(rows.map((r, i) => {
      const line = r.map((cell, c) => cell.padStart(widths[c])).join('  ');
      return i === 0 ? line + '\n' + widths.map((w) => '-'.repeat(w)).join('  ') : line;
    }).join('\n') + '\n');
    process.stdout.write(`(${o.rounds} rounds, median; ${o.requests} publishes with 1-10 subscribers, fewer with more; 50 publishing clients)\n`);
  } finally {
    await stopAll();
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
