import { isUtf8 } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kstDayStart } from '../../src/adapters/kiwoom/realtime-decoder.js';
import { decodeRealFast } from '../../src/adapters/kiwoom/realtime-fast.js';
import { routeFrame, routeFrameReference, type FrameSinks, type FrameStats } from '../../src/adapters/kiwoom/realtime-frames.js';
import type { RealtimeEvent } from '../../src/core/market.js';
import { real0B, realSampleFrames, seed0A, simulatorFrames, type RealEntryObject } from '../support/real-frames.js';
import { frame as malformedFrame, oddNumber } from './frame-arbitraries.js';

/**
 * Differential test of the byte decoder (issue 21): routeFrame (byte decoder, falling back to the
 * reference) and routeFrameReference (JSON.parse + realtime-decoder.ts) must produce identical events,
 * identical decode errors and identical counters on every frame: simulator frames, the real-sample
 * frames, real forms in every spelling and layout, the property suite's malformed frames, and random
 * byte mutations of all of these.
 */

const TS = Date.UTC(2026, 10, 20, 1, 0, 0); // 10:00 KST

interface Outcome {
  events: RealtimeEvent[];
  errors: string[];
  other: string[];
  stats: FrameStats;
}

function outcome(route: typeof routeFrame, data: Buffer | string): Outcome {
  const out: Outcome = { events: [], errors: [], other: [], stats: { frames: 0, entries: 0, pings: 0, decodeErrors: 0 } };
  const sinks: FrameSinks = {
    event: (e) => out.events.push(e),
    ping: (raw) => out.other.push(`ping ${raw}`),
    lifecycle: (e) => out.other.push(JSON.stringify(e)),
    notice: (code, message) => out.other.push(`notice ${code} ${message}`),
    decodeError: (code, reason, sample) => out.errors.push(`${code} ${reason} ${sample}`),
  };
  route(data, TS, sinks, out.stats);
  return out;
}

/** Counts over a whole test: frames compared, frames the byte decoder took itself, events compared. */
const tally = { frames: 0, fast: 0, events: 0 };

/**
 * One frame through both decoders. When the byte decoder falls back, routeFrame runs exactly
 * routeFrameReference (see its code; `base` checks it end to end on every unmutated frame), so the
 * events and errors are identical by construction; when it answers, its answer must be the reference's:
 * the same events, field by field, and a frame the reference reads without any error.
 */
function same(data: Buffer): void {
  tally.frames++;
  const fast = decodeRealFast(data, TS, kstDayStart(TS));
  if (fast === null) return;
  const ref = outcome(routeFrameReference, data);
  tally.fast++;
  tally.events += fast.length;
  const where = (): string => JSON.stringify(data.toString('latin1').slice(0, 300));
  if (ref.errors.length > 0 || ref.other.length > 0) throw new Error(`the byte decoder took a frame the reference refuses (${ref.errors[0] ?? ref.other[0]}): ${where()}`);
  if (ref.stats.entries !== fast.length || fast.length !== ref.events.length) throw new Error(`${fast.length} events vs ${ref.events.length} on ${where()}`);
  // Object.is on every field (0 vs -0 and NaN count); expect().toEqual on 100,000 frames costs seconds.
  for (let i = 0; i < fast.length; i++) {
    const x = fast[i] as unknown as Record<string, unknown>;
    const y = ref.events[i] as unknown as Record<string, unknown>;
    const keys = Object.keys(y);
    if (Object.keys(x).join() !== keys.join()) throw new Error(`event ${i} fields differ on ${where()}`);
    for (const k of keys) if (!Object.is(x[k], y[k])) throw new Error(`event ${i}.${k}: ${String(x[k])} vs ${String(y[k])} on ${where()}`);
  }
}

/** An unmutated frame: also routeFrame end to end (the hook) against the reference, field by field. */
function base(data: Buffer): void {
  same(data);
  const viaHook = outcome(routeFrame, data);
  const ref = outcome(routeFrameReference, data);
  expect(viaHook).toEqual(ref);
  // Replay hands over recorded text: the same through the hook as through the reference.
  if (isUtf8(data)) {
    const text = data.toString('utf8');
    expect(outcome(routeFrame, text)).toEqual(outcome(routeFrameReference, text));
  }
}

