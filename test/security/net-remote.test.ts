/*
 * Admission from another host: a client in a network namespace (see net-ns.ts) connects over a veth
 * pair, so the server sees a non-loopback peer, over IPv4 and IPv6. Covers the start-up refusal
 * (a passwordless default user on a non-loopback address), protected mode as Redis 7.0 with the
 * explicit allow directive, the trusted-networks allowlist, the ACL `from:` rule (AUTH and the
 * passwordless default user), and the `local` value of enable-debug-command and
 * enable-protected-configs. Where Redis 7.0.15 has the behaviour, it runs the same scenario and
 * the texts are compared. Needs root; skipped otherwise, with the reason.
 */

import { describe, it, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { startRedis, startRedoubt, type RunningServer } from '../support/servers';
import { planNetNs, createNetNs, destroyNetNs, remoteCli, localCli } from './net-ns';

const net = planNetNs(1);

async function exitOf(s: RunningServer): Promise<number | null> {
  return new Promise((resolve) => {
    if (s.proc.exitCode !== null) resolve(s.proc.exitCode);
    else s.proc.once('exit', (c) => resolve(c));
  });
}

async function eventually(ok: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !ok(); i++) await new Promise((r) => setTimeout(r, 20));
}

const info = (port: number, field: string, ...auth: string[]) => {
  const m = new RegExp(`^${field}:(\\d+)`, 'm').exec(localCli(port, ...auth, 'INFO', 'stats'));
  return m === null ? -1 : Number(m[1]);
};

