import { InputError, type Inputs } from '@deploy-actions/action-kit/engine';
import type { AwsSession } from './clients.js';
import {
  defaultSessionName,
  isRoleArn,
  resolveCredentials,
  type CredentialDeps,
  type RoleOptions,
} from './credentials.js';
import { refreshingCredentials } from './refreshing.js';
import { resolveRegion } from './region.js';

/** The inputs every action that talks to AWS declares, validated. */
export interface AwsInputs {
  roleToAssume: string | undefined;
  roleSessionName: string | undefined;
  roleDurationSeconds: number;
  region: string;
  maxAttempts: number;
}

/** Reads and validates the shared AWS inputs (see action.yml: role-to-assume … max-attempts). */
export function readAwsInputs(inputs: Inputs, env: NodeJS.ProcessEnv = process.env): AwsInputs {
  const roleToAssume = inputs.optional('role-to-assume');
  if (roleToAssume !== undefined && !isRoleArn(roleToAssume)) {
    throw new InputError(
      'role-to-assume',
      roleToAssume,
      'an IAM role ARN such as arn:aws:iam::123456789012:role/deploy',
    );
  }
  const roleSessionName = inputs.optional('role-session-name');
  if (roleSessionName !== undefined && !/^[\w+=,.@-]{2,64}$/.test(roleSessionName)) {
    throw new InputError(
      'role-session-name',
      roleSessionName,
      '2 to 64 characters of letters, digits and +=,.@-',
    );
  }
  return {
    roleToAssume,
    roleSessionName,
    roleDurationSeconds: inputs.integer('role-duration-seconds', {
      fallback: 3600,
      min: 900,
      max: 43200,
    }),
    region: resolveRegion(inputs.optional('aws-region'), env),
    maxAttempts: inputs.integer('max-attempts', { fallback: 8, min: 1, max: 20 }),
  };
}

/**
 * Resolves credentials once; every client of the run is created from the
 * returned session. With role-to-assume they renew themselves (see
 * refreshing.ts): a pipeline may run past the role session's lifetime, and
 * its rollback must not fail for that.
 */
export async function openAwsSession(
  aws: AwsInputs,
  actionName: string,
  deps: CredentialDeps,
): Promise<AwsSession> {
  const session = { region: aws.region, maxAttempts: aws.maxAttempts, actionName };
  // The same session name every time, so CloudTrail shows one run however often it renews.
  const role: RoleOptions = {
    ...aws,
    actionName,
    roleSessionName: aws.roleSessionName ?? defaultSessionName(deps.env ?? process.env),
  };
  const first = await resolveCredentials(role, deps);
  if (!first) return { ...session, credentials: undefined };
  const credentials = refreshingCredentials(first, {
    renew: async () => (await resolveCredentials(role, deps))!,
    logger: deps.logger,
    ...(deps.clock && { clock: deps.clock }),
  });
  return { ...session, credentials };
}
