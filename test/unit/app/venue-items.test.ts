import { describe, expect, it } from 'vitest';
import { programTop, programTrading } from '../../../src/adapters/kiwoom/program-top.js';
import { itemOf, stexTpOf, symbolOf, venueOfItem } from '../../../src/adapters/kiwoom/venue-codes.js';
import { createVenueItems, replayWants } from '../../../src/app/venue-items.js';
import type { StockMaster, StockMasterEntry } from '../../../src/core/stock-master.js';
import { chooseVenue, pollVenue } from '../../../src/core/venue-choice.js';

const master = (nxt: readonly string[]): StockMaster => ({
  get: (symbol): StockMasterEntry | undefined => (symbol === '999999' ? undefined : { symbol, name: symbol, market: 'KOSPI', nxtEnable: nxt.includes(symbol), orderWarning: '0' }),
});

describe('venue codes at the edge', () => {
  it('items and stex_tp per venue, and back', () => {
    expect([itemOf('005930', 'KRX'), itemOf('005930', 'NXT'), itemOf('005930', 'SOR')]).toEqual(['005930', '005930_NX', '005930_AL']);
    for (const item of ['005930', '005930_NX', '005930_AL']) expect(itemOf(symbolOf(item), venueOfItem(item))).toBe(item);
    expect([stexTpOf('KRX'), stexTpOf('NXT'), stexTpOf('SOR')]).toEqual(['1', '2', '3']);
  });
});

describe('universe.venue', () => {
  it('auto: SOR where the master says nxtEnable, else KRX; KRX without a master or for an unlisted stock; a named venue for all', () => {
    const m = master(['005930']);
    expect([chooseVenue('auto', '005930', m), chooseVenue('auto', '000660', m), chooseVenue('auto', '999999', m), chooseVenue('auto', '005930', undefined)]).toEqual(['SOR', 'KRX', 'KRX', 'KRX']);
    expect([chooseVenue('NXT', '000660', m), chooseVenue('KRX', '005930', m)]).toEqual(['NXT', 'KRX']);
    expect([pollVenue('auto'), pollVenue('SOR')]).toEqual(['KRX', 'SOR']);
  });

  it('turns symbol diffs into items; a symbol is removed with the item it was added with, even after the master changed', () => {
    let current: StockMaster | undefined;
    const items = createVenueItems('auto', () => current);
    expect(items.toItems({ add: ['005930', '000660'], remove: [] })).toEqual({ add: ['000660', '005930'], remove: [] });
    current = master(['005930', '035420']);
    expect(items.toItems({ add: ['035420'], remove: ['005930'] })).toEqual({ add: ['035420_AL'], remove: ['005930'] });
    current = master([]);
    expect(items.toItems({ add: [], remove: ['035420'], leftOut: ['111111'] })).toEqual({ add: [], remove: ['035420_AL'], leftOut: ['111111'] });
    expect([items.itemOf('035420', 'SOR'), items.itemOf('', undefined)]).toEqual(['035420_AL', '']);
  });
});

describe('replay drops what live drops', () => {
  it('by item; a VI (item-less 1h names any venue item) by its stock on any venue', () => {
    const wanted = new Set(['005930_AL', '000660']);
    expect(replayWants(wanted, { kind: 'trade', symbol: '005930', venue: 'SOR' })).toBe(true);
    expect(replayWants(wanted, { kind: 'trade', symbol: '005930', venue: 'KRX' })).toBe(false);
    expect(replayWants(wanted, { kind: 'vi', symbol: '005930', venue: 'KRX' })).toBe(true);
    expect(replayWants(wanted, { kind: 'vi', symbol: '000660', venue: 'SOR' })).toBe(true);
    expect(replayWants(wanted, { kind: 'vi', symbol: '035420', venue: 'KRX' })).toBe(false);
    expect(replayWants(wanted, { kind: 'raw', symbol: '' })).toBe(false);
  });
});

describe('the polls ask the configured venue (stex_tp)', () => {
  it('ka90003 and ka90004 send stex_tp 1/2/3 for KRX/NXT/SOR; KRX by default', async () => {
    const asked: string[] = [];
    const api = {
      ka90003: async (req: { stex_tp: string }) => {
        asked.push(`ka90003:${req.stex_tp}`);
        return { data: { prm_netprps_upper_50: [] }, receivedAt: 1 };
      },
      ka90004: async (req: { stex_tp: string }) => {
        asked.push(`ka90004:${req.stex_tp}`);
        return { data: { stk_prm_trde_prst: [] }, receivedAt: 1 };
      },
    } as unknown as Parameters<typeof programTop>[0] & Parameters<typeof programTrading>[0];
    await programTop(api, 'P00101');
    await programTop(api, 'P00101', 50, 'SOR');
    await programTrading(api, 'P10102', 0, 'NXT');
    expect(asked).toEqual(['ka90003:1', 'ka90003:3', 'ka90004:2']);
  });
});
