// Crash child: appends frames through the real (transpiled) recording writer and prints the number
// of frames committed so far whenever it grows, until it is killed.
// argv: <recording-writer.js> <clock.js> <dir> <session id>
const [writerPath, clockPath, dir, sessionId] = process.argv.slice(2);
const { openRecordingWriter } = await import(writerPath);
const { systemClock } = await import(clockPath);

process.stdout.on('error', () => process.exit(1));
setTimeout(() => process.exit(2), 60_000).unref();

const w = openRecordingWriter({ dir, sessionId, startMs: 1_790_000_000_000, appVersion: 'test', clock: systemClock, batchRows: 257 });
let seq = 0;
let reported = 0;
const burst = () => {
  for (let i = 0; i < 100; i++) {
    seq++;
    w.append('ws.in', `{"trnm":"REAL","seq":${seq},"pad":"${'x'.repeat(seq % 400)}"}`, 1_790_000_000_000_000 + seq);
  }
  const { committed } = w.stats();
  if (committed > reported) {
    reported = committed;
    process.stdout.write(`${committed}\n`);
  }
  setImmediate(burst);
};
burst();
