/*
 * `redoubt check-aof [--fix] <file.aof|file.manifest|dir>`: redis-check-aof 7.0's checks and report.
 *
 * A manifest (or, as a Redoubt extension, a directory holding one) is checked as a multi-part AOF:
 * the base (RDB or commands), then each incr file. Any other file is an old-style AOF, possibly
 * with an RDB preamble. Commands are read the way redis-check-aof reads them (prefix lines, exact
 * byte counts, CRLF after each argument, MULTI/EXEC pairing); the report says how far each file is
 * valid. `--fix` truncates the last file back to its last complete command; redis-check-aof asks
 * for confirmation first, which is skipped here since the flag already says so and CI has no input.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseManifest, ManifestError, type Manifest } from '../persistence/aof/manifest';
import { loadRdb } from '../persistence/rdb/decode';
import { checkRdbBuffer } from './check-rdb';

interface Analysis {
  /** offset of the end of the last complete command (or transaction) */
  pos: number;
  line: number;
  error: string | null;
}

const hex16 = (n: number) => n.toString(16).padStart(16, ' ');

/** processRESP of redis-check-aof, from `start` (after an RDB preamble). */
export function analyse(buf: Buffer, start: number): Analysis {
  let off = start;
  let line = 1;
  let multi = 0;
  let pos = start;
  let error: string | null = null;
  let epos = 0;
  const fail = (msg: string) => { error = `0x${hex16(epos)}: ${msg}`; };
  const fgets = (): string | null => {
    if (off >= buf.length) return null;
    let end = buf.indexOf(10, off);
    end = end < 0 || end - off >= 127 ? Math.min(buf.length, off + 127) : end + 1;
    const s = buf.toString('latin1', off, end);
    off = end;
    return s;
  };
  const readLong = (prefix: string): number | null => {
    epos = off;
    const s = fgets();
    if (s === null) return null;
    if (s[0] !== prefix) {
      fail(`Expected prefix '${prefix}', got: '${s[0]}'`);
      return null;
    }
    const m = /^[+-]?\d*/.exec(s.slice(1))!;
    const rest = s.slice(1 + m[0].length);
    if (!rest.startsWith('\r\n')) {
      fail(`Expected \\r\\n, got: ${hex2(rest)}`);
      return null;
    }
    line++;
    return Number(m[0]) || 0;
  };
  const readString = (): string | null => {
    const len = readLong('$');
    if (len === null) return null;
    epos = off;
    const want = len + 2;
    const got = Math.max(0, Math.min(want, buf.length - off));
    if (len < 0 || got !== want) {
      fail(`Expected to read ${want} bytes, got ${got} bytes`);
      return null;
    }
    const s = buf.toString('latin1', off, off + len);
    const nl = buf.toString('latin1', off + len, off + want);
    off += want;
    if (nl !== '\r\n') {
      fail(`Expected \\r\\n, got: ${hex2(nl)}`);
      return null;
    }
    line++;
    return s;
  };
  outer: for (;;) {
    if (multi === 0) pos = off;
    if (off >= buf.length) break;
    if (buf[off] === 0x23 /* # */) {
      // annotations (#TS:...) are skipped
      epos = off;
      fgets();
      line++;
      continue;
    }
    const argc = readLong('*');
    if (argc === null) break;
    for (let i = 0; i < argc; i++) {
      const s = readString();
      if (s === null) break outer;
      if (i === 0) {
        const l = s.toLowerCase();
        if (l === 'multi') {
          if (multi++) { fail('Unexpected MULTI'); break outer; }
        } else if (l === 'exec') {
          if (--multi) { fail('Unexpected EXEC'); break outer; }
        }
      }
    }
  }
  if (off >= buf.length && multi !== 0 && error === null) {
    epos = off;
    fail('Reached EOF before reading EXEC for MULTI');
  }
  return { pos, line, error };
}

function hex2(s: string): string {
  return [0, 1].map((i) => (s.charCodeAt(i) || 0).toString(16).padStart(2, '0')).join('');
}

type Out = (s: string) => void;

/**
 * checkSingleAof: 'ok', 'fixed', or 'invalid' (reported). `shown` is the name in the report.
 */
