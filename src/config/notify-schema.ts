import { z } from 'zod';

/**
 * The `notify` config section (design.md §4): a list of sinks, each with its filters, batching,
 * cooldown, limits and retry policy. Secrets (bot tokens, webhook URLs, HMAC keys) are never here:
 * each sink names the environment variable that holds its secret (`*Env`).
 */
const envName = (def: string) => z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'expected an environment variable name such as KRX_TELEGRAM_BOT_TOKEN').default(def);
const seconds = (def: number) => z.number().min(0).default(def);

const filters = z
  .strictObject({
    /** Strategy ids; empty = every strategy. */
    strategies: z.array(z.string().min(1)).default([]),
    kinds: z.array(z.enum(['BUY', 'SELL', 'EXIT', 'ALERT'])).default([]),
    symbols: z.array(z.string().regex(/^\d{6}$/, 'expected a 6-digit stock code')).default([]),
    /** KRX (plain codes), NXT (`_NX`), SOR (`_AL`). */
    venues: z.array(z.enum(['KRX', 'NXT', 'SOR'])).default([]),
  })
  .prefault({});

const common = {
  /** Names the sink in the outbox, logs and metrics. */
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'expected a short lower-case name such as "phone"'),
  enabled: z.boolean().default(true),
  /** Message language; default the section's. */
  language: z.enum(['ko', 'en']).optional(),
  filters,
  /** Most signals merged into one message when several are due at once; 1 = one message each. */
  batchMax: z.number().int().min(1).max(100).default(10),
  /** A symbol notified less than this long ago is not notified again by this sink (0 = off). */
  cooldownSeconds: seconds(0),
  /** The daemon's own alerts (and their "cleared") through this sink; opt-in. */
  alerts: z.boolean().default(false),
  /** The daily digest after the day's last session phase; opt-in. */
  digest: z.boolean().default(false),
  /** A row not delivered within this age is given up (dead, E_NOTIFY_EXPIRED). */
  giveUpAfterSeconds: z.number().positive().default(6 * 3600),
  requestTimeoutMs: z.number().int().positive().default(10_000),
  retryBaseMs: z.number().int().positive().default(1000),
  retryCapMs: z.number().int().positive().default(300_000),
};

const telegram = z.strictObject({
  ...common,
  type: z.literal('telegram'),
  chatId: z.union([z.string().regex(/^(-?\d{1,20}|@[A-Za-z0-9_]{5,32})$/, 'expected a chat id such as -1001234567890 or @channel'), z.number().int()]),
  parseMode: z.enum(['HTML', 'none']).default('HTML'),
  apiBaseUrl: z.url().default('https://api.telegram.org'),
  botTokenEnv: envName('KRX_TELEGRAM_BOT_TOKEN'),
  /** Telegram's Bot FAQ: about one message a second per chat, 20 a minute per group. */
  perChatPerSecond: z.number().positive().default(1),
  perGroupPerMinute: z.number().int().positive().default(20),
});

const discord = z.strictObject({
  ...common,
  type: z.literal('discord'),
  webhookUrlEnv: envName('KRX_DISCORD_WEBHOOK_URL'),
  /** Replaces the webhook URL's origin (a proxy, or a local fake in tests). */
  baseUrl: z.url().optional(),
  /** Discord: 5 requests per 5 s per webhook. */
  requestsPer5Seconds: z.number().int().positive().default(5),
});

const slack = z.strictObject({
  ...common,
  type: z.literal('slack'),
  webhookUrlEnv: envName('KRX_SLACK_WEBHOOK_URL'),
  baseUrl: z.url().optional(),
  /** Slack: about one message a second per channel. */
  perSecond: z.number().positive().default(1),
});

const webhook = z.strictObject({
  ...common,
  type: z.literal('webhook'),
  urlEnv: envName('KRX_WEBHOOK_URL'),
  baseUrl: z.url().optional(),
  /** The HMAC-SHA256 key signing each body (header X-Krx-Signature: sha256=<hex>). */
  hmacKeyEnv: envName('KRX_WEBHOOK_HMAC_KEY'),
  perSecond: z.number().positive().default(10),
});

