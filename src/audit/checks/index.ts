/*
 * Every check, and the two derived figures the reports share: findings sorted by severity and
 * the 0-100 score. The score starts at 100 and loses a fixed weight per finding (critical 30,
 * high 15, medium 5, low 1, info 0), floored at 0: one critical finding alone brings a server
 * below 75, any high finding below 90.
 */

import { type Check, type Facts, type Finding, type Severity, SEVERITY_RANK, SEVERITIES } from './types';
import { ACCESS_CHECKS } from './access';
import { NETWORK_CHECKS } from './network';
import { SYSTEM_CHECKS } from './system';

export * from './types';

export const CHECKS: Check[] = [...ACCESS_CHECKS, ...NETWORK_CHECKS, ...SYSTEM_CHECKS];

export const WEIGHT: Record<Severity, number> = { critical: 30, high: 15, medium: 5, low: 1, info: 0 };

export function runChecks(facts: Facts): Finding[] {
  const out: Finding[] = [];
  for (const c of CHECKS) {
    let found: Omit<Finding, 'id' | 'practice'>[];
    try {
      found = c.run(facts);
    } catch (e) {
      found = [{ severity: 'info', title: `${c.id} could not run`, evidence: (e as Error).message, remediation: 'Report this as a bug in redoubt audit.' }];
    }
    for (const x of found) out.push({ id: c.id, practice: c.practice, ...x });
  }
  return out.sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity]);
}

export function score(findings: Finding[]): number {
  let s = 100;
  for (const f of findings) s -= WEIGHT[f.severity];
  return Math.max(0, s);
}

export function countBySeverity(findings: Finding[]): Record<Severity, number> {
  const c = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of findings) c[f.severity]++;
  return c;
}

export function parseSeverity(s: string): Severity | null {
  const l = s.toLowerCase();
  return (SEVERITIES as string[]).includes(l) ? (l as Severity) : null;
}
