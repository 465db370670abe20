import { cpus, loadavg } from 'node:os';

/** One line of the benchmark table: every cell already formatted. */
export interface ReportRow {
  readonly benchmark: string;
  readonly figure: string;
  /** The ceiling measured in the same run, or '-'. */
  readonly reference: string;
  /** figure / reference, or '-'. */
  readonly ratio: string;
  /** The target from the issues, or '-'. */
  readonly target: string;
  /** pass, falls short, info, error, or not measured yet (...). */
  readonly result: string;
}

export interface MachineInfo {
  readonly cpu: string;
  readonly cores: number;
  readonly node: string;
  /** ISO 8601, UTC. */
  readonly date: string;
  /** 1, 5 and 15 minute load averages. */
  readonly load: readonly [number, number, number];
}

export const REPORT_HEADERS = ['Benchmark', 'Figure', 'Reference ceiling (same run)', 'Ratio', 'Target', 'Result'] as const;

export function describeMachine(at: Date): MachineInfo {
  const list = cpus();
  const [l1 = 0, l5 = 0, l15 = 0] = loadavg();
  return { cpu: list[0]?.model.trim() ?? 'unknown CPU', cores: list.length, node: process.version, date: at.toISOString(), load: [l1, l5, l15] };
}

export function machineLine(m: MachineInfo): string {
  const load = m.load.map((x) => x.toFixed(2)).join(' ');
  return `machine: ${m.cpu}, ${m.cores} cores, Node ${m.node}, ${m.date}, load average ${load}`;
}

/** A markdown table with padded columns (readable as plain text too); `|` inside cells is escaped. */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const cells = [headers, ...rows].map((r) => headers.map((_, i) => (r[i] ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ')));
  const widths = headers.map((_, i) => Math.max(3, ...cells.map((r) => r[i]!.length)));
  const line = (r: readonly string[]): string => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  const rule = `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`;
  const [head, ...body] = cells;
  return [line(head!), rule, ...body.map(line)].join('\n');
}

/** The whole report: title, machine line, the table and numbered notes. */
export function renderReport(machine: MachineInfo, rows: readonly ReportRow[], notes: readonly string[], extra: readonly string[] = []): string {
  const table = renderTable(
    REPORT_HEADERS,
    rows.map((r) => [r.benchmark, r.figure, r.reference, r.ratio, r.target, r.result]),
  );
  const parts = ['# krx-signals benchmarks', '', machineLine(machine), ...extra, '', table];
  if (notes.length > 0) parts.push('', ...notes.map((n, i) => `${i + 1}. ${n}`));
  return parts.join('\n') + '\n';
}

/** 152300 -> "152,300" (fixed en-US grouping, independent of the host locale). */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const sign = n < 0 ? '-' : '';
  const digits = String(Math.round(Math.abs(n)));
  return sign + digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export function formatRate(n: number, unit: string): string {
  return `${formatCount(n)} ${unit}/s`;
}

/** 0.6349 -> "0.63x". */
export function formatRatio(r: number): string {
  return Number.isFinite(r) ? `${r.toFixed(2)}x` : '-';
}

/** 0.1234 -> "12.3 %". */
export function formatPercent(fraction: number): string {
  return Number.isFinite(fraction) ? `${(fraction * 100).toFixed(1)} %` : '-';
}

export function verdict(ok: boolean): string {
  return ok ? 'pass' : 'falls short';
}
