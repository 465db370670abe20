import fc from 'fast-check';

/**
 * Malformed-frame generators of the real-time property suite, shared by the robustness property
 * (realtime-frames.property.test.ts) and the byte-decoder differential test (realtime-fast.property.test.ts).
 */

/** Numbers as Kiwoom might garble them: odd signs, huge magnitudes, exponents, blanks, non-strings. */
export const oddNumber = fc.oneof(
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
export const VALID_0B: Record<string, string> = { '10': '+68100', '11': '-50', '12': '+0.89', '13': '123456', '14': '8400', '15': '+10', '16': '68000', '17': '68200', '18': '67900', '20': '100000', '25': '2', '27': '68100', '28': '68000', '228': '101.5' };
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
export const realFrame = fc.record({ trnm: fc.constant('REAL'), data: fc.oneof({ weight: 5, arbitrary: fc.array(entry, { maxLength: 6 }) }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) }) });
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
export const text = fc.oneof(
  realFrame.map((f) => JSON.stringify(f)),
  otherFrame.map((f) => JSON.stringify(f)),
  // Truncated JSON: a frame cut anywhere.
  fc.tuple(realFrame.map((f) => JSON.stringify(f)), fc.nat()).map(([s, n]) => s.slice(0, n % (s.length + 1))),
  fc.jsonValue().map((v) => JSON.stringify(v) ?? 'null'),
  fc.string({ unit: 'binary' }),
);
export const frame: fc.Arbitrary<string | Buffer> = fc.oneof(
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

