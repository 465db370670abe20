import { join } from 'node:path';
import { openSignalStore, type SignalStore } from '../../../src/adapters/store/index.js';
import { startNotifier, type Notifier } from '../../../src/app/notify/notifier.js';
import { createNotifyRouting } from '../../../src/app/notify/routing.js';
import { notifySchema, readNotifySecrets } from '../../../src/config/notify-schema.js';
import { createRandom } from '../../../src/core/random.js';
import { createVirtualClock, type VirtualClock } from '../../../src/core/virtual-clock.js';
import { startFakeChatServers, type FakeChatServers } from '../../support/fake-chat-servers.js';
import { makeTempDir } from '../../support/store/fixtures.js';

export const T0 = Date.UTC(2026, 10, 20, 0, 0, 0); // Friday 09:00 KST

export interface LogEntry {
  readonly level: 'info' | 'warn' | 'error';
  readonly fields: Record<string, unknown>;
  readonly msg: string;
}

/** A virtual clock that knows when its next timer is due. */
export type TrackingClock = VirtualClock & { nextDue(): number | undefined };

export function trackingClock(base: VirtualClock): TrackingClock {
  const due = new Map<unknown, number>();
  const wrap = (fn: () => void, handle: { h?: unknown }) => () => {
    due.delete(handle.h);
    fn();
  };
  return {
    ...base,
    setTimeout: (fn, ms) => {
      const box: { h?: unknown } = {};
      box.h = base.setTimeout(wrap(fn, box), ms);
      due.set(box.h, base.now() + Math.max(0, ms));
      return box.h;
    },
    clearTimeout: (h) => {
      due.delete(h);
      base.clearTimeout(h);
    },
    nextDue: () => (due.size === 0 ? undefined : Math.min(...due.values())),
  };
}

export interface NotifyRig {
  readonly clock: TrackingClock;
  readonly fake: FakeChatServers;
  readonly store: SignalStore;
  readonly notifier: Notifier;
  readonly logs: LogEntry[];
  readonly env: Record<string, string>;
  readonly dir: string;
  /** Advances virtual time in steps, letting loopback I/O finish between steps. */
  advance(ms: number, stepMs?: number): Promise<void>;
  /** Lets in-flight requests finish without moving time. */
  settle(): Promise<void>;
  /** Reopens store and notifier on the same file (a restart). */
  restart(): Promise<NotifyRig>;
  close(): Promise<void>;
}

/** Sinks of `sinks` (partial notify sink configs) pointed at the fakes; the four secrets in an env map. */
export async function startNotifyRig(sinks: readonly Record<string, unknown>[], opts: { clock?: TrackingClock; dir?: string; cleanup?: () => void; fake?: FakeChatServers; ownsFake?: boolean; language?: 'ko' | 'en'; retentionDays?: number } = {}): Promise<NotifyRig> {
  const clock = opts.clock ?? trackingClock(createVirtualClock(T0));
  const fake = opts.fake ?? (await startFakeChatServers({ now: () => clock.now() }));
  const tmp = opts.dir ? null : makeTempDir('krx-notify-');
  const dir = opts.dir ?? (tmp as { dir: string }).dir;
  const cleanup = opts.cleanup ?? tmp?.cleanup ?? (() => undefined);
  const ownsFake = opts.ownsFake ?? !opts.fake;
  const env = {
    KRX_TELEGRAM_BOT_TOKEN: fake.telegramToken,
    KRX_DISCORD_WEBHOOK_URL: fake.discordWebhook,
    KRX_SLACK_WEBHOOK_URL: fake.slackWebhook,
    KRX_WEBHOOK_URL: fake.webhookUrl,
    KRX_WEBHOOK_HMAC_KEY: fake.hmacKey,
  };
  const config = notifySchema.parse({
    language: opts.language ?? 'ko',
    ...(opts.retentionDays !== undefined ? { retentionDays: opts.retentionDays } : {}),
    sinks: sinks.map((s) => ({ ...(s['type'] === 'telegram' ? { apiBaseUrl: fake.url, chatId: '1001' } : {}), ...s })),
  });
  const problems: string[] = [];
  const secrets = readNotifySecrets(config.sinks, env, problems);
  if (problems.length > 0) throw new Error(problems.join('; '));
  const logs: LogEntry[] = [];
  const log = {
    info: (fields: Record<string, unknown>, msg: string) => logs.push({ level: 'info', fields, msg }),
    warn: (fields: Record<string, unknown>, msg: string) => logs.push({ level: 'warn', fields, msg }),
    error: (fields: Record<string, unknown>, msg: string) => logs.push({ level: 'error', fields, msg }),
  };
  const store = openSignalStore({ file: join(dir, 'signals.db'), clock, queueLimit: 100_000, outbox: createNotifyRouting(config.sinks), sessionMode: 'sim', log });
  const notifier = startNotifier({ config, secrets, database: store.database, clock, random: createRandom('notify-test'), log });
  store.onCommitted(() => notifier.wake());

  const settle = async (): Promise<void> => {
    // Real loopback I/O needs event-loop turns, not virtual time: wait until no send is in flight.
    for (let i = 0; i < 20; i++) await new Promise<void>((r) => setImmediate(r));
    for (let i = 0; i < 5000 && notifier.inFlight() > 0; i++) await new Promise<void>((r) => setImmediate(r));
    for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
  };
  const rig: NotifyRig = {
    clock,
    fake,
    store,
    notifier,
    logs,
    env,
    dir,
    settle,
    advance: async (ms, stepMs = 100) => {
      // Stops at every timer's due instant, so a request leaves (and a fake stamps it) at its own time.
      const end = clock.now() + ms;
      while (clock.now() < end) {
        const due = clock.nextDue();
        const to = Math.min(end, clock.now() + stepMs, due === undefined ? end : Math.max(due, clock.now()));
        await clock.tickAsync(to - clock.now());
        await settle();
      }
    },
    restart: async () => {
      await notifier.close();
      store.close();
      return startNotifyRig(sinks, { clock, dir, cleanup, fake, ownsFake, ...(opts.language ? { language: opts.language } : {}), ...(opts.retentionDays !== undefined ? { retentionDays: opts.retentionDays } : {}) });
    },
    close: async () => {
      await notifier.close();
      store.close();
      if (ownsFake) await fake.close();
      cleanup();
    },
  };
  return rig;
}
