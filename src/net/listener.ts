/*
 * Listeners: one TCP server per `bind` address on `port` (0 disables TCP), plus the Unix socket
 * when `unixsocket` is set. Addresses prefixed with '-' are optional, as in Redis: failing to bind
 * them (e.g. no IPv6) is logged, not fatal. Any other bind failure stops start-up. The default bind
 * is loopback only.
 *
 * The Unix socket gets `unixsocketperm` (Redoubt's default 700: owner only) before the first
 * connection can be accepted: it is created under a umask that denies everyone, then chmod-ed.
 * `tcp-keepalive` is applied to every accepted TCP connection, as Redis does.
 *
 * TLS (`tls-port`): one tls.Server per bind address, configured from src/net/tls.ts. A TLS socket
 * reaches the server only once its handshake is complete (and, for `tls-auth-clients optional`,
 * only if a certificate it presented verified); until then the trusted-networks allowlist is the
 * only thing that looks at it, so an untrusted peer never gets as far as the TLS stack, and
 * `tls-handshake-timeout` bounds how long a handshake may take. A CONFIG SET of any tls-* setting
 * builds a complete new setup first and then swaps it into every TLS listener: new connections
 * get it, open ones keep theirs, and a setup that fails to build changes nothing.
 */

import * as net from 'node:net';
import * as tls from 'node:tls';
import * as fs from 'node:fs';
import type { Server } from '../server/server';
import type { Connection } from './connection';
import { buildTls, certificateUserName, presentedCertificate, SessionCache, TLS_DIRECTIVES, TlsConfigError, type TlsSetup } from './tls';
import { anyContains, isLoopbackIp, parseIp, type Cidr } from '../security/cidr';
import { formatAddr } from './address';

export class Listeners {
  private servers: net.Server[] = [];
  /** addresses actually bound, "ip:port" */
  bound: string[] = [];
  /** path of the Unix socket we created (removed on close) */
  private unixPath: string | null = null;

  /* TLS listeners live apart from the plaintext ones: reopen() of port/bind must not mix them. */
  private tlsServers: tls.Server[] = [];
  /** TLS addresses actually bound, "ip:port" */
  tlsBound: string[] = [];
  /** the TLS setup in force (null until TLS is configured) */
  tlsSetup: TlsSetup | null = null;
  private readonly sessions = new SessionCache(20480, 300);
  /** `bind` and `tls-port` the TLS listeners were opened for */
  private tlsOpenedFor = '';
  private started = false;
  private lastTlsErrorLog = -Infinity;
  private tlsErrorsSkipped = 0;

  constructor(private readonly server: Server) {
    server.config.onCommit((changed) => this.tlsConfigChanged(changed));
  }

  async open(): Promise<void> {
    // Unix socket first: once the TCP port answers, every listener is ready (tests and supervisors
    // that probe the port may then use the socket at once). TLS is configured before anything
    // listens, so a bad certificate stops start-up without a port ever opening.
    if (this.tlsWanted()) this.configureTls();
    await this.openUnix();
    await this.openTls();
    await this.openTcp();
    this.started = true;
  }

  private async openTcp(): Promise<void> {
    const cfg = this.server.config;
    const port = cfg.get('port') as number;
    const backlog = cfg.get('tcp-backlog') as number;
    this.openedKey = this.tcpKey();
    if (port === 0) return;
    const addrs = cfg.get('bind') as string[];
    for (const raw of addrs) {
      const optional = raw.startsWith('-');
      const addr = optional ? raw.slice(1) : raw;
      const host = addr === '*' ? '0.0.0.0' : addr === '::*' ? '::' : addr;
      try {
        await this.listen({ host, port, backlog, ipv6Only: host.includes(':') }, false);
        this.bound.push(`${host}:${port}`);
      } catch (e) {
        const msg = `Warning: Could not create server TCP listening socket ${addr}:${port}: ${(e as Error).message}`;
        if (optional) {
          this.server.log('warning', msg);
          continue;
        }
        throw new Error(msg);
      }
    }
    if (this.bound.length === 0) throw new Error(`Failed listening on port ${port} (tcp), aborting.`);
  }

  /** port and bind addresses of the TCP listeners last opened */
  private openedKey = '';
  private tcpKey(): string {
    return `${this.server.config.get('port')} ${(this.server.config.get('bind') as string[]).join(' ')}`;
  }

