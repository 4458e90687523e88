/**
 * The deploy engine's flow against the App Runner simulator, through the real
 * @aws-sdk/client-apprunner. The simulator's operations and the engine's
 * waits follow one fake clock, so operations that take minutes are stepped
 * instantly and the exact calls can be asserted.
 */
import {
  AppRunnerClient,
  UpdateServiceCommand,
  type AppRunnerClient as Client,
} from '@aws-sdk/client-apprunner';
import { FakeClock, MemoryLogger, UserError } from '@deploy-actions/action-kit/engine';
import {
  DeployFailedError,
  deployToAppRunner,
  emptySettings,
  parseImageReference,
  parseServiceTarget,
  type DeployOptions,
  type DeployReport,
  type ServiceSettings,
} from '@deploy-actions/apprunner';
import { startAwsSimulator, type AwsSimulator } from '../../../tools/aws-sim/index.js';
import {
  appRunnerCalls,
  createAppRunnerService,
  type AppRunnerSimulator,
} from '../../../tools/aws-sim/services/apprunner.js';

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const USER = {
  accessKeyId: 'AKIADEPLOYENGINE0001',
  secretAccessKey: 'deploy-engine-test-secret',
  arn: `arn:aws:iam::${ACCOUNT}:user/deployer`,
};
const REPO = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/api`;
const ACCESS_ROLE = `arn:aws:iam::${ACCOUNT}:role/service-role/AppRunnerECRAccessRole`;
const EPOCH = Date.parse('2026-03-02T10:00:00Z');
const MINUTE = 60_000;

let sim: AwsSimulator;
let apprunner: AppRunnerSimulator;
let client: Client;
let clock: FakeClock;
let logger: MemoryLogger;

beforeEach(async () => {
  clock = new FakeClock();
  logger = new MemoryLogger();
  sim = await startAwsSimulator();
  sim.addCredentials(USER);
  apprunner = createAppRunnerService({
    now: () => new Date(EPOCH + clock.now()),
    operationDurationMs: 3 * MINUTE,
    rollbackDurationMs: MINUTE,
  });
  sim.register(apprunner);
  client = new AppRunnerClient({
    endpoint: sim.url,
    region: REGION,
    credentials: { accessKeyId: USER.accessKeyId, secretAccessKey: USER.secretAccessKey },
  });
});

afterEach(async () => {
  client.destroy();
  await sim.close();
});

function options(
  overrides: Partial<Omit<DeployOptions, 'service' | 'image' | 'settings'>> & {
    service?: string;
    image?: string;
    settings?: Partial<ServiceSettings>;
  } = {},
): DeployOptions {
  const { service = 'web-api', image = `${REPO}:v2`, settings = {}, ...rest } = overrides;
  return {
    service: parseServiceTarget('service', service, REGION),
    image: parseImageReference('image', image),
    settings: { ...emptySettings(), ...settings },
    createIfMissing: false,
    redeployIfUnchanged: true,
    wait: true,
    timeoutMs: 20 * MINUTE,
    ...rest,
  };
}

function deploy(deployOptions: DeployOptions): Promise<DeployReport> {
  return deployToAppRunner(deployOptions, {
    client,
    region: REGION,
    logger,
    clock,
    random: () => 0.5,
  });
}

async function deployFailure(deployOptions: DeployOptions): Promise<DeployFailedError> {
  const error = await deploy(deployOptions).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DeployFailedError);
  return error as DeployFailedError;
}

const calls = (operation?: string) => appRunnerCalls(sim.requestLog, operation);
const operationsCalled = () => calls().map((c) => c.operation);
const WRITES = ['CreateService', 'UpdateService', 'StartDeployment'];

function seed(overrides: Partial<Parameters<AppRunnerSimulator['addService']>[0]> = {}) {
  return apprunner.addService({
    name: 'web-api',
    image: `${REPO}:v1`,
    accessRoleArn: ACCESS_ROLE,
    autoDeployments: false,
    port: '3000',
    env: { NODE_ENV: 'production' },
    ...overrides,
  });
}

describe('update', () => {
  test('a new image: one UpdateService, tracked to SUCCEEDED, verified live', async () => {
    const service = seed();
    const report = await deploy(options());
    expect(report).toMatchObject({
      serviceName: 'web-api',
      serviceArn: service.arn,
      serviceUrl: `https://${service.url}`,
      action: 'update',
      status: 'SUCCEEDED',
      succeeded: true,
      image: `${REPO}:v2`,
      previousImage: `${REPO}:v1`,
      operation: { type: 'UPDATE_SERVICE', status: 'SUCCEEDED' },
      changes: ['image api:v1 → api:v2'],
      waitedFor: [],
    });
    expect(report.operation?.id).toBe(apprunner.operationsOf('web-api')[0]!.id);
    expect(apprunner.liveImage('web-api')).toBe(`${REPO}:v2`);
    expect(calls('UpdateService')).toHaveLength(1);
    expect(operationsCalled()[0]).toBe('ListServices');
    expect(operationsCalled().at(-1)).toBe('DescribeService');
    // Polls start fast and back off: a 3-minute operation takes a handful of reads.
    expect(calls('ListOperations').length).toBeGreaterThan(3);
    expect(calls('ListOperations').length).toBeLessThan(30);
    expect(report.durationMs).toBeGreaterThanOrEqual(3 * MINUTE);
  });

  test('unnamed settings are sent back as they are live', async () => {
    seed({ env: { NODE_ENV: 'production', KEEP: 'me' }, startCommand: 'node server.js' });
    await deploy(options({ settings: { env: new Map([['ADDED', '1']]) } }));
    const live = apprunner.service('web-api').config;
    expect(live.SourceConfiguration.ImageRepository.ImageConfiguration).toEqual({
      Port: '3000',
      StartCommand: 'node server.js',
      RuntimeEnvironmentVariables: { NODE_ENV: 'production', KEEP: 'me', ADDED: '1' },
    });
    expect(live.SourceConfiguration.AuthenticationConfiguration).toEqual({
      AccessRoleArn: ACCESS_ROLE,
    });
    expect(calls('UpdateService')[0]!.params).not.toHaveProperty('InstanceConfiguration');
  });

  test('by ARN: no ListServices', async () => {
    const service = seed();
    await deploy(options({ service: service.arn }));
    expect(operationsCalled()).not.toContain('ListServices');
  });

  test('by name through many pages and empty pages with a NextToken', async () => {
    for (let i = 0; i < 45; i++) apprunner.addService({ name: `svc-${i}`, image: `${REPO}:x` });
    seed();
    apprunner.emptyPages(3, 'ListServices');
    const report = await deploy(options());
    expect(report.status).toBe('SUCCEEDED');
    expect(calls('ListServices').length).toBe(6);
  });

  test('a missing service is an error that names it and the region; nothing is written', async () => {
    const error = await deploy(options()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toBe('No App Runner service named web-api in us-east-1.');
    expect(operationsCalled().filter((o) => WRITES.includes(o))).toEqual([]);
  });

  test('a missing ARN is an error', async () => {
    const arn = `arn:aws:apprunner:${REGION}:${ACCOUNT}:service/web-api/0123456789abcdef0123456789abcdef`;
    await expect(deploy(options({ service: arn }))).rejects.toThrow(
      `No App Runner service has the ARN ${arn} in us-east-1.`,
    );
  });
});

