import { describe, expect, it } from 'vitest';
import { createVirtualClock } from '../../../src/core/virtual-clock.js';
import { createSilenceAlarm, type SilenceAlarmChange } from '../../../src/observability/silence-alarm.js';

const START = Date.UTC(2026, 10, 23, 0, 0, 0); // 09:00 KST

function setup(silenceMs = 30_000) {
  const clock = createVirtualClock(START);
  const lines: { level: 'warn' | 'info'; fields: Record<string, unknown>; msg: string }[] = [];
  const changes: SilenceAlarmChange[] = [];
  const state = { open: true, subscribed: true };
  const alarm = createSilenceAlarm({
    clock,
    silenceMs,
    checkIntervalMs: 1000,
    isSessionOpen: () => state.open,
    isSubscribed: () => state.subscribed,
    log: {
      warn: (fields, msg) => lines.push({ level: 'warn', fields, msg }),
      info: (fields, msg) => lines.push({ level: 'info', fields, msg }),
    },
    onChange: (c) => changes.push(c),
  });
  alarm.start();
  /** Advances time with a frame every `everyMs`. */
  const framesFor = (ms: number, everyMs: number): void => {
    for (let t = 0; t < ms; t += everyMs) {
      clock.tick(everyMs);
      alarm.frame();
    }
  };
  return { clock, alarm, lines, changes, state, framesFor };
}

describe('the data-silence alarm', () => {
  it('stays quiet while frames flow', () => {
    const { alarm, lines, framesFor } = setup();
    framesFor(10 * 60_000, 5_000);
    expect(alarm.active()).toBe(false);
    expect(lines).toEqual([]);
  });

  it('raises once after T seconds of silence in session while subscribed, and clears once when frames resume', () => {
    const { clock, alarm, lines, changes, framesFor } = setup(30_000);
    framesFor(10_000, 1_000);
    clock.tick(29_000);
    expect(alarm.active()).toBe(false);
    clock.tick(1_000);
    expect(alarm.active()).toBe(true);
    expect(alarm.raisedCount()).toBe(1);
    clock.tick(5 * 60_000); // many more checks: still one warning
    expect(lines.map((l) => l.level)).toEqual(['warn']);
    expect(lines[0]?.fields).toMatchObject({ alarm: 'data-silence', silentForMs: 30_000, thresholdMs: 30_000 });
    alarm.frame();
    expect(alarm.active()).toBe(false);
    expect(lines.map((l) => l.level)).toEqual(['warn', 'info']);
    expect(lines[1]?.fields).toMatchObject({ reason: 'frames resumed', silentForMs: 330_000 });
    expect(changes.map((c) => c.active)).toEqual([true, false]);
    framesFor(60_000, 1_000);
    expect(lines).toHaveLength(2);
  });

  it('raises again on a second silence and counts both', () => {
    const { clock, alarm, lines } = setup(30_000);
    clock.tick(30_000);
    alarm.frame();
    clock.tick(30_000);
    alarm.frame();
    expect(alarm.raisedCount()).toBe(2);
    expect(lines.map((l) => l.level)).toEqual(['warn', 'info', 'warn', 'info']);
  });

  it('does not raise outside the session or while not subscribed', () => {
    const { clock, alarm, lines, state } = setup(30_000);
    state.open = false;
    clock.tick(10 * 60_000);
    state.open = true;
    state.subscribed = false;
    clock.tick(10 * 60_000);
    expect(alarm.raisedCount()).toBe(0);
    expect(lines).toEqual([]);
  });

  it('counts silence from when watching began, not from the last frame before the break', () => {
    const { clock, alarm, state } = setup(30_000);
    alarm.frame();
    state.open = false;
    clock.tick(3_600_000); // a closed hour: no alarm at the open
    state.open = true;
    clock.tick(1_000); // the check that starts watching
    clock.tick(29_000);
    expect(alarm.active()).toBe(false);
    clock.tick(1_000);
    expect(alarm.active()).toBe(true);
  });

  it('clears (once, with the reason) when the session closes or the subscription goes away', () => {
    const { clock, alarm, lines, state } = setup(30_000);
    clock.tick(30_000);
    expect(alarm.active()).toBe(true);
    state.subscribed = false;
    clock.tick(5_000);
    expect(alarm.active()).toBe(false);
    expect(lines.at(-1)).toMatchObject({ level: 'info', fields: { reason: 'not subscribed' } });
    state.subscribed = true;
    clock.tick(31_000); // watching restarts at the next check

    expect(alarm.active()).toBe(true);
    state.open = false;
    clock.tick(60_000);
    expect(lines.map((l) => l.fields.reason ?? 'raised')).toEqual(['raised', 'not subscribed', 'raised', 'session closed']);
  });

  it('stops checking after stop()', () => {
    const { clock, alarm } = setup(30_000);
    alarm.stop();
    expect(clock.pendingTimers()).toBe(0);
    clock.tick(60_000);
    expect(alarm.active()).toBe(false);
  });
});
