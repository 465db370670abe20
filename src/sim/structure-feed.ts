import { formatKstTime } from '../core/kst.js';
import type { KiwoomWsServer, SimConnection } from './kiwoom-ws.js';
import { changeRate, signCode, signedInt, signedPrice, signedRate, tickDown, tickSize, tickUp } from './format.js';
import type { SimMarketState } from './market.js';
import { registrations } from './registrations.js';
import type { SimStock } from './universe.js';

/**
 * The market-structure real-time types of the simulator, in the real forms of protocol.md 10.3 / 12:
 * 0g (limits from the reference price, once per registration), 0w (the same program flows that rank
 * ka90003, every 7 s per stock as on the real feed), 0D (a ten-level book around the last price, the
 * ask side thinning toward the upper limit) and 1h (a static VI when the price has moved 10 % from its
 * static reference, released 2 minutes later). Deterministic from the market state: no random draws,
 * so registering these types changes nothing else the simulator sends.
 */
export const STRUCTURE_TYPES = ['0g', '0w', '0D', '1h'] as const;
type StructureType = (typeof STRUCTURE_TYPES)[number];

/** Static VI band of KRX stocks: 10 % from the static reference. */
export const STATIC_VI_BAND = 0.1;
const VI_MS = 120_000;
const PROGRAM_EVERY_MS = 7_000;
const BOOK_EVERY_MS = 2_000;

interface Sub {
  readonly conn: SimConnection;
  readonly item: string;
}

interface ViState {
  staticRef: number;
  count: number;
  /** Set while a VI is active. */
  releaseAt: number | null;
  triggerTime: string;
  triggerPrice: number;
  direction: 1 | -1;
}

export class StructureFeed {
  private indexVersion = -1;
  private subs = new Map<StructureType, Map<SimStock, Sub[]>>();
  /** Registrations that already got their 0g (item|conn id). */
  private readonly infoSent = new Set<string>();
  private readonly lastProgram = new Map<SimStock, { qty: number; amount: number; at: number }>();
  private readonly lastBook = new Map<SimStock, { ask: number; bid: number; at: number }>();
  private readonly vi = new ViTracker();
  /** Connections that registered 1h with item [""]: every VI of the market, each entry naming its stock. */
  private itemlessVi: SimConnection[] = [];

  constructor(private readonly market: SimMarketState, private readonly ws: KiwoomWsServer) {}

  /** The entries due at `now`, by connection. */
  tick(now: number): Map<SimConnection, string[]> {
    if (this.indexVersion !== this.ws.version) this.rebuild();
    const out = new Map<SimConnection, string[]>();
    const hhmmss = formatKstTime(now);
    const send = (subs: readonly Sub[] | undefined, type: StructureType, values: (item: string) => string): void => {
      for (const sub of subs ?? []) {
        let list = out.get(sub.conn);
        if (list === undefined) out.set(sub.conn, (list = []));
        list.push(structureEntry(type, sub.item, values(sub.item)));
      }
    };
    for (const [s, subs] of this.subs.get('0g') ?? []) {
      const fresh = subs.filter((sub) => !this.infoSent.has(`${sub.item}|${sub.conn.id}`));
      for (const sub of fresh) this.infoSent.add(`${sub.item}|${sub.conn.id}`);
      send(fresh, '0g', () => stockInfoValues(s));
    }
    for (const [s, subs] of this.subs.get('0w') ?? []) {
      const last = this.lastProgram.get(s);
      if (last !== undefined && now - last.at < PROGRAM_EVERY_MS) continue;
      const values = programValues(s, hhmmss, last);
      this.lastProgram.set(s, { ...programNet(s), at: now });
      send(subs, '0w', () => values);
    }
    for (const [s, subs] of this.subs.get('0D') ?? []) {
      const last = this.lastBook.get(s);
      if (last !== undefined && now - last.at < BOOK_EVERY_MS) continue;
      const book = bookOf(s, Math.floor(now / BOOK_EVERY_MS));
      this.lastBook.set(s, { ask: book.totalAsk, bid: book.totalBid, at: now });
      send(subs, '0D', (item) => bookValues(s, book, hhmmss, last, item.endsWith('_AL')));
    }
    const viSubs = this.subs.get('1h');
    // Item-less subscribers watch the whole market; otherwise only the registered stocks are stepped.
    const viStocks = this.itemlessVi.length > 0 ? this.market.stocks : viSubs?.keys() ?? [];
    for (const s of viStocks) {
      const values = this.vi.step(s, now, hhmmss);
      if (values === null) continue;
      send(viSubs?.get(s), '1h', (item) => `"9001":"${item}",${values}`);
      send(this.itemlessVi.map((conn) => ({ conn, item: s.code })), '1h', (item) => `"9001":"${item}",${values}`);
    }
    return out;
  }

