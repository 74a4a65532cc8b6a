/*
 * COMMAND against redis-server 7.0.15.
 *
 * The metadata check walks Redoubt's own COMMAND LIST, so every command (and subcommand) a family
 * declares is compared with the reference as soon as it exists: COMMAND INFO byte for byte (only
 * the order of a container's subcommands, a hash order in Redis, is normalised, and the text of
 * key-spec notes, which is ours, is masked — its presence is compared), COMMAND DOCS in structure
 * (the prose fields are ours: summary, complexity, the text of history entries and of replaced_by
 * are masked, their presence is still compared), and COMMAND GETKEYS/GETKEYSANDFLAGS on argument
 * vectors built from the reference's own argument documentation. Each container's HELP must list
 * exactly the subcommands it has. Separately, the derivation rules of table.ts are replayed over
 * every command redis-server knows.
 */

import { describe, it, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { readReply, canonical, encodeCommand, type RespValue } from '../support/resp';
import { startRedis, startRedoubt, type RunningServer } from '../support/servers';
import { Command, type CommandSpec, type KeySpec, type CommandFlag, type AclCategory, type KeySpecFlag } from '../../src/commands/table';
import { diffSuite, maskProse } from './harness';

/** A request/reply client over one socket. */
class Client {
  private buf = Buffer.alloc(0);
  private waiter: (() => void) | null = null;
  private constructor(private readonly sock: net.Socket) {
    sock.on('data', (d) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.waiter?.();
    });
    sock.on('error', () => {});
  }
  static async open(port: number, resp: 2 | 3): Promise<Client> {
    const sock = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(s));
      s.once('error', reject);
    });
    const c = new Client(sock);
    if (resp === 3) await c.call(['HELLO', '3']);
    return c;
  }
  async call(argv: string[]): Promise<RespValue> {
    this.sock.write(encodeCommand(argv));
    for (;;) {
      const r = readReply(this.buf);
      if (r !== null) {
        this.buf = this.buf.subarray(r[1]);
        return r[0];
      }
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`timeout waiting for ${argv.join(' ')}`)), 10000);
        this.waiter = () => { clearTimeout(t); this.waiter = null; resolve(); };
      });
    }
  }
  close(): void {
    this.sock.destroy();
  }
}

const items = (v: RespValue): RespValue[] => (Array.isArray(v.v) ? v.v : []);
const str = (v: RespValue): string => String(v.v);
const pairs = (v: RespValue): Map<string, RespValue> => {
  const m = new Map<string, RespValue>();
  const xs = items(v);
  for (let i = 0; i + 1 < xs.length; i += 2) m.set(str(xs[i]), xs[i + 1]);
  return m;
};

/**
 * COMMAND INFO entry with its subcommand array sorted (Redis lists them in hash order) and, when
 * `only` is given, restricted to those subcommands (a container may implement part of its family).
 */
function normInfo(v: RespValue, only?: Set<string>): string {
  if (v.t !== '*' || !Array.isArray(v.v) || v.v.length !== 10) return canonical(v, false);
  const head = v.v.slice(0, 9).map((x) => canonical(x, false));
  const subs = v.v[9];
  if (subs.t !== '*') return `*[${head.join(',')},${canonical(subs, false)}]`;
  const kept = items(subs).filter((e) => only === undefined || only.has(str(items(e)[0])));
  return `*[${head.join(',')},*[${kept.map((e) => normInfo(e)).sort().join(',')}]]`;
}

/** A COMMAND INFO reply (array of entries) normalised entry by entry, key-spec notes masked. */
function normInfoReply(v: RespValue, only?: Set<string>): string {
  return `${v.t}[${items(maskProse(v)).map((e) => normInfo(e, only)).join(',')}]`;
}

