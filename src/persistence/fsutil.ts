/*
 * File-system helpers shared by the RDB and AOF writers.
 *
 * Invariants every persistence file obeys:
 *  - A whole-file write never leaves a half-written file under the final name: the bytes go to a
 *    temporary file in the same directory (so rename is atomic, same file system), created with
 *    mode 0o600 (owner only, whatever the umask), fsync'd, renamed over the target, and the
 *    directory is fsync'd so the rename itself survives a power loss.
 *  - When any step fails the temporary file is removed and the previous target is left intact.
 *  - Appended files are opened with mode 0o600 too.
 * Errors carry Node's errno `code`; `errnoText` renders them the way strerror(3) does, so log lines
 * read like Redis's.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';

const STRERROR: Record<string, string> = {
  ENOENT: 'No such file or directory', ENOTDIR: 'Not a directory', EACCES: 'Permission denied',
  EISDIR: 'Is a directory', EEXIST: 'File exists', ENOSPC: 'No space left on device',
  EROFS: 'Read-only file system', EIO: 'Input/output error', EPERM: 'Operation not permitted',
  ELOOP: 'Too many levels of symbolic links', ENAMETOOLONG: 'File name too long',
  ENOTEMPTY: 'Directory not empty', EXDEV: 'Invalid cross-device link', EMFILE: 'Too many open files',
  EDQUOT: 'Disk quota exceeded', EFBIG: 'File too large', EBADF: 'Bad file descriptor',
};

/** strerror(3)-style text for a Node error. */
export function errnoText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code !== undefined && STRERROR[code] !== undefined) return STRERROR[code];
  return (e as Error)?.message ?? String(e);
}

/** fsync of a directory, so a rename or create inside it is durable. */
export function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Opens (creating if needed, mode 0o600) a file for appending; returns the descriptor. */
export function openAppend(file: string): number {
  return fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT, 0o600);
}

/** Creates a new temporary file (truncating a stale one of the same name) with mode 0o600. */
export function openTemp(tmp: string): number {
  const fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_TRUNC, 0o600);
  // a stale file of that name may have had other bits: O_CREAT's mode applies only to new files
  try { fs.fchmodSync(fd, 0o600); } catch { /* best effort on exotic file systems */ }
  return fd;
}

/** Writes every byte of `chunks` to `fd` (writeSync may write less than asked). */
export function writeAllSync(fd: number, chunks: readonly Uint8Array[]): number {
  let total = 0;
  for (const c of chunks) {
    let off = 0;
    while (off < c.length) off += fs.writeSync(fd, c, off, c.length - off);
    total += c.length;
  }
  return total;
}

/** Asynchronous writeAll on a raw descriptor (BGSAVE: the event loop keeps serving meanwhile). */
export async function writeAll(fd: number, chunks: readonly Uint8Array[]): Promise<number> {
  let total = 0;
  for (const c of chunks) {
    let off = 0;
    while (off < c.length) {
      const { bytesWritten } = await new Promise<{ bytesWritten: number }>((resolve, reject) =>
        fs.write(fd, c, off, c.length - off, null, (err, n) => (err ? reject(err) : resolve({ bytesWritten: n }))));
      off += bytesWritten;
    }
    total += c.length;
  }
  return total;
}

export function fsyncAsync(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fs.fsync(fd, (err) => (err ? reject(err) : resolve())));
}

/**
 * The last steps of an atomic replace: fsync + close the temp file, rename it over `target`, fsync
 * the directory. On failure the temp file is unlinked and the error rethrown with `step` naming
 * what failed ('write' | 'rename' | 'dirsync').
 */
export function commitTemp(fd: number, tmp: string, target: string): void {
  try {
    fs.fsyncSync(fd);
  } catch (e) {
    closeQuietly(fd);
    unlinkQuietly(tmp);
    throw tag(e, 'write');
  }
  fs.closeSync(fd);
  try {
    fs.renameSync(tmp, target);
  } catch (e) {
    unlinkQuietly(tmp);
    throw tag(e, 'rename');
  }
  try {
    fsyncDir(path.dirname(path.resolve(target)));
  } catch (e) {
    throw tag(e, 'dirsync');
  }
}

/** Writes `chunks` to `target` atomically (temp file in the same dir, fsync, rename, dir fsync). */
export function writeFileAtomicSync(target: string, chunks: readonly Uint8Array[], tmpName?: string): void {
  const tmp = path.join(path.dirname(target), tmpName ?? `temp-${process.pid}-${path.basename(target)}`);
  const fd = openTemp(tmp);
  try {
    writeAllSync(fd, chunks);
  } catch (e) {
    closeQuietly(fd);
    unlinkQuietly(tmp);
    throw tag(e, 'write');
  }
  commitTemp(fd, tmp, target);
}

export function unlinkQuietly(file: string): void {
  try { fs.unlinkSync(file); } catch { /* already gone */ }
}

export function closeQuietly(fd: number): void {
  try { fs.closeSync(fd); } catch { /* already closed */ }
}

export type FsStep = 'open' | 'write' | 'rename' | 'dirsync';

/** Marks which step of a file write an error came from (for Redis's distinct log lines). */
export function tag(e: unknown, step: FsStep): Error & { step?: FsStep } {
  const err = (e instanceof Error ? e : new Error(String(e))) as Error & { step?: FsStep };
  if (err.step === undefined) err.step = step;
  return err;
}
