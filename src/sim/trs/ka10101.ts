import type { SimContext } from '../context.js';
import { STKINFO, type SimTr, type SimTrAnswer } from './shared.js';

export const SECTORS: Readonly<Record<string, ReadonlyArray<readonly [string, string]>>> = {
  '0': [['001', '종합(KOSPI)'], ['002', '대형주'], ['003', '중형주'], ['004', '소형주'], ['005', '음식료품'], ['008', '화학'], ['009', '의약품'], ['013', '전기전자'], ['015', '운수장비'], ['018', '건설업'], ['021', '금융업'], ['603', '변동성지수']],
  '1': [['101', '종합(KOSDAQ)'], ['102', '대형주'], ['103', '중형주'], ['104', '소형주'], ['151', '제약'], ['154', '반도체'], ['155', 'IT부품']],
  '2': [['201', 'KOSPI200']],
  '4': [['401', 'KOSPI100']],
  '7': [['701', 'KRX100']],
};

/**
 * ka10101 업종코드 리스트: `marketCode` first; `group` is the last two digits without a leading zero
 * (`"13"` for 013, `"3"` for 603: KWP ka10101.txt).
 */
function build(_ctx: SimContext, body: Record<string, string>): SimTrAnswer {
  const list = SECTORS[body.mrkt_tp ?? ''] ?? [];
  const rows = list.map(([code, name]) => ({ marketCode: code.startsWith('6') ? '6' : body.mrkt_tp ?? '', code, name, group: String(Number(code.slice(-2))) }));
  return { kind: 'list', key: 'list', rows, paged: true };
}

export const ka10101: SimTr = { path: STKINFO, fields: { mrkt_tp: /^[01247]$/ }, build };
