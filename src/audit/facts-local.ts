/*
 * Facts read from in-process objects rather than over the wire: the users of an Acl (with the
 * dangerous-command probes answered by the same check ACL DRYRUN uses), a configuration
 * registry's effective values with secrets redacted, and a PEM certificate file's expiry and key.
 * Used by `redoubt audit --config` (a registry loaded from the file) and by the server's
 * self-audit (the live registry and ACL), so both grade exactly what the server would run.
 */

import * as fs from 'node:fs';
import * as crypto from 'node:crypto';
import type { Acl } from '../security/acl';
import type { Command } from '../commands/table';
import type { ConfigRegistry } from '../config/registry';
import { globMatch } from '../data/glob';
import { describeUser } from '../security/acldescribe';
import { DANGEROUS_PROBES, RENAMEABLE, type TlsFacts, type UserFact } from './checks/types';

/** Finds a command by its original name, whatever rename-command did to the table. */
function original(commands: Map<string, Command>, argv: string[]): Command | undefined {
  let top: Command | undefined;
  for (const c of commands.values()) if (c.name === argv[0].toLowerCase()) { top = c; break; }
  if (top?.subcommands !== undefined) return top.subcommands.get((argv[1] ?? '').toLowerCase());
  return top;
}

export function usersFromAcl(acl: Acl, commands: Map<string, Command>): UserFact[] {
  return acl.sortedUsers().map((u) => {
    const allowed: Record<string, boolean> = {};
    for (const [label, argv] of Object.entries(DANGEROUS_PROBES)) {
      const cmd = original(commands, argv);
      allowed[label] = cmd !== undefined && acl.check(u, cmd, argv, true) === null;
    }
    return { name: u.name, enabled: u.enabled, nopass: u.nopass, hashes: [...u.passwords], rules: describeUser(u, acl.index).trim(), allowed };
  });
}

/** Names of the dangerous commands that are not in the (renamed) table but exist in `full`. */
export function missingCommands(commands: Map<string, Command>, full: Iterable<string>): string[] {
  const known = new Set(full);
  return RENAMEABLE.filter((n) => known.has(n) && !commands.has(n));
}

export function configFacts(config: ConfigRegistry): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of config.match(['*'], globMatch)) out[k] = redactValue(config, k, v);
  return out;
}

export function redactValue(config: ConfigRegistry | null, name: string, value: string): string {
  const sensitive = config?.lookup(name)?.sensitive ?? ['requirepass', 'masterauth', 'masteruser', 'tls-key-file-pass', 'tls-client-key-file-pass'].includes(name);
  return sensitive && value !== '' ? '[redacted]' : value;
}

/** Expiry, key size and issuer of the first certificate in a PEM file; null when unreadable. */
export function certFromPem(pem: string | Buffer, now = Date.now()): TlsFacts['cert'] {
  try {
    const x = new crypto.X509Certificate(pem);
    const key = x.publicKey;
    const det = key.asymmetricKeyDetails ?? {};
    const keyType = key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss' ? 'RSA' : key.asymmetricKeyType === 'ec' ? 'EC' : String(key.asymmetricKeyType ?? 'unknown').toUpperCase();
    const curveBits: Record<string, number> = { prime256v1: 256, secp384r1: 384, secp521r1: 521, secp224r1: 224, secp192r1: 192, 'P-256': 256, 'P-384': 384, 'P-521': 521 };
    const keyBits = keyType === 'RSA' ? det.modulusLength ?? 0 : keyType === 'EC' ? curveBits[det.namedCurve ?? ''] ?? 0 : 256;
    const validTo = new Date(x.validTo).toISOString();
    return {
      subject: x.subject.replace(/\n/g, ', '), issuer: x.issuer.replace(/\n/g, ', '),
      selfSigned: x.subject === x.issuer && x.verify(key),
      validTo, daysLeft: (Date.parse(x.validTo) - now) / 86400000, keyType, keyBits,
    };
  } catch {
    return null;
  }
}

export function certFromFile(file: string): TlsFacts['cert'] {
  try {
    return certFromPem(fs.readFileSync(file));
  } catch {
    return null;
  }
}
