/*
 * Practices 3, 4, 9 and 10: encryption in transit, open ports, bind addresses, trusted networks.
 * Configuration facts (CONFIG GET) and what the probes saw (TLS handshakes, the HTTP probe) are
 * both used; a probe result wins over configuration when they disagree.
 */

import type { Check } from './types';
import { bindAddrs, conf, defaultUser, exposedAddrs, isWildcard, tcpPorts } from './util';

function tlsOn(f: import('./types').Facts): boolean {
  return f.viaTls || tcpPorts(f).tlsPort !== 0;
}

export const NETWORK_CHECKS: Check[] = [
  {
    id: 'tls.disabled', practice: 3, severity: 'high', title: 'No TLS: traffic and passwords travel in clear text',
    description: 'Neither tls-port nor a TLS connection.',
    run(f) {
      if (f.config === null && !f.viaTls) return [];
      if (tlsOn(f)) return [];
      const exposed = exposedAddrs(f);
      const remote = exposed !== null && exposed.length > 0;
      return [{ severity: remote ? 'high' : 'low', title: this.title,
        evidence: `tls-port ${conf(f, 'tls-port') ?? '(absent)'}; ${remote ? `listening on ${exposed!.join(', ')}: AUTH passwords and data cross the network unencrypted` : 'only loopback is bound, so traffic stays on the host'}.`,
        remediation: 'tls-port 6380, tls-cert-file, tls-key-file, tls-ca-cert-file; then port 0 for TLS only.' }];
    },
  },
  {
    id: 'tls.plaintext-port', practice: 4, severity: 'medium', title: 'Plaintext port open next to TLS',
    description: 'port is not 0 while tls-port is set: clients can still bypass TLS.',
    run(f) {
      const { port, tlsPort } = tcpPorts(f);
      if (f.config === null || tlsPort === 0 || port === 0) return [];
      const exposed = exposedAddrs(f) ?? [];
      return [{ severity: exposed.length ? 'medium' : 'low', title: this.title,
        evidence: `port ${port} (plaintext) and tls-port ${tlsPort} both listen on ${conf(f, 'bind') || '*'}.`,
        remediation: 'port 0, so every client must use TLS.' }];
    },
  },
  {
    id: 'tls.old-protocols', practice: 3, severity: 'high', title: 'Obsolete TLS versions accepted',
    description: 'TLSv1 and TLSv1.1 are broken and deprecated (RFC 8996).',
    run(f) {
      const configured = (conf(f, 'tls-protocols') ?? '').split(/\s+/).filter((p) => p === 'TLSv1' || p === 'TLSv1.1');
      const probed = f.tls ? Object.entries(f.tls.protocols).filter(([p, ok]) => ok && (p === 'TLSv1' || p === 'TLSv1.1')).map(([p]) => p) : [];
      const all = [...new Set([...configured, ...probed])];
      if (all.length === 0) return [];
      return [{ severity: 'high', title: this.title,
        evidence: `${probed.length ? `handshakes succeeded with ${probed.join(', ')}` : `tls-protocols "${conf(f, 'tls-protocols')}"`}.`,
        remediation: 'tls-protocols "TLSv1.2 TLSv1.3" (the default).' }];
    },
  },
  {
    id: 'tls.client-certificates', practice: 3, severity: 'medium', title: 'TLS clients are not required to present a certificate',
    description: 'tls-auth-clients no|optional, or a handshake without a client certificate succeeded.',
    run(f) {
      if (!tlsOn(f)) return [];
      const setting = conf(f, 'tls-auth-clients');
      const probed = f.tls?.clientCert;
      if (setting === 'yes' || probed === 'required' || (setting === undefined && probed !== 'not-required')) return [];
      return [{ severity: setting === 'no' ? 'medium' : 'low', title: this.title,
        evidence: `tls-auth-clients ${setting ?? '(unknown)'}${probed === 'not-required' ? '; a handshake without a client certificate was accepted' : ''}.`,
        remediation: 'tls-auth-clients yes with tls-ca-cert-file naming your client CA (mutual TLS).' }];
    },
  },
  {
    id: 'tls.certificate', practice: 3, severity: 'high', title: 'Server certificate problems',
    description: 'Expired or soon-expiring certificate, short keys, self-signed certificates.',
    run(f) {
      const c = f.tls?.cert;
      if (!c) return [];
      const out = [];
      if (c.daysLeft < 0) out.push({ severity: 'high' as const, title: 'TLS certificate expired', evidence: `${c.subject}: expired ${c.validTo}.`, remediation: 'Install a new certificate (CONFIG SET tls-cert-file ... tls-key-file ... reloads it without a restart on Redoubt).' });
      else if (c.daysLeft < 30) out.push({ severity: 'medium' as const, title: 'TLS certificate expires soon', evidence: `${c.subject}: expires ${c.validTo} (${Math.floor(c.daysLeft)} days).`, remediation: 'Renew the certificate before it expires.' });
      const weak = (c.keyType === 'RSA' && c.keyBits < 2048) || (c.keyType === 'EC' && c.keyBits < 256);
      if (weak) out.push({ severity: 'high' as const, title: 'Weak TLS key', evidence: `${c.keyType} ${c.keyBits}-bit key.`, remediation: 'RSA 2048+ or EC P-256+.' });
      if (c.selfSigned) out.push({ severity: 'low' as const, title: 'Self-signed TLS certificate', evidence: `subject = issuer = ${c.subject}.`, remediation: 'Issue the server certificate from a CA clients pin (tls-ca-cert-file).' });
      return out;
    },
  },
  {
    id: 'tls.replication', practice: 3, severity: 'medium', title: 'Replication link without TLS',
    description: 'A replica that talks to its primary in clear text.',
    run(f) {
      if (f.replication?.role !== 'slave' && f.replication?.role !== 'replica') return [];
      if (conf(f, 'tls-replication') !== 'no') return [];
      return [{ severity: 'medium', title: this.title,
        evidence: `replica of ${f.replication.masterHost}:${f.replication.masterPort} with tls-replication no: the dataset and masterauth cross the network unencrypted.`,
        remediation: 'tls-replication yes on replicas (and TLS on the primary).' }];
    },
  },
  {
    id: 'net.protected-mode-off', practice: 10, severity: 'high', title: 'Protected mode is off',
    description: 'protected-mode no lets non-loopback clients in even while the default user needs no password.',
    run(f) {
      if (conf(f, 'protected-mode') !== 'no') return [];
      const d = defaultUser(f);
      const matters = d === null || (d.enabled && d.nopass);
      return [{ severity: matters ? 'high' : 'low', title: this.title,
        evidence: `protected-mode no${matters ? ' and the default user needs no password' : ' (the default user has a password, so it has no effect today)'}.`,
        remediation: 'protected-mode yes; to serve remote clients, set a password instead of turning it off.' }];
    },
  },
  {
    id: 'net.bind-all-interfaces', practice: 9, severity: 'medium', title: 'Listening on every network interface',
    description: 'bind *, 0.0.0.0 or :: exposes the port on every present and future interface.',
    run(f) {
      const b = bindAddrs(f);
      if (b === null || !(b.length === 0 || b.some(isWildcard))) return [];
      return [{ severity: 'medium', title: this.title,
        evidence: `bind "${conf(f, 'bind')}".`,
        remediation: 'bind the loopback address and the one interface clients use, e.g. `bind 127.0.0.1 10.0.0.5`.' }];
    },
  },
  {
    id: 'net.no-allowlist', practice: 10, severity: 'low', title: 'No network allowlist',
    description: 'A non-loopback listener accepts clients from any address.',
    run(f) {
      const exposed = exposedAddrs(f);
      if (exposed === null || exposed.length === 0) return [];
      if (f.product === 'redoubt') {
        if ((conf(f, 'trusted-networks') ?? '') !== '') return [];
        return [{ severity: 'low', title: this.title, evidence: `listening on ${exposed.join(', ')} with trusted-networks empty.`, remediation: 'trusted-networks 10.0.0.0/8 ... (only these networks may connect).' }];
      }
      return [{ severity: 'info', title: this.title, evidence: `listening on ${exposed.join(', ')}; ${f.product} has no allowlist of its own.`, remediation: 'Restrict the port with a firewall or security group to the application hosts.' }];
    },
  },
  {
    id: 'net.unixsocket-permissions', practice: 4, severity: 'medium', title: 'Unix socket open to every local user',
    description: 'unixsocketperm grants access to others.',
    run(f) {
      const sock = conf(f, 'unixsocket');
      const perm = conf(f, 'unixsocketperm');
      if (!sock || perm === undefined) return [];
      if ((parseInt(perm, 8) & 0o007) === 0) return [];
      return [{ severity: 'medium', title: this.title, evidence: `unixsocket ${sock} with unixsocketperm ${perm}.`, remediation: 'unixsocketperm 700 (or 770 with a dedicated group).' }];
    },
  },
  {
    id: 'net.cross-protocol', practice: 4, severity: 'high', title: 'HTTP requests are answered',
    description: 'A "POST / HTTP/1.1" request must make the server close the connection (cross-protocol scripting, SSRF).',
    run(f) {
      if (f.crossProtocol !== 'answered') return [];
      return [{ severity: 'high', title: this.title, evidence: 'The server replied to an HTTP POST request instead of dropping the connection.', remediation: 'Upgrade: Redis >= 3.2.7 and Redoubt close the connection on POST and Host: lines.' }];
    },
  },
  {
    id: 'net.open-ports', practice: 4, severity: 'info', title: 'Listening endpoints',
    description: 'The ports and sockets the server listens on.',
    run(f) {
      if (f.config === null) return [];
      const { port, tlsPort } = tcpPorts(f);
      const parts = [];
      if (port) parts.push(`TCP ${port} (plaintext)`);
      if (tlsPort) parts.push(`TCP ${tlsPort} (TLS)`);
      if (conf(f, 'unixsocket')) parts.push(`unix ${conf(f, 'unixsocket')}`);
      return [{ severity: 'info', title: this.title, evidence: `${parts.join(', ') || 'none'} on bind "${conf(f, 'bind')}".`, remediation: 'Close what clients do not need (port 0 when TLS is used).' }];
    },
  },
];
