/*
 * The shutdown sequence of SHUTDOWN and the termination signals, as Redis 7.0 runs it
 * (prepareForShutdown, isReadyToShutdown, finishShutdown, abortShutdown).
 *
 * Design: a shutdown first lets the replicas catch up, so that a failover after it loses no
 * acknowledged write. Unless NOW is given or `shutdown-timeout` is 0, and while some replica has
 * not acknowledged the whole stream, the server pauses writes, asks every replica for an ACK, and
 * waits. The cron finishes the shutdown once all replicas are in sync or the timeout has passed.
 * Finishing logs each lagging replica, then runs the persistence steps (final save, AOF). If those
 * fail, the shutdown is cancelled and the server keeps running, as Redis does. The clients that
 * sent SHUTDOWN stay blocked meanwhile and get Redis's error if it is cancelled. SHUTDOWN ABORT
 * cancels a shutdown that is waiting.
 *
 * Invariants:
 *  - `deadline` is non-zero exactly while a shutdown waits for replicas (Redis's shutdown_mstime);
 *    writes are paused exactly then (Server.mustWait consults `waiting`).
 *  - A shutdown that completes never returns: the host's finishShutdown exits the process.
 */

import type { ConfigRegistry } from '../config/registry';
import type { ReplicationState } from '../replication/state';

export interface ShutdownOptions {
  save?: boolean;
  nosave?: boolean;
  now?: boolean;
  force?: boolean;
}

export interface ShutdownHost {
  readonly now: number;
  readonly config: ConfigRegistry;
  readonly replication: ReplicationState;
  readonly persistence: { prepareShutdown(opts: ShutdownOptions): boolean };
  log(level: 'debug' | 'verbose' | 'notice' | 'warning', msg: string): void;
  /** closes everything and exits */
  finishShutdown(code: number): void;
  /** lets connections whose commands waited for the pause run again */
  resumeWaiting(): void;
}

/** What a SHUTDOWN caller is told when the shutdown is cancelled. */
export const SHUTDOWN_ERROR = 'ERR Errors trying to SHUTDOWN. Check logs.';
/** `begin`'s answer while the shutdown waits for replicas: the caller stays blocked. */
export const SHUTDOWN_WAITING = 'WAITING';

export class ShutdownSequence {
  /** unix ms when waiting for replicas ends; 0 when no shutdown is under way */
  deadline = 0;
  private opts: ShutdownOptions = {};
  /** SHUTDOWN callers blocked until the shutdown is cancelled (a completed one exits) */
  private waiters: Array<(error: string) => void> = [];

  constructor(private readonly host: ShutdownHost) {}

  /** a shutdown waits for replicas; writes are paused meanwhile */
  get waiting(): boolean {
    return this.deadline !== 0;
  }

  /**
   * Starts a shutdown. Returns an error reply text when it failed at once, SHUTDOWN_WAITING while
   * it waits for replicas (`waiter`, if given, hears of a cancellation), and does not return when
   * the process exits.
   */
  begin(opts: ShutdownOptions, waiter?: (error: string) => void): string {
    if (this.waiting) {
      // a shutdown is already waiting: this caller waits with it
      if (waiter !== undefined) this.waiters.push(waiter);
      return SHUTDOWN_WAITING;
    }
    const host = this.host;
    host.log('warning', 'User requested shutdown...');
    const timeout = host.config.get('shutdown-timeout') as number;
    if (!opts.now && timeout !== 0 && !this.replicasInSync()) {
      this.deadline = host.now + timeout * 1000;
      this.opts = opts;
      if (waiter !== undefined) this.waiters.push(waiter);
      host.replication.source.requestAcks();
      host.log('notice', 'Waiting for replicas before shutting down.');
      return SHUTDOWN_WAITING;
    }
    this.opts = opts;
    return this.finish();
  }

  /** SHUTDOWN ABORT: true if a waiting shutdown was cancelled. */
  abort(): boolean {
    if (!this.waiting) return false;
    this.cancel();
    this.host.log('notice', 'Shutdown manually aborted.');
    return true;
  }

  /** From the server cron: finishes once the replicas are in sync or the time is up. */
  cron(): void {
    if (!this.waiting) return;
    if (this.host.now >= this.deadline || this.replicasInSync()) this.finish();
  }

  /** Redis's isReadyToShutdown: every replica acknowledged the whole stream. */
  private replicasInSync(): boolean {
    const offset = this.host.replication.offset;
    for (const l of this.host.replication.source.links) if (l.ackOffset !== offset) return false;
    return true;
  }

  private finish(): string {
    const host = this.host;
    const offset = host.replication.offset;
    const links = host.replication.source.links;
    let lagging = 0;
    for (const l of links) {
      if (l.ackOffset === offset) continue;
      lagging++;
      const lag = l.state === 'online' ? Math.floor((host.now - l.ackTime) / 1000) : 0;
      const state = l.state === 'online' ? 'online' : l.state === 'send_bulk' ? 'send_bulk' : 'wait_bgsave';
      host.log('warning', `Lagging replica ${l.name} reported offset ${offset - l.ackOffset} behind master, lag=${lag}, state=${state}.`);
    }
    if (links.length > 0) host.log('notice', `${links.length - lagging} of ${links.length} replicas are in sync when shutting down.`);
    if (!host.persistence.prepareShutdown(this.opts)) {
      host.log('warning', 'Errors trying to shut down the server. Check the logs for more information.');
      this.cancel();
      return SHUTDOWN_ERROR;
    }
    host.finishShutdown(0);
    return SHUTDOWN_WAITING;
  }

  private cancel(): void {
    const wasPausing = this.waiting;
    this.deadline = 0;
    this.opts = {};
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w(SHUTDOWN_ERROR);
    if (wasPausing) this.host.resumeWaiting();
  }
}
