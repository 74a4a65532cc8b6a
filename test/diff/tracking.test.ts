/*
 * Differential tests for client-side caching (CLIENT TRACKING, CACHING, GETREDIR, TRACKINGINFO and
 * the invalidation messages) against redis-server 7.0.15.
 *
 * Tracking needs client ids on the wire (REDIRECT <id>), and ids differ between the two servers, so
 * this file has its own small multi-connection runner: every connection learns its id (CLIENT ID)
 * when it opens; an argument `@name` is replaced by the id of connection `name` on each server;
 * with `ids: true`, integer replies and `redir=` fields equal to a known id are rewritten to
 * `@name` before comparing. After each step, everything every connection received (replies and
 * pushes) once the servers are quiet is compared, connection by connection.
 */

import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { encodeCommand } from '../support/resp';
import { bothServers } from '../support/servers';
import { Conn } from './multiconn';

interface TStep {
  c: string;
  /** one command, or several sent in one write (a pipeline the server reads at once) */
  cmd: string[] | string[][];
  /** rewrite connection ids in the output (GETREDIR, TRACKINGINFO, tracking-redir-broken) */
  ids?: boolean;
  /** a rewrite of each connection's output before comparing (live fields, random picks) */
  mask?: (s: string) => string;
  sleep?: number;
}

