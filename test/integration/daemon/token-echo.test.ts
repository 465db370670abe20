import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { openRecordingReader } from '../../../src/adapters/recording/index.js';
import { startDaemon } from '../../../src/app/daemon.js';
import { loadConfig } from '../../../src/config/load.js';
import { createVirtualClock } from '../../../src/core/virtual-clock.js';
import { createObservabilityServer } from '../../../src/observability/http-server.js';
import { createLogger } from '../../../src/observability/logger.js';
import { knownSecrets } from '../../../src/observability/secrets.js';

const START = Date.UTC(2026, 10, 20, 0, 0, 0);

describe('a token the broker echoes back (issued tokens are secrets too)', () => {
  it('never reaches the log, /healthz or the recording once issued', async () => {
    const clock = createVirtualClock(START);
    const dataDir = mkdtempSync(join(tmpdir(), 'krx-echo-'));
    let text = '';
    const sink = new Writable({
      write(chunk: Buffer, _e, cb) {
        text += chunk.toString();
        cb();
      },
    });
    const config = loadConfig({ env: { KRX_DATA_DIR: dataDir, KRX_HTTP_PORT: '0' }, cwd: dataDir });
    const log = createLogger({ level: 'info', clock, destination: sink });
    const daemon = await startDaemon({ config, log, clock, version: 'test' });
    let token = '';
    try {
      // The simulator issues a real token over loopback; the daemon's token source hands it out.
      token = await daemon.tokens.kiwoom.getToken();
      expect(token.length).toBeGreaterThan(8);
      expect(knownSecrets()).toContain(token);

      // The broker echoes it: in an answer's message, which reaches a log line and a health reason...
      const echoed = `{"return_code":3,"return_msg":"token ${token} is not valid for this app"}`;
      log.child({ component: 'kiwoom-rest' }).warn({ code: 'E_AUTH_TOKEN', body: echoed }, `rejected: ${echoed}`);
      const server = createObservabilityServer({ host: '127.0.0.1', port: 0, health: () => ({ healthy: false, reasons: [`kiwoom token failed: ${echoed}`] }), metrics: () => `# HELP krx_x ${token}\n` });
      const { url } = await server.start();
      const health = await (await fetch(`${url}/healthz`)).text();
      const metrics = await (await fetch(`${url}/metrics`)).text();
      await server.close();
      expect(health).toContain('[redacted]');
      expect(health).not.toContain(token);
      expect(metrics).not.toContain(token);

      // ...and in a recorded REST answer, which the recorder refuses.
      const before = daemon.recording!.stats().refused;
      daemon.recording!.append('rest', JSON.stringify({ api: 'ka10001', request: {}, response: { return_msg: `echo ${token}` } }), clock.now() * 1000);
      expect(daemon.recording!.stats().refused).toBe(before + 1);
    } finally {
      await daemon.stop('test over');
    }
    expect(text).toContain('[redacted]');
    expect(text).not.toContain(token);
    const reader = openRecordingReader(daemon.recording!.file);
    const frames = [...reader.frames()].map((f) => f.data).join('\n');
    reader.close();
    expect(frames.length).toBeGreaterThan(0);
    expect(frames).not.toContain(token);
  }, 30_000);
});
