/*
 * Differential runner for scripts that need several connections at once (pub/sub, keyspace
 * notifications): every step sends one command on one named connection; after the step, the
 * bytes every connection received (replies and pushes) are collected once the servers have gone
 * quiet, and compared between redis-server 7.0.15 and Redoubt, connection by connection, step by
 * step. Both servers run the same script at the same time.
 *
 * Step markers:
 *   unordered — the step's replies/pushes on each connection are compared as a multiset, with
 *               aggregates sorted (orders Redis leaves to its hash tables: UNSUBSCRIBE with no
 *               argument, PUBSUB CHANNELS, messages of several matching patterns)
 *   sleep     — milliseconds to wait before the step (expiry)
 *   closes    — whether each connection is closed after the step is compared too (always)
 */

import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { readReply, canonical, encodeCommand, type RespValue } from '../support/resp';
import { bothServers } from '../support/servers';

export interface MStep {
  /** connection name (any string); opened on first use */
  c: string;
  cmd: string[];
  unordered?: boolean;
  sleep?: number;
}

export interface MScript {
  name: string;
  steps: (MStep | [string, ...string[]])[];
  resp?: (2 | 3)[];
}

/** A raw connection that collects everything the server sends (also used by tracking.test). */
export class Conn {
  buf = Buffer.alloc(0);
  closed = false;
  lastData = Date.now();
  /** CLIENT ID, for scripts that name connections in arguments */
  id = 0;
  private constructor(readonly sock: net.Socket) {
    sock.on('data', (d) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.lastData = Date.now();
    });
    sock.on('close', () => (this.closed = true));
    sock.on('error', () => {});
  }
  static open(port: number): Promise<Conn> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(new Conn(s)));
      s.once('error', reject);
    });
  }
  take(): Buffer {
    const b = this.buf;
    this.buf = Buffer.alloc(0);
    return b;
  }
  /** Sends a command and waits (up to ~1 s) for exactly one reply, returned raw. */
  async call(argv: string[]): Promise<string> {
    this.sock.write(encodeCommand(argv));
    for (let i = 0; i < 500; i++) {
      const r = readReply(this.buf);
      if (r !== null) {
        const raw = this.buf.toString('latin1', 0, r[1]);
        this.buf = this.buf.subarray(r[1]);
        return raw;
      }
      await new Promise((res) => setTimeout(res, 2));
    }
    throw new Error('no reply');
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until no connection has received anything for `quietMs` (at least `minMs` in all). */
async function settle(conns: Iterable<Conn>, minMs = 10, quietMs = 30): Promise<void> {
  await sleep(minMs);
  for (;;) {
    const last = Math.max(0, ...[...conns].map((c) => c.lastData));
    const wait = last + quietMs - Date.now();
    if (wait <= 0) return;
    await sleep(wait);
  }
}

async function until(cond: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond() && Date.now() < deadline) await sleep(2);
}

/** The replies in a byte stream, decoded; a trailing partial reply is kept as raw text. */
function decodeAll(b: Buffer): string[] {
  const out: string[] = [];
  let pos = 0;
  while (pos < b.length) {
    const r = readReply(b, pos);
    if (r === null) {
      out.push('partial:' + JSON.stringify(b.toString('latin1', pos)));
      break;
    }
    out.push(canonical(r[0], false));
    pos = r[1];
  }
  return out;
}

function unorderedForm(b: Buffer): string[] {
  const out: string[] = [];
  let pos = 0;
  while (pos < b.length) {
    const r = readReply(b, pos);
    if (r === null) break;
    out.push(canonical(r[0] as RespValue, true));
    pos = r[1];
  }
  return out.sort();
}

/** The HELLO reply carries the connection id: masked. */
function maskIds(s: string): string {
  return s.replace(/(\$2\r\nid\r\n:)\d+/g, '$1ID');
}

