/*
 * HyperLogLog values, byte for byte in Redis's format, so that a key's bytes (GET, dumps,
 * replication) and every estimate are the ones redis-server computes.
 *
 * Format (a string value): a 16-byte header "HYLL", encoding byte (0 dense, 1 sparse), three
 * unused bytes, and the cached cardinality (8 bytes, little endian; its top bit set means "stale").
 *  - dense: 16384 registers of 6 bits, packed from the least significant bit of each byte up
 *    (12288 bytes, 12304 in all);
 *  - sparse: run-length opcodes: ZERO 00xxxxxx (1..64 zero registers), XZERO 01xxxxxx yyyyyyyy
 *    (1..16384 zero registers), VAL 1vvvvvxx (1..4 registers of value 1..32).
 * Elements are hashed with MurmurHash64A (seed 0xadc83b19): the low 14 bits pick the register, the
 * run of zeros above them (plus one) is the candidate value.
 *
 * Safety invariants (the CVE-2019-10192 / CVE-2025-32023 class): values come from users (SET can
 * store any bytes), so nothing here trusts them. Every sparse walk checks that runs never pass
 * register 16384 and that they cover exactly 16384 registers; register indexes are always masked
 * or bounded; typed-array accesses past the end read as undefined and are treated as zero, and
 * the one place Redis relies on the SDS terminator (an opcode's second byte at the very end) reads
 * a zero byte we write there. A corrupted value yields an error, never an exception.
 *
 * The sparse editing follows Redis's algorithm step for step (locate the opcode, split it into at
 * most five bytes, merge adjacent equal VALs within five opcodes, promote to dense past
 * hll-sparse-max-bytes or for a value above 32), because only the same steps give the same bytes.
 */

import { ByteString } from './bytes';
import { limits } from './encoding';

export const HLL_P = 14;
export const HLL_REGISTERS = 1 << HLL_P;
const HLL_P_MASK = HLL_REGISTERS - 1;
const HLL_Q = 64 - HLL_P;
export const HLL_HDR_SIZE = 16;
export const HLL_DENSE_SIZE = HLL_HDR_SIZE + ((HLL_REGISTERS * 6 + 7) >> 3);
export const HLL_DENSE = 0;
export const HLL_SPARSE = 1;
const SPARSE_VAL_MAX_VALUE = 32;
const SPARSE_VAL_MAX_LEN = 4;
const SPARSE_ZERO_MAX_LEN = 64;
const ALPHA_INF = 0.721347520444481703680;

/* ------------------------------------------------------------------ hashing */

// 64-bit arithmetic on (hi, lo) pairs of uint32; results land in these two module variables to
// avoid allocating on the hot path of PFADD.
let rh = 0;
let rl = 0;

/**
 * (ah:al) * (bh:bl) mod 2^64 into rh:rl, on 16-bit limbs so every partial sum stays an exact
 * integer below 2^32 (the carries are taken before the next product is added).
 */
function mul64(ah: number, al: number, bh: number, bl: number): void {
  const a48 = ah >>> 16;
  const a32 = ah & 0xffff;
  const a16 = al >>> 16;
  const a00 = al & 0xffff;
  const b48 = bh >>> 16;
  const b32 = bh & 0xffff;
  const b16 = bl >>> 16;
  const b00 = bl & 0xffff;
  let c00 = a00 * b00;
  let c16 = c00 >>> 16;
  c00 &= 0xffff;
  c16 += a16 * b00;
  let c32 = c16 >>> 16;
  c16 &= 0xffff;
  c16 += a00 * b16;
  c32 += c16 >>> 16;
  c16 &= 0xffff;
  c32 += a32 * b00;
  let c48 = c32 >>> 16;
  c32 &= 0xffff;
  c32 += a16 * b16;
  c48 += c32 >>> 16;
  c32 &= 0xffff;
  c32 += a00 * b32;
  c48 += c32 >>> 16;
  c32 &= 0xffff;
  c48 = (c48 + a48 * b00 + a32 * b16 + a16 * b32 + a00 * b48) & 0xffff;
  rl = ((c16 << 16) | c00) >>> 0;
  rh = ((c48 << 16) | c32) >>> 0;
}

