import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { startDaemon, type Daemon } from '../../../src/app/daemon.js';
import { loadConfig } from '../../../src/config/load.js';
import { createVirtualClock } from '../../../src/core/virtual-clock.js';
import { createLogger } from '../../../src/observability/logger.js';
import { ka90003Row } from '../../support/ka90003-rows.js';
import { SIM_KIWOOM_APPKEY, SIM_KIWOOM_SECRETKEY, startSimulator, type SimulatorHandle } from '../../../src/sim/index.js';
import { LIVE_ON_SIM, writeConfigFile } from '../../support/config.js';

/**
 * Issue 20 item 7, whole daemon: a "top 50" (ka90003) of 10,000 rows once became 40,000 subscribed
 * pairs. Here the daemon runs in live mode against the simulator behind a proxy on 127.0.0.1 that
 * answers ka90003 honestly at first, then with 10,000 rows of symbols the market does not hold.
 */
const START = Date.UTC(2026, 10, 20, 0, 0, 0); // Friday 09:00 KST
const HOSTILE_PREFIX = 'Q'; // no simulated symbol starts with a letter
const hostileRow = (i: number) => ka90003Row(i + 1, `${HOSTILE_PREFIX}${String(i).padStart(5, '0')}`, 1_000_000 - i);
const HOSTILE = JSON.stringify({ return_code: 0, return_msg: 'ok', prm_netprps_upper_50: Array.from({ length: 10_000 }, (_, i) => hostileRow(i)) });

/** Forwards every request to the simulator, except ka90003 while `hostile` is on. */
async function startProxy(target: string) {
  const state = { hostile: false, hostileServed: 0 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (state.hostile && req.headers['api-id'] === 'ka90003') {
        state.hostileServed++;
        res.setHeader('content-type', 'application/json;charset=UTF-8');
        res.end(HOSTILE);
        return;
      }
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => k !== 'host' && k !== 'connection')) as Record<string, string>;
      request(target + (req.url ?? '/'), { method: (req.method ?? 'GET') as 'GET' | 'POST', headers, body: chunks.length > 0 ? Buffer.concat(chunks) : null })
        .then(async (up) => {
          res.statusCode = up.statusCode;
          for (const name of ['content-type', 'cont-yn', 'next-key', 'api-id']) {
            const v = up.headers[name];
            if (typeof v === 'string') res.setHeader(name, v);
          }
          res.end(Buffer.from(await up.body.arrayBuffer()));
        })
        .catch(() => res.destroy());
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { state, server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function runFor(clock: ReturnType<typeof createVirtualClock>, ms: number): Promise<void> {
  const end = clock.now() + ms;
  while (clock.now() < end) {
    await clock.tickAsync(Math.min(500, end - clock.now()));
    for (let i = 0; i < 10; i++) await new Promise<void>((r) => setImmediate(r));
  }
}

function registered(sim: SimulatorHandle): string[] {
  const { current, connections } = sim.faults.registrations();
  const conn = connections.find((c) => c.id === current);
  return conn ? [...conn.items] : [];
}

describe('a hostile ranking answer subscribes nothing (issue 20 item 7)', () => {
  const clock = createVirtualClock(START);
  const dataDir = mkdtempSync(join(tmpdir(), 'krx-hostile-'));
  const lines: string[] = [];
  let sim: SimulatorHandle | undefined;
  let proxy: Awaited<ReturnType<typeof startProxy>> | undefined;
  let daemon: Daemon | undefined;
  afterAll(async () => {
    await daemon?.stop('test over');
    await sim?.close();
    proxy?.server.closeAllConnections();
    await new Promise((r) => (proxy ? proxy.server.close(r) : r(undefined)));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a "top 50" of 10,000 rows: E_TOO_MANY_ROWS logged per poll, no hostile symbol registered, the honest universe kept', { timeout: 90_000 }, async () => {
    sim = await startSimulator({ clock, seed: 'hostile', tradesPerSecond: 5, tickMs: 1000, stocks: 300 });
    proxy = await startProxy(sim.url);
    const file = writeConfigFile(dataDir, () => ({ ...LIVE_ON_SIM, dataDir, kiwoom: { requestTimeoutMs: 120_000 } }));
    const config = loadConfig({
      file,
      cwd: dataDir,
      env: { KIWOOM_APPKEY: SIM_KIWOOM_APPKEY, KIWOOM_SECRETKEY: SIM_KIWOOM_SECRETKEY, KIWOOM_REST_URL: proxy.url, KIWOOM_WS_URL: sim.wsUrl },
    });
    const destination = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(...chunk.toString().split('\n').filter((l) => l !== ''));
        done();
      },
    });
    daemon = await startDaemon({ config, log: createLogger({ level: 'info', clock, destination }), clock, version: 'test' });

    // Honest rankings first: the path from ka90003 to REG works and subscribes something.
    await runFor(clock, 40_000);
    const honest = registered(sim);
    expect(honest.length).toBeGreaterThan(0);

    proxy.state.hostile = true;
    await runFor(clock, 3 * 30_000 + 5_000);
    expect(proxy.state.hostileServed).toBeGreaterThanOrEqual(2);
    const refused = lines.filter((l) => l.includes('"code":"E_TOO_MANY_ROWS"'));
    expect(refused.length).toBeGreaterThanOrEqual(2);
    const after = registered(sim);
    expect(after.filter((item) => item.startsWith(HOSTILE_PREFIX))).toEqual([]);
    expect(new Set(after)).toEqual(new Set(honest));
  });
});