  private async openUnix(): Promise<void> {
    const cfg = this.server.config;
    const path = cfg.get('unixsocket') as string;
    if (path === '') return;
    const perm = cfg.get('unixsocketperm') as number;
    // A stale socket from an earlier run would make listen fail; Redis removes it too.
    try {
      if (fs.lstatSync(path).isSocket()) fs.unlinkSync(path);
    } catch { /* absent */ }
    const old = process.umask(0o777);
    try {
      await this.listen({ path, backlog: cfg.get('tcp-backlog') as number }, true);
    } catch (e) {
      throw new Error(`Failed opening Unix socket: ${(e as Error).message}`);
    } finally {
      process.umask(old);
    }
    this.unixPath = path;
    fs.chmodSync(path, perm === 0 ? 0o700 : perm);
    this.server.log('notice', `The server is now ready to accept connections at ${path}`);
  }

  private listen(opts: net.ListenOptions, isUnix: boolean): Promise<void> {
    const s = net.createServer({ noDelay: true, pauseOnConnect: true }, (sock) => {
      if (!isUnix) {
        const ka = this.server.config.get('tcp-keepalive') as number;
        if (ka > 0) sock.setKeepAlive(true, ka * 1000);
      }
      this.server.accept(sock, isUnix);
    });
    return this.bindServer(s, opts).then(() => void this.servers.push(s));
  }

  private bindServer(s: net.Server, opts: net.ListenOptions): Promise<void> {
    return new Promise((resolve, reject) => {
      s.once('error', reject);
      s.listen(opts, () => {
        s.removeListener('error', reject);
        s.on('error', (e) => this.server.log('warning', `Listener error: ${e.message}`));
        resolve();
      });
    });
  }

  /* ------------------------------------------------------------------ TLS */

  /** Redis configures TLS when the TLS port is set (or TLS links are, which Redoubt pins to no). */
  private tlsWanted(): boolean {
    const cfg = this.server.config;
    return (cfg.get('tls-port') as number) !== 0 || cfg.get('tls-replication') === true || cfg.get('tls-cluster') === true;
  }

  /** Start-up: build the TLS setup or stop with Redis's lines. */
  private configureTls(): void {
    try {
      this.applyTls(buildTls(this.server.config));
    } catch (e) {
      if (!(e instanceof TlsConfigError)) throw e;
      this.server.log('warning', e.message);
      throw new Error('Failed to configure TLS. Check logs for more info.');
    }
  }

  private applyTls(setup: TlsSetup): void {
    this.tlsSetup = setup;
    this.sessions.configure(setup.sessionCacheSize, setup.sessionCacheTimeout);
    // sessions made under the old certificate or trust must not resume under the new one
    this.sessions.clear();
    for (const s of this.tlsServers) this.configureServer(s, setup, true);
  }

  private configureServer(s: tls.Server, setup: TlsSetup, reload: boolean): void {
    if (reload) s.setSecureContext(setup.server);
    // read by tls.Server for each new connection
    const anyServer = s as tls.Server & { requestCert: boolean; rejectUnauthorized: boolean };
    anyServer.requestCert = setup.authClients !== 'no';
    anyServer.rejectUnauthorized = setup.authClients === 'yes';
  }

  /**
   * After a CONFIG SET: any tls-* change rebuilds the setup (refusing the SET, old setup intact,
   * if it cannot be built); a tls-port change then rebinds the TLS listeners.
   */
  private tlsConfigChanged(changed: ReadonlySet<string>): void {
    if (!this.started) return;
    const relevant = [...changed].filter((n) => TLS_DIRECTIVES.has(n));
    const portChanged = changed.has('tls-port');
    if (relevant.length === 0 && !portChanged) return;
    if (this.tlsWanted() && (relevant.length > 0 || this.tlsSetup === null)) {
      let setup: TlsSetup;
      try {
        setup = buildTls(this.server.config);
      } catch (e) {
        if (!(e instanceof TlsConfigError)) throw e;
        const blamed = relevant[0] ?? 'tls-port';
        this.server.log('warning', e.message);
        this.server.log('warning', `Failed applying new configuration. Possibly related to new ${blamed} setting. Restoring previous settings.`);
        throw Object.assign(new Error('Unable to update TLS configuration. Check server logs.'), { directive: blamed });
      }
      this.applyTls(setup);
    }
    if (portChanged) this.reopenTls().catch((e: Error) => this.server.log('warning', e.message));
  }

  private tlsAddresses(): string {
    const cfg = this.server.config;
    return `${cfg.get('tls-port')} ${(cfg.get('bind') as string[]).join(' ')}`;
  }

