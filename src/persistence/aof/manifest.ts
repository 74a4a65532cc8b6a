/*
 * The multi-part AOF manifest, as Redis 7.0 writes it in `<appenddirname>/<appendfilename>.manifest`:
 * one line per file, `file <name> seq <n> type <b|h|i>`, the base first, then history, then the
 * incremental files in sequence order. Names needing quoting are written the way sdscatrepr
 * quotes them, and read back with sdssplitargs rules, so either server reads the other's manifest.
 *
 * Invariants:
 *  - A manifest holds at most one base; incr sequence numbers strictly increase.
 *  - The manifest on disk is only ever replaced whole (temp file + fsync + rename + dir fsync,
 *    mode 0600), so a crash leaves the old or the new one, never a mix.
 *  - Parsing never throws anything but ManifestError, whose text is Redis's.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomicSync } from '../fsutil';

export type AofFileType = 'b' | 'h' | 'i';

export interface AofFileInfo {
  name: string;
  seq: number;
  type: AofFileType;
}

export class Manifest {
  base: AofFileInfo | null = null;
  history: AofFileInfo[] = [];
  incr: AofFileInfo[] = [];
  currBaseSeq = 0;
  currIncrSeq = 0;

  clone(): Manifest {
    const m = new Manifest();
    m.base = this.base && { ...this.base };
    m.history = this.history.map((f) => ({ ...f }));
    m.incr = this.incr.map((f) => ({ ...f }));
    m.currBaseSeq = this.currBaseSeq;
    m.currIncrSeq = this.currIncrSeq;
    return m;
  }

  get empty(): boolean {
    return this.base === null && this.incr.length === 0;
  }

  /** A new base name (`<file>.<seq>.base.rdb|aof`); the previous base becomes history. */
  newBase(appendFilename: string, rdbPreamble: boolean): string {
    if (this.base !== null) this.history.unshift({ ...this.base, type: 'h' });
    const seq = ++this.currBaseSeq;
    const name = `${appendFilename}.${seq}.base.${rdbPreamble ? 'rdb' : 'aof'}`;
    this.base = { name, seq, type: 'b' };
    return name;
  }

  /** A new incr name (`<file>.<seq>.incr.aof`), appended to the incr list. */
  newIncr(appendFilename: string): string {
    const seq = ++this.currIncrSeq;
    const name = `${appendFilename}.${seq}.incr.aof`;
    this.incr.push({ name, seq, type: 'i' });
    return name;
  }

  /** After a rewrite: every incr file but the one being written (if any) becomes history. */
  markRewrittenIncrAsHistory(keepLast: boolean): void {
    const keep = keepLast && this.incr.length > 0 ? [this.incr[this.incr.length - 1]] : [];
    const old = keepLast ? this.incr.slice(0, -1) : this.incr;
    // Redis walks them from the newest down, adding each at the head: oldest ends first
    for (let i = old.length - 1; i >= 0; i--) this.history.unshift({ ...old[i], type: 'h' });
    this.incr = keep;
  }

  /** base + incr, in loading order */
  get loadOrder(): AofFileInfo[] {
    return this.base === null ? [...this.incr] : [this.base, ...this.incr];
  }

  format(): string {
    let s = '';
    const line = (f: AofFileInfo) => (s += `file ${needsRepr(f.name) ? repr(f.name) : f.name} seq ${f.seq} type ${f.type}\n`);
    if (this.base !== null) line(this.base);
    for (const f of this.history) line(f);
    for (const f of this.incr) line(f);
    return s;
  }
}

export class ManifestError extends Error {
  constructor(
    message: string,
    readonly lineNo: number | null = null,
    readonly line: string | null = null,
  ) {
    super(message);
  }

  /** The lines Redis logs for a fatal manifest error. */
  logLines(): string[] {
    const out = ['\n*** FATAL AOF MANIFEST FILE ERROR ***\n'];
    if (this.line !== null) {
      out.push(`Reading the manifest file, at line ${this.lineNo}\n`);
      out.push(`>>> '${this.line}'\n`);
    }
    out.push(`${this.message}\n`);
    return out;
  }
}

const MANIFEST_MAX_LINE = 1024;

