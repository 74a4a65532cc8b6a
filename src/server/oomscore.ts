/*
 * oom-score-adj: how readily the Linux OOM killer picks this process, set from
 * oom-score-adj-values by role (primary, replica; the third value is for Redis's fork children,
 * which Redoubt does not have), as Redis 7.0's setOOMScoreAdj does:
 *  - `yes` and `relative` add the value to the score the process had before Redoubt first
 *    changed it; `absolute` writes the value itself; the result is clamped to -1000..1000;
 *  - `no` puts back that earlier score, if Redoubt changed it.
 * Applied at start-up, on CONFIG SET of either directive and when the role changes. A failed
 * write (no /proc, or a negative score without CAP_SYS_RESOURCE) is logged as Redis logs it; the
 * server then refuses the CONFIG SET that asked for it, and rolls back (which applies the old
 * values again).
 */

import * as fs from 'node:fs';

const FILE = '/proc/self/oom_score_adj';

export class OomScore {
  /** the score before Redoubt first changed it; null while it never has */
  private base: number | null = null;

  /** Sets the score for `mode` and the role's value; false (after logging) when it could not. */
  apply(mode: string, values: readonly number[], replica: boolean, log: (msg: string) => void): boolean {
    let val: number;
    if (mode !== 'no') {
      if (this.base === null) {
        try {
          this.base = parseInt(fs.readFileSync(FILE, 'latin1'), 10) || 0;
        } catch (e) {
          log(`Unable to read oom_score_adj: ${(e as Error).message}`);
          return false;
        }
      }
      val = values[replica ? 1 : 0];
      if (mode !== 'absolute') val += this.base;
      val = Math.max(-1000, Math.min(1000, val));
    } else if (this.base !== null) {
      val = this.base;
      this.base = null;
    } else {
      return true;
    }
    try {
      fs.writeFileSync(FILE, `${val}\n`);
      return true;
    } catch (e) {
      log(`Unable to write oom_score_adj: ${(e as Error).message}`);
      return false;
    }
  }
}
