/**
 * A migration task that fails, its log read through CloudWatch Logs paging as the
 * real service may answer it (empty and one-event pages with new tokens): the
 * drain after the task stops shows every line, and the failure quotes the last.
 */
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ECSClient } from '@aws-sdk/client-ecs';
import { MemoryLogger } from '@deploy-actions/action-kit/engine';
import { runMigrationTask } from '../../../packages/migrate/src/index.js';
import { startAwsSimulator, type AwsSimulator } from '../../../tools/aws-sim/index.js';
import { createEcsService, type EcsSimulator } from '../../../tools/aws-sim/services/ecs.js';
import { createLogsService, type LogsSimulator } from '../../../tools/aws-sim/services/logs.js';

const REGION = 'eu-west-1';
const CREDENTIALS = {
  accessKeyId: 'AKIAMIGRATEDRAINTEST',
  secretAccessKey: 'migrate-drain-secret',
  arn: 'arn:aws:iam::123456789012:user/deployer',
};
const SECRET_ARN = `arn:aws:secretsmanager:${REGION}:123456789012:secret:prod/db-AbC123`;

let sim: AwsSimulator;
let ecsSim: EcsSimulator;
let logsSim: LogsSimulator;
let ecs: ECSClient;
let logs: CloudWatchLogsClient;

beforeAll(async () => {
  sim = await startAwsSimulator();
  sim.addCredentials(CREDENTIALS);
  logsSim = createLogsService();
  ecsSim = createEcsService({
    logs: logsSim,
    resolveSecret: (id) => (id === SECRET_ARN ? 'postgres://app:pw@127.0.0.1:1/shop' : undefined),
  });
  sim.register(logsSim);
  sim.register(ecsSim);
  ecsSim.control.addCluster('app', { region: REGION });
  const config = { endpoint: sim.url, region: REGION, credentials: CREDENTIALS };
  ecs = new ECSClient(config);
  logs = new CloudWatchLogsClient(config);
});

afterAll(async () => {
  ecs?.destroy();
  logs?.destroy();
  await ecsSim?.control.close();
  await sim?.close();
});

test('the lines written just before the task stops are shown and the last one quoted', async () => {
  logsSim.control.createGroup('/ecs/drain');
  ecsSim.control.registerTaskDefinition(
    {
      family: 'drain',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      executionRoleArn: 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole',
      containerDefinitions: [
        {
          name: 'app',
          image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:abc123',
          workingDirectory: process.cwd(),
          secrets: [{ name: 'DATABASE_URL', valueFrom: SECRET_ARN }],
          logConfiguration: {
            logDriver: 'awslogs',
            options: {
              'awslogs-group': '/ecs/drain',
              'awslogs-region': REGION,
              'awslogs-stream-prefix': 'ecs',
            },
          },
        },
      ] as never,
    },
    REGION,
  );
  logsSim.control.paging = { emptyPages: 2, maxEventsPerPage: 1 };
  const script =
    'for (const n of [1, 2, 3]) console.log(`applied 000${n}`); console.error("error: relation \\"orders\\" does not exist"); process.exit(1)';
  const logger = new MemoryLogger();
  const run = await runMigrationTask(
    {
      cluster: 'app',
      taskDefinition: 'drain',
      containerName: 'app',
      argv: ['node', '-e', script],
      network: {
        subnets: ['subnet-0a1b2c3d'],
        securityGroups: ['sg-0a1b2c3d'],
        assignPublicIp: false,
      },
      launch: { launchType: 'FARGATE' },
      database: { urlEnv: 'DATABASE_URL' },
      region: REGION,
      timeoutMs: 30_000,
      poll: { initialMs: 20, maxMs: 60 },
      logSettleMs: 20,
    },
    { ecs, logs, logger },
  );
  expect(run.exitCode).toBe(1);
  const text = logger.text();
  for (const line of ['applied 0001', 'applied 0002', 'applied 0003']) expect(text).toContain(line);
  expect(run.failure?.message).toMatch(
    /with exit code 1: error: relation "orders" does not exist\.$/,
  );
});
