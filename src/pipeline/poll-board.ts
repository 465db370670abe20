/** One poll as /healthz and /metrics see it. */
export interface PollState {
  readonly name: string;
  /** How old the last answer may grow before the poll counts as late. */
  readonly staleAfterMs: number;
  /** Engine time of the last run that delivered; null before one. */
  readonly lastAt: number | null;
  /** Ticks skipped because the previous run was still going (the REST budget could not carry it). */
  readonly lateTicks: number;
}

/** Each poll's last delivery and late ticks, written by the market stream. */
export interface PollBoard {
  register(name: string, staleAfterMs: number): void;
  delivered(name: string, at: number): void;
  late(name: string): void;
  list(): readonly PollState[];
}

export function createPollBoard(): PollBoard {
  const polls = new Map<string, { staleAfterMs: number; lastAt: number | null; lateTicks: number }>();
  return {
    register(name, staleAfterMs) {
      if (!polls.has(name)) polls.set(name, { staleAfterMs, lastAt: null, lateTicks: 0 });
    },
    delivered(name, at) {
      const p = polls.get(name);
      if (p) p.lastAt = at;
    },
    late(name) {
      const p = polls.get(name);
      if (p) p.lateTicks++;
    },
    list: () => [...polls].map(([name, p]) => ({ name, ...p })),
  };
}
