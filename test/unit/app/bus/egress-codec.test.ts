import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildTrade } from '../../../../src/adapters/kiwoom/realtime-decoder.js';
import { SLOT_FIDS } from '../../../../src/adapters/kiwoom/realtime-fids.js';
import { BatchReader, BatchWriter, MAX_INTERNED, RECORD_SLOTS, type EgressBatch } from '../../../../src/app/bus/egress-codec.js';
import type { MarketEvent, TradeEvent } from '../../../../src/core/market.js';

const DAY_START = 1_767_193_200_000;

/** A trade as the decoders build it (one literal, their field order), from arbitrary slot values. */
const tradeArb = fc
  .record({
    symbol: fc.stringMatching(/^[0-9]{6}$/),
    venue: fc.constantFrom('KRX' as const, 'NXT' as const, 'SOR' as const),
    side: fc.constantFrom('buy' as const, 'sell' as const, 'unknown' as const),
    tradeVenue: fc.constantFrom('KRX' as const, 'NXT' as const, null),
    sessionCode: fc.constantFrom('', '2', '4', '9'),
    slots: fc.array(fc.oneof(fc.integer({ min: -1e12, max: 1e12 }), fc.double({ noNaN: false }), fc.constant(Number.NaN), fc.constant(-0)), { minLength: SLOT_FIDS.length, maxLength: SLOT_FIDS.length }),
    tsRecv: fc.integer({ min: DAY_START, max: DAY_START + 86_400_000 }),
    auction: fc.boolean(),
  })
  .map(({ symbol, venue, side, tradeVenue, sessionCode, slots, tsRecv, auction }): TradeEvent => {
    const t = buildTrade(symbol, venue, Float64Array.from(slots), side, tradeVenue, sessionCode, tsRecv, DAY_START);
    return auction ? { ...t, auction: true } : t;
  });

/** Other kinds travel as objects (structured clone): plain objects, as the decoders make them. */
const otherArb: fc.Arbitrary<MarketEvent> = fc.oneof(
  fc.record({ kind: fc.constant('raw' as const), type: fc.constantFrom('0D', '0H'), symbol: fc.constant('005930'), values: fc.dictionary(fc.constantFrom('41', '51'), fc.string(), { noNullPrototype: true }), tsEvent: fc.nat(), tsRecv: fc.nat() }).map((r) => ({ ...r })) as fc.Arbitrary<MarketEvent>,
  fc.record({ kind: fc.constant('phase' as const), phase: fc.string(), tsEvent: fc.nat(), tsRecv: fc.nat() }).map((r) => ({ ...r })) as unknown as fc.Arbitrary<MarketEvent>,
);

/** Writes the events through buffers of `capacity` records, reads them back as the worker does. */
function roundTrip(events: readonly MarketEvent[], capacity: number): Array<{ event: MarketEvent; seq: number }> {
  const writer = new BatchWriter(capacity, () => new Float64Array(capacity * RECORD_SLOTS));
  const reader = new BatchReader();
  const batches: EgressBatch[] = [];
  events.forEach((e, i) => {
    writer.add(e, 100 + i * 3);
    if (writer.full()) batches.push(writer.take());
  });
  if (writer.size > 0) batches.push(writer.take());
  const out: Array<{ event: MarketEvent; seq: number }> = [];
  for (const b of batches) reader.read(structuredClone(b), (event, seq) => out.push({ event, seq }));
  return out;
}

describe('the egress codec (main thread -> worker)', () => {
  it('gives back every event in order with its seq; a trade with the same fields, in the same order, so its JSON is byte for byte the same', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof({ weight: 4, arbitrary: tradeArb }, { weight: 1, arbitrary: otherArb }), { maxLength: 60 }), fc.integer({ min: 1, max: 16 }), (events, capacity) => {
        const back = roundTrip(events, capacity);
        expect(back.map((b) => b.seq)).toEqual(events.map((_, i) => 100 + i * 3));
        expect(back.map((b) => JSON.stringify(b.event))).toEqual(events.map((e) => JSON.stringify(e)));
        for (const [i, b] of back.entries()) expect(b.event).toStrictEqual(events[i]);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps a null strength apart from 0, and auction only where marked', () => {
    const base = buildTrade('005930', 'KRX', Float64Array.from(SLOT_FIDS.map(() => 7)), 'buy', null, '', DAY_START + 1000, DAY_START);
    const events: TradeEvent[] = [{ ...base, strength: null }, { ...base, strength: 0 }, { ...base, auction: true }];
    const back = roundTrip(events, 8).map((b) => b.event as TradeEvent);
    expect(back.map((t) => t.strength)).toEqual([null, 0, 7]);
    expect(back.map((t) => 'auction' in t)).toEqual([false, false, true]);
  });

  it('a broker sending ever-new session codes cannot grow the interned strings past their bound: those trades go as objects, intact', () => {
    const writer = new BatchWriter(1_000, () => new Float64Array(1_000 * RECORD_SLOTS));
    const reader = new BatchReader();
    const slots = new Float64Array(SLOT_FIDS.length).fill(1);
    const n = MAX_INTERNED + 2_000;
    let interned = 0;
    let sent = 0;
    for (let i = 0; i < n; i++) {
      const trade = buildTrade('005930', 'KRX', slots, 'buy', 'KRX', `s${i}`, DAY_START + i, DAY_START);
      writer.add(trade, i);
      if (writer.full() || i === n - 1) {
        const batch = writer.take();
        interned += batch.strings.length;
        const back: Array<{ event: MarketEvent }> = [];
        reader.read(batch, (event) => back.push({ event }));
        expect(back.map((b) => (b.event as TradeEvent).sessionCode)).toEqual(Array.from({ length: back.length }, (_, k) => `s${sent + k}`));
        sent += back.length;
      }
    }
    expect(sent).toBe(n);
    expect(interned).toBeLessThanOrEqual(MAX_INTERNED);
  });
});
