import { startBusConsumer } from '../../app/bus/consumer.js';
import type { DataLock } from '../../app/data-lock.js';
import { ConfigError } from '../../core/errors.js';
import { packageVersion } from '../../config/package-root.js';
import type { Config } from '../../config/schema.js';
import { systemClock } from '../../core/clock.js';
import type { Logger } from '../../observability/logger.js';
import type { CliIo } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { onCrashFlush } from '../last-resort.js';

/** `start --from-bus`: the strategy host on the bus's market stream, until SIGTERM or SIGINT. */
export async function runFromBus(config: Config, log: Logger, io: CliIo, lock: DataLock): Promise<number> {
  try {
    if (!config.bus.redis) throw new ConfigError(['start --from-bus needs bus.redis.url (or KRX_BUS_REDIS_URL)']);
    const consumer = await startBusConsumer({ config, log, clock: systemClock, version: packageVersion() });
    const off = onCrashFlush('signal store', () => consumer.store.flush());
    const reason = await new Promise<string>((resolve) => {
      const signal = io.stopSignal;
      if (!signal) return;
      if (signal.aborted) resolve(String(signal.reason));
      else signal.addEventListener('abort', () => resolve(String(signal.reason)), { once: true });
    });
    await consumer.stop(reason);
    off();
    return EXIT.ok;
  } finally {
    lock.release();
  }
}