type Record = { step: number; conn: string; bytes: string; unordered: boolean; closed: boolean };

async function runOn(port: number, script: MScript, resp: 2 | 3): Promise<Record[]> {
  const conns = new Map<string, Conn>();
  const out: Record[] = [];
  const admin = await Conn.open(port);
  admin.sock.write(encodeCommand(['FLUSHALL']));
  admin.sock.write(encodeCommand(['CONFIG', 'SET', 'notify-keyspace-events', '']));
  await settle([admin]);
  admin.sock.destroy();
  try {
    for (let i = 0; i < script.steps.length; i++) {
      const raw = script.steps[i];
      const st: MStep = Array.isArray(raw) ? { c: raw[0], cmd: raw.slice(1) } : raw;
      if (st.sleep) await sleep(st.sleep);
      let c = conns.get(st.c);
      if (c === undefined) {
        c = await Conn.open(port);
        conns.set(st.c, c);
        if (resp === 3) {
          c.sock.write(encodeCommand(['HELLO', '3']));
          await settle([c]);
          c.take();
        }
      }
      const before = c.buf.length;
      c.sock.write(encodeCommand(st.cmd));
      // the sender's reply first (pushes to the others leave the server in the same write
      // round), then quiet on every connection; a step that answers nothing waits 500 ms
      await until(() => c!.buf.length > before || c!.closed, 500);
      await settle(conns.values());
      for (const [name, k] of conns) {
        const b = k.take();
        if (b.length === 0 && !k.closed) continue;
        out.push({ step: i, conn: name, bytes: maskIds(b.toString('latin1')), unordered: st.unordered === true, closed: k.closed });
        if (k.closed) conns.delete(name);
      }
    }
  } finally {
    for (const k of conns.values()) k.sock.destroy();
  }
  return out;
}

function describeStep(script: MScript, i: number): string {
  const raw = script.steps[i];
  const st: MStep = Array.isArray(raw) ? { c: raw[0], cmd: raw.slice(1) } : raw;
  return `step ${i} (${st.c}: ${st.cmd.join(' ')})`;
}

/** Runs each script on both servers, in RESP2 and RESP3 unless it says otherwise. */
export function multiDiffSuite(name: string, scripts: MScript[], opts: { redisArgs?: string[]; redoubtArgs?: string[] } = {}): void {
  describe(name, () => {
    const servers = bothServers(opts.redisArgs ?? [], opts.redoubtArgs ?? []);
    for (const script of scripts) {
      for (const resp of script.resp ?? [2, 3]) {
        it(`${script.name} (RESP${resp})`, async () => {
          const [ref, ours] = await Promise.all([runOn(servers.redis.port, script, resp), runOn(servers.redoubt.port, script, resp)]);
          const n = Math.max(ref.length, ours.length);
          for (let i = 0; i < n; i++) {
            const a = ref[i];
            const b = ours[i];
            const where = a ? `${describeStep(script, a.step)} on ${a.conn}` : `${describeStep(script, b.step)} on ${b.conn}`;
            assert.ok(a !== undefined && b !== undefined && a.step === b.step && a.conn === b.conn,
              `${where}: output arrived on different steps/connections\nredis:   ${JSON.stringify(a)}\nredoubt: ${JSON.stringify(b)}`);
            assert.equal(b.closed, a.closed, `${where}: connection closed state differs`);
            if (a.unordered) {
              assert.deepEqual(unorderedForm(Buffer.from(b.bytes, 'latin1')), unorderedForm(Buffer.from(a.bytes, 'latin1')), `${where} (unordered)`);
            } else if (a.bytes !== b.bytes) {
              assert.deepEqual(decodeAll(Buffer.from(b.bytes, 'latin1')), decodeAll(Buffer.from(a.bytes, 'latin1')), where);
              assert.equal(JSON.stringify(b.bytes), JSON.stringify(a.bytes), where);
            }
          }
        });
      }
    }
  });
}
