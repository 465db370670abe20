import { systemClock } from '../../src/core/clock.js';
import { startSimulator } from '../../src/sim/index.js';

/**
 * The simulator's stock codes for a seed and listing size, sorted. A throwaway simulator with the
 * same seed builds the same listing as the daemon's embedded one; nobody connects to it.
 */
export async function simStockCodes(seed: number | string, stocks: number): Promise<string[]> {
  const sim = await startSimulator({ clock: systemClock, seed, stocks });
  try {
    const rows = [...sim.faults.programRanking('P00101', stocks), ...sim.faults.programRanking('P10102', stocks)];
    return rows.map((r) => r.code).sort();
  } finally {
    await sim.close();
  }
}