const M_HI = 0xc6a4a793;
const M_LO = 0x5bd1e995;

/**
 * MurmurHash64A of a latin1 string, as Redis's (endian-neutral) version computes it. The result is
 * left in rh:rl.
 */
function murmur64a(s: string, seed: number): void {
  const len = s.length;
  // h = seed ^ (len * m)
  mul64(Math.floor(len / 0x100000000) >>> 0, len >>> 0, M_HI, M_LO);
  let hh = rh;
  let hl = (rl ^ seed) >>> 0;
  const end = len - (len & 7);
  let i = 0;
  for (; i < end; i += 8) {
    let kl = (s.charCodeAt(i) | (s.charCodeAt(i + 1) << 8) | (s.charCodeAt(i + 2) << 16) | (s.charCodeAt(i + 3) << 24)) >>> 0;
    let kh = (s.charCodeAt(i + 4) | (s.charCodeAt(i + 5) << 8) | (s.charCodeAt(i + 6) << 16) | (s.charCodeAt(i + 7) << 24)) >>> 0;
    mul64(kh, kl, M_HI, M_LO);
    kh = rh;
    kl = rl;
    // k ^= k >> 47
    kl = (kl ^ (kh >>> 15)) >>> 0;
    mul64(kh, kl, M_HI, M_LO);
    hh = (hh ^ rh) >>> 0;
    hl = (hl ^ rl) >>> 0;
    mul64(hh, hl, M_HI, M_LO);
    hh = rh;
    hl = rl;
  }
  const rest = len & 7;
  if (rest !== 0) {
    for (let j = rest - 1; j >= 0; j--) {
      const c = s.charCodeAt(i + j);
      if (j < 4) hl = (hl ^ (c << (8 * j))) >>> 0;
      else hh = (hh ^ (c << (8 * (j - 4)))) >>> 0;
    }
    mul64(hh, hl, M_HI, M_LO);
    hh = rh;
    hl = rl;
  }
  hl = (hl ^ (hh >>> 15)) >>> 0;
  mul64(hh, hl, M_HI, M_LO);
  hh = rh;
  hl = rl;
  hl = (hl ^ (hh >>> 15)) >>> 0;
  rh = hh;
  rl = hl;
}

function ctz32(x: number): number {
  return 31 - Math.clz32(x & -x);
}

/** Register index of an element, set by patLen. */
let patIndex = 0;

/** The run length of zeros (plus one) of an element's hash; the register goes to patIndex. */
export function patLen(ele: string): number {
  murmur64a(ele, 0xadc83b19);
  patIndex = rl & HLL_P_MASK;
  // hash >>= 14, then set bit 50 so the count is at most 51
  const lo = ((rl >>> HLL_P) | (rh << (32 - HLL_P))) >>> 0;
  const hi = ((rh >>> HLL_P) | (1 << (HLL_Q - 32))) >>> 0;
  return 1 + (lo !== 0 ? ctz32(lo) : 32 + ctz32(hi));
}

/** For tests: [register, count] of an element. */
export function hashElement(ele: string): [number, number] {
  const c = patLen(ele);
  return [patIndex, c];
}

/* ------------------------------------------------------------------ header and validation */

/**
 * Redis's isHLLObject checks, on the bytes: a header, the magic, a known encoding, and the exact
 * size for dense. The caller has already excluded int-encoded strings.
 */
export function looksLikeHll(b: Uint8Array, len: number): boolean {
  if (len < HLL_HDR_SIZE) return false;
  if (b[0] !== 72 || b[1] !== 89 || b[2] !== 76 || b[3] !== 76) return false;
  const enc = b[4];
  if (enc > HLL_SPARSE) return false;
  if (enc === HLL_DENSE && len !== HLL_DENSE_SIZE) return false;
  return true;
}

