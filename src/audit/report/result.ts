/*
 * The result every report renders: findings (sorted, worst first), score, counts, and a summary
 * of the facts that is safe to publish (no password hashes, no configuration secrets).
 */

import { countBySeverity, runChecks, score, type Facts, type Finding, type Severity } from '../checks/index';

export interface AuditResult {
  tool: { name: string; version: string };
  generatedAt: string;
  target: string;
  mode: Facts['mode'];
  product: string;
  version: string | null;
  score: number;
  counts: Record<Severity, number>;
  findings: Finding[];
  notes: string[];
}

export function toolVersion(): string {
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    return require('../../../../package.json').version as string;
  } catch {
    return '0.0.0';
  }
}

export function buildResult(facts: Facts, now = new Date()): AuditResult {
  const findings = runChecks(facts);
  return {
    tool: { name: 'redoubt audit', version: toolVersion() },
    generatedAt: now.toISOString(),
    target: facts.target, mode: facts.mode, product: facts.product, version: facts.version,
    score: score(findings), counts: countBySeverity(findings), findings, notes: facts.notes,
  };
}
