/*
 * AUDIT: the server's own security findings (src/audit/self.ts), in the style of ACL LOG.
 *   AUDIT FINDINGS [<severity>]  the findings of the last run, worst first; with a severity, only
 *                                those at or above it. Each is a map: id, severity, title,
 *                                evidence, remediation, practice (a flat array in RESP2).
 *   AUDIT RUN                    re-runs the checks now (after ACL changes) and replies like FINDINGS.
 *   AUDIT SCORE                  the 0-100 score of the last run.
 *   AUDIT HELP
 * Admin command (@admin, @dangerous), not allowed in scripts: findings describe weaknesses.
 */

import { command, type CommandSpec } from './table';
import type { Ctx } from './context';
import { replyHelp } from './util';
import { selfAudit } from '../audit/self';
import { parseSeverity, score, SEVERITY_RANK, type Finding } from '../audit/checks/index';
import type { Server } from '../server/server';

const FLAGS = ['admin', 'noscript', 'loading', 'stale'] as const;

function replyFindings(ctx: Ctx, findings: Finding[]): void {
  ctx.reply.array(findings.length);
  for (const f of findings) {
    ctx.reply.map(6);
    ctx.reply.bulk('id'); ctx.reply.bulk(f.id);
    ctx.reply.bulk('severity'); ctx.reply.bulk(f.severity);
    ctx.reply.bulk('title'); ctx.reply.bulk(f.title);
    ctx.reply.bulk('evidence'); ctx.reply.bulk(f.evidence);
    ctx.reply.bulk('remediation'); ctx.reply.bulk(f.remediation);
    ctx.reply.bulk('practice'); ctx.reply.int(f.practice);
  }
}

function auditFindings(ctx: Ctx): void {
  const a = selfAudit(ctx.server as unknown as Server);
  if (a.runs === 0) a.run('command');
  let list = a.findings;
  if (ctx.argv.length > 3) return ctx.reply.error('ERR syntax error');
  if (ctx.argv.length === 3) {
    const min = parseSeverity(ctx.argv[2]);
    if (min === null) return ctx.reply.error('ERR severity must be one of critical, high, medium, low, info');
    list = list.filter((f) => SEVERITY_RANK[f.severity] >= SEVERITY_RANK[min]);
  }
  replyFindings(ctx, list);
}

function auditRun(ctx: Ctx): void {
  replyFindings(ctx, selfAudit(ctx.server as unknown as Server).run('command'));
}

function auditScore(ctx: Ctx): void {
  const a = selfAudit(ctx.server as unknown as Server);
  if (a.runs === 0) a.run('command');
  ctx.reply.int(score(a.findings));
}

const HELP = [
  'FINDINGS [<severity>]',
  '    The security findings of the last self-audit, worst first; only those at or',
  '    above <severity> (critical, high, medium, low, info) when given.',
  'RUN',
  '    Run the configuration and ACL checks now and reply with the findings.',
  'SCORE',
  '    The 0-100 score of the last self-audit.',
];

export const COMMANDS: CommandSpec[] = [
  command({
    name: 'audit', arity: -2,
    docs: { summary: 'Reports the server\'s own security findings (Redoubt).', since: '7.0.0', group: 'server', complexity: 'Depends on subcommand.' },
    subcommands: [
      command({ name: 'findings', arity: -2, flags: [...FLAGS],
        docs: { summary: 'Lists the findings of the last self-audit.', since: '7.0.0', group: 'server', complexity: 'O(N) where N is the number of findings.' },
        handler: auditFindings }),
      command({ name: 'run', arity: 2, flags: [...FLAGS],
        docs: { summary: 'Runs the self-audit now.', since: '7.0.0', group: 'server', complexity: 'O(U*C) where U is the number of users and C the number of probed commands.' },
        handler: auditRun }),
      command({ name: 'score', arity: 2, flags: [...FLAGS],
        docs: { summary: 'Returns the score of the last self-audit.', since: '7.0.0', group: 'server', complexity: 'O(N) where N is the number of findings.' },
        handler: auditScore }),
      command({ name: 'help', arity: 2, flags: ['loading', 'stale'],
        docs: { summary: 'Lists the AUDIT subcommands.', since: '7.0.0', group: 'server', complexity: 'O(1)' },
        handler: (ctx: Ctx) => replyHelp(ctx, HELP) }),
    ],
  }),
];
