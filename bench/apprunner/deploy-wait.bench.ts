/**
 * deploy-apprunner-and-wait against a re-implementation, run in-process, of
 * the wait loop of awslabs/amazon-app-runner-deploy (wait-for-service-stability)
 * before its 2.3.0: UpdateService, then DescribeService every second until the
 * service is no longer OPERATION_IN_PROGRESS. Not the action's own code (it
 * needs AWS); since 2.3.0 it also reads the operation and fails on a rollback. Same simulated deployment for both: a service
 * seeded on image v1, an update to v2, an operation that lasts OPERATION_S
 * seconds of the real clock (the App Runner simulator's state machine).
 *
 * Measured per run:
 * - the time from the operation's end (its EndedAt, exact in the simulator)
 *   to the exit of the action's process (ours: the committed dist bundle
 *   under Node 24, started by tools/runner) or of the polling loop
 *   (peer: in-process SDK calls, already signed in);
 * - the App Runner API calls each made.
 * A second scenario runs a deployment whose health check fails and App Runner
 * rolls back: the peer's loop ends on RUNNING and reports success; ours fails.
 *
 * Run: npm run bench -- bench/apprunner
 * (BENCH_APPRUNNER_OPERATION_S, default 45, and BENCH_APPRUNNER_REPETITIONS,
 * default 3, shorten or lengthen it.)
 */
import {
  AppRunnerClient,
  DescribeServiceCommand,
  ListServicesCommand,
  UpdateServiceCommand,
  type ServiceSummary,
} from '@aws-sdk/client-apprunner';
import { setTimeout as sleep } from 'node:timers/promises';
import { startAwsEnvironment, type AwsTestEnvironment } from '../../tools/services/aws-env.js';
import type { RequestLogEntry } from '../../tools/aws-sim/index.js';
import {
  createAppRunnerService,
  type AppRunnerSimulator,
  type DeploymentOutcome,
} from '../../tools/aws-sim/services/apprunner.js';
import { runIsolated } from '../../tools/runner/index.mjs';
import { report, type Comparison } from '../support/report.js';

