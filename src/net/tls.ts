/*
 * TLS settings: from the tls-* directives to node:tls options, with Redis's rules and log lines.
 *
 * Design: `buildTls(config)` reads every file and checks every setting in Redis's order (tls.c
 * tlsConfigure): certificate and key present, a CA whenever client certificates are verified,
 * protocols, then certificate, key (and that they belong together — OpenSSL would silently drop
 * a mismatched key), CA file/directory, ciphers, TLSv1.3 suites, DH parameters, and the client
 * side certificate for outgoing links. It either returns a complete `TlsSetup` or throws a
 * TlsConfigError whose message is the line Redis logs. Nothing is half-applied: the listeners
 * swap to a new setup only once it is complete (tls.Server.setSecureContext), so a failed reload
 * leaves the old certificate serving, and connections already open keep the context they
 * negotiated with.
 *
 * Certificate-to-user login (tls-auth-clients-user CN) lives here too because it only reads the
 * peer certificate; it refuses anything ambiguous: no CN, several CNs, a CN holding a NUL byte
 * (a C string would stop there and name another user), or a CN naming no usable user.
 *
 * Invariants:
 *  - The system's CA store is never used implicitly: the `ca` option is always given when client
 *    certificates are requested, which replaces node's default roots, as Redis requires.
 *  - Files are read once per (re)configuration; a CA directory is read as a whole at that time
 *    (OpenSSL would look files up lazily), so changing its content takes a CONFIG SET.
 */

import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tls from 'node:tls';
import type { ConfigRegistry } from '../config/registry';

export type AuthClients = 'no' | 'yes' | 'optional';

/** A refused TLS configuration; the message is the reason Redis logs. */
export class TlsConfigError extends Error {}

export interface TlsSetup {
  /** tls.createServer / setSecureContext options (certificate, key, CA, protocols, ciphers...) */
  server: tls.TlsOptions;
  authClients: AuthClients;
  /** options for outgoing links (replication): our client certificate and the same trust */
  client: tls.ConnectionOptions;
  sessionCaching: boolean;
  sessionCacheSize: number;
  sessionCacheTimeout: number;
}

/** Every directive whose change means building the setup again. */
export const TLS_DIRECTIVES = new Set([
  'tls-cert-file', 'tls-key-file', 'tls-key-file-pass', 'tls-client-cert-file', 'tls-client-key-file',
  'tls-client-key-file-pass', 'tls-dh-params-file', 'tls-ca-cert-file', 'tls-ca-cert-dir', 'tls-auth-clients',
  'tls-protocols', 'tls-ciphers', 'tls-ciphersuites', 'tls-prefer-server-ciphers', 'tls-session-caching',
  'tls-session-cache-size', 'tls-session-cache-timeout', 'tls-replication', 'tls-cluster',
]);

const PROTOCOLS: [string, tls.SecureVersion, number][] = [
  ['tlsv1', 'TLSv1', crypto.constants.SSL_OP_NO_TLSv1],
  ['tlsv1.1', 'TLSv1.1', crypto.constants.SSL_OP_NO_TLSv1_1],
  ['tlsv1.2', 'TLSv1.2', crypto.constants.SSL_OP_NO_TLSv1_2],
  ['tlsv1.3', 'TLSv1.3', crypto.constants.SSL_OP_NO_TLSv1_3],
];

/**
 * tls-protocols: words out of TLSv1, TLSv1.1, TLSv1.2, TLSv1.3 (any case); unset means TLSv1.2 and
 * TLSv1.3. Node takes a version range, so a set with a gap is the range plus "no" options.
 */
export function parseProtocols(value: string | null): { minVersion: tls.SecureVersion; maxVersion: tls.SecureVersion; secureOptions: number } {
  const words = value === null || value === '' ? ['tlsv1.2', 'tlsv1.3'] : value.split(' ').filter((w) => w !== '').map((w) => w.toLowerCase());
  const on = PROTOCOLS.map(([name]) => words.includes(name));
  if (words.length === 0 || words.some((w) => !PROTOCOLS.some(([name]) => name === w))) {
    throw new TlsConfigError("Invalid tls-protocols specified. Use a combination of 'TLSv1', 'TLSv1.1', 'TLSv1.2' and 'TLSv1.3'.");
  }
  const lo = on.indexOf(true);
  const hi = on.lastIndexOf(true);
  let secureOptions = 0;
  for (let i = lo; i <= hi; i++) if (!on[i]) secureOptions |= PROTOCOLS[i][2];
  return { minVersion: PROTOCOLS[lo][1], maxVersion: PROTOCOLS[hi][1], secureOptions };
}

