/*
 * redis.conf loading with Redis 7.0's rules, so a Redis configuration file means the same here:
 *  - the file, then stdin (`-`), then the command-line options are concatenated into one text and
 *    read line by line; line numbers in errors count through that text, as Redis's do;
 *  - each line is trimmed, '#' lines and blank lines are skipped, the rest is split with
 *    sdssplitargs quoting ("..." with C escapes, '...' with \' only); directive names are
 *    case-insensitive; a single-value directive needs exactly one argument;
 *  - `include` loads another file (globs allowed: no match is not an error) with its own numbering;
 *  - a refused line stops start-up with Redis's "FATAL CONFIG FILE ERROR" report plus the file it
 *    came from: Redoubt never ignores a directive it does not honour.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError, type ConfigRegistry } from './registry';
import { repr, splitArgs } from '../protocol/sds';
import { DEPRECATED } from './directives';


/** A start-up configuration error, reported the way redis-server reports it. */
export class ConfigFileError extends Error {
  constructor(
    readonly reason: string,
    readonly lineNumber: number | null,
    readonly lineText: string | null,
    readonly file: string | null,
  ) {
    super(reason);
  }

  report(product: string): string {
    let s = `\n*** FATAL CONFIG FILE ERROR (${product}) ***\n`;
    if (this.lineNumber !== null) {
      s += `Reading the configuration file, at line ${this.lineNumber}\n>>> '${this.lineText}'\n`;
    }
    s += `${this.reason}\n`;
    if (this.file !== null) s += `(in ${this.file})\n`;
    return s;
  }
}

/** A file that cannot be read stops start-up before any parsing (Redis logs it and exits). */
export class ConfigOpenError extends Error {}

export interface LoadHooks {
  /** command names before renames, lower-case (for rename-command's checks) */
  commandNames?: Iterable<string>;
  /** receives "Reading config from stdin" and similar notices */
  log?: (msg: string) => void;
}

/** One piece of the concatenated text: which lines came from where (for the report). */
interface Piece { text: string; file: string | null }

function readFileOrThrow(file: string): string {
  try {
    return fs.readFileSync(file, 'latin1');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'No such file or directory' : err.code === 'EACCES' ? 'Permission denied' : err.code === 'EISDIR' ? 'Is a directory' : err.message;
    throw new ConfigOpenError(`Fatal error, can't open config file '${file}': ${why}`);
  }
}

