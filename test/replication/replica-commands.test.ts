/*
 * REPLICAOF / SLAVEOF / FAILOVER as commands (argument rules, replies, metadata — byte-compared with
 * redis-server 7.0.15), the replica's gates and INFO shape while its link is down, and the security
 * settings of the link: masterauth/masteruser with a replication-only user, replica-serve-stale-data
 * and Redoubt's replicaof-allowed-primaries (the rogue-primary attack).
 */

import { describe, it, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { diffSuite } from '../diff/harness';
import { freePort, startRedis, startRedoubt, type RunningServer } from '../support/servers';
import { RawConn } from '../support/dataset';
import { makePki, opensslAvailable, type TestPki } from '../support/certs';
import { until as untilTrue } from '../support/poll';

diffSuite('replica commands', [
  {
    name: 'REPLICAOF and SLAVEOF argument rules on a primary',
    steps: [
      ['REPLICAOF', 'NO', 'ONE'], ['replicaof', 'no', 'one'], ['SLAVEOF', 'No', 'One'],
      ['REPLICAOF', '127.0.0.1', 'abc'], ['REPLICAOF', '127.0.0.1', '70000'], ['REPLICAOF', '127.0.0.1', '-1'],
      ['REPLICAOF', '127.0.0.1', ' 1'], ['REPLICAOF', 'no'], ['REPLICAOF', 'a', 'b', 'c'], ['SLAVEOF'],
    ],
  },
  {
    name: 'FAILOVER argument rules without replicas',
    steps: [
      ['FAILOVER', 'ABORT'], ['FAILOVER'], ['FAILOVER', 'TIMEOUT', '0'], ['FAILOVER', 'TIMEOUT', '-5'],
      ['FAILOVER', 'TIMEOUT', 'abc'], ['FAILOVER', 'TO', 'host'], ['FAILOVER', 'TO', 'host', 'abc'],
      ['FAILOVER', 'FORCE', 'FORCE'], ['FAILOVER', 'TIMEOUT', '10', 'TIMEOUT', '10'], ['FAILOVER', 'FORCE'],
      ['FAILOVER', 'TO', 'h', '1', 'FORCE', 'TIMEOUT', '5'], ['FAILOVER', 'bogus'], ['FAILOVER', 'ABORT', 'x'],
    ],
  },
  {
    name: 'COMMAND INFO and DOCS',
    steps: [
      ['COMMAND', 'INFO', 'replicaof', 'slaveof', 'failover'],
      { cmd: ['COMMAND', 'DOCS', 'replicaof', 'slaveof', 'failover'], prose: true },
    ],
  },
]);

async function call(port: number, ...args: string[]): Promise<any> {
  const c = await RawConn.open(port);
  try {
    const r = await c.call(...args);
    return r.t === ':' ? Number(r.v) : r.v;
  } finally {
    c.close();
  }
}

async function infoFields(port: number): Promise<Array<[string, string]>> {
  const text = String(await call(port, 'INFO', 'replication'));
  return text.split('\r\n').filter((l) => l.includes(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1)]);
}

/** the shared poll with this file's patience */
const until = (what: string, pred: () => Promise<boolean>, timeoutMs = 15000): Promise<void> => untilTrue(what, pred, timeoutMs);