function reason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'ENOENT') return 'No such file or directory';
  if (err.code === 'EACCES') return 'Permission denied';
  if (err.code === 'EISDIR') return 'Is a directory';
  return err.message ?? String(e);
}

function readFile(file: string, what: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    throw new TlsConfigError(`Failed to load ${what}: ${file}: ${reason(e)}`);
  }
}

/** Loads a certificate chain and its key, checking that they match (what OpenSSL would enforce). */
function loadPair(certFile: string, keyFile: string, pass: string | null): { cert: Buffer; key: Buffer; passphrase?: string } {
  const cert = readFile(certFile, 'certificate');
  let leaf: crypto.X509Certificate;
  try {
    leaf = new crypto.X509Certificate(cert);
  } catch (e) {
    throw new TlsConfigError(`Failed to load certificate: ${certFile}: ${reason(e)}`);
  }
  const key = readFile(keyFile, 'private key');
  let priv: crypto.KeyObject;
  try {
    priv = crypto.createPrivateKey(pass === null ? { key } : { key, passphrase: pass });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ERR_MISSING_PASSPHRASE' || /bad decrypt|interrupted|passphrase/i.test(err.message) ? 'wrong or missing passphrase' : reason(e);
    throw new TlsConfigError(`Failed to load private key: ${keyFile}: ${why}`);
  }
  if (!leaf.checkPrivateKey(priv)) throw new TlsConfigError(`Failed to load private key: ${keyFile}: key values mismatch`);
  return pass === null ? { cert, key } : { cert, key, passphrase: pass };
}

/** tls-ca-cert-file plus every certificate file in tls-ca-cert-dir. */
function loadCa(file: string | null, dir: string | null): Buffer[] {
  const out: Buffer[] = [];
  const fail = (what: string, e: unknown) => new TlsConfigError(`Failed to configure CA certificate(s) file/directory: ${what}: ${reason(e)}`);
  if (file !== null) {
    let pem: Buffer;
    try {
      pem = fs.readFileSync(file);
    } catch (e) {
      throw fail(file, e);
    }
    out.push(pem);
  }
  if (dir !== null) {
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch (e) {
      throw fail(dir, e);
    }
    for (const name of names.sort()) {
      const full = path.join(dir, name);
      try {
        if (!fs.statSync(full).isFile()) continue;
        const pem = fs.readFileSync(full);
        // Files that hold no certificate (a README, a CRL) are skipped, as OpenSSL's lookup would.
        new crypto.X509Certificate(pem);
        out.push(pem);
      } catch { /* not a certificate */ }
    }
  }
  // Checked as one bundle the way the server will use it.
  try {
    tls.createSecureContext({ ca: out });
  } catch (e) {
    throw fail(file ?? dir ?? '', e);
  }
  return out;
}

function str(config: ConfigRegistry, name: string): string | null {
  const v = config.get(name) as string | null;
  return v === null || v === '' ? null : v;
}

