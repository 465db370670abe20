import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkAmbientTime, checkImports, readSourceTree, type SourceFile } from './rules.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('the architecture rules catch planted violations', () => {
  it('flags a wrong import arrow', () => {
    const planted: SourceFile[] = [
      { path: 'strategies/bad.ts', text: "import { openSignalStore } from '../src/adapters/store/signal-store.js';" },
      { path: 'src/engine/bad.ts', text: "import { x } from '../adapters/kiwoom/rest-client.js';" },
      { path: 'src/adapters/kiwoom/bad.ts', text: "import type { Db } from '../store/db.js';" },
      { path: 'src/core/bad.ts', text: "import { loadConfig } from '../config/load.js';" },
      { path: 'state/bad.ts', text: "import {\n  host,\n} from '../src/engine/host.js';" },
    ];
    const found = checkImports(planted);
    expect(found.map((v) => `${v.file}:${v.line}`)).toEqual([
      'strategies/bad.ts:1',
      'src/engine/bad.ts:1',
      'src/adapters/kiwoom/bad.ts:1',
      'src/core/bad.ts:1',
      'state/bad.ts:3',
    ]);
    expect(found.every((v) => v.rule === 'import-direction')).toBe(true);
  });

  it('flags I/O libraries in core, state, strategies, pipeline and engine', () => {
    const planted: SourceFile[] = [
      { path: 'src/core/io.ts', text: "import { readFileSync } from 'node:fs';" },
      { path: 'src/core/ws.ts', text: "import WebSocket from 'ws';" },
      { path: 'state/db.ts', text: "import Database from 'better-sqlite3';" },
      { path: 'strategies/http.ts', text: "const m = await import('undici');" },
      { path: 'src/pipeline/log.ts', text: "import { pino } from 'pino';" },
    ];
    expect(checkImports(planted).map((v) => v.rule)).toEqual(Array(5).fill('forbidden-package'));
  });

  it('allows the permitted arrows', () => {
    const fine: SourceFile[] = [
      { path: 'strategies/ok.ts', text: "import { defineStrategy } from '../src/core/strategy.js';\nimport { z } from 'zod';" },
      { path: 'state/ok.ts', text: "import { setup } from 'xstate';\nimport type { Clock } from '../src/core/clock.js';" },
      { path: 'src/app/ok.ts', text: "import { x } from '../adapters/store/signal-store.js';" },
      { path: 'src/adapters/store/ok.ts', text: "import Database from 'better-sqlite3';\nimport { a } from './b.js';" },
    ];
    expect(checkImports(fine)).toEqual([]);
  });

  it('flags ambient time and randomness in deterministic code unless marked clock-ok', () => {
    const planted: SourceFile[] = [
      { path: 'src/engine/t.ts', text: 'const t = Date.now();' },
      { path: 'strategies/r.ts', text: 'if (Math.random() > 0.5) {}' },
      { path: 'state/s.ts', text: 'setTimeout(() => {}, 10);' },
      { path: 'src/pipeline/d.ts', text: 'const d = new Date();' },
      { path: 'src/core/i.ts', text: 'setInterval(tick, 5);' },
    ];
    expect(checkAmbientTime(planted).map((v) => v.file)).toEqual(planted.map((f) => f.path));

    const allowed: SourceFile[] = [
      { path: 'src/engine/t.ts', text: 'const t = Date.now(); // clock-ok: measuring a benchmark' },
      { path: 'src/engine/c.ts', text: 'clock.setTimeout(fn, 5);\nconst d = new Date(ms);\n// Date.now() is forbidden here' },
      { path: 'src/adapters/store/x.ts', text: 'setImmediate(flush);' },
    ];
    expect(checkAmbientTime(allowed)).toEqual([]);
  });
});

describe('the source tree', () => {
  const files = readSourceTree(root);

  it('has sources to check', () => {
    expect(files.length).toBeGreaterThan(5);
  });

  it('follows the import direction', () => {
    expect(checkImports(files)).toEqual([]);
  });

  it('reads time and randomness only through ports in deterministic code', () => {
    expect(checkAmbientTime(files)).toEqual([]);
  });
});
