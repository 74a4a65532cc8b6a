/*
 * Listeners: one TCP server per `bind` address on `port` (0 disables TCP). Addresses prefixed with
 * '-' are optional, as in Redis: failing to bind them (e.g. no IPv6) is logged, not fatal. Any other
 * bind failure stops start-up. The default bind is loopback only.
 */

import * as net from 'node:net';
import type { Server } from '../server/server';

export class Listeners {
  private servers: net.Server[] = [];
  /** addresses actually bound, "ip:port" */
  bound: string[] = [];

  constructor(private readonly server: Server) {}

  async open(): Promise<void> {
    const cfg = this.server.config;
    const port = cfg.get('port') as number;
    const backlog = cfg.get('tcp-backlog') as number;
    if (port !== 0) {
      const addrs = (cfg.get('bind') as string).split(/\s+/).filter(Boolean);
      for (const raw of addrs) {
        const optional = raw.startsWith('-');
        const addr = optional ? raw.slice(1) : raw;
        const host = addr === '*' ? '0.0.0.0' : addr;
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
      if (this.bound.length === 0) throw new Error('Failed listening on port ' + port + ' (tcp), aborting.');
    }
  }

  private listen(opts: net.ListenOptions, isUnix: boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      const s = net.createServer({ noDelay: true, pauseOnConnect: false }, (sock) => this.server.accept(sock, isUnix));
      s.once('error', reject);
      s.listen(opts, () => {
        s.removeListener('error', reject);
        s.on('error', (e) => this.server.log('warning', `Listener error: ${e.message}`));
        this.servers.push(s);
        resolve();
      });
    });
  }

  close(): void {
    for (const s of this.servers) s.close();
    this.servers = [];
  }
}
