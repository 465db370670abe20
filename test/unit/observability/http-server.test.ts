import { createServer } from 'node:net';
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createObservabilityServer, type HealthVerdict, type ObservabilityServer } from '../../../src/observability/http-server.js';
import { registerDaemonMetrics } from '../../../src/observability/daemon-metrics.js';
import { startEventLoopMonitor } from '../../../src/observability/event-loop.js';
import { MetricsRegistry } from '../../../src/observability/metrics.js';
import { parsePrometheusText, sampleValue } from './prom-parser.js';

const servers: ObservabilityServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(health: () => HealthVerdict, metrics = new MetricsRegistry()): Promise<string> {
  const server = createObservabilityServer({ host: '127.0.0.1', port: 0, health, metrics: () => metrics.render() });
  servers.push(server);
  return (await server.start()).url;
}

/** A raw request (fetch cannot send arbitrary methods without a body check and hides HEAD bodies). */
function raw(url: string, method: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the health and metrics server', () => {
  it('answers /healthz 200 with a short JSON body when healthy', async () => {
    const url = await serve(() => ({ healthy: true, reasons: [], details: { phase: 'live', pairs: 100 } }));
    const res = await fetch(`${url}/healthz`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ status: 'ok', reasons: [], details: { phase: 'live', pairs: 100 } });
  });

  it('stays healthy with a reason outside the session, and answers 503 with reasons when not', async () => {
    let verdict: HealthVerdict = { healthy: true, reasons: ['market closed'] };
    const url = await serve(() => verdict);
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: 'ok', reasons: ['market closed'] });
    verdict = { healthy: false, reasons: ['connection backoff', 'E_WS_CLOSED'] };
    const res = await fetch(`${url}/healthz?verbose=1`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'unhealthy', reasons: ['connection backoff', 'E_WS_CLOSED'] });
  });

  it('answers 503 when the health function throws', async () => {
    const url = await serve(() => {
      throw new Error('boom');
    });
    const res = await fetch(`${url}/healthz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'unhealthy', reasons: ['health check failed: boom'] });
  });

  it('serves /metrics as Prometheus text 0.0.4, fresh at every scrape', async () => {
    const metrics = new MetricsRegistry();
    const frames = metrics.counter('krx_ws_frames_total', 'Frames');
    const url = await serve(() => ({ healthy: true, reasons: [] }), metrics);
    frames.inc(3);
    const first = await fetch(`${url}/metrics`);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(sampleValue(parsePrometheusText(await first.text()), 'krx_ws_frames_total')).toBe(3);
    frames.inc();
    expect(sampleValue(parsePrometheusText(await (await fetch(`${url}/metrics`)).text()), 'krx_ws_frames_total')).toBe(4);
  });

  it('serves the daemon families (with a real event-loop monitor) as parseable text', async () => {
    const metrics = new MetricsRegistry();
    const loop = startEventLoopMonitor();
    try {
      registerDaemonMetrics(metrics, {
        connection: () => ({ phase: 'live', reconnects: 1, wantedPairs: 4 }),
        strategies: () => [{ id: 'a"b', state: 'running', events: 1, signals: 2, suppressed: 0, faults: 0 }],
        eventLoopLag: () => loop.lag(),
        silence: () => ({ active: false, raised: 0 }),
      });
      const url = await serve(() => ({ healthy: true, reasons: [] }), metrics);
      const parsed = parsePrometheusText(await (await fetch(`${url}/metrics`)).text());
      expect(sampleValue(parsed, 'krx_signals_total', { strategy: 'a"b' })).toBe(2);
      expect(sampleValue(parsed, 'krx_connection_state', { phase: 'live' })).toBe(1);
      for (const q of ['p50', 'p99', 'max']) expect(parsed.get(`krx_event_loop_lag_${q}_seconds`)?.samples).toHaveLength(1);
    } finally {
      loop.stop();
    }
  });

  it('answers 404 elsewhere, 405 for other methods, and HEAD without a body', async () => {
    const url = await serve(() => ({ healthy: true, reasons: [] }));
    expect((await fetch(`${url}/`)).status).toBe(404);
    expect((await fetch(`${url}/metricsx`)).status).toBe(404);
    const post = await raw(`${url}/metrics`, 'POST');
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    const head = await raw(`${url}/healthz`, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(Number(head.headers['content-length'])).toBeGreaterThan(0);
  });

  it('answers 500 when rendering the metrics fails, and keeps serving', async () => {
    let fail = true;
    const server = createObservabilityServer({
      host: '127.0.0.1',
      port: 0,
      health: () => ({ healthy: true, reasons: [] }),
      metrics: () => {
        if (fail) throw new Error('render failed');
        return '';
      },
    });
    servers.push(server);
    const { url } = await server.start();
    expect((await fetch(`${url}/metrics`)).status).toBe(500);
    fail = false;
    expect((await fetch(`${url}/metrics`)).status).toBe(200);
  });

  it('rejects start with E_LISTEN (not a config error) when the port is taken, and closes idempotently', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const server = createObservabilityServer({ host: '127.0.0.1', port, health: () => ({ healthy: true, reasons: [] }), metrics: () => '' });
      await expect(server.start()).rejects.toMatchObject({ code: 'E_LISTEN', message: expect.stringMatching(/^http: cannot listen on 127\.0\.0\.1:\d+: .*EADDRINUSE/) });
      await server.close();
      await server.close();
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });

  it('stops accepting connections after close, even with a keep-alive client', async () => {
    const server = createObservabilityServer({ host: '127.0.0.1', port: 0, health: () => ({ healthy: true, reasons: [] }), metrics: () => '' });
    const { url } = await server.start();
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    await server.close();
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });
});
