import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { routeFrame, type FrameSinks, type FrameStats } from '../../src/adapters/kiwoom/realtime-frames.js';
import type { RealtimeEvent } from '../../src/core/market.js';

const TS = Date.UTC(2026, 10, 20, 1, 0, 0); // 10:00 KST

/** Numbers as Kiwoom might garble them: odd signs, huge magnitudes, exponents, blanks, non-strings. */
const oddNumber = fc.oneof(
  fc.integer().map((n) => `${n < 0 ? '-' : '+'}${Math.abs(n)}`),
  fc.constantFrom('9'.repeat(400), `-${'9'.repeat(320)}`, `+${'1'.repeat(309)}.5`),
  fc.constantFrom('', ' ', '+', '-', '--5', '+-5', '-+5', '++1', '1e400', '-1e400', 'Infinity', 'NaN', '0x10', '1,000', '１２３', '+0.00', '-0', ' 67300 ', '.', '1.2.3'),
  fc.stringMatching(/^[+-]?\d{16,400}$/),
  fc.stringMatching(/^[ +-]{0,3}\d{0,8}(\.\d{0,20})?[ ]{0,2}$/),
  fc.double().map(String),
  fc.string({ maxLength: 12 }),
);
const fidValue = fc.oneof({ weight: 6, arbitrary: oddNumber }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) });
const FIDS = ['10', '11', '12', '13', '14', '15', '16', '17', '18', '20', '25', '27', '28', '228', '290', '9081'];
const VALID_0B: Record<string, string> = { '10': '+68100', '11': '-50', '12': '+0.89', '13': '123456', '14': '8400', '15': '+10', '16': '68000', '17': '68200', '18': '67900', '20': '100000', '25': '2', '27': '68100', '28': '68000', '228': '101.5' };
/** A well-formed 0B/0A entry with some FIDs garbled: reaches the value parsers, not just the shape checks. */
const nearValid = fc
  .tuple(fc.constantFrom('0B', '0A'), fc.dictionary(fc.constantFrom(...Object.keys(VALID_0B)), oddNumber, { minKeys: 1, maxKeys: 3 }))
  .map(([type, garbled]) => ({ type, name: '주식체결', item: '005930', values: { ...VALID_0B, ...garbled } }));
const entry = fc.oneof(
  { weight: 4, arbitrary: nearValid },
  {
    weight: 5,
    arbitrary: fc.record(
      {
        type: fc.oneof(fc.constantFrom('0B', '0A', '0D', ''), fc.string({ maxLength: 3 }), fc.jsonValue({ maxDepth: 1 })),
        name: fc.oneof(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 1 })),
        item: fc.oneof(fc.constantFrom('005930', '005930_NX', '005930_AL', ''), fc.string({ maxLength: 10 }), fc.integer()),
        values: fc.oneof({ weight: 5, arbitrary: fc.dictionary(fc.constantFrom(...FIDS), fidValue) }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) }),
      },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);
const realFrame = fc.record({ trnm: fc.constant('REAL'), data: fc.oneof({ weight: 5, arbitrary: fc.array(entry, { maxLength: 6 }) }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) }) });
const otherFrame = fc.record(
  {
    trnm: fc.oneof(fc.constantFrom('PING', 'LOGIN', 'REG', 'REMOVE', 'SYSTEM', 'CNSRLST', ''), fc.jsonValue({ maxDepth: 1 })),
    return_code: fc.jsonValue({ maxDepth: 1 }),
    return_msg: fc.jsonValue({ maxDepth: 1 }),
    code: fc.oneof(fc.constant('R10001'), fc.jsonValue({ maxDepth: 1 })),
    message: fc.jsonValue({ maxDepth: 1 }),
  },
  { requiredKeys: [] },
);
const text = fc.oneof(
  realFrame.map((f) => JSON.stringify(f)),
  otherFrame.map((f) => JSON.stringify(f)),
  // Truncated JSON: a frame cut anywhere.
  fc.tuple(realFrame.map((f) => JSON.stringify(f)), fc.nat()).map(([s, n]) => s.slice(0, n % (s.length + 1))),
  fc.jsonValue().map((v) => JSON.stringify(v) ?? 'null'),
  fc.string({ unit: 'binary' }),
);
const frame: fc.Arbitrary<string | Buffer> = fc.oneof(
  text,
  text.map((s) => Buffer.from(s, 'utf8')),
  // Raw bytes: mostly invalid UTF-8.
  fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
  // A valid frame with one byte made invalid.
  fc.tuple(realFrame.map((f) => Buffer.from(JSON.stringify(f), 'utf8')), fc.nat(), fc.constantFrom(0xff, 0xc3, 0x80, 0xfe)).map(([b, n, byte]) => {
    const copy = Buffer.from(b);
    if (copy.length > 0) copy[n % copy.length] = byte;
    return copy;
  }),
);

