// @ts-check
// The runner's file commands: the files an action writes its outputs, summary, state, exported
// variables and PATH entries to (GITHUB_OUTPUT …), and their `name=value` / `name<<DELIM` format.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * @typedef {object} RunnerFiles
 * @property {string} output GITHUB_OUTPUT
 * @property {string} summary GITHUB_STEP_SUMMARY
 * @property {string} state GITHUB_STATE
 * @property {string} env GITHUB_ENV
 * @property {string} path GITHUB_PATH
 */

/** @type {Record<keyof RunnerFiles, string>} */
const VARIABLES = {
  output: 'GITHUB_OUTPUT',
  summary: 'GITHUB_STEP_SUMMARY',
  state: 'GITHUB_STATE',
  env: 'GITHUB_ENV',
  path: 'GITHUB_PATH',
};

/** The variables naming the runner's files: a run never inherits them from its caller. */
export const RUNNER_FILE_VARIABLES = Object.values(VARIABLES);

/**
 * The runner's files of one step, in `temp`.
 * @param {string} temp
 * @returns {RunnerFiles}
 */
export function runnerFiles(temp) {
  return {
    output: path.join(temp, 'github_output'),
    summary: path.join(temp, 'step_summary.md'),
    state: path.join(temp, 'github_state'),
    env: path.join(temp, 'github_env'),
    path: path.join(temp, 'github_path'),
  };
}

/**
 * Creates the runner's files (empty) in `temp`.
 * @param {string} temp
 * @returns {Promise<RunnerFiles>}
 */
export async function createRunnerFiles(temp) {
  const files = runnerFiles(temp);
  await Promise.all(Object.values(files).map((file) => writeFile(file, '')));
  return files;
}

/**
 * GITHUB_OUTPUT and the others, naming `files`.
 * @param {RunnerFiles} files
 * @returns {Record<string, string>}
 */
export function runnerFileEnv(files) {
  /** @type {Record<string, string>} */
  const env = {};
  for (const [key, variable] of Object.entries(VARIABLES)) {
    env[variable] = files[/** @type {keyof RunnerFiles} */ (key)];
  }
  return env;
}

/**
 * Parses GITHUB_OUTPUT-style files: `name=value` lines and `name<<DELIMITER … DELIMITER` blocks.
 * @param {string} text
 * @returns {Record<string, string>}
 */
export function parseFileCommands(text) {
  /** @type {Record<string, string>} */
  const result = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = /** @type {string} */ (lines[i]);
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delimiter] = /** @type {[string, string, string]} */ (
        /** @type {unknown} */ (heredoc)
      );
      /** @type {string[]} */
      const value = [];
      while (++i < lines.length && lines[i] !== delimiter)
        value.push(/** @type {string} */ (lines[i]));
      result[name] = value.join('\n');
    } else if (line.includes('=')) {
      result[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return result;
}

/**
 * @typedef {object} StepFiles
 * @property {Record<string, string>} outputs
 * @property {string} summary
 * @property {Record<string, string>} state
 * @property {Record<string, string>} exportedEnv what GITHUB_ENV holds: a later step would see it
 * @property {string} exportedPath what GITHUB_PATH holds
 */

/**
 * What a finished step left in the runner's files.
 * @param {RunnerFiles} files
 * @returns {Promise<StepFiles>}
 */
export async function readRunnerFiles(files) {
  const [output, summary, state, env, exportedPath] = await Promise.all(
    [files.output, files.summary, files.state, files.env, files.path].map((file) =>
      readFile(file, 'utf8'),
    ),
  );
  return {
    outputs: parseFileCommands(/** @type {string} */ (output)),
    summary: /** @type {string} */ (summary),
    state: parseFileCommands(/** @type {string} */ (state)),
    exportedEnv: parseFileCommands(/** @type {string} */ (env)),
    exportedPath: /** @type {string} */ (exportedPath),
  };
}
