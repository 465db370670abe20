import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { SIM_KIWOOM_APPKEY, SIM_KIWOOM_SECRETKEY } from '../../../src/sim/index.js';
import { runCli } from '../../support/cli.js';
import { startCli } from './helpers.js';

describe('krx-signals sim', () => {
  it('serves the simulator until stopped, prints how to use it, then exits 0', async () => {
    const cli = startCli(['sim', '--port', '0', '--seed', '7', '--trades-per-second', '5']);
    const line = await cli.firstLine();
    const rest = /KIWOOM_REST_URL=(http:\/\/127\.0\.0\.1:\d+) /.exec(line)?.[1];
    expect(rest).toBeDefined();
    expect(line).toMatch(/KIWOOM_WS_URL=ws:\/\/127\.0\.0\.1:\d+\/api\/dostk\/websocket /);
    expect(line).toContain(`KIS_REST_URL=${rest} `);
    expect(line).toContain(`KIWOOM_APPKEY=${SIM_KIWOOM_APPKEY} `);
    expect(line).toMatch(/KIS_HTS_ID=\S+ krx-signals start$/);

    const res = await fetch(`${rest}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json;charset=UTF-8' },
      body: JSON.stringify({ grant_type: 'client_credentials', appkey: SIM_KIWOOM_APPKEY, secretkey: SIM_KIWOOM_SECRETKEY }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ return_code: 0, token_type: 'bearer' });

    cli.stop();
    expect(await cli.done).toBe(0);
    expect(cli.stdout().split('\n')).toHaveLength(2); // one line
    await expect(fetch(`${rest}/oauth2/token`, { method: 'POST', body: '{}' })).rejects.toThrow(); // closed
  });

  it('fails with one line and exit 1 when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const { code, stdout, stderr } = await runCli(['sim', '--port', String(port)]);
      expect(code).toBe(1);
      expect(stdout).toBe('');
      expect(stderr).toMatch(new RegExp(`^krx-signals sim: cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE.*\\n$`));
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });

  it('rejects bad flag values with exit 2', async () => {
    for (const argv of [
      ['sim', '--port', '70000'],
      ['sim', '--port', 'x'],
      ['sim', '--trades-per-second', '0'],
      ['sim', '--host', 'a b'],
      ['sim', '--bogus'],
    ]) {
      const { code, stderr } = await runCli(argv);
      expect(code, argv.join(' ')).toBe(2);
      expect(stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
