/*
 * LZF, as Redis's bundled liblzf 3.6 builds it (HLOG 16, VERY_FAST, no table initialisation),
 * so a compressed string is byte-identical to the one redis-server writes for the same input.
 *
 * Format: 000LLLLL + L+1 literal bytes | LLLooooo oooooooo (copy L+2 bytes from `o+1` back) |
 * 111ooooo LLLLLLLL oooooooo (copy L+9 bytes).
 *
 * Compression invariants kept from the reference: the hash of the next three bytes picks one slot
 * of a 64K table holding the last position seen with that hash; a match needs the three bytes to
 * agree, an offset below 8192 and a reference past position 0 (liblzf 3.6 as Redis ships it has no
 * "5 bytes left" condition, so a 3-byte match may end exactly at the input's end); match lengths
 * extend with the reference's 16-step unrolled loop (which may run up to two bytes past the nominal
 * maximum near the end of the input, and the format allows it); after a match only the last two
 * positions are rehashed (VERY_FAST). The output must fit `outLen` or the result is 0 ("does not
 * compress"), with the same bound checks as the reference so the decision is the same too.
 *
 * The hash table is reused across calls with a generation offset instead of being cleared: a slot
 * is valid only if it was written during the current call. lzfCompressInto works on ranges of
 * caller-owned buffers, so the RDB writer compresses straight into its output without allocating. (liblzf leaves it uninitialised; a
 * stale slot there can only produce a match that is also verified byte-by-byte, which in practice
 * never differs from a cleared table.)
 *
 * Decompression checks every read and write against the buffers (a hostile payload gets an
 * RdbError, never an out-of-bounds access) and must produce exactly the announced length.
 */

import { RdbError } from './errors';

const HLOG = 16;
const HSIZE = 1 << HLOG;
const MAX_LIT = 32;
const MAX_OFF = 1 << 13;
const MAX_REF = (1 << 8) + (1 << 3);

const htab = new Int32Array(HSIZE);
/** positions stored in htab are `gen + ip`; a slot below gen belongs to an earlier call */
let gen = 1;

/**
 * Compresses input[inStart, inEnd) into out[outStart, outStart + outLen). Returns the compressed
 * length, or 0 when the result would not fit (liblzf's return value 0). Nothing is allocated: the
 * caller owns both buffers, and `out` must have 4 bytes of room past outStart + outLen (the
 * reference may touch one byte past the end before it gives up).
 */
