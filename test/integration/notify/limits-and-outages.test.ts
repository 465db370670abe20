import { afterEach, describe, expect, it } from 'vitest';
import { idsIn, type Received } from '../../support/fake-chat-servers.js';
import { makeSignal } from '../../support/store/fixtures.js';
import { startNotifyRig, type NotifyRig } from './harness.js';

/** Most requests in any window of `windowMs` (by the fake's receipt times). */
function maxInWindow(reqs: readonly Received[], windowMs: number): number {
  let best = 0;
  for (let i = 0; i < reqs.length; i++) {
    let n = 0;
    for (let j = i; j < reqs.length && (reqs[j] as Received).at < (reqs[i] as Received).at + windowMs; j++) n++;
    best = Math.max(best, n);
  }
  return best;
}

describe('notification rate limits and outages', () => {
  let rig: NotifyRig | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });

  it('keeps every rate limit: Telegram 1/s per chat and 20/min per group, Discord 5 per 5 s, Slack 1/s', async () => {
    rig = await startNotifyRig([
      { type: 'telegram', name: 'group', chatId: '-1001234567890', batchMax: 1 },
      { type: 'discord', name: 'dc', batchMax: 1 },
      { type: 'slack', name: 'sl', batchMax: 1 },
    ]);
    const ids: string[] = [];
    for (let i = 0; i < 45; i++) {
      const s = makeSignal(i);
      rig.store.write(s);
      ids.push(s.id);
    }
    await rig.settle();
    await rig.advance(180_000, 1000);
    const tg = rig.fake.delivered('telegram');
    expect(tg.flatMap(idsIn)).toEqual(ids);
    expect(maxInWindow(tg, 1000)).toBe(1);
    expect(maxInWindow(tg, 60_000)).toBe(20);
    const dc = rig.fake.delivered('discord');
    expect(dc.flatMap(idsIn)).toEqual(ids);
    expect(maxInWindow(dc, 5000)).toBe(5);
    const sl = rig.fake.delivered('slack');
    expect(sl.flatMap(idsIn)).toEqual(ids);
    expect(maxInWindow(sl, 1000)).toBe(1);
    // Nobody was ever answered 429: we stayed under the limits rather than bouncing off them.
    expect(rig.fake.all().length).toBe(tg.length + dc.length + sl.length);
  });

  it('a sink down for an hour then back: everything delivered once, in order; the other sink unaffected', { timeout: 120_000 }, async () => {
    rig = await startNotifyRig([
      { type: 'discord', name: 'down', batchMax: 5, retryCapMs: 120_000 },
      { type: 'slack', name: 'up', batchMax: 5 },
    ]);
    let down = true;
    rig.fake.setScript((service) => (service === 'discord' && down ? { status: 503, body: { message: 'unavailable' } } : undefined));
    const ids: string[] = [];
    for (let minute = 0; minute < 60; minute += 5) {
      for (let k = 0; k < 3; k++) {
        const s = makeSignal(minute * 10 + k);
        rig.store.write(s);
        ids.push(s.id);
      }
      await rig.settle();
      await rig.advance(5 * 60_000, 10_000);
    }
    expect(rig.fake.delivered('discord')).toHaveLength(0);
    expect(rig.fake.delivered('slack').flatMap(idsIn)).toEqual(ids);
    const during = rig.notifier.status()[0];
    expect(during?.depth).toBe(ids.length);
    expect(during?.oldestPendingAgeMs).toBeGreaterThanOrEqual(55 * 60_000);
    expect(rig.notifier.degradedReasons()).toEqual([expect.stringMatching(/^notify sink down behind/)]);
    // Backoff, not hammering: far fewer attempts than an hour of 1-s retries.
    expect(rig.fake.all('discord').length).toBeLessThan(60);
    down = false;
    await rig.advance(10 * 60_000, 10_000);
    const got = rig.fake.delivered('discord').flatMap(idsIn);
    expect(got).toEqual(ids);
    expect(new Set(got).size).toBe(got.length);
    expect(rig.notifier.status()[0]).toMatchObject({ depth: 0, delivered: ids.length, failed: 0 });
    expect(rig.notifier.degradedReasons()).toEqual([]);
  });

  it('a sink that never recovers: rows expire with a logged E_NOTIFY_EXPIRED; the store and the other sink carry on', { timeout: 120_000 }, async () => {
    rig = await startNotifyRig([
      { type: 'telegram', name: 'dead', giveUpAfterSeconds: 1800, retryCapMs: 60_000 },
      { type: 'webhook', name: 'fine' },
    ]);
    rig.fake.setScript((service) => (service === 'telegram' ? { hang: true, status: 0 } : undefined));
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const s = makeSignal(i);
      rig.store.write(s);
      ids.push(s.id);
      await rig.settle();
      await rig.advance(5 * 60_000, 10_000);
    }
    await rig.advance(40 * 60_000, 10_000);
    const dead = rig.notifier.status().find((s) => s.name === 'dead');
    expect(dead).toMatchObject({ depth: 0, delivered: 0, failed: 6 });
    const expired = rig.logs.filter((l) => l.fields['code'] === 'E_NOTIFY_EXPIRED');
    expect(expired.length).toBeGreaterThan(0);
    expect(expired.every((l) => l.level === 'error')).toBe(true);
    // Hanging requests timed out on the clock and were retried, never blocking the other sink.
    expect(rig.logs.some((l) => l.fields['code'] === 'E_NOTIFY_HTTP' && String(l.fields['reason']).includes('no answer within'))).toBe(true);
    expect(rig.fake.delivered('webhook').flatMap(idsIn)).toEqual(ids);
    expect(rig.store.stats()).toMatchObject({ committed: 6, dropped: 0, writeErrors: 0 });
    const states = rig.store.database.prepare("SELECT state, count(*) AS n FROM outbox WHERE sink = 'dead' GROUP BY state").all();
    expect(states).toEqual([{ state: 'dead', n: 6 }]);
  });
});
