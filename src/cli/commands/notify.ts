import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { NotifyItem } from '../../adapters/notify/index.js';
import { openSignalDatabaseReadOnly } from '../../adapters/store/index.js';
import { buildSinkClient } from '../../app/notify/build-sink.js';
import { secretFragments } from '../../app/notify/notifier.js';
import { loadConfig } from '../../config/load.js';
import { scrubSecrets, secretValues } from '../../config/redact.js';
import { systemClock } from '../../core/clock.js';
import { UsageError } from '../../core/errors.js';
import type { Command } from '../command.js';
import { EXIT } from '../exit-codes.js';

export const notifyCommand: Command = {
  name: 'notify',
  summary: 'test the notification sinks, or show their outbox',
  usage: `Usage: krx-signals notify test [--sink <name>] [--config <file>]
       krx-signals notify status [--db <file>] [--config <file>]

  test     sends a test message to each configured sink (or only --sink) and prints its answer;
           exits 1 when any sink failed. Secrets come from the environment, as for start.
  status   pending, sent, dead and skipped rows per sink in the signal database's outbox, and the
           age of the oldest pending row. Read-only: safe while the daemon runs.

Options:
      --sink <name>      only this sink (test)
      --db <file>        the signal database (default: <dataDir>/<store.file> from the config)
  -c, --config <file>    a config file instead of config/default.json
  -h, --help             show this help`,
  options: {
    sink: { type: 'string' },
    db: { type: 'string' },
    config: { type: 'string', short: 'c' },
  },
  maxPositionals: 1,
  run: async ({ values, positionals, io }) => {
    const sub = positionals[0];
    if (sub !== 'test' && sub !== 'status') throw new UsageError(`notify: expected 'test' or 'status'${sub === undefined ? '' : `, got '${sub}'`}`);
    const config = loadConfig({ file: values.config as string | undefined, env: io.env, cwd: io.cwd });
    const only = values.sink as string | undefined;
    const sinks = config.notify.sinks.filter((s) => s.enabled && (only === undefined || s.name === only));
    if (only !== undefined && sinks.length === 0) throw new UsageError(`notify: no enabled sink named '${only}' in the config`);
    if (sub === 'test') {
      if (sinks.length === 0) {
        io.stderr.write('krx-signals notify: no notification sink is configured (config section "notify.sinks")\n');
        return EXIT.failure;
      }
      const secrets = secretValues(config).flatMap(secretFragments);
      let failed = 0;
      for (const sink of sinks) {
        const client = buildSinkClient(sink, config.credentials.notify?.[sink.name], systemClock);
        const now = systemClock.now();
        const item: NotifyItem = { kind: 'alert', id: `test:${now}`, replay: false, alert: { condition: 'test', state: 'raised', at: now, detail: `krx-signals notify test (${sink.name})` } };
        try {
          const answer = await client.send(client.compose([item], { language: sink.language ?? config.notify.language }, now));
          if (answer.ok) io.stdout.write(`${sink.name} (${sink.type}): ok, HTTP ${answer.status}\n`);
          else {
            failed++;
            io.stdout.write(scrubSecrets(`${sink.name} (${sink.type}): failed, ${answer.code} ${answer.reason}${answer.retry ? ' (would be retried)' : ''}\n`, secrets));
          }
        } finally {
          await client.close();
        }
      }
      return failed > 0 ? EXIT.failure : EXIT.ok;
    }

    const file = values.db !== undefined ? resolve(io.cwd, values.db as string) : resolve(config.dataDir, config.store.file);
    if (!existsSync(file)) {
      io.stderr.write(`krx-signals notify: no signal database at ${file}\n`);
      return EXIT.failure;
    }
    const db = openSignalDatabaseReadOnly(file);
    try {
      const hasOutbox = db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'outbox'").pluck().get() === 1;
      const rows = hasOutbox
        ? (db.prepare("SELECT sink, state, count(*) AS n, min(CASE WHEN state = 'pending' THEN created_at END) AS oldest FROM outbox GROUP BY sink, state").all() as { sink: string; state: string; n: number; oldest: number | null }[])
        : [];
      const names = [...new Set([...sinks.map((s) => s.name), ...rows.map((r) => r.sink)])].filter((n) => only === undefined || n === only).sort();
      const now = systemClock.now();
      const table = [['SINK', 'PENDING', 'SENT', 'DEAD', 'SKIPPED', 'OLDEST PENDING']];
      for (const name of names) {
        const of = (state: string) => rows.find((r) => r.sink === name && r.state === state);
        const oldest = of('pending')?.oldest;
        table.push([name, ...['pending', 'sent', 'dead', 'skipped'].map((s) => String(of(s)?.n ?? 0)), oldest == null ? '-' : `${Math.round((now - oldest) / 1000)} s`]);
      }
      const widths = (table[0] as string[]).map((_, i) => Math.max(...table.map((r) => (r[i] ?? '').length)));
      io.stdout.write(table.map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n') + '\n');
      if (names.length === 0) io.stderr.write('krx-signals notify: no sink configured and no outbox rows\n');
      return EXIT.ok;
    } finally {
      db.close();
    }
  },
};
