import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../src/cli/main.js';
import { runBinary, runCli } from '../../support/cli.js';

const CANARY = {
  KIWOOM_APPKEY: 'CANARY-kiwoom-appkey-7f3a9',
  KIWOOM_SECRETKEY: 'CANARY-kiwoom-secret-41be2',
  KIS_APPKEY: 'CANARY-kis-appkey-0c8d1',
  KIS_APPSECRET: 'CANARY-kis-appsecret-9a77e',
  KIS_HTS_ID: 'CANARY-hts-id',
};

describe('the CLI', () => {
  it('lists every command in --help', async () => {
    const { code, stdout } = await runCli(['--help']);
    expect(code).toBe(0);
    for (const name of ['start', 'sim', 'replay', 'signals', 'sessions', 'config']) expect(stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
  });

  it('gives every command its own --help', async () => {
    for (const command of COMMANDS) {
      const { code, stdout } = await runCli([command.name, '--help']);
      expect(code).toBe(0);
      expect(stdout).toMatch(new RegExp(`^Usage: krx-signals ${command.name}`));
    }
  });

  it('rejects an unknown command or flag with one line and exit code 2', async () => {
    const unknown = await runCli(['launch']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe("krx-signals: unknown command 'launch' (see krx-signals --help)\n");
    const flag = await runCli(['config', '--verbose']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toBe('krx-signals: config: unknown option --verbose (see krx-signals config --help)\n');
    const extra = await runCli(['config', 'surplus']);
    expect(extra.code).toBe(2);
    expect(extra.stderr.split('\n')).toHaveLength(2);
  });

  it('prints the effective config with secrets redacted', async () => {
    const { code, stdout, stderr } = await runCli(['config'], CANARY);
    expect(code).toBe(0);
    const printed = JSON.parse(stdout) as { mode: string; credentials: { kiwoom: unknown; kis: unknown } };
    expect(printed.mode).toBe('live');
    expect(printed.credentials.kiwoom).toEqual({ appkey: '[redacted]', secretkey: '[redacted]' });
    for (const secret of Object.values(CANARY)) expect(stdout + stderr).not.toContain(secret);
  });

  it('exits 2 on bad config with one line per problem and no secret', async () => {
    const { code, stdout, stderr } = await runCli(['config'], { ...CANARY, KIWOOM_REST_URL: CANARY.KIWOOM_SECRETKEY, KRX_HTTP_PORT: 'x' });
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toEqual([
      'krx-signals: config: kiwoom.restUrl (from KIWOOM_REST_URL): Invalid URL',
      'krx-signals: config: http.port (from KRX_HTTP_PORT): Invalid input: expected number, received string',
    ]);
    for (const secret of Object.values(CANARY)) expect(stdout + stderr).not.toContain(secret);
  });

  it('asks which recording to replay', async () => {
    const { code, stderr } = await runCli(['replay']);
    expect(code).toBe(2);
    expect(stderr).toBe('krx-signals: replay: which recording? (see krx-signals sessions)\n');
    const speed = await runCli(['replay', 'x.rec.db', '--speed', 'fast']);
    expect(speed.code).toBe(2);
  });

  it('runs as the real binary', async () => {
    const help = await runBinary(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^  sessions /m);
    const config = await runBinary(['config'], CANARY);
    expect(config.code).toBe(0);
    for (const secret of Object.values(CANARY)) expect(config.stdout + config.stderr).not.toContain(secret);
    const bad = await runBinary(['start', '--bogus']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });
});
