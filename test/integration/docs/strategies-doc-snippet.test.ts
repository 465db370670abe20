import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot, runBinary } from '../../support/cli.js';
import { markedBlock } from '../../support/doc-blocks.js';

const work = mkdtempSync(join(tmpdir(), 'krx-doc-snippet-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/**
 * Issue 20 item 20: docs/strategies.md works as written. Its two marked TypeScript blocks (the strategy
 * file and its test, `<!-- doc-test: ... -->`) are written where the doc says (data/strategies/mine.ts and
 * mine.test.ts), loaded by the real binary with their documented imports (`krx-signals/sdk`, zod,
 * `krx-signals/sdk/testing`: no build step), and the test is run by `krx-signals strategies test`.
 */
describe('docs/strategies.md: the TypeScript snippets load and their test passes', () => {
  const doc = readFileSync(join(repoRoot, 'docs', 'strategies.md'), 'utf8');
  const strategy = markedBlock(doc, 'strategy');
  const test = markedBlock(doc, 'strategy-test');
  const id = /id: '([a-z0-9-]+)'/.exec(strategy.code)?.[1];

  it('the blocks are TypeScript, the strategy has an id and the test imports it as ./mine.js', () => {
    expect([strategy.lang, test.lang]).toEqual(['ts', 'ts']);
    expect(id).toBeDefined();
    expect(test.code).toContain("from './mine.js'");
  });

  it('the strategy block loads from the folder and the test block passes under krx-signals strategies test', async () => {
    const folder = join(work, 'data', 'strategies');
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'mine.ts'), strategy.code);
    writeFileSync(join(folder, 'mine.test.ts'), test.code);
    const listed = await runBinary(['strategies', '--format', 'json'], {}, work);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stderr).toBe('');
    expect(listed.stdout).toContain(`"${id}"`);
    const tested = await runBinary(['strategies', 'test'], {}, work);
    expect(tested.code, tested.stdout + tested.stderr).toBe(0);
  }, 120_000);
});
