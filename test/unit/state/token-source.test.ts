import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFileTokenCache, TOKEN_CACHE_FILE } from '../../../src/adapters/token-cache/file-token-cache.js';
import { createManagedTokenSource } from '../../../src/app/token-source.js';
import { AuthError } from '../../../src/core/errors.js';
import type { IssuedToken, TokenIssuer } from '../../../src/core/ports/token-issuer.js';
import { createRandom } from '../../../src/core/random.js';
import { createVirtualClock } from '../../../src/core/virtual-clock.js';

const H = 3600_000;
const T0 = Date.UTC(2026, 0, 5);

/** A TokenIssuer double (a port, not our code) that counts issuances and answers after a tick. */
function countingIssuer(clock: ReturnType<typeof createVirtualClock>, fail?: Error) {
  const issued: number[] = [];
  const revoked: string[] = [];
  const issuer: TokenIssuer = {
    issue: () =>
      new Promise<IssuedToken>((resolve, reject) => {
        clock.setTimeout(() => {
          if (fail) return reject(fail);
          issued.push(clock.now());
          resolve({ token: `tok-${issued.length}`, expiresAt: clock.now() + 24 * H });
        }, 50);
      }),
    revoke: async (t) => {
      revoked.push(t);
    },
  };
  return { issuer, issued, revoked };
}

