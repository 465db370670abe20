import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../support/cli.js';
import { markedBlock } from '../../support/doc-blocks.js';

const work = mkdtempSync(join(tmpdir(), 'krx-doc-snippet-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Writes `text` at `rel` inside the scratch copy of the repository's layout. */
function put(rel: string, text: string): string {
  const file = join(work, rel);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
}
function link(rel: string): void {
  mkdirSync(dirname(join(work, rel)), { recursive: true });
  symlinkSync(join(repoRoot, rel), join(work, rel));
}

/**
 * Issue 20 item 20: docs/strategies.md works as written. Its two marked TypeScript blocks (the strategy
 * file and its test, `<!-- doc-test: ... -->`) are written where the doc says (strategies/<id>.ts,
 * test/unit/strategies/<id>.test.ts) in a copy of the repository's layout, type-checked with the
 * project's compiler options (the build step), and the test is run by vitest, as a reader would.
 */
describe('docs/strategies.md: the TypeScript snippets compile and their test passes', () => {
  const doc = readFileSync(join(repoRoot, 'docs', 'strategies.md'), 'utf8');
  const strategy = markedBlock(doc, 'strategy');
  const test = markedBlock(doc, 'strategy-test');
  // The test block names the strategy file it imports: that is where the strategy block goes.
  const name = /from '\.\.\/\.\.\/\.\.\/strategies\/([a-z0-9-]+)\.js'/.exec(test.code)?.[1];
  const strategyFile = `strategies/${name}.ts`;
  const testFile = `test/unit/strategies/${name}.test.ts`;

  it('the blocks are TypeScript and the test imports the strategy', () => {
    expect([strategy.lang, test.lang]).toEqual(['ts', 'ts']);
    expect(name).toBeDefined();
  });

  it('build step: both type-check under the project compiler options (strict)', () => {
    put(strategyFile, strategy.code);
    put(testFile, test.code);
    for (const rel of ['package.json', 'src', 'node_modules', 'test/unit/engine/fixtures.ts']) link(rel);
    put('tsconfig.json', JSON.stringify({ extends: join(repoRoot, 'tsconfig.json'), compilerOptions: { noEmit: true, rootDir: '/' }, include: [strategyFile, testFile] }));
    const tsc = spawnSync(process.execPath, [join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(work, 'tsconfig.json')], { encoding: 'utf8' });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  }, 180_000);

  it('the test block passes under vitest', () => {
    const run = spawnSync(process.execPath, [join(repoRoot, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--root', work, testFile], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(run.stdout, run.stderr).toMatch(/Tests\s+1 passed \(1\)/);
    expect(run.status).toBe(0);
  }, 120_000);
});
