/*
 * Differential harness: replays scripted commands over raw sockets to a real redis-server 7.0.15
 * and to Redoubt, and compares the raw reply bytes, in RESP2 and in RESP3.
 *
 * A script is a list of steps. A step is an argument vector, or an object that adds markers:
 *   unordered  — aggregate replies are compared with their elements sorted (SMEMBERS, KEYS, ...)
 *   live       — only the reply type is compared (TIME, INFO counters, CLIENT ID)
 *   raw        — bytes sent as they are (inline commands, broken protocol) instead of `cmd`
 *   replies    — how many replies the step produces (default 1; 0 for none)
 *   closes     — the server is expected to close the connection after replying
 *   sleep      — milliseconds to wait before the step (TTL scripts)
 *   conn       — which connection of the script sends the step (default 0); others open on first
 *                use (in the script's protocol), so scripts can have several clients (WATCH, pub/sub,
 *                blocking). A step without cmd/raw only reads `replies` replies from its connection
 *                (e.g. a blocked client's reply, or pushed messages).
 *   help       — a `X HELP` reply: its structure is compared, not its wording (see helpMismatch)
 *   mask       — a function both decoded replies go through before comparing (live fields)
 *   prose      — a COMMAND INFO/DOCS reply: compared after masking the texts that are Redoubt's own
 *                wording (summary, complexity, history text, replaced_by, key-spec notes)
 *
 * Each script runs on fresh connections after FLUSHALL, once per protocol version it lists.
 * Every later issue adds scripts: `diffSuite('name', [...scripts])` in a `*.test.ts` file here.
 */

import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { readReply, canonical, encodeCommand, type RespValue } from '../support/resp';
import { bothServers } from '../support/servers';

export interface Step {
  cmd?: string[];
  raw?: string;
  unordered?: boolean;
  live?: boolean;
  replies?: number;
  closes?: boolean;
  sleep?: number;
  conn?: number;
  help?: boolean;
  prose?: boolean;
  /** replies are compared after this rewrite of both (live fields, orders Redis randomizes) */
  mask?: (v: RespValue) => RespValue;
}

export interface Script {
  name: string;
  steps: (string[] | Step)[];
  /** protocol versions to run (default both) */
  resp?: (2 | 3)[];
}

export interface SuiteOptions {
  redoubtArgs?: string[];
  redisArgs?: string[];
}

/** A connection that yields replies one at a time. */
class RawConn {
  private buf = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  closed = false;
  private constructor(readonly sock: net.Socket) {
    sock.on('data', (d) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.wake();
    });
    sock.on('close', () => {
      this.closed = true;
      this.wake();
    });
    sock.on('error', () => {});
  }
  static open(port: number): Promise<RawConn> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(new RawConn(s)));
      s.once('error', reject);
    });
  }
  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
  write(b: Buffer | string): void {
    if (!this.closed) this.sock.write(b);
  }
  /** Next reply: [raw bytes, decoded] or '<closed>' / '<timeout>'. */
  async next(timeoutMs = 3000): Promise<{ raw: string; value: RespValue | null }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = readReply(this.buf);
      if (r !== null) {
        const raw = this.buf.toString('latin1', 0, r[1]);
        this.buf = this.buf.subarray(r[1]);
        return { raw, value: r[0] };
      }
      if (this.closed) return { raw: '<closed>', value: null };
      const left = deadline - Date.now();
      if (left <= 0) return { raw: '<timeout>', value: null };
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => { clearTimeout(t); resolve(); });
      });
    }
  }
  /** Waits until the peer closes (or the timeout). */
  async waitClosed(timeoutMs = 1000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    return this.closed;
  }
  close(): void {
    this.sock.destroy();
  }
}

/** Reply fields whose text is Redoubt's own wording; their presence and position are facts. */
const PROSE_FIELDS = new Set(['summary', 'complexity', 'replaced_by', 'notes']);
const MASK: RespValue = { t: '$', v: '<ours>' };

/**
 * A COMMAND INFO/DOCS reply with the prose masked: in any aggregate, the value after a field name
 * (at an even position, as in RESP3 maps and RESP2 flattened maps) listed in PROSE_FIELDS, and the
 * text (not the version) of each `history` entry. Everything else is kept as it is.
 */
export function maskProse(v: RespValue): RespValue {
  if (!Array.isArray(v.v)) return v;
  const xs = v.v;
  const out: RespValue[] = [];
  for (let i = 0; i < xs.length; i++) {
    const key = i % 2 === 0 && i + 1 < xs.length && (xs[i].t === '$' || xs[i].t === '+') ? String(xs[i].v) : null;
    out.push(maskProse(xs[i]));
    if (key === null) continue;
    const val = xs[i + 1];
    if (PROSE_FIELDS.has(key)) {
      out.push(MASK);
      i++;
    } else if (key === 'history' && Array.isArray(val.v)) {
      out.push({ t: val.t, v: val.v.map((h) => (Array.isArray(h.v) ? { t: h.t, v: [h.v[0], MASK] } : h)) } as RespValue);
      i++;
    }
  }
  return { t: v.t, v: out } as RespValue;
}

/**
 * Why two HELP replies disagree, or null. The descriptions are our own wording and list only the
 * subcommands Redoubt implements, so they are not compared. What is: the reply type; the header
 * line byte for byte; every line a status reply; each syntax line (unindented) followed by an
 * indented description; each syntax line's first word naming a subcommand the reference's HELP
 * also lists; and the HELP entry last. Non-array replies (errors) must be identical.
 */
