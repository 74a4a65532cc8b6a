/*
 * What the benchmarks read about a running server from /proc: its CPU time so far, user and
 * system, summed over all its threads (utime and stime of /proc/PID/stat, in clock ticks).
 */

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';

let clockTick = 0;

/** [user, system] CPU seconds a process has used so far. */
export function cpuTimes(pid: number): [number, number] {
  if (clockTick === 0) {
    try {
      clockTick = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'latin1' }).trim()) || 100;
    } catch {
      clockTick = 100;
    }
  }
  // the fields after the parenthesised command name (which may hold spaces): utime is the 12th
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return [Number(f[11]) / clockTick, Number(f[12]) / clockTick];
}
