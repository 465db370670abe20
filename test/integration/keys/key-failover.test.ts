import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startDaemon, type Daemon } from '../../../src/app/daemon.js';
import { loadConfig } from '../../../src/config/load.js';
import type { RealtimeEvent } from '../../../src/core/market.js';
import { createVirtualClock, type VirtualClock } from '../../../src/core/virtual-clock.js';
import { createLogger } from '../../../src/observability/logger.js';
import { startSimulator, type SimulatorHandle } from '../../../src/sim/index.js';
import { createLogLedger } from '../../../bench/soak/ledger.js';
import { lintMetrics } from '../../support/promlint.js';
import { LIVE_ON_SIM, writeConfigFile } from '../../support/config.js';

const START = Date.UTC(2026, 10, 20, 0, 0, 0); // Friday 09:00 KST

const turns = async (n: number): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise<void>((resolve) => setImmediate(resolve));
};

interface Run {
  clock: VirtualClock;
  sim: SimulatorHandle;
  daemon: Daemon;
  dataDir: string;
  symbols: string[];
  appkeys: Record<string, string>;
  lines: () => Array<Record<string, unknown>>;
}

let run: Run | undefined;
afterEach(async () => {
  await run?.daemon.stop('test over');
  await run?.sim.close();
  if (run) rmSync(run.dataDir, { recursive: true, force: true });
  run = undefined;
});

/**
 * The daemon in live mode on `keys` app keys against the simulator (one live token and one socket per
 * key), with 300 universe symbols (the simulator's 150-row program rankings of both markets, as
 * config extras) and no strategy: only the subscriptions are under test.
 */
async function start(keys: readonly string[]): Promise<Run> {
  const clock = createVirtualClock(START);
  const appkeys = Object.fromEntries(keys.map((k) => [k, `KWKEY-${k}`]));
  const sim = await startSimulator({ clock, seed: 'keys', tradesPerSecond: 200, kiwoomCredentials: keys.map((k) => ({ appkey: `KWKEY-${k}`, secretkey: `KWSECRET-${k}` })) });
  const symbols = [...new Set([...sim.faults.programRanking('P00101', 150), ...sim.faults.programRanking('P10102', 150)].map((r) => r.code))].slice(0, 300);
  expect(symbols).toHaveLength(300);
  const dataDir = mkdtempSync(join(tmpdir(), 'krx-keys-'));
  const file = writeConfigFile(dataDir, () => ({
    ...LIVE_ON_SIM,
    dataDir,
    strategies: [],
    kiwoom: { keys },
    universe: { extraSymbols: symbols, programTopMarkets: [] },
  }));
  const env: Record<string, string> = { KIWOOM_REST_URL: sim.url, KIWOOM_WS_URL: sim.wsUrl, KIS_REST_URL: sim.url };
  for (const k of keys) {
    env[`KIWOOM_APPKEY_${k.toUpperCase()}`] = `KWKEY-${k}`;
    env[`KIWOOM_SECRETKEY_${k.toUpperCase()}`] = `KWSECRET-${k}`;
  }
  const config = loadConfig({ file, cwd: dataDir, env });
  const ledger = createLogLedger({ keepLines: true });
  const daemon = await startDaemon({ config, log: createLogger({ level: 'info', clock, destination: ledger.destination }), clock, version: 'test' });
  return { clock, sim, daemon, dataDir, symbols, appkeys, lines: () => ledger.lines };
}

/** Items the simulator holds on the socket logged in with `appkey`. */
function serverItems(r: Run, key: string): Set<string> {
  const regs = r.sim.faults.registrations();
  const out = new Set<string>();
  for (const c of regs.connections) {
    if (!c.loggedIn) continue;
    const conn = r.daemon.keys.connectionOf(key);
    if (!conn) continue;
    const wanted = new Set(conn.subscriptions.wantedItems());
    const items = [...c.items].map((p) => p.split('|')[0] as string);
    // A socket belongs to the key whose wanted items it holds (the simulator does not name keys).
    if (items.length > 0 && items.every((i) => wanted.has(i))) for (const i of items) out.add(i);
  }
  return out;
}

async function until(r: Run, what: string, ok: () => boolean, maxMs: number, stepMs = 250): Promise<number> {
  const t0 = r.clock.now();
  while (!ok()) {
    if (r.clock.now() - t0 > maxMs) throw new Error(`not within ${maxMs} ms of virtual time: ${what} (keys ${JSON.stringify(r.daemon.keys.keys())})`);
    await r.clock.tickAsync(stepMs);
    await turns(20);
  }
  return r.clock.now() - t0;
}

