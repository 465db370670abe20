import { Subject } from 'rxjs';
import { Worker } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import { alwaysOpenCalendar } from './dist/src/core/calendar.js';
import { kstToEpoch } from './dist/src/core/kst.js';
import { createRandom } from './dist/src/core/random.js';
import { createVirtualClock } from './dist/src/core/virtual-clock.js';
import { createStrategyHost } from './dist/src/engine/host.js';
import { loadStrategies } from './dist/src/engine/load-strategies.js';
import { createRegistry } from './dist/src/engine/registry.js';
import { createMarketBook } from './dist/src/pipeline/market-book.js';
import { createMarketStream } from './dist/src/pipeline/market-stream.js';
import { strategies } from './dist/strategies/index.js';
const mode = process.argv[2] ?? 'none';
const mainCpu = () => { const f = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1].split(' '); return (Number(f[11]) + Number(f[12])) * 10; };
const vol = () => Number(readFileSync(`/proc/self/task/${process.pid}/status`, 'utf8').match(/^voluntary_ctxt_switches:\s+(\d+)/m)[1]);
function makeTrades(total, day) {
  const random = createRandom('bench-bus'); const start = kstToEpoch(2026, 1, 5, 9, 0, 0) + day * 86400000;
  const symbols = Array.from({ length: 100 }, (_, i) => String(100_000 + i * 10).padStart(6, '0'));
  const price = symbols.map(() => 10_000 + random.int(90_000)); const out = [];
  for (let i = 0; i < total; i++) { const k = random.int(symbols.length); const p = Math.max(100, Math.round(price[k] * (1 + random.normal() * 0.002))); price[k] = p; const ts = start + i * 5;
    out.push({ kind: 'trade', symbol: symbols[k], venue: 'KRX', price: p, change: 0, changeRate: 0, sign: 2, cumVolume: i, cumValue: 0, open: p, high: p, low: p, ask: p + 10, bid: p, volume: 1 + random.int(200), side: 'buy', strength: null, tradeVenue: 'KRX', sessionCode: '2', tsEvent: ts, tsRecv: ts }); }
  return out;
}
let trades = makeTrades(500000, 0);
const clock = createVirtualClock(trades[0].tsRecv);
const loaded = loadStrategies([{ id: 'program-momentum' }, { id: 'watchlist-breakout', params: { windowMinutes: 5 } }, { id: 'indicative-deviation' }], createRegistry(strategies));
const host = createStrategyHost({ clock, book: createMarketBook(), sink: { write: () => undefined }, strategies: loaded, sessionId: 'bench', seed: 1 });
const realtime$ = new Subject();
const events$ = createMarketStream({ clock, calendar: alwaysOpenCalendar, realtime$, onUniverseDiff: () => {}, onError: () => {} });
host.start(); host.attach(events$);
if (mode === 'noop' || mode === 'worker+noop') { let n = 0; events$.subscribe({ next: () => { n++; }, error: () => undefined }); }
if (mode === 'worker' || mode === 'worker+noop') { const w = new Worker('setInterval(() => {}, 1000)', { eval: true }); w.unref(); await new Promise(r => setTimeout(r, 200)); }
if (mode === 'busyworker') { const w = new Worker('let a = []; setInterval(() => { for (let i = 0; i < 20000; i++) a.push({ i, s: "x" + i }); a = []; }, 5)', { eval: true }); w.unref(); await new Promise(r => setTimeout(r, 200)); }
for (let r = 0; r < 7; r++) {
  if (r > 0) trades = makeTrades(500000, r); globalThis.gc?.();
  const c0 = mainCpu(); const v0 = vol(); const t0 = performance.now();
  for (let i = 0; i < trades.length; i += 500) { for (let j = i; j < i + 500; j++) realtime$.next(trades[j]); await new Promise(r => setImmediate(r)); }
  const ms = performance.now() - t0;
  if (r >= 3) console.log(`${mode} ${(500000 / ms * 1000).toFixed(0)} wall, ${(500000 / (mainCpu() - c0) * 1000).toFixed(0)} cpu, vol ${vol() - v0}`);
}
process.exit(0);
