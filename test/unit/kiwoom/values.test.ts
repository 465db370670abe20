import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  parseHhmmss,
  parsePrice,
  parsePriceDirection,
  parseRate,
  parseSignCode,
  parseSigned,
  parseYyyymmdd,
} from '../../../src/adapters/kiwoom/values.js';
import { kstToEpoch } from '../../../src/core/kst.js';

describe('kiwoom numeric strings (protocol.md section 4)', () => {
  it('reads price magnitudes in every documented form', () => {
    expect(parsePrice('+68100')).toBe(68100);
    expect(parsePrice('-66000')).toBe(66000);
    expect(parsePrice(' 67300')).toBe(67300);
    expect(parsePrice('6200')).toBe(6200);
    expect(parsePrice('0')).toBe(0);
    expect(parsePrice('-0')).toBe(0);
    expect(Object.is(parsePrice('-0'), 0)).toBe(true);
  });

  it('keeps the price direction separately', () => {
    expect(parsePriceDirection('+68100')).toBe(1);
    expect(parsePriceDirection('-66000')).toBe(-1);
    expect(parsePriceDirection(' 67300')).toBe(0);
    expect(parsePriceDirection('6200')).toBe(0);
    expect(parsePriceDirection('x')).toBeNaN();
  });

  it('keeps the sign on changes', () => {
    expect(parseSigned('-50')).toBe(-50);
    expect(parseSigned('+600')).toBe(600);
    expect(parseSigned('0')).toBe(0);
    expect(parseSigned('000000123')).toBe(123);
    expect(parseSigned(' -7 ')).toBe(-7);
    expect(Object.is(parseSigned('-0'), 0)).toBe(true);
  });

  it('reads two-decimal rates', () => {
    expect(parseRate('+0.89')).toBe(0.89);
    expect(parseRate('-0.67')).toBe(-0.67);
    expect(parseRate('0.00')).toBe(0);
    expect(parseRate('+29.90')).toBe(29.9);
    expect(parseRate('12')).toBe(12);
    expect(Object.is(parseRate('-0.00'), 0)).toBe(true);
  });

  it('reads sign codes 1-5 only', () => {
    for (const c of [1, 2, 3, 4, 5]) expect(parseSignCode(String(c))).toBe(c);
    expect(parseSignCode('0')).toBeNaN();
    expect(parseSignCode('6')).toBeNaN();
    expect(parseSignCode('+2')).toBe(2);
  });

  it('reads HHMMSS as seconds since midnight; 000000 is 0', () => {
    expect(parseHhmmss('154912')).toBe(15 * 3600 + 49 * 60 + 12);
    expect(parseHhmmss('000000')).toBe(0);
    expect(parseHhmmss('235959')).toBe(86399);
    expect(parseHhmmss('240000')).toBeNaN();
    expect(parseHhmmss('1549')).toBeNaN();
    expect(parseHhmmss('15491a')).toBeNaN();
  });

  it('reads YYYYMMDD as the KST midnight of that day, calendar-checked', () => {
    expect(parseYyyymmdd('20241107')).toBe(kstToEpoch(2024, 11, 7));
    expect(parseYyyymmdd('20240229')).toBe(kstToEpoch(2024, 2, 29));
    expect(parseYyyymmdd('20230229')).toBeNaN();
    expect(parseYyyymmdd('20241301')).toBeNaN();
    expect(parseYyyymmdd('20241100')).toBeNaN();
    expect(parseYyyymmdd('2024110')).toBeNaN();
  });

  it('returns NaN for empty, blank and garbage input (documented policy), never throws', () => {
    for (const f of [parsePrice, parseSigned, parseRate, parseSignCode, parseHhmmss, parseYyyymmdd]) {
      for (const bad of ['', '   ', '+', '-', 'abc', '12a', '1.2.3', '---5', '-+5', '+-5', '1 2', '1e5', 'NaN', '0x10']) {
        expect(f(bad), `${f.name}(${JSON.stringify(bad)})`).toBeNaN();
      }
    }
    expect(parsePrice('1.5')).toBeNaN(); // prices are whole won
    expect(parseSigned('1.5')).toBeNaN();
  });

  it('agrees with Number() on every integer and two-decimal form', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), fc.constantFrom('', '+', ' '), (n, prefix) => {
        const s = n < 0 ? String(n) : prefix + String(n);
        expect(parseSigned(s)).toBe(n);
        expect(parsePrice(s)).toBe(Math.abs(n));
      }),
    );
    fc.assert(
      fc.property(fc.integer({ min: -99999, max: 99999 }), (cents) => {
        const s = (cents < 0 ? '-' : '+') + (Math.abs(cents) / 100).toFixed(2);
        expect(parseRate(s)).toBe(Number(s));
      }),
    );
  });
});
