/** Argument parsing and the small statistics of the soak report. */
export interface SoakArgs {
  readonly minutes: number;
  readonly faultEveryMs: number;
  /** `--faults a,b`: only these kinds, in this order (default: the whole rotation). */
  readonly faults: readonly string[] | null;
}

/** `--minutes N` (default 5) and `--fault-every 2m|20s|90` (seconds when unitless; default 2 min). */
export function parseSoakArgs(argv: readonly string[]): SoakArgs {
  let minutes = 5;
  let faultEveryMs = 120_000;
  let faults: string[] | null = null;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === '--minutes' && value !== undefined) {
      minutes = Number(value);
      i++;
    } else if (flag === '--fault-every' && value !== undefined) {
      faultEveryMs = parseDuration(value);
      i++;
    } else if (flag === '--faults' && value !== undefined) {
      faults = value.split(',').filter((k) => k !== '');
      i++;
    } else {
      throw new Error(`unknown argument ${String(flag)} (expected --minutes N, --fault-every 20s|2m, --faults a,b)`);
    }
  }
  if (!Number.isFinite(minutes) || minutes <= 0) throw new Error('--minutes must be a positive number');
  return { minutes, faultEveryMs, faults };
}

export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!m) throw new Error(`not a duration: ${text} (expected e.g. 20s, 2m, 500ms)`);
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  const ms = unit === 'ms' ? n : unit === 's' ? n * 1000 : n * 60_000;
  if (!(ms > 0)) throw new Error(`duration must be positive: ${text}`);
  return ms;
}

export interface MemorySample {
  /** Since the start of the run. */
  readonly atMs: number;
  readonly rss: number;
  readonly heapUsed: number;
}

/** Least-squares slope of a memory figure, in bytes per hour (0 with fewer than two samples). */
export function slopePerHour(samples: readonly MemorySample[], field: 'rss' | 'heapUsed'): number {
  const n = samples.length;
  if (n < 2) return 0;
  let sx = 0;
  let sy = 0;
  for (const s of samples) {
    sx += s.atMs;
    sy += s[field];
  }
  const mx = sx / n;
  const my = sy / n;
  let num = 0;
  let den = 0;
  for (const s of samples) {
    num += (s.atMs - mx) * (s[field] - my);
    den += (s.atMs - mx) ** 2;
  }
  return den === 0 ? 0 : (num / den) * 3_600_000;
}
