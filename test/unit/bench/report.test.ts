import { describe, expect, it } from 'vitest';
import { formatCount, formatPercent, formatRate, formatRatio, machineLine, renderReport, renderTable, verdict, type MachineInfo } from '../../../bench/report.js';

describe('renderTable', () => {
  it('pads every column to its widest cell under a markdown rule', () => {
    const out = renderTable(['A', 'Long header'], [['x', '1'], ['wider cell', '22']]);
    expect(out.split('\n')).toEqual([
      '| A          | Long header |',
      '| ---------- | ----------- |',
      '| x          | 1           |',
      '| wider cell | 22          |',
    ]);
  });
  it('escapes pipes, flattens newlines and fills missing cells', () => {
    const out = renderTable(['a', 'b'], [['p|q'], ['two\nlines', 'z']]);
    const lines = out.split('\n');
    expect(lines[2]).toBe('| p\\|q      |     |');
    expect(lines[3]).toBe('| two lines | z   |');
  });
});

describe('renderReport', () => {
  const machine: MachineInfo = { cpu: 'AMD EPYC', cores: 2, node: 'v20.20.2', date: '2026-01-05T00:00:00.000Z', load: [1.5, 1.25, 0.5] };
  it('gives the machine line, one table and numbered notes', () => {
    const text = renderReport(
      machine,
      [{ benchmark: 'Decode', figure: '1 /s', reference: '2 /s', ratio: '0.50x', target: '>= 0.6x', result: 'falls short' }],
      ['first note', 'second note'],
      ['extra line'],
    );
    expect(text).toContain('machine: AMD EPYC, 2 cores, Node v20.20.2, 2026-01-05T00:00:00.000Z, load average 1.50 1.25 0.50\nextra line\n');
    expect(text).toContain('| Benchmark | Figure | Reference ceiling (same run) | Ratio | Target  | Result      |');
    expect(text).toContain('| Decode    | 1 /s   | 2 /s                         | 0.50x | >= 0.6x | falls short |');
    expect(text.match(/^\| -/gm)).toHaveLength(1);
    expect(text.endsWith('1. first note\n2. second note\n')).toBe(true);
  });
  it('machineLine names CPU, cores, Node, date and load', () => {
    expect(machineLine(machine)).toBe('machine: AMD EPYC, 2 cores, Node v20.20.2, 2026-01-05T00:00:00.000Z, load average 1.50 1.25 0.50');
  });
});

describe('formatting', () => {
  it('groups digits the same on every locale', () => {
    expect(formatCount(0)).toBe('0');
    expect(formatCount(999)).toBe('999');
    expect(formatCount(1000)).toBe('1,000');
    expect(formatCount(152_300.4)).toBe('152,300');
    expect(formatCount(-1_234_567)).toBe('-1,234,567');
    expect(formatCount(Number.NaN)).toBe('NaN');
    expect(formatRate(150_000, 'entries')).toBe('150,000 entries/s');
  });
  it('formats ratios, percentages and verdicts', () => {
    expect(formatRatio(0.6349)).toBe('0.63x');
    expect(formatRatio(Number.POSITIVE_INFINITY)).toBe('-');
    expect(formatPercent(0.1234)).toBe('12.3 %');
    expect(formatPercent(Number.NaN)).toBe('-');
    expect(verdict(true)).toBe('pass');
    expect(verdict(false)).toBe('falls short');
  });
});
