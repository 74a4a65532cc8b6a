/*
 * SLOWLOG: a bounded list of the commands that took longer than `slowlog-log-slower-than`
 * microseconds. Entries keep at most 32 arguments and 128 bytes per argument, like Redis, and
 * arguments of commands that carry secrets are redacted before they are stored.
 */

import type { Connection } from '../net/connection';
import type { Server } from './server';

export const SLOWLOG_ENTRY_MAX_ARGC = 32;
export const SLOWLOG_ENTRY_MAX_STRING = 128;

export interface SlowLogEntry {
  id: number;
  time: number; // unix seconds
  duration: number; // microseconds
  argv: string[];
  peer: string;
  name: string;
}

export class SlowLog {
  entries: SlowLogEntry[] = []; // newest first
  nextId = 0;
  private maxLen = 128;
  /** slowlog-log-slower-than in microseconds, kept current by a config listener; < 0 disables */
  threshold = 10000;

  setMaxLen(n: number): void {
    this.maxLen = n;
    if (this.entries.length > n) this.entries.length = n;
  }

  consider(server: Server, conn: Connection, argv: string[], usec: number): void {
    const threshold = this.threshold;
    if (threshold < 0 || usec < threshold) return;
    this.push(conn, argv, Math.floor(usec), Math.floor(server.now / 1000));
  }

  push(conn: Connection, argv: string[], duration: number, time: number): void {
    if (this.maxLen === 0) return;
    const n = Math.min(argv.length, SLOWLOG_ENTRY_MAX_ARGC);
    const args: string[] = [];
    for (let i = 0; i < n; i++) {
      if (i === SLOWLOG_ENTRY_MAX_ARGC - 1 && argv.length > SLOWLOG_ENTRY_MAX_ARGC) {
        args.push(`... (${argv.length - SLOWLOG_ENTRY_MAX_ARGC + 1} more arguments)`);
        break;
      }
      const a = argv[i];
      args.push(a.length > SLOWLOG_ENTRY_MAX_STRING
        ? `${a.slice(0, SLOWLOG_ENTRY_MAX_STRING)}... (${a.length - SLOWLOG_ENTRY_MAX_STRING} more bytes)`
        : a);
    }
    this.entries.unshift({ id: this.nextId++, time, duration, argv: args, peer: conn.addr, name: conn.name });
    if (this.entries.length > this.maxLen) this.entries.length = this.maxLen;
  }

  reset(): void {
    this.entries = [];
  }
}
