/*
 * Waiting for a condition in tests that drive real servers, and a one-shot command as plain
 * values. Polling (never a fixed sleep) keeps tests fast on a quiet machine and correct on a slow,
 * shared one.
 */

import { RawConn } from './dataset';
import type { RespValue } from './resp';

/**
 * Resolves once `pred` answers true; throws "timed out waiting for <what>" after `timeoutMs`.
 * With `retryErrors`, a predicate that throws (a server that is down or restarting) counts as
 * false; otherwise its error fails the wait at once.
 */
export async function until(what: string, pred: () => Promise<boolean>, timeoutMs = 20000, opts: { retryErrors?: boolean; intervalMs?: number } = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let ok: boolean;
    try {
      ok = await pred();
    } catch (e) {
      if (!opts.retryErrors) throw e;
      ok = false;
    }
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 50));
  }
}

/** A reply as plain values: integers as numbers, arrays nested, errors as Error objects. */
export function plain(r: RespValue): any {
  if (r.t === '-') return new Error(String(r.v));
  if (r.t === ':') return Number(r.v);
  if (Array.isArray(r.v)) return r.v.map(plain);
  return r.v;
}

/** One command on a fresh connection, its reply as plain values. */
export async function callPlain(port: number, ...args: string[]): Promise<any> {
  const c = await RawConn.open(port);
  try {
    return plain(await c.call(...args));
  } finally {
    c.close();
  }
}
