import type { Random } from '../core/random.js';
import { formatKstTime } from '../core/kst.js';
import { ceilToTick, floorToTick, tickDown, tickUp } from './format.js';
import { buildUniverse, type SimMarket, type SimStock } from './universe.js';

export type ProgramMarket = 'P00101' | 'P10102';

export interface ProgramRankRow {
  readonly rank: number;
  readonly code: string;
  readonly name: string;
  readonly price: number;
  readonly netAmount: number;
  readonly buyAmount: number;
  readonly sellAmount: number;
}

export interface TradeResult {
  readonly qty: number;
  readonly side: 1 | -1;
}

/**
 * The seeded synthetic market: random walks on KRX ticks inside the ±30 % band, volatility
 * clusters, and program flows for every stock (updated once a second) that drift so the
 * program net-buy top 50 changes over minutes.
 */
export class SimMarketState {
  readonly stocks: SimStock[];
  readonly byCode: Map<string, SimStock>;
  private readonly flowRandom: Random;
  private readonly driftRandom: Random;
  private secondCount = 0;

  constructor(random: Random, count: number, startMs: number) {
    this.stocks = buildUniverse(random.fork('universe'), count);
    this.byCode = new Map(this.stocks.map((s) => [s.code, s]));
    this.flowRandom = random.fork('program');
    this.driftRandom = random.fork('drift');
    this.seedSession(random.fork('session'), startMs);
  }

  stocksOf(market: SimMarket): SimStock[] {
    return this.stocks.filter((s) => s.market === market);
  }

  /** The state of an open session: some trading already done, program flows under way. */
  private seedSession(r: Random, startMs: number): void {
    const t = formatKstTime(startMs);
    for (const s of this.stocks) {
      const move = Math.max(-0.08, Math.min(0.08, r.normal() * 0.02));
      s.open = clamp(s, floorToTick(Math.round(s.prevClose * (1 + move * 0.3))));
      s.price = clamp(s, floorToTick(Math.round(s.prevClose * (1 + move))));
      s.high = Math.max(s.open, s.price);
      s.low = Math.min(s.open, s.price);
      s.openTime = '090000';
      s.highTime = t;
      s.lowTime = t;
      s.accVolume = Math.round(s.prevVolume * r.between(0.2, 0.6));
      s.accValue = s.accVolume * s.price;
      s.buyVolume = Math.round(s.accVolume * r.between(0.4, 0.6));
      s.sellVolume = s.accVolume - s.buyVolume;
      s.buyCount = Math.max(1, Math.round(s.buyVolume / 37));
      s.sellCount = Math.max(1, Math.round(s.sellVolume / 41));
      s.progFlow = r.normal() * s.progScale;
      const base = s.progScale * r.between(20, 200);
      const net = r.normal() * s.progScale * 60;
      s.progBuy = Math.round(base + Math.max(0, net));
      s.progSell = Math.round(base + Math.max(0, -net));
    }
  }

  /**
   * Once a second: price moves, program flows and volatility decay for one fifth of the stocks
   * (round-robin) by five seconds' worth, so idle virtual hours stay cheap. Prices move here, on the
   * market's own clock, never per trade: a price's volatility per second does not depend on how many
   * trades the feed is configured to send.
   */
  stepSecond(nowMs: number): void {
    const fr = this.flowRandom;
    const dr = this.driftRandom;
    const t = formatKstTime(nowMs);
    const stocks = this.stocks;
    const phase = this.secondCount++ % ROUND;
    for (let i = phase; i < stocks.length; i += ROUND) {
      const s = stocks[i] as SimStock;
      const moves = poisson(dr, Math.min(15, MOVES_PER_SECOND * ROUND * s.vol));
      for (let k = 0; k < moves; k++) this.move(s, dr.next() < 0.5 + s.progFlow / (s.progScale * 40) ? 1 : -1, t);
      // Mean-reverting flow with rare regime shocks: rankings churn over minutes.
      s.progFlow = s.progFlow * FLOW_DECAY + cheapNormal(fr) * s.progScale * 0.25 * SQRT_ROUND;
      if (fr.next() < 0.0015 * ROUND) s.progFlow += (fr.next() < 0.5 ? -1 : 1) * s.progScale * fr.between(3, 8);
      const base = s.progScale * 0.5;
      s.progBuy += Math.round((base + Math.max(0, s.progFlow)) * ROUND);
      s.progSell += Math.round((base + Math.max(0, -s.progFlow)) * ROUND);
      s.vol = 1 + (s.vol - 1) * VOL_DECAY;
      if (dr.next() < 0.0005 * ROUND) s.vol *= 3;
    }
  }

