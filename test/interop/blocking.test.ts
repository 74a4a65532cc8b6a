/*
 * Blocking list commands with several real clients, each scenario run against redis-server 7.0.15
 * and against Redoubt: the replies every client receives must be identical (RESP types included),
 * and must be what the scenario states — blocked clients served first-come first-served per key,
 * a client blocked on several keys served by the first key that gets data, timeouts, unblocking
 * by pushes (several elements serving several clients), by LMOVE/RPOPLPUSH, by RENAME/MOVE/COPY
 * creating the key, inside MULTI/EXEC, by CLIENT UNBLOCK, a killed blocked client, pipelined
 * commands resuming after the blocked one, a BLMOVE chain, and a key of another type leaving
 * clients blocked.
 *
 * The commands each scenario makes the server replicate are compared too: Redis's come from a
 * replication stream (SYNC), Redoubt's from its write feed (a server started in a child process
 * with a listener on it), so BLPOP served later is seen to replicate as LPOP, BLMOVE as LMOVE...
 *
 * Synchronisation is by observation, never by timing: a step that needs clients blocked waits
 * until INFO reports them blocked; "still blocked" is checked the same way.
 */

import { describe, it, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import * as path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { Client } from './rawclient';
import { canonical, readReply, encodeCommand, type RespValue } from '../support/resp';
import { bothServers, startRedis, freePort, waitForPort, type RunningServer } from '../support/servers';
import { buildCommandTable } from '../../src/commands/index';

const table = buildCommandTable();
const has = (...names: string[]) => names.every((n) => table.has(n));

/** A reply as short readable text: nil, ints, strings, [a,b], errors as "-ERR ...". */
function plain(v: RespValue | null): string {
  if (v === null) return '<no reply>';
  if (v.v === null || v.t === '_') return 'nil';
  if (Array.isArray(v.v)) return '[' + v.v.map(plain).join(',') + ']';
  if (v.t === '-') return '-' + v.v;
  return String(v.v);
}

interface Env {
  open(resp?: 2 | 3): Promise<Client>;
  /** records a reply for the cross-server comparison and returns its plain text */
  log(label: string, v: RespValue | null): string;
  /** waits until the server reports `n` blocked clients */
  blocked(n: number): Promise<void>;
}

type Scenario = (env: Env) => Promise<void>;

async function run(port: number, scenario: Scenario): Promise<string[]> {
  const clients: Client[] = [];
  const transcript: string[] = [];
  const admin = await Client.open(port);
  clients.push(admin);
  await admin.call('FLUSHALL');
  const env: Env = {
    async open(resp = 2) {
      const c = await Client.open(port);
      clients.push(c);
      if (resp === 3) await c.call('HELLO', '3');
      return c;
    },
    log(label, v) {
      transcript.push(`${label}: ${v === null ? '<no reply>' : canonical(v, false)}`);
      return plain(v);
    },
    async blocked(n) {
      const deadline = Date.now() + 5000;
      for (;;) {
        const info = await admin.call('INFO', 'clients');
        const m = /blocked_clients:(\d+)/.exec(String(info?.v ?? ''));
        if (m && Number(m[1]) === n) return;
        if (Date.now() > deadline) throw new Error(`expected ${n} blocked clients, INFO says ${m?.[1]}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    },
  };
  try {
    await scenario(env);
  } finally {
    for (const c of clients) c.close();
  }
  return transcript;
}

/** A reply the client must receive (the server has it by the time `blocked` or a later call returned). */
async function next(c: Client): Promise<RespValue | null> {
  return c.read(5000);
}

/**
 * Two clients block (the second in RESP3); CLIENT UNBLOCK TIMEOUT releases the first, which then
 * answers `timedOut`, and ERROR the second; both work normally afterwards.
 */
function unblockScenario(first: string[], second: string[], timedOut: string): Scenario {
  return async (e) => {
    const [p, a, b] = [await e.open(), await e.open(), await e.open(3)];
    const ida = (await a.call('CLIENT', 'ID'))!.v as string;
    const idb = (await b.call('CLIENT', 'ID'))!.v as string;
    a.send(...first);
    b.send(...second);
    await e.blocked(2);
    assert.equal(e.log('u1', await p.call('CLIENT', 'UNBLOCK', ida, 'TIMEOUT')), '1');
    assert.equal(e.log('a', await next(a)), timedOut);
    assert.equal(e.log('u2', await p.call('CLIENT', 'UNBLOCK', idb, 'ERROR')), '1');
    assert.equal(e.log('b', await next(b)), '-UNBLOCKED client unblocked via CLIENT UNBLOCK');
    assert.equal(e.log('u3', await p.call('CLIENT', 'UNBLOCK', ida)), '0');
    await e.blocked(0);
    assert.equal(e.log('a-ping', await a.call('PING')), 'PONG');
    assert.equal(e.log('b-ping', await b.call('PING')), 'PONG');
  };
}

const scenarios: [string, Scenario][] = [
  ['clients blocked on one key are served first-come first-served; one push of several elements serves several', async (e) => {
    const [p, a, b, c] = [await e.open(), await e.open(), await e.open(), await e.open()];
    a.send('BLPOP', 'k', '0');
    await e.blocked(1);
    b.send('BRPOP', 'k', '0');
    await e.blocked(2);
    c.send('BLPOP', 'k', '0');
    await e.blocked(3);
    assert.equal(e.log('rpush', await p.call('RPUSH', 'k', 'x', 'y')), '2');
    assert.equal(e.log('a', await next(a)), '[k,x]');
    assert.equal(e.log('b', await next(b)), '[k,y]');
    await e.blocked(1);
    assert.equal(e.log('exists', await p.call('EXISTS', 'k')), '0');
    assert.equal(e.log('lpush', await p.call('LPUSH', 'k', 'z', 'w')), '2');
    assert.equal(e.log('c', await next(c)), '[k,w]');
    assert.equal(e.log('rest', await p.call('LRANGE', 'k', '0', '-1')), '[z]');
  }],
  ['a client blocked on several keys is served by the first key that gets data', async (e) => {
    const [p, a, b] = [await e.open(), await e.open(), await e.open()];
    a.send('BLPOP', 'k1', 'k2', 'k3', '0');
    await e.blocked(1);
    b.send('BRPOP', 'k2', '0');
    await e.blocked(2);
    // two pushes in one pipeline: a is served by the first, b by the second
    p.send('RPUSH', 'k3', 'from3');
    p.send('RPUSH', 'k2', 'from2');
    assert.equal(e.log('p1', await next(p)), '1');
    assert.equal(e.log('p2', await next(p)), '1');
    assert.equal(e.log('a', await next(a)), '[k3,from3]');
    assert.equal(e.log('b', await next(b)), '[k2,from2]');
    await e.blocked(0);
  }],
  ['timeouts answer nil', async (e) => {
    const [a, b, c, d] = [await e.open(), await e.open(3), await e.open(), await e.open()];
    a.send('BLPOP', 'nokey', '0.1');
    b.send('BRPOP', 'nokey', 'other', '0.1');
    c.send('BLMOVE', 'nokey', 'dst', 'LEFT', 'RIGHT', '0.1');
    d.send('BLMPOP', '0.1', '1', 'nokey', 'LEFT', 'COUNT', '2');
    assert.equal(e.log('a', await next(a)), 'nil');
    assert.equal(e.log('b', await next(b)), 'nil');
    assert.equal(e.log('c', await next(c)), 'nil');
    assert.equal(e.log('d', await next(d)), 'nil');
    await e.blocked(0);
    assert.equal(e.log('dst', await a.call('EXISTS', 'dst')), '0');
  }],
  ['LMOVE and RPOPLPUSH into the awaited key unblock', async (e) => {
    const [p, a, b] = [await e.open(), await e.open(), await e.open(3)];
    await p.call('RPUSH', 'src', '1', '2', '3');
    a.send('BLPOP', 'dst', '0');
    await e.blocked(1);
    assert.equal(e.log('lmove', await p.call('LMOVE', 'src', 'dst', 'LEFT', 'RIGHT')), '1');
    assert.equal(e.log('a', await next(a)), '[dst,1]');
    b.send('BRPOP', 'dst2', '0');
    await e.blocked(1);
    assert.equal(e.log('rpoplpush', await p.call('RPOPLPUSH', 'src', 'dst2')), '3');
    assert.equal(e.log('b', await next(b)), '[dst2,3]');
    assert.equal(e.log('left', await p.call('LRANGE', 'src', '0', '-1')), '[2]');
    assert.equal(e.log('dst', await p.call('EXISTS', 'dst', 'dst2')), '0');
  }],
  ['RENAME, MOVE and COPY creating the awaited key unblock', async (e) => {
    const [p, a, b] = [await e.open(), await e.open(), await e.open()];
    await p.call('RPUSH', 'tmp', 'r1', 'r2');
    a.send('BLPOP', 'k', '0');
    await e.blocked(1);
    assert.equal(e.log('rename', await p.call('RENAME', 'tmp', 'k')), 'OK');
    assert.equal(e.log('a', await next(a)), '[k,r1]');
    await p.call('DEL', 'k');
    await b.call('SELECT', '1');
    b.send('BLPOP', 'm', '0');
    await e.blocked(1);
    await p.call('RPUSH', 'm', 'moved');
    assert.equal(e.log('move', await p.call('MOVE', 'm', '1')), '1');
    assert.equal(e.log('b', await next(b)), '[m,moved]');
    if (has('copy')) {
      await p.call('RPUSH', 'orig', 'c1', 'c2');
      a.send('BRPOP', 'copy', '0');
      await e.blocked(1);
      assert.equal(e.log('copy', await p.call('COPY', 'orig', 'copy')), '1');
      assert.equal(e.log('a2', await next(a)), '[copy,c2]');
      assert.equal(e.log('orig', await p.call('LRANGE', 'orig', '0', '-1')), '[c1,c2]');
    }
  }],
  ['CLIENT UNBLOCK with TIMEOUT and ERROR', unblockScenario(['BLPOP', 'k', '0'], ['BLMOVE', 'k', 'd', 'LEFT', 'LEFT', '0'], 'nil')],
  // no replica will ever acknowledge: both WAITs last until unblocked; TIMEOUT answers the count so far
  ['CLIENT UNBLOCK releases WAIT (TIMEOUT answers the replicas acknowledged so far; ERROR)', unblockScenario(['WAIT', '1', '0'], ['WAIT', '2', '0'], '0')],
  ['a killed blocked client is forgotten; the next one is served', async (e) => {
    const [p, a, b] = [await e.open(), await e.open(), await e.open()];
    const ida = (await a.call('CLIENT', 'ID'))!.v as string;
    a.send('BLPOP', 'k', '0');
    await e.blocked(1);
    b.send('BLPOP', 'k', '0');
    await e.blocked(2);
    assert.equal(e.log('kill', await p.call('CLIENT', 'KILL', 'ID', ida)), '1');
    await e.blocked(1);
    assert.equal(e.log('push', await p.call('RPUSH', 'k', 'v')), '1');
    assert.equal(e.log('b', await next(b)), '[k,v]');
    assert.equal(e.log('a', await a.read(200)), '<no reply>');
    assert.equal(e.log('left', await p.call('EXISTS', 'k')), '0');
  }],
  ['pipelined commands of a blocked client run after it is served', async (e) => {
    const [p, a] = [await e.open(), await e.open()];
    a.send('BLPOP', 'k', '0');
    a.send('LLEN', 'k');
    a.send('PING');
    await e.blocked(1);
    assert.equal(e.log('push', await p.call('RPUSH', 'k', 'a', 'b', 'c')), '3');
    assert.equal(e.log('a1', await next(a)), '[k,a]');
    assert.equal(e.log('a2', await next(a)), '2');
    assert.equal(e.log('a3', await next(a)), 'PONG');
  }],
  ['a chain of BLMOVE clients passes one element along', async (e) => {
    const [p, a, b, c] = [await e.open(), await e.open(), await e.open(), await e.open()];
    a.send('BLMOVE', 'l1', 'l2', 'LEFT', 'RIGHT', '0');
    await e.blocked(1);
    b.send('BRPOPLPUSH', 'l2', 'l3', '0');
    await e.blocked(2);
    c.send('BLPOP', 'l3', '0');
    await e.blocked(3);
    assert.equal(e.log('push', await p.call('LPUSH', 'l1', 'x')), '1');
    assert.equal(e.log('a', await next(a)), 'x');
    assert.equal(e.log('b', await next(b)), 'x');
    assert.equal(e.log('c', await next(c)), '[l3,x]');
    assert.equal(e.log('exists', await p.call('EXISTS', 'l1', 'l2', 'l3')), '0');
  }],
  ['a key of another type leaves clients blocked', async (e) => {
    const [p, a] = [await e.open(), await e.open()];
    a.send('BLPOP', 'k', '0');
    await e.blocked(1);
    assert.equal(e.log('set', await p.call('SET', 'k', 'str')), 'OK');
    assert.equal(e.log('still', await p.call('PING')), 'PONG');
    await e.blocked(1);
    assert.equal(e.log('del', await p.call('DEL', 'k')), '1');
    assert.equal(e.log('push', await p.call('RPUSH', 'k', 'v')), '1');
    assert.equal(e.log('a', await next(a)), '[k,v]');
  }],
  ['a BLMOVE woken with a destination of another type gets WRONGTYPE', async (e) => {
    const [p, a] = [await e.open(), await e.open()];
    a.send('BLMOVE', 'src', 'dst', 'LEFT', 'LEFT', '0');
    await e.blocked(1);
    await p.call('SET', 'dst', 'str');
    assert.equal(e.log('push', await p.call('RPUSH', 'src', 'v')), '1');
    assert.equal(e.log('a', await next(a)), '-WRONGTYPE Operation against a key holding the wrong kind of value');
    await e.blocked(0);
    assert.equal(e.log('src', await p.call('LRANGE', 'src', '0', '-1')), '[v]');
  }],
  ['BLMPOP served later pops up to COUNT elements', async (e) => {
    const [p, a, b] = [await e.open(), await e.open(3), await e.open()];
    a.send('BLMPOP', '0', '2', 'x', 'y', 'RIGHT', 'COUNT', '2');
    await e.blocked(1);
    b.send('BLMPOP', '0', '1', 'y', 'LEFT', 'COUNT', '5');
    await e.blocked(2);
    assert.equal(e.log('push', await p.call('RPUSH', 'y', '1', '2', '3')), '3');
    assert.equal(e.log('a', await next(a)), '[y,[3,2]]');
    assert.equal(e.log('b', await next(b)), '[y,[1]]');
    assert.equal(e.log('exists', await p.call('EXISTS', 'y')), '0');
  }],
];

if (has('multi', 'exec')) {
  scenarios.push(['pushes inside MULTI/EXEC serve blocked clients after EXEC', async (e) => {
    const [p, a, b] = [await e.open(), await e.open(), await e.open()];
    a.send('BLPOP', 'k', '0');
    await e.blocked(1);
    b.send('BRPOP', 'k', '0');
    await e.blocked(2);
    await p.call('MULTI');
    await p.call('RPUSH', 'k', '1');
    await p.call('RPUSH', 'k', '2', '3');
    await p.call('LPOP', 'k');
    assert.equal(e.log('exec', await p.call('EXEC')), '[1,3,1]');
    assert.equal(e.log('a', await next(a)), '[k,2]');
    assert.equal(e.log('b', await next(b)), '[k,3]');
  }]);
}

describe('blocking list commands, Redoubt against redis-server 7.0.15', () => {
  const servers = bothServers();
  for (const [name, scenario] of scenarios) {
    it(name, async () => {
      const ref = await run(servers.redis.port, scenario);
      const ours = await run(servers.redoubt.port, scenario);
      assert.deepEqual(ours, ref);
    });
  }
});

/* ------------------------------------------------------------------ propagation */

/** Commands a redis-server replicates, read from a SYNC stream (disk-based, so no EOF marker). */
class ReplicaStream {
  private buf = Buffer.alloc(0);
  private rdbDone = false;
  readonly commands: string[][] = [];
  private constructor(private readonly sock: net.Socket) {
    sock.on('data', (d) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.parse();
    });
    sock.on('error', () => {});
  }
  static async open(port: number): Promise<ReplicaStream> {
    const sock = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(s));
      s.once('error', reject);
    });
    const r = new ReplicaStream(sock);
    sock.write(encodeCommand(['SYNC']));
    return r;
  }
  private parse(): void {
    if (!this.rdbDone) {
      let i = 0;
      while (i < this.buf.length && this.buf[i] === 10) i++; // keep-alive newlines during BGSAVE
      this.buf = this.buf.subarray(i);
      const nl = this.buf.indexOf('\r\n');
      if (nl < 0) return;
      const len = Number(this.buf.toString('latin1', 1, nl));
      if (this.buf.length < nl + 2 + len) return;
      this.buf = this.buf.subarray(nl + 2 + len);
      this.rdbDone = true;
    }
    for (;;) {
      const r = readReply(this.buf);
      if (r === null) return;
      this.buf = this.buf.subarray(r[1]);
      const argv = (r[0].v as RespValue[]).map((x) => String(x.v));
      const name = argv[0].toUpperCase();
      if (name !== 'SELECT' && name !== 'PING') this.commands.push(argv);
    }
  }
  get ready(): boolean {
    return this.rdbDone;
  }
  close(): void {
    this.sock.destroy();
  }
}

/** A Redoubt in a child process whose write feed is printed as JSON lines. */
async function startRedoubtWithFeed(): Promise<{ port: number; proc: ChildProcess; commands: string[][] }> {
  const port = await freePort();
  const dist = path.resolve(__dirname, '..', '..');
  const script = `
    const path = require('path');
    const { loadConfiguration } = require(path.join(${JSON.stringify(dist)}, 'src/main.js'));
    const { Server } = require(path.join(${JSON.stringify(dist)}, 'src/server/server.js'));
    const s = new Server(loadConfiguration(['--port', '${port}', '--save', '']));
    s.writeListeners.push((db, argv) => process.stdout.write(JSON.stringify(argv) + '\\n'));
    s.propagationConsumers.push(() => true);
    s.start();`;
  const proc = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  const commands: string[][] = [];
  let pending = '';
  proc.stdout!.on('data', (d) => {
    pending += d.toString('latin1');
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      // the server's own log lines share stdout: only the feed's JSON arrays are commands
      const line = pending.slice(0, nl);
      if (line.startsWith('[')) commands.push(JSON.parse(line));
      pending = pending.slice(nl + 1);
    }
  });
  await waitForPort(port);
  return { port, proc, commands };
}

async function eventually(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const propagationScenarios: [string, Scenario, string[][]][] = [
  ['immediate forms', async (e) => {
    const p = await e.open();
    await p.call('RPUSH', 'l', 'a', 'b', 'c', 'd', 'e', 'f');
    await p.call('LPOP', 'l', '0');
    await p.call('LTRIM', 'l', '0', '-1');
    await p.call('LREM', 'l', '0', 'zz');
    await p.call('LPOP', 'nokey');
    await p.call('BLPOP', 'nokey', 'l', '0');
    await p.call('BRPOP', 'l', '0');
    await p.call('BLMPOP', '0', '1', 'l', 'left', 'COUNT', '1');
    await p.call('LMPOP', '1', 'l', 'RIGHT', 'COUNT', '100');
    await p.call('RPUSH', 'l', 'x', 'y');
    await p.call('BLMOVE', 'l', 'm', 'left', 'Right', '0');
    await p.call('BRPOPLPUSH', 'l', 'm', '0');
    await p.call('LMOVE', 'm', 'm', 'LEFT', 'LEFT');
    await p.call('RPOPLPUSH', 'nokey', 'm');
  }, [
    ['RPUSH', 'l', 'a', 'b', 'c', 'd', 'e', 'f'],
    ['LPOP', 'l'], ['RPOP', 'l'], ['LPOP', 'l', '1'], ['RPOP', 'l', '3'],
    ['RPUSH', 'l', 'x', 'y'],
    ['LMOVE', 'l', 'm', 'left', 'Right'], ['RPOPLPUSH', 'l', 'm'], ['LMOVE', 'm', 'm', 'LEFT', 'LEFT'],
  ]],
  ['GEOADD propagates as zadd with its scores as text', async (e) => {
    const p = await e.open();
    await p.call('GEOADD', 'g', '13.361389', '38.115556', 'Palermo', '-180', '-85.05112878', 'sw');
    await p.call('GEOADD', 'g', 'XX', 'CH', '15.087269', '37.502669', 'Palermo');
    await p.call('GEOADD', 'g', 'NX', '15.087269', '37.502669', 'Palermo');
  }, [
    ['zadd', 'g', '3479099956230698', 'Palermo', '0', 'sw'],
    ['zadd', 'g', 'XX', 'CH', '3479447370796909', 'Palermo'],
  ]],
  ['forms of clients served later', async (e) => {
    const [p, a, b, c, d] = [await e.open(), await e.open(), await e.open(), await e.open(), await e.open()];
    a.send('BRPOP', 'k', '0');
    await e.blocked(1);
    b.send('BLMPOP', '0', '1', 'k', 'LEFT', 'COUNT', '5');
    await e.blocked(2);
    c.send('BLMOVE', 'k2', 'd', 'left', 'right', '0');
    await e.blocked(3);
    d.send('BRPOPLPUSH', 'k3', 'd', '0');
    await e.blocked(4);
    await p.call('RPUSH', 'k', '1', '2', '3');
    await p.call('RPUSH', 'k2', 'x');
    await p.call('RPUSH', 'k3', 'y');
    for (const x of [a, b, c, d]) await next(x);
  }, [
    ['RPUSH', 'k', '1', '2', '3'], ['RPOP', 'k'], ['LPOP', 'k', '2'],
    ['RPUSH', 'k2', 'x'], ['LMOVE', 'k2', 'd', 'left', 'right'],
    ['RPUSH', 'k3', 'y'], ['RPOPLPUSH', 'k3', 'd'],
  ]],
];

describe('what blocking list commands replicate, Redoubt against redis-server 7.0.15', () => {
  let redis: RunningServer;
  let ours: Awaited<ReturnType<typeof startRedoubtWithFeed>>;
  let stream: ReplicaStream;
  before(async () => {
    [redis, ours] = await Promise.all([startRedis(['--repl-diskless-sync', 'no']), startRedoubtWithFeed()]);
    stream = await ReplicaStream.open(redis.port);
    await eventually(() => stream.ready, 'the initial sync');
  });
  after(async () => {
    stream?.close();
    ours?.proc.kill('SIGKILL');
    await redis?.stop();
  });
  for (const [name, scenario, expected] of propagationScenarios) {
    it(name, async () => {
      const collect = async (port: number, sink: string[][]) => {
        const from = sink.length;
        await run(port, async (e) => {
          await scenario(e);
          const p = await e.open();
          await p.call('SET', 'marker', name);
        });
        await eventually(() => sink.some((a, i) => i >= from && a[0].toUpperCase() === 'SET' && a[2] === name), 'the marker');
        // FLUSHALL (run's own) and the marker frame the scenario's commands
        return sink.slice(from).filter((a) => !['FLUSHALL', 'SET'].includes(a[0].toUpperCase()));
      };
      const ref = await collect(redis.port, stream.commands);
      const got = await collect(ours.port, ours.commands);
      assert.deepEqual(ref, expected);
      assert.deepEqual(got, ref);
    });
  }
});
