// deploy-apprunner-and-wait end to end: the committed bundle under Node 24,
// credentials from GitHub OIDC through the simulator's STS, and App Runner
// simulated with operations that take (short) real time, roll back, fail and
// race. Each scenario uses its own service name in one shared simulator.
import { startAwsEnvironment, type AwsTestEnvironment } from '../../tools/services/aws-env.js';
import {
  appRunnerCalls,
  createAppRunnerService,
  type AppRunnerSimulator,
  type ServiceSeed,
} from '../../tools/aws-sim/services/apprunner.js';
import type { RequestLogEntry } from '../../tools/aws-sim/index.js';
import { runAction, visibleLog, type ActionRun } from '../support/harness.js';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const REPO = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/team/api`;
const DIGEST = `sha256:${'5e'.repeat(32)}`;
const ACCESS_ROLE = `arn:aws:iam::${ACCOUNT}:role/service-role/AppRunnerECRAccessRole`;
const INSTANCE_ROLE = `arn:aws:iam::${ACCOUNT}:role/api-runtime`;
const SECRET = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:prod/db-url-AbCdEf`;
const PARAMETER = `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/prod/api/token`;
const VPC_CONNECTOR = `arn:aws:apprunner:${REGION}:${ACCOUNT}:vpcconnector/private-subnets/1/0123456789abcdef0123456789abcdef`;
const AUTO_SCALING = `arn:aws:apprunner:${REGION}:${ACCOUNT}:autoscalingconfiguration/high-availability/2/fedcba9876543210fedcba9876543210`;

let aws: AwsTestEnvironment;
let apprunner: AppRunnerSimulator;

beforeAll(async () => {
  apprunner = createAppRunnerService({ operationDurationMs: 400, rollbackDurationMs: 300 });
  aws = await startAwsEnvironment({ services: [apprunner] });
});
afterAll(async () => {
  await aws?.close();
});
afterEach(() => aws.simulator.faults.clear());

function deploy(inputs: Record<string, string>, withAws = true): Promise<ActionRun> {
  return runAction({
    action: 'deploy-apprunner-and-wait',
    inputs: { ...(withAws ? aws.inputs : {}), timeout: '60s', ...inputs },
    oidc: aws.oidc,
    simulator: aws.simulator,
  });
}

const requests = (run: ActionRun) => run.requests as RequestLogEntry[];
const callsOf = (run: ActionRun, operation?: string) => appRunnerCalls(requests(run), operation);
/** Calls App Runner answered (not those the fault injector throttled). */
const answered = (run: ActionRun, operation: string) =>
  callsOf(run, operation).filter((c) => c.fault === undefined);
const errorLine = (run: ActionRun) =>
  run.annotations.find((a) => a.level === 'error')?.message ?? '';

function seed(name: string, overrides: Partial<ServiceSeed> = {}) {
  return apprunner.addService({
    name,
    image: `${REPO}:v1`,
    accessRoleArn: ACCESS_ROLE,
    autoDeployments: false,
    port: '3000',
    ...overrides,
  });
}

test('success: the new image is live and every output is set', async () => {
  const service = seed('api-success');
  const run = await deploy({ service: 'api-success', image: `${REPO}@${DIGEST}` });
  expect(visibleLog(run)).not.toMatch(/::error::/);
  expect(run.exitCode).toBe(0);
  const [operation] = apprunner.operationsOf('api-success');
  expect(run.outputs).toEqual({
    'service-arn': service.arn,
    'service-url': `https://${service.url}`,
    'operation-id': operation!.id,
    status: 'SUCCEEDED',
    image: `${REPO}@${DIGEST}`,
    'previous-image': `${REPO}:v1`,
    duration: expect.stringMatching(/^\d+$/),
  });
  expect(apprunner.liveImage('api-success')).toBe(`${REPO}@${DIGEST}`);
  expect(answered(run, 'UpdateService')).toHaveLength(1);
  expect(run.summary).toContain(`${REPO}:v1 → ${REPO}@${DIGEST}`);
  expect(run.summary).toContain(`UPDATE_SERVICE ${operation!.id} (SUCCEEDED)`);
  expect(run.summary).toContain(`https://${service.url}`);
  expect(run.summary).toContain(`/aws/apprunner/api-success/${service.id}/service`);
  expect(visibleLog(run)).toContain('image team/api:v1 → team/api@sha256:5e5e5e5e5e5e…');
});

test('rollback detected: the step fails and says which image serves', async () => {
  const service = seed('api-rollback');
  apprunner.script('api-rollback', ['health-check-fails']);
  const run = await deploy({ service: 'api-rollback', image: `${REPO}:v2` });
  expect(run.exitCode).toBe(1);
  expect(run.outputs).toMatchObject({
    status: 'ROLLBACK_SUCCEEDED',
    image: `${REPO}:v1`,
    'previous-image': `${REPO}:v1`,
  });
  expect(errorLine(run)).toContain(
    `The new version (${REPO}:v2) failed its health checks and was rolled back: api-rollback is serving ${REPO}:v1.`,
  );
  expect(errorLine(run)).toContain(`/aws/apprunner/api-rollback/${service.id}/service`);
  expect(errorLine(run)).toContain(
    `https://console.aws.amazon.com/apprunner/home?region=us-east-1#/services/dashboard?service_arn=${service.arn}`,
  );
  expect(run.summary).toContain('rolled back');
  expect(apprunner.liveImage('api-rollback')).toBe(`${REPO}:v1`);
});