/** A tiny seeded generator for the mutations (fast-check draws the seed, so runs stay reproducible). */
function prng(seed: number): (n: number) => number {
  let x = seed | 0 || 1;
  return (n) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
}

const INTERESTING = [0x22, 0x5c, 0x20, 0x09, 0x0a, 0x2d, 0x2b, 0x30, 0x39, 0x2e, 0x7b, 0x7d, 0x5b, 0x5d, 0x2c, 0x3a, 0xff, 0xc3, 0x80, 0x00, 0x41, 0x5f, 0x65];

/** One random mutation of a frame's bytes: replace, insert, delete, truncate, swap, or duplicate a key/value pair. */
function mutate(b: Buffer, rnd: (n: number) => number): Buffer {
  if (b.length === 0) return Buffer.from([INTERESTING[rnd(INTERESTING.length)]!]);
  const at = rnd(b.length);
  const byte = rnd(4) === 0 ? rnd(256) : INTERESTING[rnd(INTERESTING.length)]!;
  switch (rnd(7)) {
    case 0: {
      const c = Buffer.from(b);
      c[at] = byte;
      return c;
    }
    case 1:
      return Buffer.concat([b.subarray(0, at), Buffer.from([byte]), b.subarray(at)]);
    case 2:
      return Buffer.concat([b.subarray(0, at), b.subarray(at + 1)]);
    case 3:
      return b.subarray(0, at);
    case 4: {
      const c = Buffer.from(b);
      const other = rnd(b.length);
      c[at] = b[other]!;
      c[other] = b[at]!;
      return c;
    }
    default: {
      // Duplicate the `,"key":"value"` pair that starts at or after `at` (a duplicate key).
      const start = b.indexOf(',"', at);
      if (start < 0) return b.subarray(0, at);
      const stop = b.indexOf('"', b.indexOf('":"', start + 2) + 3);
      if (stop < 0) return b;
      return Buffer.concat([b.subarray(0, stop + 1), b.subarray(start, stop + 1), b.subarray(stop + 1)]);
    }
  }
}

// ---- real forms: every spelling of a value the real server sends, in every layout -------------------