describe('a replica whose primary is unreachable', () => {
  let redis: RunningServer;
  let redoubt: RunningServer;
  let closed: number;
  before(async () => {
    closed = await freePort();
    [redis, redoubt] = await Promise.all([startRedis(), startRedoubt(['--replica-serve-stale-data', 'no'])]);
    await call(redis.port, 'CONFIG', 'SET', 'replica-serve-stale-data', 'no');
    assert.equal(await call(redis.port, 'REPLICAOF', '127.0.0.1', String(closed)), 'OK');
    assert.equal(await call(redoubt.port, 'REPLICAOF', '127.0.0.1', String(closed)), 'OK');
  });
  after(async () => {
    await Promise.all([redis?.stop(), redoubt?.stop()]);
  });

  it('reports the INFO replication fields redis-server reports, in its order', async () => {
    const [a, b] = await Promise.all([infoFields(redis.port), infoFields(redoubt.port)]);
    assert.deepEqual(b.map(([k]) => k), a.map(([k]) => k));
    const live = new Set(['master_replid', 'master_link_down_since_seconds']);
    for (const [i, [k, v]] of a.entries()) if (!live.has(k)) assert.equal(b[i][1], v, k);
  });

  it('answers ROLE like redis-server', async () => {
    const [a, b] = await Promise.all([call(redis.port, 'ROLE'), call(redoubt.port, 'ROLE')]);
    assert.deepEqual(b, a);
  });

  it('refuses commands without the stale flag with MASTERDOWN, runs stale ones', async () => {
    for (const port of [redis.port, redoubt.port]) {
      const c = await RawConn.open(port);
      try {
        assert.deepEqual(await c.call('GET', 'k'), { t: '-', v: "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'." });
        assert.equal((await c.call('PING')).t, '-');
        assert.equal((await c.call('INFO', 'server')).t, '$');
        assert.equal((await c.call('MULTI')).v, 'OK');
        assert.equal((await c.call('GET', 'k')).t, '-');
        assert.equal((await c.call('EXEC')).v, 'EXECABORT Transaction discarded because of previous errors.');
      } finally {
        c.close();
      }
    }
  });

  it('answers a repeated REPLICAOF with "OK Already connected to specified master"', async () => {
    for (const port of [redis.port, redoubt.port]) {
      const c = await RawConn.open(port);
      try {
        assert.deepEqual(await c.call('REPLICAOF', '127.0.0.1', String(closed)), { t: '+', v: 'OK Already connected to specified master' });
      } finally {
        c.close();
      }
    }
  });

  it('unblocks blocked clients with UNBLOCKED when it turns replica', async () => {
    assert.equal(await call(redoubt.port, 'REPLICAOF', 'NO', 'ONE'), 'OK');
    const c = await RawConn.open(redoubt.port);
    try {
      const pending = c.call('BLPOP', 'nothing', '0');
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(await call(redoubt.port, 'REPLICAOF', '127.0.0.1', String(closed)), 'OK');
      assert.deepEqual(await pending, { t: '-', v: 'UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)' });
    } finally {
      c.close();
    }
  });
});

describe('link security', () => {
  let primary: RunningServer;
  let replica: RunningServer;
  const auditFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'redoubt-audit-')), 'audit.log');
  before(async () => {
    primary = await startRedis(['--repl-diskless-sync-delay', '0', '--requirepass', 'adminpw']);
    await call(primary.port, 'AUTH', 'adminpw');
  });
  after(async () => {
    await Promise.all([primary?.stop(), replica?.stop()]);
  });

  it('syncs as a replication user allowed only psync, replconf and ping (masteruser/masterauth)', async () => {
    const c = await RawConn.open(primary.port);
    try {
      await c.call('AUTH', 'adminpw');
      assert.equal((await c.call('ACL', 'SETUSER', 'repl', 'on', '>replpw', '-@all', '+psync', '+replconf', '+ping')).v, 'OK');
      assert.equal((await c.call('SET', 'secured', 'value')).v, 'OK');
    } finally {
      c.close();
    }
    replica = await startRedoubt(['--masteruser', 'repl', '--masterauth', 'replpw', '--replicaof-allowed-primaries', `127.0.0.1:${primary.port}`, '--audit-log-file', auditFile]);
    assert.equal(await call(replica.port, 'REPLICAOF', '127.0.0.1', String(primary.port)), 'OK');
    await until('the link is up', async () => String(await call(replica.port, 'INFO', 'replication')).includes('master_link_status:up'));
    await until('the key arrives', async () => (await call(replica.port, 'GET', 'secured')) === 'value');
    // the secret never reaches the log
    assert.doesNotMatch(replica.output(), /replpw/);
  });

  it('refuses REPLICAOF to a primary missing from replicaof-allowed-primaries, and logs it', async () => {
    const c = await RawConn.open(replica.port);
    try {
      const r = await c.call('REPLICAOF', '10.9.8.7', '6379');
      assert.deepEqual(r, { t: '-', v: 'ERR REPLICAOF to 10.9.8.7:6379 refused: not listed in replicaof-allowed-primaries' });
      const other = await c.call('REPLICAOF', '127.0.0.1', String(primary.port + 1));
      assert.equal(other.t, '-');
      // still following the allowed primary
      assert.match(String((await c.call('INFO', 'replication')).v), new RegExp(`master_port:${primary.port}\r\n`));
    } finally {
      c.close();
    }
    assert.match(replica.output(), /REPLICAOF 10\.9\.8\.7:6379 refused: the primary is not listed in replicaof-allowed-primaries/);
    // and it is in the audit trail
    await until('the refusal is audited', async () => fs.existsSync(auditFile) && fs.readFileSync(auditFile, 'utf8').split('\n').some((l) => l.includes('"event":"replicaof.refused"') && l.includes('10.9.8.7:6379')));
    // the list itself is a protected setting: not changeable over the wire by default
    const set = await call(replica.port, 'CONFIG', 'SET', 'replicaof-allowed-primaries', '10.9.8.7:6379');
    assert.match(String(set), /can't set protected config/);
  });

  it('logs an AUTH failure and keeps retrying without a full sync', async () => {
    const bad = await startRedoubt(['--masterauth', 'wrong']);
    try {
      assert.equal(await call(bad.port, 'REPLICAOF', '127.0.0.1', String(primary.port)), 'OK');
      await until('the AUTH refusal is logged', async () => /Unable to AUTH to MASTER: -WRONGPASS/.test(bad.output()));
      assert.match(String(await call(bad.port, 'INFO', 'replication')), /master_link_status:down/);
    } finally {
      await bad.stop();
    }
  });
});

