import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NotifyItem } from '../../../src/adapters/notify/index.js';
import { createRedisStreamsBus } from '../../../src/adapters/bus/redis-streams.js';
import { createSignalBusSink } from '../../../src/app/bus/signal-bus-sink.js';
import type { BusAdapter } from '../../../src/core/ports/bus.js';
import type { Signal } from '../../../src/core/signal.js';
import { hasRedis, startRedis, warnIfNoRedis, type RedisServer } from '../../support/bus/redis-server.js';

/** The docs' Python example (docs/bus.md), run against a real redis-server with redis-py. */
const python = ['python3', '/usr/bin/python3'].find((p) => spawnSync(p, ['-c', 'import redis'], { stdio: 'ignore' }).status === 0) ?? null;
warnIfNoRedis('the docs Python example test (test/integration/bus/python-example.test.ts)');
if (hasRedis && !python) console.warn('the docs Python example test did NOT run: no python3 with redis-py (apt-get install -y python3-redis; .ci/run installs it when apt is reachable)');

const example = (() => {
  const doc = readFileSync(new URL('../../../docs/bus.md', import.meta.url), 'utf8');
  const block = /```python\n([\s\S]*?)```/.exec(doc);
  if (!block) throw new Error('docs/bus.md has no python block');
  return block[1] as string;
})();

const signal = (i: number): Signal => ({ id: `00000000000000a${i}`, sessionId: 's', strategy: 'program-momentum', strategyVersion: '1.0.0', symbol: '005930', venue: i === 2 ? 'NXT' : 'KRX', kind: 'BUY', price: 70_000 + i, tsEvent: 1_767_225_600_000 + i, tsRecv: 1_767_225_600_001 + i, details: {} });

describe.skipIf(!hasRedis || !python)('docs/bus.md: the Python consumer-group example', () => {
  let server: RedisServer;
  let bus: BusAdapter;
  beforeAll(async () => {
    server = await startRedis();
    bus = createRedisStreamsBus({ url: server.url });
    for (let i = 0; i < 200 && !bus.status().connected; i++) await new Promise((r) => setTimeout(r, 10));
  });
  afterAll(async () => {
    await bus?.close();
    await server?.stop();
  });

  const run = (): string => {
    const out = spawnSync(python as string, ['-c', example], { env: { ...process.env, KRX_BUS_REDIS_URL: server.url }, encoding: 'utf8', timeout: 20_000 });
    expect(out.stderr).toBe('');
    expect(out.status).toBe(0);
    return out.stdout;
  };

  it('reads the signals the bus sink wrote, once each, and acknowledges them', async () => {
    const sink = createSignalBusSink({ name: 'bus', bus, stream: 'krx:signals', maxLen: 1000, dedupeMs: 60_000, origin: 'ingest-a' });
    const items: NotifyItem[] = [1, 2, 3].map((i) => ({ kind: 'signal', id: signal(i).id, replay: false, signal: signal(i) }));
    const message = sink.compose(items, { language: 'en' }, 0);
    expect(await sink.send(message)).toEqual({ ok: true, status: 0 });
    expect(await sink.send(message)).toEqual({ ok: true, status: 0 }); // a retry: no second copy

    expect(run()).toBe(['00000000000000a1 program-momentum 005930 BUY 70001', '00000000000000a2 program-momentum 005930 BUY 70002', '00000000000000a3 program-momentum 005930 BUY 70003', ''].join('\n'));
    // Acknowledged: a second run of the same worker finds nothing pending and nothing new.
    expect(run()).toBe('');
    expect(await bus.groups('krx:signals')).toEqual([{ name: 'my-app', consumers: 1, pending: 0, lag: 0 }]);
    const venues = (await bus.read('krx:signals', '0-0', 10, 0)).map((e) => e.envelope.venue);
    expect(venues).toEqual(['KRX', 'NXT', 'KRX']);
  });
});
