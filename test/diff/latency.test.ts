/*
 * The latency monitor against redis-server 7.0.15: LATENCY's metadata, errors and empty replies,
 * then real samples (DEBUG SLEEP past latency-monitor-threshold): LATEST, HISTORY, GRAPH (its
 * sparkline byte for byte, digits masked: the times and the exact milliseconds are live) and
 * RESET. DOCTOR's wording is Redoubt's own: only its reply type is compared. Latency tracking:
 * INFO latencystats and LATENCY HISTOGRAM list the same commands with the same call counts
 * (the run times themselves are live).
 */

import { diffSuite } from './harness';
import type { RespValue } from '../support/resp';

const SUBS = ['latency|doctor', 'latency|graph', 'latency|help', 'latency|histogram', 'latency|history', 'latency|latest', 'latency|reset'];

/** Every digit becomes 9 (integers included): times and milliseconds are live. */
function maskNumbers(v: RespValue): RespValue {
  if (typeof v.v === 'string') return { ...v, v: v.v.replace(/[0-9]/g, '9') } as RespValue;
  if (Array.isArray(v.v)) return { ...v, v: v.v.map(maskNumbers) } as RespValue;
  return v;
}
const masked = (cmd: string[]) => ({ cmd, mask: maskNumbers });

/** LATENCY HISTOGRAM with every distribution emptied: commands and call counts are compared. */
function maskDistributions(v: RespValue): RespValue {
  if (!Array.isArray(v.v)) return v;
  const items = v.v.map((e, i, all) => (i > 0 && all[i - 1].v === 'histogram_usec' ? ({ ...e, v: [] } as RespValue) : maskDistributions(e)));
  return { ...v, v: items } as RespValue;
}
const histogram = (cmd: string[]) => ({ cmd, mask: maskDistributions, unordered: true });

/** INFO latencystats: its lines sorted (Redis lists commands in hash order), numbers masked. */
function maskLatencystats(v: RespValue): RespValue {
  if (typeof v.v !== 'string') return v;
  const lines = v.v.split('\r\n').map((l) => l.replace(/[0-9]+(\.[0-9]+)?/g, 'N')).sort();
  return { ...v, v: lines.join('\n') } as RespValue;
}
const latencystats = { cmd: ['INFO', 'latencystats'], mask: maskLatencystats };

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
  {
    name: 'latency tracking',
    steps: [
      { cmd: ['CONFIG', 'GET', 'latency-tracking*'], unordered: true }, ['CONFIG', 'RESETSTAT'], histogram(['LATENCY', 'HISTOGRAM']), latencystats,
      ['SET', 'a', '1'], ['SET', 'a', '2'], ['GET', 'a'], ['CONFIG', 'GET', 'maxmemory'], ['LPUSH', 'a', 'x'],
      histogram(['LATENCY', 'HISTOGRAM']), histogram(['LATENCY', 'HISTOGRAM', 'set', 'GET', 'nosuch', 'config', 'client|id']),
      histogram(['LATENCY', 'HISTOGRAM', 'config|get']), ['LATENCY', 'HISTOGRAM', 'nosuch'], latencystats,
      ['CONFIG', 'SET', 'latency-tracking-info-percentiles', '0 50 100'], latencystats,
      ['CONFIG', 'SET', 'latency-tracking-info-percentiles', ''], latencystats,
      ['CONFIG', 'SET', 'latency-tracking-info-percentiles', '101'],
      // off: nothing more is recorded, what was is kept; RESETSTAT drops it
      ['CONFIG', 'SET', 'latency-tracking', 'no'], ['GET', 'a'], ['INCR', 'n'], histogram(['LATENCY', 'HISTOGRAM']),
      ['CONFIG', 'RESETSTAT'], histogram(['LATENCY', 'HISTOGRAM']), latencystats, ['CONFIG', 'SET', 'latency-tracking', 'yes'],
    ],
  },
], { redisArgs: ['--enable-debug-command', 'yes'], redoubtArgs: ['--enable-debug-command', 'yes'] });
