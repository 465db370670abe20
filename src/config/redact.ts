import type { Config } from './schema.js';

export const REDACTED = '[redacted]';

/** The config as printed and logged: every secret replaced, presence kept visible. */
export function redactConfig(config: Config): Record<string, unknown> {
  const { kiwoom, kis, notify, kiwoomKeys } = config.credentials;
  return {
    ...config,
    // A password in the bus URL is a secret too.
    bus: config.bus.redis ? { ...config.bus, redis: { url: config.bus.redis.url.replace(/\/\/[^@/]*@/, `//${REDACTED}@`) } } : config.bus,
    credentials: {
      kiwoom: kiwoom ? { appkey: REDACTED, secretkey: REDACTED } : null,
      kis: kis ? { appkey: REDACTED, appsecret: REDACTED, htsId: REDACTED } : null,
      ...(kiwoomKeys ? { kiwoomKeys: Object.fromEntries(Object.keys(kiwoomKeys).map((name) => [name, { appkey: REDACTED, secretkey: REDACTED }])) } : {}),
      ...(notify ? { notify: Object.fromEntries(Object.keys(notify).map((name) => [name, REDACTED])) } : {}),
    },
  };
}

/** The secret values themselves, for scrubbing any text before it leaves the process. */
export function secretValues(config: Pick<Config, 'credentials'>): string[] {
  const { kiwoom, kis, notify, kiwoomKeys } = config.credentials;
  const keySecrets = Object.values(kiwoomKeys ?? {}).flatMap((k) => [k.appkey, k.secretkey]);
  const sinkSecrets = Object.values(notify ?? {}).flatMap((s) => [s.primary, s.hmacKey]);
  const busPassword = 'bus' in config ? /\/\/(?:[^:@/]*:)?([^@/]+)@/.exec((config as Config).bus.redis?.url ?? '')?.[1] : undefined;
  return [kiwoom?.appkey, kiwoom?.secretkey, kis?.appkey, kis?.appsecret, kis?.htsId, ...keySecrets, ...sinkSecrets, busPassword].filter(
    (v): v is string => typeof v === 'string' && v.length > 0,
  );
}

/** Replaces every occurrence of any secret in `text`. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join(REDACTED);
  return out;
}