  private async openTls(): Promise<void> {
    const cfg = this.server.config;
    const port = cfg.get('tls-port') as number;
    this.tlsOpenedFor = this.tlsAddresses();
    if (port === 0 || this.tlsSetup === null) return;
    const backlog = cfg.get('tcp-backlog') as number;
    for (const raw of cfg.get('bind') as string[]) {
      const optional = raw.startsWith('-');
      const addr = optional ? raw.slice(1) : raw;
      const host = addr === '*' ? '0.0.0.0' : addr === '::*' ? '::' : addr;
      const s = this.createTlsServer(this.tlsSetup);
      try {
        await this.bindServer(s, { host, port, backlog, ipv6Only: host.includes(':') });
        this.tlsServers.push(s);
        this.tlsBound.push(`${host}:${port}`);
      } catch (e) {
        const msg = `Warning: Could not create server TLS listening socket ${addr}:${port}: ${(e as Error).message}`;
        if (optional) {
          this.server.log('warning', msg);
          continue;
        }
        throw new Error(msg);
      }
    }
    if (this.tlsBound.length === 0) throw new Error(`Failed listening on port ${port} (tls), aborting.`);
  }

  private createTlsServer(setup: TlsSetup): tls.Server {
    const cfg = this.server.config;
    const s = tls.createServer({
      ...setup.server,
      handshakeTimeout: cfg.get('tls-handshake-timeout') as number,
    });
    this.configureServer(s, setup, false);
    // Before the handshake: only the allowlist looks at the peer.
    s.on('connection', (raw: net.Socket) => {
      if (this.untrusted(raw)) {
        raw.destroy();
        return;
      }
      const ka = cfg.get('tcp-keepalive') as number;
      if (ka > 0) raw.setKeepAlive(true, ka * 1000);
      raw.setNoDelay(true);
    });
    s.on('secureConnection', (sock: tls.TLSSocket) => this.secureConnection(sock));
    // with a listener attached, node leaves closing the failed socket to it
    s.on('tlsClientError', (err: Error, sock: tls.TLSSocket) => {
      this.logTlsError(err.message);
      sock.destroy();
    });
    s.on('newSession', (id: Buffer, data: Buffer, done: () => void) => {
      if (this.tlsSetup?.sessionCaching) this.sessions.put(id, data);
      done();
    });
    s.on('resumeSession', (id: Buffer, done: (err: Error | null, data: Buffer | null) => void) => {
      done(null, this.tlsSetup?.sessionCaching ? this.sessions.get(id) : null);
    });
    return s;
  }

  /** trusted-networks, checked before a TLS handshake can spend any work on the peer. */
  private untrusted(raw: net.Socket): boolean {
    const trusted = this.server.config.lookup('trusted-networks')?.value as Cidr[] | undefined;
    if (trusted === undefined || trusted.length === 0) return false;
    const ip = raw.remoteAddress === undefined ? null : parseIp(raw.remoteAddress);
    if (ip === null) return true;
    if (isLoopbackIp(ip) || anyContains(trusted, ip)) return false;
    this.server.admission.rateLimitedLog('untrusted', `Refused connection from ${formatAddr(raw.remoteAddress, raw.remotePort)}: address not in trusted-networks (before the TLS handshake)`);
    this.server.stats.rejectedConnections++;
    this.server.audit?.connectionRefused(formatAddr(raw.remoteAddress, raw.remotePort), formatAddr(raw.localAddress, raw.localPort), 'untrusted');
    return true;
  }

  private secureConnection(sock: tls.TLSSocket): void {
    // tls-auth-clients optional: no certificate is fine, a certificate that does not verify is
    // not (OpenSSL's SSL_VERIFY_PEER fails the handshake; node leaves the decision to us).
    if (!sock.authorized && this.tlsSetup?.authClients === 'optional' && presentedCertificate(sock)) {
      this.logTlsError(`client certificate refused: ${String(sock.authorizationError)}`);
      sock.destroy();
      return;
    }
    const id = this.server.nextClientId;
    this.server.accept(sock, false);
    if (this.server.config.get('tls-auth-clients-user') !== 'CN') return;
    const conn = this.server.connections.get(id);
    if (conn !== undefined && conn.socket === sock) this.loginByCertificate(conn, sock);
  }

