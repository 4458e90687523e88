// The e2e tests' jest environment: Node's, plus one rule. A test file names the system parts it
// needs in its first comment, e.g. `/** @needs docker registry */` (parts: tools/provision/
// parts.mjs); when one of them is not ready on this machine (DEPLOY_ACTIONS_PARTS, written by
// test/support/requires-setup.mjs), the whole file is skipped, its beforeAll hooks included,
// and test/support/requires-reporter.mjs prints why.
import { readFileSync } from 'node:fs';
import { TestEnvironment } from 'jest-environment-node';

/** The parts named by `@needs` in a test file's first comment. */
export function needsOf(source) {
  const header = /^\s*\/\*\*[\s\S]*?\*\//.exec(source)?.[0] ?? '';
  return (/@needs\s+([^\n*]+)/.exec(header)?.[1] ?? '').split(/\s+/).filter(Boolean);
}

/** The parts the test file needs that provisioning reported not ready, with their status. */
export function missingParts(testPath, env = process.env) {
  const raw = env.DEPLOY_ACTIONS_PARTS;
  if (!raw) return [];
  const { parts } = JSON.parse(raw);
  const needs = needsOf(readFileSync(testPath, 'utf8'));
  // A misspelt part would never skip anything: name it instead.
  const unknown = needs.filter((name) => !(name in parts));
  if (unknown.length > 0) {
    throw new Error(
      `@needs in ${testPath}: no part ${unknown.join(', ')} (${Object.keys(parts).join(' ')})`,
    );
  }
  return needs
    .filter((name) => parts[name] && !parts[name].ready)
    .map((name) => ({ name, ...parts[name] }));
}

function skipAll(block) {
  block.mode = 'skip';
  for (const child of block.children) if (child.type === 'describeBlock') skipAll(child);
}

export default class RequiresEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.missing = missingParts(context.testPath);
  }

  async handleTestEvent(event, state) {
    // Every block marked skipped before the run: no test and no hook of the file runs.
    if (event.name === 'run_start' && this.missing.length > 0) skipAll(state.rootDescribeBlock);
  }
}