/** COMMAND DOCS value with prose masked, the subcommand map sorted and restricted to `only`. */
function normDocs(v: RespValue, only?: Set<string>): string {
  v = maskProse(v);
  if (!Array.isArray(v.v) || (v.t !== '%' && v.t !== '*')) return canonical(v, false);
  const xs = v.v;
  const out: string[] = [];
  for (let i = 0; i + 1 < xs.length; i += 2) {
    const k = str(xs[i]);
    const val = xs[i + 1];
    if (k === 'subcommands') {
      const sub = items(val);
      const entries: string[] = [];
      for (let j = 0; j + 1 < sub.length; j += 2) {
        if (only === undefined || only.has(str(sub[j]))) entries.push(`${str(sub[j])}=>${normDocs(sub[j + 1])}`);
      }
      out.push(`${k}=>${val.t}[${entries.sort().join(',')}]`);
      continue;
    }
    out.push(`${k}=>${canonical(val, false)}`);
  }
  return `${v.t}{${out.join(',')}}`;
}

/**
 * Builds argument vectors from documented arguments: the shortest one (required arguments only,
 * the first alternative of each choice) and a long one (optionals included, repeats twice).
 */
function sampleArgs(args: RespValue[], full: boolean, counter: { n: number }): string[] {
  const out: string[] = [];
  for (const a of args) {
    const m = pairs(a);
    const flags = m.has('flags') ? items(m.get('flags')!).map(str) : [];
    if (flags.includes('optional') && !full) continue;
    const reps = flags.includes('multiple') && full ? 2 : 1;
    for (let r = 0; r < reps; r++) {
      if (m.has('token') && (r === 0 || flags.includes('multiple_token'))) out.push(str(m.get('token')!));
      const type = str(m.get('type')!);
      const sub = m.has('arguments') ? items(m.get('arguments')!) : [];
      if (type === 'oneof') out.push(...sampleArgs(sub.slice(0, 1), full, counter));
      else if (type === 'block') out.push(...sampleArgs(sub, full, counter));
      else if (type === 'key') out.push(`key${counter.n++}`);
      else if (type === 'integer' || type === 'unix-time') out.push('1'); // also a valid numkeys for the one key sampled after it
      else if (type === 'double') out.push('1.5');
      else if (type === 'pure-token') { /* the token is the argument */ }
      else out.push(`v${counter.n++}`);
    }
  }
  return out;
}

