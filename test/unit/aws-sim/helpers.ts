/** A simulator with GitHub's OIDC issuer trusted and one deploy role, plus SDK clients for it. */
import {
  AssumeRoleWithWebIdentityCommand,
  STSClient,
  type AssumeRoleWithWebIdentityCommandInput,
  type STSClientConfig,
} from '@aws-sdk/client-sts';
import {
  startAwsSimulator,
  type AwsSimulator,
  type AwsSimulatorOptions,
} from '../../../tools/aws-sim/index.js';
import {
  startOidcIssuer,
  type OidcIssuer,
  type OidcIssuerOptions,
} from '../../../tools/services/oidc.js';

export const ROLE_ARN = 'arn:aws:iam::123456789012:role/deploy';
export const MAIN_SUBJECT = 'repo:org/app:ref:refs/heads/main';
export const STS_AUDIENCE = 'sts.amazonaws.com';

export interface Scenario {
  sim: AwsSimulator;
  oidc: OidcIssuer;
  /** An STS client pointed at the simulator; anonymous unless credentials are given. */
  sts(config?: Partial<STSClientConfig>): STSClient;
  /** AssumeRoleWithWebIdentity for the deploy role with a fresh main-branch token. */
  assumeRole(input?: Partial<AssumeRoleWithWebIdentityCommandInput>): Promise<AssumedCredentials>;
  close(): Promise<void>;
}

export interface AssumedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}

export async function startScenario(
  options: { sim?: AwsSimulatorOptions; oidc?: OidcIssuerOptions } = {},
): Promise<Scenario> {
  const oidc = await startOidcIssuer(options.oidc);
  const sim = await startAwsSimulator({
    trustJwks: oidc.jwks,
    roles: [{ roleArn: ROLE_ARN, subject: MAIN_SUBJECT }],
    ...options.sim,
  });
  const clients: STSClient[] = [];
  const sts = (config: Partial<STSClientConfig> = {}) => {
    const client = new STSClient({
      endpoint: sim.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' },
      ...config,
    });
    clients.push(client);
    return client;
  };
  return {
    sim,
    oidc,
    sts,
    async assumeRole(input = {}) {
      const response = await sts().send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: ROLE_ARN,
          RoleSessionName: 'deploy-session',
          WebIdentityToken: oidc.issue({}, STS_AUDIENCE),
          ...input,
        }),
      );
      const c = response.Credentials!;
      return {
        accessKeyId: c.AccessKeyId!,
        secretAccessKey: c.SecretAccessKey!,
        sessionToken: c.SessionToken!,
      };
    },
    async close() {
      for (const client of clients) client.destroy();
      await Promise.all([sim.close(), oidc.close()]);
    },
  };
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<
  Error & {
    $metadata?: { httpStatusCode?: number; attempts?: number };
    $fault?: string;
    Code?: string;
  }
> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('Expected the call to fail, but it succeeded');
}
