import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../src/core/random.js';

const draw = (seed: number | string, n: number): number[] => {
  const r = createRandom(seed);
  return Array.from({ length: n }, () => r.next());
};

describe('seeded random', () => {
  it('repeats exactly for the same seed and differs for another', () => {
    expect(draw(42, 50)).toEqual(draw(42, 50));
    expect(draw('42', 50)).toEqual(draw(42, 50));
    expect(draw(43, 50)).not.toEqual(draw(42, 50));
  });

  it('stays in range and is roughly uniform', () => {
    const xs = draw(7, 20_000);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.49);
    expect(mean).toBeLessThan(0.51);
    const r = createRandom(1);
    const ints = Array.from({ length: 1000 }, () => r.int(6));
    expect(new Set(ints)).toEqual(new Set([0, 1, 2, 3, 4, 5]));
  });

  it('forks independent streams without consuming the parent', () => {
    const a = createRandom(9);
    const b = createRandom(9);
    const fa = a.fork('jitter');
    expect(a.next()).toBe(b.next());
    expect(fa.next()).toBe(createRandom(9).fork('jitter').next());
    expect(createRandom(9).fork('x').next()).not.toBe(createRandom(9).fork('y').next());
  });

  it('draws normals with mean ~0 and sd ~1', () => {
    const r = createRandom(3);
    const xs = Array.from({ length: 20_000 }, () => r.normal());
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(sd - 1)).toBeLessThan(0.03);
  });
});
