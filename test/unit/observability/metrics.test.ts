import { describe, expect, it } from 'vitest';
import { registerDaemonMetrics, type DaemonMetricSources } from '../../../src/observability/daemon-metrics.js';
import { MetricsRegistry } from '../../../src/observability/metrics.js';
import { parsePrometheusText, sampleValue } from './prom-parser.js';

describe('the metrics registry', () => {
  it('renders counters and gauges, plain and labelled, as parseable Prometheus text', () => {
    const r = new MetricsRegistry();
    const frames = r.counter('krx_test_frames_total', 'Frames');
    const errors = r.labelledCounter('krx_test_errors_total', 'Errors by code', ['code']);
    const depth = r.gauge('krx_test_depth', 'Depth');
    const temp = r.labelledGauge('krx_test_temp', 'Temperature', ['room', 'floor']);
    frames.inc();
    frames.inc(41);
    errors.inc({ code: 'E_DECODE_JSON' });
    errors.inc({ code: 'E_DECODE_JSON' }, 2);
    errors.inc({ code: 'E_DECODE_SHAPE' });
    depth.set(10);
    depth.dec(3);
    temp.set({ room: 'a', floor: '1' }, 21.5);
    temp.inc({ floor: '1', room: 'a' }, 0.5);

    const parsed = parsePrometheusText(r.render());
    expect(parsed.get('krx_test_frames_total')).toMatchObject({ help: 'Frames', type: 'counter' });
    expect(sampleValue(parsed, 'krx_test_frames_total')).toBe(42);
    expect(sampleValue(parsed, 'krx_test_errors_total', { code: 'E_DECODE_JSON' })).toBe(3);
    expect(sampleValue(parsed, 'krx_test_errors_total', { code: 'E_DECODE_SHAPE' })).toBe(1);
    expect(parsed.get('krx_test_depth')?.type).toBe('gauge');
    expect(sampleValue(parsed, 'krx_test_depth')).toBe(7);
    expect(sampleValue(parsed, 'krx_test_temp', { room: 'a', floor: '1' })).toBe(22);
    expect(frames.get()).toBe(42);
    expect(errors.get({ code: 'E_DECODE_JSON' })).toBe(3);
    expect(errors.get({ code: 'E_NOPE' })).toBe(0);
  });

  it('escapes label values and HELP text so they round-trip', () => {
    const r = new MetricsRegistry();
    const c = r.labelledCounter('krx_test_total', 'Help with a \\ backslash\nand a newline', ['v']);
    const nasty = 'a "quoted" \\ back\nslash, {brace}=x';
    c.inc({ v: nasty });
    const text = r.render();
    expect(text).toContain('krx_test_total{v="a \\"quoted\\" \\\\ back\\nslash, {brace}=x"} 1\n');
    const parsed = parsePrometheusText(text);
    expect(parsed.get('krx_test_total')?.help).toBe('Help with a \\ backslash\nand a newline');
    expect(parsed.get('krx_test_total')?.samples[0]?.labels).toEqual({ v: nasty });
  });

  it('orders families by name and samples by label values, whatever the insertion order', () => {
    const build = (names: string[]): string => {
      const r = new MetricsRegistry();
      for (const n of names) r.labelledCounter(n, n, ['k']).inc({ k: n });
      return r.render();
    };
    const r = new MetricsRegistry();
    const c = r.labelledCounter('krx_z_total', 'z', ['k']);
    for (const k of ['m', 'a', 'z', 'b']) c.inc({ k });
    r.gauge('krx_a', 'a');
    const text = r.render();
    expect(text.indexOf('# HELP krx_a ')).toBeLessThan(text.indexOf('# HELP krx_z_total'));
    expect([...text.matchAll(/krx_z_total\{k="(\w)"\}/g)].map((m) => m[1])).toEqual(['a', 'b', 'm', 'z']);
    expect(r.render()).toBe(text);
    expect(build(['krx_b_total', 'krx_a_total', 'krx_c_total'])).toBe(build(['krx_c_total', 'krx_a_total', 'krx_b_total']));
  });

  it('reads callback families at scrape time', () => {
    const r = new MetricsRegistry();
    let depth = 1;
    r.collect('krx_test_queue_depth', 'Queue depth', 'gauge', [], () => depth);
    r.collect('krx_test_by_total', 'By broker', 'counter', ['broker'], () => [
      { labels: { broker: 'kis' }, value: depth * 2 },
      { labels: { broker: 'kiwoom' }, value: depth * 3 },
    ]);
    expect(sampleValue(parsePrometheusText(r.render()), 'krx_test_queue_depth')).toBe(1);
    depth = 5;
    const parsed = parsePrometheusText(r.render());
    expect(sampleValue(parsed, 'krx_test_queue_depth')).toBe(5);
    expect(sampleValue(parsed, 'krx_test_by_total', { broker: 'kiwoom' })).toBe(15);
  });

  it('renders special values', () => {
    const r = new MetricsRegistry();
    r.collect('krx_test_special', 'Special', 'gauge', ['v'], () => [
      { labels: { v: 'nan' }, value: NaN },
      { labels: { v: 'inf' }, value: Infinity },
      { labels: { v: 'ninf' }, value: -Infinity },
      { labels: { v: 'tiny' }, value: 1e-7 },
    ]);
    const text = r.render();
    expect(text).toMatch(/krx_test_special\{v="nan"\} NaN\n/);
    expect(text).toMatch(/krx_test_special\{v="inf"\} \+Inf\n/);
    const parsed = parsePrometheusText(text);
    expect(sampleValue(parsed, 'krx_test_special', { v: 'ninf' })).toBe(-Infinity);
    expect(sampleValue(parsed, 'krx_test_special', { v: 'tiny' })).toBe(1e-7);
  });

  it('skips a family whose source throws, counts it and keeps the others', () => {
    const r = new MetricsRegistry();
    r.collect('krx_test_broken', 'Broken', 'gauge', [], () => {
      throw new Error('source gone');
    });
    r.collect('krx_test_wrong_labels', 'Wrong labels', 'gauge', ['a'], () => [{ labels: { b: 'x' }, value: 1 }, { labels: { a: 'ok' }, value: 2 }]);
    r.gauge('krx_test_fine', 'Fine').set(3);
    const parsed = parsePrometheusText(r.render());
    expect(parsed.has('krx_test_broken')).toBe(false);
    expect(sampleValue(parsed, 'krx_test_fine')).toBe(3);
    expect(parsed.get('krx_test_wrong_labels')?.samples).toHaveLength(1);
    expect(sampleValue(parsed, 'krx_metrics_collect_errors_total')).toBe(2);
  });

  it('refuses bad names, duplicates, counters without _total, bad labels and negative increments', () => {
    const r = new MetricsRegistry();
    expect(() => r.gauge('frames', 'no prefix')).toThrow(/krx_/);
    expect(() => r.gauge('krx_bad-name', 'dash')).toThrow();
    expect(() => r.counter('krx_frames', 'no suffix')).toThrow(/_total/);
    expect(() => r.labelledGauge('krx_x', 'x', ['__reserved'])).toThrow();
    expect(() => r.labelledGauge('krx_y', 'y', ['a', 'a'])).toThrow();
    r.gauge('krx_dup', 'once');
    expect(() => r.gauge('krx_dup', 'twice')).toThrow(/twice/);
    const c = r.counter('krx_ok_total', 'ok');
    expect(() => c.inc(-1)).toThrow();
    expect(() => c.inc(NaN)).toThrow();
    const l = r.labelledCounter('krx_l_total', 'l', ['code']);
    expect(() => l.inc({ other: 'x' })).toThrow(/expected labels/);
    expect(() => l.inc({})).toThrow();
  });
});