interface Seen {
  events: RealtimeEvent[];
  decodeErrors: Array<{ code: string; reason: string; sample: string }>;
  other: number;
}

const sinksFor = (seen: Seen): FrameSinks => ({
  event: (e) => seen.events.push(e),
  ping: () => seen.other++,
  lifecycle: () => seen.other++,
  notice: () => seen.other++,
  decodeError: (code, reason, sample) => seen.decodeErrors.push({ code, reason, sample }),
});

const NUMERIC_FIELDS = ['price', 'change', 'changeRate', 'sign', 'cumVolume', 'cumValue', 'open', 'high', 'low', 'ask', 'bid', 'volume', 'tsEvent', 'tsRecv'] as const;

/** `{"trnm":"REAL","data":[]}`: the only frame with nothing to report. */
function isEmptyReal(data: string | Buffer): boolean {
  try {
    const f = JSON.parse(data.toString()) as { trnm?: unknown; data?: unknown };
    return f.trnm === 'REAL' && Array.isArray(f.data) && f.data.length === 0;
  } catch {
    return false;
  }
}

describe('routeFrame on arbitrary input (property)', () => {
  it('regression: a 400-digit price is an unreadable FID, not an Infinity trade', () => {
    const stats: FrameStats = { frames: 0, entries: 0, pings: 0, decodeErrors: 0 };
    const seen: Seen = { events: [], decodeErrors: [], other: 0 };
    const values = { ...VALID_0B, '10': '9'.repeat(400) };
    routeFrame(JSON.stringify({ trnm: 'REAL', data: [{ type: '0B', item: '005930', values }] }), TS, sinksFor(seen), stats);
    expect(seen.events).toEqual([]);
    expect(seen.decodeErrors.map((d) => d.code)).toEqual(['E_DECODE_VALUE']);
  });

  it('never throws, accounts for every frame and entry, and counts every bad input', () => {
    fc.assert(
      fc.property(frame, (data) => {
        const stats: FrameStats = { frames: 0, entries: 0, pings: 0, decodeErrors: 0 };
        const seen: Seen = { events: [], decodeErrors: [], other: 0 };
        routeFrame(data, TS, sinksFor(seen), stats);
        expect(stats.frames).toBe(1);
        // Every bad input is counted, and only through the sink that logs a sample.
        expect(stats.decodeErrors).toBe(seen.decodeErrors.length);
        for (const d of seen.decodeErrors) expect(['E_DECODE_JSON', 'E_DECODE_SHAPE', 'E_DECODE_VALUE']).toContain(d.code);
        // Every frame ends somewhere: an event, a control message or a counted decode error.
        if (seen.events.length + seen.other + seen.decodeErrors.length === 0) expect(isEmptyReal(data)).toBe(true);
        // Every entry of a REAL frame is either an event or a counted decode error.
        if (stats.entries > 0) expect(seen.events.length + seen.decodeErrors.length).toBe(stats.entries);
        // Nothing unreadable slips through as a number.
        for (const e of seen.events) {
          if (e.kind === 'raw') continue;
          for (const f of NUMERIC_FIELDS) if (f in e) expect(Number.isFinite((e as unknown as Record<string, number>)[f]), `${e.kind}.${f} = ${(e as unknown as Record<string, number>)[f]}`).toBe(true);
        }
      }),
      { numRuns: 3000, seed: 20261121 },
    );
  });
});