  private rebuild(): void {
    this.indexVersion = this.ws.version;
    this.subs = new Map();
    const itemless = new Set<SimConnection>();
    for (const { conn, item, type } of registrations(this.ws)) {
      if (!STRUCTURE_TYPES.includes(type as StructureType)) continue;
      if (item === '') {
        if (type === '1h') itemless.add(conn);
        continue;
      }
      const s = this.market.byCode.get(item.slice(0, 6));
      if (s === undefined) continue;
      let byStock = this.subs.get(type as StructureType);
      if (byStock === undefined) this.subs.set(type as StructureType, (byStock = new Map()));
      let list = byStock.get(s);
      if (list === undefined) byStock.set(s, (list = []));
      list.push({ conn, item });
    }
    this.itemlessVi = [...itemless];
    // Forget the 0g sent to registrations that are gone: a new REG of the same item gets its 0g again.
    const live = new Set<string>();
    for (const subs of this.subs.get('0g')?.values() ?? []) for (const sub of subs) live.add(`${sub.item}|${sub.conn.id}`);
    for (const key of this.infoSent) if (!live.has(key)) this.infoSent.delete(key);
  }
}


/**
 * Static VIs (protocol.md 12.4): a stock whose price has moved 10 % from its static reference triggers
 * one; it is released 2 minutes later, and the release price becomes the next reference. The reference
 * starts at the day's open. (The sim's market keeps trading during the VI: no single-price auction.)
 */
export class ViTracker {
  private readonly vi = new Map<SimStock, ViState>();

  /** The 1h values when a VI triggers or is released at `now`, else null. */
  step(s: SimStock, now: number, hhmmss: string): string | null {
    let st = this.vi.get(s);
    if (st === undefined) {
      st = { staticRef: s.open > 0 ? s.open : s.prevClose, count: 0, releaseAt: null, triggerTime: '000000', triggerPrice: 0, direction: 1 };
      this.vi.set(s, st);
    }
    if (st.releaseAt !== null) {
      if (now < st.releaseAt) return null;
      st.releaseAt = null;
      const values = viValues(s, st, hhmmss);
      // The VI's closing auction price is the next static reference.
      st.staticRef = s.price;
      return values;
    }
    const gap = (s.price - st.staticRef) / st.staticRef;
    if (Math.abs(gap) < STATIC_VI_BAND) return null;
    st.count++;
    st.releaseAt = now + VI_MS;
    st.triggerTime = hhmmss;
    st.triggerPrice = s.price;
    st.direction = gap > 0 ? 1 : -1;
    return viValues(s, st, '000000');
  }

}

const NAMES: Record<StructureType, string> = { '0g': '주식종목정보', '0w': '종목프로그램매매', '0D': '주식호가잔량', '1h': 'VI발동/해제' };

export function structureEntry(type: StructureType, item: string, values: string): string {
  return `{"type":"${type}","name":"${NAMES[type]}","item":"${item}","values":{${values}}}`;
}

/** 0g: limits from the reference price (the previous close); extension flags as "0" (their forms are [U]). */
export function stockInfoValues(s: SimStock): string {
  const pc = s.prevClose;
  return `"305":"${signedPrice(s.upper, pc, ' ')}","306":"${signedPrice(s.lower, pc, ' ')}","307":" ${pc}","297":"0","592":"0","593":"0"`;
}

