/*
 * `redoubt audit URL|--config FILE [options]`: collects facts, runs the checks, prints a report.
 *
 * Exit status: 0 when no finding is at or above --fail-on (default high), 1 when one is, 2 when
 * the audit itself could not run (bad arguments, unreachable server, failed AUTH, unreadable
 * configuration file). The weak-password check only runs with --check-weak-passwords: guessing
 * passwords is an attack, and it must be asked for.
 */

import * as fs from 'node:fs';
import { collectConfig, collectLive, type CollectOptions } from './collect';
import { parseSeverity, SEVERITY_RANK, type Severity } from './checks/index';
import { buildResult } from './report/result';
import { renderTerminal } from './report/terminal';
import { renderSarif } from './report/sarif';
import { renderHtml } from './report/html';

export const AUDIT_USAGE = `Usage: redoubt audit <redis://[[user]:[password]@]host[:port][/db] | rediss://...> [options]
       redoubt audit --config <redis.conf> [options]

Options:
  --json                   JSON report on stdout
  --sarif                  SARIF 2.1.0 report on stdout (for CI code scanning)
  --html <file>            also write a self-contained HTML report to <file>
  --output <file>          write the JSON/SARIF/terminal report to <file> instead of stdout
  --fail-on <severity>     exit 1 when a finding is at or above: critical|high|medium|low|info|none
                           (default: high)
  --check-weak-passwords   try a short list of common passwords against every user (rate-limited)
  --keys <n>               how many keys to sample for SSH keys and cron lines (default 1000)
  --cacert <file>          CA certificate to verify the server (rediss://)
  --cert <file>, --key <file>  client certificate and key (rediss://)
  --insecure               do not verify the server certificate
  --sni <name>             server name for TLS
`;

interface Args {
  url: string | null; config: string | null; format: 'text' | 'json' | 'sarif'; html: string | null;
  output: string | null; failOn: Severity | 'none'; collect: CollectOptions;
}

function parseArgs(argv: string[]): Args | string {
  const a: Args = { url: null, config: null, format: 'text', html: null, output: null, failOn: 'high', collect: { tls: {} } };
  for (let i = 0; i < argv.length; i++) {
    const o = argv[i];
    const val = (): string => {
      if (i + 1 >= argv.length) throw new Error(`${o} needs a value`);
      return argv[++i];
    };
    try {
      switch (o) {
        case '--json': a.format = 'json'; break;
        case '--sarif': a.format = 'sarif'; break;
        case '--html': a.html = val(); break;
        case '--output': case '-o': a.output = val(); break;
        case '--config': a.config = val(); break;
        case '--check-weak-passwords': a.collect.checkWeakPasswords = true; break;
        case '--keys': a.collect.keySample = Number(val()); break;
        case '--cacert': a.collect.tls!.cacert = val(); break;
        case '--cert': a.collect.tls!.cert = val(); break;
        case '--key': a.collect.tls!.key = val(); break;
        case '--sni': a.collect.tls!.sni = val(); break;
        case '--insecure': a.collect.tls!.insecure = true; break;
        case '--fail-on': {
          const v = val();
          const s = v.toLowerCase() === 'none' ? 'none' : parseSeverity(v);
          if (s === null) return `--fail-on: unknown severity '${v}' (critical, high, medium, low, info or none)`;
          a.failOn = s;
          break;
        }
        case '-h': case '--help': return '';
        default:
          if (o.startsWith('-') || a.url !== null) return `Unknown or repeated argument '${o}'`;
          a.url = o;
      }
    } catch (e) {
      return (e as Error).message;
    }
  }
  if ((a.url === null) === (a.config === null)) return 'Give either a server URL or --config FILE';
  if (a.collect.keySample !== undefined && !(a.collect.keySample >= 0)) return '--keys needs a number';
  return a;
}

export async function auditMain(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
  const a = parseArgs(argv);
  if (typeof a === 'string') {
    process.stderr.write((a ? a + '\n\n' : '') + AUDIT_USAGE);
    return a ? 2 : 0;
  }
  let facts;
  try {
    facts = a.config !== null ? await collectConfig(a.config) : await collectLive(a.url!, a.collect);
  } catch (e) {
    const err = e as Error & { reason?: string; lineNumber?: number | null; file?: string | null };
    const where = err.lineNumber ? ` (line ${err.lineNumber}${err.file ? ` of ${err.file}` : ''})` : '';
    process.stderr.write(`redoubt audit: ${err.message}${where}\n`);
    return 2;
  }
  const result = buildResult(facts);
  const text = a.format === 'json' ? JSON.stringify(result, null, 2) + '\n'
    : a.format === 'sarif' ? JSON.stringify(renderSarif(result), null, 2) + '\n'
      : renderTerminal(result, a.output === null && process.stdout.isTTY === true);
  if (a.output !== null) fs.writeFileSync(a.output, text, { mode: 0o600 });
  else out(text);
  if (a.html !== null) fs.writeFileSync(a.html, renderHtml(result), { mode: 0o600 });
  if (a.failOn === 'none') return 0;
  const threshold = SEVERITY_RANK[a.failOn];
  return result.findings.some((f) => SEVERITY_RANK[f.severity] >= threshold) ? 1 : 0;
}
