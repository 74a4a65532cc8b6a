/*
 * Test certificates, made with the `openssl` command line tool into a fresh temporary directory:
 * a CA, server certificates for 127.0.0.1/localhost, client certificates with a chosen subject,
 * and a second, unrelated CA whose client certificates a server must refuse.
 *
 * A CN with an embedded NUL byte cannot be asked of openssl directly: it is made by editing one
 * byte of an issued certificate's subject, turning that certificate into a request signed by the
 * client key, and issuing the request again. A subject with two CN attributes is just
 * `-subj /CN=a/CN=b`.
 *
 * Everything is synchronous and small (EC P-256 keys), so a test suite makes its set in well under
 * a second. `cleanup()` removes the directory.
 */

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface CertPair {
  cert: string;
  key: string;
}

export interface TestPki {
  dir: string;
  caCert: string;
  caKey: string;
  /** a directory holding the CA certificate under its OpenSSL hash name (tls-ca-cert-dir) */
  caDir: string;
  server: CertPair;
  /** a second server certificate from the same CA (CN "Redoubt reload test"), for reloads */
  server2: CertPair;
  /** the server key encrypted with `keyPass` (tls-key-file-pass) */
  serverEncrypted: CertPair;
  keyPass: string;
  /** a client certificate from `caCert` with subject CN=`cn` (made on demand, cached) */
  client(cn: string): CertPair;
  /** a client certificate from another CA the server does not trust */
  foreignClient: CertPair;
  /** a client certificate whose CN is `before` NUL `after` */
  nulClient(before: string, after: string): CertPair;
  /** a client certificate with two CN attributes */
  multiCnClient(a: string, b: string): CertPair;
  cleanup(): void;
}

function openssl(args: string[], cwd: string): Buffer {
  return execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
}

export function opensslAvailable(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function newKey(dir: string, name: string): string {
  const file = path.join(dir, `${name}.key`);
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file], dir);
  return file;
}

function makeCa(dir: string, name: string): CertPair {
  const key = newKey(dir, name);
  const cert = path.join(dir, `${name}.crt`);
  openssl(['req', '-x509', '-new', '-key', key, '-sha256', '-days', '3650', '-subj', `/O=Redoubt Test/CN=${name}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', cert], dir);
  return { cert, key };
}

let serial = 1000;

/** Signs a new key's certificate with `ca`; `ext` are the v3 extension lines. */
function issue(dir: string, ca: CertPair, name: string, subj: string, ext: string[]): CertPair {
  const key = newKey(dir, name);
  const csr = path.join(dir, `${name}.csr`);
  const cert = path.join(dir, `${name}.crt`);
  const extFile = path.join(dir, `${name}.ext`);
  fs.writeFileSync(extFile, ext.join('\n') + '\n');
  openssl(['req', '-new', '-key', key, '-subj', subj, '-out', csr], dir);
  openssl(['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-set_serial', String(serial++), '-days', '825',
    '-sha256', '-extfile', extFile, '-out', cert], dir);
  return { cert, key };
}

const SERVER_EXT = ['basicConstraints=CA:FALSE', 'keyUsage=digitalSignature,keyEncipherment', 'extendedKeyUsage=serverAuth,clientAuth',
  'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost'];
const CLIENT_EXT = ['basicConstraints=CA:FALSE', 'keyUsage=digitalSignature,keyEncipherment', 'extendedKeyUsage=clientAuth'];

export function makePki(): TestPki {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'redoubt-pki-'));
  const ca = makeCa(dir, 'ca');
  const other = makeCa(dir, 'otherca');
  const caDir = path.join(dir, 'cadir');
  fs.mkdirSync(caDir);
  const hash = openssl(['x509', '-in', ca.cert, '-noout', '-subject_hash'], dir).toString().trim();
  fs.copyFileSync(ca.cert, path.join(caDir, `${hash}.0`));
  const server = issue(dir, ca, 'server', '/O=Redoubt Test/CN=Redoubt test server', SERVER_EXT);
  const server2 = issue(dir, ca, 'server2', '/O=Redoubt Test/CN=Redoubt reload test', SERVER_EXT);
  const keyPass = 'k3y-p4ss';
  const encKey = path.join(dir, 'server-enc.key');
  openssl(['pkey', '-in', server.key, '-aes-256-cbc', '-passout', `pass:${keyPass}`, '-out', encKey], dir);
  const clients = new Map<string, CertPair>();
  let n = 0;
  const pki: TestPki = {
    dir,
    caCert: ca.cert,
    caKey: ca.key,
    caDir,
    server,
    server2,
    serverEncrypted: { cert: server.cert, key: encKey },
    keyPass,
    client(cn: string): CertPair {
      let c = clients.get(cn);
      if (!c) {
        c = issue(dir, ca, `client${n++}`, `/O=Redoubt Test/CN=${cn}`, CLIENT_EXT);
        clients.set(cn, c);
      }
      return c;
    },
    foreignClient: issue(dir, other, 'foreign', '/O=Redoubt Test/CN=default', CLIENT_EXT),
    nulClient(before: string, after: string): CertPair {
      // A placeholder byte of the same length keeps every DER length field valid.
      const name = `nul${n++}`;
      const base = issue(dir, ca, name, `/O=Redoubt Test/CN=${before}Q${after}`, CLIENT_EXT);
      const der = openssl(['x509', '-in', base.cert, '-outform', 'DER'], dir);
      const needle = Buffer.from(`${before}Q${after}`, 'latin1');
      const at = der.indexOf(needle);
      if (at < 0) throw new Error('CN not found in the certificate');
      der[at + before.length] = 0;
      const edited = path.join(dir, `${name}-edited.der`);
      fs.writeFileSync(edited, der);
      // -x509toreq copies the edited subject into a request signed by the client key; the CA
      // then issues it like any other request.
      const csr = path.join(dir, `${name}-edited.csr`);
      openssl(['x509', '-x509toreq', '-inform', 'DER', '-in', edited, '-signkey', base.key, '-out', csr], dir);
      const cert = path.join(dir, `${name}-edited.crt`);
      openssl(['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-set_serial', String(serial++),
        '-days', '825', '-sha256', '-extfile', path.join(dir, `${name}.ext`), '-out', cert], dir);
      return { cert, key: base.key };
    },
    multiCnClient(a: string, b: string): CertPair {
      return issue(dir, ca, `multi${n++}`, `/O=Redoubt Test/CN=${a}/CN=${b}`, CLIENT_EXT);
    },
    cleanup(): void {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return pki;
}
