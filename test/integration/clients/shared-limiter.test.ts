import { afterEach, describe, expect, it } from 'vitest';
import { createKiwoomApi } from '../../../src/adapters/kiwoom/api.js';
import { createKiwoomTokenIssuer } from '../../../src/adapters/kiwoom/auth.js';
import { createKiwoomRest } from '../../../src/adapters/kiwoom/rest-client.js';
import { createManagedTokenSource } from '../../../src/app/token-source.js';
import { createRandom } from '../../../src/core/random.js';
import { createRateLimiter, type RateLimiter } from '../../../src/core/rate-limiter.js';
import { SIM_KIWOOM_APPKEY, SIM_KIWOOM_SECRETKEY, type SimulatorHandle } from '../../../src/sim/index.js';
import { drive, LONG_TIMEOUT_MS, startSim } from './support.js';

/**
 * Issue 12 item 3: one limiter per host + app key, shared by the token issuer and the REST client
 * (the issuers used to skip it, so a token call and a full window of TR calls went out together).
 */
let sim: SimulatorHandle | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function coldCallAt(shared: boolean): Promise<number> {
  const started = await startSim();
  sim = started.sim;
  const { clock } = started;
  const limiter: RateLimiter = createRateLimiter({ clock, ratePerSecond: 1 });
  const issuer = createKiwoomTokenIssuer({
    baseUrl: sim.url,
    appkey: SIM_KIWOOM_APPKEY,
    secretkey: SIM_KIWOOM_SECRETKEY,
    clock,
    requestTimeoutMs: LONG_TIMEOUT_MS,
    ...(shared && { limiter }),
  });
  const tokens = createManagedTokenSource({ name: 'kiwoom', issuer, clock, random: createRandom('shared-limiter') });
  const rest = createKiwoomRest({ baseUrl: sim.url, tokens, clock, requestTimeoutMs: LONG_TIMEOUT_MS, limiter });
  const t0 = clock.monotonic();
  await drive(clock, createKiwoomApi(rest).ka10001({ stk_cd: '005930' }), 50);
  const elapsed = clock.monotonic() - t0;
  await tokens.shutdown();
  await rest.close();
  await issuer.close();
  return elapsed;
}

describe('the token issuer and the REST client draw from one limiter', () => {
  it('at 1 request/s, the issuance takes the first grant and the first TR call waits for the next', async () => {
    expect(await coldCallAt(true)).toBeGreaterThanOrEqual(1000);
  });

  it('(control) an issuer with its own limiter lets both out in the same second', async () => {
    expect(await coldCallAt(false)).toBeLessThan(1000);
  });
});