  /**
   * tls-auth-clients-user CN: a verified certificate whose CN names a user that may log in
   * authenticates the connection as that user at once. Anything else leaves the connection as
   * it was (the default user, AUTH still possible), logged and in the ACL LOG.
   */
  private loginByCertificate(conn: Connection, sock: tls.TLSSocket): void {
    const server = this.server;
    const name = certificateUserName(sock);
    if (name === null) return;
    const refuse = (username: string, why: string) => {
      server.stats.aclDeniedAuth++;
      server.audit?.authResult(conn, username, false, 'tls-cert');
      server.acl.log.add({ reason: 'tls-cert', context: 'toplevel', object: 'TLS-CERT', username, clientInfo: conn.infoLine() });
      server.admission.rateLimitedLog('tls-cert', `TLS certificate login refused for ${conn.addr}: ${why}`);
    };
    if (typeof name !== 'string') return refuse('', name.refused);
    const user = server.acl.getUser(name);
    if (user === undefined) return refuse(name, `no user named '${name}'`);
    if (!user.enabled || (user.expireAt !== null && user.expireAt <= Date.now())) return refuse(name, `user '${name}' may not log in`);
    if (user.from.length !== 0 && !server.admission.authAllowed(conn.id, user, conn.addr)) return refuse(name, `user '${name}' may not log in from this address`);
    conn.aclUser = user;
    conn.authenticated = true;
    server.audit?.authResult(conn, name, true, 'tls-cert');
    server.log('verbose', `Client ${conn.addr} authenticated as '${name}' by its TLS certificate`);
  }

  /** Handshake failures are logged as Redis logs them, at most once a second (a flood is one line). */
  private logTlsError(msg: string): void {
    const now = Date.now();
    if (now - this.lastTlsErrorLog < 1000) {
      this.tlsErrorsSkipped++;
      return;
    }
    const tail = this.tlsErrorsSkipped > 0 ? ` (${this.tlsErrorsSkipped} similar errors not logged)` : '';
    this.lastTlsErrorLog = now;
    this.tlsErrorsSkipped = 0;
    // OpenSSL's text as Redis prints it: first line, without node's thread id and source position
    const text = msg.split('\n')[0].trim().replace(/^[0-9A-F]+:(?=error:)/, '').replace(/:[^:]*\.c:\d+:?$/, '');
    this.server.log('warning', `Error accepting a client connection: ${text}${tail}`);
  }

  /**
   * Rebinds the TLS listeners (tls-port or bind changed): the old ones close first (the new ones
   * may use the same address); if the new addresses cannot be bound, the old ones come back.
   */
  private async reopenTls(): Promise<void> {
    if (this.tlsAddresses() === this.tlsOpenedFor) return;
    const old = this.tlsServers;
    const oldBound = this.tlsBound;
    this.tlsServers = [];
    this.tlsBound = [];
    // libuv closes a listening socket's descriptor inside close() itself: the port is free now
    for (const s of old) s.close();
    try {
      await this.openTls();
    } catch (e) {
      for (const s of this.tlsServers) s.close();
      this.tlsServers = [];
      this.tlsBound = [];
      this.server.log('warning', `Failed to apply the new tls-port/bind: ${(e as Error).message}`);
      if (oldBound.length > 0 && this.tlsSetup !== null) {
        for (const a of oldBound) {
          const i = a.lastIndexOf(':');
          const s = this.createTlsServer(this.tlsSetup);
          try {
            await this.bindServer(s, { host: a.slice(0, i), port: Number(a.slice(i + 1)), ipv6Only: a.slice(0, i).includes(':') });
            this.tlsServers.push(s);
            this.tlsBound.push(a);
          } catch { /* the old address was taken meanwhile */ }
        }
      }
    }
  }

  /** CONFIG SET port/bind: bind the new TCP addresses, then drop the old ones. */
  async reopen(): Promise<void> {
    // a CONFIG SET that was rolled back re-announces the values already bound: nothing to do
    const want = this.tcpKey();
    if (want === this.openedKey) return;
    const oldTcp = this.servers.filter((s) => typeof s.address() !== 'string');
    const oldBound = this.bound;
    const oldKey = this.openedKey;
    this.servers = this.servers.filter((s) => !oldTcp.includes(s));
    this.bound = [];
    try {
      await this.openTcp();
    } catch (e) {
      for (const s of this.servers.filter((x) => typeof x.address() !== 'string')) s.close();
      this.servers = this.servers.filter((s) => typeof s.address() === 'string').concat(oldTcp);
      this.bound = oldBound;
      this.openedKey = oldKey;
      throw new Error(`Failed to apply the new port/bind, still listening on ${oldBound.join(' ')}: ${(e as Error).message}`);
    }
    for (const s of oldTcp) s.close();
    await this.reopenTls();
  }

  close(): void {
    for (const s of this.servers) s.close();
    this.servers = [];
    for (const s of this.tlsServers) s.close();
    this.tlsServers = [];
    if (this.unixPath !== null) {
      this.server.log('notice', 'Removing the unix socket file.');
      try { fs.unlinkSync(this.unixPath); } catch { /* node removed it */ }
      this.unixPath = null;
    }
  }
}
