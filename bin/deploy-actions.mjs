#!/usr/bin/env node
// @ts-check
// deploy-actions: runs any action of this repository outside GitHub, e.g.
//   npx deploy-actions smoke-test --url https://api.example.com/health --expect-status 200
// See `deploy-actions --help`. JSDoc-typed ESM JavaScript (checked by `npm run typecheck`), so it
// runs without a build step.
import { createRequire } from 'node:module';

// A fresh clone has no node_modules yet: one line saying what to run, not a module stack trace.
try {
  createRequire(import.meta.url).resolve('yaml');
} catch {
  const root = new URL('..', import.meta.url).pathname;
  process.stderr.write(
    `deploy-actions: its npm dependencies are not installed; run \`npm ci\` in ${root} first.\n`,
  );
  process.exit(1);
}
const { main } = await import('./lib/cli.mjs');

process.exitCode = await main(process.argv.slice(2));
