import { afterAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createVirtualClock } from '../../../src/core/virtual-clock.js';
import { idsIn, startFakeChatServers, type FakeChatServers } from '../../support/fake-chat-servers.js';
import { runFor, startDaemonOnSim, turns, type DaemonOnSim } from '../../resilience/daemon-on-sim.js';

const START = Date.UTC(2026, 10, 20, 0, 0, 0); // Friday 09:00 KST

/** The whole daemon (live mode against the simulator) notifying a fake Telegram and a fake webhook. */
describe('the daemon notifies through its outbox', () => {
  const clock = createVirtualClock(START);
  let run: DaemonOnSim | undefined;
  let fake: FakeChatServers | undefined;
  afterAll(async () => {
    await run?.daemon.stop('test over');
    await run?.sim.close();
    await fake?.close();
    if (run) rmSync(run.dataDir, { recursive: true, force: true });
  });

  it('delivers every committed signal once, raises and clears a data-silence alert, exposes metrics and health', { timeout: 120_000 }, async () => {
    fake = await startFakeChatServers({ now: () => clock.now() });
    run = await startDaemonOnSim({
      clock,
      // 0A is rare by default, as live; the 'gone' sink takes ALERTs, which the indicative strategy makes from 0A.
      sim: { seed: 'notify', tradesPerSecond: 40, indicativePerHour: 200_000, kiwoomCredentials: [{ appkey: 'KWKEY-notify', secretkey: 'KWSECRET-notify' }] },
      fileConfig: {
        calendar: { kind: 'always-open' },
        kis: { enabled: false },
        alarms: { dataSilenceSeconds: 10 },
        notify: {
          alertCheckSeconds: 1,
          staleSeconds: 60,
          sinks: [
            { type: 'telegram', name: 'phone', chatId: '-100200300', apiBaseUrl: fake.url, batchMax: 20, alerts: true },
            { type: 'webhook', name: 'mine', batchMax: 50 },
            // Nobody listens on port 1: every attempt fails; its rows age and /healthz says so.
            { type: 'slack', name: 'gone', baseUrl: 'http://127.0.0.1:1', filters: { kinds: ['ALERT'] } },
          ],
        },
      },
      credentials: {
        KIWOOM_APPKEY: 'KWKEY-notify',
        KIWOOM_SECRETKEY: 'KWSECRET-notify',
        KRX_TELEGRAM_BOT_TOKEN: fake.telegramToken,
        KRX_WEBHOOK_URL: fake.webhookUrl,
        KRX_WEBHOOK_HMAC_KEY: fake.hmacKey,
        KRX_SLACK_WEBHOOK_URL: 'https://hooks.slack.invalid/services/T0/B0/secretpath',
      },
    });
    const { daemon, sim } = run;
    await runFor(clock, 60_000, 250, 20);
    expect(daemon.signalsCommitted()).toBeGreaterThan(0);

    sim.faults.setSilent(true);
    await runFor(clock, 30_000, 250, 20);
    sim.faults.setSilent(false);
    await runFor(clock, 120_000, 250, 20);
    const metrics = daemon.observability.metrics.render();
    expect(metrics).toMatch(/^krx_notify_outbox_depth\{sink="mine"\} \d+$/m);
    expect(metrics).toMatch(/^krx_notify_delivered_total\{sink="phone"\} [1-9]\d*$/m);
    expect(metrics).toMatch(/^krx_notify_failed_total\{sink="mine"\} 0$/m);
    // Degraded, not unhealthy: the sink that never answers is named; the ones keeping up are not.
    const health = daemon.observability.health();
    expect(health.healthy).toBe(true);
    expect(health.reasons.filter((r) => r.startsWith('notify'))).toEqual([expect.stringMatching(/^notify sink gone behind: oldest pending \d+ s/)]);
    expect(health.details?.['degraded']).toBe(true);
    expect(metrics).toMatch(/^krx_notify_retried_total\{sink="gone"\} [1-9]\d*$/m);
    await daemon.stop('test over');
    await turns(20);
    const tg = fake.delivered('telegram');
    const hook = fake.delivered('webhook');
    const hookIds = hook.flatMap(idsIn);
    // Every signal reached the webhook exactly once, in commit order, or is still pending (committed as
    // the daemon stopped: the next start sends it); alerts went only to the opted-in sink.
    const db = new Database(join(run.dataDir, 'signals.db'), { readonly: true });
    const committed = db.prepare('SELECT id FROM signals').pluck().all() as string[];
    const rows = db.prepare("SELECT item_id AS id, state FROM outbox WHERE sink = 'mine' ORDER BY seq").all() as { id: string; state: string }[];
    db.close();
    expect(rows.map((r) => r.id).sort()).toEqual([...committed].sort());
    expect(rows.filter((r) => r.state === 'sent').map((r) => r.id)).toEqual(hookIds);
    expect(rows.filter((r) => r.state === 'pending').length).toBeLessThan(10);
    expect(hookIds.length).toBeGreaterThan(50);
    expect(new Set(hookIds).size).toBe(hookIds.length);
    expect(hook.every((r) => r.signatureOk === true)).toBe(true);
    const tgIds = tg.flatMap(idsIn);
    const tgSignals = tgIds.filter((id) => !id.startsWith('alert:'));
    expect(tgSignals).toEqual(hookIds.slice(0, tgSignals.length));
    expect(tgSignals.length).toBeGreaterThan(hookIds.length - 25);
    const alerts = tgIds.filter((id) => id.startsWith('alert:data-silence:'));
    expect(alerts).toHaveLength(2);
    expect(alerts[1]).toBe(`${alerts[0]}:cleared`);
    expect(tg.some((r) => r.text.includes('⚠️ 경보: data-silence'))).toBe(true);
    expect(tg.some((r) => r.text.includes('✅ 해소: data-silence'))).toBe(true);
    // Stocks are named from the ka10099 stock master (no strategy here puts a name in its details).
    const named = tg.flatMap((r) => [...r.text.matchAll(/· ([^·\n]+?) \\?\((\d{6})\\?\) ·/g)].map((m) => [m[1] ?? '', m[2] ?? ''] as const));
    expect(named.length).toBeGreaterThan(0);
    for (const [name, code] of named) expect(name).toBe(daemon.master.get(code)?.name);
  });
});

