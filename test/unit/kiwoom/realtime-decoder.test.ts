import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeEntry, isDecodeFailure, kstDayStart } from '../../../src/adapters/kiwoom/realtime-decoder.js';
import { routeFrame, type FrameSinks } from '../../../src/adapters/kiwoom/realtime-frames.js';
import { realEntrySchema } from '../../../src/adapters/kiwoom/realtime-schema.js';
import type { RealtimeEvent } from '../../../src/core/market.js';
import type { SocketEvent } from '../../../src/core/realtime-socket.js';

// 2026-11-20 09:30:00 KST
const T = Date.UTC(2026, 10, 20, 0, 30, 0);

/** The 0A example of seed 002, verbatim values. */
const SEED_0A = {
  values: {
    '10': '+86800', '11': '+19500', '12': '+28.97', '27': '+85200', '28': '+85100', '13': '367090', '14': '31642',
    '16': '+87400', '17': '+87400', '18': ' 67300', '25': '2', '26': '+131995', '29': '+15843118000', '30': '+156.15',
    '31': '0.01', '32': '157', '311': '5181771', '567': '154912', '568': '000000',
  },
  type: '0A',
  name: '주식기세',
  item: '005930',
};

const trade = (values: Record<string, unknown>, item = '005930'): unknown => ({ type: '0B', name: '주식체결', item, values });
const TRADE_VALUES = { '20': '092959', '10': '-66000', '11': '-600', '12': '-0.90', '15': '-25', '13': '1200', '14': '79', '16': '67500', '17': '+68100', '18': '-65900', '25': '5', '27': '-66100', '28': '-66000', '228': '98.50', '9999': 'unknown fid' };

function collect(): { sinks: FrameSinks; events: RealtimeEvent[]; lifecycle: SocketEvent[]; pings: string[]; errors: string[] } {
  const out = { events: [] as RealtimeEvent[], lifecycle: [] as SocketEvent[], pings: [] as string[], errors: [] as string[] };
  return {
    ...out,
    sinks: {
      event: (e) => out.events.push(e),
      ping: (raw) => out.pings.push(raw),
      lifecycle: (e) => out.lifecycle.push(e),
      decodeError: (code) => out.errors.push(code),
      notice: () => undefined,
    },
  };
}
const stats = () => ({ frames: 0, entries: 0, pings: 0, decodeErrors: 0 });

