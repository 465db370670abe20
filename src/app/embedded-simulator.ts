import type { Logger as PinoLogger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import { kiwoomKeyNames, simKiwoomKey } from './kiwoom-keys.js';
import { startSimulator, type SimulatorHandle } from '../sim/index.js';

/** The simulator inside the daemon's process (mode sim), on the daemon's clock and logger. */
export async function startEmbeddedSimulator(config: Config, clock: Clock, log: PinoLogger): Promise<SimulatorHandle> {
  const simLog = log.child({ component: 'simulator' });
  const sim = await startSimulator({
    clock,
    seed: config.sim.seed,
    port: config.sim.port,
    tradesPerSecond: config.sim.tradesPerSecond,
    stocks: config.sim.stocks,
    wsMaxItems: config.sim.wsMaxItems,
    regRatePerSecond: config.sim.regRatePerSecond,
    // One credential pair per app key of kiwoom.keys: each key gets its own token and socket.
    kiwoomCredentials: kiwoomKeyNames(config).map((name) => simKiwoomKey(name)),
    // The simulator's own chatter stays at debug; its warnings still show.
    log: (level, fields, msg) => simLog[level === 'info' ? 'debug' : level](fields, msg),
  });
  log.info({ event: 'simulator.started', url: sim.url, wsUrl: sim.wsUrl, seed: config.sim.seed }, `embedded simulator on ${sim.url}`);
  return sim;
}
