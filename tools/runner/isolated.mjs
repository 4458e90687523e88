// @ts-check
// A step run with nothing of this machine's setup in it, for the tests and the benchmarks: a
// fake GitHub context, no AWS config or credentials of the developer's, optionally an OIDC token
// endpoint and the AWS simulator's endpoints. A masked value printed anywhere fails the run.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT, loadAction } from './actions.mjs';
import { assertNoMaskedValueLeaked } from './commands.mjs';
import { runBundle } from './run.mjs';

/** @typedef {import('./run.mjs').BundleRun} BundleRun */

/**
 * @typedef {object} GithubContext
 * @property {string} repository
 * @property {string} sha
 * @property {string} runId
 * @property {string} runAttempt
 * @property {string} eventName
 * @property {string} ref
 * @property {string} serverUrl
 * @property {string} workspace
 */

/**
 * @typedef {object} OidcEndpoint
 * @property {string} requestUrl
 * @property {string} requestToken
 */

/**
 * @typedef {object} SimulatorLike
 * @property {() => Record<string, string>} endpointEnv
 * @property {readonly unknown[]} requestLog
 */

/**
 * @typedef {object} IsolatedRunOptions
 * @property {string} action folder under actions/ (the root pipeline is 'deploy')
 * @property {Record<string, string>} [inputs]
 * @property {Record<string, string>} [env] extra environment, e.g. AWS_REGION or static credentials
 * @property {OidcEndpoint} [oidc]
 * @property {SimulatorLike} [simulator]
 * @property {Partial<GithubContext>} [github] overrides of the GITHUB_* context
 * @property {number} [timeoutMs] SIGTERM (as a cancelled job) after this long; 110 s by default
 * @property {string} [cwd]
 */

/** @typedef {BundleRun & { requests: unknown[] }} IsolatedRun with the simulator requests made during the run */

/** @type {GithubContext} */
const DEFAULT_GITHUB = {
  repository: 'org/app',
  sha: '0123456789abcdef0123456789abcdef01234567',
  runId: '4242',
  runAttempt: '1',
  eventName: 'push',
  ref: 'refs/heads/main',
  serverUrl: 'https://github.com',
  workspace: REPO_ROOT,
};

/**
 * Runs an action's bundle in isolation and resolves with what a workflow would see.
 * @param {IsolatedRunOptions} options
 * @returns {Promise<IsolatedRun>}
 */
export async function runIsolated(options) {
  const action = loadAction(options.action);
  if (!action) throw new Error(`No action '${options.action}' with an action.yml in this checkout`);
  const github = { ...DEFAULT_GITHUB, ...options.github };
  const temp = await mkdtemp(path.join(tmpdir(), `action-${options.action}-`));
  try {
    const requestsBefore = options.simulator?.requestLog.length ?? 0;
    const run = await runBundle({
      action,
      values: options.inputs ?? {},
      cwd: options.cwd ?? REPO_ROOT,
      workspace: github.workspace,
      base: isolatedEnv(temp, github),
      temp,
      extra: {
        ...(options.oidc
          ? {
              ACTIONS_ID_TOKEN_REQUEST_URL: options.oidc.requestUrl,
              ACTIONS_ID_TOKEN_REQUEST_TOKEN: options.oidc.requestToken,
            }
          : {}),
        ...options.simulator?.endpointEnv(),
        ...options.env,
      },
      timeoutMs: options.timeoutMs ?? 110_000,
    });
    /** @type {IsolatedRun} */
    const result = { ...run, requests: options.simulator?.requestLog.slice(requestsBefore) ?? [] };
    assertNoMaskedValueLeaked(result);
    return result;
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

/**
 * A clean environment: nothing of the developer's AWS setup leaks into the run.
 * @param {string} temp
 * @param {GithubContext} github
 * @returns {Record<string, string>}
 */
function isolatedEnv(temp, github) {
  return {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: temp,
    LANG: 'C.UTF-8',
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    GITHUB_REPOSITORY: github.repository,
    GITHUB_REPOSITORY_OWNER: github.repository.split('/')[0] ?? '',
    GITHUB_SHA: github.sha,
    GITHUB_REF: github.ref,
    GITHUB_RUN_ID: github.runId,
    GITHUB_RUN_ATTEMPT: github.runAttempt,
    GITHUB_EVENT_NAME: github.eventName,
    GITHUB_SERVER_URL: github.serverUrl,
    AWS_CONFIG_FILE: path.join(temp, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(temp, 'no-aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    ...(process.env.DOCKER_HOST ? { DOCKER_HOST: process.env.DOCKER_HOST } : {}),
  };
}
