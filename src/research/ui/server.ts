import { createReadStream } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { querySignals } from '../../adapters/store/index.js';
import type { Exchange } from '../../core/market.js';
import { errorMessage } from '../../core/errors.js';
import { horizonLabel, reportJson } from '../format-report.js';
import { readRecordedMarket, tradeKey, type RecordedMarket } from '../recorded-market.js';
import { buildReport, DEFAULT_HORIZONS_MS, toReportSignal } from '../report.js';
import { calendarSchedule, recordedCalendar } from '../session-schedule.js';
import { barStart, buildCandles } from './candles.js';
import { liveDbOf, readCatalogue, withDb, type SessionEntry } from './catalogue.js';
import { streamLiveSignals, type LiveFeed } from './live-feed.js';
import { indexPage, sessionPage } from './pages.js';

/**
 * `krx-signals ui`: a read-only local web server over a data directory. Pages and the chart library
 * come from this server (node_modules), never from the internet. Every file it reads is one the
 * catalogue listed: a request names a session and a source, never a path.
 */
export interface UiServerOptions {
  readonly dataDir: string;
  readonly host: string;
  readonly port: number;
  /** How often the live feed polls the signals DB. */
  readonly pollMs?: number;
}

export interface UiServer {
  readonly url: string;
  close(): Promise<void>;
}

const PERIODS = new Set([10_000, 30_000, 60_000, 300_000, 900_000, 3_600_000]);
const VENUES = new Set<string>(['KRX', 'NXT', 'SOR']);
const MARKET_CACHE = 2;
/** Each live page holds a DB handle and a poll timer: a few are plenty on one machine. */
const MAX_LIVE_CLIENTS = 16;

