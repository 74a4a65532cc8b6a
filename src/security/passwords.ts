/*
 * Password storage and verification for ACL users.
 *
 * Two stored forms:
 *  - Redis's: 64 lowercase hex digits, the unsalted SHA-256 of the password (`#<hash>` rules, and
 *    every `>pass` when `acl-password-hash sha256`), so Redis ACL files load and save unchanged.
 *  - Redoubt's default: `$scrypt$<N>$<r>$<p>$<salt-hex>$<hash-hex>`, a salted, memory-hard hash, so a
 *    leaked ACL file does not allow cheap offline guessing.
 *
 * Verification compares in constant time. Scrypt is deliberately slow (tens of ms), which would make
 * every AUTH slow; `VerifiedCache` remembers, per stored hash, a keyed HMAC of secrets already proven
 * correct, so later AUTHs of a legitimate client cost one HMAC. The trade-off: the cache key lives only
 * in process memory and holds no cleartext; an attacker who can read process memory could already
 * read the keyspace. Wrong guesses are never cached, so guessing still pays the full scrypt cost.
 * The server verifies with `quick` (SHA-256 and proven secrets, synchronous) and otherwise with
 * `verifyAsync`, which runs scrypt on libuv's thread pool: a stream of wrong guesses costs the
 * guesser time, not every other client's latency.
 */

import * as crypto from 'node:crypto';

export type HashAlgorithm = 'scrypt' | 'sha256';

/** scrypt cost: N=2^14, r=8, p=1 (16 MiB, the usual interactive-login setting). */
export const SCRYPT_N = 16384;
export const SCRYPT_R = 8;
export const SCRYPT_P = 1;
const SCRYPT_KEYLEN = 32;
const SALT_BYTES = 16;

const SHA256_HEX = /^[0-9a-f]{64}$/;

export function isSha256Hex(s: string): boolean {
  return s.length === 64 && SHA256_HEX.test(s);
}

export function sha256Hex(password: string): string {
  return crypto.createHash('sha256').update(Buffer.from(password, 'latin1')).digest('hex');
}

export function isScryptHash(s: string): boolean {
  return s.startsWith('$scrypt$');
}

function scryptRaw(password: string, salt: Buffer, n: number, r: number, p: number): Buffer {
  return crypto.scryptSync(Buffer.from(password, 'latin1'), salt, SCRYPT_KEYLEN, { N: n, r, p, maxmem: 256 * n * r + 1024 * 1024 });
}

/** scrypt on libuv's thread pool: the event loop keeps serving other clients meanwhile. */
function scryptAsync(password: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    crypto.scrypt(Buffer.from(password, 'latin1'), salt, SCRYPT_KEYLEN, { N: n, r, p, maxmem: 256 * n * r + 1024 * 1024 }, (err, key) => {
      if (err) reject(err);
      else resolve(key);
    });
  });
}

/** Hashes a cleartext password for storage. */
export function hashPassword(password: string, algo: HashAlgorithm): string {
  if (algo === 'sha256') return sha256Hex(password);
  const salt = crypto.randomBytes(SALT_BYTES);
  const h = scryptRaw(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P);
  return `$scrypt$${SCRYPT_N}$${SCRYPT_R}$${SCRYPT_P}$${salt.toString('hex')}$${h.toString('hex')}`;
}

