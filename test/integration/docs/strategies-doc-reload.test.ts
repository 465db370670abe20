import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runCli } from '../../support/cli.js';
import { startCli } from '../cli/helpers.js';

/** The sh block under a heading of docs/strategies.md: its commands, comments and blank lines dropped. */
function shBlock(doc: string, heading: string): string[] {
  const at = doc.indexOf(heading);
  const block = /```sh\n([\s\S]*?)```/.exec(doc.slice(at))?.[1] ?? '';
  return block.split('\n').map((l) => l.replace(/\s+#.*$/, '').trim()).filter((l) => l !== '' && !l.startsWith('#'));
}

async function until(check: () => boolean, ms: number): Promise<void> {
  const deadline = performance.now() + ms;
  while (!check() && performance.now() < deadline) await new Promise((r) => setTimeout(r, 100));
}

describe('docs/strategies.md: hot reload, command by command', () => {
  it('start --config my.json, edit mine.ts, reload --config my.json: mine replaced, the other untouched; a broken edit rejected with its path', async () => {
    const doc = readFileSync(join(repoRoot, 'docs', 'strategies.md'), 'utf8');
    expect(shBlock(doc, '## 4. Swap it while the daemon runs')).toEqual(['npx krx-signals start --config my.json', 'npx krx-signals reload --config my.json']);
    const cwd = mkdtempSync(join(tmpdir(), 'krx-doc-reload-'));
    mkdirSync(join(cwd, 'data', 'strategies'), { recursive: true });
    const mine = join(cwd, 'data', 'strategies', 'mine.ts');
    copyFileSync(join(repoRoot, 'templates', 'strategy.ts'), mine);
    writeFileSync(join(cwd, 'my.json'), JSON.stringify({ strategies: [{ id: 'mine' }, { id: 'program-momentum' }] }));

    const daemon = startCli(['start', '--config', 'my.json'], { KRX_HTTP_PORT: '0' }, cwd);
    try {
      await until(() => daemon.stdout().includes('"event":"daemon.started"'), 60_000);
      expect(daemon.stdout()).toContain('"event":"daemon.started"');

      // Edit: a new version of mine.
      writeFileSync(mine, readFileSync(mine, 'utf8').replace("version: '1.0.0'", "version: '1.1.0'"));
      const reload = await runCli(['reload', '--config', 'my.json'], {}, cwd);
      expect(reload.code, reload.stderr).toBe(0);
      expect(reload.stdout).toBe('reloaded: started mine; stopped mine; unchanged program-momentum\n');

      // A broken edit: rejected with its path and line, 1.1.0 keeps running.
      writeFileSync(mine, readFileSync(mine, 'utf8').replace("version: '1.1.0',", "version: '1.2.0',,"));
      const rejected = await runCli(['reload', '--config', 'my.json'], {}, cwd);
      expect(rejected.code).toBe(1);
      expect(rejected.stdout).toMatch(new RegExp(`^reloaded: nothing applied\\nrejected ${mine.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+: .+ \\(mine keeps its running version\\)\\n$`));
      expect(daemon.stdout()).toContain('"code":"E_STRATEGY_RELOAD_REJECTED"');
    } finally {
      daemon.stop();
      expect(await daemon.done).toBe(0);
    }
    // The connection was never dropped: one "subscribed" per socket, and no reconnect line.
    expect(daemon.stdout()).not.toContain('reconnecting in');
  }, 120_000);

  it('reload with no daemon on the data directory exits 1 and says so', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'krx-doc-reload-none-'));
    const r = await runCli(['reload'], {}, cwd);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no daemon runs on');
  });
});
