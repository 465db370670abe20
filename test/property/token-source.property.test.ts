import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { createKiwoomTokenIssuer } from '../../src/adapters/kiwoom/auth.js';
import type { HttpTransport } from '../../src/adapters/kiwoom/transport.js';
import { createManagedTokenSource } from '../../src/app/token-source.js';
import { formatKstCompact } from '../../src/core/kst.js';
import { createRandom } from '../../src/core/random.js';
import { createVirtualClock } from '../../src/core/virtual-clock.js';

/**
 * The managed token source (token machine + the real Kiwoom issuer on a scripted transport) over host
 * time zones and issuer clock skew: the issuer's `expires_dt` (KST wall time) may already be past or
 * months ahead. A token handed out is never past its refresh time (expiry minus the margin, or half
 * the remaining lifetime for short ones), and the source never spins issuing.
 */
const ZONES = ['UTC', 'Asia/Seoul', 'America/Los_Angeles', 'Pacific/Chatham', 'Asia/Kathmandu', 'America/St_Johns', 'Pacific/Kiritimati'];
const HOUR = 3_600_000;
const RUN_MS = 6 * HOUR;
const originalTz = process.env.TZ;

describe('the managed token source over time zones and clock skew (property)', () => {
  afterAll(() => {
    if (originalTz === undefined) delete process.env.TZ;
    else process.env.TZ = originalTz;
  });

  it('the host zone really changes in-process (so the property below varies it)', () => {
    process.env.TZ = 'America/Los_Angeles';
    const la = new Date(Date.UTC(2026, 0, 1)).getTimezoneOffset();
    process.env.TZ = 'Asia/Kathmandu';
    expect(new Date(Date.UTC(2026, 0, 1)).getTimezoneOffset()).toBe(-345);
    expect(la).toBe(480);
  });

  it('never hands out a token past its refresh time and never loops issuing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ZONES),
        // Any start instant of 2026-2027 (seconds), and the issuer's skew versus our clock.
        fc.integer({ min: Date.UTC(2026, 0, 1) / 1000, max: Date.UTC(2027, 11, 31) / 1000 }).map((s) => s * 1000),
        fc.oneof(
          fc.constant(24 * HOUR),
          fc.integer({ min: -48 * HOUR, max: 0 }), // already expired when issued
          fc.integer({ min: 1, max: 24 * HOUR }),
          fc.integer({ min: 24 * HOUR, max: 92 * 24 * HOUR }), // far in the future (3-month tokens)
        ),
        fc.constantFrom(0, 60_000, 600_000, 3 * HOUR),
        fc.array(fc.integer({ min: 0, max: 20 * 60_000 }), { minLength: 5, maxLength: 40 }),
        async (zone, start, lifetimeMs, marginMs, gaps) => {
          process.env.TZ = zone;
          const clock = createVirtualClock(start);
          const issued = new Map<string, { at: number; expiresAt: number }>();
          let n = 0;
          const transport: HttpTransport = {
            post: async () => {
              const token = `T${++n}`;
              // expires_dt is KST wall time to the second, whatever the host zone.
              const body = { return_code: 0, return_msg: 'ok', token_type: 'bearer', token, expires_dt: formatKstCompact(clock.now() + lifetimeMs) };
              issued.set(token, { at: clock.now(), expiresAt: Math.floor((clock.now() + lifetimeMs) / 1000) * 1000 });
              return { status: 200, headers: {}, text: JSON.stringify(body), json: body, receivedAt: clock.now() };
            },
            close: async () => undefined,
          };
          const issuer = createKiwoomTokenIssuer({ baseUrl: 'http://sim', appkey: 'K', secretkey: 'S', clock, transport });
          const source = createManagedTokenSource({ name: 'kiwoom', issuer, clock, random: createRandom(`${start}`), refreshMarginMs: marginMs });
          try {
            for (const gap of gaps) {
              await clock.tickAsync(gap);
              let got: string | undefined;
              let gotAt = 0;
              let failed = false;
              let failure: unknown;
              source.getToken().then(
                (t) => {
                  got = t;
                  gotAt = clock.now();
                },
                (err: unknown) => {
                  failed = true;
                  failure = err;
                },
              );
              // An issuer that only hands out dead tokens is retried with backoff: give up after a while.
              for (let i = 0; i < 120 && got === undefined && !failed; i++) await clock.tickAsync(1_000);
              // Every wait has an end: only an issuer of dead tokens may make a caller time out (E_TIMEOUT).
              const timedOut = failed && (failure as { code?: string }).code === 'E_TIMEOUT';
              expect(failed && !(timedOut && lifetimeMs <= 1_000), 'getToken rejected').toBe(false);
              if (timedOut) continue;
              if (clock.now() - start > RUN_MS) break;
              if (got === undefined) {
                expect(lifetimeMs, 'only an issuer of expired tokens may leave getToken waiting').toBeLessThanOrEqual(1_000);
                continue;
              }
              const t = issued.get(got);
              expect(t).toBeDefined();
              if (!t) continue;
              const refreshAt = t.expiresAt - Math.min(marginMs, Math.max(0, (t.expiresAt - t.at) / 2));
              expect(gotAt, `${zone}: token handed out past its refresh time`).toBeLessThan(Math.max(refreshAt, t.at + 1));
              expect(gotAt).toBeLessThan(t.expiresAt);
            }
            // No spinning: issuances are spaced by the token's usable life, or by the retry backoff (>= 500 ms).
            const times = [...issued.values()].map((x) => x.at);
            const elapsed = clock.now() - start;
            const usable = lifetimeMs > 0 ? Math.max(lifetimeMs - marginMs, lifetimeMs / 2) : 0;
            const bound = 2 + elapsed / Math.max(500, usable - 1_000);
            expect(times.length, `${times.length} issuances in ${elapsed} ms (lifetime ${lifetimeMs}, margin ${marginMs})`).toBeLessThanOrEqual(bound);
          } finally {
            await source.shutdown();
          }
        },
      ),
      { numRuns: 120, seed: 20261121 },
    );
  });
});
