/**
 * Shared by the simulator's ECS and CloudWatch Logs tests: one simulator per test file, its
 * services, and the real SDK clients pointed at it.
 */
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ECSClient } from '@aws-sdk/client-ecs';
import { startAwsSimulator, type AwsSimulator } from '../../../tools/aws-sim/index.js';
import { createEcsService, type EcsSimulator } from '../../../tools/aws-sim/services/ecs.js';
import { createLogsService, type LogsSimulator } from '../../../tools/aws-sim/services/logs.js';

export const CREDENTIALS = {
  accessKeyId: 'AKIAECSLOGSUNITTEST1',
  secretAccessKey: 'ecs-logs-secret',
  arn: 'arn:aws:iam::123456789012:user/deployer',
};
export const REGION = 'eu-west-1';
export const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbC123';
export const EXECUTION_ROLE = 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole';
export const NETWORK = {
  awsvpcConfiguration: { subnets: ['subnet-0a1b2c3d'], securityGroups: ['sg-0a1b2c3d'] },
};

// Live bindings: set by the hooks of useEcsLogsSimulator().
export let sim: AwsSimulator;
export let ecsSim: EcsSimulator;
export let logsSim: LogsSimulator;
export let ecs: ECSClient;
export let logs: CloudWatchLogsClient;

/** The simulator with ECS (tasks run for real) and CloudWatch Logs, and SDK clients for it, per file. */
export function useEcsLogsSimulator(): void {
  beforeAll(async () => {
    sim = await startAwsSimulator();
    sim.addCredentials(CREDENTIALS);
    logsSim = createLogsService();
    ecsSim = createEcsService({
      logs: logsSim,
      resolveSecret: (id) =>
        id === SECRET_ARN
          ? JSON.stringify({ url: 'postgres://app:s3cret@db.internal:5432/app' })
          : undefined,
    });
    sim.register(logsSim);
    sim.register(ecsSim);
    ecsSim.control.addCluster('app', { region: REGION });
    const config = { endpoint: sim.url, region: REGION, credentials: CREDENTIALS, maxAttempts: 1 };
    ecs = new ECSClient(config);
    logs = new CloudWatchLogsClient(config);
  });

  afterAll(async () => {
    ecs?.destroy();
    logs?.destroy();
    await ecsSim?.control.close();
    await sim?.close();
  });
}