test('an operation already in progress is waited for (and named), then the deploy runs', async () => {
  seed('api-busy');
  const foreign = apprunner.startOperation('api-busy', 'UPDATE_SERVICE', {
    image: `${REPO}:hotfix`,
    // Longer than the bundle takes to start and sign in, even on a loaded machine.
    durationMs: 6_000,
  });
  const run = await deploy({ service: 'api-busy', image: `${REPO}:v2` });
  expect(run.exitCode).toBe(0);
  expect(visibleLog(run)).toContain(`busy with UPDATE_SERVICE ${foreign.id}`);
  expect(run.outputs).toMatchObject({ status: 'SUCCEEDED', 'previous-image': `${REPO}:hotfix` });
  expect(callsOf(run, 'UpdateService').map((c) => c.errorCode ?? 'ok')).toEqual(['ok']);
  const [ours, theirs] = apprunner.operationsOf('api-busy');
  expect(theirs!.id).toBe(foreign.id);
  expect(ours!.startedAt.getTime()).toBeGreaterThanOrEqual(theirs!.endedAt!.getTime());
  expect(run.summary).toContain(foreign.id);
});

test('an unchanged image is redeployed with StartDeployment, or left alone when asked', async () => {
  seed('api-same', { image: `${REPO}:v2` });
  const run = await deploy({ service: 'api-same', image: `${REPO}:v2` });
  expect(run.exitCode).toBe(0);
  expect(run.outputs.status).toBe('SUCCEEDED');
  expect(callsOf(run, 'StartDeployment')).toHaveLength(1);
  expect(callsOf(run, 'UpdateService')).toHaveLength(0);
  expect(apprunner.operationsOf('api-same')[0]!.type).toBe('START_DEPLOYMENT');

  const again = await deploy({
    service: 'api-same',
    image: `${REPO}:v2`,
    'redeploy-if-unchanged': 'false',
  });
  expect(again.exitCode).toBe(0);
  expect(again.outputs).toMatchObject({ status: 'UNCHANGED', 'operation-id': '' });
  expect(visibleLog(again)).toContain('Nothing to do');
  expect(
    callsOf(again).filter((c) => ['UpdateService', 'StartDeployment'].includes(c.operation)),
  ).toEqual([]);
});

test('create with every option: the request App Runner received', async () => {
  const run = await deploy({
    service: 'api-created',
    image: `${REPO}:v1`,
    'create-if-missing': 'true',
    'access-role-arn': ACCESS_ROLE,
    'instance-role-arn': INSTANCE_ROLE,
    port: '3000',
    cpu: '0.5',
    memory: '1 GB',
    env: 'NODE_ENV=production\nLOG_LEVEL=info',
    secrets: `DATABASE_URL=${SECRET}\nAPI_TOKEN=${PARAMETER}`,
    'health-check-protocol': 'HTTP',
    'health-check-path': '/health',
    'health-check-interval': '10s',
    'health-check-timeout': '4s',
    'health-check-healthy-threshold': '2',
    'health-check-unhealthy-threshold': '4',
    'auto-scaling-configuration-arn': AUTO_SCALING,
    'vpc-connector-arn': VPC_CONNECTOR,
    'auto-deployments': 'false',
    tags: 'team=platform\nenv=production',
  });
  expect(visibleLog(run)).not.toMatch(/::error::/);
  expect(run.exitCode).toBe(0);
  const created = callsOf(run, 'CreateService');
  expect(created).toHaveLength(1);
  expect(created[0]!.params).toEqual({
    ServiceName: 'api-created',
    SourceConfiguration: {
      ImageRepository: {
        ImageIdentifier: `${REPO}:v1`,
        ImageRepositoryType: 'ECR',
        ImageConfiguration: {
          RuntimeEnvironmentVariables: { NODE_ENV: 'production', LOG_LEVEL: 'info' },
          RuntimeEnvironmentSecrets: { DATABASE_URL: SECRET, API_TOKEN: PARAMETER },
          Port: '3000',
        },
      },
      AutoDeploymentsEnabled: false,
      AuthenticationConfiguration: { AccessRoleArn: ACCESS_ROLE },
    },
    InstanceConfiguration: { Cpu: '0.5 vCPU', Memory: '1 GB', InstanceRoleArn: INSTANCE_ROLE },
    HealthCheckConfiguration: {
      Protocol: 'HTTP',
      Path: '/health',
      Interval: 10,
      Timeout: 4,
      HealthyThreshold: 2,
      UnhealthyThreshold: 4,
    },
    AutoScalingConfigurationArn: AUTO_SCALING,
    NetworkConfiguration: {
      EgressConfiguration: { EgressType: 'VPC', VpcConnectorArn: VPC_CONNECTOR },
    },
    Tags: [
      { Key: 'team', Value: 'platform' },
      { Key: 'env', Value: 'production' },
    ],
  });
  const service = apprunner.service('api-created');
  expect(service.status).toBe('RUNNING');
  expect(run.outputs).toMatchObject({
    status: 'SUCCEEDED',
    'service-arn': service.arn,
    'previous-image': '',
    image: `${REPO}:v1`,
  });
  expect(apprunner.operationsOf('api-created')[0]!.type).toBe('CREATE_SERVICE');
});