/** Net program quantity and amount (백만원) now: the flows that rank ka90003. */
function programNet(s: SimStock): { qty: number; amount: number } {
  return { qty: shares(s.progBuy, s) - shares(s.progSell, s), amount: million(s.progBuy) - million(s.progSell) };
}

const million = (won: number): number => Math.trunc(won / 1_000_000);
const shares = (won: number, s: SimStock): number => Math.round(won / Math.max(1, s.price));

/** 0w in the real key order (KWP 0w.txt): 211/213 the change since this stock's previous entry, unsigned when positive. */
export function programValues(s: SimStock, hhmmss: string, last: { qty: number; amount: number } | undefined): string {
  const pc = s.prevClose;
  const net = programNet(s);
  const dq = last === undefined ? 0 : net.qty - last.qty;
  const da = last === undefined ? 0 : net.amount - last.amount;
  const sellQ = shares(s.progSell, s);
  const buyQ = shares(s.progBuy, s);
  return (
    `"20":"${hhmmss}","10":"${signedPrice(s.price, pc, ' ')}","25":"${signCode(s.price, pc)}","11":"${signedInt(s.price - pc)}",` +
    `"12":"${signedRate(changeRate(s.price, pc))}","13":"${s.accVolume}",` +
    `"202":"${sellQ}","204":"${million(s.progSell)}","206":"${buyQ}","208":"${million(s.progBuy)}",` +
    `"210":"${signedInt(buyQ - sellQ)}","212":"${signedInt(net.amount)}","213":"${unsignedPlus(da)}","211":"${unsignedPlus(dq)}"`
  );
}

/** Positive without a sign, negative with one (KWP 0w.txt: `"4686"`). */
function unsignedPlus(n: number): string {
  return n < 0 ? `-${-n}` : String(n);
}

export interface SimBook {
  readonly asks: ReadonlyArray<{ price: number; qty: number }>;
  readonly bids: ReadonlyArray<{ price: number; qty: number }>;
  readonly totalAsk: number;
  readonly totalBid: number;
}

/**
 * Ten levels each side around the last price. Quantities are a deterministic hash of the stock, the
 * level and the 2-second bucket; the ask side thins as the price nears the upper limit (within ten
 * ticks), as sellers step away from a stock about to lock up. Levels past a limit are empty.
 */
export function bookOf(s: SimStock, bucket: number): SimBook {
  const base = Math.max(10, Math.round(50_000_000 / s.price));
  const ticksToUpper = Math.max(0, Math.round((s.upper - s.price) / tickSize(s.price)));
  const thin = Math.min(1, ticksToUpper / 10);
  const asks: Array<{ price: number; qty: number }> = [];
  const bids: Array<{ price: number; qty: number }> = [];
  let ask = tickUp(s.price);
  let bid = s.price;
  for (let i = 0; i < 10; i++) {
    const askOk = ask <= s.upper;
    const bidOk = bid >= s.lower;
    asks.push({ price: askOk ? ask : 0, qty: askOk ? Math.max(1, Math.round(base * jitter(s.index, i, bucket) * thin)) : 0 });
    bids.push({ price: bidOk ? bid : 0, qty: bidOk ? Math.round(base * jitter(s.index, i + 10, bucket)) : 0 });
    ask = tickUp(ask);
    bid = tickDown(bid);
  }
  return { asks, bids, totalAsk: asks.reduce((a, l) => a + l.qty, 0), totalBid: bids.reduce((a, l) => a + l.qty, 0) };
}

/** 0.5-2.0 from a small integer hash. */
function jitter(a: number, b: number, c: number): number {
  let h = (a * 2654435761 + b * 40503 + c * 97) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 2246822507) >>> 0;
  return 0.5 + ((h >>> 8) % 1500) / 1000;
}