  /** One trade on a stock at its current price; the side leans with the stock's program flow. */
  trade(s: SimStock, r: Random, _hhmmss: string): TradeResult {
    const side: 1 | -1 = r.next() < 0.5 + Math.max(-0.2, Math.min(0.2, s.progFlow / (s.progScale * 20))) ? 1 : -1;
    const qty = 1 + Math.floor(Math.exp(r.normal() * 1.3) * Math.max(1, 200_000 / s.price));
    s.accVolume += qty;
    s.accValue += qty * s.price;
    if (side === 1) {
      s.buyVolume += qty;
      s.buyCount += 1;
    } else {
      s.sellVolume += qty;
      s.sellCount += 1;
    }
    return { qty, side };
  }

  /**
   * A 0A price change without a trade (block deal, close correction). Most move a tick; one in five is
   * a block deal priced 1-4 % away, the departures a 기세 strategy looks for.
   */
  indicative(s: SimStock, r: Random, hhmmss: string): void {
    const dir: 1 | -1 = r.next() < 0.5 ? 1 : -1;
    if (r.next() >= 0.2) {
      this.move(s, dir, hhmmss);
      return;
    }
    const target = s.price * (1 + dir * (0.01 + 0.03 * r.next()));
    this.jump(s, clamp(s, dir === 1 ? ceilToTick(target) : floorToTick(target)), hhmmss);
  }

  private move(s: SimStock, dir: 1 | -1, hhmmss: string): void {
    this.jump(s, clamp(s, dir === 1 ? tickUp(s.price) : tickDown(s.price)), hhmmss);
  }

  private jump(s: SimStock, price: number, hhmmss: string): void {
    s.price = price;
    if (s.price > s.high) {
      s.high = s.price;
      s.highTime = hhmmss;
    }
    if (s.price < s.low) {
      s.low = s.price;
      s.lowTime = hhmmss;
    }
    if (s.price === s.upper && s.upperTime === '000000') s.upperTime = hhmmss;
    if (s.price === s.lower && s.lowerTime === '000000') s.lowerTime = hhmmss;
  }

  /** ka90003's ranking: net buy (or net sell) by amount, top n, for one market. */
  programRanking(market: ProgramMarket, n = 50, direction: 'buy' | 'sell' = 'buy'): ProgramRankRow[] {
    const m: SimMarket = market === 'P00101' ? 'KOSPI' : 'KOSDAQ';
    const sign = direction === 'buy' ? 1 : -1;
    const rows = this.stocks
      .filter((s) => s.market === m)
      .map((s) => ({ s, net: s.progBuy - s.progSell }))
      .sort((a, b) => sign * (b.net - a.net) || (a.s.code < b.s.code ? -1 : 1))
      .slice(0, n);
    return rows.map(({ s, net }, i) => ({
      rank: i + 1,
      code: s.code,
      name: s.name,
      price: s.price,
      netAmount: net,
      buyAmount: s.progBuy,
      sellAmount: s.progSell,
    }));
  }
}

const ROUND = 5;
/** Tick moves per second of a stock at volatility 1 (a tick every ~17 s; volatility clusters multiply it). */
const MOVES_PER_SECOND = 0.06;
const SQRT_ROUND = Math.sqrt(ROUND);
const FLOW_DECAY = 0.97 ** ROUND;
const VOL_DECAY = 0.995 ** ROUND;

/** An approximately standard normal draw from three uniforms (cheaper than Box-Muller). */
function cheapNormal(r: Random): number {
  return (r.next() + r.next() + r.next() - 1.5) * 2;
}

/** A Poisson draw by inversion from one uniform (lambda is small here, so the loop is short). */
function poisson(r: Random, lambda: number): number {
  const u = r.next();
  let p = Math.exp(-lambda);
  let cum = p;
  let k = 0;
  while (u > cum && k < 50) {
    k++;
    p *= lambda / k;
    cum += p;
  }
  return k;
}

function clamp(s: SimStock, price: number): number {
  return Math.min(s.upper, Math.max(s.lower, price));
}
