/*
 * A minimal RESP client for the random-reply checks of the hash and set families (HRANDFIELD,
 * SRANDMEMBER, SPOP), which cannot be compared byte for byte with redis-server: one connection,
 * one command at a time, replies decoded with their RESP types.
 */

import * as net from 'node:net';
import { readReply, encodeCommand, type RespValue } from '../support/resp';

export class RespClient {
  private buf = Buffer.alloc(0);
  private waiting: ((v: RespValue) => void) | null = null;
  private constructor(private readonly sock: net.Socket) {
    sock.on('data', (d) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.drain();
    });
    sock.on('error', () => {});
  }
  static open(port: number): Promise<RespClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(new RespClient(s)));
      s.once('error', reject);
    });
  }
  private drain(): void {
    if (this.waiting === null) return;
    const r = readReply(this.buf);
    if (r === null) return;
    this.buf = this.buf.subarray(r[1]);
    const w = this.waiting;
    this.waiting = null;
    w(r[0]);
  }
  call(args: string[]): Promise<RespValue> {
    return new Promise((resolve) => {
      this.waiting = resolve;
      this.sock.write(encodeCommand(args));
      this.drain();
    });
  }
  close(): void {
    this.sock.destroy();
  }
}

/** The elements of an aggregate reply. */
export function elems(v: RespValue): RespValue[] {
  if (!Array.isArray(v.v)) throw new Error(`not an aggregate: ${JSON.stringify(v)}`);
  return v.v;
}

/** The strings of an aggregate of bulks. */
export function strs(v: RespValue): string[] {
  return elems(v).map((e) => {
    if (e.t !== '$' || typeof e.v !== 'string') throw new Error(`not a bulk: ${JSON.stringify(e)}`);
    return e.v;
  });
}
