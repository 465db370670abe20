import type { KiwoomWsServer, SimConnection } from './kiwoom-ws.js';

/** One registered (item, type) pair of a logged-in connection. */
export interface Registration {
  readonly conn: SimConnection;
  readonly item: string;
  readonly type: string;
}

/**
 * Every pair registered on the live, logged-in connections, once per connection even when several
 * groups hold it: what the feeds index their subscribers from.
 */
export function* registrations(ws: KiwoomWsServer): Generator<Registration> {
  for (const conn of ws.connections.values()) {
    if (!conn.loggedIn || conn.closed) continue;
    const seen = new Set<string>();
    for (const set of conn.groups.values()) {
      for (const key of set) {
        if (seen.has(key)) continue;
        seen.add(key);
        const bar = key.indexOf('|');
        yield { conn, item: key.slice(0, bar), type: key.slice(bar + 1) };
      }
    }
  }
}
