/*
 * The latency monitor: LATENCY LATEST / HISTORY / RESET / GRAPH / DOCTOR, fed by the server's
 * slow spots as Redis's latency.c is.
 *
 * Design:
 *  - A named event source (a command run, the expire cycle, an AOF write or fsync, an eviction
 *    cycle) that took at least `latency-monitor-threshold` milliseconds adds a sample to that
 *    event's series. 0 turns sampling off; series already kept stay until LATENCY RESET.
 *  - A series is created on its first sample and holds the last SERIES_LEN samples in a ring:
 *    (unix second, latency in ms). A second sample in the same second keeps the larger latency,
 *    so a series spans at least SERIES_LEN seconds of spikes. `max` is the all-time high, which
 *    RESET alone clears.
 *  - Callers check `on` before measuring anything, so a disabled monitor costs one field read.
 *  - Events are listed in the order they first occurred (Redis lists them in hash order; clients
 *    treat the list as a set).
 * The doctor's report is Redoubt's own wording of the same analysis: per event the number of
 * spikes, their average and mean deviation, the period between them and the all-time high, then
 * advice keyed to the kinds of events seen.
 */

/** Samples kept per event (Redis's LATENCY_TS_LEN). */
export const SERIES_LEN = 160;

interface Series {
  /** unix seconds per slot, 0 = empty */
  time: number[];
  /** milliseconds per slot */
  latency: number[];
  /** the next slot to write */
  idx: number;
  /** all-time high in ms */
  max: number;
}

/** What the doctor reads about the rest of the server. */
export interface DoctorFacts {
  /** slowlog-log-slower-than in microseconds (< 0: disabled) */
  slowlogSlowerThan: number;
  appendfsync: string;
  hz: number;
}

/** avg / mean absolute deviation / period of one series, as latency.c's analyzeLatencyForEvent. */
interface Analysis {
  samples: number;
  avg: number;
  mad: number;
  /** seconds from the oldest sample to now, at least 1 */
  period: number;
  max: number;
}

export class LatencyMonitor {
  /** latency-monitor-threshold in ms; 0 = off */
  threshold = 0;
  private readonly series = new Map<string, Series>();

  /** Sampling is on: callers measure only then. */
  get on(): boolean {
    return this.threshold !== 0;
  }

  /** Adds a sample when `ms` reaches the threshold (latencyAddSampleIfNeeded). */
  addIfNeeded(event: string, ms: number, nowSec: number): void {
    if (this.threshold !== 0 && ms >= this.threshold) this.add(event, Math.floor(ms), nowSec);
  }

  add(event: string, ms: number, nowSec: number): void {
    let ts = this.series.get(event);
    if (ts === undefined) {
      ts = { time: new Array<number>(SERIES_LEN).fill(0), latency: new Array<number>(SERIES_LEN).fill(0), idx: 0, max: 0 };
      this.series.set(event, ts);
    }
    if (ms > ts.max) ts.max = ms;
    const prev = (ts.idx + SERIES_LEN - 1) % SERIES_LEN;
    if (ts.time[prev] === nowSec) {
      if (ms > ts.latency[prev]) ts.latency[prev] = ms;
      return;
    }
    ts.time[ts.idx] = nowSec;
    ts.latency[ts.idx] = ms;
    ts.idx = (ts.idx + 1) % SERIES_LEN;
  }

  /** Drops the series whose name equals `event` ignoring case, or every series; how many went. */
  reset(event?: string): number {
    let n = 0;
    const want = event?.toLowerCase();
    for (const name of [...this.series.keys()]) {
      if (want === undefined || name.toLowerCase() === want) {
        this.series.delete(name);
        n++;
      }
    }
    return n;
  }

  get size(): number {
    return this.series.size;
  }

  /** Per event: [name, time of the latest sample, its latency, all-time high]. */
  latest(): Array<[string, number, number, number]> {
    const out: Array<[string, number, number, number]> = [];
    for (const [name, ts] of this.series) {
      const last = (ts.idx + SERIES_LEN - 1) % SERIES_LEN;
      out.push([name, ts.time[last], ts.latency[last], ts.max]);
    }
    return out;
  }

