import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStreamsBus } from '../../../src/adapters/bus/redis-streams.js';
import { hasRedis, startRedis, warnIfNoRedis, type RedisServer } from '../../support/bus/redis-server.js';
import { busContract } from './contract.js';

warnIfNoRedis('bus tests in test/integration/bus/redis-streams.test.ts');

describe.skipIf(!hasRedis)('Redis Streams bus on a real redis-server', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    await server?.stop();
  });

  busContract('redis-streams', {
    make: () => createRedisStreamsBus({ url: server.url, reconnectCapMs: 100 }),
    down: () => server.stop(),
    up: () => server.start(),
    raw: async (args) => {
      const client = createClient({ url: server.url, RESP: 2 });
      await client.connect();
      try {
        return await client.sendCommand(args);
      } finally {
        client.destroy();
      }
    },
  });

  it('never quotes a password of the URL in its errors', async () => {
    const url = `redis://:hunter2-secret@127.0.0.1:${server.port + 1}`;
    const bus = createRedisStreamsBus({ url, reconnectCapMs: 100 });
    try {
      const err = await bus.append('x', [], 10).then(() => bus.length('x')).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'E_BUS_UNAVAILABLE' });
      expect(String((err as Error).message)).not.toContain('hunter2');
    } finally {
      await bus.close();
    }
  });
});