const acked = (r: Run, key: string): number => r.daemon.keys.keys().find((k) => k.name === key)?.ackedPairs ?? -1;

describe('several app keys on the simulator: one token and one socket per key, sharded within each budget', () => {
  it('two keys, 300 items: one key killed mid-session, its items re-homed within the budget in under 10 s (virtual)', { timeout: 120_000 }, async () => {
    run = await start(['a', 'b']);
    const r = run;
    const events: RealtimeEvent[] = [];
    r.daemon.connection.events$.subscribe((e) => events.push(e));
    // 300 symbols x 2 types: 150 symbols per key (even spread), each key under its 190-item budget.
    await until(r, 'both keys live with 150 symbols each', () => acked(r, 'a') === 300 && acked(r, 'b') === 300, 60_000);
    expect(r.daemon.keys.keys().map((k) => [k.name, k.state, k.items])).toEqual([
      ['a', 'live', 150],
      ['b', 'live', 150],
    ]);
    expect(serverItems(r, 'a').size).toBe(150);
    expect(serverItems(r, 'b').size).toBe(150);
    // Exactly one token issued per key, one socket each, one token cache entry each (keyed by host and app key).
    expect(r.sim.faults.counters().tokenIssuances.kiwoom).toBe(2);
    const cache = JSON.parse(readFileSync(join(r.dataDir, 'tokens.json'), 'utf8')) as { entries: Record<string, { broker: string }> };
    expect(Object.values(cache.entries).filter((e) => e.broker === 'kiwoom')).toHaveLength(2);
    const onA = new Set(r.daemon.keys.connectionOf('a')!.subscriptions.wantedItems());
    const onB = new Set(r.daemon.keys.connectionOf('b')!.subscriptions.wantedItems());
    expect([...onA].some((s) => onB.has(s))).toBe(false);
    await until(r, 'some trades', () => events.length > 50, 30_000);

    // Mid-session the broker kills key b: its tokens revoked, new ones refused (8001), its socket closed.
    expect(r.sim.faults.disableKiwoomKey(r.appkeys.b as string)).toBe(1);
    const killedAt = r.clock.now();
    const tookMs = await until(r, 'b failed and a full at its budget', () => r.daemon.keys.keys()[1]?.state === 'failed' && acked(r, 'a') === 380, 10_000);
    expect(tookMs).toBeLessThan(10_000);

    const a = r.daemon.keys.keys()[0]!;
    const b = r.daemon.keys.keys()[1]!;
    expect(a).toMatchObject({ state: 'live', items: 190, ackedPairs: 380 });
    expect(b).toMatchObject({ state: 'failed', usable: false, items: 0 });
    expect(b.code).toMatch(/^E_AUTH_/);
    // Within the budget: a holds 190 symbols (its 150, unmoved, plus 40 of b's), the broker agrees, 110 are left out.
    const nowOnA = new Set(r.daemon.keys.connectionOf('a')!.subscriptions.wantedItems());
    for (const s of onA) expect(nowOnA.has(s)).toBe(true);
    const moved = [...nowOnA].filter((s) => !onA.has(s));
    expect(moved).toHaveLength(40);
    for (const s of moved) expect(onB.has(s)).toBe(true);
    expect(serverItems(r, 'a')).toEqual(nowOnA);
    expect(r.sim.faults.counters().regRejections).toEqual({});
    expect(r.daemon.keys.leftOut()).toHaveLength(110);
    expect(r.daemon.keys.movedSymbols()).toBe(40);

    // Reported: /healthz (degraded, with the keys), /metrics per key, the log.
    const health = r.daemon.observability.health();
    expect(health.reasons).toEqual(expect.arrayContaining([expect.stringMatching(/^kiwoom key b failed: credentials rejected/), '110 symbols held by no key (every usable key at connection.maxItems)']));
    expect((health.details as { keys: Array<{ name: string; state: string }> }).keys.map((k) => [k.name, k.state])).toEqual([
      ['a', 'live'],
      ['b', 'failed'],
    ]);
    const metrics = await (await fetch(`${r.daemon.observability.url}/metrics`)).text();
    expect(metrics).toContain('krx_key_items{key="a"} 190');
    expect(metrics).toContain('krx_key_state{key="b",state="failed"} 1');
    expect(metrics).toContain('krx_key_left_out 110');
    expect(metrics).toContain('krx_key_moved_symbols_total 40');
    expect(lintMetrics(metrics)).toEqual([]);
    const failedLine = r.lines().find((l) => l.event === 'key.failed');
    expect(failedLine).toMatchObject({ key: 'b', moved: 40, leftOut: 110, code: 'E_KEY_FAILED' });
    expect(JSON.stringify(r.lines())).not.toContain('KWSECRET-');

    // The moved symbols trade through key a now.
    const movedSet = new Set(moved);
    const before = events.length;
    await until(r, 'a trade of a moved symbol', () => events.slice(before).some((e) => movedSet.has(e.symbol)), 30_000);
    expect(r.clock.now() - killedAt).toBeGreaterThan(0);
  });

  it('another session logs in with key b (R10001): b counts as failed and its symbols move to a at once', { timeout: 120_000 }, async () => {
    run = await start(['a', 'b']);
    const r = run;
    await until(r, 'both keys live', () => acked(r, 'a') === 300 && acked(r, 'b') === 300, 60_000);
    // Someone else's process: a token for b's app key, then a LOGIN with it (the simulator kicks our socket).
    const issued = (await (
      await fetch(`${r.sim.url}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/json;charset=UTF-8', 'api-id': 'au10001' }, body: JSON.stringify({ grant_type: 'client_credentials', appkey: 'KWKEY-b', secretkey: 'KWSECRET-b' }) })
    ).json()) as { token: string };
    const { WebSocket } = await import('ws');
    const intruder = new WebSocket(r.sim.wsUrl);
    await new Promise<void>((resolve, reject) => {
      intruder.once('open', () => resolve());
      intruder.once('error', reject);
    });
    intruder.send(JSON.stringify({ trnm: 'LOGIN', token: issued.token }));
    try {
      const tookMs = await until(r, 'b failed, a at its budget', () => r.daemon.keys.keys()[1]?.state === 'failed' && acked(r, 'a') === 380, 10_000);
      expect(tookMs).toBeLessThan(10_000);
      expect(r.daemon.keys.keys()[1]?.code).toBe('E_WS_DUPLICATE_LOGIN');
      expect(r.sim.faults.counters().duplicateLoginKicks).toBe(1);
      expect(r.daemon.keys.leftOut()).toHaveLength(110);
    } finally {
      intruder.terminate();
    }
  });

  it('three keys, 300 items: a killed key fits entirely into the other two', { timeout: 120_000 }, async () => {
    run = await start(['a', 'b', 'c']);
    const r = run;
    await until(r, 'all keys live', () => ['a', 'b', 'c'].every((k) => acked(r, k) === 200), 60_000);
    const onB = new Set(r.daemon.keys.connectionOf('b')!.subscriptions.wantedItems());
    r.sim.faults.disableKiwoomKey(r.appkeys.b as string);
    const tookMs = await until(r, 'b re-homed', () => r.daemon.keys.keys()[1]?.state === 'failed' && acked(r, 'a') + acked(r, 'c') === 600, 10_000);
    expect(tookMs).toBeLessThan(10_000);
    expect(r.daemon.keys.leftOut()).toEqual([]);
    const held = new Set([...serverItems(r, 'a'), ...serverItems(r, 'c')]);
    expect(held.size).toBe(300);
    for (const s of onB) expect(held.has(s)).toBe(true);
    expect(r.daemon.observability.health().reasons).toEqual(expect.arrayContaining([expect.stringMatching(/^kiwoom key b failed/)]));
  });

  it('the embedded simulator (mode sim) accepts every configured key: each gets its own token and socket', { timeout: 120_000 }, async () => {
    const clock = createVirtualClock(START);
    const dataDir = mkdtempSync(join(tmpdir(), 'krx-keys-sim-'));
    const file = join(dataDir, 'config.json');
    writeFileSync(file, JSON.stringify({ mode: 'sim', dataDir, http: { host: '127.0.0.1', port: 0 }, kis: { enabled: false }, recording: { enabled: false }, strategies: [], kiwoom: { keys: ['default', 'b'] }, universe: { extraSymbols: ['005930', '000660', '035420', '051910'], programTopMarkets: [] } }));
    const config = loadConfig({ file, cwd: dataDir, env: {} });
    const daemon = await startDaemon({ config, log: createLogger({ level: 'silent', clock }), clock, version: 'test' });
    run = { clock, sim: daemon.simulator!, daemon, dataDir, symbols: [], appkeys: {}, lines: () => [] };
    const r = run;
    await until(r, 'both keys live', () => r.daemon.keys.keys().every((k) => k.state === 'live' && k.ackedPairs === 4), 60_000);
    expect(r.daemon.keys.keys().map((k) => [k.name, k.items])).toEqual([
      ['default', 2],
      ['b', 2],
    ]);
    expect(r.sim.faults.counters().tokenIssuances.kiwoom).toBe(2);
    expect(r.sim.faults.registrations().connections.filter((c) => c.loggedIn)).toHaveLength(2);
  });
});
