import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import WebSocket from 'ws';
import { SIM_KIWOOM_APPKEY, SIM_KIWOOM_SECRETKEY, startSimulator } from '../../src/sim/index.js';

export interface SimThroughputOptions {
  /** Target REAL entries per second. */
  tradesPerSecond?: number;
  /** Measured window after warm-up. */
  durationMs?: number;
  warmupMs?: number;
  symbols?: number;
  /** JSON.parse every frame on the client (a realistic consumer) or only count entries. */
  parseFrames?: boolean;
}

export interface SimThroughputResult {
  targetPerSecond: number;
  entriesPerSecond: number;
  framesPerSecond: number;
  bytesPerSecond: number;
  /** How far the sim's generation lagged its schedule at the end / at worst (ms). */
  behindMs: number;
  maxBehindMs: number;
  /** Entries the sim dropped because the client's send buffer was full. */
  dropped: number;
  durationMs: number;
}

/**
 * Starts the simulator on the system clock at the target rate, connects one loopback client
 * (perMessageDeflate off), registers `symbols` stocks for 0B and measures what arrives.
 */
export async function runSimThroughput(options: SimThroughputOptions = {}): Promise<SimThroughputResult> {
  const target = options.tradesPerSecond ?? 50_000;
  const durationMs = options.durationMs ?? 5_000;
  const warmupMs = options.warmupMs ?? 1_000;
  const parse = options.parseFrames ?? true;
  // The bench may register more symbols than the broker's 200-item limit: lifted here.
  const sim = await startSimulator({ tradesPerSecond: target, seed: 1, stocks: 2500, tickMs: 20, maxEntriesPerFrame: 50, wsMaxItems: 100_000 });
  try {
    const res = await fetch(`${sim.url}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json;charset=UTF-8' },
      body: JSON.stringify({ grant_type: 'client_credentials', appkey: SIM_KIWOOM_APPKEY, secretkey: SIM_KIWOOM_SECRETKEY }),
    });
    const token = ((await res.json()) as { token: string }).token;
    const list = await fetch(`${sim.url}/api/dostk/stkinfo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json;charset=UTF-8', 'api-id': 'ka10099', authorization: `Bearer ${token}` },
      body: JSON.stringify({ mrkt_tp: '0' }),
    });
    const codes = ((await list.json()) as { list: { code: string }[] }).list.map((r) => r.code).slice(0, options.symbols ?? 100);

    const ws = new WebSocket(sim.wsUrl, { perMessageDeflate: false });
    let entries = 0;
    let frames = 0;
    let bytes = 0;
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const ready = new Promise<void>((resolve) => {
      ws.on('message', (data) => {
        const text = String(data);
        if (text.startsWith('{"trnm":"REAL"')) {
          frames++;
          bytes += text.length;
          if (parse) entries += (JSON.parse(text) as { data: unknown[] }).data.length;
          else entries += countEntries(text);
          return;
        }
        if (text.includes('"PING"')) ws.send(text);
        if (text.includes('"REG"')) resolve();
        if (text.includes('"LOGIN"')) {
          ws.send(JSON.stringify({ trnm: 'REG', grp_no: '1', refresh: '1', data: [{ item: codes, type: ['0B'] }] }));
        }
      });
    });
    ws.send(JSON.stringify({ trnm: 'LOGIN', token }));
    await ready;
    await wait(warmupMs);
    const e0 = entries, f0 = frames, b0 = bytes;
    const t0 = performance.now();
    await wait(durationMs);
    const elapsed = performance.now() - t0;
    const stats = sim.faults.feedStats();
    const dropped = sim.faults.counters().realEntriesDropped;
    ws.terminate();
    return {
      targetPerSecond: target,
      entriesPerSecond: Math.round(((entries - e0) * 1000) / elapsed),
      framesPerSecond: Math.round(((frames - f0) * 1000) / elapsed),
      bytesPerSecond: Math.round(((bytes - b0) * 1000) / elapsed),
      behindMs: Math.round(stats.behindMs),
      maxBehindMs: Math.round(stats.maxBehindMs),
      dropped,
      durationMs: Math.round(elapsed),
    };
  } finally {
    await sim.close();
  }
}

function countEntries(frame: string): number {
  let n = 0;
  for (let i = frame.indexOf('{"type":'); i >= 0; i = frame.indexOf('{"type":', i + 8)) n++;
  return n;
}

function wait(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms)); // clock-ok: a benchmark measures wall time
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const parseFrames = !process.argv.includes('--count-only');
  runSimThroughput({ parseFrames }).then(
    (r) => console.log(JSON.stringify(r)),
    (e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
