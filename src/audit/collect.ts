/*
 * Gathering facts for `redoubt audit`.
 *
 * Live (`redis://` / `rediss://user:password@host:port/db`, as redis-cli -u): a probe connection
 * that sends PING with no credentials; the audit connection (AUTH, INFO, CONFIG GET *, COMMAND
 * INFO of the dangerous commands, ACL LIST, ACL DRYRUN of every probe for every user, MODULE
 * LIST, a bounded SCAN sample of string values); the cross-protocol probe (an HTTP POST must get
 * the connection closed); for TLS, one handshake per protocol version, one without a client
 * certificate, and the server certificate; the weak-password list only when asked, one attempt
 * every 100 ms. Every refusal becomes a note, not an exception: an audit of a locked-down server
 * still completes.
 *
 * Config (`--config redis.conf`): the file is read with Redoubt's own loader into a fresh registry
 * (no server, no listener, no log file created) and the users it defines are built with Redoubt's
 * ACL code, so the facts are those the file would produce at start-up.
 */

import * as fs from 'node:fs';
import * as tls from 'node:tls';
import { RespClient, RespError, isError, type Endpoint, type RespValue } from './client';
import { DANGEROUS_PROBES, RENAMEABLE, emptyFacts, type Facts, type Product, type TlsFacts, type UserFact } from './checks/types';
import { certFromFile, certFromPem, configFacts, missingCommands, redactValue, usersFromAcl } from './facts-local';

export interface TlsClientOptions { cacert?: string; cert?: string; key?: string; insecure?: boolean; sni?: string }

export interface CollectOptions {
  tls?: TlsClientOptions;
  checkWeakPasswords?: boolean;
  /** most keys sampled for SSH keys and cron lines */
  keySample?: number;
  /** delay between weak-password attempts (ms) */
  guessDelayMs?: number;
}

export interface Target { tls: boolean; host: string; port: number; user: string | null; password: string | null; db: number }

/** redis-cli's -u syntax: redis[s]://[[user]:[password]@]host[:port][/db]; null when invalid. */
export function parseUrl(url: string): Target | null {
  const m = /^(rediss?):\/\/(?:([^:@/]*)(?::([^@/]*))?@)?(\[[^\]]+\]|[^:/]*)(?::(\d+))?(?:\/(\d+))?\/?$/.exec(url);
  if (!m) return null;
  const dec = (s: string | undefined) => (s === undefined || s === '' ? null : decodeURIComponent(s));
  let user = dec(m[2]);
  let password = dec(m[3]);
  // redis://password@host (no colon) is not a user: redis-cli treats a lone part as the password
  if (m[3] === undefined && user !== null) { password = user; user = null; }
  return { tls: m[1] === 'rediss', host: (m[4] || '127.0.0.1').replace(/^\[|\]$/g, ''), port: m[5] ? Number(m[5]) : 6379, user, password, db: m[6] ? Number(m[6]) : 0 };
}

export function redactedUrl(t: Target): string {
  const cred = t.user !== null || t.password !== null ? `${t.user ?? ''}${t.password !== null ? ':***' : ''}@` : '';
  return `${t.tls ? 'rediss' : 'redis'}://${cred}${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port}${t.db ? `/${t.db}` : ''}`;
}

function tlsOptions(o: TlsClientOptions | undefined, withCert = true): tls.ConnectionOptions {
  const opts: tls.ConnectionOptions = { rejectUnauthorized: !o?.insecure && o?.cacert !== undefined, servername: o?.sni };
  if (o?.cacert) opts.ca = fs.readFileSync(o.cacert);
  if (withCert && o?.cert) opts.cert = fs.readFileSync(o.cert);
  if (withCert && o?.key) opts.key = fs.readFileSync(o.key);
  return opts;
}

function infoFields(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0 && line[0] !== '#') out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

function product(info: Record<string, string>): { product: Product; version: string | null } {
  if (info.redoubt_version) return { product: 'redoubt', version: info.redoubt_version };
  if (info.valkey_version || info.server_name === 'valkey') return { product: 'valkey', version: info.valkey_version ?? info.redis_version ?? null };
  if (info.redis_version) return { product: 'redis', version: info.redis_version };
  return { product: 'unknown', version: null };
}

