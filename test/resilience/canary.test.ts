import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createVirtualClock } from '../../src/core/virtual-clock.js';
import { runFault, type FaultEnv } from '../../bench/soak/faults.js';
import { startFakeChatServers, type FakeChatServers } from '../support/fake-chat-servers.js';
import { runFor, startDaemonOnSim, turns, type DaemonOnSim } from './daemon-on-sim.js';

/**
 * Secret canaries: the daemon runs in live mode against a simulator that accepts only canary
 * credentials, through reconnects, a forced token expiry, a refused LOGIN and malformed frames.
 * Afterwards no canary (app keys, secrets, HTS id) may appear in any log line or in any file the run
 * wrote; the access tokens issued may appear in the token cache file and nowhere else. The logger is
 * built without the value-scrubbing second line of defence, so a leak cannot hide behind it.
 */
const canary = (label: string, length: number): string => `CANARY${label}${randomBytes(32).toString('hex').toUpperCase()}`.slice(0, length);
const KIWOOM_APPKEY = canary('KWKEY', 40);
const KIWOOM_SECRETKEY = canary('KWSECRET', 44);
const KIS_APPKEY = canary('KISKEY', 36);
const KIS_APPSECRET = canary('KISSECRET', 64);
const KIS_HTS_ID = canary('HTS', 12).toLowerCase();
// Notification secrets: a bot token, webhook paths (the URL is the credential) and an HMAC key.
const TELEGRAM_TOKEN = `987654:${canary('TGTOKEN', 35)}`;
const DISCORD_TOKEN = canary('DCHOOK', 60);
const SLACK_PATH = canary('SLHOOK', 24);
const HOOK_PATH = canary('WHPATH', 30);
const HMAC_KEY = canary('HMACKEY', 40);
const NOTIFY_SECRETS = { TELEGRAM_TOKEN, DISCORD_TOKEN, SLACK_PATH, HOOK_PATH, HMAC_KEY };
const CREDENTIALS = { KIWOOM_APPKEY, KIWOOM_SECRETKEY, KIS_APPKEY, KIS_APPSECRET, KIS_HTS_ID };
const START = Date.UTC(2026, 10, 20, 0, 0, 0); // Friday 09:00 KST

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('secret canaries through a faulty live-mode run', () => {
  const clock = createVirtualClock(START);
  const lines: string[] = [];
  let run: DaemonOnSim | undefined;
  let chat: FakeChatServers | undefined;
  afterAll(async () => {
    await run?.daemon.stop('test over');
    await run?.sim.close();
    await chat?.close();
    if (run) rmSync(run.dataDir, { recursive: true, force: true });
  });

  it('no credential in any log line or written file; tokens only in the token cache', { timeout: 60_000 }, async () => {
    // Chat services that fail in every way and echo the secrets back in their error texts.
    chat = await startFakeChatServers({ now: () => clock.now(), secrets: { telegramToken: TELEGRAM_TOKEN, discordToken: DISCORD_TOKEN, slackPath: SLACK_PATH, hookPath: HOOK_PATH, hmacKey: HMAC_KEY } });
    const echo = `echo ${Object.values(NOTIFY_SECRETS).join(' ')}`;
    chat.setScript((service, call) => {
      if (service === 'telegram' && call % 3 === 1) return { status: 500, body: { ok: false, description: echo } };
      if (service === 'discord') return { status: 401, body: { message: echo } };
      if (service === 'slack' && call % 2 === 1) return { status: 429, body: echo, headers: { 'retry-after': '1' } };
      if (service === 'webhook' && call % 4 === 1) return { status: 0, hang: true };
      return undefined;
    });
    run = await startDaemonOnSim({
      clock,
      sim: {
        seed: 'canary',
        tradesPerSecond: 40,
        kiwoomCredentials: [{ appkey: KIWOOM_APPKEY, secretkey: KIWOOM_SECRETKEY }],
        kisCredentials: [{ appkey: KIS_APPKEY, appsecret: KIS_APPSECRET }],
      },
      fileConfig: {
        calendar: { kind: 'always-open' },
        log: { level: 'debug' },
        notify: {
          alertCheckSeconds: 1,
          sinks: [
            { type: 'telegram', name: 'tg', chatId: '-1001', apiBaseUrl: chat.url, alerts: true },
            { type: 'discord', name: 'dc', alerts: true },
            { type: 'slack', name: 'sl', alerts: true },
            { type: 'webhook', name: 'wh', alerts: true },
          ],
        },
      },
      credentials: {
        ...CREDENTIALS,
        KRX_TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
        KRX_DISCORD_WEBHOOK_URL: chat.discordWebhook,
        KRX_SLACK_WEBHOOK_URL: chat.slackWebhook,
        KRX_WEBHOOK_URL: chat.webhookUrl,
        KRX_WEBHOOK_HMAC_KEY: HMAC_KEY,
      },
      onLine: (raw) => lines.push(raw),
    });
    const { daemon, sim, config, dataDir } = run;
    const tokens = new Set<string>();
    const collectTokens = async (): Promise<void> => {
      tokens.add(await daemon.tokens.kiwoom.getToken());
      const kis = daemon.tokens.kis;
      if (kis) tokens.add(await kis.getToken());
    };
    const env: FaultEnv = {
      daemon,
      sim,
      watchdogMs: config.connection.watchdogMs,
      normalRates: { kiwoomPerSecond: 5, kisPerSecond: 20 },
      rateLimitHoldMs: 10_000,
      advance: (ms) => runFor(clock, ms, 1_000, 20),
      now: () => clock.now(),
      stepMs: 500,
    };
    await runFor(clock, 20_000, 1_000, 30);
    await collectTokens();
    for (const kind of ['drop-terminate', 'malformed', 'token-expiry', 'rate-limit', 'drop-close'] as const) {
      const outcome = await runFault(kind, env, 120_000);
      expect(outcome.recoveryMs, kind).not.toBeNull();
      // A watchlist poll (every 300 s) meets the expired KIS token and refreshes it.
      await runFor(clock, kind === 'token-expiry' ? 310_000 : 10_000, 1_000, 20);
      await collectTokens();
    }
    const signals = daemon.signalsCommitted();
    await daemon.stop('canary over');
    await turns(20);

    // The run did what it should have: traffic, signals, a refused LOGIN, new tokens, a recording.
    expect(signals).toBeGreaterThan(0);
    expect(sim.faults.counters().loginFailures).toBeGreaterThan(0);
    expect(tokens.size).toBeGreaterThanOrEqual(4);
    const files = filesUnder(dataDir).filter((f) => !f.endsWith('config.json'));
    const names = files.map((f) => relative(dataDir, f));
    expect(names.some((n) => n.startsWith('recordings'))).toBe(true);
    expect(names.some((n) => n.startsWith('signals.db'))).toBe(true);
    const cacheFile = files.find((f) => /token/i.test(relative(dataDir, f)));
    expect(cacheFile, `a token cache among ${names.join(', ')}`).toBeDefined();
    expect(lines.length).toBeGreaterThan(50);
    // The notification paths ran, failures included: deliveries, retries and refusals.
    expect(chat.delivered('telegram').length).toBeGreaterThan(0);
    expect(chat.delivered('webhook').length).toBeGreaterThan(0);
    expect(chat.all('discord').length).toBeGreaterThan(0);
    expect(lines.some((l) => l.includes('E_NOTIFY_REJECTED'))).toBe(true);
    expect(lines.some((l) => l.includes('E_NOTIFY_HTTP'))).toBe(true);

    const leaks: string[] = [];
    const secrets = [...Object.entries(CREDENTIALS), ...Object.entries(NOTIFY_SECRETS)];
    lines.forEach((line, i) => {
      for (const [name, value] of secrets) if (line.includes(value)) leaks.push(`log line ${i}: ${name}`);
      for (const t of tokens) if (line.includes(t)) leaks.push(`log line ${i}: an access token`);
    });
    for (const file of files) {
      // Binary files (SQLite pages, WAL) are searched as bytes.
      const bytes = readFileSync(file);
      const name = relative(dataDir, file);
      for (const [secret, value] of secrets) if (bytes.includes(Buffer.from(value))) leaks.push(`${name}: ${secret}`);
      if (file !== cacheFile) for (const t of tokens) if (bytes.includes(Buffer.from(t))) leaks.push(`${name}: an access token`);
    }
    expect(leaks).toEqual([]);
    // The cache holds the last tokens (and nothing that names the app key).
    const cache = readFileSync(cacheFile as string, 'utf8');
    expect([...tokens].some((t) => cache.includes(t))).toBe(true);
  });
});
