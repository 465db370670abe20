import type { Clock } from '../../core/clock.js';
import { createHttpPoster, secondsToMs } from './http-post.js';
import { noEscape, renderBatch } from './message.js';
import { withBaseUrl } from './with-base-url.js';
import type { SinkClient } from './types.js';

export interface DiscordSinkOptions {
  readonly name: string;
  /** The webhook URL (a secret: it is the credential). */
  readonly webhookUrl: string;
  readonly baseUrl?: string | undefined;
  readonly clock: Clock;
  readonly timeoutMs: number;
}

/** Discord's limit on a message's content. */
export const DISCORD_MAX_CHARS = 2000;

/** A Discord webhook: `{ content }`; a 429 carries `retry_after` in seconds (fractional). */
export function createDiscordSink(o: DiscordSinkOptions): SinkClient {
  const poster = createHttpPoster({
    url: withBaseUrl(o.webhookUrl, o.baseUrl),
    clock: o.clock,
    timeoutMs: o.timeoutMs,
    retryAfterFromBody: (json) => secondsToMs((json as { retry_after?: unknown } | undefined)?.retry_after),
  });
  return {
    name: o.name,
    type: 'discord',
    compose: (items, ctx) => {
      const { count, text } = renderBatch(items, ctx, DISCORD_MAX_CHARS, noEscape);
      // No mentions from message text, whatever a strategy put in its reason.
      return { count, body: JSON.stringify({ content: text, allowed_mentions: { parse: [] } }), headers: { 'content-type': 'application/json' } };
    },
    send: (m) => poster.post(m.body, m.headers),
    close: () => poster.close(),
  };
}
