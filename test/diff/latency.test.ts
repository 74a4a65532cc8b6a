/*
 * The latency monitor against redis-server 7.0.15: LATENCY's metadata, errors and empty replies,
 * then real samples (DEBUG SLEEP past latency-monitor-threshold): LATEST, HISTORY, GRAPH (its
 * sparkline byte for byte, digits masked: the times and the exact milliseconds are live) and
 * RESET. DOCTOR's wording is Redoubt's own: only its reply type is compared.
 * LATENCY HISTOGRAM (latency tracking) is not implemented and stays out of these scripts.
 */

import { diffSuite } from './harness';
import type { RespValue } from '../support/resp';

const SUBS = ['latency|doctor', 'latency|graph', 'latency|help', 'latency|history', 'latency|latest', 'latency|reset'];

/** Every digit becomes 9 (integers included): times and milliseconds are live. */
function maskNumbers(v: RespValue): RespValue {
  if (typeof v.v === 'string') return { ...v, v: v.v.replace(/[0-9]/g, '9') } as RespValue;
  if (Array.isArray(v.v)) return { ...v, v: v.v.map(maskNumbers) } as RespValue;
  return v;
}
const masked = (cmd: string[]) => ({ cmd, mask: maskNumbers });

diffSuite('latency', [
  {
    name: 'metadata',
    steps: [['COMMAND', 'INFO', ...SUBS], { cmd: ['COMMAND', 'DOCS', ...SUBS], prose: true }],
  },
  {
    name: 'errors and an empty monitor',
    steps: [
      ['LATENCY'], ['LATENCY', 'foo'], { cmd: ['LATENCY', 'HELP'], help: true }, ['LATENCY', 'HELP', 'x'],
      ['LATENCY', 'LATEST'], ['LATENCY', 'LATEST', 'x'], ['LATENCY', 'HISTORY'], ['LATENCY', 'HISTORY', 'command'],
      ['LATENCY', 'HISTORY', 'a', 'b'], ['LATENCY', 'GRAPH'], ['LATENCY', 'GRAPH', 'command'], ['LATENCY', 'GRAPH', 'a', 'b'],
      ['LATENCY', 'RESET'], ['LATENCY', 'RESET', 'command', 'nosuch'], ['latency', 'latest'],
      ['CONFIG', 'GET', 'latency-monitor-threshold'], ['CONFIG', 'SET', 'latency-monitor-threshold', '-1'],
      ['CONFIG', 'SET', 'latency-monitor-threshold', 'x'],
    ],
  },
  {
    name: 'samples from slow commands',
    steps: [
      ['CONFIG', 'SET', 'latency-monitor-threshold', '15'], ['CONFIG', 'GET', 'latency-monitor-threshold'],
      // under the threshold: nothing recorded
      ['DEBUG', 'SLEEP', '0'], ['LATENCY', 'LATEST'],
      ['DEBUG', 'SLEEP', '0.03'], masked(['LATENCY', 'LATEST']), masked(['LATENCY', 'HISTORY', 'command']),
      // one sample: the graph is one column on the bottom row
      masked(['LATENCY', 'GRAPH', 'command']), ['LATENCY', 'GRAPH', 'COMMAND'], ['LATENCY', 'HISTORY', 'COMMAND'],
      // a second one, in a later second, twice as long: the low and the high column
      { cmd: ['PING'], sleep: 1100 }, ['DEBUG', 'SLEEP', '0.06'], masked(['LATENCY', 'HISTORY', 'command']), masked(['LATENCY', 'GRAPH', 'command']),
      { cmd: ['LATENCY', 'DOCTOR'], live: true },
      // the threshold back at 0 stops sampling but keeps what was recorded
      ['CONFIG', 'SET', 'latency-monitor-threshold', '0'], ['DEBUG', 'SLEEP', '0.03'], masked(['LATENCY', 'HISTORY', 'command']),
      // RESET matches event names ignoring case
      ['LATENCY', 'RESET', 'COMMAND', 'command'], ['LATENCY', 'LATEST'], ['LATENCY', 'RESET'],
      { cmd: ['LATENCY', 'DOCTOR'], live: true },
    ],
  },
], { redisArgs: ['--enable-debug-command', 'yes'], redoubtArgs: ['--enable-debug-command', 'yes'] });
