export * from './types.js';
export { createTelegramSink, TELEGRAM_MAX_CHARS } from './telegram.js';
export { createDiscordSink, DISCORD_MAX_CHARS } from './discord.js';
export { createSlackSink, SLACK_MAX_CHARS } from './slack.js';
export { createWebhookSink, signBody, SIGNATURE_HEADER, IDEMPOTENCY_HEADER } from './webhook.js';
export { renderBatch, renderOne, reasonOf } from './message.js';
export { classify, retryAfterHeader } from './http-post.js';
