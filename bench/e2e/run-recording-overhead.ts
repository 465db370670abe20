import { loadavg } from 'node:os';
import { buildFrameCorpus } from '../frames.js';
import { median } from '../stats.js';
import { benchEndToEndRounds } from './end-to-end-rounds.js';

/**
 * The recording-overhead row of `npm run bench` alone, repeated:
 * `npm run build && node dist/bench/e2e/run-recording-overhead.js [repeats] [rounds]`.
 */
const repeats = Math.max(1, Number(process.argv[2] ?? 3));
const rounds = Math.max(1, Number(process.argv[3] ?? 5));
const corpus = buildFrameCorpus({ frames: 100_000, entriesPerFrame: 1, seed: 'bench-1' });
const overheads: number[] = [];
for (let i = 0; i < repeats; i++) {
  const load = loadavg().map((n) => n.toFixed(2)).join(' ');
  const r = await benchEndToEndRounds(corpus, rounds);
  overheads.push(r.recordingOverhead);
  console.log(
    `repeat ${i + 1}: plain ${r.eventsPerSecond}/s, recording ${r.recordingEventsPerSecond}/s, overhead ${(r.recordingOverhead * 100).toFixed(1)} %, ${r.framesRecorded}/${r.frames} recorded, load ${load}`,
  );
}
console.log(`median overhead ${(median(overheads) * 100).toFixed(1)} % over ${repeats} x ${rounds} rounds`);
