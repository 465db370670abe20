import type { Clock } from '../../core/clock.js';
import { createHttpPoster, secondsToMs } from './http-post.js';
import { escapeHtml, noEscape, renderBatch } from './message.js';
import type { SinkClient } from './types.js';

export interface TelegramSinkOptions {
  readonly name: string;
  readonly botToken: string;
  readonly chatId: string | number;
  readonly parseMode: 'HTML' | 'none';
  /** https://api.telegram.org, or a local fake. */
  readonly apiBaseUrl: string;
  readonly clock: Clock;
  readonly timeoutMs: number;
}

/** Telegram's limit on a message's text. */
export const TELEGRAM_MAX_CHARS = 4096;

/** Bot API `sendMessage`. A 429 carries `parameters.retry_after` (seconds); `ok: false` on 200 is a refusal. */
export function createTelegramSink(o: TelegramSinkOptions): SinkClient {
  const base = o.apiBaseUrl.replace(/\/+$/, '');
  const poster = createHttpPoster({
    url: `${base}/bot${o.botToken}/sendMessage`,
    clock: o.clock,
    timeoutMs: o.timeoutMs,
    secrets: [o.botToken],
    retryAfterFromBody: (json) => secondsToMs((json as { parameters?: { retry_after?: unknown } } | undefined)?.parameters?.retry_after),
    refusedBody: (json) => {
      const b = json as { ok?: unknown; description?: unknown } | undefined;
      return b?.ok === false ? String(b.description ?? 'ok: false') : undefined;
    },
  });
  const esc = o.parseMode === 'HTML' ? escapeHtml : noEscape;
  return {
    name: o.name,
    type: 'telegram',
    compose: (items, ctx) => {
      const { count, text } = renderBatch(items, ctx, TELEGRAM_MAX_CHARS, esc);
      const body: Record<string, unknown> = { chat_id: o.chatId, text, disable_web_page_preview: true };
      if (o.parseMode === 'HTML') body['parse_mode'] = 'HTML';
      return { count, body: JSON.stringify(body), headers: { 'content-type': 'application/json' } };
    },
    send: (m) => poster.post(m.body, m.headers),
    close: () => poster.close(),
  };
}
