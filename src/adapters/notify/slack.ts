import type { Clock } from '../../core/clock.js';
import { createHttpPoster } from './http-post.js';
import { escapeHtml, renderBatch } from './message.js';
import { withBaseUrl } from './with-base-url.js';
import type { SinkClient } from './types.js';

export interface SlackSinkOptions {
  readonly name: string;
  readonly webhookUrl: string;
  readonly baseUrl?: string | undefined;
  readonly clock: Clock;
  readonly timeoutMs: number;
}

/** Kept well under Slack's 40,000: long texts are truncated by Slack and hard to read on a phone. */
export const SLACK_MAX_CHARS = 3000;

/** A Slack incoming webhook: `{ text }` in mrkdwn; a 429 carries `Retry-After` in seconds. */
export function createSlackSink(o: SlackSinkOptions): SinkClient {
  const poster = createHttpPoster({ url: withBaseUrl(o.webhookUrl, o.baseUrl), clock: o.clock, timeoutMs: o.timeoutMs });
  return {
    name: o.name,
    type: 'slack',
    compose: (items, ctx) => {
      const { count, text } = renderBatch(items, ctx, SLACK_MAX_CHARS, escapeHtml);
      return { count, body: JSON.stringify({ text }), headers: { 'content-type': 'application/json' } };
    },
    send: (m) => poster.post(m.body, m.headers),
    close: () => poster.close(),
  };
}
