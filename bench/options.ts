/*
 * Command-line options shared by the benchmarks: `--name N` with a positive integer value.
 */

/** The positive integer after `name` on the command line, or `def` when absent. */
export function option(name: string, def: number): number {
  const i = process.argv.indexOf(name);
  if (i < 0) return def;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v <= 0) throw new Error(`${name} needs a positive integer`);
  return v;
}