interface ParsedScrypt {
  n: number;
  r: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

export function parseScrypt(stored: string): ParsedScrypt | null {
  const parts = stored.split('$');
  // ['', 'scrypt', N, r, p, salt, hash]
  if (parts.length !== 7 || parts[1] !== 'scrypt') return null;
  const [n, r, p] = [Number(parts[2]), Number(parts[3]), Number(parts[4])];
  if (!Number.isInteger(n) || n < 2 || (n & (n - 1)) !== 0 || n > 1 << 20) return null;
  if (!Number.isInteger(r) || r < 1 || r > 32 || !Number.isInteger(p) || p < 1 || p > 16) return null;
  if (!/^[0-9a-f]{2,128}$/.test(parts[5]) || parts[5].length % 2 !== 0) return null;
  if (!/^[0-9a-f]{64}$/.test(parts[6])) return null;
  return { n, r, p, salt: Buffer.from(parts[5], 'hex'), hash: Buffer.from(parts[6], 'hex') };
}

/** True if `stored` is a hash form this module understands. */
export function isStoredHash(stored: string): boolean {
  return isSha256Hex(stored) || parseScrypt(stored) !== null;
}

/** Constant-time check of a cleartext password against one stored hash (slow for scrypt). */
export function verifyPassword(stored: string, password: string): boolean {
  if (isSha256Hex(stored)) {
    const a = Buffer.from(sha256Hex(password), 'latin1');
    const b = Buffer.from(stored, 'latin1');
    return crypto.timingSafeEqual(a, b);
  }
  const s = parseScrypt(stored);
  if (s === null) return false;
  const h = scryptRaw(password, s.salt, s.n, s.r, s.p);
  return crypto.timingSafeEqual(h, s.hash);
}

/**
 * Remembers secrets already verified against slow hashes, as keyed HMACs (never cleartext), so a
 * client that authenticates again pays microseconds instead of a full scrypt. Bounded in size;
 * entries for a stored hash disappear when that hash is removed (`forget`).
 */
export class VerifiedCache {
  private readonly key = crypto.randomBytes(32);
  /** stored hash -> set of HMAC(secret) proven to match it */
  private readonly proven = new Map<string, Set<string>>();
  private size = 0;

  constructor(private readonly maxEntries = 10000) {}

  private mac(stored: string, password: string): string {
    return crypto.createHmac('sha256', this.key).update(stored).update('\0').update(Buffer.from(password, 'latin1')).digest('base64');
  }

  /** verifyPassword with the cache in front of slow hashes. */
  verify(stored: string, password: string): boolean {
    if (isSha256Hex(stored)) return verifyPassword(stored, password);
    const m = this.mac(stored, password);
    const set = this.proven.get(stored);
    if (set !== undefined && set.has(m)) return true;
    if (!verifyPassword(stored, password)) return false;
    this.remember(stored, password);
    return true;
  }

  /**
   * The answer when it costs no slow hash: true/false for SHA-256 hashes and for secrets already
   * proven, null when only a full scrypt can tell (then use `verifyAsync`).
   */
  quick(stored: string, password: string): boolean | null {
    if (isSha256Hex(stored)) return verifyPassword(stored, password);
    const set = this.proven.get(stored);
    if (set !== undefined && set.has(this.mac(stored, password))) return true;
    return parseScrypt(stored) === null ? false : null;
  }

  /**
   * The full check off the event loop (AUTH must not stall every other client for the length of a
   * scrypt). A match is remembered; a miss never is, so each wrong guess pays the full cost.
   */
  async verifyAsync(stored: string, password: string): Promise<boolean> {
    const q = this.quick(stored, password);
    if (q !== null) return q;
    const s = parseScrypt(stored)!;
    let h: Buffer;
    try {
      h = await scryptAsync(password, s.salt, s.n, s.r, s.p);
    } catch {
      return false;
    }
    if (!crypto.timingSafeEqual(h, s.hash)) return false;
    this.remember(stored, password);
    return true;
  }

  private remember(stored: string, password: string): void {
    if (this.size >= this.maxEntries) this.clear();
    let s = this.proven.get(stored);
    if (s === undefined) this.proven.set(stored, (s = new Set()));
    const m = this.mac(stored, password);
    if (!s.has(m)) {
      s.add(m);
      this.size++;
    }
  }

  /** Drops proofs for every stored hash not in `live` (passwords removed, users deleted). */
  retain(live: Set<string>): void {
    for (const stored of [...this.proven.keys()]) if (!live.has(stored)) this.forget(stored);
  }

  forget(stored: string): void {
    const s = this.proven.get(stored);
    if (s !== undefined) {
      this.size -= s.size;
      this.proven.delete(stored);
    }
  }

  clear(): void {
    this.proven.clear();
    this.size = 0;
  }
}
