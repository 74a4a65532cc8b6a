/*
 * The publish/subscribe registry: who listens to which channel, pattern and shard channel.
 *
 * Design (Redis 7.0's pubsub.c model):
 *  - server side: channel -> subscribers, pattern -> (compiled glob, subscribers), shard channel ->
 *    subscribers. Subscribers are kept in insertion-ordered Sets, so a message reaches a channel's
 *    subscribers in the order they subscribed, as Redis's per-channel client lists do;
 *  - client side: the channels, patterns and shard channels of each session. Patterns keep their
 *    subscription order (PUNSUBSCRIBE with no argument walks them in that order, as Redis walks
 *    its per-client list);
 *  - a message is encoded once per protocol (RESP2 array, RESP3 push) and appended to every
 *    receiver, so PUBLISH to N subscribers costs N appends plus one match per pattern.
 *
 * Invariants:
 *  - a channel, pattern or shard channel is present on the server side exactly while it has a
 *    subscriber; an empty entry is removed at once (PUBSUB CHANNELS, NUMPAT and INFO count them);
 *  - a session with at least one subscription of any kind has `kind === 'pubsub'` (Redis's
 *    CLIENT_PUBSUB flag: the pubsub class of client-output-buffer-limit, CLIENT LIST flag P, the
 *    RESP2 subscribed context), and goes back to 'normal' when it has none;
 *  - a closed session holds no subscription (Server.removeConnection calls `dropAll`).
 *
 * Delivery follows Redis 7.0.15: pushes (messages and confirmations) reach a client even under
 * CLIENT REPLY OFF/SKIP (its CLIENT_PUSHING exemption), and a receiver past its output buffer
 * limit is disconnected at once.
 */

import type { Connection } from '../net/connection';
import type { Session } from '../commands/context';
import { compileGlob, type GlobMatcher } from '../data/glob';

interface ClientSubs {
  channels: Set<string>;
  patterns: Set<string>;
  shard: Set<string>;
}

interface PatternEntry {
  match: GlobMatcher;
  subs: Set<Connection>;
}

export type ChannelKind = 'channel' | 'shard';

/** What the registry needs from the server. */
export interface PubSubHost {
  /** output size below which no output limit can be exceeded */
  readonly outputCheckMin: number;
  /** the session whose command is running, if any */
  runningSession(): Connection | null;
}

/** RESP bulk string. */
function bulk(s: string): string {
  return '$' + s.length + '\r\n' + s + '\r\n';
}

export class PubSubRegistry {
  private readonly channels = new Map<string, Set<Connection>>();
  private readonly shardChannels = new Map<string, Set<Connection>>();
  private readonly patterns = new Map<string, PatternEntry>();
  private readonly clients = new Map<Connection, ClientSubs>();
  private readonly silenced = new Map<Connection, string>();

  constructor(private readonly host: PubSubHost) {}

  /* ------------------------------------------------------------------ counts */

  /** INFO pubsub_channels */
  get channelCount(): number {
    return this.channels.size;
  }
  /** INFO pubsubshard_channels */
  get shardChannelCount(): number {
    return this.shardChannels.size;
  }
  /** INFO pubsub_patterns and PUBSUB NUMPAT: distinct patterns with a subscriber */
  get patternCount(): number {
    return this.patterns.size;
  }

  /** CLIENT LIST sub= / psub= / ssub= */
  sessionCounts(s: Session): { sub: number; psub: number; ssub: number } {
    const c = this.clients.get(s as Connection);
    if (c === undefined) return { sub: 0, psub: 0, ssub: 0 };
    return { sub: c.channels.size, psub: c.patterns.size, ssub: c.shard.size };
  }

  /**
   * The count a (un)subscribe confirmation reports: channels + patterns for the classic kinds,
   * shard channels alone for the shard kind (Redis's per-type subscriptionCount).
   */
  subscriptionCount(s: Session, kind: ChannelKind): number {
    const c = this.clients.get(s as Connection);
    if (c === undefined) return 0;
    return kind === 'shard' ? c.shard.size : c.channels.size + c.patterns.size;
  }

