/*
 * A minimal RESP2 client for the auditor: one socket (TCP or TLS), requests written as multibulk,
 * replies parsed from a byte buffer into JS values. Pipelining is natural: `call` queues a
 * resolver per request and replies resolve them in order. Errors come back as RespError values,
 * never thrown, because a refusal is itself a fact the audit records. Strings are latin1 (binary
 * safe). A connection that closes or times out rejects every pending call.
 */

import * as net from 'node:net';
import * as tls from 'node:tls';

export class RespError {
  constructor(readonly message: string) {}
  toString(): string {
    return this.message;
  }
}

export type RespValue = string | number | null | RespError | RespValue[];

export interface Endpoint {
  host: string;
  port: number;
  tls: tls.ConnectionOptions | null;
}

function encode(argv: string[]): Buffer {
  let s = `*${argv.length}\r\n`;
  for (const a of argv) s += `$${Buffer.byteLength(a, 'latin1')}\r\n${a}\r\n`;
  return Buffer.from(s, 'latin1');
}

/** Parses one reply at `pos`; returns [value, next position] or null when incomplete. */
function parse(buf: Buffer, pos: number): [RespValue, number] | null {
  if (pos >= buf.length) return null;
  const eol = buf.indexOf('\r\n', pos, 'latin1');
  if (eol < 0) return null;
  const type = String.fromCharCode(buf[pos]);
  const line = buf.toString('latin1', pos + 1, eol);
  const next = eol + 2;
  switch (type) {
    case '+': return [line, next];
    case '-': return [new RespError(line), next];
    case ':': return [Number(line), next];
    case '$': {
      const n = Number(line);
      if (n < 0) return [null, next];
      if (buf.length < next + n + 2) return null;
      return [buf.toString('latin1', next, next + n), next + n + 2];
    }
    case '*': {
      const n = Number(line);
      if (n < 0) return [null, next];
      const arr: RespValue[] = [];
      let p = next;
      for (let i = 0; i < n; i++) {
        const r = parse(buf, p);
        if (r === null) return null;
        arr.push(r[0]);
        p = r[1];
      }
      return [arr, p];
    }
    default:
      // not RESP (an HTTP server, a banner): the raw line is the value
      return [line, next];
  }
}

export class RespClient {
  private buf: Buffer = Buffer.alloc(0);
  private pending: { resolve: (v: RespValue) => void; reject: (e: Error) => void }[] = [];
  private closedWith: Error | null = null;

  private constructor(readonly socket: net.Socket | tls.TLSSocket) {
    socket.on('data', (d: Buffer) => {
      this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
      let pos = 0;
      for (;;) {
        const r = parse(this.buf, pos);
        if (r === null) break;
        pos = r[1];
        this.pending.shift()?.resolve(r[0]);
      }
      this.buf = this.buf.subarray(pos);
    });
    const fail = (e: Error) => {
      if (this.closedWith === null) this.closedWith = e;
      for (const p of this.pending.splice(0)) p.reject(this.closedWith);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed')));
  }

  static connect(ep: Endpoint, timeoutMs = 5000): Promise<RespClient> {
    return new Promise((resolve, reject) => {
      const sock = ep.tls
        ? tls.connect({ host: ep.host, port: ep.port, ...ep.tls })
        : net.connect({ host: ep.host, port: ep.port });
      const timer = setTimeout(() => { sock.destroy(); reject(new Error(`connection to ${ep.host}:${ep.port} timed out`)); }, timeoutMs);
      sock.once(ep.tls ? 'secureConnect' : 'connect', () => { clearTimeout(timer); resolve(new RespClient(sock)); });
      sock.once('error', (e) => { clearTimeout(timer); reject(e); });
    });
  }

  call(argv: string[], timeoutMs = 10000): Promise<RespValue> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${argv[0]}: no reply within ${timeoutMs} ms`)), timeoutMs);
      this.pending.push({
        resolve: (v) => { clearTimeout(timer); resolve(v); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      });
      this.socket.write(encode(argv));
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

export function isError(v: RespValue): v is RespError {
  return v instanceof RespError;
}
