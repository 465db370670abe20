import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVirtualClock } from '../../../src/core/virtual-clock.js';
import type { Signal } from '../../../src/core/signal.js';
import { openSignalStore } from '../../../src/adapters/store/signal-store.js';
import { querySignals } from '../../../src/adapters/store/query-signals.js';
import { formatSignals } from '../../../src/adapters/store/format-signals.js';
import { makeTempDir } from '../../support/store/fixtures.js';

const text = fc.string({ minLength: 1, maxLength: 12 });
const json: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, fc.constant(null), fc.boolean(), fc.integer(), fc.string(), fc.array(tie('value'), { maxLength: 3 }), fc.dictionary(fc.string(), tie('value'), { maxKeys: 3 })),
})).value;
const signal: fc.Arbitrary<Signal> = fc.record({
  id: text,
  sessionId: text,
  strategy: text,
  strategyVersion: text,
  symbol: text,
  venue: fc.constantFrom('KRX', 'NXT', 'SOR'),
  kind: fc.constantFrom('BUY', 'SELL', 'EXIT', 'ALERT'),
  price: fc.option(fc.double({ noNaN: true, noDefaultInfinity: true }), { nil: null }),
  tsEvent: fc.integer({ min: 0, max: 2 ** 42 }),
  tsRecv: fc.integer({ min: 0, max: 2 ** 42 }),
  details: fc.dictionary(fc.string(), json, { maxKeys: 4 }),
});

describe('jsonl round trip', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  beforeAll(() => (tmp = makeTempDir()));
  afterAll(() => tmp.cleanup());

  it('keeps a "__proto__" key in details as data', () => {
    const store = openSignalStore({ file: join(tmp.dir, 'proto.db'), clock: createVirtualClock(0), queueLimit: 10, schedule: () => {} });
    store.write({ id: 'p', sessionId: 's', strategy: 'x', strategyVersion: '1', symbol: 'A', venue: 'KRX', kind: 'ALERT', price: null, tsEvent: 1, tsRecv: 1, details: JSON.parse('{"b":1,"__proto__":{"x":1}}') as Record<string, unknown> });
    store.flush();
    const out = formatSignals(querySignals(store.database), 'jsonl');
    store.close();
    expect(out).toContain('"details":{"__proto__":{"x":1},"b":1}}');
  });

  it('every stored signal comes back from its jsonl line unchanged (prices and -0 aside)', () => {
    let n = 0;
    fc.assert(
      fc.property(fc.uniqueArray(signal, { selector: (s) => s.id, maxLength: 20 }), (signals) => {
        const store = openSignalStore({ file: join(tmp.dir, `rt${n++}.db`), clock: createVirtualClock(0), queueLimit: 100, schedule: () => {} });
        for (const s of signals) store.write(s);
        store.flush();
        const out = formatSignals(querySignals(store.database), 'jsonl');
        store.close();
        const back = out === '' ? [] : out.trimEnd().split('\n').map((l) => JSON.parse(l) as Signal);
        const byId = new Map(signals.map((s) => [s.id, s]));
        expect(back).toHaveLength(signals.length);
        for (const b of back) {
          const s = byId.get(b.id);
          expect(JSON.parse(JSON.stringify(b))).toEqual(JSON.parse(JSON.stringify({ ...s, price: s?.price ?? null })));
        }
      }),
      { numRuns: 60, seed: 20261121 },
    );
  });
});
