import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError } from '../core/errors.js';
import { createRandom } from '../core/random.js';
import type { SimContext } from './context.js';
import { handleControl, CONTROL_PREFIX } from './control-http.js';
import { createCounters } from './counters.js';
import { createFaults, takeFailure, type FaultState, type SimFaults } from './faults.js';
import { parseObject, readBody, sendReply, type JsonReply } from './http-util.js';
import { handleKis, isKisPath } from './kis-rest.js';
import { handleKiwoom, isKiwoomPath } from './kiwoom-rest.js';
import { KiwoomWsServer, WS_PATH } from './kiwoom-ws.js';
import { SimMarketState } from './market.js';
import { resolveOptions, type SimulatorOptions } from './options.js';
import { RateWindow } from './rate-window.js';
import { RealFeed } from './real-feed.js';
import { TokenStore } from './tokens.js';
import { Watchlists } from './watchlists.js';

export interface SimulatorHandle {
  /** REST base, e.g. `http://127.0.0.1:41234` (Kiwoom and KIS share it). */
  readonly url: string;
  /** Kiwoom WebSocket URL including `/api/dostk/websocket`. */
  readonly wsUrl: string;
  readonly port: number;
  readonly faults: SimFaults;
  close(): Promise<void>;
}

/**
 * Starts the protocol-faithful simulator of Kiwoom (REST + WebSocket) and KIS (token + watchlists)
 * on one loopback HTTP server. Logs only through `options.log`.
 *
 * @example
 * const sim = await startSimulator({ clock: createVirtualClock(Date.UTC(2026, 0, 5, 1)), seed: 1 });
 * // ... talk to sim.url / sim.wsUrl ...
 * await sim.close();
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<SimulatorHandle> {
  const opts = resolveOptions(options);
  const { clock } = opts;
  const random = createRandom(opts.seed);
  const market = new SimMarketState(random.fork('market'), opts.stocks, clock.now());
  const counters = createCounters();
  const ctx: SimContext = {
    opts,
    clock,
    random,
    counters,
    market,
    kiwoomTokens: new TokenStore(random.fork('kiwoom-tokens'), 86, true, () => counters.tokensSuperseded++),
    kisTokens: new TokenStore(random.fork('kis-tokens'), 350),
    kiwoomRate: new RateWindow(opts.kiwoomRatePerSecond),
    kisRate: new RateWindow(opts.kisRatePerSecond),
    watchlists: new Watchlists(random.fork('watchlists'), market.stocks),
    kisLastTokenRequest: new Map(),
    rateFormTurn: 0,
    log: opts.log,
  };
  const ws = new KiwoomWsServer(ctx);
  const feed = new RealFeed(ctx, ws);
  const faultState: FaultState = { restDelayMs: 0, failures: [] };
  const faults = createFaults(ctx, ws, feed, faultState);
  const pendingDelays = new Set<{ handle: unknown; resolve: () => void }>();

  const delay = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const entry = { handle: undefined as unknown, resolve };
      entry.handle = clock.setTimeout(() => {
        pendingDelays.delete(entry);
        resolve();
      }, ms);
      pendingDelays.add(entry);
    });

  const route = async (req: IncomingMessage): Promise<JsonReply> => {
    const url = new URL(req.url ?? '/', 'http://sim');
    const path = url.pathname;
    const bodyText = await readBody(req);
    if (path.startsWith(CONTROL_PREFIX)) {
      const body = parseObject(bodyText) ?? {};
      return handleControl(faults, req.method ?? 'GET', path.slice(CONTROL_PREFIX.length), url.searchParams, body);
    }
    const failure = takeFailure(faultState, path);
    if (faultState.restDelayMs > 0) await delay(faultState.restDelayMs);
    if (failure !== undefined) {
      ctx.counters.injectedFailures++;
      const body = isKisPath(path)
        ? { rt_cd: '1', msg_cd: 'EGW00500', msg1: '일시적인 오류가 발생했습니다.' }
        : { return_code: 1999, return_msg: '예기치 못한 에러가 발생했습니다[1999:예기치 못한 에러]' };
      return { status: failure.status, body };
    }
    if (isKisPath(path)) return handleKis(ctx, req, path, url.searchParams, bodyText);
    if (isKiwoomPath(path)) return handleKiwoom(ctx, req, path, bodyText);
    return { status: 404, body: { error: 'not found' } };
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    route(req).then(
      (reply) => {
        if (!res.destroyed) sendReply(res, reply);
      },
      (e: unknown) => {
        opts.log('warn', { err: String(e) }, 'request failed');
        if (!res.headersSent && !res.destroyed) sendReply(res, { status: 500, body: { error: 'sim internal error' } });
      },
    );
  });
  server.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://sim').pathname;
    if (path !== WS_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    // failPath applies to the upgrade too: a refused handshake is "a drop while connecting".
    const failure = takeFailure(faultState, path);
    if (failure !== undefined) {
      ctx.counters.injectedFailures++;
      socket.end(`HTTP/1.1 ${failure.status} Injected Failure\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    ws.handleUpgrade(req, socket, head);
  });
  server.on('clientError', (_e, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (e: Error): void => {
      ws.close();
      reject(new ConfigError([`sim: cannot listen on ${opts.host}:${opts.port}: ${e.message}`], 'E_SIM_LISTEN'));
    };
    server.once('error', onError);
    server.listen(opts.port, opts.host, () => {
      server.off('error', onError);
      resolve();
    });
  });

  ws.onActivityChange = () => feed.updateRunning();
  const secondTimer = clock.setInterval(() => market.stepSecond(clock.now()), 1000);

  const port = (server.address() as AddressInfo).port;
  const hostForUrl = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  opts.log('info', { port, stocks: opts.stocks }, 'simulator listening');
  let closed: Promise<void> | undefined;
  return {
    url: `http://${hostForUrl}:${port}`,
    wsUrl: `ws://${hostForUrl}:${port}${WS_PATH}`,
    port,
    faults,
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        feed.stop();
        clock.clearInterval(secondTimer);
        for (const d of pendingDelays) {
          clock.clearTimeout(d.handle);
          d.resolve();
        }
        pendingDelays.clear();
        ws.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
