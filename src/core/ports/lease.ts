/**
 * A lease on a named resource (design.md §5.2): one app key is used by one node at a time. Taken
 * before a token is issued or a socket opened, renewed every third of its TTL, released on shutdown
 * only if still ours. A node that cannot renew stops using the resource before the TTL ends.
 */
export interface LeaseStore {
  /** Takes `name` for `owner` unless another owner holds it; true when taken (or already ours, extended). */
  acquire(name: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Extends `name` only if `owner` still holds it; false when lost (expired, taken, or the store restarted empty and another took it). */
  renew(name: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Deletes `name` only if `owner` holds it. */
  release(name: string, owner: string): Promise<void>;
  /** The current holder, or null. */
  holder(name: string): Promise<string | null>;
}
