import { InvariantError } from '../core/errors.js';

/**
 * A small Prometheus registry rendering the text exposition format 0.0.4. Hand-written on purpose:
 * the daemon needs counters and gauges only, most of them read from stats objects at scrape time.
 */
export type MetricType = 'counter' | 'gauge';
export type Labels = Readonly<Record<string, string>>;

/** One sample of a family: its label values (the family's label names, in any order) and a value. */
export interface Sample {
  readonly labels?: Labels;
  readonly value: number;
}

export interface Counter {
  inc(by?: number): void;
  get(): number;
}

export interface LabelledCounter {
  inc(labels: Labels, by?: number): void;
  get(labels: Labels): number;
}

export interface Gauge {
  set(value: number): void;
  inc(by?: number): void;
  dec(by?: number): void;
  get(): number;
}

export interface LabelledGauge {
  set(labels: Labels, value: number): void;
  inc(labels: Labels, by?: number): void;
  get(labels: Labels): number;
  /** Forgets every labelled series (for sets that shrink). */
  clear(): void;
}

/** The content type of `render()`'s output. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Every metric name carries this prefix. */
export const METRIC_PREFIX = 'krx_';

const NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

interface Family {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  readonly labelNames: readonly string[];
  collect(): readonly Sample[];
}

export class MetricsRegistry {
  private readonly families = new Map<string, Family>();
  private scrapeErrors = 0;

  /** A counter incremented in code. Counter names end in `_total`. */
  counter(name: string, help: string): Counter {
    let value = 0;
    this.add({ name, help, type: 'counter', labelNames: [], collect: () => [{ value }] });
    return {
      inc: (by = 1) => {
        value += checkIncrement(name, by);
      },
      get: () => value,
    };
  }

  /** A counter with labels, e.g. decode errors by `code`. */
  labelledCounter(name: string, help: string, labelNames: readonly string[]): LabelledCounter {
    const series = new LabelledSeries(name, labelNames);
    this.add({ name, help, type: 'counter', labelNames, collect: () => series.samples() });
    return {
      inc: (labels, by = 1) => series.add(labels, checkIncrement(name, by)),
      get: (labels) => series.get(labels),
    };
  }

  gauge(name: string, help: string): Gauge {
    let value = 0;
    this.add({ name, help, type: 'gauge', labelNames: [], collect: () => [{ value }] });
    return {
      set: (v) => {
        value = v;
      },
      inc: (by = 1) => {
        value += by;
      },
      dec: (by = 1) => {
        value -= by;
      },
      get: () => value,
    };
  }

  labelledGauge(name: string, help: string, labelNames: readonly string[]): LabelledGauge {
    const series = new LabelledSeries(name, labelNames);
    this.add({ name, help, type: 'gauge', labelNames, collect: () => series.samples() });
    return {
      set: (labels, v) => series.set(labels, v),
      inc: (labels, by = 1) => series.add(labels, by),
      get: (labels) => series.get(labels),
      clear: () => series.clear(),
    };
  }

  /**
   * A family read through a callback at scrape time: a plain number (no labels) or samples with
   * labels. Use it for values another component already counts (socket stats, queue depth).
   * A callback that throws loses its family for that scrape only (counted in
   * `krx_metrics_collect_errors_total`).
   */
  collect(name: string, help: string, type: MetricType, labelNames: readonly string[], read: () => number | readonly Sample[]): void {
    this.add({
      name,
      help,
      type,
      labelNames,
      collect: () => {
        const out = read();
        return typeof out === 'number' ? [{ value: out }] : out;
      },
    });
  }

  /** True when a family of that name is registered. */
  has(name: string): boolean {
    return this.families.has(name);
  }