interface TScript {
  name: string;
  steps: (TStep | [string, ...string[]])[];
  resp?: (2 | 3)[];
  /** `ids` on every step */
  ids?: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function settle(conns: Iterable<Conn>, minMs = 15, quietMs = 40): Promise<void> {
  await sleep(minMs);
  for (;;) {
    const last = Math.max(0, ...[...conns].map((c) => c.lastData));
    const wait = last + quietMs - Date.now();
    if (wait <= 0) return;
    await sleep(wait);
  }
}

/** HELLO replies carry the connection id. */
function maskHello(s: string): string {
  return s.replace(/(\$2\r\nid\r\n:)\d+/g, '$1ID');
}

type Out = { step: number; conn: string; text: string; closed: boolean };

async function runOn(port: number, script: TScript, resp: 2 | 3): Promise<Out[]> {
  const conns = new Map<string, Conn>();
  const names = new Map<number, string>();
  const out: Out[] = [];
  const admin = await Conn.open(port);
  await admin.call(['FLUSHALL']);
  await admin.call(['CONFIG', 'SET', 'tracking-table-max-keys', '1000000']);
  admin.sock.destroy();
  try {
    for (let i = 0; i < script.steps.length; i++) {
      const raw = script.steps[i];
      const st: TStep = Array.isArray(raw) ? { c: raw[0], cmd: raw.slice(1) } : raw;
      if (st.sleep) await sleep(st.sleep);
      let c = conns.get(st.c);
      if (c === undefined) {
        c = await Conn.open(port);
        c.id = Number((await c.call(['CLIENT', 'ID'])).slice(1, -2));
        names.set(c.id, st.c);
        if (resp === 3) await c.call(['HELLO', '3']);
        conns.set(st.c, c);
      }
      const cmds = (Array.isArray(st.cmd[0]) ? st.cmd : [st.cmd]) as string[][];
      const subst = (a: string) => (a.startsWith('@') && conns.has(a.slice(1)) ? String(conns.get(a.slice(1))!.id) : a);
      c.sock.write(Buffer.concat(cmds.map((argv) => encodeCommand(argv.map(subst)))));
      const sender = c;
      const before = sender.buf.length;
      for (let k = 0; k < 250 && sender.buf.length === before && !sender.closed; k++) await sleep(2);
      await settle(conns.values());
      for (const [name, k] of conns) {
        let text = k.take().toString('latin1');
        if (text.length === 0 && !k.closed) continue;
        text = maskHello(text);
        if (st.mask) text = st.mask(text);
        if (st.ids || script.ids) text = text.replace(/(:|redir=)(\d+)(?=\r\n|\s)/g, (m, pre: string, n: string) => (names.has(Number(n)) ? `${pre}@${names.get(Number(n))}` : m));
        out.push({ step: i, conn: name, text, closed: k.closed });
        if (k.closed) conns.delete(name);
      }
    }
  } finally {
    for (const k of conns.values()) k.sock.destroy();
  }
  return out;
}

function describeStep(script: TScript, i: number): string {
  const raw = script.steps[i];
  const st: TStep = Array.isArray(raw) ? { c: raw[0], cmd: raw.slice(1) } : raw;
  return `step ${i + 1} (${st.c}: ${JSON.stringify(st.cmd)})`;
}

function trackingSuite(name: string, scripts: TScript[]): void {
  describe(`differential: ${name}`, () => {
    const servers = bothServers([], []);
    for (const script of scripts) {
      for (const resp of script.resp ?? [2, 3]) {
        it(`${script.name} (RESP${resp})`, async () => {
          const [ref, ours] = await Promise.all([runOn(servers.redis.port, script, resp), runOn(servers.redoubt.port, script, resp)]);
          const n = Math.max(ref.length, ours.length);
          for (let i = 0; i < n; i++) {
            const a = ref[i];
            const b = ours[i];
            const where = describeStep(script, (a ?? b).step) + ` on ${(a ?? b).conn}`;
            assert.ok(a !== undefined && b !== undefined && a.step === b.step && a.conn === b.conn,
              `${where}: output arrived on different steps/connections\nredis:   ${JSON.stringify(a)}\nredoubt: ${JSON.stringify(b)}`);
            assert.equal(b.closed, a.closed, `${where}: connection closed state differs`);
            assert.equal(JSON.stringify(b.text), JSON.stringify(a.text), where);
          }
        });
      }
    }
  });
}

/** Keeps the INFO fields about tracking. */
const trackingInfo = (s: string) => (s.match(/tracking_[a-z_]+:\d+/g) ?? []).join(' ');
/** Keeps the CLIENT INFO fields about tracking. */
const trackingFields = (s: string) => (s.match(/flags=\S+|redir=\S+/g) ?? []).join(' ') + '\r\n';
/** A randomly chosen key name in an invalidation (tracking-table-max-keys evicts at random). */
const anyKey = (s: string) => s.replace(/\$1\r\n[a-z]\r\n/g, '$1\r\n?\r\n');

trackingSuite('client tracking', [
  {
    name: 'option errors and their order',
    steps: [
      ['a', 'CLIENT', 'TRACKING'],
      ['a', 'CLIENT', 'TRACKING', 'maybe'],
      ['a', 'CLIENT', 'TRACKING', 'on', 'foo'],
      ['a', 'CLIENT', 'TRACKING', 'off', 'foo'],
      ['a', 'CLIENT', 'TRACKING', 'on', 'prefix'],
      ['a', 'CLIENT', 'TRACKING', 'on', 'redirect'],
      ['a', 'CLIENT', 'TRACKING', 'maybe', 'redirect', '999999'],
      ['a', 'CLIENT', 'TRACKING', 'on', 'redirect', 'abc'],
      ['a', 'CLIENT', 'TRACKING', 'on', 'redirect', '0'],
      ['a', 'CLIENT', 'TRACKING', 'on', 'redirect', '-3'],
      ['a', 'CLIENT', 'TRACKING', 'on', 'redirect', '999999'],
      ['a', 'CLIENT', 'TRACKING', 'on', 'prefix', 'a', 'optin', 'optout'],
      ['a', 'CLIENT', 'TRACKING', 'on', 'optin', 'optout'],
      ['a', 'CLIENT', 'TRACKING', 'on', 'bcast', 'optin', 'optout'],
      ['a', 'CLIENT', 'TRACKING', 'on', 'bcast', 'optout'],
      ['a', 'CLIENT', 'TRACKING', 'on', 'bcast', 'prefix', 'ab', 'prefix', 'a'],
      ['a', 'CLIENT', 'TRACKING', 'on', 'bcast', 'prefix', 'x', 'prefix', 'x'],
      ['a', 'CLIENT', 'TRACKING', 'off', 'prefix', 'a', 'bcast', 'optin', 'optout'],
      ['a', 'CLIENT', 'TRACKINGINFO'],
      ['a', 'CLIENT', 'GETREDIR'],
      ['a', 'CLIENT', 'CACHING', 'yes'],
      ['a', 'CLIENT', 'CACHING', 'maybe'],
      ['a', 'CLIENT', 'CACHING'],
      ['a', 'CLIENT', 'GETREDIR', 'x'],
      ['a', 'CLIENT', 'TRACKINGINFO', 'x'],
      ['a', 'CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'a'],
      ['a', 'CLIENT', 'TRACKING', 'on', 'bcast', 'prefix', 'ab'],
      ['a', 'CLIENT', 'TRACKING', 'on', 'bcast', 'prefix', ''],
      ['a', 'CLIENT', 'TRACKING', 'on'],
      ['a', 'CLIENT', 'TRACKING', 'on', 'bcast', 'optin'],
      ['a', 'CLIENT', 'CACHING', 'yes'],
      ['a', 'CLIENT', 'TRACKINGINFO'],
      ['a', 'CLIENT', 'TRACKING', 'OFF'],
      ['a', 'CLIENT', 'TRACKING', 'on', 'optin', 'noloop'],
      ['a', 'CLIENT', 'TRACKING', 'on', 'optout'],
      ['a', 'CLIENT', 'TRACKING', 'on', 'bcast'],
      ['a', 'CLIENT', 'CACHING', 'no'],
      ['a', 'CLIENT', 'CACHING', 'yes'],
      ['a', 'CLIENT', 'TRACKINGINFO'],
      ['a', 'PING'],
      ['a', 'CLIENT', 'TRACKINGINFO'],
      ['a', 'CLIENT', 'TRACKING', 'on'],
      ['a', 'CLIENT', 'TRACKINGINFO'],
      ['a', 'CLIENT', 'TRACKING', 'off'],
      ['a', 'CLIENT', 'TRACKING', 'on', 'optout'],
      ['a', 'CLIENT', 'CACHING', 'yes'],
      ['a', 'CLIENT', 'CACHING', 'no'],
      ['a', 'CLIENT', 'TRACKINGINFO'],
      ['a', 'CLIENT', 'GETREDIR'],
    ],
  },
  {
    // (Redis 7.0.15 answers an overlap among the given prefixes found past the first one with the
    // error AND +OK, enabling tracking; Redoubt answers the error only — docs/compatibility.md.
    // That case is tested in test/interop/tracking.test.ts.)
    name: 'prefix overlaps',
    steps: [
      ['a', 'CLIENT', 'TRACKING', 'on', 'bcast', 'prefix', 'b', 'prefix', 'c'],
      ['a', 'CLIENT', 'TRACKINGINFO'],
      ['a', 'CLIENT', 'TRACKING', 'on', 'bcast', 'prefix', 'bx'],
      ['a', 'CLIENT', 'TRACKING', 'on', 'bcast', 'prefix', 'd', 'prefix', 'a'],
      ['a', 'CLIENT', 'TRACKINGINFO'],
      ['a', 'CLIENT', 'TRACKING', 'on', 'bcast'],
      ['a', 'CLIENT', 'TRACKINGINFO'],
      ['a', 'CLIENT', 'TRACKING', 'on', 'bcast', 'prefix', 'z'],
    ],
  },
  {
    name: 'default mode: reads remembered, writes invalidate',
    steps: [
      ['a', 'CLIENT', 'TRACKING', 'on'],
      ['a', 'GET', 'k'],
      ['b', 'SET', 'k', 'v'],
      ['b', 'SET', 'k', 'v'],
      ['a', 'MGET', 'k', 'x', 'y'],
      ['a', 'SET', 'k', 'v2'],
      ['b', 'MSET', 'x', '1', 'y', '2'],
      ['a', 'STRLEN', 'k'],
      ['a', 'EXISTS', 'k', 'x'],
      ['b', 'DEL', 'k', 'x'],
      ['a', 'GET', 'k'],
      ['a', 'MULTI'],
      ['a', 'SET', 'k', '1'],
      ['a', 'GET', 'y'],
      ['a', 'SET', 'y', '1'],
      ['a', 'EXEC'],
      ['a', 'GET', 'k'],
      ['a', 'EXPIRE', 'k', '100'],
      ['a', 'GET', 'k'],
      ['b', 'APPEND', 'k', 'x'],
      ['a', 'GET', 'k'],
      ['b', 'GET', 'k'],
      ['a', 'FLUSHALL'],
      ['a', 'GET', 'k'],
      ['b', 'FLUSHDB'],
      ['b', 'SET', 'k', '1'],
      ['a', 'CLIENT', 'TRACKING', 'off'],
      ['a', 'GET', 'k'],
      ['b', 'SET', 'k', '2'],
      ['a', 'CLIENT', 'TRACKING', 'on'],
      ['b', 'SET', 'k', '3'],
      ['b', 'FLUSHALL'],
    ],
  },
  {
    name: 'NOLOOP, OPTIN and OPTOUT',
    steps: [
      ['a', 'CLIENT', 'TRACKING', 'on', 'noloop'],
      ['a', 'GET', 'k'],
      ['a', 'SET', 'k', '1'],
      ['a', 'GET', 'k'],
      ['b', 'SET', 'k', '2'],
      ['a', 'FLUSHDB'],
      ['a', 'CLIENT', 'TRACKING', 'on', 'optin'],
      ['a', 'GET', 'k'],
      ['b', 'SET', 'k', '1'],
      ['a', 'CLIENT', 'CACHING', 'yes'],
      ['a', 'PING'],
      ['a', 'GET', 'k'],
      ['b', 'SET', 'k', '1'],
      ['a', 'CLIENT', 'CACHING', 'yes'],
      { c: 'a', cmd: ['CLIENT', 'ID'], ids: true },
      ['a', 'GET', 'k'],
      ['b', 'SET', 'k', '1'],
      ['a', 'CLIENT', 'CACHING', 'yes'],
      ['a', 'MULTI'],
      ['a', 'GET', 'k'],
      ['a', 'GET', 'j'],
      ['a', 'EXEC'],
      ['b', 'MSET', 'k', '1', 'j', '2'],
      ['a', 'CLIENT', 'TRACKING', 'off'],
      ['a', 'CLIENT', 'TRACKING', 'on', 'optout'],
      ['a', 'CLIENT', 'CACHING', 'no'],
      ['a', 'GET', 'k'],
      ['a', 'GET', 'j'],
      ['b', 'MSET', 'k', '1', 'j', '2'],
      ['a', 'CLIENT', 'CACHING', 'no'],
      ['a', 'MULTI'],
      ['a', 'GET', 'k'],
      ['a', 'EXEC'],
      ['b', 'SET', 'k', '1'],
      ['a', 'CLIENT', 'CACHING', 'no'],
      ['a', 'CLIENT', 'TRACKING', 'on', 'optout'],
      ['a', 'CLIENT', 'TRACKINGINFO'],
    ],
  },
  {
    name: 'redirect to a subscriber, and a broken redirect',
    ids: true,
    steps: [
      ['r', 'SUBSCRIBE', '__redis__:invalidate'],
      { c: 'a', cmd: ['CLIENT', 'TRACKING', 'on', 'redirect', '@r'] },
      { c: 'a', cmd: ['CLIENT', 'GETREDIR'], ids: true },
      { c: 'a', cmd: ['CLIENT', 'TRACKINGINFO'], ids: true },
      { c: 'a', cmd: ['CLIENT', 'INFO'], ids: true, mask: trackingFields },
      ['a', 'GET', 'k'],
      ['a', 'SET', 'k', '1'],
      ['a', 'MGET', 'k', 'j'],
      ['b', 'MSET', 'k', '2', 'j', '2'],
      ['a', 'FLUSHDB'],
      ['n', 'GET', 'k'],
      { c: 'n', cmd: ['CLIENT', 'TRACKING', 'on', 'redirect', '@a'] },
      ['n', 'GET', 'k'],
      ['b', 'SET', 'k', '3'],
      ['r', 'QUIT'],
      ['a', 'GET', 'k'],
      ['b', 'SET', 'k', '4'],
      { c: 'a', cmd: ['CLIENT', 'TRACKINGINFO'], ids: true },
      { c: 'a', cmd: ['CLIENT', 'INFO'], ids: true, mask: trackingFields },
      ['a', 'FLUSHALL'],
      ['a', 'CLIENT', 'TRACKING', 'on'],
      { c: 'a', cmd: ['CLIENT', 'TRACKINGINFO'], ids: true },
      { c: 'a', cmd: ['CLIENT', 'INFO'], ids: true, mask: trackingFields },
    ],
  },
  {
    name: 'redirect to itself and to a RESP3 client',
    resp: [3],
    steps: [
      { c: 'a', cmd: ['CLIENT', 'TRACKING', 'on', 'redirect', '@a'] },
      ['a', 'GET', 'k'],
      ['a', 'SET', 'k', '1'],
      { c: 'b', cmd: ['HELLO', '2'] },
      { c: 'b', cmd: ['CLIENT', 'TRACKING', 'on', 'redirect', '@a'] },
      ['b', 'GET', 'k'],
      ['b', 'SET', 'k', '1'],
      ['b', 'FLUSHDB'],
    ],
  },
  {
    name: 'BCAST with prefixes and NOLOOP',
    steps: [
      ['a', 'CLIENT', 'TRACKING', 'on', 'bcast', 'prefix', 'b', 'prefix', 'a', 'noloop'],
      ['b', 'CLIENT', 'TRACKING', 'on', 'bcast'],
      ['b', 'GET', 'x'],
      ['a', 'SET', 'a1', '1'],
      ['a', 'MSET', 'b1', '1', 'a2', '2', 'c', '3', 'a1', '5'],
      ['b', 'MSET', 'b1', '1', 'a3', '3', 'a1', '1'],
      ['a', 'MULTI'],
      ['a', 'SET', 'a1', '1'],
      ['a', 'DEL', 'a1'],
      ['a', 'EXEC'],
      ['b', 'DEL', 'a2', 'zz'],
      { c: 'b', cmd: ['CLIENT', 'INFO'], mask: trackingFields },
      { c: 'b', cmd: ['INFO'], mask: trackingInfo },
      ['a', 'CLIENT', 'TRACKING', 'on', 'bcast', 'prefix', 'c'],
      ['a', 'CLIENT', 'TRACKINGINFO'],
      ['b', 'SET', 'cat', '1'],
      ['a', 'FLUSHALL'],
      ['b', 'CLIENT', 'TRACKING', 'off'],
      { c: 'a', cmd: ['INFO'], mask: trackingInfo },
      ['a', 'RESET'],
      { c: 'a', cmd: ['INFO'], mask: trackingInfo },
      ['b', 'SET', 'a1', '1'],
    ],
  },
  {
    name: 'tracking table counts and RESET',
    steps: [
      ['a', 'CLIENT', 'TRACKING', 'on'],
      ['b', 'CLIENT', 'TRACKING', 'on'],
      ['a', 'MGET', 'k1', 'k2', 'k3'],
      ['b', 'MGET', 'k2', 'k3', 'k4'],
      { c: 'c', cmd: ['INFO'], mask: trackingInfo },
      ['c', 'SET', 'k2', '1'],
      { c: 'c', cmd: ['INFO'], mask: trackingInfo },
      ['b', 'CLIENT', 'TRACKING', 'off'],
      { c: 'c', cmd: ['INFO'], mask: trackingInfo },
      ['c', 'DEL', 'k3', 'k4'],
      { c: 'c', cmd: ['INFO'], mask: trackingInfo },
      ['a', 'RESET'],
      ['a', 'CLIENT', 'TRACKINGINFO'],
      { c: 'c', cmd: ['INFO'], mask: trackingInfo },
      ['c', 'SET', 'k1', '1'],
      ['c', 'FLUSHALL'],
      { c: 'c', cmd: ['INFO'], mask: trackingInfo },
    ],
  },
  {
    name: 'tracking-table-max-keys evicts keys with an invalidation',
    steps: [
      ['c', 'CONFIG', 'SET', 'tracking-table-max-keys', '1'],
      ['a', 'CLIENT', 'TRACKING', 'on'],
      ['a', 'GET', 'k'],
      { c: 'a', cmd: [['MGET', 'a', 'b'], ['PING']], mask: anyKey },
      { c: 'c', cmd: ['INFO'], mask: trackingInfo },
      ['c', 'CONFIG', 'SET', 'tracking-table-max-keys', '0'],
      ['a', 'MGET', 'x', 'y', 'z'],
      { c: 'c', cmd: ['INFO'], mask: trackingInfo },
      ['c', 'CONFIG', 'SET', 'tracking-table-max-keys', '1000000'],
    ],
  },
  {
    name: 'expired keys invalidate',
    steps: [
      ['a', 'CLIENT', 'TRACKING', 'on'],
      ['b', 'SET', 'k', 'v', 'PX', '100'],
      ['a', 'GET', 'k'],
      { c: 'b', cmd: ['PING'], sleep: 400 },
      ['a', 'GET', 'k'],
    ],
  },
]);