/** A new, empty HLL: sparse, one XZERO opcode for all 16384 registers, cached count 0. */
export function createHll(): ByteString {
  const b = ByteString.zeros(HLL_HDR_SIZE + 2);
  b.buf[0] = 72; // H
  b.buf[1] = 89; // Y
  b.buf[2] = 76; // L
  b.buf[3] = 76; // L
  b.buf[4] = HLL_SPARSE;
  const l = HLL_REGISTERS - 1;
  b.buf[HLL_HDR_SIZE] = (l >> 8) | 0x40;
  b.buf[HLL_HDR_SIZE + 1] = l & 0xff;
  return b;
}

export function invalidateCache(b: ByteString): void {
  b.buf[15] |= 0x80;
  b.touched();
}

export function cacheValid(b: Uint8Array): boolean {
  return (b[15] & 0x80) === 0;
}

/** The cached cardinality (valid-cache case: the top bit is clear, so it fits a signed 64-bit). */
export function readCachedCard(b: Uint8Array): number | bigint {
  let hi = 0;
  for (let i = 15; i >= 12; i--) hi = hi * 256 + b[i];
  let lo = 0;
  for (let i = 11; i >= 8; i--) lo = lo * 256 + b[i];
  if (hi < 0x200000) return hi * 0x100000000 + lo;
  return (BigInt(hi) << 32n) | BigInt(lo);
}