  /* ------------------------------------------------------------------ subscribing */

  private subsOf(conn: Connection): ClientSubs {
    let c = this.clients.get(conn);
    if (c === undefined) {
      c = { channels: new Set(), patterns: new Set(), shard: new Set() };
      this.clients.set(conn, c);
    }
    return c;
  }

  /** After a change: the session's kind follows whether it holds any subscription. */
  private settle(conn: Connection): void {
    const c = this.clients.get(conn);
    const any = c !== undefined && (c.channels.size !== 0 || c.patterns.size !== 0 || c.shard.size !== 0);
    if (!any && c !== undefined) this.clients.delete(conn);
    if (any && conn.kind === 'normal') conn.kind = 'pubsub';
    else if (!any && conn.kind === 'pubsub') conn.kind = 'normal';
  }

  subscribe(s: Session, kind: ChannelKind, channel: string): void {
    const conn = s as Connection;
    const own = kind === 'shard' ? this.subsOf(conn).shard : this.subsOf(conn).channels;
    if (!own.has(channel)) {
      own.add(channel);
      const table = kind === 'shard' ? this.shardChannels : this.channels;
      let subs = table.get(channel);
      if (subs === undefined) table.set(channel, (subs = new Set()));
      subs.add(conn);
    }
    this.settle(conn);
  }

  unsubscribe(s: Session, kind: ChannelKind, channel: string): void {
    const conn = s as Connection;
    const c = this.clients.get(conn);
    const own = c === undefined ? undefined : kind === 'shard' ? c.shard : c.channels;
    if (own !== undefined && own.delete(channel)) {
      const table = kind === 'shard' ? this.shardChannels : this.channels;
      const subs = table.get(channel);
      if (subs !== undefined) {
        subs.delete(conn);
        if (subs.size === 0) table.delete(channel);
      }
    }
    this.settle(conn);
  }

  subscribePattern(s: Session, pattern: string): void {
    const conn = s as Connection;
    const own = this.subsOf(conn).patterns;
    if (!own.has(pattern)) {
      own.add(pattern);
      let e = this.patterns.get(pattern);
      if (e === undefined) this.patterns.set(pattern, (e = { match: compileGlob(pattern), subs: new Set() }));
      e.subs.add(conn);
    }
    this.settle(conn);
  }

  unsubscribePattern(s: Session, pattern: string): void {
    const conn = s as Connection;
    const c = this.clients.get(conn);
    if (c !== undefined && c.patterns.delete(pattern)) {
      const e = this.patterns.get(pattern);
      if (e !== undefined) {
        e.subs.delete(conn);
        if (e.subs.size === 0) this.patterns.delete(pattern);
      }
    }
    this.settle(conn);
  }

  /** The session's channels (or shard channels), a snapshot safe to unsubscribe while walking. */
  channelsOf(s: Session, kind: ChannelKind): string[] {
    const c = this.clients.get(s as Connection);
    if (c === undefined) return [];
    return [...(kind === 'shard' ? c.shard : c.channels)];
  }

  patternsOf(s: Session): string[] {
    const c = this.clients.get(s as Connection);
    return c === undefined ? [] : [...c.patterns];
  }

  /** RESET and connection close: every subscription goes, without confirmations. */
  dropAll(s: Session): void {
    const conn = s as Connection;
    this.silenced.delete(conn);
    const c = this.clients.get(conn);
    if (c === undefined) return;
    for (const ch of c.channels) this.unsubscribe(conn, 'channel', ch);
    for (const ch of c.shard) this.unsubscribe(conn, 'shard', ch);
    for (const p of c.patterns) this.unsubscribePattern(conn, p);
    this.clients.delete(conn);
    this.settle(conn);
  }

  /* ------------------------------------------------------------------ queries */

  /** PUBSUB CHANNELS / SHARDCHANNELS: active channels, all of them when `pattern` is null. */
  list(kind: ChannelKind, pattern: string | null): string[] {
    const table = kind === 'shard' ? this.shardChannels : this.channels;
    if (pattern === null) return [...table.keys()];
    const m = compileGlob(pattern);
    const out: string[] = [];
    for (const ch of table.keys()) if (m(ch)) out.push(ch);
    return out;
  }