  /** The samples of `event`, oldest first, as [time, latency]; undefined for an unknown event. */
  history(event: string): Array<[number, number]> | undefined {
    const ts = this.series.get(event);
    if (ts === undefined) return undefined;
    const out: Array<[number, number]> = [];
    for (let j = 0; j < SERIES_LEN; j++) {
      const i = (ts.idx + j) % SERIES_LEN;
      if (ts.time[i] !== 0) out.push([ts.time[i], ts.latency[i]]);
    }
    return out;
  }

  /**
   * LATENCY GRAPH: a header line, a rule of 80 dashes, then the samples as an ASCII sparkline
   * four rows high with, under each column, how long ago it happened (s, m, h or d), written
   * downwards. undefined for an unknown event.
   */
  graph(event: string, nowSec: number): string | undefined {
    const ts = this.series.get(event);
    const samples = this.history(event);
    if (ts === undefined || samples === undefined) return undefined;
    let min = 0;
    let max = 0;
    const seq: Array<{ value: number; label: string }> = [];
    for (const [time, latency] of samples) {
      if (seq.length === 0) min = max = latency;
      else {
        if (latency > max) max = latency;
        if (latency < min) min = latency;
      }
      const ago = nowSec - time;
      const label = ago < 60 ? `${ago}s` : ago < 3600 ? `${Math.trunc(ago / 60)}m` : ago < 86400 ? `${Math.trunc(ago / 3600)}h` : `${Math.trunc(ago / 86400)}d`;
      seq.push({ value: latency, label });
    }
    return `${event} - high ${max} ms, low ${min} ms (all time high ${ts.max} ms)\n${'-'.repeat(GRAPH_COLS)}\n${sparkline(seq, GRAPH_COLS, 4)}`;
  }

  private analyze(ts: Series, nowSec: number): Analysis {
    let samples = 0;
    let sum = 0;
    let oldest = 0;
    for (let j = 0; j < SERIES_LEN; j++) {
      if (ts.time[j] === 0) continue;
      samples++;
      sum += ts.latency[j];
      if (oldest === 0 || ts.time[j] < oldest) oldest = ts.time[j];
    }
    if (samples === 0) return { samples, avg: 0, mad: 0, period: 0, max: ts.max };
    const avg = Math.floor(sum / samples);
    let dev = 0;
    for (let j = 0; j < SERIES_LEN; j++) if (ts.time[j] !== 0) dev += Math.abs(avg - ts.latency[j]);
    return { samples, avg, mad: Math.floor(dev / samples), period: Math.max(1, nowSec - oldest), max: ts.max };
  }

