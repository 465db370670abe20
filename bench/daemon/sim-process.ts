import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface SimProcessOptions {
  readonly seed: number | string;
  readonly stocks: number;
  readonly tradesPerSecond: number;
  readonly indicativePerHour: number;
}

export type SimProcessReply =
  | { readonly type: 'ready'; readonly url: string; readonly wsUrl: string }
  | { readonly type: 'stats'; readonly maxBehindMs: number; readonly dropped: number };

export interface SimProcess {
  readonly url: string;
  readonly wsUrl: string;
  /** Generation lag at worst and entries dropped for a slow reader, so far. */
  stats(): Promise<{ maxBehindMs: number; dropped: number }>;
  close(): Promise<void>;
}

/** Starts the simulator in a child process (compiled bench only: dist/bench/daemon/sim-child.js). */
export async function startSimProcess(options: SimProcessOptions): Promise<SimProcess> {
  const child: ChildProcess = fork(fileURLToPath(new URL('./sim-child.js', import.meta.url)), [JSON.stringify(options)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const next = <T extends SimProcessReply['type']>(type: T): Promise<Extract<SimProcessReply, { type: T }>> =>
    new Promise((resolve, reject) => {
      if (child.exitCode !== null || child.signalCode !== null) return reject(new Error('the simulator process has exited'));
      const onMessage = (m: SimProcessReply): void => {
        if (m.type !== type) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(m as Extract<SimProcessReply, { type: T }>);
      };
      const onExit = (code: number | null): void => {
        child.off('message', onMessage);
        reject(new Error(`the simulator process exited (code ${code})`));
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  const ready = await next('ready');
  return {
    url: ready.url,
    wsUrl: ready.wsUrl,
    stats: async () => {
      const reply = next('stats');
      child.send({ type: 'stats' });
      const { maxBehindMs, dropped } = await reply;
      return { maxBehindMs, dropped };
    },
    close: async () => {
      if (child.connected) child.disconnect();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
