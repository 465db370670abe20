import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import WebSocket, { WebSocketServer } from 'ws';
import { perSecond } from '../stats.js';

export interface BareWsOptions {
  /** Prebuilt frames the server sends in a loop. */
  readonly frames: readonly string[];
  /** Entries carried by each frame (for entries/s). */
  readonly entriesPerFrame: number;
  readonly durationMs?: number;
  readonly warmupMs?: number;
  /** The client JSON.parses every frame, as runSimThroughput's client does (default true). */
  readonly parseFrames?: boolean;
}

export interface BareWsResult {
  readonly framesPerSecond: number;
  readonly entriesPerSecond: number;
  readonly bytesPerSecond: number;
  readonly durationMs: number;
}

/**
 * The ceiling for the simulator's feed: a bare `ws` server (no permessage-deflate) blasting prebuilt
 * frames to one bare loopback client in the same process, as fast as the send buffer drains.
 */
export async function benchBareWs(options: BareWsOptions): Promise<BareWsResult> {
  const durationMs = options.durationMs ?? 3_000;
  const warmupMs = options.warmupMs ?? 500;
  const parse = options.parseFrames ?? true;
  const frames = options.frames;
  if (frames.length === 0) throw new Error('benchBareWs needs frames');
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  let stop = false;
  server.on('connection', (socket) => {
    let i = 0;
    const pump = (): void => {
      if (stop || socket.readyState !== socket.OPEN) return;
      // Keep about 1 MB in flight, like the simulator's send path without its pacing.
      while (socket.bufferedAmount < 1 << 20) socket.send(frames[i++ % frames.length]!);
      setImmediate(pump);
    };
    pump();
  });
  const port = (server.address() as AddressInfo).port;
  const client = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: false });
  let received = 0;
  let bytes = 0;
  client.on('message', (data: Buffer) => {
    received++;
    bytes += data.length;
    if (parse && JSON.parse(data.toString('utf8')) === null) received--;
  });
  try {
    await new Promise<void>((resolve, reject) => {
      client.once('open', () => resolve());
      client.once('error', reject);
    });
    await wait(warmupMs);
    const f0 = received;
    const b0 = bytes;
    const t0 = performance.now();
    await wait(durationMs);
    const elapsed = performance.now() - t0;
    const fps = perSecond(received - f0, elapsed);
    return { framesPerSecond: fps, entriesPerSecond: fps * options.entriesPerFrame, bytesPerSecond: perSecond(bytes - b0, elapsed), durationMs: Math.round(elapsed) };
  } finally {
    stop = true;
    client.terminate();
    for (const c of server.clients) c.terminate();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function wait(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms)); // clock-ok: a benchmark measures wall time
}
