/*
 * The process title (set-proc-title, proc-title-template), as Redis 7.0 sets it: the template's
 * variables are expanded, the result trimmed of spaces, and it becomes what `ps` shows.
 *
 * Template grammar (Redis's sdstemplate): `{name}` is a variable, `{{` a literal `{`; a `}` outside a
 * variable is literal. An unknown name, `{}` or an unterminated `{` makes the template invalid; so
 * does one that expands to nothing when the title is empty (CONFIG SET checks that).
 */

export const TITLE_VARS = ['title', 'listen-addr', 'server-mode', 'port', 'tls-port', 'unixsocket', 'config-file'] as const;
export type TitleVar = (typeof TITLE_VARS)[number];

/** Expands `template` with `value(name)`; null when the template is invalid. Trimmed of spaces. */
export function expandTitle(template: string, value: (name: TitleVar) => string): string | null {
  let out = '';
  let p = 0;
  while (p < template.length) {
    const open = template.indexOf('{', p);
    if (open < 0) {
      out += template.slice(p);
      break;
    }
    out += template.slice(p, open);
    if (open + 1 >= template.length) return null;
    if (template[open + 1] === '{') {
      out += '{';
      p = open + 2;
      continue;
    }
    const close = template.indexOf('}', open + 1);
    if (close < 0) return null;
    const name = template.slice(open + 1, close);
    if (!(TITLE_VARS as readonly string[]).includes(name)) return null;
    out += value(name as TitleVar);
    p = close + 1;
  }
  return out.replace(/^ +| +$/g, '');
}

/** CONFIG SET's check: the template parses and says something even with an empty title. */
export function validTitleTemplate(template: string): boolean {
  const r = expandTitle(template, (name) => (name === 'title' || name === 'server-mode' || name === 'unixsocket' ? '' : name === 'config-file' ? '-' : '0'));
  return r !== null && r.length > 0;
}

/** What a configuration's variables expand to (Redis's redisProcTitleGetVariable). */
export function titleVariables(cfg: { get(name: string): unknown; configFile: string | null }, title: string, resolve: (p: string) => string): (name: TitleVar) => string {
  return (name) => {
    const port = Number(cfg.get('port'));
    const tlsPort = Number(cfg.get('tls-port'));
    switch (name) {
      case 'title': return title;
      case 'listen-addr': {
        const bind = cfg.get('bind') as string[];
        return port !== 0 || tlsPort !== 0 ? `${bind.length > 0 ? bind[0] : '*'}:${port !== 0 ? port : tlsPort}` : `unixsocket:${cfg.get('unixsocket')}`;
      }
      case 'server-mode': return '';
      case 'port': return String(port);
      case 'tls-port': return String(tlsPort);
      case 'unixsocket': return String(cfg.get('unixsocket') ?? '');
      case 'config-file': return cfg.configFile !== null ? resolve(cfg.configFile) : '-';
    }
  };
}
