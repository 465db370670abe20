import { createDiscordSink, createSlackSink, createTelegramSink, createWebhookSink, type SinkClient } from '../../adapters/notify/index.js';
import type { NotifySinkConfig, NotifySinkSecrets } from '../../config/notify-schema.js';
import type { Clock } from '../../core/clock.js';
import { ConfigError } from '../../core/errors.js';
import type { BusAdapter } from '../../core/ports/bus.js';
import { createSignalBusSink } from '../bus/signal-bus-sink.js';
import type { RateWindow } from './rate-windows.js';

/** What the bus sink needs: the daemon's bus connection and this node's name. */
export interface SinkBus {
  readonly adapter: BusAdapter;
  readonly origin: string;
}

/** The client for one configured sink, with its secrets from the environment. */
export function buildSinkClient(sink: NotifySinkConfig, secrets: NotifySinkSecrets | undefined, clock: Clock, bus?: SinkBus): SinkClient {
  if (sink.type === 'bus') {
    if (!bus) throw new ConfigError([`notify sink ${sink.name}: type "bus" needs bus.redis.url`], 'E_NOTIFY_CONFIG');
    return createSignalBusSink({ name: sink.name, bus: bus.adapter, stream: sink.stream, maxLen: sink.maxLen, dedupeMs: sink.dedupeSeconds * 1000, origin: bus.origin });
  }
  if (!secrets) throw new ConfigError([`notify sink ${sink.name}: its secret is not in the environment`], 'E_NOTIFY_CONFIG');
  const timeoutMs = sink.requestTimeoutMs;
  switch (sink.type) {
    case 'telegram':
      return createTelegramSink({ name: sink.name, botToken: secrets.primary, chatId: sink.chatId, parseMode: sink.parseMode, apiBaseUrl: sink.apiBaseUrl, clock, timeoutMs });
    case 'discord':
      return createDiscordSink({ name: sink.name, webhookUrl: secrets.primary, baseUrl: sink.baseUrl, clock, timeoutMs });
    case 'slack':
      return createSlackSink({ name: sink.name, webhookUrl: secrets.primary, baseUrl: sink.baseUrl, clock, timeoutMs });
    case 'webhook':
      if (!secrets.hmacKey) throw new ConfigError([`notify sink ${sink.name}: ${sink.hmacKeyEnv} is not in the environment`], 'E_NOTIFY_CONFIG');
      return createWebhookSink({ name: sink.name, url: secrets.primary, baseUrl: sink.baseUrl, hmacKey: secrets.hmacKey, clock, timeoutMs, batchMax: sink.batchMax });
  }
}

/** The sink's own rate budgets (configurable, defaults below the services' published limits). */
export function sinkRateWindows(sink: NotifySinkConfig): RateWindow[] {
  switch (sink.type) {
    case 'telegram': {
      const perSecond: RateWindow = { max: 1, windowMs: Math.ceil(1000 / sink.perChatPerSecond) };
      // Group and channel chat ids are negative; Telegram allows them about 20 messages a minute.
      const group = String(sink.chatId).startsWith('-') || String(sink.chatId).startsWith('@');
      return group ? [perSecond, { max: sink.perGroupPerMinute, windowMs: 60_000 }] : [perSecond];
    }
    case 'discord':
      return [{ max: sink.requestsPer5Seconds, windowMs: 5000 }];
    case 'slack':
      return [{ max: 1, windowMs: Math.ceil(1000 / sink.perSecond) }];
    case 'webhook':
      return [{ max: 1, windowMs: Math.ceil(1000 / sink.perSecond) }];
    case 'bus':
      return [{ max: Math.max(1, Math.round(sink.perSecond / 10)), windowMs: 100 }];
  }
}
