import { createServer } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createVirtualClock } from '../../../src/core/virtual-clock.js';
import { createLogger } from '../../../src/observability/logger.js';
import { runCli } from '../../support/cli.js';
import { parseStrictJson } from '../../support/strict-json.js';

const capture = (): { stream: Writable; text: () => string } => {
  let text = '';
  return {
    stream: new Writable({
      write(chunk: Buffer, _e, cb) {
        text += chunk.toString();
        cb();
      },
    }),
    text: () => text,
  };
};

const AT = Date.UTC(2026, 10, 20, 0, 1, 2, 345); // 09:01:02.345 KST

describe('logs a person reads (UTC times without a date, wrapped lines, duplicate JSON keys)', () => {
  it('pretty: one line per event within 80 columns, KST date and time, no JSON tail', () => {
    const out = capture();
    const log = createLogger({ level: 'info', clock: createVirtualClock(AT), pretty: true, destination: out.stream });
    log.child({ component: 'connection' }).warn({ code: 'E_WS_CLOSED', attempt: 3, detail: { a: 1 } }, `socket closed by the broker; reconnecting ${'with a long explanation '.repeat(5)}`);
    log.info({ event: 'daemon.started' }, 'daemon started');
    const lines = out.text().trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
    expect(lines[0]).toMatch(/^2026-11-20 09:01:02\.345 KST WARN  \[connection\] E_WS_CLOSED socket closed by the…$/);
    expect(lines[1]).toBe('2026-11-20 09:01:02.345 KST INFO  daemon started');
    expect(out.text()).not.toContain('attempt');
  });

  it('pretty --verbose: the fields follow the message', () => {
    const out = capture();
    const log = createLogger({ level: 'info', clock: createVirtualClock(AT), pretty: true, verbose: true, destination: out.stream });
    log.child({ component: 'connection' }).warn({ code: 'E_WS_CLOSED', attempt: 3 }, 'socket closed');
    expect(out.text()).toBe('2026-11-20 09:01:02.345 KST WARN  [connection] E_WS_CLOSED socket closed {"code":"E_WS_CLOSED","attempt":3}\n');
  });

  it('JSON lines carry each key once, even when a child binding and a field share a name', () => {
    const out = capture();
    const log = createLogger({ level: 'info', clock: createVirtualClock(AT), destination: out.stream });
    log.child({ component: 'http' }).error({ component: 'http', err: 'boom' }, 'observability request failed');
    const line = out.text().trimEnd();
    expect(() => parseStrictJson('{"a":1,"a":2}')).toThrow(/duplicate key "a"/);
    expect(parseStrictJson(line)).toEqual({ level: 'error', time: AT, component: 'http', err: 'boom', msg: 'observability request failed' });
  });

  it('--pretty=false and --no-pretty are accepted by start; --pretty=maybe is a usage error', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const dir = mkdtempSync(join(tmpdir(), 'krx-pretty-'));
      const config = join(dir, 'c.json');
      // A taken health port ends start at once (exit 1) after the arguments were accepted.
      writeFileSync(config, JSON.stringify({ mode: 'sim', dataDir: join(dir, 'data'), http: { host: '127.0.0.1', port } }));
      for (const flag of ['--pretty=false', '--no-pretty', '--pretty=true', '--pretty']) {
        const out = await runCli(['start', flag, '--config', config], {}, dir);
        expect(out.code, `${flag}: ${out.stderr}`).toBe(1);
      }
      // --pretty=false: JSON lines, each a strict JSON object.
      const noPretty = await runCli(['start', '--pretty=false', '--config', config], {}, dir);
      const lines = noPretty.stdout.trimEnd().split('\n');
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) expect(parseStrictJson(line)).toMatchObject({ level: expect.any(String) });
      const pretty = await runCli(['start', '--pretty=true', '--config', config], {}, dir);
      expect(pretty.stdout).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3} KST INFO  configuration from/);
      expect((await runCli(['start', '--pretty=maybe', '--config', config], {}, dir)).code).toBe(2);
    } finally {
      blocker.close();
    }
  });
});
