import { formatKstTime, kstToEpoch } from '../../src/core/kst.js';
import { createRandom } from '../../src/core/random.js';
import { realFrame } from '../../src/sim/real-format.js';
import { SimMarketState } from '../../src/sim/market.js';
import { bookOf, bookValues, structureEntry } from '../../src/sim/structure-feed.js';
import type { FrameCorpus } from '../frames.js';

/**
 * One-entry 0D 주식호가잔량 frames as the simulator formats them (src/sim/structure-feed.ts: the real
 * run's 138-FID shape, split depth filled on `_AL` items for half of them), on its seeded market moving
 * second by second. The largest real-time entry the daemon decodes (issue 16's bench row).
 */
export function buildBookCorpus(frames: number, seed = 'bench-0D'): FrameCorpus {
  const start = kstToEpoch(2026, 1, 5, 9, 5, 0);
  const market = new SimMarketState(createRandom(seed).fork('market'), 200, start);
  const texts: string[] = [];
  const buffers: Buffer[] = [];
  let bytes = 0;
  let now = start;
  for (let i = 0; i < frames; i++) {
    if (i % 200 === 0) market.stepSecond((now += 1000));
    const s = market.stocks[i % market.stocks.length]!;
    const split = i % 2 === 1;
    const item = split ? `${s.code}_AL` : s.code;
    const text = realFrame([structureEntry('0D', item, bookValues(s, bookOf(s, i), formatKstTime(now), undefined, split))]);
    texts.push(text);
    const b = Buffer.from(text, 'utf8');
    buffers.push(b);
    bytes += b.length;
  }
  return { texts, buffers, entries: frames, indicativeEntries: 0, bytes, polls: [], symbols: market.stocks.map((s) => s.code) };
}
