/*
 * Shapes of live replies against redis-server 7.0.15: INFO field names and order per section,
 * the CLIENT LIST field order, HELLO (id masked), SLOWLOG entries, DEBUG OBJECT. Values that are
 * live (ids, addresses, times, memory) are masked; everything else must match.
 */

import { describe, it, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import type { RespValue } from '../support/resp';
import { Client } from '../interop/rawclient';
import { startRedis, startRedoubt, type RunningServer } from '../support/servers';

/** INFO text -> [section, field names][] */
function infoShape(text: string): [string, string[]][] {
  const out: [string, string[]][] = [];
  for (const line of text.split('\r\n')) {
    if (line.startsWith('# ')) out.push([line.slice(2), []]);
    else if (line !== '') out[out.length - 1][1].push(line.slice(0, line.indexOf(':')));
  }
  return out;
}

describe('live reply shapes vs redis-server', () => {
  let redis: RunningServer;
  let redoubt: RunningServer;
  let a: Client;
  let b: Client;
  before(async () => {
    [redis, redoubt] = await Promise.all([
      startRedis(['--enable-debug-command', 'yes']),
      startRedoubt(['--enable-debug-command', 'yes']),
    ]);
    [a, b] = await Promise.all([Client.open(redis.port), Client.open(redoubt.port)]);
  });
  after(async () => {
    a?.close();
    b?.close();
    await Promise.all([redis?.stop(), redoubt?.stop()]);
  });

  /** Runs the same command on both servers. */
  const both = async (...args: string[]) => Promise.all([a.call(...args), b.call(...args)]);

  it('INFO everything: sections, field names and order', async () => {
    await both('SET', 'k', 'v');
    await both('SET', 'e', 'v', 'EX', '100');
    await both('GET');
    await both('HELLO', '4');
    await both('CLIENT', 'KILL', 'ID', '0');
    const [ra, rb] = await both('INFO', 'everything');
    const sa = infoShape(ra!.v as string);
    const sb = infoShape(rb!.v as string);
    const server = sb.find(([s]) => s === 'Server')!;
    assert.equal(server[1].pop(), 'redoubt_version', 'redoubt_version closes the Server section');
    // Redoubt's own Security section (self-audit, audit log) closes INFO everything, as a module's
    // section would in Redis
    const last = sb.pop()!;
    assert.equal(last[0], 'Security');
    assert.ok(last[1].includes('audit_score') && last[1].includes('audit_enabled'));
    // Redis 7.2's ACL refusal counters close the Stats section (7.0.15 has none)
    const stats = sb.find(([s]) => s === 'Stats')!;
    // then Redoubt's admission counters (docs/compatibility.md)
    const redoubtStats = stats[1].filter((f) => f.startsWith('redoubt_'));
    assert.deepEqual(stats[1].splice(-redoubtStats.length), redoubtStats);
    assert.ok(redoubtStats.includes('redoubt_rejected_untrusted_network'));
    assert.deepEqual(stats[1].splice(-4), ['acl_access_denied_auth', 'acl_access_denied_cmd', 'acl_access_denied_key', 'acl_access_denied_channel']);
    // Redis lists commands in hash-table order
    for (const s of [sa, sb]) {
      for (const name of ['Commandstats', 'Latencystats']) s.find(([n]) => n === name)![1].sort();
    }
    assert.deepEqual(sb, sa);
  });

  it('INFO commandstats and errorstats count like Redis', async () => {
    await both('CONFIG', 'RESETSTAT');
    await both('SET', 'k', 'v');
    await both('GET', 'k');
    await both('GET');
    await both('CLIENT', 'KILL', 'ID', '0');
    await both('HELLO', '4');
    const strip = (t: string) => t.split('\r\n').map((l) => l.replace(/usec=\d+,usec_per_call=[\d.]+/, 'usec=*')).sort().join('\n');
    const [ra, rb] = await both('INFO', 'commandstats', 'errorstats');
    assert.equal(strip(rb!.v as string), strip(ra!.v as string));
  });

  it('CLIENT LIST / CLIENT INFO field order', async () => {
    const fields = (line: string) => line.trim().split(' ').map((kv) => kv.slice(0, kv.indexOf('=')));
    const [ra, rb] = await both('CLIENT', 'INFO');
    assert.deepEqual(fields(rb!.v as string), fields(ra!.v as string));
    const [la, lb] = await both('CLIENT', 'LIST');
    assert.deepEqual(fields(lb!.v as string), fields(la!.v as string));
    assert.match(rb!.v as string, / cmd=client\|info user=default redir=-1 resp=2\n$/);
  });

  it('HELLO reply with the id masked', async () => {
    const [ra, rb] = await both('HELLO', '3');
    const mask = (v: RespValue | null) => JSON.stringify(v).replace(/("v":"id"\},\{"t":":","v":)"\d+"/, '$1"*"');
    assert.equal(mask(rb), mask(ra));
    const [ia] = [await a.call('CLIENT', 'ID')];
    const [ib] = [await b.call('CLIENT', 'ID')];
    assert.equal(JSON.stringify(ra).includes(`"v":"${ia!.v}"`), true);
    assert.equal(JSON.stringify(rb).includes(`"v":"${ib!.v}"`), true);
    await both('HELLO', '2');
  });

  it('SLOWLOG entries', async () => {
    await both('CONFIG', 'SET', 'slowlog-log-slower-than', '0');
    await both('SLOWLOG', 'RESET');
    await both('CLIENT', 'SETNAME', 'slowpoke');
    await both('SET', 'x'.repeat(200), 'v');
    const args = Array.from({ length: 40 }, (_, i) => String(i));
    await both('DEL', ...args);
    // read while every command is logged, so load on the machine cannot change what is listed
    const [ra, rb] = await both('SLOWLOG', 'GET', '-1');
    // mask id-independent live fields: timestamp, duration, peer port
    // ids are compared relative to the oldest entry shown: a command slower than the default
    // threshold on a loaded machine, earlier in the suite, shifts every later id
    const mask = (v: RespValue | null) => {
      const entries = v!.v as RespValue[];
      const base = Number((entries[entries.length - 1].v as RespValue[])[0].v);
      return JSON.stringify(entries.map((e) => {
        const f = e.v as RespValue[];
        return [Number(f[0].v) - base, f[3], (f[4].v as string).replace(/:\d+$/, ''), f[5]];
      }));
    };
    assert.equal(mask(rb), mask(ra));
    const [na, nb] = await both('SLOWLOG', 'LEN');
    assert.deepEqual(nb, na);
    await both('CONFIG', 'SET', 'slowlog-log-slower-than', '10000');
    await both('CLIENT', 'SETNAME', '');
  });

  it('DEBUG OBJECT on strings', async () => {
    for (const [k, v] of [['s', 'hello'], ['n', '12'], ['big', '123456789'], ['neg', '-70000'], ['mid', 'x'.repeat(20)], ['long', '9'.repeat(19)]]) {
      await both('SET', k, v);
      const [ra, rb] = await both('DEBUG', 'OBJECT', k);
      const mask = (r: RespValue | null) => String(r!.v).replace(/at:0x[0-9a-f]+/, 'at:*').replace(/lru:\d+ lru_seconds_idle:\d+/, 'lru:*');
      assert.equal(mask(rb), mask(ra), `DEBUG OBJECT ${k}`);
    }
  });

  it('dynamic-hz: INFO hz doubles with more than 200 connections per tick, configured_hz stays', async () => {
    const hzOf = (r: RespValue | null) => {
      const t = String(r!.v);
      return [/\r\nhz:(\d+)/.exec(t)![1], /\r\nconfigured_hz:(\d+)/.exec(t)![1]];
    };
    const tick = () => new Promise((r) => setTimeout(r, 1300));
    await both('CONFIG', 'SET', 'hz', '1');
    const extra: Client[] = [];
    try {
      for (let i = 0; i < 250; i++) extra.push(...(await Promise.all([Client.open(redis.port), Client.open(redoubt.port)])));
      await tick();
      let [ra, rb] = await both('INFO', 'server');
      assert.deepEqual(hzOf(ra), ['2', '1'], 'redis: 251 clients at hz 1 double it once');
      assert.deepEqual(hzOf(rb), hzOf(ra));
      await both('CONFIG', 'SET', 'dynamic-hz', 'no');
      await tick();
      [ra, rb] = await both('INFO', 'server');
      assert.deepEqual(hzOf(ra), ['1', '1']);
      assert.deepEqual(hzOf(rb), hzOf(ra));
    } finally {
      for (const c of extra) c.close();
      await both('CONFIG', 'SET', 'dynamic-hz', 'yes');
      await both('CONFIG', 'SET', 'hz', '10');
    }
    const [ra, rb] = await both('INFO', 'server');
    assert.deepEqual(hzOf(rb), hzOf(ra));
  });
});

