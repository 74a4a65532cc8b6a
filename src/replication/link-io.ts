/*
 * Byte plumbing of the replica's link to its primary, before the stream starts: the handshake
 * reads one reply line at a time, the full sync reads a bulk (sized, or ended by an EOF mark), and
 * whatever arrives after that belongs to the command stream.
 *
 * Design: the socket pushes chunks into an Inbox; the link's async handshake awaits lines and
 * chunks from it. A failed or cancelled attempt rejects the waiter, so an abandoned handshake
 * never resumes. Every read is bounded: a reply line longer than LINE_MAX is a protocol error, not
 * a memory sink.
 */

/** The peer closed, errored, or the attempt was cancelled. */
export class LinkDown extends Error {}

const LINE_MAX = 64 * 1024;

export class Inbox {
  private chunks: Buffer[] = [];
  private length = 0;
  private waiter: (() => void) | null = null;
  private failure: LinkDown | null = null;

  push(chunk: Buffer): void {
    if (this.failure !== null || chunk.length === 0) return;
    // the socket may reuse its read buffer: keep a copy
    this.chunks.push(Buffer.from(chunk));
    this.length += chunk.length;
    this.wake();
  }

  /** Puts bytes back at the front (read too far: the rest belongs to the next reader). */
  unshift(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.unshift(chunk);
    this.length += chunk.length;
  }

  fail(reason: string): void {
    if (this.failure === null) this.failure = new LinkDown(reason);
    this.wake();
  }

  get failed(): boolean {
    return this.failure !== null;
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    if (w !== null) w();
  }

  private async more(): Promise<void> {
    if (this.failure !== null) throw this.failure;
    await new Promise<void>((resolve) => (this.waiter = resolve));
    if (this.failure !== null) throw this.failure;
  }

  /** The next line without its CRLF (or LF), as latin1 text. */
  async line(): Promise<string> {
    for (;;) {
      let seen = 0;
      for (let i = 0; i < this.chunks.length; i++) {
        const c = this.chunks[i];
        const nl = c.indexOf(10);
        if (nl >= 0) {
          const bytes = this.take(seen + nl + 1);
          let end = bytes.length - 1;
          if (end > 0 && bytes[end - 1] === 13) end--;
          return bytes.toString('latin1', 0, end);
        }
        seen += c.length;
      }
      if (this.length > LINE_MAX) throw new LinkDown('reply line too long');
      await this.more();
    }
  }

  /** Whatever is buffered (at least one byte, waiting if needed), at most `max` bytes. */
  async chunk(max = Infinity): Promise<Buffer> {
    while (this.length === 0) await this.more();
    const first = this.chunks[0];
    if (first.length <= max) {
      this.chunks.shift();
      this.length -= first.length;
      return first;
    }
    return this.take(max);
  }

  /** Removes and returns the first `n` buffered bytes (n <= length). */
  private take(n: number): Buffer {
    const out: Buffer[] = [];
    let left = n;
    while (left > 0) {
      const c = this.chunks[0];
      if (c.length <= left) {
        out.push(c);
        this.chunks.shift();
        left -= c.length;
      } else {
        out.push(c.subarray(0, left));
        this.chunks[0] = c.subarray(left);
        left = 0;
      }
    }
    this.length -= n;
    return out.length === 1 ? out[0] : Buffer.concat(out);
  }

  /** Everything buffered, emptied (handed to the stream once the sync is done). */
  drain(): Buffer[] {
    const all = this.chunks;
    this.chunks = [];
    this.length = 0;
    return all;
  }
}

/** RESP array of bulk strings, for the handshake commands. */
export function encodeArgv(argv: string[]): string {
  let s = `*${argv.length}\r\n`;
  for (const a of argv) s += `$${Buffer.byteLength(a, 'latin1')}\r\n${a}\r\n`;
  return s;
}

const SOCKET_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'Connection refused', ECONNRESET: 'Connection reset by peer', ETIMEDOUT: 'Connection timed out',
  EHOSTUNREACH: 'No route to host', ENETUNREACH: 'Network is unreachable', EPIPE: 'Broken pipe',
  ENOTFOUND: 'Name or service not known', EAI_AGAIN: 'Temporary failure in name resolution', EADDRNOTAVAIL: 'Cannot assign requested address',
};

/** strerror-style text for a socket error, as Redis's connGetLastError shows it. */
export function socketErrorText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code !== undefined && SOCKET_ERRORS[code] !== undefined) return SOCKET_ERRORS[code];
  return (e as Error)?.message ?? String(e);
}
