import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { AlertBody, DigestBody } from '../../../src/adapters/notify/index.js';
import { migrate } from '../../../src/adapters/store/migrations.js';
import { startAlertMonitor, type AlertCondition } from '../../../src/app/notify/alert-monitor.js';
import { daemonAlertConditions, type AlertSources } from '../../../src/app/notify/daemon-alerts.js';
import { startDailyDigest } from '../../../src/app/notify/digest.js';
import { alwaysOpenCalendar, createKrxCalendar } from '../../../src/core/calendar.js';
import { kstToEpoch } from '../../../src/core/kst.js';
import { createVirtualClock } from '../../../src/core/virtual-clock.js';

const quiet = { warn: () => undefined };

describe('alert monitor', () => {
  it('alerts once per condition until it clears, then once "cleared"; a throwing condition is contained', () => {
    const t0 = kstToEpoch(2026, 11, 20, 9, 0);
    const clock = createVirtualClock(t0);
    let bad: string | undefined;
    const sent: [string, AlertBody][] = [];
    const conditions: AlertCondition[] = [
      { name: 'thing', check: () => bad },
      {
        name: 'broken',
        check: () => {
          throw new Error('boom');
        },
      },
    ];
    const monitor = startAlertMonitor({ conditions, clock, everyMs: 1000, send: (id, body) => sent.push([id, body]), log: quiet });
    clock.tick(3000);
    expect(sent).toEqual([]);
    bad = 'it is broken';
    clock.tick(5000);
    expect(sent.map(([id, b]) => [id, b.state, b.detail])).toEqual([[`alert:thing:${t0 + 4000}`, 'raised', 'it is broken']]);
    expect(monitor.active()).toEqual(['thing']);
    bad = undefined;
    clock.tick(1000);
    expect(sent).toHaveLength(2);
    expect(sent[1]?.[0]).toBe(`${sent[0]?.[0]}:cleared`);
    expect(sent[1]?.[1].state).toBe('cleared');
    bad = 'again';
    clock.tick(1000);
    expect(sent).toHaveLength(3);
    expect(monitor.raisedSince(0)).toBe(2);
    monitor.stop();
  });

  it("the daemon's conditions read what the daemon exposes", () => {
    let now = 1_000_000;
    const state = {
      open: true,
      conn: { phase: 'live', since: 0, reconnects: 0, lastError: null as { code: string } | null, subscriptions: { rejectedPairs: 0, lastRejection: null as { code: string } | null } },
      tokens: { kiwoom: { state: 'valid' } } as Record<string, { state: string; lastError?: { code: string } }>,
      strategies: [{ id: 'a', state: 'running' }],
      store: { writeErrors: 0, dropped: 0, queued: 0 },
      silence: false,
    };
    const sources: AlertSources = {
      now: () => now,
      sessionOpen: () => state.open,
      connection: () => state.conn,
      tokens: () => state.tokens,
      strategies: () => state.strategies,
      store: () => state.store,
      dataSilence: () => state.silence,
    };
    const conditions = daemonAlertConditions(sources);
    const active = (): string[] => conditions.filter((c) => c.check() !== undefined).map((c) => c.name);
    expect(active()).toEqual([]);
    state.conn = { phase: 'backoff', since: now, reconnects: 6, lastError: { code: 'E_WS_CLOSED' }, subscriptions: { rejectedPairs: 40, lastRejection: { code: '105110' } } };
    now += 61_000;
    state.tokens = { kiwoom: { state: 'failed', lastError: { code: 'E_AUTH_CREDENTIALS' } } };
    state.strategies = [{ id: 'a', state: 'quarantined' }];
    state.store = { writeErrors: 2, dropped: 0, queued: 10 };
    state.silence = true;
    expect(active()).toEqual(['connection-failed', 'reconnect-storm', 'data-silence', 'token-failing', 'strategy-quarantined', 'store-write-errors', 'subscriptions-rejected']);
    expect(conditions[0]?.check()).toContain('E_WS_CLOSED');
    expect(conditions[6]?.check()).toBe('the broker rejected 40 subscriptions (105110); retrying');
    // Outside the session the feed being down or silent is not an alert.
    state.open = false;
    expect(active()).not.toContain('connection-failed');
    expect(active()).not.toContain('data-silence');
  });

  it('a failed app key (kiwoom.keys) or one waiting for its lease raises key-failed, once all are back it clears', () => {
    let keys: Array<{ name: string; state: string; reason: string | null; items: number }> = [
      { name: 'a', state: 'live', reason: null, items: 150 },
      { name: 'b', state: 'live', reason: null, items: 150 },
    ];
    const sources: AlertSources = {
      now: () => 0,
      sessionOpen: () => true,
      connection: () => ({ phase: 'live', since: 0, reconnects: 0, lastError: null }),
      tokens: () => ({}),
      strategies: () => [],
      store: () => ({ writeErrors: 0, dropped: 0, queued: 0 }),
      dataSilence: () => false,
      keys: () => keys,
    };
    const keyFailed = daemonAlertConditions(sources).find((c) => c.name === 'key-failed');
    expect(keyFailed?.check()).toBeUndefined();
    keys = [
      { name: 'a', state: 'live', reason: null, items: 190 },
      { name: 'b', state: 'failed', reason: 'credentials rejected (E_AUTH_CREDENTIALS)', items: 0 },
    ];
    expect(keyFailed?.check()).toBe('kiwoom key b failed: credentials rejected (E_AUTH_CREDENTIALS) (its symbols moved to the other keys)');
    keys = [{ name: 'a', state: 'waiting-lease', reason: 'waiting for its lease (another node holds it)', items: 0 }];
    expect(keyFailed?.check()).toContain('kiwoom key a not in use: waiting for its lease');
    keys = [{ name: 'a', state: 'live', reason: null, items: 3 }];
    expect(keyFailed?.check()).toBeUndefined();
  });
});

