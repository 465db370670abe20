/**
 * The rules `promtool check metrics` applies (Prometheus' promlint), for tests: promtool is a Go
 * binary, not on npm. Each problem is `name: text`, as promtool prints them.
 */
/** promlint's list (client_golang testutil/promlint). */
const UNIT_ABBREVIATIONS = ['s', 'ms', 'us', 'ns', 'sec', 'b', 'kb', 'mb', 'gb', 'tb', 'pb', 'm', 'h', 'd'];
const NON_BASE_UNITS: Readonly<Record<string, string>> = {
  milliseconds: 'seconds', microseconds: 'seconds', nanoseconds: 'seconds', minutes: 'seconds', hours: 'seconds', days: 'seconds',
  kilobytes: 'bytes', megabytes: 'bytes', gigabytes: 'bytes', kibibytes: 'bytes', mebibytes: 'bytes', gibibytes: 'bytes', bits: 'bytes',
  percent: 'ratio', percentage: 'ratio', celsius: 'celsius', fahrenheit: 'celsius',
};
const TYPE_WORDS = ['counter', 'gauge', 'histogram', 'summary', 'untyped'];
const CAMEL = /[a-z][A-Z]/;

interface Family {
  help?: string;
  type?: string;
  readonly series: Array<{ readonly sample: string; readonly labels: Record<string, string> }>;
}

function parse(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const family = (name: string): Family => {
    let f = families.get(name);
    if (!f) families.set(name, (f = { series: [] }));
    return f;
  };
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) ([^ ]+)(?: (.*))?$/.exec(line);
    if (meta) {
      const f = family(meta[2] as string);
      if (meta[1] === 'HELP') f.help = meta[3] ?? '';
      else {
        f.type = meta[3] ?? 'untyped';
        types.set(meta[2] as string, f.type);
      }
      continue;
    }
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)/.exec(line);
    if (!m) throw new Error(`unparseable line: ${line}`);
    const sample = m[1] as string;
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[k as string] = v as string;
    // Histogram and summary series belong to their family.
    const base = [...types.keys()].find((n) => (types.get(n) === 'histogram' || types.get(n) === 'summary') && /^(.*)_(bucket|sum|count)$/.exec(sample)?.[1] === n) ?? sample;
    family(base).series.push({ sample, labels });
  }
  return families;
}

export function lintMetrics(text: string): string[] {
  const problems: string[] = [];
  for (const [name, f] of parse(text)) {
    const add = (msg: string): void => void problems.push(`${name}: ${msg}`);
    const type = f.type ?? 'untyped';
    if (!f.help) add('no help text');
    if (type === 'counter' && !name.endsWith('_total')) add('counter metrics should have "_total" suffix');
    if (type !== 'counter' && name.endsWith('_total')) add('non-counter metrics should not have "_total" suffix');
    if (type !== 'histogram' && type !== 'summary' && /_(bucket|count|sum)$/.test(name)) add(`metric name should not end in _bucket, _count or _sum (type ${type})`);
    for (const s of f.series) {
      if (type !== 'histogram' && 'le' in s.labels) add('non-histogram metrics should not have "le" label');
      if (type !== 'summary' && 'quantile' in s.labels) add('non-summary metrics should not have "quantile" label');
      for (const label of Object.keys(s.labels)) if (CAMEL.test(label)) add(`label names should be written in 'snake_case' not 'camelCase' (${label})`);
    }
    if (name.includes(':')) add('metric names should not contain ":" (reserved for recording rules)');
    if (CAMEL.test(name)) add("metric names should be written in 'snake_case' not 'camelCase'");
    const parts = name.split('_');
    for (const p of parts) {
      if (UNIT_ABBREVIATIONS.includes(p)) add(`metric names should not contain abbreviated units (${p})`);
      const base = NON_BASE_UNITS[p];
      if (base !== undefined && base !== p) add(`use base unit "${base}" instead of "${p}"`);
    }
    for (const w of TYPE_WORDS) if (parts.slice(0, -1).includes(w) || parts.at(-1) === w) add(`metric name should not include type '${w}'`);
    const seen = new Set<string>();
    for (const s of f.series) {
      const key = `${s.sample}${JSON.stringify(Object.entries(s.labels).sort())}`;
      if (seen.has(key)) add('duplicate metric');
      seen.add(key);
    }
  }
  return [...new Set(problems)].sort();
}
