import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const ROOT = resolve(import.meta.dirname, '../../..');

/**
 * Transpiles `entries` (repo-relative .ts paths) and every relative import they reach into
 * `outDir` (same layout, .js), so a child `node` process can run the real TypeScript sources on
 * Node 20 without a loader. Bare imports resolve through a node_modules symlink to the repo's.
 * Returns the absolute path of each entry's output.
 */
export function transpileForChild(entries: readonly string[], outDir: string): string[] {
  const seen = new Set<string>();
  const pending = entries.map((e) => resolve(ROOT, e));
  while (pending.length > 0) {
    const file = pending.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    const out = ts.transpileModule(source, {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2023, verbatimModuleSyntax: true },
    }).outputText;
    const target = join(outDir, relative(ROOT, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, out);
    // Follow relative imports of the emitted JS (type-only imports are already gone).
    for (const m of out.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)\.js['"]/g)) {
      pending.push(resolve(dirname(file), `${m[1] ?? ''}.ts`));
    }
  }
  try {
    symlinkSync(join(ROOT, 'node_modules'), join(outDir, 'node_modules'), 'dir');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return entries.map((e) => join(outDir, e).replace(/\.ts$/, '.js'));
}
