/*
 * Server log in Redis's line format: `pid:role dd Mon yyyy HH:MM:SS.mmm <level-char> message`
 * (level chars: '.' debug, '-' verbose, '*' notice, '#' warning; role 'M' for a primary, 'S' for
 * a replica). Written to stdout or to `logfile` (opened for append with owner-only permissions).
 * Secrets must never reach this file: callers pass redacted text.
 */

import * as fs from 'node:fs';

export type LogLevel = 'debug' | 'verbose' | 'notice' | 'warning' | 'nothing';

const LEVELS: Record<LogLevel, number> = { debug: 0, verbose: 1, notice: 2, warning: 3, nothing: 4 };
const CHARS = ['.', '-', '*', '#'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

export function timestamp(d: Date): string {
  return `${pad(d.getDate())} ${MONTHS[d.getMonth()]} ${d.getFullYear()} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

export class Logger {
  level: LogLevel = 'notice';
  role = 'M';
  private fd: number | null = null;

  /** '' logs to standard output, as Redis does. */
  open(file: string): void {
    if (file === '') return;
    this.fd = fs.openSync(file, 'a', 0o600);
  }

  log(level: Exclude<LogLevel, 'nothing'>, msg: string): void {
    if (LEVELS[level] < LEVELS[this.level]) return;
    this.raw(`${process.pid}:${this.role} ${timestamp(new Date())} ${CHARS[LEVELS[level]]} ${msg}\n`);
  }

  /** Writes pre-formatted text (the start-up banner). */
  raw(text: string): void {
    if (this.fd !== null) fs.writeSync(this.fd, text);
    else process.stdout.write(text);
  }

  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }
}
