import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { DaemonLatencyOptions, DaemonLatencyResult } from './latency.js';
import type { DaemonRssOptions, DaemonRssResult } from './rss.js';

export type DaemonJob = { readonly kind: 'latency'; readonly options: DaemonLatencyOptions } | { readonly kind: 'rss'; readonly options: DaemonRssOptions };

type ResultOf<J extends DaemonJob> = J extends { kind: 'latency' } ? DaemonLatencyResult : DaemonRssResult;

/**
 * Runs a daemon benchmark in a child process of the compiled bench (dist/bench/daemon/child.js) and
 * resolves with its result. Rejects when the child exits without one or overruns `timeoutMs`.
 */
export function runDaemonJobInChild<J extends DaemonJob>(job: J, timeoutMs: number): Promise<ResultOf<J>> {
  // The daemon runs with the flag the shipped start commands use (npm start, Docker, systemd).
  const child = fork(fileURLToPath(new URL('./child.js', import.meta.url)), [JSON.stringify(job)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], execArgv: [...process.execArgv, DAEMON_NODE_FLAG] });
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish(() => reject(new Error(`daemon ${job.kind} bench overran ${timeoutMs} ms`)));
    }, timeoutMs);
    child.on('message', (m: { ok: true; result: ResultOf<J> } | { ok: false; error: string }) =>
      finish(() => (m.ok ? resolve(m.result) : reject(new Error(`daemon ${job.kind} bench failed: ${m.error}`)))),
    );
    child.on('error', (err) => finish(() => reject(err)));
    child.on('exit', (code, signal) => finish(() => reject(new Error(`daemon ${job.kind} bench exited without a result (code ${code}, signal ${signal})`))));
  });
}

/** The V8 flag every shipped start command passes (package.json, Dockerfile, deploy/). */
export const DAEMON_NODE_FLAG = '--max-semi-space-size=4';
