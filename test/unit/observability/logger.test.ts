import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createVirtualClock } from '../../../src/core/virtual-clock.js';
import { createLogger } from '../../../src/observability/logger.js';

const capture = (): { stream: Writable; lines: () => Record<string, unknown>[]; text: () => string } => {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      text += chunk.toString();
      cb();
    },
  });
  return { stream, text: () => text, lines: () => text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>) };
};

describe('logger', () => {
  it('stamps lines from the Clock port and tags child components', () => {
    const clock = createVirtualClock(1_795_000_000_000);
    const out = capture();
    const log = createLogger({ level: 'info', clock, destination: out.stream });
    log.child({ component: 'connection' }).info({ attempt: 2 }, 'reconnecting');
    clock.tick(1500);
    log.warn('later');
    expect(out.lines()).toEqual([
      { level: 'info', time: 1_795_000_000_000, component: 'connection', attempt: 2, msg: 'reconnecting' },
      { level: 'warn', time: 1_795_000_001_500, msg: 'later' },
    ]);
  });

  it('redacts secret fields at any depth and scrubs secret values anywhere', () => {
    const out = capture();
    const secrets = ['CANARY-APPKEY-123', 'CANARY-SECRET-456'];
    const log = createLogger({ level: 'info', clock: createVirtualClock(0), destination: out.stream, secrets });
    log.info({ appkey: secrets[0], req: { headers: { authorization: 'Bearer CANARY-TOKEN' } }, body: { token: 'CANARY-TOKEN' } }, 'request');
    log.error({ err: new Error(`bad key ${secrets[1]}`) }, `failed with ${secrets[0]}`);
    const text = out.text();
    expect(text).not.toMatch(/CANARY/);
    expect(out.lines()[0]).toMatchObject({ appkey: '[redacted]', req: { headers: { authorization: '[redacted]' } }, body: { token: '[redacted]' } });
  });
});
