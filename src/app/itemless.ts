import type { KernelSettings } from './settings.js';

/**
 * Market-wide real-time types registered once with item [""] (protocol.md 10.4: the official
 * examples register 0s 장시작시간 and 1h VI발동/해제 so): 0s answers with item "", 1h names each
 * stock in its own entry. Which types go item-less is config (`connection.itemlessTypes`), and so is
 * whether the item-less registration counts as an item of the budget (`connection.itemlessCountsAsItem`):
 * the broker's unit (items or item x type) is [U], protocol.md 10.7.
 */
export interface RealtimeRegistrations {
  /** Registered per universe item. */
  readonly perItem: string[];
  /** Registered once with item "". */
  readonly itemless: string[];
}

/**
 * Splits the wanted real-time types; 0s is wanted whenever the daemon runs on the session calendar
 * (its FID 215 is checked against the profile, src/app/phase-watch.ts).
 */
export function splitItemless(wanted: readonly string[], itemlessTypes: readonly string[], sessions: boolean): RealtimeRegistrations {
  const all = [...new Set([...wanted, ...(sessions ? ['0s'] : [])])].sort();
  const listed = new Set(itemlessTypes);
  return { perItem: all.filter((t) => !listed.has(t)), itemless: all.filter((t) => listed.has(t)) };
}

/** The symbols the universe may hold: the socket's item budget, less the item-less item when it counts. */
export function universeItemBudget(settings: Pick<KernelSettings, 'connection' | 'sessions'>, realtimeTypes: readonly string[]): number {
  const { maxItems, itemlessTypes, itemlessCountsAsItem } = settings.connection;
  const { itemless } = splitItemless(realtimeTypes, itemlessTypes, settings.sessions !== null);
  return Math.max(1, maxItems - (itemless.length > 0 && itemlessCountsAsItem ? 1 : 0));
}
