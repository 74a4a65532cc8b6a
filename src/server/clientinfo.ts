/*
 * Text renderings of a connection: the CLIENT LIST / CLIENT INFO line and the MONITOR feed line.
 * Field order and names follow Redis 7.0 so tools that parse them keep working.
 */

import type { Connection } from '../net/connection';
import { repr } from '../protocol/sds';
import type { Server } from './server';


/** The flags field, letters in Redis's order; 'N' when none applies. */
export function clientFlags(server: Server, c: Connection): string {
  let f = '';
  if (c.monitor) f += 'O';
  else if (c.kind === 'replica') f += 'S';
  if (c.kind === 'master') f += 'M';
  if (c.kind === 'pubsub') f += 'P';
  if (c.multi !== null) f += 'x';
  if (c.pending.length > 0 || server.blocking.isBlocked(c)) f += 'b';
  const tracking = server.tracking.stateOf(c);
  if (tracking !== undefined) f += 't' + (tracking.brokenRedirect ? 'R' : '') + (tracking.bcast ? 'B' : '');
  if (c.dirtyCas) f += 'd';
  if (c.closing) f += 'c';
  if (c.noEvict) f += 'e';
  return f === '' ? 'N' : f;
}

export function clientInfoLine(server: Server, c: Connection): string {
  const now = server.now;
  const qbuf = c.parser.pending;
  const omem = c.outputPending;
  const subs = server.pubsub.sessionCounts(c);
  return `id=${c.id} addr=${c.addr} laddr=${c.laddr} fd=${(c.socket as any)._handle?.fd ?? -1} name=${c.name}` +
    ` age=${Math.floor((now - c.createdAt) / 1000)} idle=${Math.floor((now - c.lastInteraction) / 1000)}` +
    ` flags=${clientFlags(server, c)} db=${c.dbIndex} sub=${subs.sub} psub=${subs.psub} ssub=${subs.ssub} multi=${c.multi === null ? -1 : c.multi.length} qbuf=${qbuf} qbuf-free=${qbuf === 0 ? 0 : 16384}` +
    ` argv-mem=0 multi-mem=0 rbs=16384 rbp=${qbuf} obl=0 oll=0 omem=${omem} tot-mem=${qbuf + omem + 16384}` +
    ` events=r cmd=${c.lastCommand} user=${c.user} redir=${server.tracking.stateOf(c)?.redirect ?? -1} resp=${c.resp}`;
}

/** `+<sec>.<usec> [<db> <addr>] "arg" ...` with the wall clock read now, as Redis does. */
export function monitorLine(server: Server, c: Connection, argv: string[]): string {
  const t = Math.floor((performance.timeOrigin + performance.now()) * 1000);
  const sec = Math.floor(t / 1e6);
  const usec = String(t % 1e6).padStart(6, '0');
  let line = `+${sec}.${usec} [${c.dbIndex} ${c.addr}]`;
  for (const a of argv) line += ' ' + repr(a);
  return line + '\r\n';
}