/**
 * 0D in the real forms (KWP 0D.txt): prices signed by direction with a leading space when flat, level
 * changes and total changes signed, 23/291 `" 0"` outside auctions, the split depth 6044-6087 all "0" on
 * a bare code (filled 80/20 KRX/NXT on an `_AL` registration), 6102 the KRX midpoint.
 */
export function bookValues(s: SimStock, b: SimBook, hhmmss: string, last: { ask: number; bid: number } | undefined, split: boolean): string {
  const pc = s.prevClose;
  const parts: string[] = [`"21":"${hhmmss}"`];
  for (let i = 0; i < 10; i++) {
    parts.push(`"${41 + i}":"${signedPrice(b.asks[i]!.price, pc, ' ')}"`, `"${61 + i}":"${b.asks[i]!.qty}"`, `"${81 + i}":"0"`);
    parts.push(`"${51 + i}":"${signedPrice(b.bids[i]!.price, pc, ' ')}"`, `"${71 + i}":"${b.bids[i]!.qty}"`, `"${91 + i}":"0"`);
  }
  const net = b.totalBid - b.totalAsk;
  parts.push(
    `"121":"${b.totalAsk}","122":"${signedInt(last === undefined ? 0 : b.totalAsk - last.ask)}"`,
    `"125":"${b.totalBid}","126":"${signedInt(last === undefined ? 0 : b.totalBid - last.bid)}"`,
    `"128":"${signedInt(net)}","138":"${signedInt(-net)}"`,
    `"129":"${b.totalAsk === 0 ? '0.00' : ((b.totalBid / b.totalAsk) * 100).toFixed(2)}","139":"${b.totalBid === 0 ? '0.00' : ((b.totalAsk / b.totalBid) * 100).toFixed(2)}"`,
    `"23":" 0","24":"0","200":"0","201":"0.00","238":"3","291":" 0","292":"0","293":"3","294":" 0","295":"0.00"`,
  );
  for (let i = 0; i < 10; i++) {
    const a = b.asks[i]!.qty;
    const d = b.bids[i]!.qty;
    const krxA = split ? Math.round(a * 0.8) : 0;
    const krxB = split ? Math.round(d * 0.8) : 0;
    parts.push(`"${6044 + i}":"${krxA}"`, `"${6054 + i}":"${krxB}"`, `"${6066 + i}":"${split ? a - krxA : 0}"`, `"${6076 + i}":"${split ? d - krxB : 0}"`);
  }
  const krxTotA = split ? Math.round(b.totalAsk * 0.8) : 0;
  const krxTotB = split ? Math.round(b.totalBid * 0.8) : 0;
  parts.push(`"6064":"${krxTotA}","6065":"${krxTotB}","6086":"${split ? b.totalAsk - krxTotA : 0}","6087":"${split ? b.totalBid - krxTotB : 0}"`);
  const mid = Math.round((b.asks[0]!.price + b.bids[0]!.price) / 2);
  parts.push(`"6100":" 0","6101":"0","6102":"${signedPrice(mid, pc, ' ')}","6103":"0","6104":"0"`);
  return parts.join(',');
}

/** 1h values without 9001 (the caller adds the registered item). */
function viValues(s: SimStock, st: ViState, release: string): string {
  const pc = s.prevClose;
  const sign = st.direction === 1 ? '+' : '-';
  const dev = ((st.triggerPrice - st.staticRef) / st.staticRef) * 100;
  return (
    `"302":"${s.name}","13":"${s.accVolume}","14":"${million(s.accValue)}","9068":"1","9008":"${s.market === 'KOSPI' ? '001' : '101'}","9075":"1",` +
    `"1221":"${st.triggerPrice}","1223":"${st.triggerTime}","1224":"${release}","1225":"정적","1236":"${st.staticRef}","1237":"0",` +
    `"1238":"${signedRate(dev)}","1239":"0.00","1489":"${signedRate(changeRate(st.triggerPrice, pc))}","1490":"${st.count}",` +
    `"9069":"${st.direction === 1 ? '1' : '2'}","1279":"${sign}정적"`
  );
}