const n = (max: number): fc.Arbitrary<number> => fc.integer({ min: 0, max });
const pad = fc.constantFrom(0, 0, 0, 8, 16);
const padded = (x: number, width: number): string => String(x).padStart(width, '0');
const priceForm = fc.tuple(fc.constantFrom('', '+', '-', ' '), n(3_000_000), pad).map(([s, x, w]) => s + padded(x, w));
const signedForm = fc.oneof(
  fc.tuple(fc.constantFrom('', '+', '-', '--', ' '), n(50_000_000), pad).map(([s, x, w]) => s + padded(x, w)),
  fc.constantFrom('-0', '0', '+0', ' 0', '--0'),
);
const rateForm = fc.oneof(
  fc.tuple(fc.constantFrom('', '+', '-', ' ', '--'), n(3000), n(99)).map(([s, i, c]) => `${s}${i}.${padded(c, 2)}`),
  fc.tuple(fc.constantFrom('', '+', '-'), n(4000)).map(([s, i]) => `${s}${i}`), // ka10059-style implied decimals
  fc.constantFrom('+0.00', '-0.00', '0.00', '+.5', '5.', '1.2.3'),
);
const timeForm = fc.oneof(
  fc.tuple(n(23), n(59), n(59)).map(([h, m, s]) => padded(h, 2) + padded(m, 2) + padded(s, 2)),
  fc.constantFrom('000000', '240000', '235960', ' 101327', '101327 ', '10132', '1013270'),
);
const absurd = fc.constantFrom('', ' ', '9'.repeat(301), `-${'9'.repeat(301)}`, '1'.repeat(20), '100000001', '-100000001', '1000.01', 'KRX', '+-5', '1e5');
/** A value for a FID: mostly its own real form, sometimes empty, absurd or garbled. */
const formOf = (base: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc.oneof({ weight: 30, arbitrary: base }, { weight: 1, arbitrary: absurd }, { weight: 1, arbitrary: oddNumber });
const FORMS: Record<string, fc.Arbitrary<string>> = {
  '10': formOf(priceForm), '16': formOf(priceForm), '17': formOf(priceForm), '18': formOf(priceForm), '27': formOf(priceForm), '28': formOf(priceForm),
  '11': formOf(signedForm), '13': formOf(signedForm), '14': formOf(signedForm), '15': formOf(signedForm),
  '12': formOf(rateForm), '228': formOf(rateForm),
  '20': formOf(timeForm),
  '25': formOf(fc.constantFrom('1', '2', '3', '4', '5', '0', '6', '', ' 2', '02')),
  // Text FIDs: 9081 "KRX" on the real feed (NXT/통합 strings [U]); 290 "2" (other codes [U], kept raw when short).
  '9081': fc.constantFrom('KRX', 'KRX', 'NXT', ' NXT ', 'krx', '통합', 'SOR', '1', '', ' ', 'KRXX'),
  '290': fc.constantFrom('2', '2', '1', ' 2 ', '', ' ', '12345678', '123456789', '가', 'a b', '~'),
};
const overrides = fc.record(FORMS, { requiredKeys: [] }) as fc.Arbitrary<Record<string, string>>;
const itemForm = fc.constantFrom('005930', '005930_NX', '005930_AL', '000010_AL', '066310', '005930', '005930_NX', '1', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', '005930 ', '삼성', '');
const realEntryArb: fc.Arbitrary<RealEntryObject & Record<string, unknown>> = fc
  .tuple(
    fc.constantFrom('0B', '0B', '0B', '0B', '0B', '0A', '0A', '0D', '0b', '1h', ''),
    itemForm,
    overrides,
    fc.oneof({ weight: 4, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: fc.subarray(['10', '13', '15', '20', '25', '228', '9081', '290']) }),
    fc.constantFrom('주식체결', '주식체결', '주식체결', '주식체결', 'name', 'a"b', '\u0001', ''),
  )
  .map(([type, item, over, drop, name]) => {
    const e = type === '0A' ? seed0A(over, item) : real0B(over, item);
    for (const fid of drop) delete e.values[fid];
    return { ...e, type, name };
  });

/** JSON text in the layouts a server might use: compact, Python-style separators, indented, keys shuffled. */
function layout(value: unknown, style: number, rnd: (n: number) => number): string {
  const shuffle = (o: Record<string, unknown>): Record<string, unknown> => {
    const keys = Object.keys(o);
    for (let i = keys.length - 1; i > 0; i--) {
      const j = rnd(i + 1);
      [keys[i], keys[j]] = [keys[j]!, keys[i]!];
    }
    return Object.fromEntries(keys.map((k) => [k, o[k]]));
  };
  const deep = (v: unknown): unknown => (Array.isArray(v) ? v.map(deep) : v !== null && typeof v === 'object' ? shuffle(Object.fromEntries(Object.entries(v).map(([k, x]) => [k, deep(x)]))) : v);
  switch (style) {
    case 0:
      return JSON.stringify(value);
    case 1:
      return JSON.stringify(value, null, 1);
    case 2:
      return JSON.stringify(value, null, '\t').replace(/\n/g, '\r\n');
    case 3: // Python's json.dumps default separators
      return JSON.stringify(value).replace(/","/g, '", "').replace(/":"/g, '": "').replace(/":\{/g, '": {').replace(/":\[/g, '": [');
    default:
      return JSON.stringify(deep(value));
  }
}

const realFormFrame = fc
  .tuple(fc.array(realEntryArb, { minLength: 0, maxLength: 4 }), fc.nat(4), fc.integer(), fc.constantFrom(0, 0, 0, 1, 2))
  .map(([entries, style, seed, extra]) => {
    const rnd = prng(seed);
    const frame: Record<string, unknown> = extra === 1 ? { kind: 'A', trnm: 'REAL', data: entries } : extra === 2 ? { data: entries, trnm: 'REAL' } : { trnm: 'REAL', data: entries };
    return Buffer.from(layout(frame, style, rnd), 'utf8');
  });

// ---- the test -----------------------------------------------------------------------------------------

describe('byte decoder vs reference decoder (differential)', () => {
  it('identical events and errors on >= 100,000 frames: simulator, real samples, real forms, malformed, mutated', () => {
    const t0 = performance.now();
    // Simulator frames (1 and 10 entries) and the real-sample frames, each as is and mutated.
    const fixed = [...simulatorFrames(3_600, 1, 'diff-1'), ...simulatorFrames(80, 10, 'diff-10'), ...realSampleFrames()].map((s) => Buffer.from(s, 'utf8'));
    const rnd = prng(20261205);
    for (const b of fixed) {
      base(b);
      for (let k = 0; k < 9; k++) same(mutate(b, rnd));
    }
    const afterFixed = tally.frames;
    const fastFixed = tally.fast;
    const basesFixed = fixed.length;
    // Real forms in every layout, each with 5 mutations.
    fc.assert(
      fc.property(realFormFrame, fc.integer(), (b, seed) => {
        const r = prng(seed);
        base(b);
        for (let k = 0; k < 11; k++) same(mutate(b, r));
      }),
      { numRuns: 3_000, seed: 21 },
    );
    const fastForms = tally.fast - fastFixed;
    // The property suite's malformed frames, each with one mutation.
    fc.assert(
      fc.property(malformedFrame, fc.integer(), (data, seed) => {
        const b = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
        // The text path with the generator's own string (lone surrogates included), as replay hands it over.
        if (typeof data === 'string') expect(outcome(routeFrame, data)).toEqual(outcome(routeFrameReference, data));
        // The hook end to end on every fourth (the others mostly fall back: routeFrame is the reference then).
        if (tally.frames % 4 === 0) base(b);
        else same(b);
        const r = prng(seed);
        same(mutate(b, r));
        same(mutate(b, r));
      }),
      { numRuns: 11_000, seed: 2112 },
    );
    const seconds = (performance.now() - t0) / 1000;
    expect(tally.frames).toBeGreaterThanOrEqual(100_000);
    // The fast path must really be exercised (not everything falling back), and events really compared:
    // every unmutated simulator and real-sample frame, and a good share of the real-form frames.
    expect(fastFixed).toBeGreaterThanOrEqual(basesFixed);
    expect(fastForms).toBeGreaterThan(800);
    expect(tally.events).toBeGreaterThan(10_000);
    expect(seconds).toBeLessThan(30);
  }, 60_000);

  it('takes the real-sample and simulator frames itself (no fallback), with the real readings', () => {
    for (const text of [...realSampleFrames(), ...simulatorFrames(200, 3, 'fast-only')]) {
      expect(decodeRealFast(Buffer.from(text, 'utf8'), TS, kstDayStart(TS)), text.slice(0, 120)).not.toBeNull();
    }
    const [e] = decodeRealFast(Buffer.from(realSampleFrames()[0]!, 'utf8'), TS, kstDayStart(TS))!;
    expect(e).toMatchObject({ kind: 'trade', symbol: '005930', venue: 'KRX', price: 303750, change: -3250, changeRate: -1.06, volume: 3, side: 'buy', sign: 5, cumVolume: 7705133, cumValue: 2352536, tradeVenue: 'KRX', sessionCode: '2' });
  });

  it('falls back on what it does not recognise with certainty', () => {
    const base = JSON.stringify({ trnm: 'REAL', data: [real0B()] });
    const cases = [
      base.replace('"주식체결"', '"\\uc8fc\\uc2dd"'), // an escape
      base.replace('"+3"', '"+3", "15":"+4"'), // a duplicate FID we read
      base.replace('"trnm":"REAL"', '"trnm":"REAL","trnm":"REAL"'), // a duplicate frame key
      base.replace('"values":{', '"values":{"x":{"y":[1]},'), // unexpected nesting
      base.replace('"0B"', '"0D"'), // a type without a table
      base.replace('"10":"-303750"', '"10":"-3037x0"'), // an unreadable required FID (the reference reports it)
      base.replace('"10":"-303750"', `"10":"${'9'.repeat(301)}"`), // out of range
      base.replace('"010"', '"x"') + ' x', // trailing garbage
      JSON.stringify({ trnm: 'PING' }),
    ];
    for (const c of cases) expect(decodeRealFast(Buffer.from(c, 'utf8'), TS, kstDayStart(TS)), c.slice(0, 80)).toBeNull();
    const invalidUtf8 = Buffer.from(base, 'utf8');
    invalidUtf8[invalidUtf8.indexOf(0xec)] = 0xff;
    expect(decodeRealFast(invalidUtf8, TS, kstDayStart(TS))).toBeNull();
  });
});
