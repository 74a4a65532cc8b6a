/*
 * The snapshot engine without a server: random interleavings of walk slices with every kind of
 * keyspace change (in-place mutation announced as a write command would, replacement, deletion,
 * TTL changes, new keys, FLUSHDB, SWAPDB, expiry-style removals that move slots) must deliver
 * exactly the keys, values and TTLs present when the snapshot began, each once.
 */

import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { Database, RObj } from '../../src/data/keyspace';
import { Snapshot, SnapshotRegistry, type SnapshotSink } from '../../src/persistence/snapshot';

type Op =
  | { k: 'mutate'; key: number; v: number }
  | { k: 'set'; key: number; v: number }
  | { k: 'del'; key: number }
  | { k: 'expire'; key: number; t: number }
  | { k: 'persist'; key: number }
  | { k: 'flush'; db: number }
  | { k: 'swap' }
  | { k: 'step'; n: number };

const KEYS = 12;
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ k: fc.constant('mutate' as const), key: fc.nat(KEYS), v: fc.nat(1000) }),
  fc.record({ k: fc.constant('set' as const), key: fc.nat(KEYS), v: fc.nat(1000) }),
  fc.record({ k: fc.constant('del' as const), key: fc.nat(KEYS) }),
  fc.record({ k: fc.constant('expire' as const), key: fc.nat(KEYS), t: fc.nat(1000) }),
  fc.record({ k: fc.constant('persist' as const), key: fc.nat(KEYS) }),
  fc.record({ k: fc.constant('flush' as const), db: fc.nat(1) }),
  fc.record({ k: fc.constant('swap' as const) }),
  fc.record({ k: fc.constant('step' as const), n: fc.integer({ min: 1, max: 7 }) }),
);

function setup(initial: Array<[number, number, number | null]>) {
  const host = { dbs: [] as Database[], snapshots: null as unknown as SnapshotRegistry };
  host.snapshots = new SnapshotRegistry(() => host.dbs);
  const hooks = { onExpired: () => {} };
  host.dbs.push(new Database(0, hooks), new Database(1, hooks));
  for (const [db, key, ttl] of initial) {
    const d = host.dbs[db % 2];
    d.set(`k${key}`, new RObj('string', { v: `init${db % 2}:${key}` }, 'raw', 0));
    if (ttl !== null) d.setExpire(`k${key}`, 1_000_000 + ttl);
  }
  return host;
}

/** What the snapshot must contain: db -> key -> "value@ttl". */
function image(dbs: Database[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const d of dbs) for (const [key, o] of d.dict.entries()) m.set(`${d.id}/${key}`, `${o.value.v}@${d.expires.get(key) ?? '-'}`);
  return m;
}

describe('snapshot engine', () => {
  it('delivers exactly the point-in-time image under any interleaving of changes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(1), fc.nat(KEYS), fc.option(fc.nat(1000))), { maxLength: 60 }),
        fc.array(opArb, { maxLength: 120 }),
        (initial, ops) => {
          const host = setup(initial);
          const expected = image(host.dbs);
          const got = new Map<string, string>();
          const sink: SnapshotSink = {
            entry(dbIndex, key, obj, exp) {
              const id = `${dbIndex}/${key}`;
              assert.ok(!got.has(id), `delivered twice: ${id}`);
              got.set(id, `${obj.value.v}@${exp ?? '-'}`);
            },
            drain() {},
          };
          const snap = new Snapshot(host, sink, { sliceKeys: 1 });
          // drive the walk by hand: one private slice per 'step'
          const views = (snap as any).views as any[];
          let vi = 0;
          const step = (n: number) => {
            for (let i = 0; i < n && vi < views.length; i++) {
              if (!(snap as any).walk(views[vi], 1, Infinity)) vi++;
            }
          };
          let db = 0;
          for (const op of ops) {
            const d = host.dbs[db];
            const key = 'k' + ((op as any).key ?? 0);
            switch (op.k) {
              case 'mutate': {
                // a write command: announced, then changed in place
                host.snapshots.beforeWrite(d, [key]);
                const o = d.lookup(key, 0);
                if (o !== undefined) o.value.v = `mut${op.v}`;
                break;
              }
              case 'set':
                d.set(key, new RObj('string', { v: `set${op.v}` }, 'raw', 0));
                break;
              case 'del':
                d.delete(key);
                break;
              case 'expire':
                if (d.dict.has(key)) d.setExpire(key, op.t);
                break;
              case 'persist':
                d.persist(key);
                break;
              case 'flush':
                host.dbs[op.db].clear();
                break;
              case 'swap':
                host.dbs[0].swapWith(host.dbs[1]);
                break;
              case 'step':
                step(op.n);
                break;
            }
            db = 1 - db;
          }
          step(Infinity);
          (snap as any).close();
          assert.deepEqual(new Map([...got].sort()), new Map([...expected].sort()));
          assert.equal(host.snapshots.size, 0);
          for (const d of host.dbs) assert.equal(d.cow, null);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('run() walks in slices and resolves; runSync delivers everything at once', async () => {
    const host = setup(Array.from({ length: 10_000 }, (_, i) => [i % 2, i, i % 3 === 0 ? i : null] as [number, number, number | null]));
    const expected = image(host.dbs);
    let drains = 0;
    const got = new Map<string, string>();
    const sink: SnapshotSink = {
      entry: (dbIndex, key, obj, exp) => got.set(`${dbIndex}/${key}`, `${obj.value.v}@${exp ?? '-'}`),
      drain: () => {
        drains++;
        return new Promise<void>((r) => setImmediate(r));
      },
    };
    const snap = new Snapshot(host, sink, { sliceKeys: 100 });
    const run = snap.run();
    // writes between slices
    for (let i = 0; i < 50; i++) {
      await new Promise<void>((r) => setImmediate(r));
      host.dbs[0].delete(`k${i * 2}`);
      host.dbs[1].set(`new${i}`, new RObj('string', { v: 'x' }, 'raw', 0));
    }
    await run;
    assert.ok(drains > 10);
    assert.deepEqual(got, expected);
    assert.equal(snap.keysDone, snap.keysTotal);
    const got2 = new Map<string, string>();
    Snapshot.runSync(host, { entry: (d, k) => got2.set(`${d}/${k}`, ''), drain: () => {} });
    assert.equal(got2.size, host.dbs[0].size + host.dbs[1].size);
  });

  it('abort() makes run() reject and uninstalls the hooks', async () => {
    const host = setup(Array.from({ length: 5000 }, (_, i) => [0, i, null] as [number, number, number | null]));
    const snap = new Snapshot(host, { entry() {}, drain: () => new Promise<void>((r) => setImmediate(r)) }, { sliceKeys: 10 });
    const run = snap.run();
    await new Promise<void>((r) => setImmediate(r));
    snap.abort('flushall');
    await assert.rejects(run, /flushall/);
    assert.equal(host.dbs[0].cow, null);
  });
});
