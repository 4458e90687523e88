/**
 * The AWS side of an end-to-end test in one call: a GitHub OIDC issuer, the
 * AWS simulator trusting it, and a deploy role whose trust policy allows the
 * harness's default repository. Pass `inputs` to an AWS action and `oidc` and
 * `simulator` to runAction.
 */
import { startAwsSimulator, type AwsSimulator, type ServiceModule } from '../aws-sim/index.js';
import { startOidcIssuer, type OidcIssuer, type OidcIssuerOptions } from './oidc.js';

export const DEPLOY_ROLE = 'arn:aws:iam::123456789012:role/deploy';
export const REGION = 'us-east-1';

export interface AwsTestEnvironment {
  oidc: OidcIssuer;
  simulator: AwsSimulator;
  /** role-to-assume and aws-region, for an action's inputs. */
  inputs: { 'role-to-assume': string; 'aws-region': string };
  close(): Promise<void>;
}

export async function startAwsEnvironment(
  options: { services?: ServiceModule[]; trustSubject?: string; oidc?: OidcIssuerOptions } = {},
): Promise<AwsTestEnvironment> {
  const oidc = await startOidcIssuer(options.oidc);
  const simulator = await startAwsSimulator({
    trustJwks: oidc.jwks,
    roles: [
      {
        roleArn: DEPLOY_ROLE,
        subject: options.trustSubject ?? 'repo:org/app:ref:refs/heads/main',
        maxSessionDurationSeconds: 43200,
      },
    ],
  });
  for (const service of options.services ?? []) simulator.register(service);
  return {
    oidc,
    simulator,
    inputs: { 'role-to-assume': DEPLOY_ROLE, 'aws-region': REGION },
    close: async () => {
      await simulator.close();
      await oidc.close();
    },
  };
}