/** The bus (design.md §5.2): each signal XADDed to a Redis stream, at least once, deduped by id (needs bus.redis.url). */
const bus = z.strictObject({
  ...common,
  type: z.literal('bus'),
  stream: z.string().min(1).default('krx:signals'),
  /** XADD ... MAXLEN ~ maxLen. */
  maxLen: z.number().int().min(100).default(100_000),
  /** An id appended within this window is not appended again (a retried batch, a restart). */
  dedupeSeconds: z.number().int().min(1).default(7 * 86_400),
  batchMax: z.number().int().min(1).max(100).default(100),
  perSecond: z.number().positive().default(1000),
  /** Redis may be away for long: keep the rows (the outbox is the buffer). */
  giveUpAfterSeconds: z.number().positive().default(30 * 86_400),
  /** Catch up soon after Redis is back. */
  retryCapMs: z.number().int().positive().default(5000),
});

export const notifySinkSchema = z.discriminatedUnion('type', [telegram, discord, slack, webhook, bus]);

export const notifySchema = z
  .strictObject({
    language: z.enum(['ko', 'en']).default('ko'),
    sinks: z
      .array(notifySinkSchema)
      .default([])
      .refine((sinks) => new Set(sinks.map((s) => s.name)).size === sinks.length, 'sink names must be unique'),
    /** /healthz reports degraded when a sink's oldest pending row is older than this. */
    staleSeconds: z.number().positive().default(300),
    /** Finished outbox rows (sent, skipped, dead) are deleted this many days after they finished. */
    retentionDays: z.number().positive().default(7),
    /** How often the daemon's own alert conditions are checked. */
    alertCheckSeconds: z.number().positive().default(5),
  })
  .prefault({});

type DeepReadonly<T> = T extends (infer U)[] ? readonly DeepReadonly<U>[] : T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;

/** As the frozen Config holds them. */
export type NotifySinkConfig = DeepReadonly<z.output<typeof notifySinkSchema>>;
export type NotifyConfig = DeepReadonly<z.output<typeof notifySchema>>;
export type NotifySinkType = NotifySinkConfig['type'];

/** The secrets of one sink, read from the environment by the loader (never from a file). */
export interface NotifySinkSecrets {
  /** Telegram bot token, or the Discord/Slack/webhook URL. */
  readonly primary: string;
  /** The webhook's HMAC key. */
  readonly hmacKey?: string;
}

/** The environment variables a sink reads its secrets from (none for the bus: its URL is bus.redis.url). */
export function sinkSecretEnvNames(sink: NotifySinkConfig): { primary: string; hmacKey?: string } | null {
  switch (sink.type) {
    case 'bus':
      return null;
    case 'telegram':
      return { primary: sink.botTokenEnv };
    case 'discord':
    case 'slack':
      return { primary: sink.webhookUrlEnv };
    case 'webhook':
      return { primary: sink.urlEnv, hmacKey: sink.hmacKeyEnv };
  }
}

/**
 * Reads each enabled sink's secrets from `env`; a missing one is a config problem naming the
 * variable (never its value).
 */
export function readNotifySecrets(
  sinks: readonly NotifySinkConfig[],
  env: Readonly<Record<string, string | undefined>>,
  problems: string[],
): Readonly<Record<string, NotifySinkSecrets>> {
  const out: Record<string, NotifySinkSecrets> = {};
  sinks.forEach((sink, i) => {
    const names = sinkSecretEnvNames(sink);
    if (!sink.enabled || !names) return;
    const primary = env[names.primary]?.trim();
    const hmacKey = names.hmacKey ? env[names.hmacKey]?.trim() : undefined;
    if (!primary) problems.push(`notify.sinks.${i} (${sink.name}): ${names.primary} must be set in the environment`);
    if (names.hmacKey && !hmacKey) problems.push(`notify.sinks.${i} (${sink.name}): ${names.hmacKey} must be set in the environment`);
    if (sink.type !== 'telegram' && primary && !URL.canParse(primary)) problems.push(`notify.sinks.${i} (${sink.name}): ${names.primary} is not a URL`);
    if (primary) out[sink.name] = hmacKey ? { primary, hmacKey } : { primary };
  });
  return out;
}
