import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { routeFrame, type FrameSinks, type FrameStats } from '../../src/adapters/kiwoom/realtime-frames.js';
import type { RealtimeEvent } from '../../src/core/market.js';
import { frame, VALID_0B } from './frame-arbitraries.js';

const TS = Date.UTC(2026, 10, 20, 1, 0, 0); // 10:00 KST

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
