import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { lowerLimit, signCode, signedInt, signedPrice, signedRate, tickDown, tickSize, tickUp, upperLimit } from '../../../src/sim/format.js';

describe('sim KRX price rules', () => {
  it('uses the current KRX tick table', () => {
    expect([1_999, 2_000, 4_995, 5_000, 19_990, 20_000, 49_950, 50_000, 199_900, 200_000, 499_500, 500_000].map(tickSize)).toEqual([
      1, 5, 5, 10, 10, 50, 50, 100, 100, 500, 500, 1_000,
    ]);
  });

  it('limits sit on ticks within ±30 % of the previous close', () => {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 2_000_000 }), (prev) => {
        const up = upperLimit(prev);
        const low = lowerLimit(prev);
        expect(up % tickSize(up)).toBe(0);
        expect(low % tickSize(low)).toBe(0);
        expect(up).toBeLessThanOrEqual(prev * 1.3);
        expect(low).toBeGreaterThanOrEqual(prev * 0.7);
        expect(up + tickSize(up)).toBeGreaterThan(prev * 1.3);
      }),
    );
  });

  it('tick steps stay on the grid across band edges', () => {
    expect(tickUp(1_999)).toBe(2_000);
    expect(tickUp(2_000)).toBe(2_005);
    expect(tickDown(2_000)).toBe(1_999);
    expect(tickDown(50_000)).toBe(49_950);
    expect(tickDown(2_005)).toBe(2_000);
  });

  it('formats like Kiwoom: direction-signed prices, signed changes, two-decimal rates, sign codes', () => {
    expect(signedPrice(68_100, 67_500)).toBe('+68100');
    expect(signedPrice(66_000, 67_500)).toBe('-66000');
    expect(signedPrice(67_500, 67_500)).toBe('67500');
    expect(signedPrice(67_300, 67_300, ' ')).toBe(' 67300');
    expect(signedInt(600)).toBe('+600');
    expect(signedInt(-50)).toBe('-50');
    expect(signedInt(0)).toBe('0');
    expect(signedRate(0.888)).toBe('+0.89');
    expect(signedRate(-0.67)).toBe('-0.67');
    expect(signedRate(0.001)).toBe('0.00');
    expect(signCode(upperLimit(10_000), 10_000)).toBe('1');
    expect(signCode(10_050, 10_000)).toBe('2');
    expect(signCode(10_000, 10_000)).toBe('3');
    expect(signCode(lowerLimit(10_000), 10_000)).toBe('4');
    expect(signCode(9_990, 10_000)).toBe('5');
  });
});
