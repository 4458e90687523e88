// @ts-check
/**
 * The system parts the tests, the demo and the benchmarks need (Docker daemon, registry, AWS
 * CLI, PostgreSQL, MariaDB, s3rver), found, installed and started in one place:
 *
 *   node tools/provision/index.mjs [part …]   (default: every part)
 *
 * prints one line per action with its duration and one line per part that is not ready (what is
 * wrong, the command that installs it). Exits 0 unless CI is set and a part is not ready: on CI
 * nothing is skipped. `npm test`, `npm run demo` and `npm run bench` run the same provisioning
 * from jest (test/support/requires-setup.mjs); .ci/run runs this file before the quick start.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PART_NAMES, isPartName } from './parts.mjs';
import { ciFailure, provision } from './provision.mjs';

/**
 * The types TypeScript callers use, read from the JSDoc of the modules that define them.
 * @typedef {import('./parts.mjs').PartName} PartName
 * @typedef {import('./parts.mjs').Part} Part
 * @typedef {import('./parts.mjs').ProgramLookup} ProgramLookup
 * @typedef {import('./provision.mjs').Machine} Machine
 * @typedef {import('./provision.mjs').Deps} Deps
 * @typedef {import('./provision.mjs').PartState} PartState
 * @typedef {import('./provision.mjs').PartStatus} PartStatus
 * @typedef {import('./provision.mjs').Status} Status
 */

export {
  PARTS,
  PART_NAMES,
  PROGRAMS,
  SBIN_DIRS,
  findPrograms,
  isPartName,
  lookupProgram,
  programsHint,
  sbinDirs,
} from './parts.mjs';
export {
  STATUS_ENV,
  cannotInstall,
  ciFailure,
  decide,
  installCommand,
  provision,
  readStatus,
  skipLine,
} from './provision.mjs';

async function main(args = process.argv.slice(2)) {
  const unknown = args.filter((name) => !isPartName(name));
  if (unknown.length > 0) {
    process.stderr.write(
      `unknown part ${unknown.join(', ')}; the parts: ${PART_NAMES.join(' ')}\n`,
    );
    return 2;
  }
  const names = args.length > 0 ? args.filter(isPartName) : PART_NAMES;
  const failure = ciFailure(await provision(names));
  if (failure) process.stderr.write(`${failure}\n`);
  return failure ? 1 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // No top-level await: jest's globalSetup loads this graph with require().
  void main().then((code) => (process.exitCode = code));
}
