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

  it('every REG rejected no longer reads as healthy: wanted but not acknowledged, with the code', () => {
    const subscriptions = { wantedPairs: 220, ackedPairs: 0, rejectedPairs: 220, lastRejection: { code: '105110', message: '허용된 요청 건수를 초과' }, leftOut: 0 };
    const v = decideHealth({ sessionOpen: true, connection: { ...live, wantedPairs: 220, subscriptions } });
    expect(v).toMatchObject({ healthy: false, reasons: ['220 of 220 subscriptions not acknowledged (REG rejected: 105110 허용된 요청 건수를 초과)'], details: { ackedPairs: 0, rejectedPairs: 220 } });
    const pending = decideHealth({ sessionOpen: true, connection: { ...live, wantedPairs: 220, subscriptions: { ...subscriptions, ackedPairs: 200, rejectedPairs: 0, lastRejection: null } } });
    expect(pending).toMatchObject({ healthy: true, reasons: ['20 subscriptions awaiting acknowledgement'] });
  });

  it('says how long the credentials have been rejected and how often they are retried', () => {
    const v = decideHealth({ sessionOpen: true, connection: live, tokens: { kiwoom: { state: 'failed', lastError: { code: 'E_AUTH_CREDENTIALS' }, retryInMs: 120_000, rejectedForMs: 30 * 60_000 } } });
    expect(v).toMatchObject({ healthy: false, reasons: ['kiwoom token failed: E_AUTH_CREDENTIALS (rejected for 30 min, retrying every 120 s)'] });
  });
});
