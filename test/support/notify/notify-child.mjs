// SIGKILL child: the real (transpiled) signal store and notifier on a virtual clock this process
// drives itself. Writes the same 30 signals on every start (the store ignores ids it holds), then
// delivers its outbox to a webhook until it is killed. argv: <modules json> <db file> <webhook url> <hmac key>
const [modulesJson, file, url, hmacKey] = process.argv.slice(2);
const m = JSON.parse(modulesJson);
const { openSignalStore } = await import(m.store);
const { startNotifier } = await import(m.notifier);
const { createNotifyRouting } = await import(m.routing);
const { notifySchema } = await import(m.schema);
const { createVirtualClock } = await import(m.clock);
const { createRandom } = await import(m.random);

process.stdout.on('error', () => process.exit(1)); // parent gone
setTimeout(() => process.exit(2), 60_000).unref(); // never outlive a broken test

const clock = createVirtualClock(Date.UTC(2026, 10, 20, 0, 0, 0));
const config = notifySchema.parse({ sinks: [{ type: 'webhook', name: 'hook', batchMax: 1, perSecond: 5, retryBaseMs: 500 }] });
const log = { info: () => {}, warn: () => {}, error: (f, msg) => process.stderr.write(`${msg}\n`) };
const store = openSignalStore({ file, clock, queueLimit: 1000, outbox: createNotifyRouting(config.sinks), sessionMode: 'sim', log });
const notifier = startNotifier({ config, secrets: { hook: { primary: url, hmacKey } }, database: store.database, clock, random: createRandom('child'), log });
store.onCommitted(() => notifier.wake());
for (let i = 0; i < 30; i++) {
  store.write({ id: `kill-${String(i).padStart(2, '0')}`, sessionId: 'kill', strategy: 's', strategyVersion: '1', symbol: '005930', venue: 'KRX', kind: 'BUY', price: 1000 + i, tsEvent: 1_790_000_000_000 + i, tsRecv: 1_790_000_000_000 + i, details: {} });
}
store.flush();
process.stdout.write('ready\n');
const turn = () => new Promise((r) => setImmediate(r));
// Virtual time moves only while no request is in flight: loopback I/O takes real turns, not time.
for (;;) {
  if (notifier.inFlight() === 0) await clock.tickAsync(50);
  for (let i = 0; i < 10; i++) await turn();
}