describe('outcomes', () => {
  test('health checks fail: ROLLBACK_SUCCEEDED fails naming the image serving', async () => {
    const service = seed();
    apprunner.script('web-api', ['health-check-fails']);
    const { report, message, hint } = await deployFailure(options());
    expect(report).toMatchObject({
      status: 'ROLLBACK_SUCCEEDED',
      succeeded: false,
      image: `${REPO}:v1`,
      previousImage: `${REPO}:v1`,
      operation: { status: 'ROLLBACK_SUCCEEDED' },
    });
    expect(message).toBe(
      `The new version (${REPO}:v2) failed its health checks and was rolled back: web-api is serving ${REPO}:v1.`,
    );
    expect(hint).toContain(`/aws/apprunner/web-api/${service.id}/service`);
    expect(hint).toContain(`/aws/apprunner/web-api/${service.id}/application`);
    expect(hint).toContain(
      `https://console.aws.amazon.com/apprunner/home?region=us-east-1#/services/dashboard?service_arn=${service.arn}`,
    );
  });

  test('rollback fails: ROLLBACK_FAILED', async () => {
    seed();
    apprunner.script('web-api', ['rollback-fails']);
    const { report, message } = await deployFailure(options());
    expect(report.status).toBe('ROLLBACK_FAILED');
    expect(message).toMatch(/failed and so did the rollback/);
  });

  test('the update fails: FAILED with the serving image', async () => {
    seed();
    apprunner.script('web-api', ['fails']);
    const { report, message } = await deployFailure(options());
    expect(report.status).toBe('FAILED');
    expect(message).toMatch(/ended FAILED; web-api is RUNNING, serving .*api:v1\.$/);
  });

  test('timeout: fails with the last status, reads nothing after the deadline', async () => {
    seed();
    apprunner.setOperationDuration(60 * MINUTE);
    const { report, message } = await deployFailure(options({ timeoutMs: 5 * MINUTE }));
    expect(report).toMatchObject({ status: 'TIMED_OUT', operation: { status: 'IN_PROGRESS' } });
    expect(message).toMatch(/did not finish within 5m 00s: last status IN_PROGRESS/);
    expect(clock.now()).toBe(5 * MINUTE);
    expect(operationsCalled().at(-1)).toBe('ListOperations');
  });

  test('wait: false returns once App Runner accepted the operation', async () => {
    seed();
    const report = await deploy(options({ wait: false }));
    expect(report).toMatchObject({
      status: 'STARTED',
      succeeded: true,
      operation: { type: 'UPDATE_SERVICE' },
    });
    expect(calls('ListOperations')).toHaveLength(0);
  });
});