/** Parses ACL LIST lines ("user <name> <rules...>") into user facts (DRYRUN results added later). */
export function parseAclList(lines: string[]): UserFact[] {
  return lines.map((line) => {
    const words = line.split(' ');
    const rules = words.slice(2);
    return {
      name: words[1], enabled: rules.includes('on'), nopass: rules.includes('nopass'),
      hashes: rules.filter((r) => r.startsWith('#')).map((r) => r.slice(1)),
      rules: rules.join(' '), allowed: null,
    };
  });
}

const SSH_KEY = /(ssh-(rsa|ed25519|dss)|ecdsa-sha2-nistp\d+) AAAA/;
const CRON = /(^|\n)\s*(@(reboot|hourly|daily)|[*\d/,-]+\s+[*\d/,-]+\s+[*\d/,-]+\s+[*\d/,-]+\s+[*\d/,-]+)\s+\S/;
const DOWNLOAD_EXEC = /(curl|wget)\s[^\n]*\|\s*(ba|z)?sh/;

export function suspiciousValue(v: string): string | null {
  if (SSH_KEY.test(v)) return 'SSH public key';
  if (DOWNLOAD_EXEC.test(v)) return 'download-and-run shell line';
  if (CRON.test(v)) return 'cron line';
  return null;
}

async function firstReply(ep: Endpoint, payload: string, waitMs = 2000): Promise<'closed' | string> {
  return new Promise((resolve) => {
    const sock = ep.tls ? tls.connect({ host: ep.host, port: ep.port, ...ep.tls }) : require('node:net').connect({ host: ep.host, port: ep.port });
    let data = '';
    const done = (r: string) => { clearTimeout(timer); sock.destroy(); resolve(r); };
    const timer = setTimeout(() => done(data === '' ? 'timeout' : data), waitMs);
    sock.once(ep.tls ? 'secureConnect' : 'connect', () => sock.write(payload));
    sock.on('data', (d: Buffer) => {
      data += d.toString('latin1');
      if (data.includes('\r\n')) done(data.slice(0, data.indexOf('\r\n')));
    });
    sock.once('error', () => done(data === '' ? 'closed' : data));
    sock.once('close', () => done(data === '' ? 'closed' : data));
  });
}

async function tlsProbe(t: Target, o: TlsClientOptions | undefined): Promise<TlsFacts> {
  const protocols: Record<string, boolean> = {};
  let cert: TlsFacts['cert'] = null;
  for (const v of ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as tls.SecureVersion[]) {
    protocols[v] = await new Promise<boolean>((resolve) => {
      const opts: tls.ConnectionOptions = { ...tlsOptions(o), rejectUnauthorized: false, host: t.host, port: t.port, minVersion: v, maxVersion: v };
      if (v === 'TLSv1' || v === 'TLSv1.1') opts.ciphers = 'DEFAULT:@SECLEVEL=0';
      const s = tls.connect(opts);
      const timer = setTimeout(() => { s.destroy(); resolve(false); }, 3000);
      s.once('secureConnect', () => {
        clearTimeout(timer);
        if (cert === null) {
          const raw = s.getPeerCertificate(false)?.raw;
          if (raw) cert = certFromPem(`-----BEGIN CERTIFICATE-----\n${raw.toString('base64')}\n-----END CERTIFICATE-----\n`);
        }
        s.destroy();
        resolve(true);
      });
      s.once('error', () => { clearTimeout(timer); resolve(false); });
    });
  }
  // A handshake without a client certificate: with TLS 1.3 the refusal arrives after the
  // handshake, so the test is whether a PING gets an answer.
  const noCert = await firstReply({ host: t.host, port: t.port, tls: { ...tlsOptions(o, false), rejectUnauthorized: false } }, 'PING\r\n');
  const clientCert = noCert.startsWith('+') || noCert.startsWith('-') ? 'not-required' : noCert === 'closed' ? 'required' : 'unknown';
  return { protocols, clientCert, cert };
}

const WEAK = ['', 'foobared', 'redis', 'password', 'admin', 'root', '123456', '12345678', 'iamadmin', 'default', 'changeme', 'secret', 'test', 'qwerty'];

