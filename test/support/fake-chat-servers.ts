import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Local fakes of the chat services' HTTP APIs on 127.0.0.1, port 0, in one server: Telegram's
 * `POST /bot<token>/sendMessage`, a Discord webhook `POST /api/webhooks/<id>/<token>`, a Slack
 * incoming webhook `POST /services/<T>/<B>/<X>` and a generic webhook `POST /hook/<secret>` that
 * checks the HMAC signature. Each request is recorded with the time `now()` gives (a virtual clock);
 * `script` decides the answer per service and call number.
 */
export type Service = 'telegram' | 'discord' | 'slack' | 'webhook';

export interface Received {
  readonly service: Service;
  readonly at: number;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  readonly json: Record<string, unknown>;
  /** The webhook's signature checked out (webhook only). */
  readonly signatureOk?: boolean;
  /** The text a person would read (Telegram text, Discord content, Slack text). */
  readonly text: string;
}

export interface Reply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  /** Never answer (a sink hanging until the client's timeout). */
  readonly hang?: boolean;
}

export type Script = (service: Service, call: number, req: Received) => Reply | undefined;

export interface FakeChatServers {
  readonly url: string;
  readonly telegramToken: string;
  readonly discordWebhook: string;
  readonly slackWebhook: string;
  readonly webhookUrl: string;
  readonly hmacKey: string;
  /** Requests answered 2xx, per service. */
  delivered(service: Service): Received[];
  /** Every request, answered or not. */
  all(service?: Service): Received[];
  setScript(script: Script): void;
  close(): Promise<void>;
}

const OK: Record<Service, Reply> = {
  telegram: { status: 200, body: { ok: true, result: { message_id: 1 } } },
  discord: { status: 204 },
  slack: { status: 200, body: 'ok' },
  webhook: { status: 200, body: { received: true } },
};

export async function startFakeChatServers(options: { now: () => number; secrets?: { telegramToken?: string; discordToken?: string; slackPath?: string; hookPath?: string; hmacKey?: string } }): Promise<FakeChatServers> {
  const s = options.secrets ?? {};
  const telegramToken = s.telegramToken ?? '123456:TEST-telegram-token';
  const discordPath = `/api/webhooks/42/${s.discordToken ?? 'discord-webhook-token'}`;
  const slackPath = `/services/T000/B000/${s.slackPath ?? 'slack-webhook-secret'}`;
  const hookPath = `/hook/${s.hookPath ?? 'webhook-path-secret'}`;
  const hmacKey = s.hmacKey ?? 'hmac-test-key';
  const received: (Received & { answered: number })[] = [];
  const calls: Record<Service, number> = { telegram: 0, discord: 0, slack: 0, webhook: 0 };
  let script: Script = () => undefined;
  const hanging = new Set<ServerResponse>();

  const serviceOf = (path: string): Service | undefined => {
    if (path === `/bot${telegramToken}/sendMessage`) return 'telegram';
    if (path === discordPath) return 'discord';
    if (path === slackPath) return 'slack';
    if (path === hookPath) return 'webhook';
    return undefined;
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '';
      const service = serviceOf(path);
      if (req.method !== 'POST' || !service) {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: false, description: 'Not Found' }));
        return;
      }
      const body = Buffer.concat(chunks).toString('utf8');
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(body) as Record<string, unknown>;
      } catch {
        res.writeHead(400).end('bad json');
        return;
      }
      const text = typeof json['text'] === 'string' ? json['text'] : typeof json['content'] === 'string' ? json['content'] : '';
      let signatureOk: boolean | undefined;
      if (service === 'webhook') {
        const want = Buffer.from(`sha256=${createHmac('sha256', hmacKey).update(body).digest('hex')}`);
        const got = Buffer.from(String(req.headers['x-krx-signature'] ?? ''));
        signatureOk = want.length === got.length && timingSafeEqual(want, got);
      }
      const rec = { service, at: options.now(), path, headers: req.headers, body, json, text, answered: 0, ...(signatureOk !== undefined ? { signatureOk } : {}) };
      received.push(rec);
      const call = ++calls[service];
      const reply = script(service, call, rec) ?? OK[service];
      if (reply.hang) {
        hanging.add(res);
        return;
      }
      rec.answered = reply.status;
      const payload = reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
      res.writeHead(reply.status, { 'content-type': typeof reply.body === 'string' ? 'text/plain' : 'application/json', ...(reply.headers ?? {}) }).end(payload);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    telegramToken,
    discordWebhook: `${url}${discordPath}`,
    slackWebhook: `${url}${slackPath}`,
    webhookUrl: `${url}${hookPath}`,
    hmacKey,
    delivered: (service) => received.filter((r) => r.service === service && r.answered >= 200 && r.answered < 300),
    all: (service) => received.filter((r) => service === undefined || r.service === service),
    setScript: (next) => {
      script = next;
    },
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The item ids a delivered message carries: `[id]` per batch line, `id <id>` in a single block, `items[].id` for the webhook. */
export function idsIn(r: Received): string[] {
  if (r.service === 'webhook') return ((r.json['items'] as { id: string }[] | undefined) ?? []).map((i) => i.id);
  const ids = [...r.text.matchAll(/\[([^\]\s]+)\]$/gm)].map((m) => m[1] as string);
  if (ids.length > 0) return ids;
  return [...r.text.matchAll(/^id (\S+)$/gm)].map((m) => m[1] as string);
}