describe('tls-replication', { skip: !opensslAvailable() }, () => {
  let pki: TestPki;
  let primary: RunningServer;
  let rogue: RunningServer;
  let replica: RunningServer;
  let tlsPort: number;
  let rogueTlsPort: number;
  before(async () => {
    pki = makePki();
    [tlsPort, rogueTlsPort] = [await freePort(), await freePort()];
    const foreign = pki.foreignClient;
    [primary, rogue] = await Promise.all([
      startRedis(['--tls-port', String(tlsPort), '--tls-cert-file', pki.server.cert, '--tls-key-file', pki.server.key, '--tls-ca-cert-file', pki.caCert, '--repl-diskless-sync-delay', '0']),
      startRedis(['--tls-port', String(rogueTlsPort), '--tls-cert-file', foreign.cert, '--tls-key-file', foreign.key, '--tls-ca-cert-file', pki.caCert, '--tls-auth-clients', 'no']),
    ]);
    const client = pki.client('replica');
    replica = await startRedoubt(['--tls-replication', 'yes', '--tls-cert-file', pki.server.cert, '--tls-key-file', pki.server.key,
      '--tls-client-cert-file', client.cert, '--tls-client-key-file', client.key, '--tls-ca-cert-file', pki.caCert]);
  });
  after(async () => {
    await Promise.all([primary?.stop(), rogue?.stop(), replica?.stop()]);
    pki?.cleanup();
  });

  it('syncs over TLS with a client certificate, verifying the primary against tls-ca-cert-file', async () => {
    await call(primary.port, 'SET', 'over', 'tls');
    assert.equal(await call(replica.port, 'REPLICAOF', '127.0.0.1', String(tlsPort)), 'OK');
    await until('the key arrives over TLS', async () => (await call(replica.port, 'GET', 'over')) === 'tls');
    await call(primary.port, 'SET', 'streamed', 'too');
    await until('the stream flows', async () => (await call(replica.port, 'GET', 'streamed')) === 'too');
  });

  it('refuses a primary whose certificate the CA did not sign', async () => {
    assert.equal(await call(replica.port, 'REPLICAOF', '127.0.0.1', String(rogueTlsPort)), 'OK');
    await new Promise((r) => setTimeout(r, 1500));
    assert.match(String(await call(replica.port, 'INFO', 'replication')), /master_link_status:down/);
    assert.match(replica.output(), /Master did not respond to command during SYNC handshake|Error condition on socket for SYNC/);
    // nothing from the rogue primary was loaded: the data of the real one is still there
    assert.equal(await call(replica.port, 'GET', 'over'), 'tls');
  });
});
