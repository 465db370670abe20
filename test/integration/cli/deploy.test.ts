import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../../src/cli/exit-codes.js';
import { repoRoot, runCli } from '../../support/cli.js';

const CREDS = { KIWOOM_APPKEY: 'deploy-test-appkey', KIWOOM_SECRETKEY: 'deploy-test-secret' };

async function takenPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as { port: number }).port, server };
}

function configFile(dir: string, settings: Record<string, unknown>): string {
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify({ dataDir: join(dir, 'data'), ...settings }));
  return file;
}

describe('shipped deploy files', () => {
  it('the deploy config does not use mode auto: a production install without credentials exits 2 naming them', async () => {
    const deployConfig = join(repoRoot, 'deploy', 'krx-signals.json');
    expect((JSON.parse(readFileSync(deployConfig, 'utf8')) as { mode: string }).mode).toBe('live');
    const missing = await runCli(['config', '--config', deployConfig], { NODE_ENV: 'production' });
    expect(missing.code).toBe(EXIT.usage);
    expect(missing.stderr).toContain('KIWOOM_APPKEY and KIWOOM_SECRETKEY');
    const present = await runCli(['config', '--config', deployConfig], CREDS);
    expect(present.code).toBe(0);
    expect(JSON.parse(present.stdout)).toMatchObject({ mode: 'live' });
  });

  it('mode auto with NODE_ENV=production and no credentials refuses to run the simulator (exit 2)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'krx-deploy-'));
    const out = await runCli(['config', '--config', configFile(dir, { mode: 'auto' })], { NODE_ENV: 'production' });
    expect(out.code).toBe(EXIT.usage);
    expect(out.stderr).toContain('mode: auto found no KIWOOM_APPKEY/KIWOOM_SECRETKEY with NODE_ENV=production');
    expect((await runCli(['config', '--config', configFile(dir, { mode: 'auto' })], {})).code).toBe(0);
  });

  it('the systemd unit names the rule: restart on every exit but 2 (bad configuration); files 0600', () => {
    const unit = readFileSync(join(repoRoot, 'deploy', 'krx-signals.service'), 'utf8');
    const settings = (key: string): string[] => unit.split('\n').filter((l) => l.startsWith(`${key}=`)).map((l) => l.slice(key.length + 1));
    expect(settings('Restart')).toEqual(['always']);
    expect(settings('RestartPreventExitStatus')).toEqual([String(EXIT.usage)]);
    expect(settings('UMask')).toEqual(['0077']);
  });

  it('the compose file restarts after any exit', () => {
    const compose = readFileSync(join(repoRoot, 'deploy', 'docker-compose.yml'), 'utf8');
    expect(compose).toMatch(/^\s+restart: unless-stopped$/m);
  });
});

describe('a taken port exits 1 (not 2, which means bad config), before any recording or token', () => {
  it('start with its health port taken exits 1 and has opened nothing in the data dir', async () => {
    const { port, server } = await takenPort();
    try {
      const dir = mkdtempSync(join(tmpdir(), 'krx-port-'));
      const out = await runCli(['start', '--config', configFile(dir, { mode: 'sim', http: { host: '127.0.0.1', port } })], {}, dir);
      expect(out.code).toBe(EXIT.failure);
      expect(out.stderr).toMatch(/cannot listen on 127\.0\.0\.1:\d+.*EADDRINUSE.*\[E_LISTEN\]/);
      expect(existsSync(join(dir, 'data', 'recordings'))).toBe(false);
      expect(existsSync(join(dir, 'data', 'signals.db'))).toBe(false);
    } finally {
      server.close();
    }
  });

  it('sim and start agree: the simulator port taken exits 1 for both', async () => {
    const { port, server } = await takenPort();
    try {
      const dir = mkdtempSync(join(tmpdir(), 'krx-port-'));
      const config = configFile(dir, { mode: 'sim', sim: { port }, http: { enabled: false } });
      const sim = await runCli(['sim', '--config', config], {}, dir);
      const start = await runCli(['start', '--config', config], {}, dir);
      expect(sim.code).toBe(EXIT.failure);
      expect(start.code).toBe(EXIT.failure);
      expect(start.stderr).toContain('E_SIM_LISTEN');
      expect(existsSync(join(dir, 'data', 'recordings'))).toBe(false);
    } finally {
      server.close();
    }
  });
});
