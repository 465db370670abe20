import { readdirSync, readFileSync, statSync } from 'node:fs';
import { posix, relative, join } from 'node:path';

/**
 * The architecture rules of style.md as code: import direction between layers, no I/O in core, and
 * no ambient time or randomness in deterministic code.
 */
export interface SourceFile {
  /** Repo-relative POSIX path, e.g. `src/core/clock.ts`. */
  readonly path: string;
  readonly text: string;
}

export interface Violation {
  readonly file: string;
  readonly line: number;
  readonly rule: 'import-direction' | 'forbidden-package' | 'ambient-time';
  readonly message: string;
}

type Layer = 'core' | 'net' | 'pipeline' | 'engine' | 'state' | 'strategies' | 'sim' | 'config' | 'observability' | 'app' | `adapter:${string}`;

export function layerOf(path: string): Layer | undefined {
  if (path.startsWith('src/core/')) return 'core';
  if (path.startsWith('src/net/')) return 'net';
  if (path.startsWith('src/pipeline/')) return 'pipeline';
  if (path.startsWith('src/engine/')) return 'engine';
  if (path.startsWith('src/sim/')) return 'sim';
  if (path.startsWith('src/config/')) return 'config';
  if (path.startsWith('src/observability/')) return 'observability';
  if (path.startsWith('src/app/') || path.startsWith('src/cli/') || path.startsWith('src/research/') || path === 'src/cli.ts') return 'app';
  const adapter = /^src\/adapters\/([^/]+)\//.exec(path);
  if (adapter) return `adapter:${adapter[1]}`;
  if (path.startsWith('state/')) return 'state';
  if (path.startsWith('strategies/')) return 'strategies';
  return undefined;
}

/** Which project layers each layer may import (besides itself). */
const ALLOWED_LAYERS: Record<string, readonly string[]> = {
  core: [],
  state: ['core'],
  strategies: ['core'],
  pipeline: ['core'],
  engine: ['core'],
  sim: ['core'],
  config: ['core'],
  observability: ['core', 'config'],
  // One network layer under every broker adapter: transport, retry loop, outcome tables.
  net: ['core'],
  adapter: ['core', 'net'],
};

/** Packages a layer may use; undefined = any. Node builtins count as packages here. */
const ALLOWED_PACKAGES: Record<string, readonly string[] | undefined> = {
  core: ['zod', '@sinonjs/fake-timers', 'rxjs', 'trading-signals'],
  state: ['xstate'],
  strategies: ['zod'],
  pipeline: ['rxjs', 'zod'],
  engine: ['rxjs', 'zod'],
};

/** Deterministic code: time only from the Clock port, randomness only from the Random port. */
const DETERMINISTIC_PREFIXES = ['src/core/', 'src/pipeline/', 'src/engine/', 'src/sim/', 'state/', 'strategies/'];

const AMBIENT_PATTERNS: ReadonlyArray<{ re: RegExp; what: string }> = [
  { re: /\bDate\.now\s*\(/, what: 'Date.now()' },
  { re: /\bnew Date\s*\(\s*\)/, what: 'new Date()' },
  { re: /(?<![.\w$])setTimeout\s*\(/, what: 'setTimeout(' },
  { re: /(?<![.\w$])setInterval\s*\(/, what: 'setInterval(' },
  { re: /(?<![.\w$])setImmediate\s*\(/, what: 'setImmediate(' },
  { re: /\bMath\.random\s*\(/, what: 'Math.random()' },
  { re: /\bperformance\.now\s*\(/, what: 'performance.now()' },
];

const CLOCK_OK = /\/\/\s*clock-ok:\s*\S/;

export function checkImports(files: readonly SourceFile[]): Violation[] {
  const out: Violation[] = [];
  for (const file of files) {
    const layer = layerOf(file.path);
    if (!layer) continue;
    const family = layer.startsWith('adapter:') ? 'adapter' : layer;
    for (const { spec, line } of importsOf(file.text)) {
      if (spec.startsWith('.')) {
        const target = posix.normalize(posix.join(posix.dirname(file.path), spec));
        const targetLayer = layerOf(target.replace(/\.js$/, '.ts'));
        if (!targetLayer || targetLayer === layer || family === 'app') continue;
        const allowed = ALLOWED_LAYERS[family] ?? [];
        if (!allowed.includes(targetLayer)) {
          out.push({ file: file.path, line, rule: 'import-direction', message: `${layer} must not import ${targetLayer} (${spec})` });
        }
      } else {
        // design.md §5.2: the Redis client lives in the bus adapter only.
        if (/^(redis|@redis\/)/.test(spec) && layer !== 'adapter:bus') {
          out.push({ file: file.path, line, rule: 'forbidden-package', message: `only src/adapters/bus may import '${spec}'` });
          continue;
        }
        const allowedPackages = ALLOWED_PACKAGES[family];
        if (!allowedPackages) continue;
        const pkg = packageName(spec);
        if (!allowedPackages.includes(pkg)) {
          out.push({ file: file.path, line, rule: 'forbidden-package', message: `${layer} must not import '${spec}'` });
        }
      }
    }
  }
  return out;
}

export function checkAmbientTime(files: readonly SourceFile[]): Violation[] {
  const out: Violation[] = [];
  for (const file of files) {
    if (!DETERMINISTIC_PREFIXES.some((p) => file.path.startsWith(p))) continue;
    file.text.split('\n').forEach((text, i) => {
      const trimmed = text.trim();
      if (trimmed.startsWith('//') || trimmed.startsWith('*') || trimmed.startsWith('/*')) return;
      if (CLOCK_OK.test(text)) return;
      // A method signature in an interface (`setTimeout(fn: () => void, ms: number): TimerHandle;`) calls nothing.
      if (/^\s*\w+\s*\(.*\)\s*:\s*[^=]+;\s*$/.test(text)) return;
      const code = text.replace(/\/\/.*$/, '');
      for (const { re, what } of AMBIENT_PATTERNS) {
        if (re.test(code)) {
          out.push({ file: file.path, line: i + 1, rule: 'ambient-time', message: `${what} in deterministic code: use the Clock/Random port or mark the line // clock-ok: <reason>` });
        }
      }
    });
  }
  return out;
}

function importsOf(text: string): Array<{ spec: string; line: number }> {
  const found: Array<{ spec: string; line: number }> = [];
  const patterns = [/\bfrom\s+['"]([^'"]+)['"]/g, /\bimport\s+['"]([^'"]+)['"]/g, /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g];
  for (const re of patterns) {
    for (const m of text.matchAll(re)) {
      const line = text.slice(0, m.index).split('\n').length;
      const lineText = text.split('\n')[line - 1] ?? '';
      if (/^\s*(\/\/|\/?\*)/.test(lineText)) continue;
      found.push({ spec: m[1] as string, line });
    }
  }
  return found;
}

function packageName(spec: string): string {
  const bare = spec.replace(/^node:/, '');
  if (spec.startsWith('@')) return spec.split('/').slice(0, 2).join('/');
  if (spec.startsWith('node:')) return spec;
  return bare.split('/')[0] as string;
}

/** Every .ts file of the checked roots, as repo-relative POSIX paths. */
export function readSourceTree(root: string, dirs: readonly string[] = ['src', 'state', 'strategies']): SourceFile[] {
  const files: SourceFile[] = [];
  const walk = (dir: string): void => {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of entries) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith('.ts')) files.push({ path: relative(root, full).split('\\').join('/'), text: readFileSync(full, 'utf8') });
    }
  };
  for (const d of dirs) walk(join(root, d));
  return files;
}
