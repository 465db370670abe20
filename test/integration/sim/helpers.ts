import WebSocket from 'ws';
import { kstToEpoch } from '../../../src/core/kst.js';
import { createVirtualClock, type VirtualClock } from '../../../src/core/virtual-clock.js';
import { SIM_KIS_APPKEY, SIM_KIS_APPSECRET, SIM_KIWOOM_APPKEY, SIM_KIWOOM_SECRETKEY, startSimulator, type SimulatorHandle, type SimulatorOptions } from '../../../src/sim/index.js';

/** A Saturday night in KST: the sim's session is always open. */
export const START_MS = kstToEpoch(2026, 11, 21, 22, 30, 0);

export interface TestSim {
  sim: SimulatorHandle;
  clock: VirtualClock;
}

export async function startTestSim(options: SimulatorOptions = {}): Promise<TestSim> {
  const clock = createVirtualClock(START_MS);
  const sim = await startSimulator({ seed: 7, stocks: 600, ...options, clock });
  return { sim, clock };
}

export interface RestReply {
  status: number;
  headers: Headers;
  text: string;
  json: Record<string, unknown>;
}

async function toReply(res: Response): Promise<RestReply> {
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = {};
  }
  return { status: res.status, headers: res.headers, text, json };
}

export async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<RestReply> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json;charset=UTF-8', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return toReply(res);
}

export async function get(url: string, headers: Record<string, string> = {}): Promise<RestReply> {
  return toReply(await fetch(url, { headers }));
}

export async function kiwoomToken(sim: SimulatorHandle): Promise<string> {
  const r = await post(`${sim.url}/oauth2/token`, { grant_type: 'client_credentials', appkey: SIM_KIWOOM_APPKEY, secretkey: SIM_KIWOOM_SECRETKEY });
  if (typeof r.json.token !== 'string') throw new Error(`no token: ${r.text}`);
  return r.json.token;
}

export async function tr(
  sim: SimulatorHandle,
  path: string,
  apiId: string,
  body: unknown,
  token: string,
  extra: Record<string, string> = {},
): Promise<RestReply> {
  return post(`${sim.url}${path}`, body, { 'api-id': apiId, authorization: `Bearer ${token}`, ...extra });
}

export async function kisToken(sim: SimulatorHandle): Promise<RestReply> {
  return post(`${sim.url}/oauth2/tokenP`, { grant_type: 'client_credentials', appkey: SIM_KIS_APPKEY, appsecret: SIM_KIS_APPSECRET });
}

export function kisHeaders(token: string, trId: string): Record<string, string> {
  return {
    'content-type': 'application/json; charset=utf-8',
    authorization: `Bearer ${token}`,
    appkey: SIM_KIS_APPKEY,
    appsecret: SIM_KIS_APPSECRET,
    tr_id: trId,
    custtype: 'P',
  };
}

export type Frame = Record<string, unknown>;

/** A ws client that queues frames; `next` resolves on the next frame matching a predicate. */
export class TestWs {
  readonly ws: WebSocket;
  readonly frames: Frame[] = [];
  readonly raw: string[] = [];
  private waiters: Array<{ pred: (f: Frame) => boolean; resolve: (f: Frame) => void; reject: (e: Error) => void }> = [];
  private cursor = 0;
  closed: Promise<{ code: number; reason: string }>;
  isClosed = false;
  autoEchoPing = false;

  constructor(url: string) {
    this.ws = new WebSocket(url, { perMessageDeflate: false });
    this.ws.on('message', (data, isBinary) => {
      const text = isBinary ? '' : String(data);
      this.raw.push(text);
      let f: Frame;
      try {
        const v: unknown = JSON.parse(text);
        f = typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Frame) : { __value: v };
      } catch {
        f = { __unparsed: text };
      }
      if (this.autoEchoPing && f.trnm === 'PING') this.ws.send(text);
      this.frames.push(f);
      this.drain();
    });
    this.ws.on('error', () => undefined);
    this.closed = new Promise((resolve) => {
      this.ws.on('close', (code, reason) => {
        this.isClosed = true;
        for (const w of this.waiters) w.reject(new Error(`socket closed (${code})`));
        this.waiters = [];
        resolve({ code, reason: String(reason) });
      });
    });
  }

  open(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.ws.readyState === WebSocket.OPEN) resolve();
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
  }

  send(obj: unknown): void {
    this.ws.send(typeof obj === 'string' ? obj : JSON.stringify(obj));
  }

  private drain(): void {
    for (const w of [...this.waiters]) {
      const idx = this.frames.findIndex((f, i) => i >= this.cursor && w.pred(f));
      if (idx >= 0) {
        this.cursor = idx + 1;
        this.waiters = this.waiters.filter((x) => x !== w);
        w.resolve(this.frames[idx] as Frame);
      }
    }
  }

  /** The next frame (after the last one consumed) that matches. */
  next(pred: (f: Frame) => boolean = () => true): Promise<Frame> {
    const idx = this.frames.findIndex((f, i) => i >= this.cursor && pred(f));
    if (idx >= 0) {
      this.cursor = idx + 1;
      return Promise.resolve(this.frames[idx] as Frame);
    }
    if (this.isClosed) return Promise.reject(new Error('socket closed'));
    return new Promise((resolve, reject) => {
      this.waiters.push({ pred, resolve, reject });
    });
  }

  close(): void {
    this.ws.terminate();
  }
}

export const trnm = (name: string) => (f: Frame): boolean => f.trnm === name;

/** Connects and logs in; resolves with the client after the LOGIN ack. */
export async function loggedIn(sim: SimulatorHandle, token: string): Promise<TestWs> {
  const c = new TestWs(sim.wsUrl);
  await c.open();
  c.send({ trnm: 'LOGIN', token });
  const ack = await c.next(trnm('LOGIN'));
  if (ack.return_code !== 0) throw new Error(`login failed: ${JSON.stringify(ack)}`);
  return c;
}

/** Advances the virtual clock in steps, letting socket I/O run between steps. */
export async function advance(clock: VirtualClock, ms: number, step = 100): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    await clock.tickAsync(Math.min(step, ms - t));
    await new Promise<void>((r) => setImmediate(r));
  }
}
