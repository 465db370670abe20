import { afterEach, describe, expect, it } from 'vitest';
import { idsIn } from '../../support/fake-chat-servers.js';
import { makeSignal } from '../../support/store/fixtures.js';
import { startNotifyRig, type NotifyRig } from './harness.js';

/** Delivery through the outbox to local fake chat services over real sockets, on the virtual clock. */
describe('notification delivery', () => {
  let rig: NotifyRig | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });

  const write = (r: NotifyRig, from: number, n: number, over: Parameters<typeof makeSignal>[1] = {}): string[] => {
    const ids: string[] = [];
    for (let i = from; i < from + n; i++) {
      const s = makeSignal(i, over);
      r.store.write(s);
      ids.push(s.id);
    }
    return ids;
  };

  it('batches a burst into few messages, in order, and keeps Telegram at one message a second per chat', async () => {
    rig = await startNotifyRig([{ type: 'telegram', name: 'phone', batchMax: 10 }]);
    const ids = write(rig, 0, 25);
    await rig.settle();
    await rig.advance(5000);
    const got = rig.fake.delivered('telegram');
    expect(got.map((m) => idsIn(m).length)).toEqual([10, 10, 5]);
    expect(got.flatMap(idsIn)).toEqual(ids);
    for (let i = 1; i < got.length; i++) expect((got[i] as { at: number }).at - (got[i - 1] as { at: number }).at).toBeGreaterThanOrEqual(1000);
    expect(got[0]?.json['parse_mode']).toBe('HTML');
    expect(got[0]?.json['chat_id']).toBe('1001');
    expect(got[0]?.text).toContain('신호 10건');
    expect(rig.notifier.status()[0]).toMatchObject({ depth: 0, delivered: 25, retried: 0, failed: 0 });
  });

  it('a single signal reads as a Korean block: kind, stock, venue, price, reason, KST time; English by config', async () => {
    rig = await startNotifyRig([{ type: 'telegram', name: 'ko' }, { type: 'slack', name: 'en', language: 'en' }]);
    rig.store.write(makeSignal(1, { symbol: '005930', venue: 'NXT', kind: 'BUY', price: 70100, details: { name: '삼성전자', reason: 'breakout above 70,000 <high>' } }));
    await rig.settle();
    await rig.advance(1000);
    const [ko] = rig.fake.delivered('telegram');
    expect(ko?.text).toContain('🟢 매수 · 삼성전자 (005930) · NXT');
    expect(ko?.text).toContain('가격 70,100원');
    expect(ko?.text).toContain('사유: breakout above 70,000 &lt;high&gt;');
    expect(ko?.text).toMatch(/시각 2026-11-21 09:00:01 KST/);
    expect(ko?.text).toContain('id sig-000001');
    const [en] = rig.fake.delivered('slack');
    expect(en?.text).toContain('🟢 BUY · 삼성전자 (005930) · NXT');
    expect(en?.text).toContain('price 70,100 KRW');
  });

  it('filters by strategy, kind, symbol and venue per sink', async () => {
    rig = await startNotifyRig([
      { type: 'discord', name: 'buys', filters: { kinds: ['BUY'], venues: ['KRX'] } },
      { type: 'slack', name: 'samsung', filters: { symbols: ['005930'], strategies: ['breakout'] } },
    ]);
    rig.store.write(makeSignal(1, { kind: 'BUY', symbol: '005930', strategy: 'breakout' }));
    rig.store.write(makeSignal(2, { kind: 'SELL', symbol: '005930', strategy: 'breakout' }));
    rig.store.write(makeSignal(3, { kind: 'BUY', symbol: '000660', venue: 'NXT', strategy: 'breakout' }));
    rig.store.write(makeSignal(4, { kind: 'BUY', symbol: '005930', strategy: 'other' }));
    await rig.settle();
    await rig.advance(3000);
    expect(rig.fake.delivered('discord').flatMap(idsIn)).toEqual(['sig-000001', 'sig-000004']);
    expect(rig.fake.delivered('slack').flatMap(idsIn)).toEqual(['sig-000001', 'sig-000002']);
  });

  it("honours a 429's retry_after (Telegram body) and Retry-After (Slack header)", async () => {
    rig = await startNotifyRig([{ type: 'telegram', name: 'tg' }, { type: 'slack', name: 'sl' }]);
    rig.fake.setScript((service, call) => {
      if (service === 'telegram' && call === 1) return { status: 429, body: { ok: false, error_code: 429, description: 'Too Many Requests: retry after 7', parameters: { retry_after: 7 } } };
      if (service === 'slack' && call === 1) return { status: 429, body: 'rate_limited', headers: { 'retry-after': '12' } };
      return undefined;
    });
    write(rig, 0, 1);
    await rig.settle();
    await rig.advance(30_000, 250);
    const tg = rig.fake.all('telegram');
    expect(tg).toHaveLength(2);
    expect((tg[1]?.at ?? 0) - (tg[0]?.at ?? 0)).toBeGreaterThanOrEqual(7000);
    const sl = rig.fake.all('slack');
    expect(sl).toHaveLength(2);
    expect((sl[1]?.at ?? 0) - (sl[0]?.at ?? 0)).toBeGreaterThanOrEqual(12_000);
    expect(rig.notifier.status().map((s) => [s.name, s.delivered, s.retried])).toEqual([['tg', 1, 1], ['sl', 1, 1]]);
    expect(rig.logs.filter((l) => l.fields['code'] === 'E_NOTIFY_RATE_LIMITED')).toHaveLength(2);
  });

  it('retries 500s with backoff and delivers once; a 4xx other than 429 is dead at once, not retried', async () => {
    rig = await startNotifyRig([{ type: 'discord', name: 'dc', retryBaseMs: 1000 }, { type: 'webhook', name: 'hook' }]);
    rig.fake.setScript((service, call) => {
      if (service === 'discord' && call <= 3) return { status: 500, body: { message: 'internal' } };
      if (service === 'webhook') return { status: 400, body: { error: 'schema' } };
      return undefined;
    });
    write(rig, 0, 1);
    await rig.settle();
    await rig.advance(60_000, 500);
    const dc = rig.fake.all('discord');
    expect(dc).toHaveLength(4);
    expect(rig.fake.delivered('discord').flatMap(idsIn)).toEqual(['sig-000000']);
    // Backoff grows: each wait at least half the doubling ceiling.
    const gaps = dc.slice(1).map((r, i) => r.at - (dc[i] as { at: number }).at);
    expect(gaps[0]).toBeGreaterThanOrEqual(500);
    expect(gaps[2]).toBeGreaterThanOrEqual(2000);
    expect(rig.fake.all('webhook')).toHaveLength(1);
    const hook = rig.notifier.status().find((s) => s.name === 'hook');
    expect(hook).toMatchObject({ failed: 1, depth: 0, retried: 0 });
    expect(rig.logs.find((l) => l.fields['code'] === 'E_NOTIFY_REJECTED')?.level).toBe('error');
    const dead = rig.store.database.prepare("SELECT state, last_error FROM outbox WHERE sink = 'hook'").get() as { state: string; last_error: string };
    expect(dead.state).toBe('dead');
    expect(dead.last_error).toMatch(/^E_NOTIFY_REJECTED HTTP 400/);
  });

  it('signs the webhook body with HMAC-SHA256 and carries every item id', async () => {
    rig = await startNotifyRig([{ type: 'webhook', name: 'hook', batchMax: 5 }]);
    const ids = write(rig, 0, 7);
    await rig.settle();
    await rig.advance(3000);
    const got = rig.fake.delivered('webhook');
    expect(got.every((r) => r.signatureOk === true)).toBe(true);
    expect(got.flatMap(idsIn)).toEqual(ids);
    expect(got[0]?.json).toMatchObject({ type: 'krx-signals.notification', version: 1 });
    expect(got[0]?.headers['idempotency-key']).toMatch(/^[0-9a-f]{32}$/);
  });

  it('a per-symbol cooldown per sink skips repeats within it', async () => {
    rig = await startNotifyRig([{ type: 'slack', name: 'cool', cooldownSeconds: 60 }, { type: 'discord', name: 'all' }]);
    write(rig, 0, 1, { symbol: '005930' });
    await rig.settle();
    await rig.advance(10_000);
    write(rig, 1, 1, { symbol: '005930' });
    write(rig, 2, 1, { symbol: '000660' });
    await rig.settle();
    await rig.advance(10_000);
    expect(rig.fake.delivered('slack').flatMap(idsIn)).toEqual(['sig-000000', 'sig-000002']);
    expect(rig.fake.delivered('discord').flatMap(idsIn)).toEqual(['sig-000000', 'sig-000001', 'sig-000002']);
    expect(rig.notifier.status()[0]).toMatchObject({ skipped: 1 });
  });

  it('a restart resumes pending rows and never re-sends what was acknowledged', async () => {
    rig = await startNotifyRig([{ type: 'telegram', name: 'tg', batchMax: 1 }]);
    const ids = write(rig, 0, 6);
    await rig.settle();
    await rig.advance(2500);
    const before = rig.fake.delivered('telegram').flatMap(idsIn);
    expect(before).toEqual(ids.slice(0, 3));
    rig = await rig.restart();
    await rig.advance(10_000);
    expect(rig.fake.delivered('telegram').flatMap(idsIn)).toEqual(ids);
  });
});
