import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSignalStore } from '../../../src/adapters/store/index.js';
import { createNotifyRouting } from '../../../src/app/notify/routing.js';
import { notifySchema } from '../../../src/config/notify-schema.js';
import { createVirtualClock } from '../../../src/core/virtual-clock.js';
import { runCli } from '../../support/cli.js';
import { startFakeChatServers, type FakeChatServers } from '../../support/fake-chat-servers.js';
import { makeSignal, makeTempDir } from '../../support/store/fixtures.js';

describe('krx-signals notify', () => {
  const tmp = makeTempDir('krx-notify-cli-');
  let fake: FakeChatServers;
  let config: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    let n = 0;
    fake = await startFakeChatServers({ now: () => n++ });
    const sinks = [
      { type: 'telegram', name: 'phone', chatId: '777', apiBaseUrl: fake.url },
      { type: 'slack', name: 'team' },
    ];
    config = join(tmp.dir, 'config.json');
    writeFileSync(config, JSON.stringify({ mode: 'sim', dataDir: tmp.dir, notify: { sinks } }));
    env = { KRX_TELEGRAM_BOT_TOKEN: fake.telegramToken, KRX_SLACK_WEBHOOK_URL: fake.slackWebhook };
  });
  afterAll(async () => {
    await fake.close();
    tmp.cleanup();
  });

  it('test: sends a test message to each sink and reports the answer; a failing sink exits 1 without printing its secret', async () => {
    const ok = await runCli(['notify', 'test', '--config', config], env, tmp.dir);
    expect(ok.stdout).toBe('phone (telegram): ok, HTTP 200\nteam (slack): ok, HTTP 200\n');
    expect(ok.code).toBe(0);
    expect(fake.delivered('telegram')[0]?.text).toContain('krx-signals notify test (phone)');
    const one = await runCli(['notify', 'test', '--sink', 'team', '--config', config], env, tmp.dir);
    expect(one.stdout).toBe('team (slack): ok, HTTP 200\n');
    fake.setScript((service) => (service === 'telegram' ? { status: 401, body: { ok: false, error_code: 401, description: `Unauthorized ${fake.telegramToken}` } } : undefined));
    const bad = await runCli(['notify', 'test', '--sink', 'phone', '--config', config], env, tmp.dir);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/^phone \(telegram\): failed, E_NOTIFY_REJECTED HTTP 401 Unauthorized \[redacted\]\n$/);
    fake.setScript(() => undefined);
    const unknown = await runCli(['notify', 'test', '--sink', 'nope', '--config', config], env, tmp.dir);
    expect(unknown.code).toBe(2);
  });

  it('status: pending, sent, dead and skipped per sink, read-only', async () => {
    const db = join(tmp.dir, 'signals.db');
    const sinks = notifySchema.parse({ sinks: [{ type: 'telegram', name: 'phone', chatId: '777' }, { type: 'slack', name: 'team' }] }).sinks;
    const store = openSignalStore({ file: db, clock: createVirtualClock(Date.UTC(2026, 10, 20)), queueLimit: 10, schedule: () => undefined, outbox: createNotifyRouting(sinks) });
    for (let i = 0; i < 3; i++) store.write(makeSignal(i));
    store.flush();
    store.database.prepare("UPDATE outbox SET state = 'sent' WHERE sink = 'team'").run();
    store.close();
    const out = await runCli(['notify', 'status', '--config', config], env, tmp.dir);
    expect(out.code).toBe(0);
    const lines = out.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^SINK\s+PENDING\s+SENT\s+DEAD\s+SKIPPED\s+OLDEST PENDING$/);
    expect(lines[1]).toMatch(/^phone\s+3\s+0\s+0\s+0\s+\d+ s$/);
    expect(lines[2]).toMatch(/^team\s+0\s+3\s+0\s+0\s+-$/);
  });
});
