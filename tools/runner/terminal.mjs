// @ts-check
// A step run for a person at a terminal (the CLI and the demo): the log translated and masked as
// it streams, then the outputs and the job summary as text, masked too.
import { LogTranslator, Masker } from './commands.mjs';
import { runBundle } from './run.mjs';
import { summaryToText } from './summary-text.mjs';

/** @typedef {import('./actions.mjs').ActionInfo} ActionInfo */
/** @typedef {import('./commands.mjs').Annotation} Annotation */

/**
 * @typedef {object} TerminalRunOptions
 * @property {ActionInfo} action
 * @property {Record<string, string>} [values]
 * @property {string} [cwd]
 * @property {NodeJS.ProcessEnv} [env] the environment the run starts from (process.env by default)
 * @property {Record<string, string>} [extraEnv] added last, e.g. endpoints or DOCKER_HOST
 * @property {(text: string) => void} [write] the translated stdout
 * @property {(text: string) => void} [writeError] the translated stderr
 * @property {boolean} [debug] show ::debug:: lines (RUNNER_DEBUG=1 by default)
 * @property {AbortSignal} [signal]
 * @property {string} [node]
 */

/**
 * @typedef {object} RunResult
 * @property {number | null} exitCode
 * @property {NodeJS.Signals | null} signal
 * @property {Record<string, string>} outputs masked
 * @property {string} summary the summary as written, masked
 * @property {string} summaryText
 * @property {Annotation[]} annotations
 */

/**
 * Runs `action` with `values`; its log goes to `write`/`writeError` as it comes.
 * @param {TerminalRunOptions} options
 * @returns {Promise<RunResult>}
 */
export async function runInTerminal({
  action,
  values = {},
  cwd = process.cwd(),
  env: base = process.env,
  extraEnv = {},
  write = (text) => void process.stdout.write(text),
  writeError = (text) => void process.stderr.write(text),
  debug = base.RUNNER_DEBUG === '1',
  signal,
  node,
}) {
  const masker = new Masker();
  const out = new LogTranslator({ write, masker, debug });
  const err = new LogTranslator({ write: writeError, masker, debug });
  const run = await runBundle({
    action,
    values,
    cwd,
    base,
    extra: extraEnv,
    node,
    signal,
    onStdout: (text) => out.push(text),
    onStderr: (text) => err.push(text),
  });
  out.end();
  err.end();
  /** @type {Record<string, string>} */
  const outputs = {};
  for (const [name, value] of Object.entries(run.outputs)) outputs[name] = masker.apply(value);
  const summary = masker.apply(run.summary);
  return {
    exitCode: run.exitCode,
    signal: run.signal,
    outputs,
    summary,
    summaryText: summaryToText(summary),
    annotations: [...out.annotations, ...err.annotations],
  };
}

/**
 * The end of a run as text: its outputs (multi-line values indented) and its summary.
 * @param {Pick<RunResult, 'outputs' | 'summaryText'>} result
 */
export function formatResult(result) {
  const lines = [];
  const outputs = Object.entries(result.outputs);
  if (outputs.length > 0) {
    lines.push('', 'Outputs', '=======');
    const width = Math.max(...outputs.map(([name]) => name.length));
    for (const [name, value] of outputs) {
      const [first, ...rest] = value.split('\n');
      lines.push(
        `${name.padEnd(width)}  ${first}`.trimEnd(),
        ...rest.map((line) => `${' '.repeat(width + 2)}${line}`),
      );
    }
  }
  if (result.summaryText.trim() !== '') lines.push('', 'Summary', '=======', result.summaryText);
  return `${lines.join('\n')}\n`;
}
