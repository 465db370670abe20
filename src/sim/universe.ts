import type { Random } from '../core/random.js';
import { floorToTick, lowerLimit, upperLimit } from './format.js';

export type SimMarket = 'KOSPI' | 'KOSDAQ';

/** One listed stock and its intraday state. Mutated in place by the market. */
export interface SimStock {
  readonly index: number;
  readonly code: string;
  readonly name: string;
  readonly market: SimMarket;
  readonly sector: string;
  readonly sizeClass: string;
  readonly listCount: number;
  readonly regDay: string;
  readonly nxtEnable: boolean;
  readonly prevClose: number;
  readonly prevVolume: number;
  readonly upper: number;
  readonly lower: number;
  price: number;
  open: number;
  high: number;
  low: number;
  openTime: string;
  highTime: string;
  lowTime: string;
  upperTime: string;
  lowerTime: string;
  accVolume: number;
  /** Accumulated traded value in won. */
  accValue: number;
  buyVolume: number;
  sellVolume: number;
  buyCount: number;
  sellCount: number;
  /** Volatility multiplier (clusters: decays to 1, jumps on shocks). */
  vol: number;
  /** Program trading, cumulative won. */
  progBuy: number;
  progSell: number;
  /** Program flow state (won per second, mean-reverting). */
  progFlow: number;
  readonly progScale: number;
}

const WELL_KNOWN: ReadonlyArray<readonly [string, string, SimMarket, number, string]> = [
  ['005930', '삼성전자', 'KOSPI', 71_000, '전기전자'],
  ['000660', 'SK하이닉스', 'KOSPI', 182_000, '전기전자'],
  ['373220', 'LG에너지솔루션', 'KOSPI', 372_000, '전기전자'],
  ['207940', '삼성바이오로직스', 'KOSPI', 795_000, '의약품'],
  ['005380', '현대차', 'KOSPI', 238_500, '운수장비'],
  ['000270', '기아', 'KOSPI', 98_700, '운수장비'],
  ['068270', '셀트리온', 'KOSPI', 181_300, '의약품'],
  ['035420', 'NAVER', 'KOSPI', 192_400, '서비스업'],
  ['035720', '카카오', 'KOSPI', 41_850, '서비스업'],
  ['051910', 'LG화학', 'KOSPI', 312_000, '화학'],
  ['006400', '삼성SDI', 'KOSPI', 289_500, '전기전자'],
  ['105560', 'KB금융', 'KOSPI', 79_300, '금융업'],
  ['055550', '신한지주', 'KOSPI', 52_100, '금융업'],
  ['005490', 'POSCO홀딩스', 'KOSPI', 374_000, '철강금속'],
  ['012330', '현대모비스', 'KOSPI', 231_000, '운수장비'],
  ['247540', '에코프로비엠', 'KOSDAQ', 176_600, '일반전기전자'],
  ['086520', '에코프로', 'KOSDAQ', 89_400, '금융'],
  ['196170', '알테오젠', 'KOSDAQ', 312_500, '제약'],
  ['028300', 'HLB', 'KOSDAQ', 67_200, '제약'],
  ['263750', '펄어비스', 'KOSDAQ', 38_950, '디지털컨텐츠'],
];

const PREFIX = ['대한', '한국', '동양', '서울', '미래', '신성', '태광', '세아', '한일', '대성', '동원', '삼화', '일진', '우진', '성우', '금호', '한솔', '대림', '경동', '부국', '영풍', '화승', '제일', '유니', '코리아', '한빛', '새한', '동아', '광명', '청호'];
const MIDDLE = ['', '', '글로벌', '첨단', '디지털', '그린', '메디', '에스', '씨앤', '케이'];
const SUFFIX = ['전자', '화학', '제약', '바이오', '건설', '산업', '정밀', '통신', '에너지', '물산', '중공업', '식품', '소재', '테크', '시스템', '반도체', '로보틱스', '홀딩스', '네트웍스', '머티리얼즈'];
const KOSPI_SECTORS = ['전기전자', '화학', '의약품', '운수장비', '유통업', '건설업', '철강금속', '기계', '음식료품', '서비스업', '금융업', '통신업', '섬유의복', '종이목재', '비금속광물'];
const KOSDAQ_SECTORS = ['IT부품', '반도체', '제약', '소프트웨어', '일반전기전자', '기계장비', '화학', '디지털컨텐츠', '의료정밀기기', '유통', '금융', '운송장비부품', '음식료담배', '통신장비', '건설'];

