import { basename, resolve } from 'node:path';
import { listRecordings, pruneRecordings, type RecordingInfo } from '../../adapters/recording/index.js';
import type { Config } from '../../config/schema.js';
import { systemClock } from '../../core/clock.js';
import { loadConfig } from '../../config/load.js';
import { formatKstDashed } from '../../core/kst.js';
import type { Command } from '../command.js';
import { escapeControl } from '../escape.js';
import { EXIT } from '../exit-codes.js';

export const sessionsCommand: Command = {
  name: 'sessions',
  summary: 'list recorded sessions',
  usage: `Usage: krx-signals sessions [--dir <folder>] [--config <file>] [--prune]

Lists the session recordings (oldest first) with their start and end (KST), frame count and size.
Replay one with: krx-signals replay <file>

Options:
      --dir <folder>       the recordings folder (default: <dataDir>/<recording.dir> from the config)
      --prune              first delete recordings older than recording.keepDays, then the oldest
                           until all fit recording.maxBytes (the daemon does this hourly)
  -c, --config <file>      a config file instead of config/default.json
  -h, --help               show this help`,
  options: { dir: { type: 'string' }, config: { type: 'string', short: 'c' }, prune: { type: 'boolean' } },
  maxPositionals: 0,
  run: async ({ values, io }) => {
    let dir: string;
    const needConfig = values.dir === undefined || values.prune === true;
    const config = needConfig ? loadConfig({ file: values.config as string | undefined, env: io.env, cwd: io.cwd }) : null;
    if (values.dir !== undefined) dir = resolve(io.cwd, values.dir as string);
    else dir = resolve((config as Config).dataDir, (config as Config).recording.dir);
    if (values.prune === true) {
      const pruned = pruneRecordings(dir, (config as Config).recording, systemClock.now());
      for (const p of pruned) io.stdout.write(`deleted ${escapeControl(basename(p.file))} (${formatBytes(p.sizeBytes)}, ${p.reason})\n`);
      if (pruned.length === 0) io.stdout.write('nothing to prune\n');
    }
    const recordings = listRecordings(dir);
    if (recordings.length === 0) {
      io.stdout.write(`No recorded sessions in ${escapeControl(dir)} yet: the daemon records each session there while recording.enabled is true.\n`);
      return EXIT.ok;
    }
    io.stdout.write(formatRecordings(recordings));
    return EXIT.ok;
  },
};

/** An aligned table: text columns left, numbers right; an unreadable file shows its error. */
export function formatRecordings(recordings: readonly RecordingInfo[]): string {
  const header = ['START (KST)', 'END (KST)', 'FRAMES', 'SIZE', 'SESSION', 'FILE'];
  const rows = recordings.map((r) => [
    r.start === null ? '-' : formatKstDashed(r.start),
    r.error !== undefined ? 'unreadable' : r.end === null ? 'open or crashed' : formatKstDashed(r.end),
    r.error !== undefined ? '-' : String(r.frames),
    formatBytes(r.sizeBytes),
    escapeControl(r.sessionId ?? '-'),
    escapeControl(r.error !== undefined ? `${basename(r.file)} (${r.error})` : basename(r.file)),
  ]);
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((cells) => (cells[i] ?? '').length)));
  const right = new Set([2, 3]);
  return all
    .map((cells) => cells.map((c, i) => (right.has(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd())
    .map((line) => `${line}\n`)
    .join('');
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}