describe('real-time decoding', () => {
  it('decodes the 0A example of seed 002', () => {
    const e = decodeEntry(SEED_0A, T, kstDayStart(T));
    expect(e).toEqual({
      kind: 'indicative', symbol: '005930', venue: 'KRX', price: 86800, change: 19500, changeRate: 28.97, sign: 2,
      cumVolume: 367090, cumValue: 31642, open: 87400, high: 87400, low: 67300, ask: 85200, bid: 85100, tsEvent: T, tsRecv: T,
    });
  });

  it('decodes a 0B trade: price magnitude, signed change, side from FID 15, venue time on the KST day', () => {
    const e = decodeEntry(trade(TRADE_VALUES, '005930_NX'), T, kstDayStart(T));
    expect(e).toMatchObject({
      kind: 'trade', symbol: '005930', venue: 'NXT', price: 66000, change: -600, changeRate: -0.9, sign: 5,
      volume: 25, side: 'sell', cumVolume: 1200, open: 67500, high: 68100, low: 65900, strength: 98.5,
      tsEvent: Date.UTC(2026, 10, 20, 0, 29, 59), tsRecv: T,
    });
  });

  it('passes an unknown real-time type through as a raw event', () => {
    const e = decodeEntry({ type: '0F', item: '005930_AL', values: { '210': '+100' } }, T, kstDayStart(T));
    expect(e).toEqual({ kind: 'raw', type: '0F', symbol: '005930', venue: 'SOR', values: { '210': '+100' }, tsEvent: T, tsRecv: T });
  });

  it('passes a market-wide 0s entry (item "" as the real dump has it) through raw; a 0B with item "" is a shape error', () => {
    // KWP 실시간시세/0s.txt (protocol.md 10.3): item [""] in, item "" out.
    const values = { '215': '0', '20': '085910', '214': '000050' };
    expect(decodeEntry({ type: '0s', name: '장시작시간', item: '', values }, T, kstDayStart(T))).toEqual({ kind: 'raw', type: '0s', symbol: '', values, tsEvent: T, tsRecv: T });
    expect(decodeEntry(trade(TRADE_VALUES, ''), T, kstDayStart(T))).toEqual({ failure: 'E_DECODE_SHAPE', reason: 'entry.item is not a string' });
  });

  it('reports a missing required FID and an unreadable value with their codes', () => {
    const { '15': _drop, ...noVolume } = TRADE_VALUES;
    const missing = decodeEntry(trade(noVolume), T, kstDayStart(T));
    expect(missing).toEqual({ failure: 'E_DECODE_SHAPE', reason: '0B values.15 missing' });
    const garbled = decodeEntry(trade({ ...TRADE_VALUES, '10': '12a00' }), T, kstDayStart(T));
    expect(garbled).toMatchObject({ failure: 'E_DECODE_VALUE' });
    expect((garbled as { reason: string }).reason).toContain('10="12a00"');
  });

  it('property: the hand-written checks accept exactly what the declared schema accepts', () => {
    const value = fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.constant(null), fc.boolean(), fc.constant([]), fc.constant({}));
    // Read FIDs (required and optional, for both types) plus unknown ones, each present or absent.
    const fids = fc.constantFrom('10', '11', '12', '13', '14', '15', '16', '17', '18', '20', '25', '27', '28', '228', '311', '9081');
    const values = fc.oneof(fc.dictionary(fids, value), fc.constant(null), fc.constant([]), fc.string({ maxLength: 3 }));
    // Mostly-valid 0B/0A values with one FID knocked out or replaced.
    const nearlyValid = fc.record({
      type: fc.constantFrom('0B', '0A'),
      base: fc.constantFrom<Record<string, string>>(TRADE_VALUES, SEED_0A.values),
      fid: fids,
      replacement: fc.oneof(fc.constant(undefined), value),
    }).map(({ type, base, fid, replacement }) => {
      const v: Record<string, unknown> = { ...base };
      if (replacement === undefined) delete v[fid];
      else v[fid] = replacement;
      return { type, name: '주식체결', item: '005930', values: v };
    });
    const entry = fc.oneof(
      fc.record(
        { type: fc.constantFrom('0B', '0A', '0X', '0F', '', 7), name: fc.oneof(fc.string({ maxLength: 4 }), fc.integer()), item: fc.oneof(fc.constantFrom('005930', '005930_NX', ''), fc.integer()), values },
        { requiredKeys: [] },
      ),
      nearlyValid,
      fc.anything(),
    );
    let accepted = 0;
    fc.assert(
      fc.property(entry, (e) => {
        const fast = decodeEntry(e, T, kstDayStart(T));
        const declared = realEntrySchema.safeParse(e).success;
        // E_DECODE_VALUE (an unparsable number) is beyond the schema: the shape was accepted.
        const shapeOk = !isDecodeFailure(fast) || fast.failure === 'E_DECODE_VALUE';
        expect(shapeOk).toBe(declared);
        if (declared) accepted++;
      }),
      { numRuns: 4000 },
    );
    expect(accepted).toBeGreaterThan(100); // the property saw both sides
  });

  it('tolerates unknown FIDs of any value on 0B/0A, but not a non-string read FID; raw entries need all strings', () => {
    const ok = decodeEntry(trade({ ...TRADE_VALUES, '9999': 12, '311': null }), T, kstDayStart(T));
    expect(ok).toMatchObject({ kind: 'trade', price: 66000 });
    expect(decodeEntry(trade({ ...TRADE_VALUES, '12': 0.9 }), T, kstDayStart(T))).toEqual({ failure: 'E_DECODE_SHAPE', reason: '0B values.12 is not a string' });
    expect(decodeEntry(trade({ ...TRADE_VALUES, '228': 98.5 }), T, kstDayStart(T))).toEqual({ failure: 'E_DECODE_SHAPE', reason: '0B values.228 is not a string' });
    expect(decodeEntry({ ...SEED_0A, values: { ...SEED_0A.values, '311': 5 } }, T, kstDayStart(T))).toMatchObject({ kind: 'indicative' });
    const { '13': _drop, ...no13 } = SEED_0A.values;
    expect(decodeEntry({ ...SEED_0A, values: no13 }, T, kstDayStart(T))).toEqual({ failure: 'E_DECODE_SHAPE', reason: '0A values.13 missing' });
    expect(decodeEntry({ type: '0F', item: '005930', values: { '210': 5 } }, T, kstDayStart(T))).toEqual({ failure: 'E_DECODE_SHAPE', reason: '0F values.210 is not a string' });
  });

  it('creates every trade and every indicative event with one property order', () => {
    const full = decodeEntry(trade(TRADE_VALUES), T, kstDayStart(T));
    const bare = decodeEntry(trade({ '20': '092959', '10': '-66000', '11': '-600', '12': '-0.90', '15': '-25', '13': '1200' }), T, kstDayStart(T));
    expect(Object.keys(bare)).toEqual(Object.keys(full));
    const { '25': _a, '14': _b, ...fewer } = SEED_0A.values;
    expect(Object.keys(decodeEntry({ ...SEED_0A, values: fewer }, T, kstDayStart(T)))).toEqual(Object.keys(decodeEntry(SEED_0A, T, kstDayStart(T))));
  });

  it('property: decoding never throws, whatever the values', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('10', '11', '12', '13', '15', '20', '25', '228'), fc.oneof(fc.string(), fc.constantFrom('+1e400', '-0', ' ', '99999999999999999999', '+-5'))), (values) => {
        const out = decodeEntry(trade({ ...TRADE_VALUES, ...values }), T, kstDayStart(T));
        if (!isDecodeFailure(out) && out.kind === 'trade') expect(Number.isFinite(out.price)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('frame routing', () => {
  it('decodes every entry of a multi-entry REAL frame', () => {
    const c = collect();
    const s = stats();
    routeFrame(Buffer.from(JSON.stringify({ trnm: 'REAL', data: [SEED_0A, trade(TRADE_VALUES), { type: '0B', item: 'x' }] })), T, c.sinks, s);
    expect(c.events.map((e) => e.kind)).toEqual(['indicative', 'trade']);
    expect(c.errors).toEqual(['E_DECODE_SHAPE']);
    expect(s).toEqual({ frames: 1, entries: 3, pings: 0, decodeErrors: 1 });
  });

  it('hands PINGs back unchanged and reads LOGIN, REG and SYSTEM frames', () => {
    const c = collect();
    const ping = '{"trnm":"PING","seq":7}';
    routeFrame(ping, T, c.sinks, stats());
    routeFrame('{"trnm":"LOGIN","return_code":0,"return_msg":""}', T, c.sinks, stats());
    routeFrame('{"trnm":"LOGIN","return_code":1,"return_msg":"인증에 실패했습니다 CODE=8005(Token이 유효하지 않습니다)"}', T, c.sinks, stats());
    routeFrame('{"trnm":"REG","return_code":0,"return_msg":""}', T, c.sinks, stats());
    routeFrame('{"trnm":"REMOVE","return_code":"1","return_msg":"bad item"}', T, c.sinks, stats());
    routeFrame('{"trnm":"SYSTEM","code":"R10001","message":"동일한 App key로 접속이 되었습니다"}', T, c.sinks, stats());
    expect(c.pings).toEqual([ping]);
    expect(c.lifecycle).toEqual([
      { type: 'login.ok' },
      { type: 'login.failed', returnCode: '1', message: '인증에 실패했습니다 CODE=8005(Token이 유효하지 않습니다)', tokenRejected: true },
      { type: 'reg.ack' },
      { type: 'reg.rejected', returnCode: '1', message: 'bad item' },
      { type: 'system.duplicate', code: 'R10001', message: '동일한 App key로 접속이 되었습니다' },
    ]);
  });

  it('counts and drops truncated JSON, wrong shapes, unknown trnm and invalid UTF-8 without throwing', () => {
    const c = collect();
    const s = stats();
    routeFrame('{"trnm":"REAL","data":[{"type":"0B"', T, c.sinks, s);
    routeFrame('[1,2]', T, c.sinks, s);
    routeFrame('{"trnm":"REAL","data":"x"}', T, c.sinks, s);
    routeFrame('{"trnm":"WHAT"}', T, c.sinks, s);
    routeFrame(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), T, c.sinks, s);
    expect(c.errors).toEqual(['E_DECODE_JSON', 'E_DECODE_SHAPE', 'E_DECODE_SHAPE', 'E_DECODE_SHAPE', 'E_DECODE_VALUE']);
    expect(s.decodeErrors).toBe(5);
    expect(c.events).toEqual([]);
  });

  it('accepts a genuine U+FFFD in valid UTF-8 and still refuses invalid bytes', () => {
    const c = collect();
    const s = stats();
    const entry = { type: '0B', name: '\uFFFD체결', item: '005930', values: TRADE_VALUES };
    routeFrame(Buffer.from(JSON.stringify({ trnm: 'REAL', data: [entry] }), 'utf8'), T, c.sinks, s);
    expect(c.events.map((e) => e.kind)).toEqual(['trade']);
    routeFrame(Buffer.concat([Buffer.from('{"trnm":"REAL","data":[{"type":"0B","name":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}]}')]), T, c.sinks, s);
    expect(c.errors).toEqual(['E_DECODE_VALUE']);
  });

  it('property: no input makes the router throw', () => {
    const c = collect();
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)), fc.json().map((j) => `{"trnm":"REAL","data":[${j}]}`)), (input) => {
        routeFrame(input, T, c.sinks, stats());
      }),
      { numRuns: 3000 },
    );
  });
});