describe('unchanged image', () => {
  test('redeploys with StartDeployment (no UpdateService, which App Runner would refuse)', async () => {
    seed({ image: `${REPO}:v2` });
    const report = await deploy(options());
    expect(report).toMatchObject({
      action: 'redeploy',
      status: 'SUCCEEDED',
      operation: { type: 'START_DEPLOYMENT' },
    });
    expect(calls('StartDeployment')).toHaveLength(1);
    expect(calls('UpdateService')).toHaveLength(0);
  });

  test('redeploy-if-unchanged: false: nothing to do, nothing written', async () => {
    seed({ image: `${REPO}:v2` });
    const report = await deploy(options({ redeployIfUnchanged: false }));
    expect(report).toMatchObject({ status: 'UNCHANGED', succeeded: true, operation: undefined });
    expect(report.message).toMatch(/^Nothing to do/);
    expect(operationsCalled().filter((o) => WRITES.includes(o))).toEqual([]);
  });

  test('same image but a named setting differs: UpdateService', async () => {
    seed({ image: `${REPO}:v2` });
    const report = await deploy(options({ settings: { port: 8080 } }));
    expect(report).toMatchObject({ action: 'update', changes: ['port 3000 → 8080'] });
  });
});

describe('another operation in progress', () => {
  test('waits for it (naming it), then deploys on top of what it left live', async () => {
    seed();
    const foreign = apprunner.startOperation('web-api', 'UPDATE_SERVICE', {
      image: `${REPO}:v1.5`,
      durationMs: 10 * MINUTE,
    });
    const report = await deploy(options());
    expect(report).toMatchObject({
      status: 'SUCCEEDED',
      previousImage: `${REPO}:v1.5`,
      waitedFor: [{ id: foreign.id, type: 'UPDATE_SERVICE', status: 'SUCCEEDED' }],
    });
    expect(logger.text()).toContain(`busy with UPDATE_SERVICE ${foreign.id}`);
    expect(calls('UpdateService').map((c) => c.status)).toEqual([200]);
    const [ours, theirs] = apprunner.operationsOf('web-api');
    expect(theirs!.id).toBe(foreign.id);
    expect(ours!.startedAt.getTime()).toBeGreaterThanOrEqual(theirs!.endedAt!.getTime());
  });

  test('an operation that starts between the read and the update: InvalidStateException is waited out', async () => {
    seed();
    const send = client.send.bind(client) as (command: unknown) => Promise<unknown>;
    let raced = false;
    client.send = ((command: unknown) => {
      if (command instanceof UpdateServiceCommand && !raced) {
        raced = true;
        apprunner.startOperation('web-api', 'UPDATE_SERVICE', { durationMs: 2 * MINUTE });
      }
      return send(command);
    }) as Client['send'];
    const report = await deploy(options());
    expect(report.status).toBe('SUCCEEDED');
    expect(calls('UpdateService').map((c) => c.errorCode ?? 'ok')).toEqual([
      'InvalidStateException',
      'ok',
    ]);
    expect(report.waitedFor).toHaveLength(1);
    expect(apprunner.liveImage('web-api')).toBe(`${REPO}:v2`);
  });

  test('an UpdateService applied twice (a retried request) follows the first instead of queueing another', async () => {
    seed();
    const send = client.send.bind(client) as (command: unknown) => Promise<unknown>;
    let repeated = false;
    client.send = (async (command: unknown) => {
      if (command instanceof UpdateServiceCommand && !repeated) {
        repeated = true;
        await send(command); // applied, but its answer "lost": the retry meets InvalidStateException
      }
      return send(command);
    }) as Client['send'];
    const report = await deploy(options());
    expect(report.status).toBe('SUCCEEDED');
    const updates = apprunner.operationsOf('web-api').filter((o) => o.type === 'UPDATE_SERVICE');
    expect(updates).toHaveLength(1);
    expect(report.operation?.id).toBe(updates[0]!.id);
    expect(calls('StartDeployment')).toHaveLength(0);
  });

  test('an operation that outlasts the timeout: TIMED_OUT, nothing deployed', async () => {
    seed();
    apprunner.startOperation('web-api', 'UPDATE_SERVICE', { durationMs: 60 * MINUTE });
    const { report, message } = await deployFailure(options({ timeoutMs: 2 * MINUTE }));
    expect(report).toMatchObject({ status: 'TIMED_OUT', action: 'none' });
    expect(message).toMatch(/still busy with UPDATE_SERVICE .* nothing was deployed/);
    expect(operationsCalled().filter((o) => WRITES.includes(o))).toEqual([]);
  });
});