const OPERATION_MS = Number(process.env.BENCH_APPRUNNER_OPERATION_S ?? 45) * 1000;
const ROLLBACK_MS = Math.round(OPERATION_MS / 2);
const REPETITIONS = Number(process.env.BENCH_APPRUNNER_REPETITIONS ?? 3);
const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const REPO = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/bench-api`;
const ACCESS_ROLE = `arn:aws:iam::${ACCOUNT}:role/service-role/AppRunnerECRAccessRole`;
/** The peer runs after aws-actions/configure-aws-credentials: static credentials. */
const PEER_CREDENTIALS = {
  accessKeyId: 'AKIABENCHPEERAPPRUN1',
  secretAccessKey: 'bench-peer-secret',
  arn: `arn:aws:iam::${ACCOUNT}:user/peer`,
};

interface RunFigures {
  /** From the operation's EndedAt to the process's (or loop's) exit. */
  afterEndMs: number;
  appRunnerCalls: number;
  /** What the run concluded: our status output, or the peer's last service status. */
  verdict: string;
}

let aws: AwsTestEnvironment;
let apprunner: AppRunnerSimulator;
let peerClient: AppRunnerClient;
let seeded = 0;

beforeAll(async () => {
  apprunner = createAppRunnerService({
    operationDurationMs: OPERATION_MS,
    rollbackDurationMs: ROLLBACK_MS,
  });
  aws = await startAwsEnvironment({ services: [apprunner] });
  aws.simulator.addCredentials(PEER_CREDENTIALS);
  peerClient = new AppRunnerClient({
    endpoint: aws.simulator.url,
    region: REGION,
    credentials: PEER_CREDENTIALS,
  });
});

afterAll(async () => {
  peerClient?.destroy();
  await aws?.close();
});

/** A fresh RUNNING service on v1, with the outcome its next deployment will have. */
function seedService(outcome: DeploymentOutcome): string {
  const name = `bench-api-${(seeded += 1)}`;
  apprunner.addService({
    name,
    image: `${REPO}:v1`,
    accessRoleArn: ACCESS_ROLE,
    port: '3000',
    env: { NODE_ENV: 'production' },
  });
  apprunner.script(name, [outcome]);
  return name;
}

/** When the service's newest operation ended (it must have). */
function endedAt(name: string): number {
  const [operation] = apprunner.operationsOf(name);
  if (!operation?.endedAt) throw new Error(`${name}: the operation has not ended`);
  return operation.endedAt.getTime();
}

function appRunnerCallsIn(entries: readonly unknown[]): number {
  return (entries as RequestLogEntry[]).filter((e) => e.service === 'apprunner').length;
}

async function ours(outcome: DeploymentOutcome): Promise<RunFigures> {
  const name = seedService(outcome);
  const run = await runIsolated({
    action: 'deploy-apprunner-and-wait',
    inputs: { ...aws.inputs, service: name, image: `${REPO}:v2`, timeout: '10m' },
    oidc: aws.oidc,
    simulator: aws.simulator,
    timeoutMs: OPERATION_MS + ROLLBACK_MS + 120_000,
  });
  const exited = Date.now();
  const expected = outcome === 'healthy' ? 0 : 1;
  if (run.exitCode !== expected || !run.outputs.status) {
    throw new Error(`deploy-apprunner-and-wait exited ${run.exitCode}:\n${run.log}`);
  }
  return {
    afterEndMs: exited - endedAt(name),
    appRunnerCalls: appRunnerCallsIn(run.requests),
    verdict: `${run.outputs.status} (exit ${run.exitCode})`,
  };
}

/** A re-implementation of the official action's update-and-wait (before 2.3.0): find by name, UpdateService, DescribeService every second. */
async function peer(outcome: DeploymentOutcome): Promise<RunFigures> {
  const name = seedService(outcome);
  const logged = aws.simulator.requestLog.length;
  let arn: string | undefined;
  let token: string | undefined;
  do {
    const page = await peerClient.send(new ListServicesCommand({ NextToken: token }));
    arn = page.ServiceSummaryList?.find((s: ServiceSummary) => s.ServiceName === name)?.ServiceArn;
    token = page.NextToken;
  } while (!arn && token);
  if (!arn) throw new Error(`peer: ${name} not found`);
  await peerClient.send(
    new UpdateServiceCommand({
      ServiceArn: arn,
      SourceConfiguration: {
        AuthenticationConfiguration: { AccessRoleArn: ACCESS_ROLE },
        ImageRepository: {
          ImageIdentifier: `${REPO}:v2`,
          ImageRepositoryType: 'ECR',
          ImageConfiguration: {
            Port: '3000',
            RuntimeEnvironmentVariables: { NODE_ENV: 'production' },
          },
        },
      },
    }),
  );
  let status = 'OPERATION_IN_PROGRESS';
  const deadline = Date.now() + OPERATION_MS + ROLLBACK_MS + 120_000;
  while (status === 'OPERATION_IN_PROGRESS' && Date.now() < deadline) {
    await sleep(1000);
    const { Service } = await peerClient.send(new DescribeServiceCommand({ ServiceArn: arn }));
    status = Service?.Status ?? 'OPERATION_IN_PROGRESS';
  }
  const exited = Date.now();
  if (status === 'OPERATION_IN_PROGRESS') throw new Error(`peer: ${name} never settled`);
  return {
    afterEndMs: exited - endedAt(name),
    appRunnerCalls: appRunnerCallsIn(aws.simulator.requestLog.slice(logged)),
    verdict: status === 'RUNNING' ? 'success (service RUNNING)' : `failure (${status})`,
  };
}

async function repeat(times: number, body: () => Promise<RunFigures>): Promise<RunFigures[]> {
  const figures: RunFigures[] = [];
  for (let i = 0; i < times; i += 1) figures.push(await body());
  return figures;
}

test('deploy-apprunner-and-wait: from the operation end to exit, and API calls', async () => {
  const healthyOurs = await repeat(REPETITIONS, () => ours('healthy'));
  const healthyPeer = await repeat(REPETITIONS, () => peer('healthy'));
  const rollbackOurs = await ours('health-check-fails');
  const rollbackPeer = await peer('health-check-fails');

  const measurement = (name: string, figures: RunFigures[]) => ({
    name,
    samplesMs: figures.map((f) => f.afterEndMs),
    counts: { 'App Runner calls': Math.max(...figures.map((f) => f.appRunnerCalls)) },
  });
  const comparisons: Comparison[] = [
    {
      scenario: `Healthy deployment, ${OPERATION_MS / 1000} s operation: operation end → exit`,
      ours: measurement('deploy-apprunner-and-wait (dist, Node 24)', healthyOurs),
      peer: measurement('UpdateService + DescribeService every 1 s', healthyPeer),
    },
    {
      scenario: `Health check fails, App Runner rolls back (${OPERATION_MS / 1000} s + ${ROLLBACK_MS / 1000} s): operation end → exit`,
      ours: measurement(`ours, ${rollbackOurs.verdict}`, [rollbackOurs]),
      peer: measurement(`peer, ${rollbackPeer.verdict}`, [rollbackPeer]),
    },
  ];
  const calls = (figures: RunFigures[]) => figures.map((f) => f.appRunnerCalls).join(', ');
  report('deploy-apprunner-and-wait', comparisons, [
    `App Runner calls per healthy run — ours: ${calls(healthyOurs)}; peer: ${calls(healthyPeer)}. Ours also makes the OIDC token request and AssumeRoleWithWebIdentity (not counted); the peer is already signed in and runs in-process (no process start).`,
    `Time after the end, per healthy run (ms) — ours: ${healthyOurs.map((f) => Math.round(f.afterEndMs)).join(', ')}; peer: ${healthyPeer.map((f) => Math.round(f.afterEndMs)).join(', ')}.`,
  ]);
});
