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
const paired: number[] = [];
for (let i = 0; i < repeats; i++) {
  const load = loadavg().map((n) => n.toFixed(2)).join(' ');
  const r = await benchEndToEndRounds(corpus, rounds);
  overheads.push(r.recordingOverhead);
  paired.push(...r.roundOverheads);
  console.log(
    `repeat ${i + 1}: plain ${r.eventsPerSecond}/s, recording ${r.recordingEventsPerSecond}/s, overhead ${(r.recordingOverhead * 100).toFixed(1)} %, ${r.framesRecorded}/${r.frames} recorded, load ${load}`,
  );
}
const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;
console.log(`median overhead ${pct(median(overheads))} over ${repeats} x ${rounds} rounds; median of the ${paired.length} paired rounds ${pct(median(paired))}`);
