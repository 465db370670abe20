import { describe, expect, it } from 'vitest';
import { subscribedToStocks } from '../../../src/app/observability.js';
import { startRealtimeHarness } from '../../support/realtime-harness.js';

/**
 * The data-silence alarm watches a socket that holds stocks. With an empty universe the socket still
 * holds the market-wide item-less pairs (0s, 1h), which are quiet by nature: that is not "subscribed"
 * (an alarm there would be a false one), while one stock makes it so.
 */
describe('the silence alarm and the item-less pairs (real connection on the simulator)', () => {
  it('an empty universe with only 0s/1h is not subscribed; one stock is', async () => {
    const h = await startRealtimeHarness({ symbols: [], realtimeTypes: ['0B'], itemlessTypes: ['0s', '1h'] });
    try {
      h.conn.start();
      await h.settled();
      expect(h.serverPairs()).toEqual(['|0s', '|1h']);
      expect(h.conn.status().phase).toBe('live');
      expect(subscribedToStocks(h.conn)).toBe(false);

      h.conn.applyDiff({ add: ['005930'], remove: [] });
      await h.settled();
      expect(h.serverPairs()).toEqual(['005930|0B', '|0s', '|1h']);
      expect(subscribedToStocks(h.conn)).toBe(true);
    } finally {
      await h.close();
    }
  });
});