describe('the Prometheus test parser', () => {
  it('rejects what a scraper would reject (so the tests above can fail)', () => {
    expect(() => parsePrometheusText('krx_a 1')).toThrow(/line feed/);
    expect(() => parsePrometheusText('krx_a{v="\\x"} 1\n')).toThrow(/escape/);
    expect(() => parsePrometheusText('krx_a{v="x} 1\n')).toThrow();
    expect(() => parsePrometheusText('krx_a one\n')).toThrow(/bad value/);
    expect(() => parsePrometheusText('krx_a 1\n# TYPE krx_a gauge\n')).toThrow(/TYPE after samples/);
    expect(() => parsePrometheusText('krx_a 1\nkrx_b 1\nkrx_a 2\n')).toThrow(/split/);
    expect(() => parsePrometheusText('# TYPE krx_a gauge\n# TYPE krx_a gauge\n')).toThrow(/second TYPE/);
    expect(() => parsePrometheusText('# TYPE krx_a meter\n')).toThrow(/unknown type/);
  });
});

describe('the daemon metric families', () => {
  const sources = (phase = 'live'): DaemonMetricSources => ({
    realtime: () => ({ frames: 120, entries: 300, decodeErrorsByCode: { E_DECODE_JSON: 2, E_DECODE_VALUE: 1 }, regMessages: 4, removeMessages: 1 }),
    connection: () => ({ phase, reconnects: 3, wantedPairs: 100 }),
    tokenIssuances: () => ({ kiwoom: 2, kis: 1 }),
    rateLimitHits: () => ({ kiwoom: 5 }),
    strategies: () => [
      { id: 'program-momentum', state: 'running', events: 1000, signals: 7, suppressed: 2, faults: 0 },
      { id: 'broken', state: 'quarantined', events: 10, signals: 0, suppressed: 0, faults: 5 },
    ],
    store: () => ({ queued: 12, committed: 6, dropped: 0, writeErrors: 1 }),
    eventLoopLag: () => ({ p50: 0.001, p99: 0.012, max: 0.05, mean: 0.002 }),
    silence: () => ({ active: true, raised: 2 }),
  });

  it('exposes every family, prefixed, typed and parseable', () => {
    const r = new MetricsRegistry();
    registerDaemonMetrics(r, sources());
    const parsed = parsePrometheusText(r.render());
    for (const [name, family] of parsed) {
      expect(name.startsWith('krx_')).toBe(true);
      expect(family.help).toBeTruthy();
      expect(['counter', 'gauge']).toContain(family.type);
      if (family.type === 'counter') expect(name.endsWith('_total')).toBe(true);
      for (const s of family.samples) expect(s.name).toBe(name);
    }
    expect(sampleValue(parsed, 'krx_ws_frames_total')).toBe(120);
    expect(sampleValue(parsed, 'krx_decode_errors_total', { code: 'E_DECODE_JSON' })).toBe(2);
    expect(sampleValue(parsed, 'krx_ws_reconnects_total')).toBe(3);
    expect(sampleValue(parsed, 'krx_token_refreshes_total', { broker: 'kis' })).toBe(1);
    expect(sampleValue(parsed, 'krx_rate_limit_hits_total', { broker: 'kiwoom' })).toBe(5);
    expect(sampleValue(parsed, 'krx_ws_registration_messages_total', { type: 'REG' })).toBe(4);
    expect(sampleValue(parsed, 'krx_ws_registration_messages_total', { type: 'REMOVE' })).toBe(1);
    expect(sampleValue(parsed, 'krx_signals_total', { strategy: 'program-momentum' })).toBe(7);
    expect(sampleValue(parsed, 'krx_strategy_faults_total', { strategy: 'broken' })).toBe(5);
    expect(sampleValue(parsed, 'krx_store_queue_depth')).toBe(12);
    expect(sampleValue(parsed, 'krx_event_loop_lag_p99_seconds')).toBe(0.012);
    expect(sampleValue(parsed, 'krx_data_silence_alarms_total')).toBe(2);
    expect(sampleValue(parsed, 'krx_data_silence_active')).toBe(1);
    expect(sampleValue(parsed, 'krx_subscribed_pairs')).toBe(100);
    // One-hot states: exactly one 1 per connection / per strategy.
    const phases = parsed.get('krx_connection_state')?.samples ?? [];
    expect(phases.filter((s) => s.value === 1).map((s) => s.labels.phase)).toEqual(['live']);
    expect(phases.length).toBeGreaterThanOrEqual(9);
    expect(sampleValue(parsed, 'krx_strategy_state', { strategy: 'broken', state: 'quarantined' })).toBe(1);
    expect(sampleValue(parsed, 'krx_strategy_state', { strategy: 'broken', state: 'running' })).toBe(0);
    expect(parsed.get('krx_strategy_state')?.samples.filter((s) => s.value === 1)).toHaveLength(2);
  });

  it('follows the sources at every scrape and reports an unknown phase as is', () => {
    let phase = 'backoff';
    const r = new MetricsRegistry();
    registerDaemonMetrics(r, { connection: () => ({ phase, reconnects: 0, wantedPairs: 0 }) });
    expect(sampleValue(parsePrometheusText(r.render()), 'krx_connection_state', { phase: 'backoff' })).toBe(1);
    phase = 'mystery';
    const parsed = parsePrometheusText(r.render());
    expect(sampleValue(parsed, 'krx_connection_state', { phase: 'mystery' })).toBe(1);
    expect(sampleValue(parsed, 'krx_connection_state', { phase: 'backoff' })).toBe(0);
    expect(parsed.has('krx_ws_frames_total')).toBe(false);
  });
});