describe('admission from a non-loopback host', { skip: net.skip ?? false }, () => {
  const started: RunningServer[] = [];
  const start = async (args: string[]) => {
    const s = await startRedoubt(args);
    started.push(s);
    return s;
  };

  before(() => createNetNs(net));
  after(async () => {
    await Promise.all(started.map((s) => s.stop()));
    destroyNetNs(net);
  });

  describe('start-up refusal', () => {
    for (const extra of [[], ['--protected-mode', 'no']]) {
      it(`a passwordless default user on a non-loopback address stops start-up${extra.length ? ' (protected-mode no does not lift it)' : ''}`, async () => {
        const s = await startRedoubt(['--bind', '127.0.0.1', net.hostIp, ...extra], { wait: false });
        assert.equal(await exitOf(s), 1);
        assert.match(s.output(), new RegExp(`non-loopback address\\(es\\) ${net.hostIp.replace(/\./g, '\\.')} .*'allow-unauthenticated-network yes'`));
        assert.equal(remoteCli(net, net.hostIp, s.port, 'PING').includes('PONG'), false);
      });
    }

    it('a password lets it start, and the network client must authenticate', async () => {
      const s = await start(['--bind', '127.0.0.1', net.hostIp, '--requirepass', 'pw']);
      assert.match(remoteCli(net, net.hostIp, s.port, 'PING'), /^NOAUTH/);
      assert.equal(remoteCli(net, net.hostIp, s.port, '--no-auth-warning', '-a', 'pw', 'PING'), 'PONG');
      // and the password cannot be dropped while the port is open to the network
      assert.match(localCli(s.port, '--no-auth-warning', '-a', 'pw', 'CONFIG', 'SET', 'requirepass', ''), /Refusing to listen on the non-loopback/);
      assert.equal(remoteCli(net, net.hostIp, s.port, '--no-auth-warning', '-a', 'pw', 'PING'), 'PONG');
    });
  });

  describe('protected mode with allow-unauthenticated-network yes', () => {
    let redis: RunningServer;
    let redoubt: RunningServer;
    before(async () => {
      redis = await startRedis(['--bind', '127.0.0.1', net.hostIp]);
      started.push(redis);
      redoubt = await start(['--bind', '127.0.0.1', net.hostIp, '--allow-unauthenticated-network', 'yes']);
    });

    it('a remote client gets Redis\'s DENIED text, a loopback client is served', () => {
      const a = remoteCli(net, net.hostIp, redis.port, 'PING');
      const b = remoteCli(net, net.hostIp, redoubt.port, 'PING');
      assert.match(b, /^DENIED Redis is running in protected mode/);
      assert.equal(b, a);
      assert.equal(localCli(redoubt.port, 'PING'), 'PONG');
      assert.equal(info(redoubt.port, 'rejected_connections'), 1);
    });

    it('protected-mode no then admits it, as Redis does', () => {
      assert.equal(localCli(redoubt.port, 'CONFIG', 'SET', 'protected-mode', 'no'), 'OK');
      assert.equal(remoteCli(net, net.hostIp, redoubt.port, 'PING'), 'PONG');
      assert.equal(localCli(redoubt.port, 'CONFIG', 'SET', 'protected-mode', 'yes'), 'OK');
    });
  });

  describe('without the allow directive, a default user made passwordless at run time is not reachable', () => {
    it('refuses the network peer even with protected mode off', async () => {
      const s = await start(['--bind', '127.0.0.1', net.hostIp, '--requirepass', 'pw', '--protected-mode', 'no']);
      assert.equal(localCli(s.port, '--no-auth-warning', '-a', 'pw', 'ACL', 'SETUSER', 'default', 'nopass'), 'OK');
      assert.notEqual(remoteCli(net, net.hostIp, s.port, 'PING'), 'PONG');
      assert.equal(info(s.port, 'redoubt_rejected_unauthenticated_network'), 1);
      assert.equal(localCli(s.port, 'PING'), 'PONG');
    });
  });

  describe('trusted-networks', () => {
    let s: RunningServer;
    const auth = ['--no-auth-warning', '-a', 'pw'];
    before(async () => {
      s = await start(['--bind', '127.0.0.1', net.hostIp, `-${net.hostIp6}`, '--requirepass', 'pw']);
    });

    it('admits everyone by default', () => {
      assert.equal(localCli(s.port, ...auth, 'CONFIG', 'GET', 'trusted-networks'), 'trusted-networks');
      assert.equal(remoteCli(net, net.hostIp, s.port, ...auth, 'PING'), 'PONG');
      assert.equal(remoteCli(net, net.hostIp6, s.port, ...auth, 'PING'), 'PONG');
    });

    it('drops a peer outside the list before reading anything; loopback stays admitted', async () => {
      assert.equal(localCli(s.port, ...auth, 'CONFIG', 'SET', 'trusted-networks', '10.0.0.0/8 fc00::/7'), 'OK');
      const before = info(s.port, 'rejected_connections', ...auth);
      assert.notEqual(remoteCli(net, net.hostIp, s.port, ...auth, 'PING'), 'PONG');
      assert.notEqual(remoteCli(net, net.hostIp6, s.port, ...auth, 'PING'), 'PONG');
      // redis-cli tries again once a connection drops: count what the server saw, per reason
      const refused = info(s.port, 'redoubt_rejected_untrusted_network', ...auth);
      assert.ok(refused >= 2);
      assert.equal(info(s.port, 'rejected_connections', ...auth), before + refused);
      assert.equal(localCli(s.port, ...auth, 'PING'), 'PONG');
      await eventually(() => /Refused connection from/.test(s.output()));
      assert.match(s.output(), new RegExp(`Refused connection from ${net.nsIp.replace(/\./g, '\\.')}:\\d+: address not in trusted-networks`));
    });

    it('admits a listed network, per family, IPv4-mapped spellings included', () => {
      assert.equal(localCli(s.port, ...auth, 'CONFIG', 'SET', 'trusted-networks', `::ffff:${net.nsIp}/128`), 'OK');
      assert.equal(localCli(s.port, ...auth, 'CONFIG', 'GET', 'trusted-networks').split('\n')[1], `${net.nsIp}/32`);
      assert.equal(remoteCli(net, net.hostIp, s.port, ...auth, 'PING'), 'PONG');
      assert.notEqual(remoteCli(net, net.hostIp6, s.port, ...auth, 'PING'), 'PONG');
      assert.equal(localCli(s.port, ...auth, 'CONFIG', 'SET', 'trusted-networks', `${net.nsIp6}/64`), 'OK');
      assert.equal(remoteCli(net, net.hostIp6, s.port, ...auth, 'PING'), 'PONG');
      assert.notEqual(remoteCli(net, net.hostIp, s.port, ...auth, 'PING'), 'PONG');
      assert.equal(localCli(s.port, ...auth, 'CONFIG', 'SET', 'trusted-networks', ''), 'OK');
      assert.equal(remoteCli(net, net.hostIp, s.port, ...auth, 'PING'), 'PONG');
    });
  });

  describe('ACL from: rules', () => {
    let s: RunningServer;
    const auth = ['--no-auth-warning', '-a', 'pw'];
    before(async () => {
      s = await start(['--bind', '127.0.0.1', net.hostIp, '--requirepass', 'pw']);
      assert.equal(localCli(s.port, ...auth, 'ACL', 'SETUSER', 'app', 'on', '>secret', 'from:127.0.0.0/8', '+@all', '~*'), 'OK');
    });

    it('AUTH from outside the user\'s networks answers exactly like a wrong password', () => {
      const right = remoteCli(net, net.hostIp, s.port, '--no-auth-warning', '--user', 'app', '--pass', 'secret', 'PING');
      const wrong = remoteCli(net, net.hostIp, s.port, '--no-auth-warning', '--user', 'app', '--pass', 'nope', 'PING');
      assert.match(right, /WRONGPASS invalid username-password pair or user is disabled\./);
      assert.equal(right, wrong);
      assert.equal(localCli(s.port, '--no-auth-warning', '--user', 'app', '--pass', 'secret', 'PING'), 'PONG');
      const log = localCli(s.port, ...auth, 'ACL', 'LOG');
      assert.match(log, /reason\nauth\ncontext\ntoplevel\nobject\nAUTH\nusername\napp/);
      // both attempts were refused on their source, before any password was looked at
      assert.equal(info(s.port, 'redoubt_auth_source_denied', ...auth), 2);
    });

    it('HELLO AUTH is held to the same rule', () => {
      assert.match(remoteCli(net, net.hostIp, s.port, ...auth, 'HELLO', '3', 'AUTH', 'app', 'secret'), /WRONGPASS/);
    });

    it('adding the remote network admits it; GETUSER and LIST show the rule; anyfrom clears it', () => {
      assert.equal(localCli(s.port, ...auth, 'ACL', 'SETUSER', 'app', `from:${net.nsIp}`), 'OK');
      assert.equal(remoteCli(net, net.hostIp, s.port, '--no-auth-warning', '--user', 'app', '--pass', 'secret', 'PING'), 'PONG');
      assert.match(localCli(s.port, ...auth, 'ACL', 'GETUSER', 'app'), new RegExp(`from\\n127\\.0\\.0\\.0/8\\n${net.nsIp.replace(/\./g, '\\.')}/32`));
      assert.match(localCli(s.port, ...auth, 'ACL', 'LIST'), new RegExp(`user app on from:127\\.0\\.0\\.0/8 from:${net.nsIp.replace(/\./g, '\\.')}/32 #`));
      assert.equal(localCli(s.port, ...auth, 'ACL', 'SETUSER', 'app', 'anyfrom'), 'OK');
      assert.doesNotMatch(localCli(s.port, ...auth, 'ACL', 'GETUSER', 'app'), /from/);
    });

    it('a passwordless default user with from: rules refuses other sources at connection time', async () => {
      const d = await start(['--bind', '127.0.0.1', net.hostIp, '--protected-mode', 'no', '--allow-unauthenticated-network', 'yes']);
      assert.equal(remoteCli(net, net.hostIp, d.port, 'PING'), 'PONG');
      assert.equal(localCli(d.port, 'ACL', 'SETUSER', 'default', 'from:127.0.0.1'), 'OK');
      assert.notEqual(remoteCli(net, net.hostIp, d.port, 'PING'), 'PONG');
      assert.equal(localCli(d.port, 'PING'), 'PONG');
      assert.equal(info(d.port, 'redoubt_rejected_default_user_source'), 1);
    });
  });

  describe('enable-debug-command and enable-protected-configs local', () => {
    let redis: RunningServer;
    let redoubt: RunningServer;
    const args = ['--bind', '127.0.0.1', net.hostIp, '--requirepass', 'pw', '--enable-debug-command', 'local', '--enable-protected-configs', 'local'];
    const auth = ['--no-auth-warning', '-a', 'pw'];
    before(async () => {
      redis = await startRedis(args);
      started.push(redis);
      redoubt = await start(args);
    });

    it('DEBUG runs from loopback and is refused from the network with Redis\'s text', () => {
      const a = remoteCli(net, net.hostIp, redis.port, ...auth, 'DEBUG', 'SLEEP', '0');
      const b = remoteCli(net, net.hostIp, redoubt.port, ...auth, 'DEBUG', 'SLEEP', '0');
      assert.match(b, /^ERR DEBUG command not allowed\. If the enable-debug-command option is set to "local"/);
      assert.equal(b, a);
      assert.equal(localCli(redoubt.port, ...auth, 'DEBUG', 'SLEEP', '0'), 'OK');
    });

    it('CONFIG SET dir runs from loopback and is refused from the network with Redis\'s text', () => {
      const dir = localCli(redoubt.port, ...auth, 'CONFIG', 'GET', 'dir').split('\n')[1];
      const a = remoteCli(net, net.hostIp, redis.port, ...auth, 'CONFIG', 'SET', 'dir', '/tmp');
      const b = remoteCli(net, net.hostIp, redoubt.port, ...auth, 'CONFIG', 'SET', 'dir', '/tmp');
      assert.equal(b, "ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config");
      assert.equal(b, a);
      assert.equal(localCli(redoubt.port, ...auth, 'CONFIG', 'SET', 'dir', dir), 'OK');
    });

    it('the enable-* settings cannot be changed at run time', () => {
      for (const name of ['enable-debug-command', 'enable-protected-configs', 'enable-module-command']) {
        const a = localCli(redis.port, ...auth, 'CONFIG', 'SET', name, 'yes');
        const b = localCli(redoubt.port, ...auth, 'CONFIG', 'SET', name, 'yes');
        assert.equal(b, `ERR CONFIG SET failed (possibly related to argument '${name}') - can't set immutable config`);
        assert.equal(b, a);
      }
    });
  });
});
