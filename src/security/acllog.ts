/*
 * ACL LOG: the in-memory record of denied commands, keys, channels and failed authentications,
 * with Redis 7.0's grouping: a new event that has the same reason, context, object and username as
 * one of the 10 most recent entries, and happened within 60 seconds of that entry's last update,
 * bumps its count, replaces its client info and time, and moves it to the front; otherwise it is
 * added at the front and the oldest entries beyond acllog-max-len are dropped.
 * Entries are newest first. Times are the wall clock in ms (age-seconds is computed when read).
 */

export type AclLogReason = 'auth' | 'command' | 'key' | 'channel' | 'tls-cert' | 'ratelimit';
export type AclLogContext = 'toplevel' | 'multi' | 'lua';

export interface AclLogEvent {
  reason: AclLogReason;
  context: AclLogContext;
  /** the command fullname, key, channel, or (auth) the command name as the client sent it */
  object: string;
  username: string;
  /** CLIENT LIST line of the client that caused it */
  clientInfo: string;
}

export interface AclLogEntry extends AclLogEvent {
  count: number;
  /** ms of the last update */
  time: number;
}

/** How far back similar events are merged (ms), and how many recent entries are compared. */
const GROUPING_MS = 60000;
const GROUPING_SCAN = 10;

export class AclLog {
  /** newest first */
  private list: AclLogEntry[] = [];

  constructor(private readonly maxLen: () => number, private readonly clock: () => number = Date.now) {}

  add(ev: AclLogEvent): void {
    const now = this.clock();
    const scan = Math.min(GROUPING_SCAN, this.list.length);
    for (let i = 0; i < scan; i++) {
      const e = this.list[i];
      if (e.reason === ev.reason && e.context === ev.context && Math.abs(e.time - now) <= GROUPING_MS &&
          e.object === ev.object && e.username === ev.username) {
        e.count++;
        e.time = now;
        e.clientInfo = ev.clientInfo;
        if (i > 0) {
          this.list.splice(i, 1);
          this.list.unshift(e);
        }
        return;
      }
    }
    this.list.unshift({ ...ev, count: 1, time: now });
    this.trim();
  }

  /** Drops the oldest entries beyond acllog-max-len (also after the limit is lowered). */
  trim(): void {
    const max = this.maxLen();
    if (this.list.length > max) this.list.length = max;
  }

  /** The `count` newest entries. */
  entries(count: number): readonly AclLogEntry[] {
    return this.list.slice(0, Math.max(0, count));
  }

  get length(): number {
    return this.list.length;
  }

  reset(): void {
    this.list = [];
  }
}
