/**
 * A small, strict parser of the Prometheus text format 0.0.4, for tests: it throws on anything a
 * scraper would reject (bad names, bad escapes, TYPE after samples, a family split in two, ...).
 */
export interface ParsedSample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

export interface ParsedFamily {
  help?: string;
  type?: string;
  readonly samples: ParsedSample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

export function parsePrometheusText(text: string): Map<string, ParsedFamily> {
  if (text !== '' && !text.endsWith('\n')) throw new Error('exposition must end with a line feed');
  const families = new Map<string, ParsedFamily>();
  const finished = new Set<string>();
  let current: string | undefined;
  const enter = (name: string): ParsedFamily => {
    if (current !== name) {
      if (finished.has(name)) throw new Error(`family ${name} is split in two`);
      if (current !== undefined) finished.add(current);
      current = name;
    }
    let f = families.get(name);
    if (!f) families.set(name, (f = { samples: [] }));
    return f;
  };
  const lines = text.split('\n').slice(0, -1);
  lines.forEach((line, i) => {
    const where = `line ${i + 1}: ${JSON.stringify(line)}`;
    if (line.trim() === '') return;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!m) return; // a plain comment
      const [, kind, name = '', rest = ''] = m;
      if (!NAME.test(name) || NAME.exec(name)?.[0] !== name) throw new Error(`${where}: bad metric name`);
      const f = enter(name);
      if (kind === 'HELP') {
        if (f.help !== undefined) throw new Error(`${where}: second HELP`);
        f.help = unescape(rest, false, where);
      } else {
        if (f.type !== undefined) throw new Error(`${where}: second TYPE`);
        if (f.samples.length > 0) throw new Error(`${where}: TYPE after samples`);
        if (!TYPES.has(rest)) throw new Error(`${where}: unknown type`);
        f.type = rest;
      }
      return;
    }
    const sample = parseSample(line, where);
    enter(sample.name).samples.push(sample);
  });
  return families;
}

function parseSample(line: string, where: string): ParsedSample {
  const name = NAME.exec(line)?.[0];
  if (!name) throw new Error(`${where}: bad sample name`);
  let pos = name.length;
  const labels: Record<string, string> = {};
  if (line[pos] === '{') {
    pos++;
    while (line[pos] !== '}') {
      const ln = LABEL_NAME.exec(line.slice(pos))?.[0];
      if (!ln) throw new Error(`${where}: bad label name at ${pos}`);
      pos += ln.length;
      if (line.slice(pos, pos + 2) !== '="') throw new Error(`${where}: expected =" at ${pos}`);
      pos += 2;
      let raw = '';
      for (;;) {
        const c = line[pos];
        if (c === undefined) throw new Error(`${where}: unterminated label value`);
        if (c === '\\') {
          raw += c + (line[pos + 1] ?? '');
          pos += 2;
          continue;
        }
        pos++;
        if (c === '"') break;
        raw += c;
      }
      if (ln in labels) throw new Error(`${where}: label ${ln} twice`);
      labels[ln] = unescape(raw, true, where);
      if (line[pos] === ',') pos++;
      else if (line[pos] !== '}') throw new Error(`${where}: expected , or } at ${pos}`);
    }
    pos++;
  }
  const rest = line.slice(pos);
  const m = /^ (\S+)(?: (-?\d+))?$/.exec(rest);
  if (!m) throw new Error(`${where}: expected ' <value> [timestamp]'`);
  const value = parseValue(m[1] ?? '', where);
  return { name, labels, value };
}

function parseValue(text: string, where: string): number {
  if (text === 'NaN') return NaN;
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) throw new Error(`${where}: bad value ${text}`);
  return Number(text);
}

function unescape(text: string, labelValue: boolean, where: string): string {
  return text.replace(/\\(.?)/g, (_, c: string) => {
    if (c === '\\') return '\\';
    if (c === 'n') return '\n';
    if (c === '"' && labelValue) return '"';
    throw new Error(`${where}: bad escape \\${c}`);
  });
}

/** The value of the one sample of `name` whose labels include `labels`. */
export function sampleValue(families: Map<string, ParsedFamily>, name: string, labels: Record<string, string> = {}): number | undefined {
  const f = families.get(name);
  const hits = f?.samples.filter((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v)) ?? [];
  if (hits.length > 1) throw new Error(`${name}: ${hits.length} samples match ${JSON.stringify(labels)}`);
  return hits[0]?.value;
}
