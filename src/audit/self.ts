/*
 * Self-audit: the auditor's configuration checks run inside Redoubt, over the live configuration
 * registry and ACL (no network probes: the server does not connect to itself). They run at
 * start-up and after every successful CONFIG SET; ACL changes are picked up by AUDIT RUN and by
 * the next CONFIG SET. Findings at high or critical are logged at warning level (at start-up all
 * of them; afterwards only those the change introduced), the rest at verbose.
 *
 * State lives in a WeakMap keyed by the server, so the server object needs no field for it; the
 * cost on the request path is nil (nothing runs per command).
 */

import type { Server } from '../server/server';
import { countBySeverity, runChecks, score, SEVERITIES, SEVERITY_RANK, emptyFacts, type Facts, type Finding } from './checks/index';
import { certFromFile, configFacts, missingCommands, usersFromAcl } from './facts-local';
import { buildCommandTable } from '../commands/index';

export class SelfAudit {
  findings: Finding[] = [];
  lastRun = 0;
  runs = 0;
  private fullTable: string[] | null = null;

  constructor(private readonly server: Server) {}

  facts(): Facts {
    const s = this.server;
    const f = emptyFacts('self', s.config.configFile ?? '(no config file)');
    f.product = 'redoubt';
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    f.version = require('../../../package.json').version as string;
    f.archBits = 64;
    f.config = configFacts(s.config);
    f.renames = (s.config.get('rename-command') as [string, string][] | undefined) ?? [];
    this.fullTable ??= [...buildCommandTable().keys()];
    f.missingCommands = missingCommands(s.commands, this.fullTable);
    f.users = usersFromAcl(s.acl, s.commands);
    const certFile = s.config.get('tls-cert-file') as string;
    if (certFile && (s.config.get('tls-port') as number) !== 0) f.tls = { protocols: {}, clientCert: 'unknown', cert: certFromFile(certFile) };
    const repl = s.infoString(['replication']);
    const field = (n: string) => new RegExp(`^${n}:(.*)$`, 'm').exec(repl)?.[1]?.trim() ?? null;
    f.replication = { role: field('role') ?? 'master', masterHost: field('master_host'), masterPort: field('master_port'), linkStatus: field('master_link_status'), connectedReplicas: Number(field('connected_slaves') ?? 0) };
    f.stats = { acl_access_denied_auth: s.stats.aclDeniedAuth };
    return f;
  }

  run(reason: 'startup' | 'config-set' | 'command'): Finding[] {
    const before = new Set(this.findings.map((x) => `${x.id}\0${x.title}`));
    this.findings = runChecks(this.facts());
    this.lastRun = Date.now();
    this.runs++;
    if (reason === 'command') return this.findings;
    for (const x of this.findings) {
      const fresh = reason === 'startup' || !before.has(`${x.id}\0${x.title}`);
      if (!fresh) continue;
      const level = SEVERITY_RANK[x.severity] >= SEVERITY_RANK.high ? 'warning' : 'verbose';
      this.server.log(level, `Security audit (${x.severity}) [${x.id}] ${x.title}: ${x.evidence} Fix: ${x.remediation}`);
    }
    if (reason === 'startup') {
      const c = countBySeverity(this.findings);
      this.server.log('notice', `Security audit: score ${score(this.findings)}/100 (${SEVERITIES.map((s) => `${c[s]} ${s}`).join(', ')}); AUDIT FINDINGS lists them`);
    }
    return this.findings;
  }

  infoLines(): [string, string | number][] {
    const c = countBySeverity(this.findings);
    return [
      ['audit_score', score(this.findings)],
      ...SEVERITIES.map((s) => [`audit_findings_${s}`, c[s]] as [string, number]),
      ['audit_last_run', Math.floor(this.lastRun / 1000)],
      ['audit_runs', this.runs],
    ];
  }
}

const audits = new WeakMap<Server, SelfAudit>();

export function selfAudit(server: Server): SelfAudit {
  let a = audits.get(server);
  if (a === undefined) {
    a = new SelfAudit(server);
    audits.set(server, a);
  }
  return a;
}

/** Start-up run, and a re-run after each CONFIG SET once it has been applied. */
export function startSelfAudit(server: Server): void {
  const a = selfAudit(server);
  try {
    a.run('startup');
  } catch (e) {
    server.log('warning', `Security audit failed: ${(e as Error).message}`);
  }
  server.config.onCommit(() => {
    // after the SET is final (a later commit check may still roll it back): next turn
    setImmediate(() => {
      try { a.run('config-set'); } catch (e) { server.log('warning', `Security audit failed: ${(e as Error).message}`); }
    });
  });
}
