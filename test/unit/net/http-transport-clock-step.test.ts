import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createVirtualClock } from '../../../src/core/virtual-clock.js';
import { createHttpTransport } from '../../../src/net/http-transport.js';

/** Issue 20 item 2: a REST request's timeout is a duration; an NTP step of the wall clock does not move it. */
describe('a wall-clock step does not fire or stall a REST timeout', () => {
  for (const step of [-3 * 3_600_000, 3 * 3_600_000]) {
    it(`stepping the wall clock ${step > 0 ? 'forward' : 'back'} by 3 h mid-request: no early timeout, the timeout still fires on time`, async () => {
      const held: ServerResponse[] = [];
      const server = createServer((req, res) => {
        req.resume();
        held.push(res);
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const clock = createVirtualClock(Date.UTC(2026, 0, 5, 1, 0, 0));
      const transport = createHttpTransport({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, clock, timeoutMs: 2_000 });
      let outcome: string | undefined;
      const p = transport.post('/x', {}, {}).then(
        () => (outcome = 'answered'),
        (e: { code?: string; details?: { elapsedMs?: number } }) => (outcome = `${e.code} after ${e.details?.elapsedMs}`),
      );
      while (held.length === 0) await new Promise<void>((r) => setImmediate(r));
      clock.stepWall(step);
      await clock.tickAsync(1_999);
      expect(outcome).toBeUndefined();
      await clock.tickAsync(1);
      await p;
      expect(outcome).toBe('E_TIMEOUT after 2000');
      await transport.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    });
  }
});