test('an update leaves every setting it was not given as it was', async () => {
  seed('api-keep', {
    port: '3000',
    env: { NODE_ENV: 'production', KEEP: 'yes' },
    secrets: { DATABASE_URL: SECRET },
    startCommand: 'node server.js',
    cpu: '2 vCPU',
    memory: '6 GB',
    instanceRoleArn: INSTANCE_ROLE,
    healthCheck: { Protocol: 'HTTP', Path: '/health', Interval: 10, UnhealthyThreshold: 3 },
    vpcConnectorArn: VPC_CONNECTOR,
    autoScalingConfigurationArn: AUTO_SCALING,
  });
  const before = structuredClone(apprunner.service('api-keep').config);
  const run = await deploy({ service: 'api-keep', image: `${REPO}:v2`, env: 'ADDED=1' });
  expect(run.exitCode).toBe(0);
  const after = apprunner.service('api-keep').config;
  const expected = structuredClone(before);
  expected.SourceConfiguration.ImageRepository.ImageIdentifier = `${REPO}:v2`;
  expected.SourceConfiguration.ImageRepository.ImageConfiguration.RuntimeEnvironmentVariables = {
    NODE_ENV: 'production',
    KEEP: 'yes',
    ADDED: '1',
  };
  expect(after).toEqual(expected);
  // Only the block with a change was sent.
  expect(Object.keys(callsOf(run, 'UpdateService')[0]!.params).sort()).toEqual([
    'ServiceArn',
    'SourceConfiguration',
  ]);
});

test('timeout: fails with the last status seen and where to look', async () => {
  const service = seed('api-slow');
  apprunner.setOperationDuration(120_000, 'api-slow');
  const run = await deploy({ service: 'api-slow', image: `${REPO}:v2`, timeout: '3s' });
  expect(run.exitCode).toBe(1);
  expect(run.outputs).toMatchObject({ status: 'TIMED_OUT', image: `${REPO}:v1` });
  expect(errorLine(run)).toMatch(/did not finish within 3\.0s: last status IN_PROGRESS/);
  expect(errorLine(run)).toContain(`/aws/apprunner/api-slow/${service.id}/service`);
  apprunner.finishOperation('api-slow');
});

test('30% throttling on every call still succeeds with exactly one UpdateService', async () => {
  seed('api-throttled');
  aws.simulator.faults.add({ kind: 'throttle', probability: 0.3, seed: 7 });
  const run = await deploy({ service: 'api-throttled', image: `${REPO}:v2` });
  expect(visibleLog(run)).not.toMatch(/::error::/);
  expect(run.exitCode).toBe(0);
  expect(run.outputs.status).toBe('SUCCEEDED');
  expect(requests(run).some((r) => r.fault === 'throttle')).toBe(true);
  expect(answered(run, 'UpdateService')).toHaveLength(1);
  expect(
    apprunner.operationsOf('api-throttled').filter((o) => o.type === 'UPDATE_SERVICE'),
  ).toHaveLength(1);
  expect(apprunner.liveImage('api-throttled')).toBe(`${REPO}:v2`);
});

describe('bad inputs fail before any call (not even STS)', () => {
  test.each([
    ['service', { service: 'arn:aws:apprunner:us-east-1:123456789012:service/api' }],
    ['image', { image: 'docker.io/library/nginx:latest' }],
    ['image', { image: `${REPO}@sha256:abc` }],
    ['memory', { cpu: '4', memory: '2 GB' }],
    ['cpu', { cpu: '3 vCPU' }],
    ['timeout', { timeout: 'forever' }],
    ['health-check-interval', { 'health-check-interval': '90s' }],
    ['secrets', { secrets: 'DATABASE_URL=postgres://u:p@db/app' }],
    ['access-role-arn', { 'create-if-missing': 'true' }],
  ])('%s', async (input, values) => {
    const run = await deploy({ service: 'api-never', image: `${REPO}:v2`, ...values });
    expect(run.exitCode).toBe(1);
    expect(errorLine(run)).toMatch(new RegExp(`^Input '${input}': got .*, expected `));
    expect(run.requests).toEqual([]);
    expect(visibleLog(run)).not.toMatch(/\n\s+at /);
  });
});
