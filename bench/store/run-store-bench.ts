import { benchRecordingWriter } from './recording-bench.js';
import { benchSignalStore } from './signal-store-bench.js';

/** `npx tsc -p tsconfig.build.json && node dist/bench/store/run-store-bench.js` */
const store = await benchSignalStore();
console.log('signal store', store);
const rec = await benchRecordingWriter();
console.log('recording writer', rec);
