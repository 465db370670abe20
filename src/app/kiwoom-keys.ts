import { createHash } from 'node:crypto';
import { isDefaultKey } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { SIM_KIWOOM_APPKEY, SIM_KIWOOM_SECRETKEY } from '../sim/index.js';

/** One Kiwoom app key of `kiwoom.keys` with its credentials (from the environment, or the simulator's). */
export interface KiwoomKey {
  readonly name: string;
  readonly appkey: string;
  readonly secretkey: string;
}

/** The configured key names; `kiwoom.keys` empty = the unnamed pair alone, named `default`. */
export function kiwoomKeyNames(config: Pick<Config, 'kiwoom'>): string[] {
  return config.kiwoom.keys.length > 0 ? [...config.kiwoom.keys] : ['default'];
}

/** The universe's item budget: every key's socket holds connection.maxItems (from the config alone, so a replay computes the same). */
export function keysItemBudget(config: Pick<Config, 'kiwoom' | 'connection'>): number {
  return kiwoomKeyNames(config).length * config.connection.maxItems;
}

/** The simulator's credentials for a key name: the built-in pair for `default`, a derived pair for the others. */
export function simKiwoomKey(name: string): KiwoomKey {
  if (isDefaultKey(name)) return { name, appkey: SIM_KIWOOM_APPKEY, secretkey: SIM_KIWOOM_SECRETKEY };
  const suffix = name.toUpperCase();
  return { name, appkey: `SIMKIWOOMAPPKEY_${suffix}`, secretkey: `SIMKIWOOMSECRETKEY_${suffix}` };
}

/** Every configured key with its credentials; throws for a key without them (the config loader refuses that in live mode). */
export function resolveKiwoomKeys(config: Config, simulated: boolean): KiwoomKey[] {
  return kiwoomKeyNames(config).map((name) => {
    if (simulated) return simKiwoomKey(name);
    const pair = isDefaultKey(name) ? config.credentials.kiwoom : config.credentials.kiwoomKeys?.[name];
    if (!pair) throw new Error(`kiwoom key "${name}" has no credentials (the config loader should have refused this)`);
    return { name, appkey: pair.appkey, secretkey: pair.secretkey };
  });
}

/**
 * The lease name of an app key on a host: a hash, never the key itself (design.md 5.2), and the same
 * whatever name each node gives the key, so two nodes never hold one app key at once.
 */
export function keyLeaseName(restUrl: string, appkey: string): string {
  return `kiwoom:${createHash('sha256').update(`${new URL(restUrl).origin}|${appkey}`).digest('hex').slice(0, 16)}`;
}