describe('managed token source', () => {
  it('serves 50 concurrent cold-start callers with one issuance', async () => {
    const clock = createVirtualClock(T0);
    const { issuer, issued } = countingIssuer(clock);
    const src = createManagedTokenSource({ name: 't', issuer, clock, random: createRandom(1) });
    const all = Promise.all(Array.from({ length: 50 }, () => src.getToken()));
    await clock.tickAsync(100);
    expect(new Set(await all)).toEqual(new Set(['tok-1']));
    expect(issued).toHaveLength(1);
    expect(await src.getToken()).toBe('tok-1');
    expect(src.status()).toMatchObject({ state: 'valid', issuances: 1, expiresAt: T0 + 50 + 24 * H });
  });

  it('rejects every waiter with the credentials error at once (the slow retry runs on its own)', async () => {
    const clock = createVirtualClock(T0);
    const { issuer } = countingIssuer(clock, new AuthError('E_AUTH_CREDENTIALS', 'bad key'));
    const src = createManagedTokenSource({ name: 't', issuer, clock, random: createRandom(1) });
    const a = expect(src.getToken()).rejects.toMatchObject({ code: 'E_AUTH_CREDENTIALS' });
    const b = expect(src.getToken()).rejects.toMatchObject({ code: 'E_AUTH_CREDENTIALS' });
    await clock.tickAsync(100);
    await a;
    await b;
    await expect(src.getToken()).rejects.toMatchObject({ code: 'E_AUTH_CREDENTIALS' });
    expect(src.status().state).toBe('failed');
  });

  it('rejects pending callers on shutdown and revokes when asked', async () => {
    const clock = createVirtualClock(T0);
    const { issuer, revoked } = countingIssuer(clock);
    const src = createManagedTokenSource({ name: 't', issuer, clock, random: createRandom(1), revokeOnShutdown: true });
    const first = src.getToken();
    await clock.tickAsync(100);
    await first;
    await src.shutdown();
    expect(revoked).toEqual(['tok-1']);
    await expect(src.getToken()).rejects.toMatchObject({ code: 'E_TOKEN_STOPPED' });
    src.invalidate('tok-1', 'rejected'); // harmless after stop
  });

  it('persists to the cache and a restart reuses the token; other credentials do not', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'krx-token-'));
    const store = createFileTokenCache(dir);
    const key = { broker: 'kis' as const, host: 'https://openapi.koreainvestment.com:9443', appkey: 'APPKEY-SECRET-ish' };
    const clock = createVirtualClock(T0);
    const one = countingIssuer(clock);
    const a = createManagedTokenSource({ name: 'kis', issuer: one.issuer, clock, random: createRandom(1), cache: { store, key } });
    const p = a.getToken();
    await clock.tickAsync(100);
    expect(await p).toBe('tok-1');
    await a.shutdown();

    const raw = readFileSync(join(dir, TOKEN_CACHE_FILE), 'utf8');
    expect(raw).not.toContain('APPKEY-SECRET-ish');
    expect(statSync(join(dir, TOKEN_CACHE_FILE)).mode & 0o777).toBe(0o600);

    await clock.tickAsync(H);
    const two = countingIssuer(clock);
    const b = createManagedTokenSource({ name: 'kis', issuer: two.issuer, clock, random: createRandom(1), cache: { store, key } });
    expect(await b.getToken()).toBe('tok-1');
    expect(two.issued).toHaveLength(0);

    const three = countingIssuer(clock);
    const other = { ...key, appkey: 'another-key' };
    const c = createManagedTokenSource({ name: 'kis', issuer: three.issuer, clock, random: createRandom(1), cache: { store, key: other } });
    const q = c.getToken();
    await clock.tickAsync(100);
    expect(await q).toBe('tok-1'); // a fresh issuance from the third issuer
    expect(three.issued).toHaveLength(1);
  });

  it('bad credentials for longer than giveUpAfterMs: one error line and onGiveUp, once; a recovery before it disarms it', async () => {
    const clock = createVirtualClock(T0);
    const { issuer } = countingIssuer(clock, new AuthError('E_AUTH_CREDENTIALS', '8001'));
    const lines: string[] = [];
    const log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: (f: Record<string, unknown>) => void lines.push(String(f.code)) };
    const gaveUp: Array<{ code: string; rejectedForMs: number }> = [];
    const src = createManagedTokenSource({
      name: 'kiwoom',
      issuer,
      clock,
      random: createRandom(1),
      log,
      credentialsRetryBaseMs: 60_000,
      credentialsRetryCapMs: 600_000,
      giveUpAfterMs: 3_600_000,
      onGiveUp: (f) => gaveUp.push(f),
    });
    await Promise.allSettled([src.getToken(), clock.tickAsync(100)]);
    expect(src.status()).toMatchObject({ state: 'failed', lastError: { code: 'E_AUTH_CREDENTIALS' } });
    expect(src.status().retryInMs).toBeGreaterThanOrEqual(30_000);
    clock.stepWall(-6 * H); // an NTP step does not postpone the give-up
    await clock.tickAsync(3_600_000 - 101);
    expect(gaveUp).toEqual([]);
    await clock.tickAsync(200);
    expect(gaveUp).toEqual([{ code: 'E_AUTH_CREDENTIALS', message: '8001', rejectedForMs: expect.any(Number) }]);
    expect(gaveUp[0]?.rejectedForMs).toBeGreaterThanOrEqual(3_600_000);
    expect(lines).toContain('E_AUTH_CREDENTIALS');
    expect(lines).toContain('E_AUTH_GAVE_UP');
    await clock.tickAsync(3 * 3_600_000);
    expect(gaveUp).toHaveLength(1);
    await src.shutdown();
  });

  it('a caller waits at most waitTimeoutMs for a token (E_TIMEOUT), then the source still serves', async () => {
    const clock = createVirtualClock(T0);
    let answer: ((t: IssuedToken) => void) | undefined;
    const issuer: TokenIssuer = { issue: () => new Promise<IssuedToken>((resolve) => (answer = resolve)), revoke: async () => undefined };
    const src = createManagedTokenSource({ name: 'kis', issuer, clock, random: createRandom(1), waitTimeoutMs: 10_000, issueTimeoutMs: 60_000 });
    const first = src.getToken();
    const late = expect(first).rejects.toMatchObject({ code: 'E_TIMEOUT' });
    await clock.tickAsync(10_000);
    await late;
    answer?.({ token: 'tok', expiresAt: clock.now() + 24 * H });
    await clock.tickAsync(0);
    expect(await src.getToken()).toBe('tok');
  });
});
