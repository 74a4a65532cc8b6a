/*
 * A minimal request/reply client over a raw socket, for tests that need exact RESP values,
 * several connections, and replies that may never come (paused or killed connections).
 */

import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { readReply, encodeCommand, type RespValue } from '../support/resp';

/** A minimal request/reply client over a raw socket. */
export class Client {
  private buf = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  closed = false;
  private constructor(readonly sock: net.Socket) {
    sock.on('data', (d) => { this.buf = Buffer.concat([this.buf, d]); this.wake(); });
    sock.on('close', () => { this.closed = true; this.wake(); });
    sock.on('error', () => {});
  }
  static open(port: number): Promise<Client> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(new Client(s)));
      s.once('error', reject);
    });
  }
  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
  send(...args: string[]): void {
    this.sock.write(encodeCommand(args));
  }
  /** Next reply, or null after `timeoutMs` / on close. */
  async read(timeoutMs = 2000): Promise<RespValue | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = readReply(this.buf);
      if (r !== null) {
        this.buf = this.buf.subarray(r[1]);
        return r[0];
      }
      if (this.closed || Date.now() >= deadline) return null;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => { clearTimeout(t); resolve(); });
      });
    }
  }
  async call(...args: string[]): Promise<RespValue | null> {
    this.send(...args);
    return this.read();
  }
  async text(...args: string[]): Promise<string> {
    const r = await this.call(...args);
    assert.ok(r !== null && (r.t === '$' || r.t === '=' || r.t === '+'), `unexpected reply ${JSON.stringify(r)}`);
    return r.v as string;
  }
  close(): void {
    this.sock.destroy();
  }
}

