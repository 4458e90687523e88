// @ts-check
/* global AbortController */
// The command: parse, check against action.yml, run the bundle, print outputs and summary.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  REPO_ROOT,
  formatResult,
  listActions,
  loadAction,
  runInTerminal,
} from '../../tools/runner/index.mjs';
import { UsageError, closest, parseCommandLine, resolveInputs } from './args.mjs';
import { actionHelp, mainHelp } from './help.mjs';

const MIN_NODE_MAJOR = 20;

/**
 * @typedef {object} CliIo
 * @property {(text: string) => void} [stdout]
 * @property {(text: string) => void} [stderr]
 * @property {NodeJS.ProcessEnv} [env]
 * @property {string} [root]
 * @property {string} [cwd]
 */

/**
 * Runs the command with `argv` (without node and the script) and resolves with the exit code:
 * 0 the action succeeded, 1 it failed, 2 a usage error (nothing ran).
 * @param {readonly string[]} argv
 * @param {CliIo} [io]
 * @returns {Promise<number>}
 */
export async function main(argv, io = {}) {
  const stdout = io.stdout ?? ((text) => void process.stdout.write(text));
  const stderr = io.stderr ?? ((text) => void process.stderr.write(text));
  const env = io.env ?? process.env;
  const root = io.root ?? REPO_ROOT;
  const width = Math.min(Math.max(process.stdout.columns ?? 100, 60), 100);
  try {
    const major = Number(process.versions.node.split('.')[0]);
    if (major < MIN_NODE_MAJOR) {
      throw new UsageError(
        `deploy-actions needs Node.js ${MIN_NODE_MAJOR} or newer; this is ${process.version}.`,
      );
    }
    const command = parseCommandLine(argv);
    if (command.version) {
      const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
      stdout(`deploy-actions ${pkg.version}\n`);
      return 0;
    }
    const actions = listActions(root);
    if (command.action === undefined) {
      if (command.help) {
        stdout(`${mainHelp(actions, width)}\n`);
        return 0;
      }
      throw new UsageError(
        `Name an action: ${actions.map((a) => a.name).join(', ')}. Run 'deploy-actions --help' for more.`,
      );
    }
    const action = loadAction(command.action, root);
    if (!action) {
      const suggestion = closest(
        command.action,
        actions.map((a) => a.name),
      );
      throw new UsageError(
        `Unknown action '${command.action}'${suggestion ? `: did you mean '${suggestion}'?` : '.'} Actions: ${actions.map((a) => a.name).join(', ')}.`,
      );
    }
    if (command.help) {
      stdout(`${actionHelp(action, width)}\n`);
      return 0;
    }
    const values = resolveInputs(action, command.inputs);
    if (values['role-to-assume'] && !env.ACTIONS_ID_TOKEN_REQUEST_URL) {
      throw new UsageError(
        "--role-to-assume needs a GitHub OIDC token, which only a GitHub Actions job can request. Outside GitHub, leave it out: the default AWS credential chain is used (AWS_PROFILE, AWS_ACCESS_KEY_ID, SSO…); assume the role with 'aws sts assume-role' or a profile's role_arn instead.",
      );
    }
    if (!action.built) {
      throw new UsageError(
        `${action.name} is not built: run 'npm run build -- ${action.name}' first.`,
      );
    }
    const cancel = new AbortController();
    const onSignal = () => cancel.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      const result = await runInTerminal({
        action,
        values,
        env,
        cwd: io.cwd ?? process.cwd(),
        write: stdout,
        writeError: stderr,
        signal: cancel.signal,
      });
      stdout(formatResult(result));
      if (result.signal) {
        stderr(`\n${action.name} was stopped by ${result.signal}.\n`);
        return 1;
      }
      if (result.exitCode !== 0) {
        stderr(`\n${action.name} failed (exit code ${result.exitCode}).\n`);
        return 1;
      }
      return 0;
    } finally {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      stderr(`deploy-actions: ${error.message}\n`);
      return 2;
    }
    stderr(`deploy-actions: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