/** Builds the seeded listing: distinct 6-digit codes, names, markets, previous closes. */
export function buildUniverse(random: Random, count: number): SimStock[] {
  const usedCodes = new Set<string>(WELL_KNOWN.map((w) => w[0]));
  const usedNames = new Set<string>(WELL_KNOWN.map((w) => w[1]));
  const specs: Array<{ code: string; name: string; market: SimMarket; price: number; sector: string }> = WELL_KNOWN.map(
    ([code, name, market, price, sector]) => ({ code, name, market, price, sector }),
  );
  while (specs.length < count) {
    // Most common-stock codes end in 0; a few preferred-like codes end in 5.
    const code = String(random.int(99_990) * 10 + (random.next() < 0.05 ? 5 : 0)).padStart(6, '0');
    if (usedCodes.has(code) || code === '000000') continue;
    let name = `${PREFIX[random.int(PREFIX.length)]}${MIDDLE[random.int(MIDDLE.length)]}${SUFFIX[random.int(SUFFIX.length)]}`;
    if (code.endsWith('5')) name += '우';
    if (usedNames.has(name)) continue;
    usedCodes.add(code);
    usedNames.add(name);
    const market: SimMarket = random.next() < 0.4 ? 'KOSPI' : 'KOSDAQ';
    const sectors = market === 'KOSPI' ? KOSPI_SECTORS : KOSDAQ_SECTORS;
    // Log-normal prices around ~12,000 won, clamped to a plausible band.
    const raw = Math.exp(Math.log(12_000) + random.normal() * 1.1);
    const price = floorToTick(Math.min(900_000, Math.max(500, Math.round(raw))));
    specs.push({ code, name, market, price, sector: sectors[random.int(sectors.length)] ?? '기타' });
  }
  specs.sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  const stocks = specs.map((s, index) => makeStock(random, s, index));
  assignSizeClasses(stocks);
  return stocks;
}

function makeStock(
  random: Random,
  s: { code: string; name: string; market: SimMarket; price: number; sector: string },
  index: number,
): SimStock {
  const listCount = Math.round(Math.exp(Math.log(30_000_000) + random.normal() * 1.0));
  const known = s.code === '005930' ? 5_969_782_550 : listCount;
  const year = 1975 + random.int(49);
  const regDay = `${year}${String(1 + random.int(12)).padStart(2, '0')}${String(1 + random.int(28)).padStart(2, '0')}`;
  const prevVolume = Math.max(1_000, Math.round(known * random.between(0.001, 0.02)));
  const cap = s.price * known;
  return {
    index,
    code: s.code,
    name: s.name,
    market: s.market,
    sector: s.sector,
    sizeClass: '',
    listCount: known,
    regDay,
    nxtEnable: random.next() < 0.3,
    prevClose: s.price,
    prevVolume,
    upper: upperLimit(s.price),
    lower: lowerLimit(s.price),
    price: s.price,
    open: 0,
    high: 0,
    low: 0,
    openTime: '000000',
    highTime: '000000',
    lowTime: '000000',
    upperTime: '000000',
    lowerTime: '000000',
    accVolume: 0,
    accValue: 0,
    buyVolume: 0,
    sellVolume: 0,
    buyCount: 0,
    sellCount: 0,
    vol: 1,
    progBuy: 0,
    progSell: 0,
    progFlow: 0,
    // Program flows scale with market capitalisation (sub-linearly, so small caps can still rank).
    progScale: Math.sqrt(cap) * 2,
  };
}

/** KOSPI size classes by market cap rank (대형 top 100, 중형 next 200, else 소형). */
function assignSizeClasses(stocks: SimStock[]): void {
  for (const market of ['KOSPI', 'KOSDAQ'] as const) {
    const ranked = stocks.filter((s) => s.market === market).sort((a, b) => b.prevClose * b.listCount - a.prevClose * a.listCount || (a.code < b.code ? -1 : 1));
    ranked.forEach((s, i) => {
      const size = market === 'KOSPI' ? (i < 100 ? '대형주' : i < 300 ? '중형주' : '소형주') : i < 100 ? '대형' : i < 400 ? '중형' : '소형';
      (s as { sizeClass: string }).sizeClass = size;
    });
  }
}
