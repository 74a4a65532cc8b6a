/*
 * Shared pieces of the RDB file tests: a Redoubt started in its own temporary `dir`, INFO field
 * reads, waiting for a BGSAVE to end, and the exit of a process.
 */

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { startRedoubt, type RunningServer } from '../support/servers';
import { RawConn } from '../support/dataset';

export function tempDir(prefix = 'redoubt-rdb-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Redoubt with `dir` set to `dir` (its working directory too). */
export function redoubtIn(dir: string, args: string[] = []): Promise<RunningServer> {
  return startRedoubt(['--dir', dir, ...args], { cwd: dir });
}

export async function infoField(port: number, field: string, section = 'persistence'): Promise<string> {
  const c = await RawConn.open(port);
  try {
    const r = await c.call('INFO', section);
    const m = new RegExp(`^${field}:(.*)\\r$`, 'm').exec(String(r.v));
    if (m === null) throw new Error(`INFO has no ${field}`);
    return m[1];
  } finally {
    c.close();
  }
}

/** Waits until no BGSAVE runs; returns the last status. */
export async function waitBgsave(port: number, timeoutMs = 60000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while ((await infoField(port, 'rdb_bgsave_in_progress')) !== '0') {
    if (Date.now() > deadline) throw new Error('BGSAVE did not finish');
    await new Promise((r) => setTimeout(r, 20));
  }
  return infoField(port, 'rdb_last_bgsave_status');
}

export function exitOf(p: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => (p.exitCode !== null ? resolve(p.exitCode) : p.once('exit', (code) => resolve(code))));
}

export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs = 10000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** SHUTDOWN NOSAVE over a connection, then wait for the exit. */
export async function shutdownNoSave(s: RunningServer): Promise<void> {
  const c = await RawConn.open(s.port);
  const exited = exitOf(s.proc);
  c.pipeline([['SHUTDOWN', 'NOSAVE']]).catch(() => undefined);
  await exited;
  c.close();
}
