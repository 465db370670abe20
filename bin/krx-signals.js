#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (built by `npm ci` through the prepare script).
// Before the import: stack traces then point at the TypeScript sources through dist/'s .map files.
process.setSourceMapsEnabled(true);
import('../dist/src/cli.js').catch((err) => {
  process.stderr.write(`krx-signals: cannot load the compiled CLI (run \`npm run build\`): ${err.message}\n`);
  process.exit(1);
});
