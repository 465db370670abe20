/**
 * The phases of the real-time connection, written once: the connection machine tags each of its
 * states with one of them, the app reads the phase from the tags, metrics list them all.
 */
export const CONNECTION_PHASES = ['disconnected', 'connecting', 'opening', 'authenticating', 'subscribing', 'live', 'backoff', 'failed', 'closed'] as const;

export type ConnectionPhase = (typeof CONNECTION_PHASES)[number];
