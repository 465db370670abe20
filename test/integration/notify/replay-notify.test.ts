import Database from 'better-sqlite3';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.js';
import { idsIn, startFakeChatServers, type FakeChatServers } from '../../support/fake-chat-servers.js';
import { FIXTURE_DIR } from '../../support/record-fixtures.js';
import { packageRoot } from '../../../src/config/package-root.js';
import { makeTempDir } from '../../support/store/fixtures.js';

/** Replay never notifies unless --notify; then every replayed signal is sent once, marked as a replay. */
describe('replay and notifications', () => {
  const tmp = makeTempDir('krx-replay-notify-');
  let fake: FakeChatServers;
  let config: string;
  let recording: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    let n = 0;
    fake = await startFakeChatServers({ now: () => n++ });
    recording = join(tmp.dir, 'faults.rec.db');
    writeFileSync(recording, gunzipSync(readFileSync(join(FIXTURE_DIR, 'sim-faults-2min.rec.db.gz'))));
    config = join(tmp.dir, 'config.json');
    // The shipped config's strategies (the fixture was recorded with them) plus one webhook sink.
    const base = JSON.parse(readFileSync(join(packageRoot(), 'config', 'default.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(config, JSON.stringify({ ...base, mode: 'sim', dataDir: tmp.dir, notify: { sinks: [{ type: 'webhook', name: 'mine', batchMax: 100, perSecond: 50 }] } }));
    env = { KRX_WEBHOOK_URL: fake.webhookUrl, KRX_WEBHOOK_HMAC_KEY: fake.hmacKey };
  });
  afterAll(async () => {
    await fake.close();
    tmp.cleanup();
  });

  it('sends nothing without --notify, and every replayed signal once, marked as a replay, with it', { timeout: 60_000 }, async () => {
    const quiet = await runCli(['replay', recording, '--db', join(tmp.dir, 'a.db'), '--config', config], env, tmp.dir);
    expect(quiet.code).toBe(0);
    expect(fake.all()).toHaveLength(0);

    const loud = await runCli(['replay', recording, '--db', join(tmp.dir, 'b.db'), '--config', config, '--notify'], env, tmp.dir);
    expect(loud.stderr).toBe('');
    expect(loud.code).toBe(0);
    const db = new Database(join(tmp.dir, 'b.db'), { readonly: true });
    const replayed = db.prepare('SELECT id FROM signals').pluck().all() as string[];
    db.close();
    const golden = replayed;
    expect(golden.length).toBeGreaterThan(10);
    expect(loud.stdout).toContain(`notify mine: ${golden.length} delivered, 0 pending, 0 failed`);
    const got = fake.delivered('webhook');
    expect(got.flatMap(idsIn).sort()).toEqual([...golden].sort());
    const items = got.flatMap((r) => r.json['items'] as { replay: boolean }[]);
    expect(items.every((i) => i.replay === true)).toBe(true);
    expect(got.every((r) => r.signatureOk === true)).toBe(true);

    const signals = await runCli(['signals', '--db', join(tmp.dir, 'b.db')], {}, tmp.dir);
    expect(signals.stdout.split('\n')[1]).toMatch(/\sreplay\s/);
  });
});
