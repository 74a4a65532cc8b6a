/*
 * oom-score-adj against redis-server 7.0.15: /proc/PID/oom_score_adj of both servers, started with
 * the same values, after CONFIG SET of the mode and the values, and across role changes (REPLICAOF
 * a port nobody listens on, then NO ONE). Lowering a score below what it was needs privileges:
 * the test runs as root (as CI does) and is skipped otherwise; a negative score needs
 * CAP_SYS_RESOURCE, which a container's root may lack, so there both servers must just agree.
 */

import { describe, it, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { Client } from './rawclient';
import { startRedis, startRedoubt, freePort, type RunningServer } from '../support/servers';

const scoreOf = (pid: number): number => Number(fs.readFileSync(`/proc/${pid}/oom_score_adj`, 'latin1'));
const root = process.platform === 'linux' && process.getuid?.() === 0;

describe('oom-score-adj', { skip: !root }, () => {
  let redis: RunningServer;
  let redoubt: RunningServer;
  let a: Client;
  let b: Client;
  const args = ['--oom-score-adj', 'absolute', '--oom-score-adj-values', '123 456 800'];
  before(async () => {
    [redis, redoubt] = await Promise.all([startRedis(args), startRedoubt(args)]);
    [a, b] = await Promise.all([Client.open(redis.port), Client.open(redoubt.port)]);
  });
  after(async () => {
    a?.close();
    b?.close();
    await Promise.all([redis?.stop(), redoubt?.stop()]);
  });

  /**
   * Runs the command on both, then compares the replies and the two scores, and the score with
   * `expect` unless null (where the outcome depends on the process's privileges).
   */
  const step = async (expect: number | null, ...cmd: string[]) => {
    const [ra, rb] = await Promise.all([a.call(...cmd), b.call(...cmd)]);
    assert.deepEqual(rb, ra, cmd.join(' '));
    assert.equal(scoreOf(redoubt.proc.pid!), scoreOf(redis.proc.pid!), `after ${cmd.join(' ')}`);
    if (expect !== null) assert.equal(scoreOf(redis.proc.pid!), expect, `after ${cmd.join(' ')}`);
  };

  it('follows the mode, the values and the role as redis-server does', async () => {
    const base = scoreOf(process.pid);
    const clamp = (v: number) => Math.max(-1000, Math.min(1000, v));
    await step(123, 'PING');
    const nobody = String(await freePort());
    await step(456, 'REPLICAOF', '127.0.0.1', nobody);
    await step(123, 'REPLICAOF', 'NO', 'ONE');
    await step(clamp(base + 123), 'CONFIG', 'SET', 'oom-score-adj', 'relative');
    await step(clamp(base + 10), 'CONFIG', 'SET', 'oom-score-adj-values', '10 20 30');
    await step(clamp(base + 10), 'CONFIG', 'SET', 'oom-score-adj', 'yes');
    await step(base, 'CONFIG', 'SET', 'oom-score-adj', 'no');
    await step(base, 'CONFIG', 'SET', 'oom-score-adj-values', '1500 20 30');
    await step(1000, 'CONFIG', 'SET', 'oom-score-adj', 'absolute');
    await step(1000, 'CONFIG', 'SET', 'oom-score-adj-values', '1 2');
    // a negative score needs CAP_SYS_RESOURCE: set, or refused and rolled back, alike on both
    await step(null, 'CONFIG', 'SET', 'oom-score-adj-values', '-7 2 3');
    await step(base, 'CONFIG', 'SET', 'oom-score-adj', 'no');
    await step(base, 'CONFIG', 'SET', 'oom-score-adj-values', '2001 0 0');
    await step(base, 'CONFIG', 'SET', 'oom-score-adj', 'maybe');
    // CONFIG GET lists the two in hash order on redis-server: compare as name -> value
    const pairs = (r: Awaited<ReturnType<Client['call']>>) => {
      const v = (r!.v as { v: string }[]).map((x) => x.v);
      return new Map(v.flatMap((x, i) => (i % 2 === 0 ? [[x, v[i + 1]] as [string, string]] : [])));
    };
    const [ga, gb] = await Promise.all([a.call('CONFIG', 'GET', 'oom-score-adj*'), b.call('CONFIG', 'GET', 'oom-score-adj*')]);
    assert.deepEqual(pairs(gb), pairs(ga));
  });
});