  /** PUBSUB NUMSUB / SHARDNUMSUB: subscribers of one channel (pattern subscribers excluded). */
  numSub(kind: ChannelKind, channel: string): number {
    return (kind === 'shard' ? this.shardChannels : this.channels).get(channel)?.size ?? 0;
  }

  /* ------------------------------------------------------------------ publishing */

  /**
   * Delivers `message` to the channel's subscribers, then (classic channels only) to every
   * session whose pattern matches, once per matching pattern. Returns how many deliveries Redis
   * would count.
   */
  publish(kind: ChannelKind, channel: string, message: string): number {
    let receivers = 0;
    const subs = (kind === 'shard' ? this.shardChannels : this.channels).get(channel);
    if (subs !== undefined) {
      const body = bulk(kind === 'shard' ? 'smessage' : 'message') + bulk(channel) + bulk(message);
      const p2 = '*3\r\n' + body;
      const p3 = '>3\r\n' + body;
      for (const c of subs) {
        receivers++;
        this.deliver(c, p2, p3);
      }
    }
    if (kind === 'channel' && this.patterns.size !== 0) {
      let tail: string | null = null;
      for (const [pattern, e] of this.patterns) {
        if (!e.match(channel)) continue;
        tail ??= bulk(channel) + bulk(message);
        const body = '$8\r\npmessage\r\n' + bulk(pattern) + tail;
        const p2 = '*4\r\n' + body;
        const p3 = '>4\r\n' + body;
        for (const c of e.subs) {
          receivers++;
          this.deliver(c, p2, p3);
        }
      }
    }
    return receivers;
  }

  private deliver(c: Connection, p2: string, p3: string): void {
    this.push(c, c.resp === 2 ? p2 : p3);
  }

  /**
   * Writes an encoded push (a message or a (un)subscribe confirmation) to a session. Pushes reach
   * the client even under CLIENT REPLY OFF/SKIP, as Redis 7.0.15's CLIENT_PUSHING makes them: for
   * the session whose command is running silenced, whose replies the pipeline is about to drop,
   * they are held aside and handed back by `takeSilenced` after the drop.
   */
  push(s: Session, encoded: string): void {
    const c = s as Connection;
    if (c.closing) return;
    if ((c.replyMode === 'off' || c.replySkipping) && this.host.runningSession() === c) {
      this.silenced.set(c, (this.silenced.get(c) ?? '') + encoded);
      return;
    }
    c.reply.raw(encoded);
    c.scheduleFlush();
    if (c.outputPending > this.host.outputCheckMin) c.checkOutputLimits();
  }

  /** Pushes held aside while `s` ran a silenced command (see push); '' when none. */
  takeSilenced(s: Session): string {
    if (this.silenced.size === 0) return '';
    const out = this.silenced.get(s as Connection);
    if (out === undefined) return '';
    this.silenced.delete(s as Connection);
    return out;
  }

  /* ------------------------------------------------------------------ ACL */

  /**
   * After a user's permissions changed (ACL SETUSER, LOAD): the sessions of that user holding a
   * subscription the user may no longer access — a channel by glob, a pattern literally — are
   * returned, for the server to disconnect (Redis's ACLKillPubsubClientsIfNeeded).
   */
  revoked(userName: string, allowed: (channel: string, isPattern: boolean) => boolean): Connection[] {
    const out: Connection[] = [];
    for (const [conn, c] of this.clients) {
      if (conn.aclUser.name !== userName) continue;
      let kill = false;
      for (const p of c.patterns) if (!allowed(p, true)) { kill = true; break; }
      if (!kill) for (const ch of c.channels) if (!allowed(ch, false)) { kill = true; break; }
      if (!kill) for (const ch of c.shard) if (!allowed(ch, false)) { kill = true; break; }
      if (kill) out.push(conn);
    }
    return out;
  }
}