export async function startUiServer(options: UiServerOptions): Promise<UiServer> {
  const chartLib = join(dirname(createRequire(import.meta.url).resolve('lightweight-charts/package.json')), 'dist', 'lightweight-charts.standalone.production.js');
  const markets = new Map<string, RecordedMarket>();
  const feeds = new Set<LiveFeed>();

  /** The recording's trades and gaps, kept for the last few sessions looked at. */
  const marketOf = (file: string): RecordedMarket => {
    let m = markets.get(file);
    if (m) {
      markets.delete(file);
    } else {
      m = readRecordedMarket(file);
      if (markets.size >= MARKET_CACHE) markets.delete(markets.keys().next().value!);
    }
    markets.set(file, m);
    return m;
  };

  const find = (url: URL): { entry: SessionEntry; db: string } | null => {
    const catalogue = readCatalogue(options.dataDir);
    const source = url.searchParams.get('source') ?? '';
    const session = url.searchParams.get('session') ?? '';
    const entry = catalogue.sessions.find((s) => s.source === source && s.sessionId === session);
    const db = catalogue.dbs.get(source);
    return entry && db ? { entry, db } : null;
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET') return send(res, 405, 'text/plain', 'GET only\n');
    switch (url.pathname) {
      case '/':
        return send(res, 200, 'text/html; charset=utf-8', indexPage());
      case '/session':
        return send(res, 200, 'text/html; charset=utf-8', sessionPage());
      case '/vendor/lightweight-charts.standalone.production.js':
        res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'max-age=3600' });
        createReadStream(chartLib).on('error', () => res.destroy()).pipe(res);
        return;
      case '/api/sessions': {
        const c = readCatalogue(options.dataDir);
        return json(res, 200, { sessions: c.sessions.map((s) => ({ ...s, recording: s.recording === null ? null : 'yes' })), problems: c.problems });
      }
      case '/api/session': {
        const found = find(url);
        if (!found) return json(res, 404, { error: 'no such session' });
        if (found.entry.recording === null) return json(res, 404, { error: `session ${found.entry.sessionId} has no recording in this data dir` });
        const market = marketOf(found.entry.recording);
        const records = found.entry.signals > 0 ? withDb(found.db, (db) => querySignals(db, { sessionId: found.entry.sessionId })) : [];
        const schedule = calendarSchedule(recordedCalendar(market.meta.config));
        const counts = new Map<string, number>();
        for (const r of records) {
          const s = toReportSignal(r, schedule);
          const key = tradeKey(s.symbol, s.venue ?? 'KRX');
          counts.set(key, (counts.get(key) ?? 0) + 1);
        }
        const symbols = [...market.trades.keys()]
          .map((key) => {
            const [symbol, venue] = key.split('|') as [string, string];
            return { symbol, venue, signals: counts.get(key) ?? 0, trades: market.trades.get(key)!.t.length };
          })
          .sort((a, b) => b.signals - a.signals || b.trades - a.trades || (a.symbol < b.symbol ? -1 : 1));
        return json(res, 200, { sessionId: found.entry.sessionId, source: found.entry.source, start: market.meta.start, end: market.dataEnd, symbols, feedGaps: market.feedGaps });
      }
      case '/api/chart': {
        const found = find(url);
        if (!found || found.entry.recording === null) return json(res, 404, { error: 'no such session' });
        const symbol = url.searchParams.get('symbol') ?? '';
        const venue = url.searchParams.get('venue') ?? 'KRX';
        const period = Number(url.searchParams.get('tf') ?? 60_000);
        if (!PERIODS.has(period) || !VENUES.has(venue)) return json(res, 400, { error: 'tf or venue not supported' });
        const recording = found.entry.recording;
        const market = marketOf(recording);
        const trades = market.trades.get(tradeKey(symbol, venue as Exchange));
        if (!trades) return json(res, 404, { error: `no trades of ${symbol} (${venue})` });
        const records = withDb(found.db, (db) => querySignals(db, { sessionId: found.entry.sessionId, symbol }));
        const schedule = calendarSchedule(recordedCalendar(market.meta.config));
        const mine = records.filter((r) => (toReportSignal(r, schedule).venue ?? 'KRX') === venue);
        const report = buildReport(mine, { horizonsMs: DEFAULT_HORIZONS_MS, recordingOf: () => recording, marketOf: () => market, resamples: 0 });
        const outcomes = (reportJson(report) as { signals: Array<{ id: string }> }).signals;
        const byId = new Map(mine.map((r) => [r.id, r]));
        const candles = buildCandles(trades, period);
        const gapBars = feedDownBars(market, period);
        const signals = outcomes.map((o) => {
          const r = byId.get(o.id)!;
          return { ...o, price: r.price, details: JSON.parse(r.detailsJson) as unknown, bar: barStart(r.tsEvent, period) };
        });
        return json(res, 200, { symbol, venue, period: horizonLabel(period), candles, signals, gapBars });
      }
      case '/api/live': {
        if (feeds.size >= MAX_LIVE_CLIENTS) return json(res, 503, { error: 'too many live pages open' });
        const feed = streamLiveSignals(liveDbOf(options.dataDir), res, options.pollMs ?? 1000);
        feeds.add(feed);
        res.on('close', () => feeds.delete(feed));
        return;
      }
      default:
        return send(res, 404, 'text/plain', 'not found\n');
    }
  };

  const server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (err) {
      // A bad file or request answers 500 with one line; the server keeps serving.
      if (!res.headersSent) json(res, 500, { error: errorMessage(err) });
      else res.destroy();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    close: async () => {
      for (const f of feeds) f.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const MAX_GAP_BARS = 5000;

/** The bars (starts, ascending) during which the feed was down: the chart shades them. */
function feedDownBars(market: RecordedMarket, period: number): number[] {
  const bars = new Set<number>();
  for (const g of market.feedGaps) {
    const to = g.to ?? market.dataEnd;
    for (let t = barStart(g.from, period); t <= to && bars.size < MAX_GAP_BARS; t += period) bars.add(t);
  }
  return [...bars].sort((a, b) => a - b);
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(body);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(body));
}
