import { describe, expect, it } from 'vitest';
import { decideHealth } from '../../../src/observability/health.js';

const live = { phase: 'live', wantedPairs: 200, lastError: null, nextRetryInMs: null };

describe('the health rule', () => {
  it('is healthy when live and subscribed during the session', () => {
    expect(decideHealth({ sessionOpen: true, connection: live })).toEqual({
      healthy: true,
      reasons: [],
      details: { sessionOpen: true, phase: 'live', subscribedPairs: 200 },
    });
  });

  it('is healthy outside the session, saying the market is closed, whatever the connection', () => {
    const v = decideHealth({ sessionOpen: false, connection: { phase: 'disconnected', wantedPairs: 0 } });
    expect(v.healthy).toBe(true);
    expect(v.reasons).toEqual(['market closed']);
  });

  it('is unhealthy during the session when not live, with the phase and last error', () => {
    const v = decideHealth({
      sessionOpen: true,
      connection: { phase: 'backoff', wantedPairs: 200, nextRetryInMs: 4200, lastError: { code: 'E_WS_CLOSED', message: 'socket closed (1006)' } },
    });
    expect(v).toMatchObject({ healthy: false, reasons: ['connection backoff: E_WS_CLOSED socket closed (1006) (retry in 5 s)'] });
    expect(decideHealth({ sessionOpen: true, connection: { phase: 'authenticating', wantedPairs: 10 } }).reasons).toEqual(['connection authenticating']);
  });

  it('is unhealthy when live with nothing subscribed, or when a token failed', () => {
    expect(decideHealth({ sessionOpen: true, connection: { ...live, wantedPairs: 0 } })).toMatchObject({ healthy: false, reasons: [expect.stringMatching(/no real-time subscriptions/)] });
    const v = decideHealth({ sessionOpen: true, connection: live, tokens: { kiwoom: { state: 'valid' }, kis: { state: 'failed', lastError: { code: 'E_AUTH_CREDENTIALS' } } } });
    expect(v).toMatchObject({ healthy: false, reasons: ['kis token failed: E_AUTH_CREDENTIALS'] });
  });

  it('reports data silence without turning a live connection unhealthy', () => {
    const v = decideHealth({ sessionOpen: true, connection: live, silenceActive: true });
    expect(v).toMatchObject({ healthy: true, reasons: ['data silence (no real-time frames)'], details: { dataSilence: true } });
  });
});
