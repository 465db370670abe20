import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idsIn, startFakeChatServers, type FakeChatServers } from '../../support/fake-chat-servers.js';
import { makeTempDir } from '../../support/store/fixtures.js';
import { transpileForChild } from '../../support/store/transpile.js';

const CHILD = join(import.meta.dirname, '../../support/notify/notify-child.mjs');
const ENTRIES = {
  store: 'src/adapters/store/index.ts',
  notifier: 'src/app/notify/notifier.ts',
  routing: 'src/app/notify/routing.ts',
  schema: 'src/config/notify-schema.ts',
  clock: 'src/core/virtual-clock.ts',
  random: 'src/core/random.ts',
};

describe('SIGKILL mid-delivery, then a restart', () => {
  const tmp = makeTempDir('krx-notify-kill-');
  let modules: Record<string, string>;
  let fake: FakeChatServers;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    const out = transpileForChild(Object.values(ENTRIES), join(tmp.dir, 'js'));
    modules = Object.fromEntries(Object.keys(ENTRIES).map((k, i) => [k, out[i] as string]));
    let n = 0;
    fake = await startFakeChatServers({ now: () => n++ });
  });
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await fake.close();
    tmp.cleanup();
  });

  const start = (): { child: ChildProcess; exited: Promise<NodeJS.Signals | null> } => {
    const child = spawn(process.execPath, [CHILD, JSON.stringify(modules), join(tmp.dir, 'signals.db'), fake.webhookUrl, fake.hmacKey], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve(signal) : reject(new Error(`child exited ${code}: ${stderr}`))));
    });
    return { child, exited };
  };

  it('loses nothing and repeats at most the in-flight message; the receiver dedupes by id', { timeout: 60_000 }, async () => {
    // The 10th request is received and never answered; the child is killed while waiting for it.
    let first: ChildProcess | undefined;
    const killedMidSend = new Promise<void>((resolve) => {
      fake.setScript((service, call) => {
        if (service === 'webhook' && call === 10) {
          first?.kill('SIGKILL');
          resolve();
          return { status: 0, hang: true };
        }
        return undefined;
      });
    });
    const a = start();
    first = a.child;
    await killedMidSend;
    expect(await a.exited).toBe('SIGKILL');
    const beforeRestart = fake.all('webhook').flatMap(idsIn);
    expect(beforeRestart).toHaveLength(10);

    fake.setScript(() => undefined);
    const b = start();
    await new Promise<void>((resolve) => {
      const check = (): void => {
        if (new Set(fake.delivered('webhook').flatMap(idsIn)).size >= 30) resolve();
        else setImmediate(check);
      };
      check();
    });
    b.child.kill('SIGKILL');
    await b.exited;

    const all = fake.all('webhook').flatMap(idsIn);
    const want = Array.from({ length: 30 }, (_, i) => `kill-${String(i).padStart(2, '0')}`);
    // Sent: 0..9 (9 in flight at the kill), then 9 again and 10..29 after the restart.
    expect(all).toEqual([...want.slice(0, 10), ...want.slice(9)]);
    const deduped = all.filter((id, i) => all.indexOf(id) === i);
    expect(deduped).toEqual(want);
    expect(fake.all('webhook').every((r) => r.signatureOk === true)).toBe(true);
  });
});
