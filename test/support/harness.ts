/**
 * The tests' way to run a bundled action: tools/runner's runBundle in an isolated environment
 * (a fake GitHub context, no AWS config of the developer's), optionally with an OIDC token
 * endpoint and the AWS simulator's endpoints. Fails the test if any value the action masked
 * appears elsewhere in its log or summary.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  REPO_ROOT,
  assertNoMaskedValueLeaked,
  loadAction,
  node24Path,
  runBundle,
  type BundleRun,
} from '../../tools/runner/index.mjs';

export {
  REPO_ROOT,
  assertNoMaskedValueLeaked,
  node24Path,
  parseAnnotations,
  parseFileCommands,
  visibleLog,
  type Annotation,
} from '../../tools/runner/index.mjs';

export interface OidcEndpoint {
  requestUrl: string;
  requestToken: string;
}

export interface SimulatorLike {
  endpointEnv(): Record<string, string>;
  requestLog: readonly unknown[];
}

export interface RunActionOptions {
  /** Folder under actions/ (the root pipeline is 'deploy'). */
  action: string;
  inputs?: Record<string, string>;
  /** Extra environment, e.g. AWS_REGION or static credentials. */
  env?: Record<string, string>;
  oidc?: OidcEndpoint;
  simulator?: SimulatorLike;
  /** Overrides of the GITHUB_* context. */
  github?: Partial<GithubContext>;
  /** Kills the process (SIGTERM, as a cancelled job) after this long. */
  timeoutMs?: number;
  cwd?: string;
}

export interface GithubContext {
  repository: string;
  sha: string;
  runId: string;
  runAttempt: string;
  eventName: string;
  ref: string;
  serverUrl: string;
  workspace: string;
}

/** What a workflow would see of the step, plus the simulator requests made during it. */
export interface ActionRun extends BundleRun {
  requests: unknown[];
}

const DEFAULT_GITHUB: GithubContext = {
  repository: 'org/app',
  sha: '0123456789abcdef0123456789abcdef01234567',
  runId: '4242',
  runAttempt: '1',
  eventName: 'push',
  ref: 'refs/heads/main',
  serverUrl: 'https://github.com',
  workspace: REPO_ROOT,
};

export async function runAction(options: RunActionOptions): Promise<ActionRun> {
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
      node: node24Path(),
      timeoutMs: options.timeoutMs ?? 110_000,
    });
    const result: ActionRun = {
      ...run,
      requests: options.simulator?.requestLog.slice(requestsBefore) ?? [],
    };
    assertNoMaskedValueLeaked(result);
    return result;
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

/** A clean environment: nothing of the developer's AWS setup leaks into a test run. */
function isolatedEnv(temp: string, github: GithubContext): Record<string, string> {
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