describe('COMMAND metadata against redis-server 7.0.15', () => {
  let redis: RunningServer;
  let ours: RunningServer;
  const clients: Record<'redis' | 'ours', Record<2 | 3, Client>> = {} as never;
  let names: string[] = [];
  let allNames: string[] = [];

  before(async () => {
    [redis, ours] = await Promise.all([startRedis(), startRedoubt()]);
    for (const [k, s] of [['redis', redis], ['ours', ours]] as const) {
      clients[k] = { 2: await Client.open(s.port, 2), 3: await Client.open(s.port, 3) };
    }
    allNames = items(await clients.ours[2].call(['COMMAND', 'LIST'])).map(str);
    // commands Redoubt adds beyond Redis 7.0 (CL.THROTTLE, INCREX) have no reference here; their
    // own tests cover them
    const known = new Set(items(await clients.redis[2].call(['COMMAND', 'LIST'])).map(str));
    names = allNames.filter((n) => known.has(n));
  });

  after(async () => {
    for (const k of ['redis', 'ours'] as const) for (const r of [2, 3] as const) clients[k]?.[r]?.close();
    await Promise.all([redis?.stop(), ours?.stop()]);
  });

  it('COMMAND INFO of every command Redoubt lists is identical (RESP2 and RESP3)', async () => {
    const mine = new Set(names);
    const bad: string[] = [];
    for (const name of names) {
      for (const resp of [2, 3] as const) {
        const a = normInfoReply(await clients.redis[resp].call(['COMMAND', 'INFO', name]), mine);
        const b = normInfoReply(await clients.ours[resp].call(['COMMAND', 'INFO', name]));
        if (a !== b) bad.push(`${name} (RESP${resp})\n  redis: ${a}\n  ours:  ${b}`);
      }
    }
    assert.equal(bad.length, 0, `COMMAND INFO differs for ${bad.length} replies:\n${bad.join('\n')}`);
  });

  it('COMMAND DOCS of every command has the reference structure (prose masked)', async () => {
    const mine = new Set(names);
    const bad: string[] = [];
    for (const name of names) {
      for (const resp of [2, 3] as const) {
        const a = normDocs(items(await clients.redis[resp].call(['COMMAND', 'DOCS', name]))[1] ?? { t: '_', v: '' }, mine);
        const b = normDocs(items(await clients.ours[resp].call(['COMMAND', 'DOCS', name]))[1] ?? { t: '_', v: '' });
        if (a !== b) bad.push(`${name} (RESP${resp})\n  redis: ${a}\n  ours:  ${b}`);
      }
    }
    assert.equal(bad.length, 0, `COMMAND DOCS differs for ${bad.length} replies:\n${bad.join('\n')}`);
  });

  it('COMMAND GETKEYS and GETKEYSANDFLAGS agree on argument vectors built from the docs', async () => {
    const bad: string[] = [];
    let checked = 0;
    for (const name of names) {
      const docs = pairs(items(await clients.redis[3].call(['COMMAND', 'DOCS', name]))[1] ?? { t: '%', v: [] });
      if (docs.has('subcommands') && !name.includes('|')) continue;
      const args = docs.has('arguments') ? items(docs.get('arguments')!) : [];
      const prefix = name.split('|');
      for (const full of [false, true]) {
        const argv = [...prefix, ...sampleArgs(args, full, { n: 0 })];
        for (const sub of ['GETKEYS', 'GETKEYSANDFLAGS']) {
          for (const resp of [2, 3] as const) {
            const a = canonical(await clients.redis[resp].call(['COMMAND', sub, ...argv]), false);
            const b = canonical(await clients.ours[resp].call(['COMMAND', sub, ...argv]), false);
            checked++;
            if (a !== b) bad.push(`COMMAND ${sub} ${argv.join(' ')} (RESP${resp})\n  redis: ${a}\n  ours:  ${b}`);
          }
        }
      }
    }
    assert.ok(checked > 0);
    assert.equal(bad.length, 0, `GETKEYS differs for ${bad.length} replies:\n${bad.join('\n')}`);
  });

  it('the HELP of every container lists exactly the subcommands it has', async () => {
    const containers = names.filter((n) => n.endsWith('|help')).map((n) => n.slice(0, -5));
    assert.ok(containers.length > 0);
    for (const c of containers) {
      const has = names.filter((n) => n.startsWith(`${c}|`) && n !== `${c}|help`).map((n) => n.slice(c.length + 1)).sort();
      for (const resp of [2, 3] as const) {
        const lines = items(await clients.ours[resp].call([c.toUpperCase(), 'HELP'])).map(str);
        const listed = new Set(lines.slice(1).filter((l) => l !== '' && l[0] !== ' ' && l !== '(no subcommand)').map((l) => l.split(' ')[0].toLowerCase()));
        assert.ok(listed.delete('help'), `${c} HELP lists HELP`);
        assert.deepEqual([...listed].sort(), has, `${c} HELP (RESP${resp})`);
      }
    }
  });

  it('COMMAND LIST filters select what redis-server selects among the commands Redoubt has', async () => {
    const mine = new Set(names);
    const filters: string[][] = [
      ['ACLCAT', 'keyspace'], ['ACLCAT', 'read'], ['ACLCAT', 'write'], ['ACLCAT', 'string'], ['ACLCAT', 'admin'],
      ['ACLCAT', 'FAST'], ['ACLCAT', 'slow'], ['ACLCAT', 'dangerous'], ['ACLCAT', 'connection'], ['ACLCAT', 'nosuch'],
      ['ACLCAT', '@read'], ['MODULE', 'x'],
      ['PATTERN', '*'], ['PATTERN', 'c*'], ['PATTERN', '*|*'], ['PATTERN', 'CONFIG|*'], ['PATTERN', 'g?t'],
      ['PATTERN', '[a-c]*'], ['PATTERN', '[^a-y]*'], ['PATTERN', '[z-x]*'], ['PATTERN', '*\\|get'],
      ['PATTERN', '[ge]et*'], ['PATTERN', 'x['], ['PATTERN', '*e[t'], ['PATTERN', '[\\]'], ['PATTERN', '*a*e*'],
    ];
    for (const f of filters) {
      for (const resp of [2, 3] as const) {
        const r = await clients.redis[resp].call(['COMMAND', 'LIST', 'FILTERBY', ...f]);
        const o = await clients.ours[resp].call(['COMMAND', 'LIST', 'FILTERBY', ...f]);
        assert.equal(o.t, r.t);
        const want = items(r).map(str).filter((n) => mine.has(n)).sort();
        assert.deepEqual(items(o).map(str).filter((n) => mine.has(n)).sort(), want, `FILTERBY ${f.join(' ')}`);
      }
    }
  });

  it('COMMAND, COMMAND COUNT, COMMAND INFO and COMMAND DOCS cover the same table', async () => {
    for (const resp of [2, 3] as const) {
      const c = clients.ours[resp];
      const count = Number((await c.call(['COMMAND', 'COUNT'])).v);
      const all = items(await c.call(['COMMAND']));
      const info = items(await c.call(['COMMAND', 'INFO']));
      const docs = items(await c.call(['COMMAND', 'DOCS']));
      assert.equal(all.length, count);
      assert.equal(info.length, count);
      assert.equal(docs.length, 2 * count);
      const top = allNames.filter((n) => !n.includes('|')).sort();
      assert.deepEqual(all.map((e) => str(items(e)[0])).sort(), top);
      for (let i = 0; i < all.length; i++) {
        const n = str(items(all[i])[0]);
        assert.equal(normInfo(maskProse(all[i])), normInfoReply(await c.call(['COMMAND', 'INFO', n])).slice(2, -1), n);
      }
    }
  });

  it('table.ts derivations reproduce redis-server for every command it has', async () => {
    const all = items(await clients.redis[3].call(['COMMAND']));
    const bad: string[] = [];
    const check = (e: RespValue): void => {
      const x = items(e);
      const name = str(x[0]);
      const flags = items(x[2]).map(str);
      const cats = items(x[6]).map((c) => str(c).slice(1));
      const keys: KeySpec[] = items(x[8]).map((s) => {
        const m = pairs(s);
        const bs = pairs(m.get('begin_search')!);
        const fk = pairs(m.get('find_keys')!);
        const bspec = pairs(bs.get('spec')!);
        const fspec = pairs(fk.get('spec')!);
        const n = (mm: Map<string, RespValue>, k: string) => Number(mm.get(k)!.v);
        return {
          flags: items(m.get('flags')!).map(str) as KeySpecFlag[],
          begin: str(bs.get('type')!) === 'index' ? { index: n(bspec, 'index') }
            : str(bs.get('type')!) === 'keyword' ? { keyword: str(bspec.get('keyword')!), startfrom: n(bspec, 'startfrom') }
            : { unknown: true as const },
          find: str(fk.get('type')!) === 'range' ? { range: [n(fspec, 'lastkey'), n(fspec, 'keystep'), n(fspec, 'limit')] as [number, number, number] }
            : str(fk.get('type')!) === 'keynum' ? { keynum: [n(fspec, 'keynumidx'), n(fspec, 'firstkey'), n(fspec, 'keystep')] as [number, number, number] }
            : { unknown: true as const },
        };
      });
      const spec: CommandSpec = {
        name, arity: Number(x[1].v), keys,
        flags: flags.filter((f) => f !== 'movablekeys') as CommandFlag[],
        categories: cats as AclCategory[],
        docs: { summary: '', since: '', group: '' },
      };
      const c = new Command(spec);
      const got = [c.legacy.join(','), c.flags.has('movablekeys'), [...c.categories].join(',')].join(' ');
      const want = [[x[3].v, x[4].v, x[5].v].join(','), flags.includes('movablekeys'), cats.join(',')].join(' ');
      if (got !== want) bad.push(`${name}: derived ${got}, redis ${want}`);
      for (const s of items(x[9])) check(s);
    };
    for (const e of all) check(e);
    assert.ok(all.length > 200);
    assert.equal(bad.length, 0, bad.join('\n'));
  });
});

