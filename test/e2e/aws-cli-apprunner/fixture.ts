// What the App Runner CLI fidelity rows share: the names and ARNs they use, the state the rows
// build on (one service, `cli-api`, on a manual clock), and small helpers for their arguments.
import { CLI_REGION, type CliFixture, type CliRow } from '../../support/aws-cli.js';
import type { AppRunnerSimulator } from '../../../tools/aws-sim/services/apprunner.js';

export const ACCOUNT = '123456789012';
export const REPO = `${ACCOUNT}.dkr.ecr.${CLI_REGION}.amazonaws.com/cli-api`;
export const DIGEST = `sha256:${'c0'.repeat(32)}`;
export const ACCESS_ROLE = `arn:aws:iam::${ACCOUNT}:role/service-role/AppRunnerECRAccessRole`;
export const INSTANCE_ROLE = `arn:aws:iam::${ACCOUNT}:role/cli-api-instance`;
export const VPC_CONNECTOR = `arn:aws:apprunner:${CLI_REGION}:${ACCOUNT}:vpcconnector/private/1/0123456789abcdef0123456789abcdef`;
export const SECRET = `arn:aws:secretsmanager:${CLI_REGION}:${ACCOUNT}:secret:db-url-AbCdEf`;
/** Operations last a minute of the manual clock. */
export const MINUTE = 60_000;
export const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00$/;

export interface AppRunnerState {
  apprunner: AppRunnerSimulator;
  clock: { now: number };
  /** Filled in by the create row. */
  arn: string;
  /** The NextToken of the empty ListServices page. */
  nextToken: string;
}

export type F = CliFixture<AppRunnerState>;
export type Row = CliRow<AppRunnerState>;

export const advance = (f: F, ms = MINUTE) => {
  f.state.clock.now += ms;
};

export const source = (image: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    ImageRepository: {
      ImageIdentifier: image,
      ImageRepositoryType: 'ECR',
      ImageConfiguration: {
        Port: '3000',
        RuntimeEnvironmentVariables: { NODE_ENV: 'production' },
        RuntimeEnvironmentSecrets: { DATABASE_URL: SECRET },
      },
    },
    AutoDeploymentsEnabled: false,
    AuthenticationConfiguration: { AccessRoleArn: ACCESS_ROLE },
    ...extra,
  });

export function pick(value: unknown, keys: string[]): Record<string, unknown> {
  const object = (value ?? {}) as Record<string, unknown>;
  return Object.fromEntries(keys.filter((k) => k in object).map((k) => [k, object[k]]));
}
