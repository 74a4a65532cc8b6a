/*
 * Role changes: REPLICAOF / SLAVEOF (follow a primary, or NO ONE to become one) and FAILOVER
 * (hand the primary role to a replica), with Redis 7.0's argument rules, replies and log lines.
 *
 * The handlers validate and report; the link to a primary lives in src/replication/link.ts and
 * the failover steps in src/replication/failover.ts. Beyond Redis, REPLICAOF to a primary missing
 * from a non-empty `replicaof-allowed-primaries` is refused (and logged): the rogue-primary attack.
 */

import { command, type CommandSpec, type ArgSpec } from './table';
import type { Ctx } from './context';
import type { Server } from '../server/server';
import { ERR, isOpt, parseLongLong } from './util';
import { setPrimary, unsetPrimary, primaryRefusal } from '../replication/role';
import { abortFailover, findReplica, replicaCount, startFailover } from '../replication/failover';

function serverOf(ctx: Ctx): Server {
  return ctx.server as unknown as Server;
}

function replicaof(ctx: Ctx): void {
  const server = serverOf(ctx);
  const [, host, portArg] = ctx.argv;
  if (server.replication.failoverState !== 'no-failover') return ctx.reply.error('ERR REPLICAOF not allowed while failing over.');
  if (isOpt(host, 'NO') && isOpt(portArg, 'ONE')) {
    if (server.primaryLink !== null) {
      unsetPrimary(server);
      server.log('notice', `MASTER MODE enabled (user request from '${ctx.client.infoLine()}')`);
    }
    return ctx.reply.ok();
  }
  // turning replica drops our replicas, this caller included
  if (ctx.client.kind === 'replica') return ctx.reply.error('ERR Command is not valid when client is a replica.');
  const p = parseLongLong(portArg);
  if (p === null || p < 0n || p > 65535n) return ctx.reply.error('ERR Invalid master port');
  const port = Number(p);
  const link = server.primaryLink;
  if (link !== null && link.host.toLowerCase() === host.toLowerCase() && link.port === port) {
    server.log('notice', 'REPLICAOF would result into synchronization with the master we are already connected with. No operation performed.');
    return ctx.reply.simple('OK Already connected to specified master');
  }
  const refusal = primaryRefusal(server, host, port, `user request from '${ctx.client.infoLine()}'`);
  if (refusal !== null) return ctx.reply.error(refusal);
  setPrimary(server, host, port);
  server.log('notice', `REPLICAOF ${host}:${port} enabled (user request from '${ctx.client.infoLine()}')`);
  ctx.reply.ok();
}

/** FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT ms] */
function failover(ctx: Ctx): void {
  const server = serverOf(ctx);
  const argv = ctx.argv;
  if (argv.length === 2 && isOpt(argv[1], 'ABORT')) {
    if (server.replication.failoverState === 'no-failover') return ctx.reply.error('ERR No failover in progress.');
    abortFailover(server, 'Failover manually aborted');
    return ctx.reply.ok();
  }
  let timeout = 0;
  let force = false;
  let host: string | null = null;
  let port = 0;
  for (let j = 1; j < argv.length; j++) {
    if (isOpt(argv[j], 'TIMEOUT') && j + 1 < argv.length && timeout === 0) {
      const t = parseLongLong(argv[j + 1]);
      if (t === null) return ctx.reply.error(ERR.NOT_INTEGER);
      if (t <= 0n) return ctx.reply.error('ERR FAILOVER timeout must be greater than 0');
      timeout = Number(t);
      j++;
    } else if (isOpt(argv[j], 'TO') && j + 2 < argv.length && host === null) {
      const p = parseLongLong(argv[j + 2]);
      if (p === null) return ctx.reply.error(ERR.NOT_INTEGER);
      port = Number(BigInt.asIntN(64, p));
      host = argv[j + 1];
      j += 2;
    } else if (isOpt(argv[j], 'FORCE') && !force) {
      force = true;
    } else {
      return ctx.reply.error(ERR.SYNTAX);
    }
  }
  if (server.replication.failoverState !== 'no-failover') return ctx.reply.error('ERR FAILOVER already in progress.');
  if (server.primaryLink !== null) return ctx.reply.error('ERR FAILOVER is not valid when server is a replica.');
  if (replicaCount(server) === 0) return ctx.reply.error('ERR FAILOVER requires connected replicas.');
  if (force && (timeout === 0 || host === null)) return ctx.reply.error('ERR FAILOVER with force option requires both a timeout and target HOST and IP.');
  if (host !== null) {
    const r = findReplica(server, host, port);
    if (r === null) return ctx.reply.error('ERR FAILOVER target HOST and PORT is not a replica.');
    if (r.state !== 'online') return ctx.reply.error('ERR FAILOVER target replica is not online.');
    const refusal = primaryRefusal(server, host, port, `FAILOVER requested by '${ctx.client.infoLine()}'`);
    if (refusal !== null) return ctx.reply.error(refusal);
  }
  startFailover(server, host, port, timeout, force);
  ctx.reply.ok();
}

const HOST_PORT_DOCS: ArgSpec[] = [{
  name: 'args', type: 'oneof', arguments: [
    { name: 'host-port', type: 'block', arguments: [{ name: 'host', type: 'string' }, { name: 'port', type: 'integer' }] },
    { name: 'no-one', type: 'block', arguments: [{ name: 'no', type: 'pure-token', token: 'NO' }, { name: 'one', type: 'pure-token', token: 'ONE' }] },
  ],
}];

export const COMMANDS: CommandSpec[] = [
  command({
    name: 'replicaof', arity: 3, flags: ['admin', 'noscript', 'stale', 'no_async_loading'],
    docs: { summary: 'Make the server a replica of another instance, or promote it as master.', since: '5.0.0', group: 'server', complexity: 'O(1)', arguments: HOST_PORT_DOCS },
    handler: replicaof,
  }),
  command({
    name: 'slaveof', arity: 3, flags: ['admin', 'noscript', 'stale', 'no_async_loading'],
    docs: { summary: 'Make the server a replica of another instance, or promote it as master.', since: '1.0.0', group: 'server', complexity: 'O(1)', doc_flags: ['deprecated'], deprecated_since: '5.0.0', replaced_by: '`REPLICAOF`', arguments: HOST_PORT_DOCS },
    handler: replicaof,
  }),
  command({
    name: 'failover', arity: -1, flags: ['admin', 'noscript', 'stale'],
    docs: {
      summary: 'Start a coordinated failover between this server and one of its replicas.', since: '6.2.0', group: 'server', complexity: 'O(1)',
      arguments: [
        { name: 'target', type: 'block', token: 'TO', flags: ['optional'], arguments: [{ name: 'host', type: 'string' }, { name: 'port', type: 'integer' }, { name: 'force', type: 'pure-token', token: 'FORCE', flags: ['optional'] }] },
        { name: 'abort', type: 'pure-token', token: 'ABORT', flags: ['optional'] },
        { name: 'milliseconds', type: 'integer', token: 'TIMEOUT', flags: ['optional'] },
      ],
    },
    handler: failover,
  }),
];
