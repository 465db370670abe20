import { performance } from 'node:perf_hooks';
import { median, perSecond } from '../stats.js';

/** Milliseconds to JSON.parse `count` frames, cycling through `texts`: the ceiling's unit of work. */
export function timeJsonParse(texts: readonly string[], count = texts.length): number {
  if (texts.length === 0) throw new Error('timeJsonParse needs frames');
  let keep = 0;
  const n = texts.length;
  const t0 = performance.now();
  for (let i = 0, k = 0; i < count; i++, k = k + 1 === n ? 0 : k + 1) if (JSON.parse(texts[k]!) === null) keep++;
  const ms = performance.now() - t0;
  if (keep !== 0) throw new Error('a REAL frame parsed to null');
  return ms;
}

/** Median frames/s of plain JSON.parse over `rounds` rounds of `count` frames (one warm-up round first). */
export function jsonParseRate(texts: readonly string[], count = texts.length, rounds = 3): number {
  timeJsonParse(texts, Math.min(count, 20_000));
  const rates: number[] = [];
  for (let r = 0; r < rounds; r++) rates.push(perSecond(count, timeJsonParse(texts, count)));
  return median(rates);
}
