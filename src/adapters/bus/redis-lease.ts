import { createClient } from 'redis';
import { KrxError, errorMessage } from '../../core/errors.js';
import type { LeaseStore } from '../../core/ports/lease.js';

/** Extends the key's TTL only if its value is ours (check-and-extend, atomic). */
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
/** Deletes the key only if its value is ours. */
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;
/** Takes the key if free, or extends it if already ours (a restart of the same node). */
const ACQUIRE = `if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
return 0`;

/** Leases on Redis (`SET NX PX`, renewed by script). Keys are `lease:<name>`; a name is an alias or hash, never an app key. */
export function createRedisLeaseStore(o: { readonly url: string }): LeaseStore & { close(): Promise<void> } {
  const client = createClient({ url: o.url, RESP: 2, disableOfflineQueue: true, socket: { connectTimeout: 2000, reconnectStrategy: (n: number) => Math.min(50 * 2 ** Math.min(n, 10), 2000) } });
  client.on('error', () => undefined);
  client.connect().catch(() => undefined);
  const run = async (script: string, name: string, ...args: string[]): Promise<number> => {
    try {
      return Number(await client.sendCommand(['EVAL', script, '1', `lease:${name}`, ...args], { timeout: 5000, rejectInFlight: true }));
    } catch (err) {
      throw new KrxError('E_BUS_UNAVAILABLE', `lease ${name}: ${errorMessage(err).replaceAll(o.url, 'redis')}`, { cause: err });
    }
  };
  return {
    acquire: async (name, owner, ttlMs) => (await run(ACQUIRE, name, owner, String(ttlMs))) === 1,
    renew: async (name, owner, ttlMs) => (await run(RENEW, name, owner, String(ttlMs))) === 1,
    release: async (name, owner) => void (await run(RELEASE, name, owner)),
    holder: async (name) => {
      try {
        const v = await client.sendCommand(['GET', `lease:${name}`]);
        return typeof v === 'string' ? v : null;
      } catch (err) {
        throw new KrxError('E_BUS_UNAVAILABLE', `lease ${name}: ${errorMessage(err).replaceAll(o.url, 'redis')}`, { cause: err });
      }
    },
    close: async () => {
      try {
        client.destroy();
      } catch {
        // already gone
      }
    },
  };
}
