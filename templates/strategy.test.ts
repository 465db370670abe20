import assert from 'node:assert/strict';
import { test } from 'node:test';
import { T0, runStrategy, trade } from 'krx-signals/sdk/testing';
import mine from './mine.js';

const MINUTE = 60_000;

test('ALERTs on a 5 % move, not below', () => {
  const { signals } = runStrategy(mine, { events: [trade({ price: 100, changeRate: 4.9, ts: T0 }), trade({ price: 105, changeRate: 5, ts: T0 + 1000 })] });
  assert.deepEqual(signals.map((s) => [s.kind, s.price]), [['ALERT', 105]]);
});

test('BUYs when a 1-minute bar opens at or below its SMA and closes above it', () => {
  // Three flat minutes (the SMA of 3 warms up at 100), then a minute that opens at 100 and closes at 110.
  const events = [100, 100, 100].map((price, i) => trade({ price, ts: T0 + i * MINUTE + 10 }));
  events.push(trade({ price: 100, ts: T0 + 3 * MINUTE + 10 }), trade({ price: 110, ts: T0 + 3 * MINUTE + 20 }));
  // `until` lets the clock run past the last trade, so the fourth bar closes at its boundary.
  const { signals } = runStrategy(mine, { params: { smaBars: 3 }, events, until: T0 + 4 * MINUTE });
  assert.deepEqual(signals.map((s) => [s.kind, s.price, s.tsEvent]), [['BUY', 110, T0 + 4 * MINUTE]]);
});