export function helpMismatch(ref: RespValue, ours: RespValue): string | null {
  if (ref.t !== ours.t) return `reply type ${ours.t}, expected ${ref.t}`;
  if (!Array.isArray(ref.v) || !Array.isArray(ours.v)) return canonical(ref, false) === canonical(ours, false) ? null : 'different reply';
  const lines = (r: RespValue[]): string[] | null => (r.every((x) => x.t === '+') ? r.map((x) => String(x.v)) : null);
  const a = lines(ref.v);
  const b = lines(ours.v);
  if (a === null || b === null) return 'not every line is a status reply';
  if (a[0] !== b[0]) return `header ${JSON.stringify(b[0])}, expected ${JSON.stringify(a[0])}`;
  const isSyntax = (l: string) => l.length > 0 && l[0] !== ' ';
  const word = (l: string) => l.split(' ')[0].toUpperCase();
  const known = new Set(a.slice(1).filter(isSyntax).map(word));
  const body = b.slice(1);
  for (let i = 0; i < body.length; i++) {
    if (!isSyntax(body[i])) continue;
    if (!known.has(word(body[i]))) return `${JSON.stringify(body[i])} is not a subcommand the reference lists`;
    if (i + 1 >= body.length || isSyntax(body[i + 1])) return `${JSON.stringify(body[i])} has no description`;
  }
  if (body.length < 2 || body[body.length - 2] !== 'HELP') return 'HELP is not the last entry';
  return null;
}

function normalize(step: string[] | Step): Step {
  return Array.isArray(step) ? { cmd: step } : step;
}

function show(s: string): string {
  return JSON.stringify(s.length > 300 ? s.slice(0, 300) + '…' : s);
}

/** Runs one script against both servers; returns a list of human-readable mismatches. */
export async function runScript(script: Script, resp: 2 | 3, redisPort: number, redoubtPort: number): Promise<string[]> {
  const conns: [RawConn, RawConn][] = [];
  const connection = async (i: number): Promise<[RawConn, RawConn]> => {
    while (conns.length <= i) {
      const pair: [RawConn, RawConn] = [await RawConn.open(redisPort), await RawConn.open(redoubtPort)];
      conns.push(pair);
      for (const c of pair) {
        if (conns.length === 1) {
          c.write(encodeCommand(['FLUSHALL']));
          await c.next();
        }
        if (resp === 3) {
          c.write(encodeCommand(['HELLO', '3']));
          await c.next();
        }
      }
    }
    return conns[i];
  };
  const problems: string[] = [];
  try {
    await connection(0);
    for (let i = 0; i < script.steps.length; i++) {
      const step = normalize(script.steps[i]);
      if (step.sleep) await new Promise((r) => setTimeout(r, step.sleep));
      const bytes = step.raw !== undefined ? Buffer.from(step.raw, 'latin1') : step.cmd ? encodeCommand(step.cmd) : null;
      const label = (step.conn ? `[conn ${step.conn}] ` : '') + (step.raw !== undefined ? `raw ${show(step.raw)}` : (step.cmd ?? ['<read>']).map((x) => (x.length > 40 ? x.slice(0, 40) + '…' : x)).join(' '));
      if (bytes === null && step.replies === undefined) continue;
      const [a, b] = await connection(step.conn ?? 0);
      if (bytes !== null) {
        a.write(bytes);
        b.write(bytes);
      }
      const n = step.replies ?? 1;
      for (let k = 0; k < n; k++) {
        const [ra, rb] = await Promise.all([a.next(), b.next()]);
        let same: boolean;
        if (ra.value === null || rb.value === null) same = ra.raw === rb.raw;
        else if (step.live) same = ra.value.t === rb.value.t;
        else if (step.help) same = helpMismatch(ra.value, rb.value) === null;
        else if (step.mask) same = canonical(step.mask(ra.value), !!step.unordered) === canonical(step.mask(rb.value), !!step.unordered);
        else if (step.prose) same = canonical(maskProse(ra.value), !!step.unordered) === canonical(maskProse(rb.value), !!step.unordered);
        else if (step.unordered) same = canonical(ra.value, true) === canonical(rb.value, true);
        else same = ra.raw === rb.raw;
        if (!same) {
          const why = step.help && ra.value && rb.value ? `  ${helpMismatch(ra.value, rb.value)}\n` : '';
          problems.push(`[${script.name} RESP${resp}] step ${i + 1} (${label}) reply ${k + 1}:\n${why}  redis:   ${show(ra.raw)}\n  redoubt: ${show(rb.raw)}`);
        }
      }
      if (n === 0) await new Promise((r) => setTimeout(r, 50));
      if (step.closes) {
        const [ca, cb] = await Promise.all([a.waitClosed(), b.waitClosed()]);
        if (ca !== cb) problems.push(`[${script.name} RESP${resp}] step ${i + 1} (${label}): redis closed=${ca}, redoubt closed=${cb}`);
        break;
      }
    }
  } finally {
    for (const [a, b] of conns) {
      a.close();
      b.close();
    }
  }
  return problems;
}

/** Declares a node:test suite that runs every script against a fresh redis-server and Redoubt. */
export function diffSuite(name: string, scripts: Script[], opts: SuiteOptions = {}): void {
  describe(`differential: ${name}`, () => {
    const servers = bothServers(opts.redisArgs ?? [], opts.redoubtArgs ?? []);
    for (const script of scripts) {
      for (const resp of script.resp ?? [2, 3]) {
        it(`${script.name} (RESP${resp})`, async () => {
          const problems = await runScript(script, resp as 2 | 3, servers.redis.port, servers.redoubt.port);
          assert.deepEqual(problems, [], problems.join('\n'));
        });
      }
    }
  });
}
