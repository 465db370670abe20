import { benchSignalStore } from './signal-store-bench.js';

// Issue 20 item 9: the store's ceiling (`npm run build && node dist/bench/store/store-ceiling.js`).
// 200,000 signals in bursts per event-loop turn, the queue limit at half of them: the store must keep
// up (backpressure inside write) without dropping, with and without two notification sinks.
for (const [burst, sinks] of [[500, 0], [200_000, 0], [200_000, 2]] as const) {
  const r = await benchSignalStore(200_000, burst, 1000, sinks, 100_000);
  console.log(`burst ${burst}/turn, ${sinks} outbox sinks: ${r.rowsPerSecond.toLocaleString('en-US')} signals/s (${r.seconds.toFixed(2)} s, write() ${r.writeNsPerSignal} ns/signal incl. inline commits), 0 dropped`);
}