describe('daily digest', () => {
  const db = new Database(':memory:');
  migrate(db);
  const insert = db.prepare("INSERT INTO signals (id, session_id, strategy, strategy_version, symbol, kind, price, ts_event, ts_recv) VALUES (?, 's', ?, '1', ?, 'BUY', 1, ?, ?)");
  const day = kstToEpoch(2026, 11, 20, 10, 0);
  [['a', '005930'], ['a', '005930'], ['b', '000660']].forEach(([strategy, symbol], i) => insert.run(`x${i}`, strategy, symbol, day + i, day + i));
  insert.run('yesterday', 'a', '035420', day - 86_400_000, day - 86_400_000);

  it('after the KRX close: signals by strategy, top symbols, faults and uptime, once per day', () => {
    const clock = createVirtualClock(kstToEpoch(2026, 11, 20, 15, 0));
    const sent: [string, DigestBody][] = [];
    const digest = startDailyDigest({ clock, calendar: createKrxCalendar(), database: db, startedAt: kstToEpoch(2026, 11, 20, 8, 0), faultsSince: () => 3, send: (id, b) => sent.push([id, b]), log: quiet });
    clock.tick(20 * 60_000); // 15:20, still open
    expect(sent).toEqual([]);
    clock.tick(20 * 60_000); // 15:40: closed
    expect(sent).toHaveLength(1);
    expect(sent[0]?.[0]).toBe('digest:2026-11-20');
    expect(sent[0]?.[1]).toMatchObject({ date: '2026-11-20', signals: 3, byStrategy: { a: 2, b: 1 }, topSymbols: [['005930', 2], ['000660', 1]], faults: 3 });
    expect(sent[0]?.[1].uptimeMs).toBeGreaterThanOrEqual(7.5 * 3_600_000);
    clock.tick(6 * 3_600_000);
    expect(sent).toHaveLength(1);
    digest.stop();
  });

  it('on an always-open calendar: at KST midnight, for the day that ended', () => {
    const clock = createVirtualClock(kstToEpoch(2026, 11, 20, 23, 50));
    const sent: string[] = [];
    const digest = startDailyDigest({ clock, calendar: alwaysOpenCalendar, database: db, startedAt: clock.now(), faultsSince: () => 0, send: (id) => sent.push(id), log: quiet });
    clock.tick(20 * 60_000);
    expect(sent).toEqual(['digest:2026-11-20']);
    digest.stop();
  });
});