/** glob(3) for `include`: wildcards in the last path component, results sorted. */
function expandInclude(pattern: string): string[] {
  if (!/[*?[]/.test(pattern)) return [pattern];
  const dir = path.dirname(pattern);
  const base = path.basename(pattern);
  if (/[*?[]/.test(dir)) throw new ConfigOpenError(`Fatal error, can't open config file '${pattern}': wildcards are only supported in the file name`);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const re = new RegExp('^' + base.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.').replace(/\[!/g, '[^') + '$');
  return names.filter((n) => !n.startsWith('.') && re.test(n)).sort().map((n) => path.join(dir, n));
}

export class ConfigLoader {
  private commands: Set<string>;
  private includeDepth = 0;

  constructor(private readonly registry: ConfigRegistry, private readonly hooks: LoadHooks = {}) {
    this.commands = new Set([...(hooks.commandNames ?? [])].map((c) => c.toLowerCase()));
  }

  /**
   * redis-server's loadServerConfig: `file` (may be null), then stdin text, then the options
   * built from the command line. Throws ConfigFileError or ConfigOpenError.
   */
  load(file: string | null, stdinText: string | null, options: string | null): void {
    const pieces: Piece[] = [];
    if (file !== null) {
      for (const f of expandInclude(file)) pieces.push({ text: readFileOrThrow(f), file: f });
    }
    if (stdinText !== null) {
      this.hooks.log?.('Reading config from stdin');
      pieces.push({ text: stdinText, file: '(stdin)' });
    }
    if (options !== null) pieces.push({ text: '\n' + options, file: null });
    this.loadText(pieces);
    const logfile = this.registry.get('logfile') as string;
    if (logfile !== '') {
      try {
        fs.closeSync(fs.openSync(logfile, 'a', 0o600));
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        const why = code === 'ENOENT' ? 'No such file or directory' : code === 'EACCES' ? 'Permission denied' : (e as Error).message;
        throw new ConfigFileError(`Can't open the log file: ${why}`, null, null, null);
      }
    }
  }

  private loadText(pieces: Piece[]): void {
    // Concatenate as Redis does, but remember where each line came from.
    const text = pieces.map((p) => p.text).join('');
    const lines = text.split('\n');
    const origin: (string | null)[] = [];
    let offset = 0;
    let pi = 0;
    let consumed = 0;
    for (const line of lines) {
      while (pi < pieces.length - 1 && offset >= consumed + pieces[pi].text.length) consumed += pieces[pi++].text.length;
      origin.push(pieces[pi]?.file ?? null);
      offset += line.length + 1;
    }
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i].replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
      if (line === '' || line[0] === '#') continue;
      try {
        this.line(line);
      } catch (e) {
        if (e instanceof ConfigFileError || e instanceof ConfigOpenError) throw e;
        throw new ConfigFileError((e as Error).message, i + 1, line, origin[i]);
      }
    }
  }

  private line(line: string): void {
    const argv = splitArgs(line);
    if (argv === null) throw new ConfigError('Unbalanced quotes in configuration line');
    if (argv.length === 0) return;
    const name = argv[0].toLowerCase();
    const argc = argv.length;
    const d = this.registry.lookup(name);
    if (d && !d.fileOnly) {
      if (!d.multiArg && argc !== 2) throw new ConfigError('wrong number of arguments');
      // as Redis 7.0: a multi-argument directive given one non-empty value (`--save "60 10"`) is split
      const words = d.multiArg && argc === 2 && argv[1] !== '' ? splitArgs(argv[1]) ?? [argv[1]] : argv.slice(1);
      this.registry.setAtStartup(d, words);
      return;
    }
    const dep = DEPRECATED[name];
    if (dep && dep[0] <= argc && argc <= dep[1]) return;
    if (name === 'include' && argc === 2) {
      if (++this.includeDepth > 32) throw new ConfigError('include nesting is too deep (an include loop?)');
      try {
        for (const f of expandInclude(argv[1])) this.loadText([{ text: readFileOrThrow(f), file: f }]);
      } finally {
        this.includeDepth--;
      }
    } else if (name === 'rename-command' && argc === 3) {
      const from = argv[1].toLowerCase();
      const to = argv[2].toLowerCase();
      if (!this.commands.has(from)) throw new ConfigError('No such command in rename-command');
      this.commands.delete(from);
      if (to !== '') {
        if (this.commands.has(to)) throw new ConfigError('Target command name already exists');
        this.commands.add(to);
      }
      this.registry.setAtStartup(d!, [argv[1], argv[2]]);
    } else if ((name === 'user' || name === 'loadmodule') && argc >= 2) {
      this.registry.setAtStartup(d!, argv.slice(1));
    } else if (name.includes('.')) {
      if (argc !== 2) throw new ConfigError('Module config specified without value');
      throw new ConfigError(`'${argv[0]}' is not supported by Redoubt: modules cannot be loaded into Redoubt`);
    } else if (name === 'sentinel') {
      this.registry.setAtStartup(d!, argv.slice(1));
    } else {
      throw new ConfigError('Bad directive or wrong number of arguments');
    }
  }
}

/**
 * redis-server's command line: `[configfile] [--name value ...] [-]`. The options become config
 * lines ("name" followed by each value quoted), so they go through the same parser as the file.
 */
export function parseCommandLine(args: string[]): { file: string | null; stdin: boolean; options: string } {
  let file: string | null = null;
  let stdin = false;
  let options = '';
  let j = 0;
  if (args.length > 0 && !args[0].startsWith('-')) {
    file = path.resolve(args[0]);
    j = 1;
  }
  let handledLast = true;
  for (; j < args.length; j++) {
    const a = args[j];
    if (a === '-' && (j === 0 || j === args.length - 1)) {
      stdin = true;
    } else if (handledLast && a.startsWith('--')) {
      if (options.length) options += '\n';
      options += a.slice(2) + ' ';
      const words = splitArgs(a) ?? [];
      if (words.length === 1) {
        // just a name: the following arguments are its values
        handledLast = false;
        if (a.toLowerCase() === '--save' && (j === args.length - 1 || args[j + 1].startsWith('--'))) {
          // `--save` with no value means `save ""`
          options += '""';
          handledLast = true;
        }
      } else {
        handledLast = true;
      }
    } else {
      options += reprArg(a) + ' ';
      handledLast = true;
    }
  }
  return { file, stdin, options };
}

/** Command-line words are UTF-8 text: quote their bytes. */
function reprArg(s: string): string {
  return repr(Buffer.from(s, 'utf8').toString('latin1'));
}
