/*
 * Certificate-to-user login (tls-auth-clients-user CN): a verified client certificate whose CN
 * names a user logs the connection in as that user; ambiguous subjects (a NUL byte in the CN, two
 * CNs) and unknown or disabled users are refused (the connection stays unauthenticated and the
 * ACL LOG says why); and a passwordless certificate-only user cannot be entered with AUTH by a
 * connection without its certificate when client certificates are optional (redis/redis#14638).
 */

import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { makePki, opensslAvailable, type TestPki } from '../support/certs';
import { freePort, startRedoubt, type RunningServer } from '../support/servers';
import { TlsClient } from '../support/tlsclient';

/** A hung exchange fails its test instead of stalling the whole suite. */
const TEST_TIMEOUT = 60_000;

const skip = !opensslAvailable() ? 'openssl is needed' : false;
let pki: TestPki;
let server: RunningServer;
let port: number;
const NOAUTH = '-NOAUTH Authentication required.\r\n';
const WRONGPASS = '-WRONGPASS invalid username-password pair or user is disabled.\r\n';

before(async () => {
  if (skip) return;
  pki = makePki();
  port = await freePort();
  server = await startRedoubt(['--port', '0', '--tls-port', String(port), '--tls-cert-file', pki.server.cert, '--tls-key-file', pki.server.key,
    '--tls-ca-cert-file', pki.caCert, '--tls-auth-clients', 'optional', '--tls-auth-clients-user', 'CN',
    '--user', 'default', 'on', '>default-secret', '~*', '&*', '+@all',
    '--user', 'alice', 'on', 'nopass', '~*', '+@all',
    '--user', 'admin', 'on', '>admin-secret', '~*', '&*', '+@all',
    '--user', 'carol', 'off', 'nopass', '~*', '+@all',
    '--user', 'dave', 'on', '>dave-secret', '~dave:*', '+@all'], { port });
});
after(async () => {
  await server?.stop();
  pki?.cleanup();
});

async function as(cn: string | null): Promise<TlsClient> {
  return TlsClient.connect(port, { ca: pki.caCert, cert: cn === null ? undefined : pki.client(cn) });
}

test('CONFIG GET tls-auth-clients-user shows the mode', { skip, timeout: TEST_TIMEOUT }, async () => {
  const c = await as('admin');
  assert.equal(await c.call('CONFIG', 'GET', 'tls-auth-clients-user'), '*2\r\n$21\r\ntls-auth-clients-user\r\n$2\r\nCN\r\n');
  c.close();
});

test('a verified certificate logs in as the user its CN names, at once', { skip, timeout: TEST_TIMEOUT }, async () => {
  for (const [cn, user] of [['alice', 'alice'], ['admin', 'admin'], ['dave', 'dave']]) {
    const c = await as(cn);
    assert.equal(await c.call('ACL', 'WHOAMI'), `$${user.length}\r\n${user}\r\n`);
    c.close();
  }
});

test('no certificate: the connection is the default user and must AUTH', { skip, timeout: TEST_TIMEOUT }, async () => {
  const c = await as(null);
  assert.equal(await c.call('GET', 'x'), NOAUTH);
  assert.equal(await c.call('AUTH', 'admin', 'admin-secret'), '+OK\r\n');
  assert.equal(await c.call('ACL', 'WHOAMI'), '$5\r\nadmin\r\n');
  c.close();
});

test('a CN with a NUL byte is refused, not cut short to another user\'s name', { skip, timeout: TEST_TIMEOUT }, async () => {
  const c = await TlsClient.connect(port, { ca: pki.caCert, cert: pki.nulClient('admin', 'evil') });
  assert.equal(await c.call('GET', 'x'), NOAUTH);
  c.close();
});

test('a subject with two CNs is refused', { skip, timeout: TEST_TIMEOUT }, async () => {
  const c = await TlsClient.connect(port, { ca: pki.caCert, cert: pki.multiCnClient('admin', 'alice') });
  assert.equal(await c.call('GET', 'x'), NOAUTH);
  c.close();
});

test('a CN naming no user, or a disabled user, is refused and logged in the ACL LOG', { skip, timeout: TEST_TIMEOUT }, async () => {
  for (const cn of ['mallory', 'carol']) {
    const c = await as(cn);
    assert.equal(await c.call('GET', 'x'), NOAUTH);
    c.close();
  }
  const admin = await as('admin');
  const log = (await admin.call('ACL', 'LOG'))!;
  assert.match(log, /tls-cert/);
  assert.match(log, /mallory/);
  admin.close();
});

test('a certificate from a CA the server does not trust never logs anyone in', { skip, timeout: TEST_TIMEOUT }, async () => {
  // the foreign certificate's CN is "default"; with optional client auth it is refused outright
  await assert.rejects(async () => {
    const c = await TlsClient.connect(port, { ca: pki.caCert, cert: pki.foreignClient });
    const r = await c.call('PING');
    c.close();
    if (r === null) throw new Error('closed');
  });
});

test('redis/redis#14638: a passwordless certificate-only user cannot be entered with AUTH without its certificate', { skip, timeout: TEST_TIMEOUT }, async () => {
  const none = await as(null);
  assert.equal(await none.call('AUTH', 'alice', 'anything'), WRONGPASS);
  assert.equal(await none.call('HELLO', '3', 'AUTH', 'alice', 'anything'), WRONGPASS);
  assert.equal(await none.call('GET', 'x'), NOAUTH);
  none.close();
  // another user's certificate does not open it either
  const dave = await as('dave');
  assert.equal(await dave.call('AUTH', 'alice', ''), WRONGPASS);
  assert.equal(await dave.call('ACL', 'WHOAMI'), '$4\r\ndave\r\n');
  // password users are unaffected
  assert.equal(await dave.call('AUTH', 'admin', 'admin-secret'), '+OK\r\n');
  dave.close();
  // the certificate holder may AUTH back into its own user
  const alice = await as('alice');
  assert.equal(await alice.call('AUTH', 'admin', 'admin-secret'), '+OK\r\n');
  assert.equal(await alice.call('AUTH', 'alice', 'x'), '+OK\r\n');
  assert.equal(await alice.call('ACL', 'WHOAMI'), '$5\r\nalice\r\n');
  alice.close();
});
