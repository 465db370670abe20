// The simulator in a process of its own (see sim-process.ts): its generation work then runs on
// another event loop, as a broker's would.
import { systemClock } from '../../src/core/clock.js';
import { startSimulator } from '../../src/sim/index.js';
import type { SimProcessOptions, SimProcessReply } from './sim-process.js';

const options = JSON.parse(process.argv[2] ?? '{}') as SimProcessOptions;
// A wide universe on one socket: the bench lifts the broker's REG limits (200 items, 5 REG/s).
const sim = await startSimulator({ clock: systemClock, seed: options.seed, stocks: options.stocks, tradesPerSecond: options.tradesPerSecond, indicativePerHour: options.indicativePerHour, wsMaxItems: 100_000, regRatePerSecond: 1_000 });
const send = (reply: SimProcessReply): void => void process.send?.(reply);
send({ type: 'ready', url: sim.url, wsUrl: sim.wsUrl });
process.on('message', (m: { type?: string }) => {
  if (m.type === 'stats') send({ type: 'stats', maxBehindMs: sim.faults.feedStats().maxBehindMs, dropped: sim.faults.counters().realEntriesDropped });
});
// The parent going away (or disconnecting) ends the simulator; then nothing keeps this process alive.
process.on('disconnect', () => void sim.close());
