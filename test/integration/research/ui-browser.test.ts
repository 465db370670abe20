import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRecordingReader } from '../../../src/adapters/recording/index.js';
import { openSignalDatabaseReadOnly, openSignalStore, querySignals } from '../../../src/adapters/store/index.js';
import { runReplay } from '../../../src/app/replay/run-replay.js';
import { loadConfig } from '../../../src/config/load.js';
import type { Signal } from '../../../src/core/signal.js';
import { createVirtualClock } from '../../../src/core/virtual-clock.js';
import { createLogger } from '../../../src/observability/logger.js';
import { startUiServer, type UiServer } from '../../../src/research/ui/server.js';
import { main } from '../../../src/cli/main.js';
import { runCli } from '../../support/cli.js';
import { FIXTURE_DIR } from '../../support/record-fixtures.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`ui browser tests did NOT run: ${CHROMIUM} is missing (apt-get install -y chromium; .ci/run installs it when apt is reachable)`);

const FIXTURE = 'sim-faults-2min';
const quiet = () => createLogger({ level: 'warn', clock: createVirtualClock(0), destination: new Writable({ write: (_c, _e, cb) => cb() }) });

/** A data dir as a live run leaves it (recording + signals.db), plus a replay of it. */
async function fixtureDataDir(): Promise<{ dir: string; sessionId: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'krx-ui-'));
  mkdirSync(join(dir, 'recordings'));
  mkdirSync(join(dir, 'replays'));
  const recording = join(dir, 'recordings', `${FIXTURE}.rec.db`);
  writeFileSync(recording, gunzipSync(readFileSync(join(FIXTURE_DIR, `${FIXTURE}.rec.db.gz`))));
  const reader = openRecordingReader(recording);
  const sessionId = reader.meta.sessionId;
  reader.close();
  writeGolden(join(dir, 'signals.db'), readFileSync(join(FIXTURE_DIR, `${FIXTURE}.signals.jsonl`), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Signal));
  const config = loadConfig({ env: { KRX_DATA_DIR: dir }, cwd: dir });
  await runReplay({ file: recording, config, strategiesFromConfig: false, dbFile: join(dir, 'replays', `${sessionId}.db`), speed: 'max', log: quiet() });
  return { dir, sessionId };
}

function writeGolden(file: string, signals: readonly Signal[]): void {
  const store = openSignalStore({ file, clock: createVirtualClock(0), queueLimit: 100_000, schedule: () => undefined });
  for (const s of signals) store.write(s);
  store.flush();
  store.close();
}

