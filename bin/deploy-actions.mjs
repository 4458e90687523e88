#!/usr/bin/env node
// deploy-actions: runs any action of this repository outside GitHub, e.g.
//   npx deploy-actions smoke-test --url https://api.example.com/health --expect-status 200
// See `deploy-actions --help`. Plain ESM JavaScript: it runs without a build step.
import { main } from './lib/cli.mjs';

process.exitCode = await main(process.argv.slice(2));