describe('create', () => {
  test('create-if-missing creates with the settings and tracks CREATE_SERVICE', async () => {
    const report = await deploy(
      options({
        createIfMissing: true,
        settings: {
          accessRoleArn: ACCESS_ROLE,
          port: 3000,
          cpuUnits: 512,
          memoryMb: 1024,
          tags: new Map([['team', 'platform']]),
        },
      }),
    );
    expect(report).toMatchObject({
      action: 'create',
      status: 'SUCCEEDED',
      previousImage: undefined,
      image: `${REPO}:v2`,
      operation: { type: 'CREATE_SERVICE', status: 'SUCCEEDED' },
    });
    const [create] = calls('CreateService');
    expect(create!.params).toMatchObject({
      ServiceName: 'web-api',
      InstanceConfiguration: { Cpu: '0.5 vCPU', Memory: '1 GB' },
      Tags: [{ Key: 'team', Value: 'platform' }],
    });
    expect(apprunner.service('web-api').status).toBe('RUNNING');
  });

  test('a failed creation is CREATE_FAILED with the causes to check', async () => {
    apprunner.script('web-api', ['fails']);
    const { report, hint } = await deployFailure(
      options({ createIfMissing: true, settings: { accessRoleArn: ACCESS_ROLE } }),
    );
    expect(report.status).toBe('CREATE_FAILED');
    expect(hint).toMatch(/access role cannot pull the image/);
  });

  test('a CREATE_FAILED service is rebuilt by the update', async () => {
    seed({ status: 'CREATE_FAILED' });
    const report = await deploy(options());
    expect(report).toMatchObject({ status: 'SUCCEEDED', action: 'update' });
    expect(logger.text()).toMatch(/is CREATE_FAILED \(it never went live\): rebuilding it/);
    expect(apprunner.service('web-api').status).toBe('RUNNING');
  });

  test('a PAUSED service is refused before any write', async () => {
    seed({ status: 'PAUSED' });
    await expect(deploy(options())).rejects.toThrow(/is PAUSED.*/);
    expect(operationsCalled().filter((o) => WRITES.includes(o))).toEqual([]);
  });
});

