import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classify, renderBatch, retryAfterHeader, signBody, type NotifyItem } from '../../../src/adapters/notify/index.js';
import { loadConfig } from '../../../src/config/load.js';
import { redactConfig, secretValues } from '../../../src/config/redact.js';
import { makeSignal, makeTempDir } from '../../support/store/fixtures.js';

describe('notify config', () => {
  const write = (dir: string, notify: unknown): string => {
    const file = join(dir, 'c.json');
    writeFileSync(file, JSON.stringify({ mode: 'sim', notify }));
    return file;
  };

  it('reads each sink secret from the environment variable it names; a missing one is a config error naming the variable only', () => {
    const tmp = makeTempDir();
    try {
      const file = write(tmp.dir, { sinks: [{ type: 'telegram', name: 'phone', chatId: '12345' }, { type: 'webhook', name: 'mine', urlEnv: 'MY_HOOK', hmacKeyEnv: 'MY_KEY' }] });
      expect(() => loadConfig({ file, env: { KRX_TELEGRAM_BOT_TOKEN: 'tok-secret-123' }, cwd: tmp.dir })).toThrow(expect.objectContaining({ code: 'E_CONFIG_INVALID', message: expect.stringMatching(/MY_HOOK must be set.*MY_KEY must be set/) }));
      const config = loadConfig({ file, env: { KRX_TELEGRAM_BOT_TOKEN: 'tok-secret-123', MY_HOOK: 'https://example.test/h/secret-path', MY_KEY: 'hmac-secret-456' }, cwd: tmp.dir });
      expect(config.credentials.notify).toEqual({ phone: { primary: 'tok-secret-123' }, mine: { primary: 'https://example.test/h/secret-path', hmacKey: 'hmac-secret-456' } });
      expect(secretValues(config)).toEqual(expect.arrayContaining(['tok-secret-123', 'https://example.test/h/secret-path', 'hmac-secret-456']));
      const printed = JSON.stringify(redactConfig(config));
      for (const secret of ['tok-secret-123', 'secret-path', 'hmac-secret-456']) expect(printed).not.toContain(secret);
    } finally {
      tmp.cleanup();
    }
  });

  it('refuses a secret in the file, duplicate sink names and unknown keys', () => {
    const tmp = makeTempDir();
    try {
      expect(() => loadConfig({ file: write(tmp.dir, { sinks: [{ type: 'telegram', name: 'p', chatId: '1', token: 'x' }] }), env: {}, cwd: tmp.dir })).toThrow(/secrets belong in the environment/);
      const dup = write(tmp.dir, { sinks: [{ type: 'slack', name: 'a' }, { type: 'discord', name: 'a' }] });
      expect(() => loadConfig({ file: dup, env: { KRX_SLACK_WEBHOOK_URL: 'https://h.test/x', KRX_DISCORD_WEBHOOK_URL: 'https://h.test/y' }, cwd: tmp.dir })).toThrow(/unique/);
      expect(() => loadConfig({ file: write(tmp.dir, { sinks: [{ type: 'slack', name: 'a', colour: 'red' }] }), env: {}, cwd: tmp.dir })).toThrow(/colour: unknown key/);
    } finally {
      tmp.cleanup();
    }
  });
});

describe('sink answers', () => {
  it('classifies 2xx, 429 with hints, 5xx and other 4xx; hints are bounded', () => {
    expect(classify(200, {}, '{"ok":true}', {})).toEqual({ ok: true, status: 200 });
    expect(classify(429, { 'retry-after': '3' }, '', {})).toMatchObject({ ok: false, retry: true, code: 'E_NOTIFY_RATE_LIMITED', retryAfterMs: 3000 });
    expect(classify(429, {}, '{"retry_after":1.5}', { retryAfterFromBody: (j) => ((j as { retry_after: number }).retry_after ?? 0) * 1000 })).toMatchObject({ retryAfterMs: 1500 });
    expect(classify(503, {}, 'down', {})).toMatchObject({ retry: true, code: 'E_NOTIFY_HTTP', status: 503 });
    expect(classify(401, {}, '{"description":"Unauthorized"}', {})).toMatchObject({ retry: false, code: 'E_NOTIFY_REJECTED', reason: 'HTTP 401 Unauthorized' });
    expect(classify(200, {}, '{"ok":false,"description":"chat not found"}', { refusedBody: (j) => ((j as { ok: boolean }).ok ? undefined : 'chat not found') })).toMatchObject({ ok: false, retry: false });
    expect(retryAfterHeader('99999999')).toBe(86_400_000);
    expect(retryAfterHeader('Sat, 05 Dec 2026 17:00:10 GMT', Date.UTC(2026, 11, 5, 17, 0, 0))).toBe(10_000);
    expect(retryAfterHeader('soon')).toBeUndefined();
  });

  it('signs the exact body bytes with HMAC-SHA256', () => {
    // RFC 4231 test case 2.
    expect(signBody('Jefe', 'what do ya want for nothing?')).toBe('sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });
});

describe('messages', () => {
  const items = (n: number): NotifyItem[] => Array.from({ length: n }, (_, i) => ({ kind: 'signal', id: `sig-${i}`, replay: false, signal: makeSignal(i, { details: { reason: 'x'.repeat(150) } }) }));

  it('fits a batch into the sink limit, taking as many items as fit from the first', () => {
    for (const max of [4096, 2000]) {
      const { count, text } = renderBatch(items(100), { language: 'ko' }, max, (t) => t);
      expect(text.length).toBeLessThanOrEqual(max);
      expect(count).toBeGreaterThan(3);
      expect(count).toBeLessThan(100);
      expect([...text.matchAll(/\[(sig-\d+)\]$/gm)].map((m) => m[1])).toEqual(items(count).map((i) => i.id));
    }
  });

  it('marks replayed signals and knows the venues', () => {
    const [one] = items(1);
    const { text } = renderBatch([{ ...(one as NotifyItem), replay: true }], { language: 'en' }, 4096, (t) => t);
    expect(text.startsWith('[REPLAY] ')).toBe(true);
    // The message prints the signal's own venue.
    for (const venue of ['KRX', 'NXT', 'SOR'] as const) {
      const signal = { ...(one as NotifyItem & { kind: 'signal' }).signal, venue };
      const line = renderBatch([{ ...(one as NotifyItem & { kind: 'signal' }), signal }], { language: 'en' }, 4096, (t) => t).text.split('\n')[0];
      expect(line).toMatch(new RegExp(` · ${venue}$`));
    }
  });
});