/* Behaviour scripts: replies that do not depend on which other commands exist. */
diffSuite('command', [
  {
    name: 'help and unknown subcommands',
    steps: [
      { cmd: ['COMMAND', 'HELP'], help: true },
      { cmd: ['command', 'help'], help: true },
      ['command', 'help', 'extra'],
      ['COMMAND', 'NOSUCH'],
      ['COMMAND', 'COUNT', 'x'],
      ['COMMAND', 'GETKEYS'],
      ['COMMAND', 'GETKEYS', 'get'],
      ['COMMAND', 'LIST', 'extra'],
      ['COMMAND', 'DOCS', 'nosuch'],
    ],
  },
  {
    name: 'info and docs of unknown or malformed names',
    steps: [
      ['COMMAND', 'INFO', 'nosuch'],
      ['COMMAND', 'INFO', 'nosuch', 'get', '', '|', 'get|x', 'config|', 'config|get|x', 'config|nosuch', 'GET'],
      ['COMMAND', 'DOCS', 'nosuch', 'get|x', '|', 'config|get|x'],
      ['COMMAND', 'INFO', 'Ping', 'ECHO'],
      ['COMMAND', 'INFO', 'command|info', 'COMMAND|Count'],
      ['COMMAND', 'DOCS', 'nosuch', 'get|nosuch'],
    ],
  },
  {
    name: 'list syntax',
    steps: [
      ['COMMAND', 'LIST', 'FILTERBY'],
      ['COMMAND', 'LIST', 'FILTERBY', 'ACLCAT'],
      ['COMMAND', 'LIST', 'FILTERBY', 'nosuch', 'x'],
      ['COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'x', 'extra'],
      ['COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'x', 'FILTERBY', 'ACLCAT'],
      ['COMMAND', 'LIST', 'FILTERBY', 'MODULE', 'm'],
      ['COMMAND', 'LIST', 'FILTERBY', 'aclcat', 'nosuch'],
      ['COMMAND', 'LIST', 'filterby', 'pattern', 'nosuch*'],
      { cmd: ['COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'command*'], unordered: true },
    ],
  },
  {
    name: 'getkeys',
    steps: [
      ['COMMAND', 'GETKEYS', 'nosuch', 'a'],
      ['COMMAND', 'GETKEYS', 'get', 'a', 'b'],
      ['COMMAND', 'GETKEYS', 'get', 'a'],
      ['COMMAND', 'GETKEYSANDFLAGS', 'get', '\x00\xff'],
      ['COMMAND', 'GETKEYS', 'set', 'a', 'b'],
      ['COMMAND', 'GETKEYSANDFLAGS', 'set', 'a', 'b'],
      ['COMMAND', 'GETKEYSANDFLAGS', 'set', 'a', 'b', 'GET'],
      ['COMMAND', 'GETKEYSANDFLAGS', 'SET', 'a', 'b', 'ex', '10', 'get'],
      ['COMMAND', 'GETKEYS', 'set', 'a'],
      ['COMMAND', 'GETKEYS', 'ping', 'x'],
      ['COMMAND', 'GETKEYS', 'echo', 'x'],
      ['COMMAND', 'GETKEYS', 'command', 'getkeys', 'get'],
      ['COMMAND', 'GETKEYS', 'command', 'nosuch', 'get'],
      ['COMMAND', 'GETKEYS', 'OBJECT', 'ENCODING', 'k'],
      ['COMMAND', 'GETKEYSANDFLAGS', 'object', 'freq', 'k'],
      ['COMMAND', 'GETKEYS', 'object', 'nosuch', 'k'],
      ['COMMAND', 'GETKEYS', 'object', 'encoding', 'k', 'extra'],
      ['COMMAND', 'GETKEYS', 'config', 'get', 'x'],
      ['COMMAND', 'GETKEYS', 'config', 'x', 'y'],
      ['COMMAND', 'GETKEYSANDFLAGS', 'mset', 'a', '1', 'b', '2', 'c'],
      ['COMMAND', 'GETKEYSANDFLAGS', 'del', 'a', 'b', 'a'],
    ],
  },
]);
