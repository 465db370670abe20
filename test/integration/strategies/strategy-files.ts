import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A strategy file importing the SDK as a package and zod, as a user writes it. */
export const BIG_MOVE_TS = `import { z } from 'zod';
import { STRATEGY_API_VERSION, defineStrategy, type TradeEvent } from 'krx-signals/sdk';

const threshold = (e: TradeEvent, min: number): boolean => e.changeRate >= min;

export default defineStrategy({
  id: 'big-move',
  version: '1.0.0',
  apiVersion: STRATEGY_API_VERSION,
  params: z.strictObject({ minChangeRate: z.number().default(5) }),
  needs: { events: ['trade'] },
  create(ctx) {
    return {
      onEvent(e) {
        if (e.kind === 'trade' && threshold(e, ctx.params.minChangeRate)) {
          ctx.emit({ symbol: e.symbol, kind: 'ALERT', price: e.price, details: { changeRate: e.changeRate } });
        }
      },
    };
  },
});
`;

/** The same in plain ESM JavaScript. */
export const QUIET_MJS = `import { z } from 'zod';
import { STRATEGY_API_VERSION, defineStrategy } from 'krx-signals/sdk';
export default defineStrategy({
  id: 'quiet',
  version: '0.1.0',
  apiVersion: STRATEGY_API_VERSION,
  params: z.strictObject({}),
  needs: { events: ['trade'] },
  create: () => ({ onEvent() {} }),
});
`;

/** A folder of good and broken strategy files; each broken one's expected line. */
export function strategyFolder(): { dataDir: string; dir: string } {
  const dataDir = mkdtempSync(join(tmpdir(), 'krx-strategy-files-'));
  const dir = join(dataDir, 'strategies');
  mkdirSync(dir);
  writeFileSync(join(dir, 'big-move.ts'), BIG_MOVE_TS);
  writeFileSync(join(dir, 'quiet.mjs'), QUIET_MJS);
  // A syntax error on line 3.
  writeFileSync(join(dir, 'syntax.ts'), `import { z } from 'zod';\nexport default {\n  id: 'syntax',,\n};\n`);
  // A throw at import on line 4.
  writeFileSync(join(dir, 'throws.mts'), `import { defineStrategy } from 'krx-signals/sdk';\nvoid defineStrategy;\nconst n: number = 1;\nthrow new Error('boom at import ' + n);\n`);
  // A params schema that is not strict: defineStrategy throws at the call (line 3).
  writeFileSync(
    join(dir, 'loose.ts'),
    `import { z } from 'zod';\nimport { STRATEGY_API_VERSION, defineStrategy } from 'krx-signals/sdk';\nexport default defineStrategy({\n  id: 'loose',\n  version: '1.0.0',\n  apiVersion: STRATEGY_API_VERSION,\n  params: z.object({ n: z.number().default(1) }),\n  needs: { events: ['trade'] },\n  create: () => ({ onEvent() {} }),\n});\n`,
  );
  // The id of a built-in (line 5).
  writeFileSync(join(dir, 'dup.js'), QUIET_MJS.replace("id: 'quiet'", "id: 'template'"));
  // Not a strategy file: ignored.
  writeFileSync(join(dir, 'notes.md'), '# notes\n');
  return { dataDir, dir };
}