/** The TLSv1.2 list is tls-ciphers (or node's default); TLSv1.3 suites go in the same option. */
function cipherOption(ciphers: string | null, suites: string | null): string | undefined {
  if (ciphers !== null) {
    try {
      tls.createSecureContext({ ciphers, minVersion: 'TLSv1', maxVersion: 'TLSv1.2' });
    } catch {
      throw new TlsConfigError(`Failed to configure ciphers: ${ciphers}`);
    }
  }
  if (suites !== null) {
    const names = suites.split(':').filter((s) => s !== '');
    // node routes names starting with TLS_ to the TLSv1.3 list; anything else would land in the
    // TLSv1.2 list, so it cannot be a TLSv1.3 suite
    if (names.length === 0 || names.some((s) => !s.startsWith('TLS_'))) throw new TlsConfigError(`Failed to configure ciphersuites: ${suites}`);
    try {
      tls.createSecureContext({ ciphers: names.join(':'), minVersion: 'TLSv1.3' });
    } catch {
      throw new TlsConfigError(`Failed to configure ciphersuites: ${suites}`);
    }
  }
  if (ciphers === null && suites === null) return undefined;
  const defaults = tls.DEFAULT_CIPHERS.split(':');
  const v12 = ciphers ?? defaults.filter((c) => !c.startsWith('TLS_')).join(':');
  const v13 = suites ?? defaults.filter((c) => c.startsWith('TLS_')).join(':');
  return `${v13}:${v12}`;
}

/** Builds the complete TLS setup from the configuration, or throws TlsConfigError. */
export function buildTls(config: ConfigRegistry): TlsSetup {
  const certFile = str(config, 'tls-cert-file');
  const keyFile = str(config, 'tls-key-file');
  const caFile = str(config, 'tls-ca-cert-file');
  const caDir = str(config, 'tls-ca-cert-dir');
  const authClients = config.get('tls-auth-clients') as AuthClients;
  if (certFile === null) throw new TlsConfigError('No tls-cert-file configured!');
  if (keyFile === null) throw new TlsConfigError('No tls-key-file configured!');
  const replication = config.get('tls-replication') === true;
  const cluster = config.get('tls-cluster') === true;
  if ((authClients !== 'no' || replication || cluster) && caFile === null && caDir === null) {
    throw new TlsConfigError('Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-cluster, tls-replication or tls-auth-clients are enabled!');
  }
  const protocols = parseProtocols(str(config, 'tls-protocols'));
  const pair = loadPair(certFile, keyFile, str(config, 'tls-key-file-pass'));
  const ca = caFile !== null || caDir !== null ? loadCa(caFile, caDir) : undefined;
  const ciphers = cipherOption(str(config, 'tls-ciphers'), str(config, 'tls-ciphersuites'));
  let dhparam: Buffer | undefined;
  const dhFile = str(config, 'tls-dh-params-file');
  if (dhFile !== null) {
    try {
      dhparam = fs.readFileSync(dhFile);
    } catch (e) {
      throw new TlsConfigError(`Failed to load ${dhFile}: ${reason(e)}`);
    }
  }
  const caching = config.get('tls-session-caching') === true;
  const timeout = config.get('tls-session-cache-timeout') as number;
  // Client renegotiation is refused by node itself (tls.CLIENT_RENEG_LIMIT); without caching no
  // ticket is issued either, so nothing can resume.
  const secureOptions = protocols.secureOptions | (caching ? 0 : crypto.constants.SSL_OP_NO_TICKET);
  const server: tls.TlsOptions = {
    ...pair,
    ca,
    minVersion: protocols.minVersion,
    maxVersion: protocols.maxVersion,
    secureOptions: secureOptions === 0 ? undefined : secureOptions,
    ciphers,
    honorCipherOrder: config.get('tls-prefer-server-ciphers') === true,
    dhparam,
    sessionTimeout: timeout > 0 ? timeout : undefined,
  };
  try {
    tls.createSecureContext(server);
  } catch (e) {
    throw new TlsConfigError(`Failed to configure TLS: ${reason(e)}`);
  }
  // Outgoing links present tls-client-cert-file when both it and its key are set, else the
  // server certificate (Redis's rule).
  const clientCert = str(config, 'tls-client-cert-file');
  const clientKey = str(config, 'tls-client-key-file');
  const clientPair = clientCert !== null && clientKey !== null ? loadPair(clientCert, clientKey, str(config, 'tls-client-key-file-pass')) : pair;
  const client: tls.ConnectionOptions = {
    ...clientPair,
    ca,
    minVersion: protocols.minVersion,
    maxVersion: protocols.maxVersion,
    secureOptions: protocols.secureOptions === 0 ? undefined : protocols.secureOptions,
    ciphers,
  };
  return {
    server,
    authClients,
    client,
    sessionCaching: caching,
    sessionCacheSize: config.get('tls-session-cache-size') as number,
    sessionCacheTimeout: timeout,
  };
}

