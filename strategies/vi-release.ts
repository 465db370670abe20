import { z } from 'zod';
import { STRATEGY_API_VERSION, defineStrategy } from '../src/core/strategy.js';

/**
 * VI release: a stock whose VI (1h) is released while program buying (0w) continues -> BUY. Program
 * buying continues when the net program amount rose by at least `minNetRise` (백만원) between the
 * trigger and the release (or, for a VI triggered before we started, when the last 0w raised it) and
 * the last 0w is no older than `maxProgramAgeMs`. The same release comes once per registered item
 * (`066310_AL` and `066310`): one signal per release.
 */
export default defineStrategy({
  id: 'vi-release',
  version: '1.0.0',
  apiVersion: STRATEGY_API_VERSION,
  description: 'BUY a stock whose VI is released while its program net buying keeps rising',
  params: z.strictObject({
    /** Only VIs triggered upward (a downward VI released into program buying is a different story). */
    upOnly: z.boolean().default(true),
    /** Net program amount rise (백만원) between trigger and release. */
    minNetRise: z.number().min(0).default(100),
    /** The last 0w must be this recent at the release. */
    maxProgramAgeMs: z.number().int().positive().default(60_000),
  }),
  needs: { events: ['vi', 'program-flow', 'trade'] },
  create(ctx) {
    const { upOnly, minNetRise, maxProgramAgeMs } = ctx.params;
    /** Net program amount when each active VI was triggered (null: no 0w yet then). */
    const atTrigger = new Map<string, number | null>();
    /** Per symbol, the release time already answered (one entry per symbol: bounded by the universe). */
    const answered = new Map<string, number | null>();
    return {
      onEvent(e) {
        if (e.kind !== 'vi') return;
        const program = ctx.snapshot(e.symbol)?.program ?? null;
        if (e.phase === 'trigger') {
          if (!atTrigger.has(e.symbol)) atTrigger.set(e.symbol, program?.netAmount ?? null);
          return;
        }
        const before = atTrigger.get(e.symbol);
        atTrigger.delete(e.symbol);
        if (answered.get(e.symbol) === e.releaseTime || (upOnly && e.direction !== 'up')) return;
        answered.set(e.symbol, e.releaseTime);
        if (program === null || e.tsEvent - program.updatedAt > maxProgramAgeMs) return;
        const rise = before === undefined || before === null ? program.netAmountChange : program.netAmount - before;
        if (program.netAmount <= 0 || rise < minNetRise || rise <= 0) return;
        const price = ctx.snapshot(e.symbol)?.lastPrice ?? e.triggerPrice;
        ctx.emit({
          symbol: e.symbol,
          kind: 'BUY',
          price,
          details: { reason: 'vi-released-program-buying', viType: e.viType, direction: e.direction, triggerPrice: e.triggerPrice, count: e.count, programNetAmount: program.netAmount, programNetRise: rise },
        });
      },
    };
  },
});