export function lzfCompressInto(input: Uint8Array, inStart: number, inEnd: number, out: Uint8Array, outStart: number, outLen: number): number {
  const inLen = inEnd - inStart;
  if (inLen <= 0 || outLen <= 0) return 0;
  if (gen + inLen + 2 > 0x7fff0000) {
    htab.fill(0);
    gen = 1;
  }
  // table slots hold `base + absolute position`, so a slot from an earlier call is below base
  const base = gen - inStart;
  gen += inLen + 1;
  const floor = base + inStart;
  const outEnd = outStart + outLen;
  let ip = inStart;
  let op = outStart + 1; // start run
  let lit = 0;
  let hval = (input[ip] << 8) | (inLen > 1 ? input[ip + 1] : 0);
  while (ip < inEnd - 2) {
    hval = ((hval << 8) | input[ip + 2]) & 0xffffff;
    const slot = ((hval >>> (3 * 8 - HLOG)) - Math.imul(hval, 5)) & (HSIZE - 1);
    const stored = htab[slot];
    htab[slot] = base + ip;
    const ref = stored >= floor ? stored - base : -1;
    let off = 0;
    if (
      ref > inStart &&
      ref < ip &&
      (off = ip - ref - 1) < MAX_OFF &&
      input[ref] === input[ip] &&
      input[ref + 1] === input[ip + 1] &&
      input[ref + 2] === input[ip + 2]
    ) {
      let len = 2;
      let maxlen = inEnd - ip - len;
      if (maxlen > MAX_REF) maxlen = MAX_REF;
      out[op - lit - 1] = (lit - 1) & 0xff; // stop run
      if (lit === 0) op--; // undo an empty run
      if (op + 3 + 1 >= outEnd) return 0;
      let stopped = false;
      if (maxlen > 16) {
        for (let k = 0; k < 16; k++) {
          len++;
          if (input[ref + len] !== input[ip + len]) {
            stopped = true;
            break;
          }
        }
      }
      if (!stopped) {
        do len++;
        while (len < maxlen && input[ref + len] === input[ip + len]);
      }
      len -= 2; // the format stores the match length minus two
      ip++;
      if (len < 7) {
        out[op++] = ((off >>> 8) + (len << 5)) & 0xff;
      } else {
        out[op++] = ((off >>> 8) + (7 << 5)) & 0xff;
        out[op++] = (len - 7) & 0xff;
      }
      out[op++] = off & 0xff;
      lit = 0;
      op++; // start run
      ip += len + 1;
      if (ip >= inEnd - 2) break;
      ip -= 2;
      hval = (input[ip] << 8) | input[ip + 1];
      hval = ((hval << 8) | input[ip + 2]) & 0xffffff;
      htab[((hval >>> (3 * 8 - HLOG)) - Math.imul(hval, 5)) & (HSIZE - 1)] = base + ip;
      ip++;
      hval = ((hval << 8) | input[ip + 2]) & 0xffffff;
      htab[((hval >>> (3 * 8 - HLOG)) - Math.imul(hval, 5)) & (HSIZE - 1)] = base + ip;
      ip++;
    } else {
      if (op >= outEnd) return 0;
      lit++;
      out[op++] = input[ip++];
      if (lit === MAX_LIT) {
        out[op - lit - 1] = lit - 1; // stop run
        lit = 0;
        op++; // start run
      }
    }
  }
  if (op + 3 > outEnd) return 0;
  while (ip < inEnd) {
    lit++;
    out[op++] = input[ip++];
    if (lit === MAX_LIT) {
      out[op - lit - 1] = lit - 1;
      lit = 0;
      op++;
    }
  }
  out[op - lit - 1] = (lit - 1) & 0xff; // end run
  if (lit === 0) op--;
  return op - outStart;
}

/**
 * Compresses `input` into at most `outLen` bytes. Returns the compressed bytes, or null when the
 * result would not fit (liblzf's return value 0).
 */
export function lzfCompress(input: Uint8Array, outLen: number): Buffer | null {
  if (input.length === 0 || outLen <= 0) return null;
  const out = Buffer.allocUnsafe(outLen + 4);
  const n = lzfCompressInto(input, 0, input.length, out, 0, outLen);
  return n === 0 ? null : out.subarray(0, n);
}

/**
 * Decompresses buf[start, end) into exactly `outLen` bytes; any inconsistency (a reference before
 * the start, output overflow, truncated input, a different final length) is an RdbError.
 */
export function lzfDecompress(buf: Uint8Array, start: number, end: number, outLen: number): Buffer {
  const out = Buffer.allocUnsafe(outLen);
  lzfDecompressInto(buf, start, end, out, outLen);
  return out;
}

/** lzfDecompress into out[0, outLen) of a caller-owned buffer (at least outLen long). */
export function lzfDecompressInto(buf: Uint8Array, start: number, end: number, out: Uint8Array, outLen: number): void {
  let ip = start;
  let op = 0;
  if (ip >= end) throw new RdbError('Invalid LZF compressed string');
  while (ip < end) {
    let ctrl = buf[ip++];
    if (ctrl < 32) {
      ctrl++;
      if (op + ctrl > outLen || ip + ctrl > end) throw new RdbError('Invalid LZF compressed string');
      for (let k = 0; k < ctrl; k++) out[op++] = buf[ip++];
    } else {
      let len = ctrl >>> 5;
      let ref = op - ((ctrl & 0x1f) << 8) - 1;
      if (ip >= end) throw new RdbError('Invalid LZF compressed string');
      if (len === 7) {
        len += buf[ip++];
        if (ip >= end) throw new RdbError('Invalid LZF compressed string');
      }
      ref -= buf[ip++];
      if (op + len + 2 > outLen || ref < 0) throw new RdbError('Invalid LZF compressed string');
      // byte by byte: the source may overlap the bytes being written (run-length copies)
      for (let k = 0; k < len + 2; k++) out[op++] = out[ref++];
    }
  }
  if (op !== outLen) throw new RdbError('Invalid LZF compressed string');
}