/**
 * Options for an outgoing TLS link (a replica connecting to its primary): our client certificate
 * (tls-client-cert-file, or the server's), the configured CA as the only trust, the configured
 * protocols and ciphers. Throws TlsConfigError with Redis's reason when the settings are unusable.
 */
export function clientTlsOptions(config: ConfigRegistry): tls.ConnectionOptions {
  return buildTls(config).client;
}

/* ------------------------------------------------------------------ session cache */

/**
 * Server-side TLS session cache (TLSv1.2 session IDs): bounded by tls-session-cache-size
 * entries (0 = no bound, as OpenSSL), each kept tls-session-cache-timeout seconds. Oldest first
 * out: Map iteration order is insertion order.
 */
export class SessionCache {
  private readonly entries = new Map<string, { data: Buffer; expires: number }>();
  constructor(private size: number, private timeoutMs: number) {}

  configure(size: number, timeoutSeconds: number): void {
    this.size = size;
    this.timeoutMs = timeoutSeconds * 1000;
    this.trim();
  }

  put(id: Buffer, data: Buffer): void {
    const key = id.toString('hex');
    this.entries.delete(key);
    this.entries.set(key, { data, expires: Date.now() + this.timeoutMs });
    this.trim();
  }

  get(id: Buffer): Buffer | null {
    const key = id.toString('hex');
    const e = this.entries.get(key);
    if (e === undefined) return null;
    if (e.expires <= Date.now()) {
      this.entries.delete(key);
      return null;
    }
    return e.data;
  }

  clear(): void {
    this.entries.clear();
  }

  private trim(): void {
    if (this.size > 0) {
      while (this.entries.size > this.size) this.entries.delete(this.entries.keys().next().value as string);
    }
  }
}

/* ------------------------------------------------------------------ peer certificates */

/** True when the peer presented a certificate at all (verified or not). */
export function presentedCertificate(sock: tls.TLSSocket): boolean {
  const c = sock.getPeerCertificate();
  return c !== null && c !== undefined && Object.keys(c).length > 0;
}

/**
 * The user name a verified client certificate claims (its subject CN, as latin1 bytes like every
 * name in Redoubt), `null` when there is no verified certificate, or `{ refused }` when the
 * subject is ambiguous: no CN, several CNs, or a CN with a NUL byte.
 */
export function certificateUserName(sock: tls.TLSSocket): string | null | { refused: string } {
  if (!sock.authorized) return null;
  const c = sock.getPeerCertificate();
  if (c === null || c === undefined || c.subject === undefined) return null;
  const cn = (c.subject as unknown as Record<string, string | string[] | undefined>).CN;
  if (cn === undefined) return { refused: 'the certificate subject has no CN' };
  if (typeof cn !== 'string') return { refused: 'the certificate subject has several CNs' };
  if (cn.includes('\0')) return { refused: 'the certificate CN contains a NUL byte' };
  if (cn === '') return { refused: 'the certificate CN is empty' };
  return Buffer.from(cn, 'utf8').toString('latin1');
}

/** The CN-named user of this connection's verified certificate, or null. */
export function verifiedCertificateName(socket: unknown): string | null {
  if (!(socket instanceof tls.TLSSocket)) return null;
  const n = certificateUserName(socket);
  return typeof n === 'string' ? n : null;
}

/**
 * redis/redis#14638: with certificate login on, a passwordless user (other than `default`) is a
 * certificate-only user. AUTH as such a user is refused unless the connection presented a
 * verified certificate naming that very user — otherwise `tls-auth-clients optional` (or the
 * plaintext port) would let anyone in as it with `AUTH name anything`.
 */
export function certificateOnlyRefuses(config: ConfigRegistry, socket: unknown, user: { name: string; nopass: boolean }): boolean {
  if (!user.nopass || user.name === 'default') return false;
  if (config.get('tls-auth-clients-user') !== 'CN') return false;
  return verifiedCertificateName(socket) !== user.name;
}
