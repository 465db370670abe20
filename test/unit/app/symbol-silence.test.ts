import { describe, expect, it } from 'vitest';
import { createSymbolSilenceWatch } from '../../../src/app/symbol-silence.js';
import { createVirtualClock } from '../../../src/core/virtual-clock.js';

describe('the silent-symbol watch', () => {
  it('counts silence only while the session is open, and on monotonic time (a wall step changes nothing)', async () => {
    const clock = createVirtualClock(Date.UTC(2026, 10, 20));
    let open = false;
    const reported: string[] = [];
    const watch = createSymbolSilenceWatch({
      clock,
      silentMs: 60_000,
      ackedItems: () => new Set(['005930']),
      isSessionOpen: () => open,
      onSilent: (symbol) => reported.push(symbol),
    });
    watch.start();
    await clock.tickAsync(10 * 60_000);
    expect(reported).toEqual([]);
    open = true;
    clock.stepWall(5 * 3600_000);
    await clock.tickAsync(59_000);
    expect(reported).toEqual([]);
    await clock.tickAsync(16_000);
    expect(reported).toEqual(['005930']);
    expect(watch.silent()).toEqual(['005930']);
    watch.entry('005930');
    expect(watch.silent()).toEqual([]);
    watch.stop();
    await clock.tickAsync(10 * 60_000);
    expect(reported).toEqual(['005930']);
  });
});
