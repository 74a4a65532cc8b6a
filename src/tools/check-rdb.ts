/*
 * `redoubt check-rdb FILE`: verifies an RDB file the way redis-check-rdb does and prints a report —
 * format version, AUX fields, per-database key counts by type and encoding, expiries, checksum
 * status — or, for a damaged file, the offset (when the decoder knows it) and reason of the first
 * error. Exit status 0 when the file is sound, 1 otherwise.
 *
 * The file is decoded by the same codec the server loads with (full checksum and deep
 * sanitisation on), into a counting sink: nothing is kept in memory beyond one value at a time.
 */

import * as fs from 'node:fs';
import { loadRdb, type RdbSink } from '../persistence/rdb/decode';
import { RdbError } from '../persistence/rdb/errors';

interface DbStats {
  keys: number;
  expires: number;
  alreadyExpired: number;
  byType: Map<string, number>;
}

export interface CheckRdbReport {
  ok: boolean;
  lines: string[];
}

/** Checks the RDB bytes in `buf`; `name` is shown in the report. */
export function checkRdbBuffer(buf: Buffer, name: string, now = Date.now()): CheckRdbReport {
  const lines: string[] = [`[offset 0] Checking RDB file ${name}`];
  const dbs = new Map<number, DbStats>();
  let current: DbStats | null = null;
  let lastKey: string | null = null;
  let totalKeys = 0;
  let totalExpires = 0;
  let totalExpired = 0;
  const dbStats = (i: number): DbStats => {
    let s = dbs.get(i);
    if (s === undefined) dbs.set(i, (s = { keys: 0, expires: 0, alreadyExpired: 0, byType: new Map() }));
    return s;
  };
  const sink: RdbSink = {
    aux(key: string, value: string) {
      lines.push(`[info] AUX FIELD ${key} = '${printable(value)}'`);
    },
    selectDb(i: number) {
      lines.push(`[info] Selecting DB ID ${i}`);
      current = dbStats(i);
    },
    entry(key: string, obj, expireMs) {
      const s = current ?? (current = dbStats(0));
      lastKey = key;
      s.keys++;
      totalKeys++;
      const t = `${obj.type} (${obj.enc})`;
      s.byType.set(t, (s.byType.get(t) ?? 0) + 1);
      if (expireMs !== undefined) {
        s.expires++;
        totalExpires++;
        if (Number(expireMs) < now) {
          s.alreadyExpired++;
          totalExpired++;
        }
      }
    },
    functions() {
      lines.push('[info] Function library');
    },
  };
  let ok = true;
  try {
    if (buf.length < 9 || buf.toString('latin1', 0, 5) !== 'REDIS') {
      throw Object.assign(new RdbError('Wrong signature trying to load DB from file'), { offset: 0 });
    }
    lines.push(`[info] RDB format version ${Number(buf.toString('latin1', 5, 9))}`);
    const { end, version } = loadRdb(buf, sink, { checksum: true, deepSanitize: true, now });
    if (version >= 5 && end >= 8) {
      const zero = buf.subarray(end - 8, end).every((b) => b === 0);
      lines.push(zero ? `[offset ${end}] RDB file was saved with checksum disabled: no check performed.` : `[offset ${end}] Checksum OK`);
    }
    if (end < buf.length) lines.push(`[offset ${end}] ${buf.length - end} bytes follow the end of the RDB (an AOF tail, if this is an AOF base file)`);
    lines.push(`[offset ${end}] \\o/ RDB looks OK! \\o/`);
  } catch (e) {
    ok = false;
    // the decoder may say where it stopped; a short read stopped at the end of the file
    const off = (e as { offset?: number }).offset ?? (/Unexpected EOF/.test((e as Error)?.message ?? '') ? buf.length : 'unknown');
    lines.push('--- RDB ERROR DETECTED ---');
    const reason = e instanceof RdbError ? e.message : `internal error: ${(e as Error)?.message ?? e}`;
    lines.push(`[offset ${off}] ${reason}`);
    if (lastKey !== null) lines.push(`[additional info] Last key read successfully: '${printable(lastKey)}'`);
  }
  for (const [i, s] of [...dbs].sort((a, b) => a[0] - b[0])) {
    const types = [...s.byType].sort().map(([t, n]) => `${t}: ${n}`).join(', ');
    lines.push(`[info] db${i}: ${s.keys} keys, ${s.expires} with an expiry (${s.alreadyExpired} already expired)${types ? `; ${types}` : ''}`);
  }
  lines.push(`[info] ${totalKeys} keys read`);
  lines.push(`[info] ${totalExpires} expires`);
  lines.push(`[info] ${totalExpired} already expired`);
  if (!ok) lines.push('--- RDB ERROR DETECTED ---');
  return { ok, lines };
}

/** Keys and values may hold any byte: show control and high bytes escaped. */
function printable(s: string, max = 128): string {
  let out = '';
  for (let i = 0; i < s.length && i < max; i++) {
    const c = s.charCodeAt(i);
    out += c >= 32 && c < 127 && c !== 92 && c !== 39 ? s[i] : `\\x${c.toString(16).padStart(2, '0')}`;
  }
  return s.length > max ? `${out}...` : out;
}

export async function checkRdbMain(args: string[]): Promise<number> {
  if (args.length !== 1 || args[0] === '-h' || args[0] === '--help') {
    process.stderr.write('Usage: redoubt check-rdb <rdb-file-name>\n');
    return 1;
  }
  let buf: Buffer;
  try {
    buf = fs.readFileSync(args[0]);
  } catch (e) {
    process.stdout.write(`Cannot check RDB file ${args[0]}: ${(e as Error).message}\n`);
    return 1;
  }
  const r = checkRdbBuffer(buf, args[0]);
  process.stdout.write(r.lines.join('\n') + '\n');
  return r.ok ? 0 : 1;
}
