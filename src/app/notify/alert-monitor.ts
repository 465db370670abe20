import type { AlertBody } from '../../adapters/notify/index.js';
import type { Clock, TimerHandle } from '../../core/clock.js';
import { errorMessage } from '../../core/errors.js';

/** One thing the daemon can be wrong about: `check` says what is wrong, or undefined when all is well. */
export interface AlertCondition {
  readonly name: string;
  check(): string | undefined;
}

export interface AlertMonitorOptions {
  readonly conditions: readonly AlertCondition[];
  readonly clock: Clock;
  readonly everyMs: number;
  /** Queues the alert for the sinks that opted in. */
  readonly send: (id: string, body: AlertBody) => void;
  readonly log: { warn(fields: Record<string, unknown>, msg: string): void };
}

export interface AlertMonitor {
  /** Evaluates every condition now (also run on the timer). */
  check(): void;
  /** Conditions raised now. */
  active(): string[];
  /** Alerts raised at or after `since` (epoch ms): the digest's fault count. */
  raisedSince(since: number): number;
  stop(): void;
}

/**
 * Checks the daemon's alert conditions on its own timer; each condition alerts once when it becomes
 * true and once ("cleared") when it stops being true. Ids carry the raise instant, so the outbox
 * keeps one row per (alert, sink) and a receiver can dedupe.
 */
export function startAlertMonitor(o: AlertMonitorOptions): AlertMonitor {
  const raisedAt = new Map<string, number>();
  const history: number[] = [];
  let timer: TimerHandle | undefined;

  const check = (): void => {
    const now = o.clock.now();
    for (const c of o.conditions) {
      let detail: string | undefined;
      try {
        detail = c.check();
      } catch (err) {
        o.log.warn({ code: 'E_NOTIFY_INTERNAL', condition: c.name, err: errorMessage(err) }, `alert condition ${c.name} failed to evaluate`);
        continue;
      }
      const since = raisedAt.get(c.name);
      if (detail !== undefined && since === undefined) {
        raisedAt.set(c.name, now);
        history.push(now);
        if (history.length > 10_000) history.splice(0, history.length - 10_000);
        o.send(`alert:${c.name}:${now}`, { condition: c.name, state: 'raised', at: now, detail });
      } else if (detail === undefined && since !== undefined) {
        raisedAt.delete(c.name);
        o.send(`alert:${c.name}:${since}:cleared`, { condition: c.name, state: 'cleared', at: now, detail: `raised at ${new Date(since).toISOString()}` });
      }
    }
  };

  const loop = (): void => {
    timer = o.clock.setTimeout(() => {
      check();
      loop();
    }, o.everyMs);
  };
  loop();
  return {
    check,
    active: () => [...raisedAt.keys()],
    raisedSince: (since) => history.filter((t) => t >= since).length,
    stop: () => {
      if (timer !== undefined) o.clock.clearTimeout(timer);
      timer = undefined;
    },
  };
}
