import { InputError, type Inputs } from '@deploy-actions/action-kit/engine';
import type { AwsSession } from './clients.js';
import { isRoleArn, resolveCredentials, type CredentialDeps } from './credentials.js';
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

/** Resolves credentials once; every client of the run is created from the returned session. */
export async function openAwsSession(
  aws: AwsInputs,
  actionName: string,
  deps: CredentialDeps,
): Promise<AwsSession> {
  const credentials = await resolveCredentials({ ...aws, actionName }, deps);
  return { region: aws.region, credentials, maxAttempts: aws.maxAttempts, actionName };
}
