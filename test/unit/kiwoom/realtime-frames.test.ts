import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../../src/adapters/kiwoom/realtime-fids.js';
import { routeFrame, type FrameSinks, type FrameStats } from '../../../src/adapters/kiwoom/realtime-frames.js';
import type { RealtimeEvent } from '../../../src/core/market.js';
import type { SocketEvent } from '../../../src/core/realtime-socket.js';
import { real0B, seed0A, type RealEntryObject } from '../../support/real-frames.js';

const TS = Date.UTC(2026, 10, 20, 1, 0, 0); // 10:00 KST

interface Run {
  events: RealtimeEvent[];
  errors: Array<{ code: string; reason: string; sample: string }>;
  lifecycle: SocketEvent[];
  stats: FrameStats;
}

function route(data: string | Buffer): Run {
  const run: Run = { events: [], errors: [], lifecycle: [], stats: { frames: 0, entries: 0, pings: 0, decodeErrors: 0 } };
  const sinks: FrameSinks = {
    event: (e) => run.events.push(e),
    ping: () => undefined,
    lifecycle: (e) => run.lifecycle.push(e),
    notice: () => undefined,
    decodeError: (code, reason, sample) => run.errors.push({ code, reason, sample }),
  };
  routeFrame(data, TS, sinks, run.stats);
  return run;
}

/** Both inputs the router takes: the socket's Buffer (byte decoder first) and a string (replay of old recordings). */
const both = (text: string): Array<string | Buffer> => [text, Buffer.from(text, 'utf8')];
const frameOf = (...data: unknown[]): string => JSON.stringify({ trnm: 'REAL', data });

describe('frame router: hostile nesting (issue 20 item 1)', () => {
  const nested = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);
  const deepObject = (depth: number): string => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

  it('a deeply nested frame (5,000 levels, 10 KB) never throws out of the frame router, and is counted', () => {
    const deep = nested(5_000);
    expect(deep.length).toBe(10_000);
    const frames = [
      `{"trnm":"REAL","data":[${deep}]}`, // the entry itself
      `{"trnm":"REAL","data":[${deepObject(5_000)}]}`,
      `{"trnm":"REAL","data":[{"type":"0B","item":"005930","values":${deep}}]}`,
      `{"trnm":"REAL","data":[{"type":"0D","item":"005930","values":{"41":${deep}}}]}`,
      `{"trnm":"REAL","data":${deep}}`,
      `{"trnm":${deep}}`,
      `{"trnm":${deepObject(5_000)}}`,
      deep,
    ];
    for (const text of frames) {
      for (const data of both(text)) {
        let run: Run | undefined;
        expect(() => (run = route(data)), text.slice(0, 60)).not.toThrow();
        expect(run!.stats.decodeErrors).toBeGreaterThan(0);
        expect(run!.stats.decodeErrors).toBe(run!.errors.length);
        for (const e of run!.errors) {
          expect(e.sample.length).toBeLessThanOrEqual(200);
          expect(e.reason.length).toBeLessThanOrEqual(120);
        }
      }
    }
  });

  it('a nested return code or notice in a control frame never throws either (String() of a deep array would)', () => {
    const deep = nested(5_000);
    for (const text of [`{"trnm":"LOGIN","return_code":${deep},"return_msg":${deep}}`, `{"trnm":"REG","return_code":${deep}}`, `{"trnm":"SYSTEM","code":${deep},"message":${deep}}`]) {
      for (const data of both(text)) {
        let run: Run | undefined;
        expect(() => (run = route(data))).not.toThrow();
        expect(run!.lifecycle.length + run!.errors.length).toBeLessThanOrEqual(1);
      }
    }
    expect(route(`{"trnm":"LOGIN","return_code":${deep}}`).lifecycle).toEqual([{ type: 'login.failed', returnCode: '', message: '', tokenRejected: false }]);
  });

  it('samples are cut from the raw text, bounded, whatever the frame size', () => {
    const huge = frameOf({ type: '0B', item: 'x'.repeat(1_000_000), values: { '10': 'bad' } });
    for (const data of both(huge)) {
      const run = route(data);
      expect(run.errors).toHaveLength(1);
      expect(run.errors[0]!.sample).toBe(huge.slice(0, 200));
      expect(run.errors[0]!.reason.length).toBeLessThanOrEqual(120);
    }
  });
});

describe('frame router: absurd values are decode errors (issue 20 item 8)', () => {
  const absurd = (entry: RealEntryObject): void => {
    for (const data of both(frameOf(entry))) {
      const run = route(data);
      expect(run.events, JSON.stringify(entry.values).slice(0, 80)).toEqual([]);
      expect(run.errors.map((e) => e.code)).toEqual(['E_DECODE_VALUE']);
      expect(run.stats.decodeErrors).toBe(1);
    }
  };

  it('a 301-digit price never becomes an event', () => {
    absurd(real0B({ '10': '9'.repeat(301) }));
    absurd(real0B({ '10': `-${'1'.repeat(301)}` }));
    absurd(seed0A({ '10': `+${'9'.repeat(301)}` }));
  });

  it('every read price, quantity and rate is range-checked, optional FIDs included', () => {
    const over = (max: number): string => String(max + 1);
    for (const fid of ['10', '16', '17', '18', '27', '28']) absurd(real0B({ [fid]: `-${over(LIMITS.price)}` }));
    absurd(real0B({ '11': `-${over(LIMITS.price)}` }));
    absurd(real0B({ '12': '+1000.01' }));
    absurd(real0B({ '13': over(LIMITS.quantity) }));
    absurd(real0B({ '15': `+${over(LIMITS.quantity)}` }));
    absurd(real0B({ '14': over(LIMITS.amount) }));
    absurd(real0B({ '228': over(LIMITS.strength) }));
    absurd(seed0A({ '12': '-1000.5' }));
  });

  it('values at the limits pass', () => {
    const ok = frameOf(real0B({ '10': `-${LIMITS.price}`, '12': '-1000.00', '13': String(LIMITS.quantity), '15': `+${LIMITS.quantity}` }));
    for (const data of both(ok)) {
      const run = route(data);
      expect(run.errors).toEqual([]);
      expect(run.events[0]).toMatchObject({ price: LIMITS.price, changeRate: -1000, cumVolume: LIMITS.quantity, volume: LIMITS.quantity });
    }
  });
});
