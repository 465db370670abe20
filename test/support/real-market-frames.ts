/**
 * 0w/1h/0D entries in the real server's forms (protocol.md 10.3, KWP:실시간시세/{0w,1h,0D}.txt); 0g has
 * no real dump, so its entry follows the 0B price forms. Values protocol.md quotes are the real strings;
 * the others are filled in the same forms and consistent with them (210 = 206 - 202, 212 = 208 - 204).
 */
export interface MarketEntryObject {
  type: string;
  name: string;
  item: string;
  values: Record<string, string>;
}

/** 0w in the real key order 20, 10, 25, 11, 12, 13, 202 ... 211 (14 FIDs; 214/215/216 absent). */
const REAL_0W: Record<string, string> = {
  '20': '101440', '10': '-305000', '25': '5', '11': '-2000', '12': '-0.65', '13': '7802211',
  '202': '3986577', '204': '1210026', '206': '2705517', '208': '821300', '210': '-1281060', '212': '-388726', '213': '1426', '211': '4686',
};

/** 1h as triggered: 066310 down through its static band; 1224 "000000" until released. */
const REAL_1H: Record<string, string> = {
  '9001': '066310_AL', '302': '큐에스아이', '13': '1843211', '14': '21034', '9068': '1', '9008': '101', '9075': '1',
  '1221': '11230', '1223': '103412', '1224': '000000', '1225': '정적', '1236': '12480', '1237': '0',
  '1238': '-10.01', '1239': '0.00', '1489': '-6.88', '1490': '1', '9069': '2', '1279': '-정적',
};

const book = (): Record<string, string> => {
  const v: Record<string, string> = { '21': '101440' };
  // Asks 307500 up, bids 307000 (flat: a leading space) down, as the real run's " 307000" and "-305000".
  const tick = 500;
  for (let i = 0; i < 10; i++) {
    const ask = 307_000 + tick * (i + 1);
    const bid = 307_000 - tick * i;
    v[String(41 + i)] = `+${ask}`;
    v[String(51 + i)] = bid === 307_000 ? ` ${bid}` : `-${bid}`;
    v[String(61 + i)] = String(1000 + 100 * i);
    v[String(71 + i)] = String(2000 + 50 * i);
    v[String(81 + i)] = i % 2 === 0 ? '-11' : '+51';
    v[String(91 + i)] = '0';
  }
  v['121'] = '145000'; v['122'] = '-11'; v['125'] = '454549'; v['126'] = '+51';
  v['128'] = '+309549'; v['138'] = '-309549'; v['129'] = '313.48'; v['139'] = '31.90';
  v['23'] = ' 0'; v['24'] = '0'; v['200'] = '0'; v['201'] = '0.00'; v['238'] = '3';
  v['291'] = ' 0'; v['292'] = '0'; v['293'] = '3'; v['294'] = ' 0'; v['295'] = '0.00';
  for (let f = 6044; f <= 6087; f++) v[String(f)] = '0';
  for (let f = 6100; f <= 6115; f++) v[String(f)] = f === 6100 || f === 6107 ? ' 0' : '0';
  v['6102'] = '-304750';
  return v;
};

export const real0w = (overrides: Record<string, string> = {}, item = '005930'): MarketEntryObject => ({ type: '0w', name: '종목프로그램매매', item, values: { ...REAL_0W, ...overrides } });
export const real1h = (overrides: Record<string, string> = {}, item = '066310_AL'): MarketEntryObject => ({ type: '1h', name: 'VI발동/해제', item, values: { ...REAL_1H, ...overrides } });
export const real0D = (overrides: Record<string, string> = {}, item = '005930'): MarketEntryObject => ({ type: '0D', name: '주식호가잔량', item, values: { ...book(), ...overrides } });
export const form0g = (overrides: Record<string, string> = {}, item = '005930'): MarketEntryObject => ({
  type: '0g', name: '주식종목정보', item, values: { '305': '+399000', '306': '-215000', '307': ' 307000', '297': '0', '592': '0', '593': '0', '689': '', '594': '', '382': '', '370': '', ...overrides },
});
