/**
 * Shared by the migrate ECS-mode tests: the simulator's ECS and CloudWatch Logs, whose tasks run
 * their commands for real on this machine, the app's task definition, and the engine's options.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ECSClient, type ContainerDefinition } from '@aws-sdk/client-ecs';
import { MemoryLogger } from '@deploy-actions/action-kit/engine';
import { ECS_MODE_CALLS, type EcsTaskOptions } from '../../../packages/migrate/src/index.js';
import { startAwsSimulator, type AwsSimulator } from '../../../tools/aws-sim/index.js';
import { createEcsService, type EcsSimulator } from '../../../tools/aws-sim/services/ecs.js';
import { createLogsService, type LogsSimulator } from '../../../tools/aws-sim/services/logs.js';
import { createTestDatabase, type TestDatabase } from '../../../tools/services/databases.js';

export const REGION = 'eu-west-1';
export const CREDENTIALS = {
  accessKeyId: 'AKIAMIGRATEECSTEST01',
  secretAccessKey: 'migrate-ecs-secret',
  arn: 'arn:aws:iam::123456789012:user/deployer',
};
export const SECRET_NAME = 'prod/db';
export const SECRET_ARN = `arn:aws:secretsmanager:${REGION}:123456789012:secret:${SECRET_NAME}-AbC123`;
export const EXECUTION_ROLE = 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole';
export const SUBNETS = ['subnet-0a1b2c3d4e5f67890'];
export const SECURITY_GROUPS = ['sg-0a1b2c3d4e5f67890'];

/** A logger that lets a test act when a line shows up (to prove lines arrive while the task runs). */
export class WatchingLogger extends MemoryLogger {
  private watchers: Array<{ line: string; then: () => void }> = [];
  when(line: string, then: () => void): void {
    this.watchers.push({ line, then });
  }
  override info(message: string): void {
    super.info(message);
    for (const w of this.watchers.filter((w) => w.line === message)) w.then();
  }
  // The container's lines are third-party output.
  override output(line: string): void {
    super.output(line);
    for (const w of this.watchers.filter((w) => w.line === line)) w.then();
  }
}

// Live bindings: set by the hooks of useEcsSimulator().
export let sim: AwsSimulator;
export let ecsSim: EcsSimulator;
export let logsSim: LogsSimulator;
export let ecs: ECSClient;
export let logs: CloudWatchLogsClient;
export let database: TestDatabase;
export let work: string;
let family = 0;

/** The simulator (ECS and CloudWatch Logs, tasks run for real) and a PostgreSQL database, per test file. */
export function useEcsSimulator(): void {
  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    work = await mkdtemp(path.join(tmpdir(), 'migrate-ecs-'));
    sim = await startAwsSimulator();
    sim.addCredentials(CREDENTIALS);
    logsSim = createLogsService();
    ecsSim = createEcsService({
      logs: logsSim,
      resolveSecret: (id) => (id === SECRET_ARN ? database.url : undefined),
    });
    sim.register(logsSim);
    sim.register(ecsSim);
    ecsSim.control.addCluster('app', { region: REGION });
    const config = { endpoint: sim.url, region: REGION, credentials: CREDENTIALS };
    ecs = new ECSClient(config);
    logs = new CloudWatchLogsClient(config);
  });

  afterAll(async () => {
    // Every call a file's tests made must be one the calls table (and so the IAM policy) declares.
    if (sim) expectOnlyDeclaredCalls();
    ecs?.destroy();
    logs?.destroy();
    await ecsSim?.control.close();
    await sim?.close();
    await database?.drop();
    if (work) await rm(work, { recursive: true, force: true });
  });
}

/** The check of 'ECS_MODE_CALLS names every call the engine makes', for the calls of this file's tests. */
function expectOnlyDeclaredCalls(): void {
  const declared = Object.values(ECS_MODE_CALLS).map((c) => c.actions[0]);
  const made = new Set(
    sim.requestLog.map((e) => `${e.service}:${e.operation}`).filter((c) => !c.startsWith('sts')),
  );
  for (const call of made) expect(declared).toContain(call);
}

/** Registers the app's Fargate task definition: container `app` (plus any others), awslogs, the URL secret. */
export function registerApp(
  extra: { app?: Partial<ContainerDefinition>; others?: ContainerDefinition[] } = {},
) {
  const name = `app-${++family}`;
  logsSim.control.createGroup(`/ecs/${name}`);
  const log = {
    logDriver: 'awslogs',
    options: {
      'awslogs-group': `/ecs/${name}`,
      'awslogs-region': REGION,
      'awslogs-stream-prefix': 'ecs',
    },
  };
  const definition = ecsSim.control.registerTaskDefinition(
    {
      family: name,
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      executionRoleArn: EXECUTION_ROLE,
      containerDefinitions: [
        {
          name: 'app',
          image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:abc123',
          command: ['node', 'server.js'],
          workingDirectory: process.cwd(),
          secrets: [{ name: 'DATABASE_URL', valueFrom: SECRET_ARN }],
          logConfiguration: log,
          ...extra.app,
        },
        ...(extra.others ?? []).map((c) => ({ logConfiguration: log, ...c })),
      ] as never,
    },
    REGION,
  );
  return { family: name, arn: String(definition.taskDefinitionArn) };
}

export function options(
  taskDefinition: string,
  argv: string[],
  more: Partial<EcsTaskOptions> = {},
) {
  return {
    cluster: 'app',
    taskDefinition,
    containerName: 'app',
    argv,
    network: { subnets: SUBNETS, securityGroups: SECURITY_GROUPS, assignPublicIp: false },
    launch: { launchType: 'FARGATE' },
    database: { urlEnv: 'DATABASE_URL' },
    region: REGION,
    timeoutMs: 30_000,
    poll: { initialMs: 20, maxMs: 60 },
    logSettleMs: 20,
    ...more,
  } satisfies EcsTaskOptions;
}

export const node = (script: string) => ['node', '-e', script];

export function runTaskCalls() {
  return sim.requestLog.filter((e) => e.operation === 'RunTask');
}
