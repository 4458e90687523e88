/**
 * Shared by the simulator's App Runner tests: the simulator on a manual clock (phases are stepped,
 * not waited for), real @aws-sdk/client-apprunner clients for it, and request helpers.
 */
import {
  AppRunnerClient,
  DescribeServiceCommand,
  ListOperationsCommand,
  type CreateServiceCommandInput,
} from '@aws-sdk/client-apprunner';
import { startAwsSimulator, type AwsSimulator } from '../../../tools/aws-sim/index.js';
import {
  createAppRunnerService,
  type AppRunnerSimulator,
} from '../../../tools/aws-sim/services/apprunner.js';

export const USER = {
  accessKeyId: 'AKIAAPPRUNNERTEST001',
  secretAccessKey: 'apprunner-test-secret',
  arn: 'arn:aws:iam::123456789012:user/deployer',
};
export const REGION = 'us-east-1';
export const ACCOUNT = '123456789012';
export const REPO = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/api`;
export const ACCESS_ROLE = `arn:aws:iam::${ACCOUNT}:role/service-role/AppRunnerECRAccessRole`;
export const INSTANCE_ROLE = `arn:aws:iam::${ACCOUNT}:role/api-instance`;
export const VPC_CONNECTOR = `arn:aws:apprunner:${REGION}:${ACCOUNT}:vpcconnector/private/1/0123456789abcdef0123456789abcdef`;
export const SECRET = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:db-url-AbCdEf`;
export const DIGEST = `sha256:${'ab'.repeat(32)}`;

// Live bindings: set before each test by the hooks of useAppRunnerSimulator().
export let sim: AwsSimulator;
export let apprunner: AppRunnerSimulator;
export let client: AppRunnerClient;
export let clock: number;
export const advance = (ms: number) => {
  clock += ms;
};

/** A fresh simulator with App Runner on the manual clock for each test of the enclosing block. */
export function useAppRunnerSimulator(): void {
  beforeEach(async () => {
    clock = Date.parse('2026-03-02T10:00:00Z');
    sim = await startAwsSimulator();
    sim.addCredentials(USER);
    apprunner = createAppRunnerService({
      now: () => new Date(clock),
      operationDurationMs: 60_000,
      rollbackDurationMs: 30_000,
    });
    sim.register(apprunner);
    client = appRunnerClient(sim);
  });
  afterEach(async () => {
    client.destroy();
    await sim.close();
  });
}

export const createInput = (overrides: Partial<CreateServiceCommandInput> = {}) => ({
  ServiceName: 'web-api',
  SourceConfiguration: {
    ImageRepository: { ImageIdentifier: `${REPO}:v1`, ImageRepositoryType: 'ECR' as const },
    AuthenticationConfiguration: { AccessRoleArn: ACCESS_ROLE },
  },
  ...overrides,
});
export const operations = async (serviceArn: string) =>
  (await client.send(new ListOperationsCommand({ ServiceArn: serviceArn }))).OperationSummaryList ??
  [];
export const describeService = async (serviceArn: string) =>
  (await client.send(new DescribeServiceCommand({ ServiceArn: serviceArn }))).Service!;

export function appRunnerClient(
  sim: AwsSimulator,
  region = REGION,
  config: { maxAttempts?: number } = {},
): AppRunnerClient {
  return new AppRunnerClient({
    endpoint: sim.url,
    region,
    credentials: { accessKeyId: USER.accessKeyId, secretAccessKey: USER.secretAccessKey },
    ...config,
  });
}
