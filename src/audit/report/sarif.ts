/*
 * SARIF 2.1.0 for CI pipelines (GitHub code scanning and others): one rule per check, one result
 * per finding. Levels: critical/high → error, medium → warning, low/info → note; the severity
 * itself is kept in properties and as `security-severity` (0-10) which code-scanning UIs read.
 * A configuration-file audit locates results in the file; a live audit uses a logical location.
 */

import { CHECKS, PRACTICES, type Severity } from '../checks/index';
import type { AuditResult } from './result';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { critical: 'error', high: 'error', medium: 'warning', low: 'note', info: 'note' };
const SCORE: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', info: '0.0' };

export function renderSarif(r: AuditResult): object {
  const rules = CHECKS.map((c) => ({
    id: c.id, name: c.id.replace(/[^a-zA-Z0-9]+(.)?/g, (_, ch: string | undefined) => (ch ?? '').toUpperCase()),
    shortDescription: { text: c.title },
    fullDescription: { text: c.description },
    help: { text: `Practice ${c.practice}: ${PRACTICES[c.practice]}` },
    defaultConfiguration: { level: LEVEL[c.severity] },
    properties: { tags: ['security', `practice-${c.practice}`], 'security-severity': SCORE[c.severity] },
  }));
  const index = new Map(rules.map((x, i) => [x.id, i]));
  const location = r.mode === 'config'
    ? { physicalLocation: { artifactLocation: { uri: r.target } } }
    : { logicalLocations: [{ name: r.target, kind: 'resource' }] };
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: { driver: { name: 'redoubt-audit', version: r.tool.version, informationUri: 'https://github.com/redoubt/redoubt/blob/main/docs/security.md', rules } },
      invocations: [{ executionSuccessful: true, endTimeUtc: r.generatedAt }],
      results: r.findings.map((f) => ({
        ruleId: f.id, ruleIndex: index.get(f.id),
        level: LEVEL[f.severity],
        message: { text: `${f.title}: ${f.evidence} Remediation: ${f.remediation}` },
        locations: [location],
        properties: { severity: f.severity, practice: f.practice },
      })),
      properties: { target: r.target, product: r.product, version: r.version, score: r.score },
    }],
  };
}
