/*
 * Where audit records go (src/audit/log.ts decides what and when): an append-only file with size
 * rotation, stdout, or the local syslog through util-linux's `logger`.
 *
 * Invariants: a log file is only ever opened with O_NOFOLLOW (a symbolic link planted at the path
 * is refused, never followed) and O_NONBLOCK (a FIFO cannot hang the server), must be a regular
 * file, is created 0600 and tightened to 0600 if it was looser; `write` either writes every byte
 * or throws, and a rotation that cannot complete leaves the current file in place.
 */

import * as fs from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';

export interface Sink {
  readonly kind: 'file' | 'stdout' | 'syslog';
  readonly size: number;
  /** writes everything or throws */
  write(data: string, maxSize: number, maxFiles: number): void;
  sync(): void;
  close(): void;
  /** the sink's own asynchronous failure, if any (syslog child gone) */
  broken: Error | null;
}

/** Opens `path` for appending: never through a symbolic link, a regular file only, mode 0600. */
function openLogFile(path: string): { fd: number; size: number } {
  const c = fs.constants;
  let fd: number;
  try {
    // O_NONBLOCK: a FIFO planted at the path must not hang the server (it is then refused below)
    fd = fs.openSync(path, c.O_WRONLY | c.O_APPEND | c.O_CREAT | c.O_NOFOLLOW | c.O_NONBLOCK, 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ELOOP') throw new Error(`${path} is a symbolic link: refusing to follow it`);
    throw e;
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new Error(`${path} is not a regular file`);
    if ((st.mode & 0o077) !== 0) fs.fchmodSync(fd, 0o600);
    return { fd, size: st.size };
  } catch (e) {
    fs.closeSync(fd);
    throw e;
  }
}

export class FileSink implements Sink {
  readonly kind = 'file';
  broken: Error | null = null;
  private fd: number;
  size: number;

  constructor(readonly path: string) {
    const f = openLogFile(path);
    this.fd = f.fd;
    this.size = f.size;
  }

  write(data: string, maxSize: number, maxFiles: number): void {
    const bytes = Buffer.byteLength(data, 'utf8');
    if (maxSize > 0 && this.size > 0 && this.size + bytes > maxSize) this.rotate(maxFiles);
    const buf = Buffer.from(data, 'utf8');
    let off = 0;
    while (off < buf.length) off += fs.writeSync(this.fd, buf, off);
    this.size += bytes;
  }

  /**
   * file.(n-1) → file.n ... file → file.1, then a fresh file. The old descriptor stays open until
   * the new file exists, so a failure leaves the log where it was (and the caller's policy decides).
   */
  private rotate(maxFiles: number): void {
    const p = this.path;
    try {
      fs.unlinkSync(`${p}.${maxFiles}`);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot rotate: ${p}.${maxFiles}: ${(e as Error).message}`);
    }
    for (let i = maxFiles - 1; i >= 1; i--) {
      try {
        fs.renameSync(`${p}.${i}`, `${p}.${i + 1}`);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot rotate: ${p}.${i}: ${(e as Error).message}`);
      }
    }
    fs.renameSync(p, `${p}.1`);
    const f = openLogFile(p);
    try { fs.fsyncSync(this.fd); } catch { /* best effort for the closed generation */ }
    fs.closeSync(this.fd);
    this.fd = f.fd;
    this.size = f.size;
    this.rotations++;
  }
  rotations = 0;

  sync(): void {
    fs.fsyncSync(this.fd);
  }

  close(): void {
    try { fs.fsyncSync(this.fd); } catch { /* closing anyway */ }
    try { fs.closeSync(this.fd); } catch { /* already closed */ }
  }
}

export class StdoutSink implements Sink {
  readonly kind = 'stdout';
  readonly size = 0;
  broken: Error | null = null;
  write(data: string): void {
    process.stdout.write(data);
  }
  sync(): void { /* a pipe or terminal: nothing to sync */ }
  close(): void { /* stdout belongs to the process */ }
}

/**
 * syslog:<ident>. Node has no AF_UNIX datagram sockets, so records go through util-linux's
 * `logger`, which reads one message per line on its stdin and sends each as a datagram to the
 * socket (facility authpriv, priority info). Refused at start-up when the socket or `logger` is
 * missing, rather than silently logging nowhere.
 */
export class SyslogSink implements Sink {
  readonly kind = 'syslog';
  readonly size = 0;
  broken: Error | null = null;
  private readonly child: ChildProcess;

  constructor(ident: string, socketPath: string) {
    let st: fs.Stats;
    try {
      st = fs.statSync(socketPath);
    } catch {
      throw new Error(`audit-log-file syslog:${ident}: ${socketPath} does not exist (no local syslog daemon is listening); use a file or stdout, or point audit-log-syslog-socket at the syslog socket`);
    }
    if (!st.isSocket()) throw new Error(`audit-log-file syslog:${ident}: ${socketPath} is not a socket`);
    const bin = ['/usr/bin/logger', '/bin/logger'].find((b) => fs.existsSync(b));
    if (bin === undefined) throw new Error(`audit-log-file syslog:${ident}: the 'logger' program (util-linux) is needed to reach ${socketPath} and was not found`);
    this.child = spawn(bin, ['--socket', socketPath, '--socket-errors=on', '-t', ident, '-p', 'authpriv.info', '--size', '65536'], {
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let err = '';
    this.child.stderr!.on('data', (d) => (err += d));
    this.child.on('error', (e) => (this.broken = e));
    this.child.on('exit', (code) => {
      this.broken = new Error(`logger exited (${code})${err === '' ? '' : `: ${err.trim()}`}`);
    });
    this.child.stdin!.on('error', (e) => (this.broken ??= e));
  }

  write(data: string): void {
    if (this.broken !== null) throw this.broken;
    this.child.stdin!.write(data);
  }
  sync(): void { /* datagrams are handed over as written */ }
  close(): void {
    this.child.stdin!.end();
  }
}

