/*
 * Mutable byte strings: the representation of a string value that is edited in place.
 *
 * Design: most string values are immutable latin1 JS strings (one char = one byte), the cheapest
 * form for GET/SET. Commands that edit part of a value (SETBIT, BITFIELD, SETRANGE, APPEND on an
 * already-mutable value, PFADD/PFMERGE) would copy the whole value on every call if it stayed a JS
 * string: O(n) where Redis edits its SDS in place in O(1). Such values become a ByteString: a
 * Buffer with spare capacity and a length, grown greedily like an SDS (doubling below 1 MB, then
 * 1 MB at a time), so repeated edits and appends are amortised O(1).
 *
 * Invariants:
 *  - A string RObj's value is either a JS string or a ByteString; a ByteString is always stored
 *    with OBJECT ENCODING 'raw' (Redis unshares a value into a plain SDS before editing it).
 *  - Every reader goes through strValue / strLength (or String(v), which calls toString()), never
 *    `o.value` as a string. strValue costs one typeof check for JS strings.
 *  - `cache` holds the latin1 string of bytes [0, len) or null; every mutation calls `touched()`,
 *    so a GET after edits converts once and later GETs are O(1).
 *  - Bytes of `buf` at and beyond `len` are unspecified (a shrink leaves old bytes there); code
 *    that needs zeros past the end (growZero, the HLL code) writes them itself.
 */

const MB = 1024 * 1024;

export class ByteString {
  private cache: string | null;

  constructor(
    /** storage; its length is the capacity */
    public buf: Buffer,
    /** the value's length in bytes */
    public len: number,
    cache: string | null = null,
  ) {
    this.cache = cache;
  }

  /** A mutable copy of a latin1 string, keeping the string itself as the cached form. */
  static fromString(s: string, room = 0): ByteString {
    const buf = Buffer.allocUnsafe(s.length + room);
    buf.write(s, 0, 'latin1');
    return new ByteString(buf, s.length, s);
  }

  /** n zero bytes. */
  static zeros(n: number): ByteString {
    return new ByteString(Buffer.alloc(n), n, null);
  }

  /** The value as a latin1 JS string (cached until the next mutation). */
  toString(): string {
    let s = this.cache;
    if (s === null) {
      s = this.buf.toString('latin1', 0, this.len);
      this.cache = s;
    }
    return s;
  }

  /** Must be called after any change to the bytes or the length. */
  touched(): void {
    this.cache = null;
  }

  /** Makes room for at least n bytes, with SDS-like greedy growth. Contents are kept. */
  reserve(n: number): void {
    if (n <= this.buf.length) return;
    const cap = n < MB ? n * 2 : n + MB;
    const nb = Buffer.alloc(cap);
    this.buf.copy(nb, 0, 0, this.len);
    this.buf = nb;
  }

  /** Extends the value with zero bytes to at least n bytes (Redis's sdsgrowzero). */
  growZero(n: number): void {
    if (n <= this.len) return;
    this.reserve(n);
    this.buf.fill(0, this.len, n);
    this.len = n;
    this.cache = null;
  }

  /** Appends latin1 bytes. */
  appendLatin1(s: string): void {
    const n = this.len + s.length;
    this.reserve(n);
    this.buf.write(s, this.len, 'latin1');
    this.len = n;
    this.cache = null;
  }

  /** Overwrites bytes at `offset` (which must be <= len) with latin1 bytes, extending as needed. */
  writeLatin1(offset: number, s: string): void {
    const n = offset + s.length;
    if (n > this.len) {
      this.reserve(n);
      this.len = n;
    }
    this.buf.write(s, offset, 'latin1');
    this.cache = null;
  }

  /** Replaces the whole contents with a buffer that becomes owned by this object. */
  replace(buf: Buffer, len: number): void {
    this.buf = buf;
    this.len = len;
    this.cache = null;
  }

  /** The value's bytes (a view, valid until the next growth). */
  view(): Buffer {
    return this.buf.subarray(0, this.len);
  }

  /** An independent copy with no spare room (COPY, duplicateObject). */
  clone(): ByteString {
    const nb = Buffer.allocUnsafe(this.len);
    this.buf.copy(nb, 0, 0, this.len);
    return new ByteString(nb, this.len, this.cache);
  }
}

/** The latin1 string of a string value, whatever its representation. */
export function strValue(v: string | ByteString): string {
  return typeof v === 'string' ? v : v.toString();
}

/** The length in bytes of a string value. */
export function strLength(v: string | ByteString): number {
  return typeof v === 'string' ? v.length : v.len;
}

/** Bytes [start, end) of a string value as latin1, in O(end - start). */
export function strSlice(v: string | ByteString, start: number, end: number): string {
  return typeof v === 'string' ? v.slice(start, end) : v.buf.toString('latin1', start, end);
}

/**
 * Bytes [start, end) of a string value for reading, in O(end - start) at worst: a view of a
 * ByteString's storage (no copy), or a copy of part of a JS string.
 */
export function strBytes(v: string | ByteString, start: number, end: number): Uint8Array {
  if (typeof v !== 'string') return v.buf.subarray(start, end);
  return Buffer.from(start === 0 && end === v.length ? v : v.slice(start, end), 'latin1');
}

/** The byte at i of a string value (i < length). */
export function strByteAt(v: string | ByteString, i: number): number {
  return typeof v === 'string' ? v.charCodeAt(i) : v.buf[i];
}