describe('a cancelled step', () => {
  /** The fake clock, cancelling the step once the wait has slept `after` times. */
  function cancellingClock(after: number) {
    const controller = new AbortController();
    const sleep = clock.sleep.bind(clock);
    clock.sleep = async (ms: number) => {
      await sleep(ms);
      if (clock.sleeps.length >= after) controller.abort();
    };
    return controller.signal;
  }

  test('starts no write after the signal: nothing is deployed', async () => {
    seed();
    const cancel = new AbortController();
    cancel.abort();
    await expect(
      deployToAppRunner(options(), {
        client,
        region: REGION,
        logger,
        clock,
        signal: cancel.signal,
      }),
    ).rejects.toThrow(
      'The step was cancelled before UpdateService: nothing was deployed to web-api.',
    );
    expect(operationsCalled().filter((op) => WRITES.includes(op))).toEqual([]);
  });

  test('stops waiting, says the operation goes on in App Runner, and is not a failure of the version', async () => {
    seed();
    const signal = cancellingClock(2);
    const error = await deployToAppRunner(options(), {
      client,
      region: REGION,
      logger,
      clock,
      random: () => 0.5,
      signal,
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DeployFailedError);
    const report = (error as DeployFailedError).report;
    expect(report.status).toBe('CANCELLED');
    expect(report.message).toMatch(
      /^The step was cancelled while waiting\. The UPDATE_SERVICE operation [0-9a-f-]+ is still running in App Runner \(last status IN_PROGRESS\); it will finish on its own\.$/,
    );
    // The wait ended at the signal, long before the 3-minute operation could have.
    expect(clock.now()).toBeLessThan(3 * MINUTE);
    expect(operationsCalled().filter((op) => WRITES.includes(op))).toEqual(['UpdateService']);
  });
});

describe('pinImage: the live image by digest, for a rollback', () => {
  const DIGEST = `sha256:${'a'.repeat(64)}`;

  function deployPinning(
    deployOptions: DeployOptions,
    pin: (image: string) => Promise<string | undefined>,
  ): Promise<DeployReport> {
    return deployToAppRunner(deployOptions, {
      client,
      region: REGION,
      logger,
      clock,
      random: () => 0.5,
      pinImage: pin,
    });
  }

  test('a live tag is resolved before anything is written; the report keeps the tag and adds the digest', async () => {
    apprunner.addService({ name: 'web-api', image: `${REPO}:latest`, region: REGION });
    const asked: Array<{ image: string; updatesBefore: number }> = [];
    const report = await deployPinning(options(), async (image) => {
      asked.push({ image, updatesBefore: calls('UpdateService').length });
      return `${REPO}@${DIGEST}`;
    });
    expect(asked).toEqual([{ image: `${REPO}:latest`, updatesBefore: 0 }]);
    expect(report).toMatchObject({
      succeeded: true,
      previousImage: `${REPO}:latest`,
      previousDigest: `${REPO}@${DIGEST}`,
    });
    expect(logger.text()).toContain(`previous-image ${REPO}:latest is ${REPO}@${DIGEST}`);
  });

  test('a live digest, a tag that cannot be resolved, or nothing to do: no previousDigest', async () => {
    apprunner.addService({ name: 'web-api', image: `${REPO}@${DIGEST}`, region: REGION });
    const asked: string[] = [];
    const pin = async (image: string) => {
      asked.push(image);
      return undefined;
    };
    const pinnedAlready = await deployPinning(options(), pin);
    expect(pinnedAlready).not.toHaveProperty('previousDigest');
    expect(asked).toEqual([]);

    const unresolved = await deployPinning(options({ image: `${REPO}:v3` }), pin);
    expect(asked).toEqual([`${REPO}:v2`]);
    expect(unresolved).not.toHaveProperty('previousDigest');

    const unchanged = await deployPinning(
      options({ image: `${REPO}:v3`, redeployIfUnchanged: false }),
      pin,
    );
    expect(unchanged.action).toBe('none');
    expect(asked).toEqual([`${REPO}:v2`]);
  });
});
