import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError, errorMessage, KrxError } from '../core/errors.js';
import type { LogSink } from '../core/ports/log-sink.js';
import { silentLog } from '../core/ports/log-sink.js';
import { scrubSecrets } from '../config/redact.js';
import { PROMETHEUS_CONTENT_TYPE } from './metrics.js';
import { knownSecrets } from './secrets.js';

/** The composition root's verdict on the daemon's health. */
export interface HealthVerdict {
  readonly healthy: boolean;
  /** Why (e.g. 'market closed' while healthy, 'connection backoff: E_WS_CLOSED' while not). */
  readonly reasons: readonly string[];
  readonly details?: Readonly<Record<string, unknown>>;
  /** Healthy but a part is failing (degraded.ts): status "degraded", still 200. */
  readonly degraded?: readonly string[];
}

export interface ObservabilityServerOptions {
  readonly host: string;
  /** 0 = ephemeral (tests). */
  readonly port: number;
  readonly health: () => HealthVerdict;
  /** The Prometheus exposition text (`registry.render()`, plus the process families: async). */
  readonly metrics: () => string | Promise<string>;
  readonly log?: LogSink;
}

export interface ObservabilityServer {
  /** Listens; rejects with E_LISTEN when the port is taken, a ConfigError when the host is bad. */
  start(): Promise<{ readonly url: string; readonly port: number }>;
  /** Stops listening and drops open connections. Idempotent. */
  close(): Promise<void>;
}

/**
 * The health and metrics HTTP server: `GET /healthz` (200 healthy, 503 otherwise, JSON body) and
 * `GET /metrics` (Prometheus text 0.0.4); 404 elsewhere, 405 for other methods. It only reads through
 * the two callbacks, so it never decides health itself.
 */
export function createObservabilityServer(options: ObservabilityServerOptions): ObservabilityServer {
  const log = options.log ?? silentLog;
  const server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (err) {
      log.error({ err: errorMessage(err), path: req.url }, 'observability request failed');
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'internal error\n', req.method === 'HEAD');
      else res.destroy();
    }
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
  });

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const head = req.method === 'HEAD';
    if (path !== '/healthz' && path !== '/metrics') {
      send(res, 404, 'text/plain; charset=utf-8', 'not found: try /healthz or /metrics\n', head);
      return;
    }
    if (req.method !== 'GET' && !head) {
      res.setHeader('Allow', 'GET, HEAD');
      send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n', false);
      return;
    }
    if (path === '/metrics') {
      Promise.resolve()
        .then(() => options.metrics())
        .then(
          (text) => send(res, 200, PROMETHEUS_CONTENT_TYPE, scrubSecrets(text, knownSecrets()), head),
          (err: unknown) => {
            log.error({ err: errorMessage(err), path: req.url }, 'observability request failed');
            send(res, 500, 'text/plain; charset=utf-8', 'internal error\n', head);
          },
        );
      return;
    }
    let verdict: HealthVerdict;
    try {
      verdict = options.health();
    } catch (err) {
      verdict = { healthy: false, reasons: [`health check failed: ${errorMessage(err)}`] };
    }
    const status = !verdict.healthy ? 'unhealthy' : (verdict.degraded?.length ?? 0) > 0 ? 'degraded' : 'ok';
    const body = { status, reasons: verdict.reasons, ...(verdict.details ? { details: verdict.details } : {}) };
    // Reasons carry broker messages, which may echo a token back: scrubbed like a log line.
    send(res, verdict.healthy ? 200 : 503, 'application/json; charset=utf-8', `${scrubSecrets(JSON.stringify(body), knownSecrets())}\n`, head);
  };

  let started: Promise<{ url: string; port: number }> | undefined;
  let closed: Promise<void> | undefined;
  return {
    start: () => {
      started ??= new Promise((resolve, reject) => {
        const onError = (err: NodeJS.ErrnoException): void => {
          const message = `http: cannot listen on ${options.host}:${options.port}: ${err.message}`;
          // A taken port is the machine's state (exit 1, a restart may succeed); a bad host is bad config (exit 2).
          reject(err.code === 'EADDRINUSE' || err.code === 'EACCES' ? new KrxError('E_LISTEN', message) : new ConfigError([message]));
        };
        server.once('error', onError);
        server.listen(options.port, options.host, () => {
          server.off('error', onError);
          server.on('error', (err) => log.error({ err: err.message }, 'observability server error'));
          const port = (server.address() as AddressInfo).port;
          const host = options.host.includes(':') ? `[${options.host}]` : options.host;
          resolve({ url: `http://${host}:${port}`, port });
        });
      });
      return started;
    },
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        if (!server.listening) {
          resolve();
          return;
        }
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

function send(res: ServerResponse, status: number, type: string, body: string, head: boolean): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
  res.end(head ? undefined : body);
}
