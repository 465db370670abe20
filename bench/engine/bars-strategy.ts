import { z } from 'zod';
import { indicators, type Indicator, type MacdValue } from '../../src/core/indicators.js';
import { STRATEGY_API_VERSION, defineStrategy } from '../../src/core/strategy.js';

/**
 * The bars bench's strategy: 1m and 1s bars, and per symbol three indicators (SMA 20, RSI 14,
 * MACD 12/26/9) fed from every 1s bar close; an ALERT when the RSI leaves 30..70 on a close above
 * the SMA, so the values are read, not only computed. `counter.bars` counts the bars delivered.
 */
export function benchBarsStrategy(counter: { bars: number }) {
  return defineStrategy({
    id: 'bench-bars',
    version: '1.0.0',
    apiVersion: STRATEGY_API_VERSION,
    params: z.strictObject({}),
    needs: { bars: [{ interval: '1m' }, { interval: '1s' }] },
    create(ctx) {
      const bySymbol = new Map<string, { sma: Indicator<number>; rsi: Indicator<number>; macd: Indicator<MacdValue> }>();
      return {
        onEvent() {},
        onBar(bar) {
          counter.bars++;
          if (bar.interval !== '1s') return;
          let s = bySymbol.get(bar.symbol);
          if (!s) bySymbol.set(bar.symbol, (s = { sma: indicators.sma(20), rsi: indicators.rsi(14), macd: indicators.macd() }));
          const sma = s.sma.update(bar);
          const rsi = s.rsi.update(bar);
          s.macd.update(bar);
          if (sma !== null && rsi !== null && (rsi > 70 || rsi < 30) && bar.close > sma) {
            ctx.emit({ symbol: bar.symbol, kind: 'ALERT', price: bar.close, details: { rsi } });
          }
        },
      };
    },
  });
}