function checkSingleAof(file: string, shown: string, last: boolean, fix: boolean, out: Out): 'ok' | 'invalid' {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch {
    out(`Cannot open file: ${file}`);
    return 'invalid';
  }
  let start = 0;
  if (buf.length >= 5 && buf.toString('latin1', 0, 5) === 'REDIS') {
    const report = checkRdbBuffer(buf, path.basename(file));
    for (const l of report.lines) out(l);
    let end = -1;
    if (report.ok) {
      try {
        end = loadRdb(buf, { aux() {}, selectDb() {}, entry() {} }, { checksum: true, deepSanitize: false, now: Date.now() }).end;
      } catch {
        end = -1;
      }
    }
    if (end < 0) {
      out('RDB preamble of AOF file is not sane, aborting.');
      return 'invalid';
    }
    out('RDB preamble is OK, proceeding with AOF tail...');
    start = end;
  }
  const a = analyse(buf, start);
  if (a.error !== null) out(a.error);
  const size = buf.length;
  const diff = size - a.pos;
  out(`AOF analyzed: filename=${shown}, size=${size}, ok_up_to=${a.pos}, ok_up_to_line=${a.line}, diff=${diff}`);
  if (diff > 0) {
    if (!fix) {
      out(`AOF ${shown} is not valid. Use the --fix option to try fixing it.`);
      return 'invalid';
    }
    if (!last) {
      out(`Failed to truncate AOF ${shown} because it is not the last file`);
      return 'invalid';
    }
    out(`This will shrink the AOF ${shown} from ${size} bytes, with ${diff} bytes, to ${a.pos} bytes`);
    out('Continue? [y/N]: y (--fix given)');
    try {
      fs.truncateSync(file, a.pos);
    } catch {
      out(`Failed to truncate AOF ${shown}`);
      return 'invalid';
    }
    out(`Successfully truncated AOF ${shown}`);
  }
  return 'ok';
}

function checkMultiPart(manifestPath: string, fix: boolean, out: Out): number {
  const dir = path.dirname(manifestPath);
  out('Start checking Multi Part AOF');
  let m: Manifest;
  try {
    m = parseManifest(fs.readFileSync(manifestPath, 'latin1'));
  } catch (e) {
    if (e instanceof ManifestError) for (const l of e.logLines()) out(l.replace(/\n$/, ''));
    else out(`Cannot open file: ${manifestPath}`);
    return 1;
  }
  const files = m.loadOrder;
  if (files.length === 0) {
    out('Invalid AOF manifest file format');
    return 1;
  }
  let n = 0;
  if (m.base !== null) {
    const isRdb = fs.existsSync(path.join(dir, m.base.name)) && fs.readFileSync(path.join(dir, m.base.name)).subarray(0, 5).toString('latin1') === 'REDIS';
    out(`Start to check BASE AOF (${isRdb ? 'RDB' : 'AOF'} format).`);
    if (checkSingleAof(path.join(dir, m.base.name), m.base.name, ++n === files.length, fix, out) !== 'ok') return 1;
    out(`BASE AOF ${m.base.name} is valid`);
  }
  if (m.incr.length > 0) {
    out('Start to check INCR files.');
    for (const f of m.incr) {
      if (checkSingleAof(path.join(dir, f.name), f.name, ++n === files.length, fix, out) !== 'ok') return 1;
      out(`INCR AOF ${f.name} is valid`);
    }
  }
  out('All AOF files and manifest are valid');
  return 0;
}

export async function checkAofMain(args: string[]): Promise<number> {
  const out: Out = (s) => process.stdout.write(s + '\n');
  let fix = false;
  let target: string;
  if (args.length === 1 && args[0] !== '-h' && args[0] !== '--help') {
    target = args[0];
  } else if (args.length === 2 && args[0] === '--fix') {
    fix = true;
    target = args[1];
  } else if (args.length === 2) {
    out(`Invalid argument: ${args[0]}`);
    return 1;
  } else {
    out('Usage: redoubt check-aof [--fix] <file.manifest|file.aof|appenddir>');
    return 1;
  }
  let st: fs.Stats;
  try {
    st = fs.statSync(target);
  } catch {
    out(`Cannot open file: ${target}`);
    return 1;
  }
  if (st.isDirectory()) {
    const manifests = fs.readdirSync(target).filter((f) => f.endsWith('.manifest') && !f.startsWith('temp-'));
    if (manifests.length !== 1) {
      out(`Cannot read file: ${target}`);
      return 1;
    }
    return checkMultiPart(path.join(target, manifests[0]), fix, out);
  }
  if (st.size === 0) {
    out(`Empty file: ${target}`);
    return 1;
  }
  if (target.endsWith('.manifest')) return checkMultiPart(target, fix, out);
  out('Start checking Old-Style AOF');
  if (checkSingleAof(target, target, true, fix, out) !== 'ok') return 1;
  out(`AOF ${target} is valid`);
  return 0;
}
