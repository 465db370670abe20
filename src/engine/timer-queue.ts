/** A strategy timer in the host's queue. */
export interface QueuedTimer<O> {
  readonly owner: O;
  readonly name: string;
  readonly dueMs: number;
  /** Arming order: breaks ties between timers due at the same instant. */
  readonly seq: number;
  /** Re-arm period, or null for a one-shot timer. */
  readonly repeatMs: number | null;
}

/**
 * The host's own timer queue, ordered by (due time, arming order). Keeping it in the host (instead
 * of one Clock timer per strategy timer) lets the host fire due timers before an event in a fixed
 * order, whatever the event loop did first.
 */
export class TimerQueue<O> {
  private readonly items: QueuedTimer<O>[] = [];
  private seq = 0;

  /** Arms `name` for `owner`, replacing an armed timer of the same name. */
  arm(owner: O, name: string, dueMs: number, repeatMs: number | null): void {
    this.cancel(owner, name);
    const timer: QueuedTimer<O> = { owner, name, dueMs, seq: this.seq++, repeatMs };
    let i = this.items.length;
    while (i > 0 && this.items[i - 1]!.dueMs > dueMs) i--;
    this.items.splice(i, 0, timer);
  }

  cancel(owner: O, name: string): void {
    const i = this.items.findIndex((t) => t.owner === owner && t.name === name);
    if (i >= 0) this.items.splice(i, 1);
  }

  cancelAll(owner: O): void {
    for (let i = this.items.length - 1; i >= 0; i--) if (this.items[i]!.owner === owner) this.items.splice(i, 1);
  }

  /** Removes and returns the first timer due at or before `boundMs`, if any. */
  takeDue(boundMs: number): QueuedTimer<O> | undefined {
    const first = this.items[0];
    if (first === undefined || first.dueMs > boundMs) return undefined;
    this.items.shift();
    return first;
  }

  earliestDue(): number | undefined {
    return this.items[0]?.dueMs;
  }

  get size(): number {
    return this.items.length;
  }

  clear(): void {
    this.items.length = 0;
  }
}