export function writeCachedCard(b: ByteString, card: number | bigint): void {
  let v = BigInt.asUintN(64, BigInt(card));
  for (let i = 8; i < 16; i++) {
    b.buf[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  b.touched();
}

/* ------------------------------------------------------------------ dense */

function denseGet(r: Uint8Array, base: number, reg: number): number {
  const byte = base + ((reg * 6) >> 3);
  const fb = (reg * 6) & 7;
  const b0 = r[byte];
  const b1 = r[byte + 1] ?? 0; // past the last register: the terminator, zero
  return ((b0 >> fb) | (b1 << (8 - fb))) & 63;
}

function denseSetReg(r: Uint8Array, base: number, reg: number, val: number): void {
  const byte = base + ((reg * 6) >> 3);
  const fb = (reg * 6) & 7;
  const fb8 = 8 - fb;
  r[byte] = (r[byte] & ~(63 << fb)) | (val << fb);
  // the next byte exists except for the last register, whose bits never reach it
  if (byte + 1 < r.length) r[byte + 1] = (r[byte + 1] & ~(63 >> fb8)) | (val >> fb8);
}

/** Raises a dense register to count if it is lower; 1 when it changed. */
function denseSet(b: ByteString, reg: number, count: number): number {
  const r = b.buf;
  if (count > denseGet(r, HLL_HDR_SIZE, reg)) {
    denseSetReg(r, HLL_HDR_SIZE, reg, count);
    return 1;
  }
  return 0;
}

/* ------------------------------------------------------------------ sparse */

/**
 * Converts a sparse HLL to dense in place (same header, encoding 0). Returns false, leaving the
 * value untouched, when the opcodes do not cover exactly 16384 registers.
 */
export function sparseToDense(b: ByteString): boolean {
  const src = b.buf;
  if (src[4] === HLL_DENSE) return true;
  const dense = Buffer.alloc(HLL_DENSE_SIZE);
  src.copy(dense, 0, 0, HLL_HDR_SIZE);
  dense[4] = HLL_DENSE;
  const end = b.len;
  let p = HLL_HDR_SIZE;
  let idx = 0;
  while (p < end) {
    const op = src[p];
    if ((op & 0xc0) === 0) {
      idx += (op & 0x3f) + 1;
      if (idx > HLL_REGISTERS) return false;
      p++;
    } else if ((op & 0xc0) === 0x40) {
      const second = p + 1 < end ? src[p + 1] : 0;
      idx += (((op & 0x3f) << 8) | second) + 1;
      if (idx > HLL_REGISTERS) return false;
      p += 2;
    } else {
      let run = (op & 3) + 1;
      const val = ((op >> 2) & 0x1f) + 1;
      if (idx + run > HLL_REGISTERS) return false;
      while (run-- > 0) denseSetReg(dense, HLL_HDR_SIZE, idx++, val);
      p++;
    }
  }
  if (idx !== HLL_REGISTERS) return false;
  b.replace(dense, HLL_DENSE_SIZE);
  return true;
}

/** Set by sparseSet when it converted the value to dense. */
export let promoted = false;

/**
 * Raises sparse register `index` to `count` (Redis's hllSparseSet): 1 if changed, 0 if not, -1
 * for a corrupted value. May promote the value to dense (then `promoted` is set).
 */
export function sparseSet(b: ByteString, index: number, count: number): number {
  promoted = false;
  if (count > SPARSE_VAL_MAX_VALUE) return promote(b, index, count);
  // Room for the worst-case growth (3 bytes) plus zeros standing for the C terminator, so a
  // read of an opcode's second byte at the very end sees zero, as Redis does.
  b.reserve(b.len + 8);
  const s = b.buf;
  s.fill(0, b.len, b.len + 8);
  let end = b.len;
  const sparse = HLL_HDR_SIZE;
  let p = sparse;
  let first = 0;
  let prev = -1;
  let span = 0;
  while (p < end) {
    const op = s[p];
    let oplen = 1;
    if ((op & 0xc0) === 0) span = (op & 0x3f) + 1;
    else if (op & 0x80) span = (op & 3) + 1;
    else {
      span = (((op & 0x3f) << 8) | s[p + 1]) + 1;
      oplen = 2;
    }
    if (index <= first + span - 1) break;
    prev = p;
    p += oplen;
    first += span;
  }
  if (span === 0 || p >= end) return -1;

  const op = s[p];
  let next = (op & 0xc0) === 0x40 ? p + 2 : p + 1;
  if (next >= end) next = -1;
  let isZero = false;
  let isXzero = false;
  let isVal = false;
  let runlen: number;
  if ((op & 0xc0) === 0) {
    isZero = true;
    runlen = (op & 0x3f) + 1;
  } else if ((op & 0xc0) === 0x40) {
    isXzero = true;
    runlen = (((op & 0x3f) << 8) | s[p + 1]) + 1;
  } else {
    isVal = true;
    runlen = (op & 3) + 1;
  }

  let updatedInPlace = false;
  if (isVal) {
    const old = ((op >> 2) & 0x1f) + 1;
    if (old >= count) return 0;
    if (runlen === 1) {
      s[p] = valOp(count, 1);
      updatedInPlace = true;
    }
  }
  if (!updatedInPlace && isZero && runlen === 1) {
    s[p] = valOp(count, 1);
    updatedInPlace = true;
  }
  if (!updatedInPlace) {
    // split the opcode into at most XZERO-VAL-XZERO (5 bytes)
    const seq: number[] = [];
    const last = first + span - 1;
    if (isZero || isXzero) {
      if (index !== first) pushZeros(seq, index - first);
      seq.push(valOp(count, 1));
      if (index !== last) pushZeros(seq, last - index);
    } else {
      const cur = ((op >> 2) & 0x1f) + 1;
      if (index !== first) seq.push(valOp(cur, index - first));
      seq.push(valOp(count, 1));
      if (index !== last) seq.push(valOp(cur, last - index));
    }
    const delta = seq.length - (isXzero ? 2 : 1);
    if (delta > 0 && b.len + delta > limits.hllSparseMaxBytes) return promote(b, index, count);
    // memmove(next+delta, next, end-next): Buffer.copy handles overlap
    if (delta !== 0 && next !== -1) s.copy(s, next + delta, next, end);
    b.len += delta;
    s[b.len] = 0; // sdsIncrLen's terminator
    for (let i = 0; i < seq.length; i++) s[p + i] = seq[i];
    end += delta;
  }

  // merge adjacent VAL opcodes of equal value, scanning up to five opcodes from prev
  p = prev !== -1 ? prev : sparse;
  let scan = 5;
  while (p < end && scan-- > 0) {
    const o = s[p];
    if ((o & 0xc0) === 0x40) {
      p += 2;
      continue;
    } else if ((o & 0xc0) === 0) {
      p++;
      continue;
    }
    if (p + 1 < end && s[p + 1] & 0x80) {
      const v1 = ((o >> 2) & 0x1f) + 1;
      const o2 = s[p + 1];
      const v2 = ((o2 >> 2) & 0x1f) + 1;
      if (v1 === v2) {
        const len = (o & 3) + 1 + (o2 & 3) + 1;
        if (len <= SPARSE_VAL_MAX_LEN) {
          s[p + 1] = valOp(v1, len);
          // memmove(p, p+1, end-p): includes the terminator byte at end
          s.copy(s, p, p + 1, end + 1);
          b.len--;
          end--;
          continue;
        }
      }
    }
    p++;
  }
  invalidateCache(b);
  return 1;
}

function valOp(val: number, len: number): number {
  return (((val - 1) << 2) | (len - 1) | 0x80) & 0xff;
}

function pushZeros(seq: number[], len: number): void {
  if (len > SPARSE_ZERO_MAX_LEN) {
    const l = len - 1;
    seq.push(((l >> 8) | 0x40) & 0xff, l & 0xff);
  } else {
    seq.push(len - 1);
  }
}

function promote(b: ByteString, index: number, count: number): number {
  if (!sparseToDense(b)) return -1;
  promoted = true;
  // a promotion always happens because a register must grow, so this changes it
  denseSet(b, index, count);
  invalidateCache(b);
  return 1;
}

/** Adds an element (Redis's hllAdd): 1 if a register changed, 0 if not, -1 if corrupted. */
export function hllAdd(b: ByteString, ele: string): number {
  const count = patLen(ele);
  const index = patIndex;
  const enc = b.buf[4];
  if (enc === HLL_DENSE) {
    const r = denseSet(b, index, count);
    if (r === 1) b.touched();
    return r;
  }
  if (enc === HLL_SPARSE) return sparseSet(b, index, count);
  return -1;
}

/* ------------------------------------------------------------------ counting and merging */

/**
 * Register histogram of a stored HLL into `histo` (64 slots). Returns false when a sparse value
 * is corrupted.
 */
function regHisto(b: Uint8Array, len: number, histo: Int32Array): boolean {
  if (b[4] === HLL_DENSE) {
    for (let reg = 0; reg < HLL_REGISTERS; reg++) histo[denseGet(b, HLL_HDR_SIZE, reg)]++;
    return true;
  }
  let idx = 0;
  let p = HLL_HDR_SIZE;
  while (p < len) {
    const op = b[p];
    if ((op & 0xc0) === 0) {
      const run = (op & 0x3f) + 1;
      if (idx + run > HLL_REGISTERS) return false;
      idx += run;
      histo[0] += run;
      p++;
    } else if ((op & 0xc0) === 0x40) {
      const second = p + 1 < len ? b[p + 1] : 0;
      const run = (((op & 0x3f) << 8) | second) + 1;
      if (idx + run > HLL_REGISTERS) return false;
      idx += run;
      histo[0] += run;
      p += 2;
    } else {
      const run = (op & 3) + 1;
      if (idx + run > HLL_REGISTERS) return false;
      idx += run;
      histo[((op >> 2) & 0x1f) + 1] += run;
      p++;
    }
  }
  return idx === HLL_REGISTERS;
}

function sigma(x: number): number {
  if (x === 1) return Infinity;
  let y = 1;
  let z = x;
  let zp: number;
  do {
    x *= x;
    zp = z;
    z += x * y;
    y += y;
  } while (zp !== z);
  return z;
}

function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let y = 1;
  let z = 1 - x;
  let zp: number;
  do {
    x = Math.sqrt(x);
    zp = z;
    y *= 0.5;
    const t = 1 - x;
    z -= t * t * y;
  } while (zp !== z);
  return z / 3;
}

/** The estimate from a register histogram (Ertl's improved estimator, as Redis computes it). */
function estimate(histo: Int32Array): number | bigint {
  const m = HLL_REGISTERS;
  let z = m * tau((m - histo[HLL_Q + 1]) / m);
  for (let j = HLL_Q; j >= 1; j--) {
    z += histo[j];
    z *= 0.5;
  }
  z += m * sigma(histo[0] / m);
  const e = Math.round((ALPHA_INF * m * m) / z);
  // Redis's llroundl of an infinite or too large estimate gives LLONG_MIN, stored and replied as
  // the 64-bit pattern 0x8000000000000000 (all registers at 63 get there)
  return e < 2 ** 63 ? e : LLONG_MIN;
}

const LLONG_MIN = -(2n ** 63n);

/** The estimate of a stored HLL, or null when it is corrupted. */
export function hllCount(b: Uint8Array, len: number): number | bigint | null {
  const histo = new Int32Array(64);
  if (!regHisto(b, len, histo)) return null;
  return estimate(histo);
}

/** The estimate of raw registers (one byte each), for PFCOUNT of several keys. */
export function rawCount(max: Uint8Array): number | bigint {
  const histo = new Int32Array(64);
  for (let i = 0; i < HLL_REGISTERS; i++) histo[max[i] & 63]++;
  return estimate(histo);
}

/**
 * max[i] = MAX(max[i], register i) over a stored HLL (Redis's hllMerge). False when a sparse
 * value does not cover exactly 16384 registers.
 */
export function hllMerge(max: Uint8Array, b: Uint8Array, len: number): boolean {
  if (b[4] === HLL_DENSE) {
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const v = denseGet(b, HLL_HDR_SIZE, i);
      if (v > max[i]) max[i] = v;
    }
    return true;
  }
  let i = 0;
  let p = HLL_HDR_SIZE;
  while (p < len) {
    const op = b[p];
    if ((op & 0xc0) === 0) {
      const run = (op & 0x3f) + 1;
      if (i + run > HLL_REGISTERS) return false;
      i += run;
      p++;
    } else if ((op & 0xc0) === 0x40) {
      const second = p + 1 < len ? b[p + 1] : 0;
      const run = (((op & 0x3f) << 8) | second) + 1;
      if (i + run > HLL_REGISTERS) return false;
      i += run;
      p += 2;
    } else {
      let run = (op & 3) + 1;
      const val = ((op >> 2) & 0x1f) + 1;
      if (i + run > HLL_REGISTERS) return false;
      while (run-- > 0) {
        if (val > max[i]) max[i] = val;
        i++;
      }
      p++;
    }
  }
  return i === HLL_REGISTERS;
}

