import { AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import { UserError, poll, type Clock, type Logger } from '@deploy-actions/action-kit/engine';
import { errorCode, translateAwsError } from './errors.js';
import { clientConfig } from './clients.js';

export const OIDC_AUDIENCE = 'sts.amazonaws.com';
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

export interface RoleOptions {
  roleToAssume: string | undefined;
  /** Defaults to one derived from the repository and run id. */
  roleSessionName: string | undefined;
  roleDurationSeconds: number;
  region: string;
  maxAttempts: number;
  actionName: string;
}

export interface CredentialDeps {
  /** Asks GitHub for an OIDC token (core.getIDToken in an action). */
  getIdToken: (audience: string) => Promise<string>;
  logger: Logger;
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
}

/** Checks the role ARN's form; the shells call this while validating inputs. */
export function isRoleArn(value: string): boolean {
  return ROLE_ARN.test(value);
}

/**
 * With role-to-assume: GitHub OIDC token -> AssumeRoleWithWebIdentity, and the
 * credentials live only in this process (nothing is exported to later steps).
 * Without it: undefined, which makes every client use the default chain, so a
 * job that ran aws-actions/configure-aws-credentials before keeps working.
 */
export async function resolveCredentials(
  options: RoleOptions,
  deps: CredentialDeps,
): Promise<AwsCredentialIdentity | undefined> {
  if (!options.roleToAssume) return undefined;
  const env = deps.env ?? process.env;
  assertOidcAvailable(env);
  const token = await requestOidcToken(deps);
  deps.logger.mask(token);
  const sessionName = options.roleSessionName ?? defaultSessionName(env);
  deps.logger.info(`Assuming ${options.roleToAssume} as session ${sessionName} with GitHub OIDC`);
  const credentials = await assumeRole(options, sessionName, token);
  deps.logger.mask(credentials.accessKeyId);
  deps.logger.mask(credentials.secretAccessKey);
  if (credentials.sessionToken) deps.logger.mask(credentials.sessionToken);
  return credentials;
}

function assertOidcAvailable(env: NodeJS.ProcessEnv): void {
  if (env.ACTIONS_ID_TOKEN_REQUEST_URL && env.ACTIONS_ID_TOKEN_REQUEST_TOKEN) return;
  throw new UserError(
    'role-to-assume is set, but this job cannot request a GitHub OIDC token (ACTIONS_ID_TOKEN_REQUEST_URL is not set).',
    {
      hint: "Add 'permissions: id-token: write' (and 'contents: read') to the workflow or job. Pull requests from forks never get a token.",
    },
  );
}

/** The OIDC endpoint can fail transiently; retried with backoff for up to a minute. */
async function requestOidcToken(deps: CredentialDeps): Promise<string> {
  let lastError: unknown;
  const result = await poll<string>({
    label: 'GitHub OIDC token',
    timeoutMs: 60_000,
    backoff: { initialMs: 1_000, maxMs: 10_000 },
    clock: deps.clock,
    attempt: async () => {
      try {
        return { done: true, value: await deps.getIdToken(OIDC_AUDIENCE) };
      } catch (error) {
        lastError = error;
        return { done: false, status: error instanceof Error ? error.message : String(error) };
      }
    },
    onWait: ({ attempt, delayMs, status }) =>
      deps.logger.info(
        `Requesting the GitHub OIDC token failed (attempt ${attempt}: ${status}); retrying in ${delayMs}ms`,
      ),
  });
  if (result.ok) return result.value;
  throw new UserError(
    `Could not get a GitHub OIDC token: ${lastError instanceof Error ? lastError.message : String(lastError)}`,
    {
      hint: "Check the job's 'permissions: id-token: write'.",
    },
  );
}

async function assumeRole(
  options: RoleOptions,
  sessionName: string,
  token: string,
): Promise<AwsCredentialIdentity> {
  const sts = new STSClient(
    clientConfig({
      region: options.region,
      credentials: undefined,
      maxAttempts: options.maxAttempts,
      actionName: options.actionName,
    }),
  );
  try {
    const response = await sts.send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: options.roleToAssume,
        RoleSessionName: sessionName,
        WebIdentityToken: token,
        DurationSeconds: options.roleDurationSeconds,
      }),
    );
    const c = response.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) {
      throw new UserError('STS answered AssumeRoleWithWebIdentity without credentials.');
    }
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      expiration: c.Expiration,
    };
  } catch (error) {
    throw explainAssumeRoleFailure(error, options, token);
  } finally {
    sts.destroy();
  }
}

function explainAssumeRoleFailure(error: unknown, options: RoleOptions, token: string): Error {
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  const claims = tokenClaims(token);
  if (code === 'AccessDenied') {
    return new UserError(
      `The role ${options.roleToAssume} does not trust this workflow: ${message}`,
      {
        cause: error,
        hint:
          `Its trust policy must allow sts:AssumeRoleWithWebIdentity for the token's subject "${claims.sub ?? '?'}" ` +
          `and audience "${OIDC_AUDIENCE}" (workflows-examples/iam/ has trust-policy templates for branches, environments and pull requests).`,
      },
    );
  }
  if (code === 'InvalidIdentityToken' || code === 'IDPRejectedClaim') {
    return new UserError(`AWS rejected GitHub's OIDC token (${code}): ${message}`, {
      cause: error,
      hint: `Check that the account has the OIDC provider token.actions.githubusercontent.com with audience "${OIDC_AUDIENCE}".`,
    });
  }
  if (code === 'ExpiredTokenException' || code === 'ExpiredToken') {
    return new UserError(`STS says GitHub's OIDC token had expired when it arrived: ${message}`, {
      cause: error,
      hint: "The token lives 5 minutes: check the runner's clock, or a slow network between the runner and STS.",
    });
  }
  if (code === 'ValidationError') {
    return new UserError(`STS refused the request: ${message}`, {
      cause: error,
      hint: "Check role-session-name (2-64 characters of letters, digits and +=,.@-) and role-duration-seconds (900 to the role's maximum).",
    });
  }
  return translateAwsError(error, {
    action: 'sts:AssumeRoleWithWebIdentity',
    resource: options.roleToAssume,
    region: options.region,
  });
}

/** The token's claims, read without verification: only to explain a refusal. */
function tokenClaims(token: string): { sub?: string } {
  try {
    const payload = token.split('.')[1] ?? '';
    return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sub?: string };
  } catch {
    return {};
  }
}

/**
 * `GitHubActions-<repo>-<run id>-<attempt>`, reduced to what STS accepts
 * ([\w+=,.@-], 2 to 64 characters). CloudTrail shows it, so a call can be
 * traced back to the run.
 */
export function defaultSessionName(env: NodeJS.ProcessEnv): string {
  const repo = (env.GITHUB_REPOSITORY ?? '').split('/').pop() ?? '';
  const parts = ['GitHubActions', repo, env.GITHUB_RUN_ID, env.GITHUB_RUN_ATTEMPT].filter(Boolean);
  return sanitiseSessionName(parts.join('-'));
}

export function sanitiseSessionName(name: string): string {
  const cleaned = name.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
  return cleaned.length >= 2 ? cleaned : 'GitHubActions';
}
