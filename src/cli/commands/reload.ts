import { setTimeout as sleep } from 'node:timers/promises';
import { dataLockHolder } from '../../app/data-lock.js';
import { readReloadOutcome, type ReloadOutcomeFile } from '../../app/strategy-reload-daemon.js';
import type { ReloadOutcome } from '../../app/strategy-reload.js';
import { loadConfig } from '../../config/load.js';
import { UsageError } from '../../core/errors.js';
import type { CliIo, Command } from '../command.js';
import { escapeControl } from '../escape.js';
import { EXIT } from '../exit-codes.js';

/** How long to wait for the daemon's answer (a reload imports every strategy file). */
const DEFAULT_WAIT_MS = 30_000;
const POLL_MS = 100;

export const reloadCommand: Command = {
  name: 'reload',
  summary: 'reload the running daemon\'s strategy files and strategies config (no reconnect)',
  usage: `Usage: krx-signals reload [--config <file>] [--wait <seconds>]

Asks the daemon running on this data directory to reload its strategy files and the strategies
section of its config, as SIGHUP does: it sends SIGHUP to the pid in <dataDir>/daemon.lock and
prints what the daemon did (from <dataDir>/reload.json). Each changed strategy gets onStop and its
new version onStart with fresh state; unchanged strategies keep running untouched; the WebSocket
stays open. A file or strategy that fails is rejected with its path and its running version
keeps running.

Exit 0 when the reload applied (or nothing changed) with nothing rejected; 1 when something was
rejected, no daemon runs on the data directory, or it did not answer in time.

Options:
  -c, --config <file>   the config file the daemon was started with (for its dataDir)
      --wait <seconds>  how long to wait for the daemon's answer (default 30)
  -h, --help            show this help`,
  options: { config: { type: 'string', short: 'c' }, wait: { type: 'string' } },
  maxPositionals: 0,
  run: async ({ values, io }) => {
    const waitMs = parseWait(values.wait as string | undefined);
    const config = loadConfig({ file: values.config as string | undefined, env: io.env, cwd: io.cwd });
    const pid = dataLockHolder(config.dataDir);
    if (pid === undefined) {
      io.stderr.write(`krx-signals reload: no daemon runs on ${escapeControl(config.dataDir)} (no live pid in daemon.lock)\n`);
      return EXIT.failure;
    }
    const before = readReloadOutcome(config.dataDir);
    process.kill(pid, 'SIGHUP');
    const answer = await waitForAnswer(config.dataDir, before, waitMs);
    if (answer === null) {
      io.stderr.write(`krx-signals reload: sent SIGHUP to pid ${pid}; no answer in ${waitMs / 1000} s (see the daemon's log)\n`);
      return EXIT.failure;
    }
    printOutcome(answer.outcome, io);
    return answer.outcome.rejected.length > 0 ? EXIT.failure : EXIT.ok;
  },
};

async function waitForAnswer(dataDir: string, before: ReloadOutcomeFile | null, waitMs: number): Promise<ReloadOutcomeFile | null> {
  for (let waited = 0; waited <= waitMs; waited += POLL_MS) {
    const now = readReloadOutcome(dataDir);
    if (now !== null && (before === null || now.sessionId !== before.sessionId || now.seq !== before.seq)) return now;
    await sleep(POLL_MS);
  }
  return null;
}

function printOutcome(o: ReloadOutcome, io: CliIo): void {
  const list = (ids: readonly string[]): string => (ids.length > 0 ? ids.join(', ') : 'none');
  if (o.at === null && o.rejected.length === 0) io.stdout.write('reloaded: nothing changed\n');
  else if (o.at === null) io.stdout.write('reloaded: nothing applied\n');
  else io.stdout.write(`reloaded: started ${list(o.started)}; stopped ${list(o.stopped)}; unchanged ${list(o.unchanged)}\n`);
  for (const r of o.rejected) {
    const where = r.file !== undefined ? `${r.file}${r.line === undefined ? '' : `:${r.line}`}` : `strategy ${r.id ?? '?'}`;
    io.stdout.write(`rejected ${escapeControl(where)}: ${escapeControl(r.message)}${r.id !== undefined ? ` (${r.id} keeps its running version)` : ''}\n`);
  }
}

function parseWait(text: string | undefined): number {
  if (text === undefined) return DEFAULT_WAIT_MS;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0 || n > 3600) throw new UsageError(`reload: --wait takes seconds between 0 and 3600 (got '${text}')`);
  return Math.round(n * 1000);
}
