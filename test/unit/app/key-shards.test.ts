import { describe, expect, it } from 'vitest';
import { createKeyShards } from '../../../src/app/key-shards.js';

const symbols = (n: number, from = 0): string[] => Array.from({ length: n }, (_, i) => String(100_000 + from + i));

describe('key shards: the universe across app keys within each key budget', () => {
  it('spreads a fresh universe evenly and never over a key budget', () => {
    const shards = createKeyShards({ keys: ['a', 'b'], budget: 190 });
    const diffs = shards.applyUniverse({ add: symbols(300), remove: [] });
    expect(diffs.get('a')?.add).toHaveLength(150);
    expect(diffs.get('b')?.add).toHaveLength(150);
    expect(shards.leftOut()).toEqual([]);
    const more = shards.applyUniverse({ add: symbols(100, 300), remove: [] });
    expect(more.get('a')?.add).toHaveLength(40);
    expect(more.get('b')?.add).toHaveLength(40);
    expect(shards.symbolsOf('a')).toHaveLength(190);
    expect(shards.leftOut()).toHaveLength(20);
  });

  it('is stable: a universe change moves no held symbol', () => {
    const shards = createKeyShards({ keys: ['a', 'b'], budget: 190 });
    shards.applyUniverse({ add: symbols(100), remove: [] });
    const before = new Map(symbols(100).map((s) => [s, shards.ownerOf(s)]));
    const diffs = shards.applyUniverse({ add: symbols(30, 100), remove: symbols(20) });
    for (const s of symbols(80, 20)) expect(shards.ownerOf(s)).toBe(before.get(s));
    // Every removal is sent to the key that held it, and only there.
    const removed = [...diffs.values()].flatMap((d) => d.remove).sort();
    expect(removed).toEqual(symbols(20));
    expect(shards.ownerOf(symbols(1)[0] as string)).toBeUndefined();
  });

  it('re-homes a failed key within the budget, static symbols first, and places the rest when room returns', () => {
    const statics = ['900001', '900002'];
    const shards = createKeyShards({ keys: ['a', 'b'], budget: 190, staticSymbols: statics });
    shards.applyUniverse({ add: [...symbols(298), ...statics], remove: [] });
    const onA = shards.symbolsOf('a');
    const staticOnA = statics.filter((s) => shards.ownerOf(s) === 'a');
    const moves = shards.setUsable('a', false);
    expect(moves.get('a')?.remove).toEqual(onA);
    expect(moves.get('b')?.add).toHaveLength(40);
    expect(shards.symbolsOf('a')).toEqual([]);
    expect(shards.symbolsOf('b')).toHaveLength(190);
    for (const s of statics) expect(shards.ownerOf(s)).toBe('b');
    expect(moves.get('b')?.add).toEqual(expect.arrayContaining(staticOnA));
    expect(shards.leftOut()).toHaveLength(110);
    expect(shards.moved).toBe(40);
    // A symbol leaving makes room for one left out.
    const leaving = shards.symbolsOf('b').find((s) => !statics.includes(s)) as string;
    const firstLeftOut = shards.leftOut()[0];
    const d = shards.applyUniverse({ add: [], remove: [leaving] });
    expect(d.get('b')).toEqual({ add: [firstLeftOut], remove: [leaving] });
    // The key recovers: it takes the left-out symbols, nothing moves back from b.
    const heldByB = shards.symbolsOf('b');
    const back = shards.setUsable('a', true);
    expect(back.get('a')?.add).toHaveLength(109);
    expect(back.get('b')).toBeUndefined();
    expect(shards.symbolsOf('b')).toEqual(heldByB);
    expect(shards.leftOut()).toEqual([]);
  });

  it('with three keys, a failed key fits entirely into the others', () => {
    const shards = createKeyShards({ keys: ['a', 'b', 'c'], budget: 190 });
    shards.applyUniverse({ add: symbols(300), remove: [] });
    shards.setUsable('b', false);
    expect(shards.symbolsOf('a').length + shards.symbolsOf('c').length).toBe(300);
    expect(shards.leftOut()).toEqual([]);
  });

  it('holds nothing when no key is usable, and everything once one is', () => {
    const shards = createKeyShards({ keys: ['a'], budget: 190 });
    shards.setUsable('a', false);
    expect(shards.applyUniverse({ add: symbols(5), remove: [] }).size).toBe(0);
    expect(shards.leftOut()).toHaveLength(5);
    expect(shards.setUsable('a', true).get('a')?.add).toEqual(symbols(5));
  });
});
