/*
 * The terminal report: a header with the target and the score, then the findings grouped by
 * severity (worst first), each with evidence and remediation. Colour only when asked (a TTY).
 */

import { PRACTICES, SEVERITIES } from '../checks/index';
import type { AuditResult } from './result';

const COLOUR: Record<string, string> = { critical: '\x1b[1;35m', high: '\x1b[1;31m', medium: '\x1b[33m', low: '\x1b[36m', info: '\x1b[2m' };

export function renderTerminal(r: AuditResult, colour = false): string {
  const c = (sev: string, s: string) => (colour ? `${COLOUR[sev]}${s}\x1b[0m` : s);
  const out: string[] = [];
  out.push(`Redoubt security audit of ${r.target} (${r.mode === 'config' ? 'configuration file' : r.mode})`);
  out.push(`Server: ${r.product}${r.version ? ' ' + r.version : ''}    Score: ${r.score}/100`);
  out.push(`Findings: ${SEVERITIES.map((s) => `${r.counts[s]} ${s}`).join(', ')}`);
  for (const sev of SEVERITIES) {
    const list = r.findings.filter((f) => f.severity === sev);
    if (list.length === 0) continue;
    out.push('', c(sev, `== ${sev.toUpperCase()} (${list.length}) ==`));
    for (const f of list) {
      out.push(`[${f.id}] ${f.title}`);
      out.push(`    evidence:    ${f.evidence}`);
      out.push(`    remediation: ${f.remediation}`);
      out.push(`    practice:    ${f.practice}. ${PRACTICES[f.practice]}`);
    }
  }
  if (r.notes.length) {
    out.push('', 'Not checked:');
    for (const n of r.notes) out.push(`    ${n}`);
  }
  return out.join('\n') + '\n';
}
