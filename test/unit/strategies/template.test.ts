import { describe, expect, it } from 'vitest';
import template from '../../../strategies/template.js';
import { T0, startRun, trade } from '../engine/fixtures.js';

describe('template', () => {
  it('alerts on large moves and logs a heartbeat on the engine clock', () => {
    const r = startRun([template], [{ id: 'template', params: { minChangeRate: 5, heartbeatMs: 1000 } }], { cooldownMs: 0 });
    r.feed([trade({ price: 100, changeRate: 4.9, ts: T0 + 10 }), trade({ price: 105, changeRate: 5, ts: T0 + 20 })]);
    r.clock.tick(2000);
    expect(r.signals.map((s) => [s.kind, s.price, s.details.changeRate])).toEqual([['ALERT', 105, 5]]);
    const beats = r.logs.filter((l) => l.msg === 'heartbeat');
    expect(beats.map((b) => b.fields)).toEqual([
      { strategy: 'template', timer: 'heartbeat', seen: 2 },
      { strategy: 'template', timer: 'heartbeat', seen: 2 },
    ]);
  });
});
