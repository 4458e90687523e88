#!/usr/bin/env node
// @ts-check
// deploy-actions: runs any action of this repository outside GitHub, e.g.
//   npx deploy-actions smoke-test --url https://api.example.com/health --expect-status 200
// See `deploy-actions --help`. JSDoc-typed ESM JavaScript (checked by `npm run typecheck`), so it
// runs without a build step.
import { main } from './lib/cli.mjs';

process.exitCode = await main(process.argv.slice(2));
