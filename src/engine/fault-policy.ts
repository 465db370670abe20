/**
 * When repeated faults quarantine a strategy: `limit` faults within `windowMs` of engine time.
 * Pure: the fault's time comes in as an argument.
 */
export class FaultPolicy {
  private readonly times: number[] = [];

  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {}

  /** Records a fault at `atMs`; 'quarantine' once `limit` faults fall within the window. */
  record(atMs: number): 'ok' | 'quarantine' {
    const times = this.times;
    times.push(atMs);
    while (times.length > 0 && times[0]! <= atMs - this.windowMs) times.shift();
    return times.length >= this.limit ? 'quarantine' : 'ok';
  }

  /** Faults within the window at the last `record`. */
  recent(): number {
    return this.times.length;
  }
}
