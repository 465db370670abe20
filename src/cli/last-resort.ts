import { writeSync } from 'node:fs';
import { SECRET_ENV_VARS } from '../config/load.js';
import { scrubSecrets } from '../config/redact.js';
import { errorMessage } from '../core/errors.js';
import { knownSecrets } from '../observability/secrets.js';
import { EXIT } from './exit-codes.js';

/**
 * The last resort: an exception or rejection that escaped every handler. Running on after one
 * means running in an unknown state, so it logs one line with a stable code, flushes what must not
 * be lost (signals, the recording) and exits 1, for the supervisor (systemd, Docker) to restart it.
 */

type Flusher = () => void;
const flushers = new Map<string, Flusher>();

/** Registers a synchronous flush to run on a crash; returns the unregister function. */
export function onCrashFlush(name: string, flush: Flusher): () => void {
  flushers.set(name, flush);
  return () => {
    if (flushers.get(name) === flush) flushers.delete(name);
  };
}

export interface LastResortIo {
  /** One line to the operator (default: a synchronous write to fd 2, which survives the exit). */
  readonly write?: (line: string) => void;
  readonly exit?: (code: number) => void;
  readonly now?: () => number;
  readonly secrets?: () => readonly string[];
}

type Kind = 'uncaughtException' | 'unhandledRejection';

/** What the handlers do; exported for the unit test, which passes its own io. */
export function crash(kind: Kind, reason: unknown, io: LastResortIo = {}): void {
  const write = io.write ?? ((line: string) => void writeSync(2, line));
  const secrets = io.secrets?.() ?? [...SECRET_ENV_VARS.map((k) => process.env[k] ?? ''), ...knownSecrets()];
  const failures: string[] = [];
  for (const [name, flush] of flushers) {
    try {
      flush();
    } catch (err) {
      failures.push(`${name}: ${errorMessage(err)}`);
    }
  }
  const line = {
    level: 'fatal',
    time: (io.now ?? Date.now)(), // clock-ok: process-level handler outside deterministic code
    event: 'process.crashed',
    code: 'E_UNCAUGHT',
    kind,
    err: errorMessage(reason),
    stack: reason instanceof Error ? reason.stack : undefined,
    flushed: [...flushers.keys()].filter((n) => !failures.some((f) => f.startsWith(`${n}:`))),
    ...(failures.length > 0 ? { flushFailed: failures } : {}),
    msg: `${kind}: flushed and exiting ${EXIT.failure} for the supervisor to restart`,
  };
  try {
    write(`${scrubSecrets(JSON.stringify(line), secrets)}\n`);
  } catch {
    // stderr gone: the exit code still tells the supervisor
  }
  (io.exit ?? process.exit)(EXIT.failure);
}

let installed = false;

/** Installs the process handlers once (the CLI entry point calls it). */
export function installLastResort(io: LastResortIo = {}): void {
  if (installed) return;
  installed = true;
  process.on('uncaughtException', (err) => crash('uncaughtException', err, io));
  process.on('unhandledRejection', (reason) => crash('unhandledRejection', reason, io));
}
