/*
 * Listeners: one TCP server per `bind` address on `port` (0 disables TCP), plus the Unix socket
 * when `unixsocket` is set. Addresses prefixed with '-' are optional, as in Redis: failing to bind
 * them (e.g. no IPv6) is logged, not fatal. Any other bind failure stops start-up. The default bind
 * is loopback only.
 *
 * The Unix socket gets `unixsocketperm` (Redoubt's default 700: owner only) before the first
 * connection can be accepted: it is created under a umask that denies everyone, then chmod-ed.
 * `tcp-keepalive` is applied to every accepted TCP connection, as Redis does.
 */

import * as net from 'node:net';
import * as fs from 'node:fs';
import type { Server } from '../server/server';

export class Listeners {
  private servers: net.Server[] = [];
  /** addresses actually bound, "ip:port" */
  bound: string[] = [];
  /** path of the Unix socket we created (removed on close) */
  private unixPath: string | null = null;

  constructor(private readonly server: Server) {}

  async open(): Promise<void> {
    // Unix socket first: once the TCP port answers, every listener is ready (tests and supervisors
    // that probe the port may then use the socket at once).
    await this.openUnix();
    await this.openTcp();
  }

  private async openTcp(): Promise<void> {
    const cfg = this.server.config;
    const port = cfg.get('port') as number;
    const backlog = cfg.get('tcp-backlog') as number;
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
    return new Promise((resolve, reject) => {
      const s = net.createServer({ noDelay: true, pauseOnConnect: true }, (sock) => {
        if (!isUnix) {
          const ka = this.server.config.get('tcp-keepalive') as number;
          if (ka > 0) sock.setKeepAlive(true, ka * 1000);
        }
        this.server.accept(sock, isUnix);
      });
      s.once('error', reject);
      s.listen(opts, () => {
        s.removeListener('error', reject);
        s.on('error', (e) => this.server.log('warning', `Listener error: ${e.message}`));
        this.servers.push(s);
        resolve();
      });
    });
  }

  /** CONFIG SET port/bind: bind the new TCP addresses, then drop the old ones. */
  async reopen(): Promise<void> {
    const oldTcp = this.servers.filter((s) => typeof s.address() !== 'string');
    const oldBound = this.bound;
    this.servers = this.servers.filter((s) => !oldTcp.includes(s));
    this.bound = [];
    try {
      await this.openTcp();
    } catch (e) {
      for (const s of this.servers.filter((x) => typeof x.address() !== 'string')) s.close();
      this.servers = this.servers.filter((s) => typeof s.address() === 'string').concat(oldTcp);
      this.bound = oldBound;
      throw new Error(`Failed to apply the new port/bind, still listening on ${oldBound.join(' ')}: ${(e as Error).message}`);
    }
    for (const s of oldTcp) s.close();
  }

  close(): void {
    for (const s of this.servers) s.close();
    this.servers = [];
    if (this.unixPath !== null) {
      this.server.log('notice', 'Removing the unix socket file.');
      try { fs.unlinkSync(this.unixPath); } catch { /* node removed it */ }
      this.unixPath = null;
    }
  }
}
