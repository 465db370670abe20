import { formatKstTime, kstToEpoch } from '../../src/core/kst.js';
import { createRandom } from '../../src/core/random.js';
import { SimMarketState } from '../../src/sim/market.js';
import { indicativeValues, realEntry, realFrame, tradeValues } from '../../src/sim/real-format.js';

/**
 * Real-time frames in the real server's forms, for decoder tests.
 *
 * REAL_0B_ENTRIES: the 0B entries of the proof run `KWP:실시간시세/0B.txt` @372a17f as protocol.md 10.3
 * quotes them (43 FIDs in fid.py order). The values 10/16-18/27/28 (signed prices), 15 "+3", 1313 "+911",
 * 1314 "+3", 1315 " 0", 1316 "+3", 26, 30, 1032, 851, 290, 9081 "KRX", 14, 311, 29, 567/568, 1891 and the
 * CFD costs are the quoted real strings; the FIDs protocol.md does not quote (13, 25, 31, 32, 228, 691,
 * 1030/1031, 1071/1072, 1890/1892, 620) are filled in the same forms, consistent with the quoted ones.
 */
const REAL_0B_VALUES: Record<string, string> = {
  '20': '101327', '10': '-303750', '11': '-3250', '12': '-1.06', '27': '-304000', '28': '-303750', '15': '+3', '13': '7705133',
  '14': '2352536', '16': '-305000', '17': '-305500', '18': '-302500', '25': '5', '26': '-26165419', '29': '-8377896248824',
  '30': '-22.85', '31': '0.13', '32': '16', '228': '97.84', '311': '17758071', '290': '2', '691': '0', '567': '000000',
  '568': '000000', '851': '6804', '1890': '090003', '1891': '050006', '1892': '093512', '1030': '3893114', '1031': '3811027',
  '1032': '-49.46', '1071': '112354', '1072': '108871', '1313': '+911', '1314': '+3', '1315': ' 0', '1316': '+3',
  '1497': '121500', '1498': '97200', '620': '304137', '732': '1525', '852': '1219', '9081': 'KRX',
};

/** The seed-002 0A example (protocol.md 3.7, a leading space on FID 18). */
const SEED_0A_VALUES: Record<string, string> = {
  '10': '+86800', '11': '+19500', '12': '+28.97', '27': '+85200', '28': '+85100', '13': '367090', '14': '31642', '16': '+87400',
  '17': '+87400', '18': ' 67300', '25': '2', '26': '+131995', '29': '+15843118000', '30': '+156.15', '31': '0.01', '32': '157',
  '311': '5181771', '567': '154912', '568': '000000',
};

export interface RealEntryObject {
  type: string;
  name: string;
  item: string;
  values: Record<string, string>;
}

export const real0B = (overrides: Record<string, string> = {}, item = '005930'): RealEntryObject => ({ type: '0B', name: '주식체결', item, values: { ...REAL_0B_VALUES, ...overrides } });
export const seed0A = (overrides: Record<string, string> = {}, item = '005930'): RealEntryObject => ({ type: '0A', name: '주식기세', item, values: { ...SEED_0A_VALUES, ...overrides } });

/** The real-sample frames: the 3 0B entries of the dump (one frame each and all three in one), the 0A example. */
export function realSampleFrames(): string[] {
  const a = real0B();
  const b = real0B({ '20': '101328', '15': '+9', '13': '7705142', '1313': '+2733', '1314': '+9', '1316': '+9' });
  const c = real0B({ '20': '101328', '10': '-303500', '15': '+1', '13': '7705143', '1313': '+303', '1314': '+1', '1316': '+1' });
  const frame = (...data: RealEntryObject[]): string => JSON.stringify({ trnm: 'REAL', data });
  return [frame(a), frame(b), frame(c), frame(a, b, c), frame(seed0A()), frame(seed0A({}, '005930_NX'), real0B({}, '005930_AL'))];
}

/** REAL frames exactly as the simulator formats them (its seeded market, 0B with 5 % 0A). */
export function simulatorFrames(count: number, entriesPerFrame: number, seed: string): string[] {
  const random = createRandom(seed);
  let now = kstToEpoch(2026, 1, 5, 9, 5, 0);
  const market = new SimMarketState(random.fork('market'), 50, now);
  const pick = random.fork('pick');
  const out: string[] = [];
  for (let f = 0; f < count; f++) {
    const entries: string[] = [];
    for (let k = 0; k < entriesPerFrame; k++) {
      now += 250;
      if (now % 1000 < 250) market.stepSecond(now - (now % 1000));
      const s = market.stocks[pick.int(market.stocks.length)]!;
      const hhmmss = formatKstTime(now);
      const item = [s.code, `${s.code}_NX`, `${s.code}_AL`][pick.int(3)]!;
      if (pick.next() < 0.05) {
        market.indicative(s, pick, hhmmss);
        entries.push(realEntry('0A', item, indicativeValues(s)));
      } else {
        const t = market.trade(s, pick, hhmmss);
        entries.push(realEntry('0B', item, tradeValues(s, t, hhmmss)));
      }
    }
    out.push(realFrame(entries));
  }
  return out;
}
