export { openSignalStore, type SignalStore, type SignalStoreOptions, type SignalStoreStats, type CommittedListener } from './signal-store.js';
export { openSignalDatabase, openSignalDatabaseReadOnly, type OpenSignalDatabaseOptions } from './open-database.js';
export { migrate, schemaVersion, SIGNAL_MIGRATIONS, type Migration } from './migrations.js';
export { querySignals, type SignalQuery } from './query-signals.js';
export { formatSignals, csvCell, SIGNAL_FORMATS, type SignalFormat } from './format-signals.js';
export { parseSince } from './parse-since.js';
export { canonicalJson, type SignalRecord } from './signal-row.js';
export type { StoreLogger } from './store-logger.js';