/** Writes merged registers into a destination HLL (PFMERGE's final loop). */
export function hllStoreMax(b: ByteString, max: Uint8Array): void {
  for (let j = 0; j < HLL_REGISTERS; j++) {
    const v = max[j];
    if (v === 0) continue;
    if (b.buf[4] === HLL_DENSE) denseSet(b, j, v);
    else if (b.buf[4] === HLL_SPARSE) sparseSet(b, j, v);
  }
  b.touched();
}

/** All registers of a dense HLL (PFDEBUG GETREG). */
export function denseRegisters(b: Uint8Array): number[] {
  const out = new Array<number>(HLL_REGISTERS);
  for (let i = 0; i < HLL_REGISTERS; i++) out[i] = denseGet(b, HLL_HDR_SIZE, i);
  return out;
}

/** Redis's PFDEBUG DECODE text of a sparse HLL: "z:N", "Z:N", "v:V,N" separated by spaces. */
export function decodeSparse(b: Uint8Array, len: number): string {
  const parts: string[] = [];
  let p = HLL_HDR_SIZE;
  while (p < len) {
    const op = b[p];
    if ((op & 0xc0) === 0) {
      parts.push(`z:${(op & 0x3f) + 1}`);
      p++;
    } else if ((op & 0xc0) === 0x40) {
      const second = p + 1 < len ? b[p + 1] : 0;
      parts.push(`Z:${(((op & 0x3f) << 8) | second) + 1}`);
      p += 2;
    } else {
      parts.push(`v:${((op >> 2) & 0x1f) + 1},${(op & 3) + 1}`);
      p++;
    }
  }
  return parts.join(' ');
}
