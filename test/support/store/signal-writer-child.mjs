// Durability child: writes signals through the real (transpiled) signal store as fast as it can
// and prints every id the store reports committed, one per line, until it is killed.
// argv: <signal-store.js> <clock.js> <db file> <id prefix>
const [storePath, clockPath, file, prefix] = process.argv.slice(2);
const { openSignalStore } = await import(storePath);
const { systemClock } = await import(clockPath);

process.stdout.on('error', () => process.exit(1)); // parent gone
setTimeout(() => process.exit(2), 60_000).unref(); // never outlive a broken test

const store = openSignalStore({ file, clock: systemClock, queueLimit: 100_000, maxBatch: 200 });
store.onCommitted((signals) => process.stdout.write(signals.map((s) => s.id).join('\n') + '\n'));

let n = 0;
const burst = () => {
  const k = 1 + (n % 37);
  for (let i = 0; i < k; i++, n++) {
    store.write({
      id: `${prefix}-${n}`,
      sessionId: prefix,
      strategy: 'durability',
      strategyVersion: '1',
      symbol: '005930',
      venue: 'KRX',
      kind: 'BUY',
      price: 70000 + (n % 100),
      tsEvent: 1_790_000_000_000 + n,
      tsRecv: 1_790_000_000_000 + n,
      details: { n, pad: 'x'.repeat(n % 300) },
    });
  }
  setImmediate(burst);
};
process.stdout.write('ready\n');
burst();
