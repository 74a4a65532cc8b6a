/*
 * A self-contained HTML report: inline CSS and inline SVG only (no scripts, fonts, images or any
 * external resource), so it can be mailed, archived or opened offline. The visual summary is a
 * score dial and a bar per severity; findings follow in a table grouped by severity. Every value
 * from the audited server is HTML-escaped: key names and evidence are attacker-controlled text.
 */

import { PRACTICES, SEVERITIES } from '../checks/index';
import type { AuditResult } from './result';

const COLOUR: Record<string, string> = { critical: '#7b1fa2', high: '#d32f2f', medium: '#f57c00', low: '#0288d1', info: '#757575' };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)
    // control bytes from binary key names would make the document invalid
    .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function dial(score: number): string {
  const r = 54;
  const len = 2 * Math.PI * r;
  const colour = score >= 90 ? '#2e7d32' : score >= 70 ? '#f9a825' : score >= 40 ? '#ef6c00' : '#c62828';
  return `<svg id="score-dial" width="140" height="140" viewBox="0 0 140 140" role="img" aria-label="score ${score} of 100">
<circle cx="70" cy="70" r="${r}" fill="none" stroke="#e0e0e0" stroke-width="14"/>
<circle cx="70" cy="70" r="${r}" fill="none" stroke="${colour}" stroke-width="14" stroke-dasharray="${(len * score) / 100} ${len}" transform="rotate(-90 70 70)"/>
<text x="70" y="78" text-anchor="middle" font-size="30" font-weight="bold" fill="#212121">${score}</text></svg>`;
}

function bars(r: AuditResult): string {
  const max = Math.max(1, ...SEVERITIES.map((s) => r.counts[s]));
  const rows = SEVERITIES.map((s, i) => {
    const w = Math.round((r.counts[s] / max) * 220);
    return `<text x="0" y="${i * 24 + 15}" font-size="13">${s}</text><rect x="70" y="${i * 24 + 3}" width="${w}" height="16" fill="${COLOUR[s]}"/><text x="${76 + w}" y="${i * 24 + 16}" font-size="13">${r.counts[s]}</text>`;
  }).join('');
  return `<svg id="severity-bars" width="330" height="${SEVERITIES.length * 24}" role="img" aria-label="findings by severity">${rows}</svg>`;
}

export function renderHtml(r: AuditResult): string {
  const e = escapeHtml;
  const groups = SEVERITIES.map((sev) => {
    const list = r.findings.filter((f) => f.severity === sev);
    if (list.length === 0) return '';
    return `<h2 style="color:${COLOUR[sev]}">${sev} (${list.length})</h2>
<table><thead><tr><th>Check</th><th>Finding</th><th>Evidence</th><th>Remediation</th><th>Practice</th></tr></thead><tbody>
${list.map((f) => `<tr class="finding ${sev}"><td><code>${e(f.id)}</code></td><td>${e(f.title)}</td><td>${e(f.evidence)}</td><td>${e(f.remediation)}</td><td>${f.practice}. ${e(PRACTICES[f.practice])}</td></tr>`).join('\n')}
</tbody></table>`;
  }).join('\n');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Redoubt audit: ${e(r.target)}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em;color:#212121;max-width:1200px}
header{display:flex;gap:2em;align-items:center;border-bottom:1px solid #e0e0e0;padding-bottom:1em}
table{border-collapse:collapse;width:100%;margin-bottom:1.5em;font-size:14px}
th,td{border:1px solid #e0e0e0;padding:6px 8px;text-align:left;vertical-align:top}
th{background:#fafafa} code{font-size:12px} h2{text-transform:capitalize;margin-top:1.5em}
.meta{color:#616161;font-size:14px}
</style></head>
<body>
<header>
${dial(r.score)}
<div id="summary">
<h1>Security audit</h1>
<p><strong>Target:</strong> ${e(r.target)} (${e(r.mode)})<br>
<strong>Server:</strong> ${e(r.product)} ${e(r.version ?? '')}<br>
<strong>Score:</strong> <span id="score">${r.score}</span>/100<br>
<strong>Findings:</strong> ${SEVERITIES.map((s) => `<span class="count" data-severity="${s}">${r.counts[s]} ${s}</span>`).join(', ')}</p>
<p class="meta">Generated ${e(r.generatedAt)} by ${e(r.tool.name)} ${e(r.tool.version)}</p>
</div>
${bars(r)}
</header>
<main>
${r.findings.length ? groups : '<p id="no-findings">No findings.</p>'}
${r.notes.length ? `<h2>Not checked</h2><ul>${r.notes.map((n) => `<li>${e(n)}</li>`).join('')}</ul>` : ''}
</main>
</body></html>
`;
}
