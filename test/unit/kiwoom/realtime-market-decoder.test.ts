import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeEntry, isDecodeFailure, kstDayStart } from '../../../src/adapters/kiwoom/realtime-decoder.js';
import { MARKET_RULES_BY_TYPE } from '../../../src/adapters/kiwoom/realtime-market-fids.js';
import { realEntrySchema } from '../../../src/adapters/kiwoom/realtime-schema.js';
import { form0g, real0D, real0w, real1h } from '../../support/real-market-frames.js';

const T = Date.UTC(2026, 10, 20, 1, 15, 0); // 10:15 KST
const D = kstDayStart(T);

describe('0w/1h/0g/0D decoders on the real forms', () => {
  it('0w: program sell/buy/net quantities and amounts, their changes, venue time from FID 20', () => {
    expect(decodeEntry(real0w(), T, D)).toEqual({
      kind: 'program-flow', symbol: '005930', venue: 'KRX', price: 305000, change: -2000, changeRate: -0.65, cumVolume: 7802211,
      sellQuantity: 3986577, sellAmount: 1210026, buyQuantity: 2705517, buyAmount: 821300, netQuantity: -1281060, netAmount: -388726,
      netQuantityChange: 4686, netAmountChange: 1426, tsEvent: Date.UTC(2026, 10, 20, 1, 14, 40), tsRecv: T,
    });
  });

  it('0w: net figures derived (buy - sell) when the wire leaves 210/212 out', () => {
    const { '210': _a, '212': _b, ...rest } = real0w().values;
    expect(decodeEntry({ ...real0w(), values: rest }, T, D)).toMatchObject({ netQuantity: -1281060, netAmount: -388726 });
  });

  it('1h: the same VI as 066310_AL and as 066310; direction from 9069 and the 1279 text', () => {
    const al = decodeEntry(real1h(), T, D);
    expect(al).toMatchObject({
      kind: 'vi', symbol: '066310', venue: 'SOR', phase: 'trigger', viType: 'static', direction: 'down', triggerPrice: 11230,
      staticReference: 12480, dynamicReference: 0, staticDeviation: -10.01, changeRate: -6.88, count: 1, triggerTime: 10 * 3600 + 34 * 60 + 12, releaseTime: null,
    });
    const bare = decodeEntry(real1h({ '9001': '066310' }, '066310'), T, D);
    expect(bare).toMatchObject({ kind: 'vi', symbol: '066310', venue: 'KRX', phase: 'trigger' });
    // Registered with item [""]: the stock comes from FID 9001.
    expect(decodeEntry(real1h({}, ''), T, D)).toMatchObject({ kind: 'vi', symbol: '066310', venue: 'SOR' });
    // Without 9069 the sign of 1279 decides; "+정적" = up.
    const { '9069': _d, ...noCode } = real1h({ '1279': '+정적' }).values;
    expect(decodeEntry({ ...real1h(), values: noCode }, T, D)).toMatchObject({ direction: 'up' });
  });

  it('1h: a release time other than "000000" is a release', () => {
    expect(decodeEntry(real1h({ '1224': '103634' }), T, D)).toMatchObject({ phase: 'release', releaseTime: 10 * 3600 + 36 * 60 + 34 });
    expect(decodeEntry(real1h({ '1225': '동적', '1279': '+동적', '9069': '1' }), T, D)).toMatchObject({ viType: 'dynamic', direction: 'up' });
  });

  it('0g: limits and reference price, extensions kept as sent', () => {
    expect(decodeEntry(form0g(), T, D)).toEqual({
      kind: 'stock-info', symbol: '005930', venue: 'KRX', upperLimit: 399000, lowerLimit: 215000, referencePrice: 307000,
      extension: '0', openingExtension: '0', closingExtension: '0', tsEvent: T, tsRecv: T,
    });
  });

  it('0D: ten levels each side, flat price with a leading space, totals, split depth null when all "0"', () => {
    const e = decodeEntry(real0D(), T, D);
    if (isDecodeFailure(e) || e.kind !== 'book') throw new Error('not a book');
    expect(e.asks).toHaveLength(10);
    expect(e.asks[0]).toEqual({ price: 307500, quantity: 1000 });
    expect(e.bids[0]).toEqual({ price: 307000, quantity: 2000 });
    expect(e.bids[9]).toEqual({ price: 302500, quantity: 2450 });
    expect([e.totalAsk, e.totalBid, e.totalAskChange, e.totalBidChange]).toEqual([145000, 454549, -11, 51]);
    expect([e.expectedPrice, e.krx, e.nxt]).toEqual([0, null, null]);
    expect(e.tsEvent).toBe(Date.UTC(2026, 10, 20, 1, 14, 40));
  });

  it('0D: KRX/NXT split depth where the wire fills it', () => {
    const e = decodeEntry(real0D({ '6044': '700', '6054': '1500', '6064': '90000', '6065': '300000', '6066': '300', '6086': '55000' }, '005930_AL'), T, D);
    expect(e).toMatchObject({ venue: 'SOR', krx: { totalAsk: 90000, totalBid: 300000 }, nxt: { totalAsk: 55000, totalBid: 0 } });
    if (isDecodeFailure(e) || e.kind !== 'book') throw new Error('not a book');
    expect(e.krx!.askQuantities[0]).toBe(700);
    expect(e.nxt!.askQuantities).toEqual([300, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('tolerates unknown FIDs (schema drift) and counts missing, unreadable and absurd values by code', () => {
    expect(decodeEntry(real0D({ '9999': 'x' }), T, D)).toMatchObject({ kind: 'book' });
    const { '1221': _p, ...noPrice } = real1h().values;
    expect(decodeEntry({ ...real1h(), values: noPrice }, T, D)).toEqual({ failure: 'E_DECODE_SHAPE', reason: '1h values.1221 missing' });
    expect(decodeEntry(real0w({ '204': '12a' }), T, D)).toMatchObject({ failure: 'E_DECODE_VALUE' });
    expect(decodeEntry(real0D({ '61': '9'.repeat(15) }), T, D)).toMatchObject({ failure: 'E_DECODE_VALUE' });
    expect(decodeEntry(form0g({ '305': 399000 as unknown as string }), T, D)).toEqual({ failure: 'E_DECODE_SHAPE', reason: '0g values.305 is not a string' });
    expect(decodeEntry(real1h({ '9001': '' }, ''), T, D)).toMatchObject({ failure: 'E_DECODE_SHAPE' });
  });

  it('property: never throws, events carry finite numbers, and the checks accept what the declared schema accepts', () => {
    const value = fc.oneof(
      { weight: 4, arbitrary: fc.oneof(fc.integer().map(String), fc.constantFrom('', ' ', '-0', '+', '000000', '103634', ' 307000', '--5', '9'.repeat(30), '정적', '+정적', '1.5.2')) },
      { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.constant(null), fc.boolean(), fc.constant({})) },
    );
    const bases = { '0w': real0w, '1h': real1h, '0g': form0g, '0D': real0D } as const;
    const entry = fc.oneof(
      fc.record({
        type: fc.constantFrom('0w', '1h', '0g', '0D'),
        item: fc.oneof(fc.constantFrom('005930', '066310_AL', '005930_NX', '', '_AL', 'x'.repeat(20)), fc.integer()),
        knock: fc.dictionary(fc.constantFrom(...Object.values(MARKET_RULES_BY_TYPE).flat().map((r) => r.fid)), fc.oneof(fc.constant(undefined), value), { maxKeys: 4 }),
      }).map(({ type, item, knock }) => {
        const values: Record<string, unknown> = { ...bases[type]().values };
        for (const [fid, x] of Object.entries(knock)) if (x === undefined) delete values[fid]; else values[fid] = x;
        return { type, item, values };
      }),
      fc.record({ type: fc.constantFrom('0w', '1h', '0g', '0D'), item: fc.anything(), values: fc.anything() }, { requiredKeys: [] }),
    );
    let accepted = 0;
    fc.assert(
      fc.property(entry, (e) => {
        const out = decodeEntry(e, T, D);
        const declared = realEntrySchema.safeParse(e).success;
        expect(!isDecodeFailure(out) || out.failure === 'E_DECODE_VALUE').toBe(declared);
        if (isDecodeFailure(out)) return;
        accepted++;
        const numbers = JSON.stringify(out, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? 'NOT-FINITE' : v));
        expect(numbers).not.toContain('NOT-FINITE');
      }),
      { numRuns: 3000, seed: 20261205 },
    );
    expect(accepted).toBeGreaterThan(200);
  });
});