async function weakPasswords(ep: Endpoint, users: UserFact[] | null, delayMs: number): Promise<{ user: string; password: string }[]> {
  const found: { user: string; password: string }[] = [];
  const targets = (users ?? [{ name: 'default', enabled: true, nopass: false } as UserFact]).filter((u) => u.enabled && !u.nopass);
  let c: RespClient | null = null;
  try {
    for (const u of targets) {
      for (const pw of [...WEAK, u.name]) {
        c ??= await RespClient.connect(ep);
        const r = await c.call(u.name === 'default' ? ['AUTH', pw] : ['AUTH', u.name, pw]).catch(() => new RespError('closed'));
        if (r === 'OK') {
          found.push({ user: u.name, password: pw });
          c.close();
          c = null;
          break;
        }
        if (isError(r) && r.message === 'closed') c = null;
        await new Promise((res) => setTimeout(res, delayMs));
      }
    }
  } finally {
    c?.close();
  }
  return found;
}

export async function collectLive(url: string, opts: CollectOptions = {}): Promise<Facts> {
  const t = parseUrl(url);
  if (t === null) throw new Error(`Invalid URL '${url}': expected redis://[[user]:[password]@]host[:port][/db] or rediss://...`);
  const facts = emptyFacts('live', redactedUrl(t));
  facts.viaTls = t.tls;
  const ep: Endpoint = { host: t.host, port: t.port, tls: t.tls ? { host: t.host, ...tlsOptions(opts.tls) } : null };

  const probe = await firstReply(ep, 'PING\r\n');
  facts.unauthReply = probe === 'timeout' ? null : probe;

  const c = await RespClient.connect(ep);
  try {
    if (t.password !== null) {
      const r = await c.call(t.user !== null ? ['AUTH', t.user, t.password] : ['AUTH', t.password]);
      if (isError(r)) throw new Error(`AUTH failed: ${r.message}`);
    }
    if (t.db) await c.call(['SELECT', String(t.db)]);
    const info = await c.call(['INFO']);
    let fields: Record<string, string> = {};
    if (typeof info === 'string') {
      fields = infoFields(info);
      Object.assign(facts, product(fields));
      facts.archBits = fields.arch_bits ? Number(fields.arch_bits) : null;
      facts.replication = { role: fields.role ?? 'master', masterHost: fields.master_host ?? null, masterPort: fields.master_port ?? null, linkStatus: fields.master_link_status ?? null, connectedReplicas: Number(fields.connected_slaves ?? 0) };
      facts.stats = {};
      for (const k of ['acl_access_denied_auth', 'rejected_connections', 'total_connections_received']) if (fields[k] !== undefined) facts.stats[k] = Number(fields[k]);
    } else {
      facts.notes.push(`INFO: ${String(info)}`);
    }

    const cfg = await c.call(['CONFIG', 'GET', '*']);
    if (Array.isArray(cfg)) {
      facts.config = {};
      for (let i = 0; i + 1 < cfg.length; i += 2) facts.config[String(cfg[i])] = redactValue(null, String(cfg[i]), String(cfg[i + 1] ?? ''));
    } else {
      facts.notes.push(`CONFIG GET *: ${String(cfg)}`);
    }

    const ci = await c.call(['COMMAND', 'INFO', ...RENAMEABLE]);
    if (Array.isArray(ci)) {
      let missing = RENAMEABLE.filter((_, i) => ci[i] === null);
      // Redoubt lacks some commands by design (no Lua, no modules): absent is not renamed
      if (facts.product === 'redoubt') {
        const ours = (await import('../commands/index')).buildCommandTable();
        missing = missing.filter((n) => ours.has(n));
      }
      facts.missingCommands = missing;
    }

    const list = await c.call(['ACL', 'LIST']);
    if (Array.isArray(list)) {
      facts.users = parseAclList(list.map(String));
      const jobs: Promise<RespValue>[] = [];
      for (const u of facts.users) for (const argv of Object.values(DANGEROUS_PROBES)) jobs.push(c.call(['ACL', 'DRYRUN', u.name, ...argv]));
      const answers = await Promise.all(jobs);
      let i = 0;
      for (const u of facts.users) {
        const allowed: Record<string, boolean> = {};
        let usable = true;
        for (const label of Object.keys(DANGEROUS_PROBES)) {
          const a = answers[i++];
          if (isError(a) && /unknown (sub)?command/i.test(a.message)) usable = false;
          allowed[label] = a === 'OK';
        }
        u.allowed = usable ? allowed : null;
      }
    } else {
      facts.notes.push(`ACL LIST: ${String(list)}`);
    }

    const mods = await c.call(['MODULE', 'LIST']);
    if (Array.isArray(mods)) facts.modules = mods.map((m) => (Array.isArray(m) ? String(m[m.indexOf('name') + 1] ?? m[1]) : String(m)));

    // a bounded sample of values, every database that has keys
    const limit = opts.keySample ?? 1000;
    const dbs = Object.keys(fields).filter((k) => /^db\d+$/.test(k)).map((k) => Number(k.slice(2)));
    facts.suspiciousKeys = [];
    for (const db of dbs.length ? dbs : [t.db]) {
      if (facts.keysSampled >= limit) break;
      if (isError(await c.call(['SELECT', String(db)]))) continue;
      let cursor = '0';
      do {
        const r = await c.call(['SCAN', cursor, 'COUNT', '200']);
        if (!Array.isArray(r)) { facts.notes.push(`SCAN: ${String(r)}`); break; }
        cursor = String(r[0]);
        const keys = (r[1] as RespValue[]).map(String).slice(0, limit - facts.keysSampled);
        const types = await Promise.all(keys.map((k) => c.call(['TYPE', k])));
        const vals = await Promise.all(keys.map((k, i) => (types[i] === 'string' ? c.call(['GETRANGE', k, '0', '4095']) : Promise.resolve(null))));
        keys.forEach((k, i) => {
          const why = typeof vals[i] === 'string' ? suspiciousValue(vals[i] as string) : null;
          if (why) facts.suspiciousKeys!.push({ key: dbs.length > 1 ? `db${db}:${k}` : k, reason: why });
        });
        facts.keysSampled += keys.length;
      } while (cursor !== '0' && facts.keysSampled < limit);
    }
    await c.call(['SELECT', String(t.db)]).catch(() => null);
  } finally {
    c.close();
  }

  const http = await firstReply(ep, 'POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n');
  facts.crossProtocol = http === 'closed' ? 'closed' : http === 'timeout' ? null : 'answered';
  if (t.tls) facts.tls = await tlsProbe(t, opts.tls);
  if (opts.checkWeakPasswords) facts.weakPasswords = await weakPasswords(ep, facts.users, opts.guessDelayMs ?? 100);
  return facts;
}