describe('krx-signals ui', () => {
  let dir: string;
  let sessionId: string;
  let server: UiServer;
  beforeAll(async () => {
    ({ dir, sessionId } = await fixtureDataDir());
    server = await startUiServer({ dataDir: dir, host: '127.0.0.1', port: 0, pollMs: 100 });
  }, 60_000);
  afterAll(async () => {
    await server?.close();
  });

  it('answers its API from the data dir only, and refuses what it does not list', async () => {
    const sessions = (await (await fetch(`${server.url}/api/sessions`)).json()) as { sessions: Array<{ sessionId: string; source: string; signals: number }> };
    expect(sessions.sessions.map((s) => [s.sessionId, s.source])).toEqual([
      [sessionId, 'live'],
      [sessionId, `replays/${sessionId}.db`],
    ]);
    const golden = readFileSync(join(FIXTURE_DIR, `${FIXTURE}.signals.jsonl`), 'utf8').trim().split('\n').length;
    expect(golden).toBeGreaterThan(10);
    expect(sessions.sessions[0]!.signals).toBe(golden);
    const info = (await (await fetch(`${server.url}/api/session?source=live&session=${sessionId}`)).json()) as { feedGaps: Array<{ from: number; to: number | null; reason: string }>; symbols: unknown[] };
    // The fixture's two dropped connections (socket.closed ... login.ok).
    expect(info.feedGaps.map((g) => g.reason)).toEqual(['1006', '1001 sim drop']);
    expect(info.feedGaps.every((g) => g.to !== null && g.to > g.from)).toBe(true);
    expect((await fetch(`${server.url}/api/session?source=../../etc&session=${sessionId}`)).status).toBe(404);
    expect((await fetch(`${server.url}/api/chart?source=live&session=${sessionId}&symbol=005930&venue=KRX&tf=7`)).status).toBe(400);
    expect((await fetch(`${server.url}/api/chart?source=live&session=nope&symbol=005930&tf=60000`)).status).toBe(404);
    expect((await fetch(`${server.url}/api/sessions`, { method: 'POST' })).status).toBe(405);
    const lib = await fetch(`${server.url}/vendor/lightweight-charts.standalone.production.js`);
    expect(lib.status).toBe(200);
    expect((await lib.text()).length).toBeGreaterThan(100_000);
  });

  it('runs as the ui command until stopped, on loopback by default', async () => {
    let stdout = '';
    let ready: (line: string) => void = () => undefined;
    const announced = new Promise<string>((resolve) => (ready = resolve));
    const stop = new AbortController();
    const io = { stdout: { write: (t: string) => ((stdout += t), ready(stdout)) }, stderr: { write: (t: string) => t }, env: {}, cwd: dir, stopSignal: stop.signal };
    const exit = main(['ui', '--port', '0', '--data-dir', dir], io);
    const url = /(http:\/\/127\.0\.0\.1:\d+)\//.exec(await announced)?.[1];
    expect(url).toBeDefined();
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('TradingView Lightweight Charts');
    stop.abort();
    expect(await exit).toBe(0);
    await expect(fetch(`${url}/`)).rejects.toThrow();
    expect((await runCli(['ui', '--port', 'x'])).code).toBe(2);
  });

  describe.skipIf(!hasChromium)('in a real headless browser (Debian chromium)', () => {
    let context: BrowserContext;
    const external: string[] = [];
    beforeAll(async () => {
      const profile = mkdtempSync(join(tmpdir(), 'krx-ui-chromium-'));
      context = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        headless: true,
        viewport: { width: 1400, height: 1000 },
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      });
      // No page may need the internet: record any request that leaves our server.
      context.on('request', (r) => {
        if (!r.url().startsWith(server.url)) external.push(r.url());
      });
    }, 60_000);
    afterAll(async () => {
      await context?.close();
    });

    it('lists sessions and replays, and streams the live daemon\'s new signals', async () => {
      const page = await context.newPage();
      await page.goto(`${server.url}/`);
      await page.waitForSelector('body[data-sessions="2"]');
      const rows = await page.locator('#sessions tbody tr').allInnerTexts();
      expect(rows[0]).toContain(sessionId);
      expect(rows[1]).toContain(`replays/${sessionId}.db`);
      // The live table starts with the newest 20 committed signals ...
      await page.waitForFunction(`document.querySelectorAll('#live tbody tr').length === 20`);
      // ... and shows a signal the daemon commits while the page is open.
      const fresh: Signal = { id: 'live-new-1', sessionId: 'live-now', strategy: 'program-momentum', strategyVersion: '1.0.0', symbol: '123456', venue: 'KRX', kind: 'BUY', price: 4321, tsEvent: 1795132999000, tsRecv: 1795132999000, details: {} };
      writeGolden(join(dir, 'signals.db'), [fresh]);
      await page.waitForSelector('#live tbody tr[data-id="live-new-1"]', { timeout: 10_000 });
      expect(await page.locator('#live tbody tr').first().innerText()).toMatch(/program-momentum\s+BUY\s+123456\s+4321/);
      await page.close();
    }, 60_000);

    it('draws candles with every signal of the symbol as a marker on its bar; a click shows its forward returns', async () => {
      const db = openSignalDatabaseReadOnly(join(dir, 'replays', `${sessionId}.db`));
      const all = querySignals(db, {});
      db.close();
      const counts = new Map<string, number>();
      for (const s of all) counts.set(s.symbol, (counts.get(s.symbol) ?? 0) + 1);
      const [symbol] = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]!;
      const mine = all.filter((s) => s.symbol === symbol);
      expect(mine.length).toBeGreaterThan(1);

      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(`${server.url}/session?source=${encodeURIComponent(`replays/${sessionId}.db`)}&session=${sessionId}&symbol=${symbol}`);
      await page.waitForFunction('window.__krx && window.__krx.ready === true', undefined, { timeout: 20_000 });
      await page.screenshot({ path: join(tmpdir(), 'krx-ui-session.png') });

      // The markers are the signals: one per signal, on the bar (KST-shifted seconds) holding its time.
      const markers = (await page.evaluate('window.__krx.markers.markers().map((m) => ({ id: m.id, time: m.time, text: m.text }))')) as Array<{ id: string; time: number; text: string }>;
      const expected = mine.map((s) => ({ id: s.id, time: Math.floor(Math.floor(s.tsEvent / 60_000) * 60) + 9 * 3600, text: `${s.kind} ${s.strategy}` }));
      expect(markers.sort((a, b) => (a.id < b.id ? -1 : 1))).toEqual(expected.sort((a, b) => (a.id < b.id ? -1 : 1)));

      // And they are drawn there: marker-coloured pixels in the column of each marker's bar.
      // Browser-side code as text: this project compiles without the DOM types.
      const drawn = (await page.evaluate(`(() => {
        const k = window.__krx;
        const canvas = k.chart.takeScreenshot();
        const ctx = canvas.getContext('2d');
        const rgb = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
        return k.markers.markers().map((m) => {
          const x = k.chart.timeScale().timeToCoordinate(m.time);
          if (x === null) return { x, hits: 0, y: -1 };
          const [r, g, b] = rgb(m.color);
          const x0 = Math.max(0, Math.round(x) - 3);
          const data = ctx.getImageData(x0, 0, 7, canvas.height).data;
          let hits = 0;
          let y = -1;
          for (let i = 0; i < data.length; i += 4) {
            if (Math.abs(data[i] - r) + Math.abs(data[i + 1] - g) + Math.abs(data[i + 2] - b) < 30) {
              hits++;
              y = Math.floor(i / 4 / 7);
            }
          }
          return { x, hits, y };
        });
      })()`)) as Array<{ x: number | null; hits: number; y: number }>;
      for (const d of drawn) {
        expect(d.x).not.toBeNull();
        expect(d.hits).toBeGreaterThan(5);
      }

      // Clicking the drawn marker opens its details with forward returns.
      const box = (await page.locator('#chart').boundingBox())!;
      const first = drawn[0]!;
      await page.mouse.click(box.x + first.x!, box.y + first.y);
      await page.waitForSelector('#details[data-signal]');
      const shown = await page.locator('#details').getAttribute('data-signal');
      expect(mine.map((s) => s.id)).toContain(shown);
      expect(await page.locator('#details').innerText()).toMatch(/1m\s+[-+]?\d+\.\d\d%|1m\s+-/);
      // A row of the signals table does the same.
      await page.locator(`#signals tr[data-id="${mine[1]!.id}"]`).click();
      expect(await page.locator('#details').getAttribute('data-signal')).toBe(mine[1]!.id);
      // The attribution the chart library's licence asks for, and no request left the machine.
      expect(await page.locator('footer').innerText()).toContain('TradingView');
      expect(external).toEqual([]);
      expect(errors).toEqual([]);
      await page.close();
    }, 60_000);
  });
});
