/*
 * A minimal RESP client over node:tls for the TLS tests: connect with chosen certificates and
 * protocol range, send commands, read one reply each (raw RESP text), and report the peer
 * certificate the server showed. Handshake refusals surface as a rejected `connect`, or — TLSv1.3
 * sends the client's certificate after the server finished — as a connection closed at the first
 * command; `tryPing` folds both into one answer.
 */

import * as fs from 'node:fs';
import * as tls from 'node:tls';
import type { CertPair } from './certs';

export interface TlsClientOpts {
  ca: string;
  cert?: CertPair;
  minVersion?: tls.SecureVersion;
  maxVersion?: tls.SecureVersion;
}

export class TlsClient {
  private buf = '';
  private waiters: ((s: string | null) => void)[] = [];
  closed = false;

  private constructor(readonly sock: tls.TLSSocket) {
    sock.setEncoding('latin1');
    sock.on('data', (d: string) => {
      this.buf += d;
      this.drain();
    });
    const end = () => {
      this.closed = true;
      for (const w of this.waiters.splice(0)) w(null);
    };
    sock.on('close', end);
    sock.on('error', end);
  }

  static connect(port: number, o: TlsClientOpts): Promise<TlsClient> {
    return new Promise((resolve, reject) => {
      const sock = tls.connect({
        host: '127.0.0.1',
        port,
        ca: fs.readFileSync(o.ca),
        ...(o.cert ? { cert: fs.readFileSync(o.cert.cert), key: fs.readFileSync(o.cert.key) } : {}),
        minVersion: o.minVersion,
        maxVersion: o.maxVersion,
        servername: 'localhost',
      });
      sock.once('secureConnect', () => {
        sock.removeListener('error', reject);
        resolve(new TlsClient(sock));
      });
      sock.once('error', reject);
      // a peer that never answers the handshake counts as a refusal, not a hang
      sock.setTimeout(5000, () => sock.destroy(new Error('TLS handshake timed out')));
      sock.once('secureConnect', () => sock.setTimeout(0));
    });
  }

  /** One complete reply (any RESP2/RESP3 type, nested), or null while incomplete. */
  private takeReply(): string | null {
    const end = replyEnd(this.buf, 0);
    if (end < 0) return null;
    const r = this.buf.slice(0, end);
    this.buf = this.buf.slice(end);
    return r;
  }

  private drain(): void {
    while (this.waiters.length > 0) {
      const r = this.takeReply();
      if (r === null) return;
      this.waiters.shift()!(r);
    }
  }

  /** Sends a command; resolves with the raw reply, or null if the connection closed. */
  call(...argv: string[]): Promise<string | null> {
    if (this.closed) return Promise.resolve(null);
    const p = new Promise<string | null>((resolve) => this.waiters.push(resolve));
    this.sock.write(`*${argv.length}\r\n` + argv.map((a) => `$${Buffer.byteLength(a, 'latin1')}\r\n${a}\r\n`).join(''), 'latin1');
    this.drain();
    return p;
  }

  peerCN(): string | undefined {
    const cn = this.sock.getPeerCertificate().subject?.CN;
    return typeof cn === 'string' ? cn : undefined;
  }

  close(): void {
    this.sock.destroy();
  }
}

/** Index just past the reply starting at `at`, or -1 if `b` does not hold all of it yet. */
function replyEnd(b: string, at: number): number {
  const nl = b.indexOf('\r\n', at);
  if (nl < 0) return -1;
  const t = b[at];
  const n = Number(b.slice(at + 1, nl));
  if (t === '$' || t === '=' || t === '!') return n < 0 ? nl + 2 : b.length >= nl + 4 + n ? nl + 4 + n : -1;
  if (t === '*' || t === '~' || t === '>' || t === '%' || t === '|') {
    let items = n < 0 ? 0 : t === '%' || t === '|' ? 2 * n : n;
    let p = nl + 2;
    while (items-- > 0) {
      p = replyEnd(b, p);
      if (p < 0) return -1;
    }
    return p;
  }
  return nl + 2;
}

/** PING over a fresh TLS connection: the reply, or 'refused' when the handshake or link failed. */
export async function tryPing(port: number, o: TlsClientOpts): Promise<string> {
  let c: TlsClient;
  try {
    c = await TlsClient.connect(port, o);
  } catch {
    return 'refused';
  }
  const r = await c.call('PING');
  c.close();
  return r ?? 'refused';
}
