/*
 * MULTI / EXEC / DISCARD / WATCH / UNWATCH against redis-server 7.0.15, byte for byte, with
 * several connections where a transaction races another client.
 */

import { diffSuite, type Step } from './harness';
import type { RespValue } from '../support/resp';

/** An ACL LOG reply with its live fields (age, client-info) blanked. */
function maskAclLog(v: RespValue): RespValue {
  if (!Array.isArray(v.v)) return v;
  return {
    t: v.t,
    v: v.v.map((entry) => {
      if (!Array.isArray(entry.v)) return entry;
      const xs = entry.v.slice();
      for (let i = 0; i + 1 < xs.length; i += 2) {
        const k = String(xs[i].v);
        if (k === 'age-seconds' || k === 'client-info') xs[i + 1] = { t: '$', v: '<live>' };
      }
      return { t: entry.t, v: xs } as RespValue;
    }),
  } as RespValue;
}

const other = (cmd: string[]): Step => ({ cmd, conn: 1 });

diffSuite('transactions', [
  {
    name: 'queue and execute',
    steps: [
      ['MULTI'],
      ['SET', 'a', '1'],
      ['INCR', 'a'],
      ['GET', 'a'],
      ['ECHO', 'x\0y'],
      ['EXEC'],
      ['GET', 'a'],
    ],
  },
  {
    name: 'empty transaction and misuse',
    steps: [
      ['EXEC'],
      ['DISCARD'],
      ['MULTI'],
      ['MULTI'],
      ['EXEC'],
      ['MULTI'],
      ['DISCARD'],
      ['EXEC'],
      ['MULTI', 'extra'],
      ['EXEC', 'extra'],
      ['WATCH'],
      ['UNWATCH', 'x'],
    ],
  },
  {
    name: 'run-time errors do not stop the block',
    steps: [
      ['SET', 's', 'text'],
      ['MULTI'],
      ['INCR', 's'],
      ['SET', 't', 'ok'],
      ['INCRBY', 's', 'x'],
      ['EXEC'],
      ['GET', 't'],
    ],
  },
  {
    name: 'queue-time errors abort with EXECABORT',
    steps: [
      ['MULTI'],
      ['SET', 'k', 'v'],
      ['NOSUCHCOMMAND', 'a'],
      ['GET'],
      ['EXEC'],
      ['GET', 'k'],
      ['MULTI'],
      ['SHUTDOWN'],
      ['EXEC'],
      ['MULTI'],
      ['CONFIG', 'NOSUCH'],
      ['EXEC'],
      ['MULTI'],
      ['SET', 'k', 'v'],
      ['MULTI'],
      ['WATCH', 'k'],
      ['EXEC'],
      ['GET', 'k'],
    ],
  },
  {
    name: 'DISCARD drops the queue',
    steps: [
      ['MULTI'],
      ['SET', 'd', '1'],
      ['DISCARD'],
      ['GET', 'd'],
      ['MULTI'],
      ['RESET'],
      ['EXEC'],
    ],
  },
  {
    name: 'SELECT inside a transaction',
    steps: [
      ['MULTI'],
      ['SELECT', '3'],
      ['SET', 'x', 'db3'],
      ['EXEC'],
      ['GET', 'x'],
      ['SELECT', '0'],
      ['GET', 'x'],
      ['SELECT', '3'],
      ['FLUSHDB'],
    ],
  },
  {
    name: 'WATCH: a change by another client fails EXEC',
    steps: [
      ['SET', 'w', '1'],
      ['WATCH', 'w'],
      other(['SET', 'w', '2']),
      ['MULTI'],
      ['SET', 'w', '3'],
      ['EXEC'],
      ['GET', 'w'],
      // the failed EXEC unwatched: the next transaction runs
      ['MULTI'],
      ['SET', 'w', '4'],
      ['EXEC'],
    ],
  },
  {
    name: 'WATCH: own change before MULTI, untouched keys, UNWATCH',
    steps: [
      ['WATCH', 'a', 'b'],
      ['SET', 'b', 'mine'],
      ['MULTI'],
      ['GET', 'b'],
      ['EXEC'],
      ['WATCH', 'a'],
      other(['SET', 'unrelated', '1']),
      ['MULTI'],
      ['GET', 'a'],
      ['EXEC'],
      ['WATCH', 'a'],
      other(['SET', 'a', 'changed']),
      ['UNWATCH'],
      ['MULTI'],
      ['GET', 'a'],
      ['EXEC'],
      ['WATCH', 'a'],
      other(['DEL', 'a']),
      ['MULTI'],
      ['DISCARD'],
      ['MULTI'],
      ['GET', 'a'],
      ['EXEC'],
    ],
  },
  {
    name: 'WATCH: a missing key that stays missing, or gets created',
    steps: [
      ['WATCH', 'nokey'],
      other(['DEL', 'nokey']),
      ['MULTI'],
      ['PING'],
      ['EXEC'],
      ['WATCH', 'nokey'],
      other(['SET', 'nokey', '1']),
      ['MULTI'],
      ['PING'],
      ['EXEC'],
    ],
  },
  {
    name: 'WATCH: expiry makes the key dirty',
    steps: [
      ['SET', 'e', '1', 'PX', '100'],
      ['WATCH', 'e'],
      { cmd: ['MULTI'], sleep: 250 },
      ['PING'],
      ['EXEC'],
      ['SET', 'e2', '1', 'PX', '50'],
      { cmd: ['WATCH', 'e2'], sleep: 150 },
      ['MULTI'],
      ['PING'],
      ['EXEC'],
    ],
  },
  {
    name: 'WATCH: FLUSHDB, FLUSHALL and SWAPDB',
    steps: [
      ['SET', 'f', '1'],
      ['WATCH', 'f', 'missing'],
      other(['FLUSHDB']),
      ['MULTI'],
      ['PING'],
      ['EXEC'],
      ['WATCH', 'missing'],
      other(['FLUSHALL']),
      ['MULTI'],
      ['PING'],
      ['EXEC'],
      other(['SELECT', '5']),
      other(['SET', 'sw', 'in5']),
      ['WATCH', 'sw'],
      other(['SWAPDB', '0', '5']),
      ['MULTI'],
      ['GET', 'sw'],
      ['EXEC'],
      other(['FLUSHALL']),
    ],
  },
  {
    name: 'WATCH inside MULTI and watching twice',
    steps: [
      ['WATCH', 'k', 'k', 'k'],
      ['MULTI'],
      ['WATCH', 'k'],
      ['SET', 'k', '1'],
      ['EXEC'],
      ['GET', 'k'],
    ],
  },
  {
    name: 'ACL rules revoked between queueing and EXEC',
    steps: [
      other(['ACL', 'SETUSER', 'txu', 'reset', 'on', '>pw', '+@all', '~*', '&*']),
      ['AUTH', 'txu', 'pw'],
      ['MULTI'],
      ['SET', 'k', 'v'],
      ['GET', 'x'],
      ['GET', 'k'],
      other(['ACL', 'SETUSER', 'txu', '-set', 'resetkeys', '~x']),
      ['EXEC'],
      { ...other(['ACL', 'LOG', '2']), mask: maskAclLog },
      // refused at queue time: NOPERM, and EXEC aborts
      ['MULTI'],
      ['SET', 'k', 'v'],
      ['GET', 'x'],
      ['EXEC'],
      { ...other(['ACL', 'LOG', '1']), mask: maskAclLog },
      other(['ACL', 'LOG', 'RESET']),
      other(['ACL', 'DELUSER', 'txu']),
    ],
  },
  {
    name: 'MONITOR-free bookkeeping: INFO commandstats counts queued commands once',
    steps: [
      ['CONFIG', 'RESETSTAT'],
      ['MULTI'],
      ['SET', 'c', '1'],
      ['SET', 'c', '2'],
      ['EXEC'],
      { cmd: ['INFO', 'commandstats'], mask: (v) => ({ t: '$', v: String(v.v).split('\r\n').filter((l) => /^cmdstat_(set|exec|multi):/.test(l)).map((l) => l.replace(/usec=\d+,usec_per_call=[\d.]+/, '')).sort().join('\n') }) },
    ],
  },
]);
