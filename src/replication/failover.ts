/*
 * FAILOVER: a coordinated hand-over from this primary to one of its replicas (Redis 6.2+).
 *
 * Steps, as Redis: writes are paused; once the target replica (or, without TO, any replica) has
 * acknowledged our whole stream, this server turns into a replica of it and sends
 * `PSYNC <replid> <offset> FAILOVER`, which makes the target promote itself and continue our
 * history; the pause ends when that PSYNC is answered. A TIMEOUT without FORCE aborts (writes
 * resume, we stay primary); with FORCE the hand-over happens anyway. A target that refuses the
 * PSYNC aborts it too, and we become a primary again.
 *
 * The progress is `server.replication.failoverState` (INFO master_failover_state); REPLICAOF and
 * replicas' SYNC are refused while it is not 'no-failover'.
 */

import type { Server } from '../server/server';
import { setPrimary, unsetPrimary } from './role';

interface Pending {
  host: string | null;
  port: number;
  /** unix ms; 0 = no timeout */
  endTime: number;
  force: boolean;
  timer: NodeJS.Timeout;
}

const pending = new WeakMap<Server, Pending>();

/** How often the catch-up is checked (Redis checks once a second in its replication cron). */
const CHECK_MS = 100;

interface ReplicaView {
  state: string;
  ackOffset: number;
  ip: string;
  conf: { listeningPort: number };
}

function replicas(server: Server): ReplicaView[] {
  return server.replication.source.links as unknown as ReplicaView[];
}

/** Redis's findReplica: by announced (or peer) address and listening port. */
export function findReplica(server: Server, host: string, port: number): ReplicaView | null {
  for (const r of replicas(server)) if (r.ip.toLowerCase() === host.toLowerCase() && r.conf.listeningPort === port) return r;
  return null;
}

export function replicaCount(server: Server): number {
  return replicas(server).length;
}

export function startFailover(server: Server, host: string | null, port: number, timeoutMs: number, force: boolean): void {
  if (host !== null) server.log('notice', `FAILOVER requested to ${host}:${port}.`);
  else server.log('notice', 'FAILOVER requested to any replica.');
  const p: Pending = {
    host, port, force,
    endTime: timeoutMs > 0 ? Date.now() + timeoutMs : 0,
    timer: setInterval(() => update(server), CHECK_MS),
  };
  p.timer.unref();
  pending.set(server, p);
  server.replication.failoverState = 'waiting-for-sync';
  server.pause(Number.MAX_SAFE_INTEGER, 'write');
}

/** clearFailoverState: the pause ends, the state is forgotten. */
function clear(server: Server): void {
  const p = pending.get(server);
  if (p !== undefined) clearInterval(p.timer);
  pending.delete(server);
  server.replication.failoverState = 'no-failover';
  server.unpause();
}

/** abortFailover: a hand-over already started is undone (we become a primary again). */
export function abortFailover(server: Server, why: string): void {
  if (server.replication.failoverState === 'no-failover') return;
  const p = pending.get(server);
  if (p?.host != null) server.log('notice', `FAILOVER to ${p.host}:${p.port} aborted: ${why}`);
  else server.log('notice', `FAILOVER to any replica aborted: ${why}`);
  if (server.replication.failoverState === 'failover-in-progress') unsetPrimary(server);
  clear(server);
}

/** updateFailoverStatus: timeout, or a caught-up replica starts the hand-over. */
function update(server: Server): void {
  const p = pending.get(server);
  if (p === undefined || server.replication.failoverState !== 'waiting-for-sync') return;
  server.updateClock();
  if (p.endTime !== 0 && p.endTime <= Date.now()) {
    if (p.force && p.host !== null) {
      server.log('notice', `FAILOVER to ${p.host}:${p.port} time out exceeded, failing over.`);
      return handOver(server, p.host, p.port);
    }
    return abortFailover(server, 'Replica never caught up before timeout');
  }
  const offset = server.replication.offset;
  let target: ReplicaView | null = null;
  if (p.host !== null) {
    target = findReplica(server, p.host, p.port);
  } else {
    for (const r of replicas(server)) {
      if (r.ackOffset === offset) {
        target = r;
        p.host = r.ip;
        p.port = r.conf.listeningPort;
        break;
      }
    }
  }
  if (target !== null && target.ackOffset === offset && p.host !== null) {
    server.log('notice', `Failover target ${p.host}:${p.port} is synced, failing over.`);
    handOver(server, p.host, p.port);
  }
}

/** We follow the target; its answer to our PSYNC FAILOVER ends or aborts the failover. */
function handOver(server: Server, host: string, port: number): void {
  server.replication.failoverState = 'failover-in-progress';
  setPrimary(server, host, port);
  const link = server.primaryLink!;
  link.failoverPsync = true;
  link.onPsyncResult = (result) => {
    link.failoverPsync = false;
    link.onPsyncResult = null;
    if (server.replication.failoverState !== 'failover-in-progress') return;
    if (result === 'failed') abortFailover(server, 'Failover target rejected psync request');
    else clear(server);
  };
}