  /** LATENCY DOCTOR: what was seen, event by event, and what to do about it. */
  doctor(nowSec: number, facts: DoctorFacts): string {
    if (this.series.size === 0 && this.threshold === 0) {
      return 'The latency monitor is off, so there is nothing to report. Turn it on with ' +
        "CONFIG SET latency-monitor-threshold <milliseconds>: every event that takes at least that long is then recorded.\n";
    }
    const advice = new Set<string>();
    let report = '';
    let n = 0;
    for (const [name, ts] of this.series) {
      const a = this.analyze(ts, nowSec);
      if (++n === 1) report += 'Latency spikes were recorded:\n\n';
      report += `${n}. ${name}: ${a.samples} spikes, average ${a.avg} ms, mean deviation ${a.mad} ms, one every ${(a.period / a.samples).toFixed(2)} s. Worst ever: ${a.max} ms.\n`;
      const kind = name.toLowerCase();
      if (kind === 'command') {
        if (facts.slowlogSlowerThan < 0) advice.add('slowlog-off');
        else if (Math.floor(facts.slowlogSlowerThan / 1000) > this.threshold) advice.add('slowlog-threshold');
        advice.add('slowlog-read');
        advice.add('big-keys');
      } else if (kind === 'fast-command') {
        advice.add('cpu-starved');
      } else if (kind === 'aof-fsync-always') {
        advice.add('fsync-always');
      } else if (kind.startsWith('aof-write')) {
        advice.add('disk');
      } else if (kind === 'expire-cycle') {
        advice.add('hz');
        advice.add('big-keys');
      } else if (kind === 'eviction-del') {
        advice.add('big-keys');
      } else if (kind === 'eviction-cycle') {
        advice.add('mass-eviction');
      }
    }
    if (n === 0) return 'No latency spike has been recorded since the monitor was last reset.\n';
    const lines: string[] = [];
    const t = this.threshold;
    if (advice.has('slowlog-off')) lines.push(`The slow log is off: turn it on (CONFIG SET slowlog-log-slower-than ${t * 1000}) to see which commands are slow.`);
    if (advice.has('slowlog-threshold')) lines.push(`The slow log's threshold is above the latency monitor's, so some of these commands are not in it: CONFIG SET slowlog-log-slower-than ${t * 1000} aligns the two.`);
    if (advice.has('slowlog-read')) lines.push('SLOWLOG GET shows which commands were slow and with which arguments.');
    if (advice.has('big-keys')) lines.push('Deleting, expiring or evicting a very large key blocks the server for as long as it takes; prefer UNLINK, and split very large keys into smaller ones.');
    if (advice.has('cpu-starved')) lines.push('Commands that are normally O(1) were slow: the process is not getting CPU when it needs it. Lower the load on the host, give the server a core of its own, and measure with redis-cli --intrinsic-latency 100.');
    if (advice.has('fsync-always') && facts.appendfsync === 'always') lines.push("appendfsync is 'always': every write waits for the disk. 'everysec' bounds the loss to about a second of writes.");
    if (advice.has('disk')) lines.push('AOF writes were slow: use a local disk (an SSD if possible) and keep other disk-heavy work off it.');
    if (advice.has('hz') && facts.hz < 100) lines.push('The active expire cycle took long: a higher hz (CONFIG SET hz 100) spreads its work over more, shorter runs.');
    if (advice.has('mass-eviction')) lines.push('Eviction had to free much memory at once: lowering maxmemory suddenly, or one command allocating a large result, makes the server evict many keys in a row.');
    if (lines.length === 0) return report;
    return report + '\nAdvice:\n\n' + lines.map((l) => `- ${l}\n`).join('');
  }
}

const GRAPH_COLS = 80;
const CHARSET = '_o#';
const LABEL_MARGIN_TOP = 1;

/**
 * An ASCII sparkline of `seq`, `rows` high, `cols` samples per block, filled below the line,
 * each sample's label written downwards under its column (after one blank line). The value
 * range is split into rows * 3 steps; the top character of each column is one of `_o#`, and the
 * rows below it are `|`.
 */
function sparkline(seq: Array<{ value: number; label: string }>, cols: number, rows: number): string {
  let min = 0;
  let max = 0;
  seq.forEach((s, j) => {
    if (j === 0) min = max = s.value;
    else if (s.value < min) min = s.value;
    else if (s.value > max) max = s.value;
  });
  const labels = seq.some((s) => s.label !== '');
  let out = '';
  for (let start = 0; start < seq.length; start += cols) {
    if (start !== 0) out += '\n';
    const len = Math.min(cols, seq.length - start);
    const range = max - min === 0 ? 1 : max - min;
    const steps = CHARSET.length * rows;
    for (let row = 0; ; row++) {
      let more = false;
      const chars = new Array<string>(len).fill(' ');
      for (let j = 0; j < len; j++) {
        const s = seq[start + j];
        let step = Math.trunc(Math.trunc((s.value - min) * steps) / range);
        if (step < 0) step = 0;
        if (step >= steps) step = steps - 1;
        if (row < rows) {
          more = true;
          const c = step - (rows - row - 1) * CHARSET.length;
          if (c >= 0 && c < CHARSET.length) chars[j] = CHARSET[c];
          else if (c >= CHARSET.length) chars[j] = '|';
        } else {
          if (labels && row - rows < LABEL_MARGIN_TOP) {
            more = true;
            break;
          }
          const k = row - rows - LABEL_MARGIN_TOP;
          if (s.label.length > k) {
            more = true;
            chars[j] = s.label[k];
          }
        }
      }
      if (!more) break;
      out += chars.join('') + '\n';
    }
  }
  return out;
}