export async function collectConfig(file: string): Promise<Facts> {
  const { ConfigRegistry } = await import('../config/registry');
  const { DIRECTIVES } = await import('../config/directives');
  const { ConfigLoader } = await import('../config/file');
  const { buildCommandTable } = await import('../commands/index');
  const { Acl } = await import('../security/acl');
  const { loadUsersAtStartup } = await import('../security/aclfile');
  const facts = emptyFacts('config', file);
  facts.product = 'redoubt';
  facts.version = null;
  const config = new ConfigRegistry(DIRECTIVES);
  const loader = new ConfigLoader(config, { commandNames: buildCommandTable().keys() });
  const cwd = process.cwd();
  let dir = cwd;
  try {
    // the loader's text entry point: `load` would also create the log file, which an audit must not
    (loader as unknown as { loadText(p: { text: string; file: string }[]): void }).loadText([{ text: fs.readFileSync(file, 'latin1'), file }]);
  } finally {
    dir = process.cwd();
    process.chdir(cwd);
  }
  facts.config = configFacts(config);
  facts.config.dir = dir;
  const commands = buildCommandTable(config);
  facts.renames = (config.get('rename-command') as [string, string][] | undefined) ?? [];
  facts.missingCommands = missingCommands(commands, buildCommandTable().keys());
  const acl = new Acl({ commands, config });
  const rp = config.get('requirepass') as string;
  if (rp) acl.setDefaultPassword(rp);
  const errs = loadUsersAtStartup(acl, config);
  if (errs !== null) facts.notes.push(`users: ${errs[errs.length - 1]}`);
  else facts.users = usersFromAcl(acl, commands);
  const certFile = config.get('tls-cert-file') as string;
  if (certFile && (config.get('tls-port') as number) !== 0) {
    facts.tls = { protocols: {}, clientCert: 'unknown', cert: certFromFile(certFile) };
  }
  return facts;
}