/** Parses manifest text (latin1) with Redis's checks and messages. */
export function parseManifest(text: string): Manifest {
  const m = new Manifest();
  if (text.length === 0) throw new ManifestError('Found an empty AOF manifest');
  let maxSeq = 0;
  let lineNo = 0;
  let pos = 0;
  while (pos < text.length) {
    // fgets with a 1025-byte buffer: a longer line is read in pieces
    let nl = text.indexOf('\n', pos);
    let raw: string;
    if (nl < 0 || nl - pos >= MANIFEST_MAX_LINE) {
      raw = text.slice(pos, Math.min(text.length, pos + MANIFEST_MAX_LINE));
      nl = -1;
      pos += raw.length;
    } else {
      raw = text.slice(pos, nl + 1);
      pos = nl + 1;
    }
    lineNo++;
    if (raw[0] === '#') continue;
    if (nl < 0) throw new ManifestError('The AOF manifest file contains too long line', lineNo, null);
    const line = raw.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
    if (line.length === 0) throw new ManifestError('Invalid AOF manifest file format', lineNo, line);
    const argv = splitArgs(line);
    if (argv === null || argv.length < 6 || argv.length % 2 !== 0) throw new ManifestError('Invalid AOF manifest file format', lineNo, line);
    let name: string | null = null;
    let seq = 0;
    let type = '';
    for (let i = 0; i < argv.length; i += 2) {
      const k = argv[i].toLowerCase();
      if (k === 'file') {
        name = argv[i + 1];
        if (name.includes('/')) throw new ManifestError("File can't be a path, just a filename", lineNo, line);
      } else if (k === 'seq') {
        seq = atoll(argv[i + 1]);
      } else if (k === 'type') {
        type = argv[i + 1].charAt(0);
      }
    }
    if (!name || !seq || !type) throw new ManifestError('Invalid AOF manifest file format', lineNo, line);
    const info = { name, seq, type: type as AofFileType };
    if (type === 'b') {
      if (m.base !== null) throw new ManifestError('Found duplicate base file information', lineNo, line);
      m.base = info;
      m.currBaseSeq = seq;
    } else if (type === 'h') {
      m.history.push(info);
    } else if (type === 'i') {
      if (seq <= maxSeq) throw new ManifestError('Found a non-monotonic sequence number', lineNo, line);
      m.incr.push(info);
      m.currIncrSeq = seq;
      maxSeq = seq;
    } else {
      throw new ManifestError('Unknown AOF file type', lineNo, line);
    }
  }
  return m;
}

/** C atoll: leading spaces, sign, digits; anything else stops it. */
function atoll(s: string): number {
  const mm = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(s);
  return mm ? Number(mm[1]) : 0;
}

export function manifestName(appendFilename: string): string {
  return `${appendFilename}.manifest`;
}

export function tempIncrName(appendFilename: string): string {
  return `temp-${appendFilename}.incr`;
}

/** Reads `<dir>/<appendfilename>.manifest`; null when the directory or the file does not exist. */
export function readManifest(dir: string, appendFilename: string): Manifest | null {
  const file = path.join(dir, manifestName(appendFilename));
  let text: string;
  try {
    text = fs.readFileSync(file, 'latin1');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
    throw e;
  }
  return parseManifest(text);
}

/** Replaces the manifest atomically (temp-<name>.manifest, fsync, rename, dir fsync; mode 0600). */
export function writeManifest(dir: string, appendFilename: string, m: Manifest): void {
  const name = manifestName(appendFilename);
  writeFileAtomicSync(path.join(dir, name), [Buffer.from(m.format(), 'latin1')], `temp-${name}`);
}

/** sdsneedsrepr: backslash, quotes, control or space characters force the quoted form. */
function needsRepr(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x5c || c === 0x22 || c <= 0x20 || c >= 0x7f) return true;
  }
  return false;
}

/** sdscatrepr: "..." with C escapes and \xHH for other non-printable bytes. */
function repr(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    const c = s.charCodeAt(i);
    if (ch === '\\' || ch === '"') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c === 7) out += '\\a';
    else if (c === 8) out += '\\b';
    else if (c >= 0x20 && c < 0x7f) out += ch;
    else out += '\\x' + c.toString(16).padStart(2, '0');
  }
  return out + '"';
}

const HEX = /^[0-9a-fA-F]{2}$/;

/** sdssplitargs: words separated by spaces, "double" (with escapes) and 'single' quoting; null if unbalanced. */
export function splitArgs(line: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  const n = line.length;
  const isSpace = (c: string) => c === ' ' || c === '\n' || c === '\r' || c === '\t' || c === '\v' || c === '\f';
  for (;;) {
    while (i < n && isSpace(line[i])) i++;
    if (i >= n) return out;
    let cur = '';
    let inq = false;
    let insq = false;
    for (;;) {
      if (inq) {
        if (i >= n) return null;
        if (line[i] === '\\' && line[i + 1] === 'x' && HEX.test(line.slice(i + 2, i + 4))) {
          cur += String.fromCharCode(parseInt(line.slice(i + 2, i + 4), 16));
          i += 3;
        } else if (line[i] === '\\' && i + 1 < n) {
          i++;
          const c = line[i];
          cur += c === 'n' ? '\n' : c === 'r' ? '\r' : c === 't' ? '\t' : c === 'b' ? '\b' : c === 'a' ? '\x07' : c;
        } else if (line[i] === '"') {
          if (i + 1 < n && !isSpace(line[i + 1])) return null;
          inq = false;
        } else {
          cur += line[i];
        }
      } else if (insq) {
        if (i >= n) return null;
        if (line[i] === '\\' && line[i + 1] === "'") {
          i++;
          cur += "'";
        } else if (line[i] === "'") {
          if (i + 1 < n && !isSpace(line[i + 1])) return null;
          insq = false;
        } else {
          cur += line[i];
        }
      } else {
        if (i >= n || isSpace(line[i])) break;
        if (line[i] === '"') inq = true;
        else if (line[i] === "'") insq = true;
        else cur += line[i];
      }
      i++;
      if (!inq && !insq && i >= n) break;
    }
    out.push(cur);
  }
}
