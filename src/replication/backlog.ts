/*
 * The replication backlog: the most recent bytes of the replication stream, kept so a replica
 * whose link broke can continue (PSYNC) instead of copying the whole dataset again.
 *
 * Design: a list of blocks of at least 16 KB (Redis's PROTO_REPLY_CHUNK_BYTES), filled in order.
 * Memory grows with the stream up to about `size`, never pre-allocated, so a large configured
 * repl-backlog-size costs nothing until it is used. Trimming drops whole blocks from the front,
 * and only while what remains is still at least `size` bytes — the Redis 7.0 rule — so `histlen`
 * may exceed `size` by up to one block, as Redis's INFO shows.
 *
 * Invariants:
 *  - `firstOffset` is the stream offset of the oldest byte kept (Redis's repl_backlog->offset);
 *    the bytes kept are exactly the offsets [firstOffset, firstOffset + histlen).
 *  - Appending never fails and never throws; reading a range outside the history returns null.
 */

const BLOCK = 16 * 1024;

interface Block {
  buf: Buffer;
  used: number;
}

export class Backlog {
  private blocks: Block[] = [];
  /** index of the first live block: blocks before it were trimmed (compacted lazily) */
  private head = 0;
  /** bytes held (Redis's repl_backlog->histlen) */
  histlen = 0;

  /**
   * `firstOffset` is the offset the next appended byte will have while the backlog is empty
   * (Redis creates a backlog with offset master_repl_offset + 1).
   */
  constructor(public size: number, public firstOffset: number) {}

  /** Offset of the last byte held (firstOffset - 1 when empty). */
  get lastOffset(): number {
    return this.firstOffset + this.histlen - 1;
  }

  append(data: Buffer): void {
    let src = 0;
    const len = data.length;
    if (len === 0) return;
    const tail = this.blocks.length > this.head ? this.blocks[this.blocks.length - 1] : undefined;
    if (tail !== undefined && tail.used < tail.buf.length) {
      const n = Math.min(tail.buf.length - tail.used, len);
      data.copy(tail.buf, tail.used, 0, n);
      tail.used += n;
      src = n;
    }
    if (src < len) {
      const rest = len - src;
      const buf = Buffer.allocUnsafe(Math.max(BLOCK, rest));
      data.copy(buf, 0, src, len);
      this.blocks.push({ buf, used: rest });
    }
    this.histlen += len;
    this.trim();
  }

  /** Drops whole leading blocks while the rest still holds at least `size` bytes. */
  private trim(): void {
    while (this.histlen > this.size && this.blocks.length - this.head > 1) {
      const first = this.blocks[this.head];
      if (this.histlen - first.used < this.size) break;
      this.histlen -= first.used;
      this.firstOffset += first.used;
      this.head++;
    }
    if (this.head > 64 && this.head * 2 > this.blocks.length) {
      this.blocks = this.blocks.slice(this.head);
      this.head = 0;
    }
  }

  /** CONFIG SET repl-backlog-size: keeps the history, trims to the new size. */
  resize(size: number): void {
    this.size = size;
    this.trim();
  }

  /** True if the byte at `offset` (and everything after it) is held, or offset is the next byte. */
  has(offset: number): boolean {
    return offset >= this.firstOffset && offset <= this.firstOffset + this.histlen;
  }

  /**
   * The bytes from `offset` to the end of the history (empty when offset is the next byte), as
   * copies: the blocks are reused by later appends. Null when the offset is not in the history.
   */
  readFrom(offset: number): Buffer[] | null {
    if (!this.has(offset)) return null;
    let skip = offset - this.firstOffset;
    const out: Buffer[] = [];
    for (let i = this.head; i < this.blocks.length; i++) {
      const b = this.blocks[i];
      if (skip >= b.used) {
        skip -= b.used;
        continue;
      }
      out.push(Buffer.from(b.buf.subarray(skip, b.used)));
      skip = 0;
    }
    return out;
  }

  /** Frees the memory (the backlog object stays usable, empty, continuing at the same offset). */
  clear(nextOffset: number): void {
    this.blocks = [];
    this.head = 0;
    this.histlen = 0;
    this.firstOffset = nextOffset;
  }
}