  /** The exposition text: families by name, samples by label values; HELP and TYPE before each. */
  render(): string {
    const lines: string[] = [];
    const names = [...this.families.keys()].sort();
    for (const name of names) {
      const family = this.families.get(name) as Family;
      let samples: readonly Sample[];
      try {
        samples = family.collect();
      } catch {
        this.scrapeErrors++;
        continue;
      }
      const rendered: { key: string; line: string }[] = [];
      for (const s of samples) {
        const labels = labelText(family, s.labels);
        if (labels === null) {
          this.scrapeErrors++;
          continue;
        }
        rendered.push({ key: labels, line: `${name}${labels} ${formatValue(s.value)}` });
      }
      rendered.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      lines.push(`# HELP ${name} ${escapeHelp(family.help)}`, `# TYPE ${name} ${family.type}`);
      for (const r of rendered) lines.push(r.line);
    }
    const self = `${METRIC_PREFIX}metrics_collect_errors_total`;
    lines.push(`# HELP ${self} Metric families or samples skipped at scrape time because their source failed`, `# TYPE ${self} counter`, `${self} ${this.scrapeErrors}`);
    return `${lines.join('\n')}\n`;
  }

  private add(family: Family): void {
    const { name } = family;
    if (!NAME_RE.test(name) || !name.startsWith(METRIC_PREFIX)) throw new InvariantError(`metric name ${JSON.stringify(name)} must match ${NAME_RE} and start with ${METRIC_PREFIX}`);
    if (family.type === 'counter' && !name.endsWith('_total')) throw new InvariantError(`counter ${name} must end in _total`);
    if (this.families.has(name) || name === `${METRIC_PREFIX}metrics_collect_errors_total`) throw new InvariantError(`metric ${name} registered twice`);
    for (const l of family.labelNames) {
      if (!LABEL_RE.test(l) || l.startsWith('__')) throw new InvariantError(`metric ${name}: bad label name ${JSON.stringify(l)}`);
    }
    if (new Set(family.labelNames).size !== family.labelNames.length) throw new InvariantError(`metric ${name}: duplicate label names`);
    this.families.set(name, family);
  }
}

/** Series of one labelled family, keyed by their label values in label-name order. */
class LabelledSeries {
  private readonly values = new Map<string, { labels: Labels; value: number }>();
  constructor(private readonly name: string, private readonly labelNames: readonly string[]) {}

  add(labels: Labels, by: number): void {
    const key = this.key(labels);
    const entry = this.values.get(key);
    if (entry) entry.value += by;
    else this.values.set(key, { labels: { ...labels }, value: by });
  }

  set(labels: Labels, value: number): void {
    const key = this.key(labels);
    const entry = this.values.get(key);
    if (entry) entry.value = value;
    else this.values.set(key, { labels: { ...labels }, value });
  }

  get(labels: Labels): number {
    return this.values.get(this.key(labels))?.value ?? 0;
  }

  clear(): void {
    this.values.clear();
  }

  samples(): Sample[] {
    return [...this.values.values()].map((e) => ({ labels: e.labels, value: e.value }));
  }

  private key(labels: Labels): string {
    const keys = Object.keys(labels);
    if (keys.length !== this.labelNames.length || !this.labelNames.every((n) => typeof labels[n] === 'string')) {
      throw new InvariantError(`metric ${this.name}: expected labels ${this.labelNames.join(', ')}, got ${keys.join(', ')}`);
    }
    return JSON.stringify(this.labelNames.map((n) => labels[n]));
  }
}

function checkIncrement(name: string, by: number): number {
  if (!(by >= 0) || !Number.isFinite(by)) throw new InvariantError(`counter ${name}: increment must be a finite number >= 0, got ${by}`);
  return by;
}

/** `{a="x",b="y"}` in the family's label order; '' without labels; null when the labels do not fit. */
function labelText(family: Family, labels: Labels | undefined): string | null {
  const given = labels ? Object.keys(labels) : [];
  if (given.length !== family.labelNames.length) return null;
  if (family.labelNames.length === 0) return '';
  const parts: string[] = [];
  for (const n of family.labelNames) {
    const v = labels?.[n];
    if (typeof v !== 'string') return null;
    parts.push(`${n}="${escapeLabelValue(v)}"`);
  }
  return `{${parts.join(',')}}`;
}

/** Label values escape backslash, double quote and line feed. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** HELP text escapes backslash and line feed. */
export function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}
