/*
 * Practices 1 and 2: authentication and least privilege. Who can connect without proving
 * anything, which users need no password or share one, which passwords are guessable, and which
 * users ACL DRYRUN says may run the commands that hand over the whole server.
 */

import { type Check, DANGEROUS_PROBES, TAKEOVER } from './types';
import { allowedList, conf, defaultUser, exposedAddrs, plural } from './util';

const SHA256 = /^[0-9a-f]{64}$/;

export const ACCESS_CHECKS: Check[] = [
  {
    id: 'auth.unauthenticated-access', practice: 1, severity: 'critical', title: 'Commands run without authentication',
    description: 'A client that sends no credentials is served.',
    run(f) {
      const r = f.unauthReply;
      if (r === null || r === 'closed' || r.startsWith('-')) return [];
      return [{ severity: 'critical', title: this.title,
        evidence: `PING from a connection without credentials was answered ${JSON.stringify(r)}: anyone who reaches ${f.target} can read, change and delete every key.`,
        remediation: 'Set a password (requirepass, or `user default on >long-secret ...`), or disable the default user and create ACL users.' }];
    },
  },
  {
    id: 'auth.protected-mode-banner', practice: 1, severity: 'medium', title: 'The server tells strangers it has no password',
    description: 'Protected mode answers -DENIED, which reveals that the default user needs no password.',
    run(f) {
      if (f.unauthReply === null || !f.unauthReply.startsWith('-DENIED')) return [];
      return [{ severity: 'medium', title: this.title,
        evidence: 'A connection without credentials got the -DENIED protected-mode banner ("no password is set for the default user").',
        remediation: 'Set a password for the default user; protected mode is a safety net, not access control.' }];
    },
  },
  {
    id: 'auth.default-nopass', practice: 1, severity: 'critical', title: 'The default user needs no password',
    description: 'Every connection is logged in as `default` without credentials.',
    run(f) {
      const d = defaultUser(f);
      if (d === null || !d.enabled || !d.nopass) return [];
      const exposed = exposedAddrs(f);
      const pm = conf(f, 'protected-mode');
      const bind = conf(f, 'bind');
      const where = exposed === null ? 'the bind addresses are unknown'
        : exposed.length ? `bind "${bind}" listens on ${exposed.join(', ')}, reachable from other hosts`
          : `bind "${bind}" listens on loopback only`;
      let severity: 'critical' | 'high' | 'medium' = 'medium';
      let remote: string;
      if (exposed !== null && exposed.length && pm === 'no') {
        severity = 'critical';
        remote = 'a remote attacker who reaches the port gets full access with no password';
      } else if (exposed !== null && exposed.length) {
        severity = 'high';
        remote = 'only protected mode stands between remote clients and full access';
      } else if (pm === 'no') {
        severity = 'high';
        remote = 'a remote attacker cannot connect today, but protected-mode is off: the moment bind includes a public address, anyone gets full access without a password';
      } else {
        remote = 'every local user and process on the host has full access';
      }
      return [{ severity, title: this.title,
        evidence: `default user: on, nopass; ${where}; protected-mode ${pm ?? 'unknown'}: ${remote}.`,
        remediation: 'requirepass <long random secret> (or `user default on >secret ...`), or `user default off` with named ACL users; keep protected-mode yes.' }];
    },
  },
  {
    id: 'auth.user-nopass', practice: 1, severity: 'high', title: 'ACL users without a password',
    description: 'Users with `nopass` accept any password.',
    run(f) {
      if (f.users === null) return [];
      const users = f.users.filter((u) => u.name !== 'default' && u.enabled && u.nopass);
      if (users.length === 0) return [];
      const certOnly = conf(f, 'tls-auth-clients-user') === 'CN';
      return [{ severity: certOnly ? 'low' : 'high', title: this.title,
        evidence: `${users.map((u) => u.name).join(', ')}: on, nopass${certOnly ? ' (tls-auth-clients-user CN: only a verified certificate naming the user logs in)' : ': AUTH with any password succeeds'}.`,
        remediation: 'Give each user a long random password (`ACL SETUSER name resetpass >secret`), or `off`.' }];
    },
  },
  {
    id: 'auth.weak-password', practice: 1, severity: 'critical', title: 'A guessable password works',
    description: 'A password from the built-in list of common and default passwords was accepted.',
    run(f) {
      if (f.weakPasswords === null || f.weakPasswords.length === 0) return [];
      return [{ severity: 'critical', title: this.title,
        evidence: f.weakPasswords.map((w) => `user ${w.user} accepts ${JSON.stringify(w.password)}`).join('; '),
        remediation: 'Replace it with a long random secret (`ACL GENPASS`): online guessing tries these first.' }];
    },
  },
  {
    id: 'auth.unsalted-hashes', practice: 1, severity: 'low', title: 'Passwords stored as unsalted SHA-256',
    description: 'ACL LIST, ACL files and backups expose fast, unsalted hashes that can be guessed offline.',
    run(f) {
      if (f.users === null) return [];
      const users = f.users.filter((u) => u.hashes.some((h) => SHA256.test(h)));
      if (users.length === 0) return [];
      return [{ severity: 'low', title: this.title,
        evidence: `${plural(users.length, 'user')} (${users.map((u) => u.name).join(', ')}) have SHA-256 password hashes (about 10^5-10^6 offline guesses per second per core).`,
        remediation: f.product === 'redoubt' ? 'acl-password-hash scrypt (the default), then set the passwords again.' : 'Use long random passwords (ACL GENPASS) so that fast hashes do not matter, and protect ACL files and backups.' }];
    },
  },
  {
    id: 'auth.shared-password', practice: 1, severity: 'medium', title: 'Several users share a password',
    description: 'Identical password hashes on different users.',
    run(f) {
      if (f.users === null) return [];
      const byHash = new Map<string, string[]>();
      for (const u of f.users) for (const h of new Set(u.hashes)) if (SHA256.test(h)) byHash.set(h, [...(byHash.get(h) ?? []), u.name]);
      const shared = [...byHash.values()].filter((names) => names.length > 1);
      if (shared.length === 0) return [];
      return [{ severity: 'medium', title: this.title,
        evidence: shared.map((n) => n.join(' and ')).join('; ') + ' have the same password.',
        remediation: 'One secret per user, so that one leak or one rotation concerns one identity.' }];
    },
  },
  {
    id: 'auth.failures', practice: 1, severity: 'medium', title: 'Failed authentications recorded',
    description: 'INFO acl_access_denied_auth counts rejected AUTH attempts since the last reset.',
    run(f) {
      const n = f.stats?.acl_access_denied_auth;
      if (n === undefined || n === 0) return [];
      return [{ severity: n >= 100 ? 'medium' : 'info', title: this.title,
        evidence: `acl_access_denied_auth:${n} (see ACL LOG for sources).`,
        remediation: 'Find the clients in ACL LOG; many failures from one address are password guessing.' }];
    },
  },
  {
    id: 'auth.no-guessing-limit', practice: 8, severity: 'low', title: 'No limit on password guessing',
    description: 'Redis and Valkey accept unlimited AUTH attempts per connection and per address.',
    run(f) {
      if (f.product !== 'redis' && f.product !== 'valkey') return [];
      return [{ severity: 'low', title: this.title,
        evidence: `${f.product} has no AUTH throttling or lockout: one client can try hundreds of thousands of passwords per second.`,
        remediation: 'Use long random passwords, limit who can connect (firewall, TLS client certificates), or run Redoubt (brute-force lockout built in).' }];
    },
  },
  {
    id: 'acl.default-user-admin', practice: 2, severity: 'medium', title: 'The shared default user is an administrator',
    description: 'Clients that AUTH with just a password get the default user, which may reconfigure the server.',
    run(f) {
      const d = f.users?.find((u) => u.name === 'default');
      if (d === undefined || !d.enabled || d.nopass) return [];
      const can = allowedList(d, TAKEOVER);
      if (can.length === 0) return [];
      return [{ severity: 'medium', title: this.title,
        evidence: `default (password) may run ${can.join(', ')}.`,
        remediation: 'Create named users per application with only the commands and keys they need; restrict or disable `default` (`user default off`).' }];
    },
  },
  {
    id: 'acl.administrators', practice: 2, severity: 'medium', title: 'Users able to take over the server',
    description: 'ACL DRYRUN of CONFIG SET, DEBUG, MODULE LOAD, REPLICAOF and ACL SETUSER for every enabled user.',
    run(f) {
      if (f.users === null) return [];
      const admins = f.users.filter((u) => u.enabled && allowedList(u, TAKEOVER).length > 0);
      if (admins.length === 0) return [];
      const detail = admins.map((u) => `${u.name} (${allowedList(u, TAKEOVER).join(', ')})`).join('; ');
      return [{ severity: admins.length > 1 ? 'medium' : 'info', title: admins.length > 1 ? 'Several users can take over the server' : 'One administrator user',
        evidence: `${plural(admins.length, 'enabled user')} may reconfigure the server: ${detail}.`,
        remediation: 'Keep a single administrator identity; give applications `-@dangerous` and key patterns.' }];
    },
  },
  {
    id: 'acl.dangerous-commands', practice: 2, severity: 'medium', title: 'Non-administrator users can run dangerous commands',
    description: 'ACL DRYRUN of FLUSHALL, KEYS, SHUTDOWN, MIGRATE, RESTORE, EVAL, MONITOR... for users that are not administrators.',
    run(f) {
      if (f.users === null) return [];
      const labels = Object.keys(DANGEROUS_PROBES).filter((l) => !TAKEOVER.includes(l));
      const out = [];
      for (const u of f.users) {
        if (!u.enabled || allowedList(u, TAKEOVER).length > 0) continue;
        const can = allowedList(u, labels);
        if (can.length === 0) continue;
        out.push({ severity: 'medium' as const, title: `User ${u.name} can run dangerous commands`,
          evidence: `ACL DRYRUN ${u.name}: allowed ${can.join(', ')}.`,
          remediation: `ACL SETUSER ${u.name} -@dangerous (and -flushall -flushdb -swapdb, which key patterns do not restrict).` });
      }
      return out;
    },
  },
  {
    id: 'acl.log-disabled', practice: 6, severity: 'low', title: 'ACL LOG disabled',
    description: 'acllog-max-len 0 keeps no record of refused commands and failed logins.',
    run(f) {
      if (conf(f, 'acllog-max-len') !== '0') return [];
      return [{ severity: 'low', title: this.title, evidence: 'acllog-max-len 0', remediation: 'acllog-max-len 128 (the default).' }];
    },
  },
];
