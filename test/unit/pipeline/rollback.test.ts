/**
 * The root pipeline's rollback after a failed smoke test, every way it can
 * end: against the App Runner simulator through the real client (operations
 * stepped by a fake clock) and a local HTTP service for the smoke test. Each
 * ending is checked three ways: what the service runs, the step's error, and
 * the job summary's rollback table.
 */
import { AppRunnerClient } from '@aws-sdk/client-apprunner';
import { CreateRepositoryCommand, ECRClient } from '@aws-sdk/client-ecr';
import { FakeClock, MemoryLogger, UserError } from '@deploy-actions/action-kit/engine';
import {
  emptySettings,
  parseImageReference,
  parseServiceTarget,
  type DeployInputs,
  type DeployReport,
} from '@deploy-actions/apprunner';
import { parseSmokeInputs, type SmokeReport } from '@deploy-actions/smoke';
import type { SummarySection } from '@deploy-actions/action-kit';
import { ecrImagePinner } from '../../../packages/pipeline/src/pin-image.js';
import { rollBack, rollbackFailure } from '../../../packages/pipeline/src/rollback.js';
import { runDeploy, runSmoke } from '../../../packages/pipeline/src/stages.js';
import {
  newState,
  type PipelineState,
  type RollbackRecord,
} from '../../../packages/pipeline/src/state.js';
import {
  rollbackSections,
  pipelineSummary as summarySections,
} from '../../../packages/pipeline/src/summary.js';
import { startAwsSimulator, type AwsSimulator } from '../../../tools/aws-sim/index.js';
import {
  appRunnerCalls,
  createAppRunnerService,
  type AppRunnerSimulator,
} from '../../../tools/aws-sim/services/apprunner.js';
import { createEcrService } from '../../../tools/aws-sim/services/ecr.js';
import { startScriptedServer, type ScriptedServer } from '../../../tools/services/http-servers.js';
import { startTagRegistry, type TagRegistry } from './tag-registry.js';

const REGION = 'eu-west-1';
const ACCOUNT = '123456789012';
const USER = {
  accessKeyId: 'AKIAROLLBACKTEST0001',
  secretAccessKey: 'rollback-test-secret',
  arn: `arn:aws:iam::${ACCOUNT}:user/deployer`,
};
const REPO = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/api`;
const OLD = `${REPO}:v1`;
const NEW = `${REPO}:v2`;
const MINUTE = 60_000;

let sim: AwsSimulator;
let apprunner: AppRunnerSimulator;
let client: AppRunnerClient;
let clock: FakeClock;
let logger: MemoryLogger;
let service: ScriptedServer;

beforeEach(async () => {
  clock = new FakeClock();
  logger = new MemoryLogger();
  sim = await startAwsSimulator();
  sim.addCredentials(USER);
  apprunner = createAppRunnerService({
    now: () => new Date(Date.parse('2026-11-23T10:00:00Z') + clock.now()),
    operationDurationMs: 3 * MINUTE,
    rollbackDurationMs: MINUTE,
  });
  sim.register(apprunner);
  apprunner.addService({ name: 'shop-api', image: OLD, port: '8080', region: REGION });
  client = new AppRunnerClient({
    endpoint: sim.url,
    region: REGION,
    credentials: { accessKeyId: USER.accessKeyId, secretAccessKey: USER.secretAccessKey },
    maxAttempts: 1,
  });
  // The new version answers 500; the old one (after a rollback) 200, unless a test says otherwise.
  service = await startScriptedServer({ '/health': [500] });
});

afterEach(async () => {
  client?.destroy();
  await Promise.all([sim?.close(), service?.close()]);
});

const stageInputs = (): DeployInputs => ({
  service: parseServiceTarget('service', 'shop-api', REGION),
  image: undefined,
  settings: emptySettings(),
  createIfMissing: false,
  redeployIfUnchanged: true,
  timeoutMs: 20 * MINUTE,
});

const deps = () => ({
  client,
  region: REGION,
  logger,
  signal: new AbortController().signal,
  clock,
  random: () => 0.5,
});

const smoke = () =>
  parseSmokeInputs({
    url: `${service.origin}/health`,
    timeout: '1m',
    interval: '1s',
    failFastStatuses: '500',
  });

/** The step so far: v2 deployed over v1 and live, its smoke test failed. */
async function failedRelease(): Promise<{ deployed: DeployReport; failedSmoke: SmokeReport }> {
  const deployed = await runDeploy(stageInputs(), parseImageReference('image', NEW), deps());
  expect(deployed).toMatchObject({ succeeded: true, image: NEW, previousImage: OLD });
  const { checks, options } = smoke();
  const failedSmoke = await runSmoke(checks, options, deps());
  expect(failedSmoke.passed).toBe(false);
  return { deployed, failedSmoke };
}

function summaryOf(
  deployed: DeployReport,
  failedSmoke: SmokeReport,
  rollback: RollbackRecord,
): { overview: string[]; rollback: SummarySection | undefined } {
  const state: PipelineState = newState(['deploy-apprunner-and-wait', 'smoke-test']);
  state.results.set('deploy-apprunner-and-wait', 'succeeded');
  state.results.set('smoke-test', 'failed');
  Object.assign(state, { deploy: deployed, smoke: failedSmoke, rollback });
  const sections = summarySections(state);
  const overview = sections[0]!.table!.find((row) => row[0] === 'rollback')!;
  return { overview, rollback: sections.find((section) => section.heading === 'Rollback') };
}

const rowsOf = (section: SummarySection | undefined) =>
  Object.fromEntries((section?.table ?? []).slice(1).map(([name, value]) => [name, value]));

const updates = () =>
  appRunnerCalls(sim.requestLog, 'UpdateService')
    .filter((call) => !call.fault)
    .map(
      (call) =>
        (call.params as { SourceConfiguration: { ImageRepository: { ImageIdentifier: string } } })
          .SourceConfiguration.ImageRepository.ImageIdentifier,
    );

test('the previous image goes live again and passes: the step fails saying so', async () => {
  const { deployed, failedSmoke } = await failedRelease();
  service.route('/health', 200);

  const record = await rollBack(deployed, stageInputs(), smoke(), deps());

  expect(apprunner.liveImage('shop-api', REGION)).toBe(OLD);
  expect(updates()).toEqual([NEW, OLD]);
  expect(record.report).toMatchObject({ succeeded: true, image: OLD, status: 'SUCCEEDED' });
  expect(record.smoke?.passed).toBe(true);
  const error = rollbackFailure(deployed, failedSmoke, record);
  expect(error).toBeInstanceOf(UserError);
  expect(error.message).toBe(
    `The new version (${NEW}) failed the smoke test (${service.origin}/health) and was rolled back: shop-api serves ${OLD} again, which passes the smoke test.`,
  );
  const summary = summaryOf(deployed, failedSmoke, record);
  expect(summary.overview[1]).toBe('✅ rolled back, healthy');
  expect(rowsOf(summary.rollback)).toMatchObject({
    'Failed version': NEW,
    'Rolled back to': OLD,
    'Serving now': OLD,
  });
  expect(rowsOf(summary.rollback)['Its smoke test']).toMatch(/Failed: .*\/health/);
  expect(rowsOf(summary.rollback)['Rollback deploy']).toMatch(/^SUCCEEDED \(UPDATE_SERVICE \S+\)/);
  expect(rowsOf(summary.rollback)['Smoke test after rollback']).toMatch(/passed/i);
});

test('the previous version fails the smoke test too: rolled back, but the step says both are unhealthy', async () => {
  const { deployed, failedSmoke } = await failedRelease();

  const record = await rollBack(deployed, stageInputs(), smoke(), deps());

  expect(apprunner.liveImage('shop-api', REGION)).toBe(OLD);
  expect(record.smoke?.passed).toBe(false);
  const error = rollbackFailure(deployed, failedSmoke, record);
  expect(error.message).toBe(
    `The new version (${NEW}) failed the smoke test (${service.origin}/health) and was rolled back to ${OLD}, which fails the smoke test too (${service.origin}/health).`,
  );
  expect((error as UserError).hint).toMatch(/a dependency they share/);
  const summary = summaryOf(deployed, failedSmoke, record);
  expect(summary.overview[1]).toBe('❌ rolled back, still failing');
  expect(rowsOf(summary.rollback)['Serving now']).toBe(OLD);
  expect(rowsOf(summary.rollback)['Smoke test after rollback']).toMatch(/Failed: /);
});

test('the rollback deploy itself fails its health checks: no second smoke test, the failed version still runs', async () => {
  const { deployed, failedSmoke } = await failedRelease();
  apprunner.script('shop-api', ['health-check-fails']);
  const requestsBefore = service.count('/health');

  const record = await rollBack(deployed, stageInputs(), smoke(), deps());

  expect(record.report).toMatchObject({ succeeded: false, status: 'ROLLBACK_SUCCEEDED' });
  expect(record.smoke).toBeUndefined();
  expect(service.count('/health')).toBe(requestsBefore);
  // App Runner put back what ran before the rollback's deploy: the failed version.
  expect(apprunner.liveImage('shop-api', REGION)).toBe(NEW);
  const error = rollbackFailure(deployed, failedSmoke, record);
  expect(error.message).toMatch(
    new RegExp(
      `^The new version \\(${NEW}\\) failed the smoke test .*; deploying the previous version ${OLD} did not succeed: `,
    ),
  );
  const summary = summaryOf(deployed, failedSmoke, record);
  expect(summary.overview[1]).toBe('❌ rollback failed');
  expect(rowsOf(summary.rollback)['Rollback deploy']).toMatch(/^ROLLBACK_SUCCEEDED/);
  expect(rowsOf(summary.rollback)).not.toHaveProperty('Smoke test after rollback');
});

test('the rollback deploy cannot be started: the error is kept and the step says to deploy a good image', async () => {
  const { deployed, failedSmoke } = await failedRelease();
  sim.faults.add({ service: 'apprunner', operation: 'UpdateService', kind: 'server-error' });

  const record = await rollBack(deployed, stageInputs(), smoke(), deps());

  expect(record.report).toBeUndefined();
  expect(record.error).toMatch(/UpdateService|apprunner:UpdateService/);
  expect(apprunner.liveImage('shop-api', REGION)).toBe(NEW);
  const error = rollbackFailure(deployed, failedSmoke, record);
  expect(error.message).toContain('; deploying the previous version failed: ');
  expect((error as UserError).hint).toMatch(/may be serving the failed version/);
  const summary = summaryOf(deployed, failedSmoke, record);
  expect(summary.overview[1]).toBe('❌ rollback failed');
  expect(rowsOf(summary.rollback).Rollback).toMatch(/^failed: /);
});

test.each([
  {
    case: 'a service this step created has no previous image',
    previousImage: undefined,
    reason: 'shop-api was created by this step: there is no previous image to go back to.',
  },
  {
    case: 'the failed image was already live before this step',
    previousImage: NEW,
    reason: `${NEW} was already live before this step: nothing to go back to.`,
  },
])('no rollback when $case: nothing is deployed', async ({ previousImage, reason }) => {
  const { deployed, failedSmoke } = await failedRelease();
  const without = { ...deployed, previousImage };

  const record = await rollBack(without, stageInputs(), smoke(), deps());

  expect(record).toEqual({ skipped: reason });
  expect(updates()).toEqual([NEW]);
  expect(rollbackFailure(without, failedSmoke, record).message).toMatch(
    new RegExp(`; no rollback: ${reason.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`),
  );
  expect(summaryOf(without, failedSmoke, record).overview[1]).toBe('➖ not possible');
});

test('another deploy raced ours: no rollback over it, their image keeps serving', async () => {
  const { deployed, failedSmoke } = await failedRelease();
  const theirs = `${REPO}:v3`;
  const other = await runDeploy(stageInputs(), parseImageReference('image', theirs), deps());
  expect(other).toMatchObject({ succeeded: true, image: theirs });

  const record = await rollBack(deployed, stageInputs(), smoke(), deps());

  const reason = `shop-api now runs ${theirs}, not ${NEW} which this step deployed: someone else deployed meanwhile, so their version stays.`;
  expect(record).toEqual({ skipped: reason });
  expect(apprunner.liveImage('shop-api', REGION)).toBe(theirs);
  expect(updates()).toEqual([NEW, theirs]);
  expect(rollbackFailure(deployed, failedSmoke, record).message).toContain(
    `; no rollback: ${reason}`,
  );
  const summary = summaryOf(deployed, failedSmoke, record);
  expect(summary.overview[2]).toBe(reason);
  expect(rowsOf(summary.rollback).Rollback).toBe(`not possible: ${reason}`);
});

test('the service cannot be described again before the rollback: nothing is deployed, the error is kept', async () => {
  const { deployed, failedSmoke } = await failedRelease();
  sim.faults.add({ service: 'apprunner', operation: 'DescribeService', kind: 'server-error' });

  const record = await rollBack(deployed, stageInputs(), smoke(), deps());

  expect(record.report).toBeUndefined();
  expect(record.error).toMatch(/DescribeService/);
  expect(updates()).toEqual([NEW]);
  expect(apprunner.liveImage('shop-api', REGION)).toBe(NEW);
  expect(rollbackFailure(deployed, failedSmoke, record).message).toContain(
    '; deploying the previous version failed: ',
  );
});

describe('previous-image pinned to its digest before the deploy', () => {
  const OLD_DIGEST = `sha256:${'1'.repeat(64)}`;
  const NEW_DIGEST = `sha256:${'2'.repeat(64)}`;
  const LATEST = `${REPO}:latest`;
  let registry: TagRegistry;
  let ecr: ECRClient;

  beforeEach(async () => {
    registry = await startTagRegistry();
    sim.register(createEcrService(registry.access));
    ecr = new ECRClient({
      endpoint: sim.url,
      region: REGION,
      credentials: { accessKeyId: USER.accessKeyId, secretAccessKey: USER.secretAccessKey },
      maxAttempts: 1,
    });
    apprunner.addService({ name: 'shop-web', image: LATEST, port: '8080', region: REGION });
  });

  afterEach(async () => {
    ecr?.destroy();
    await registry?.close();
  });

  const webInputs = (): DeployInputs => ({
    ...stageInputs(),
    service: parseServiceTarget('service', 'shop-web', REGION),
  });
  const pinningDeps = () => ({ ...deps(), pinImage: ecrImagePinner(ecr, REGION, logger) });

  test('a tag moved to the failing image: the rollback deploys the digest that ran, not the tag', async () => {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'api' }));
    registry.tag('api', 'latest', OLD_DIGEST);
    registry.tag('api', 'v2', NEW_DIGEST);
    const deployed = await runDeploy(webInputs(), parseImageReference('image', NEW), pinningDeps());
    expect(deployed).toMatchObject({
      succeeded: true,
      image: NEW,
      previousImage: LATEST,
      previousDigest: `${REPO}@${OLD_DIGEST}`,
    });
    // Someone pushes the new version as latest too: the tag now names the failing image.
    registry.tag('api', 'latest', NEW_DIGEST);
    service.route('/health', 200);

    const record = await rollBack(deployed, webInputs(), smoke(), deps());

    expect(record.report).toMatchObject({ succeeded: true, image: `${REPO}@${OLD_DIGEST}` });
    expect(apprunner.liveImage('shop-web', REGION)).toBe(`${REPO}@${OLD_DIGEST}`);
    expect(updates()).toEqual([NEW, `${REPO}@${OLD_DIGEST}`]);
    expect(logger.text()).toContain(`previous-image ${LATEST} is ${REPO}@${OLD_DIGEST}`);
  });

  test('the digest cannot be read (no such repository): the log says so, the deploy goes on, the rollback keeps the tag', async () => {
    const deployed = await runDeploy(webInputs(), parseImageReference('image', NEW), pinningDeps());
    expect(deployed).toMatchObject({ succeeded: true, image: NEW, previousImage: LATEST });
    expect(deployed.previousDigest).toBeUndefined();
    expect(logger.text()).toContain(
      `warning: previous-image ${LATEST} stays a tag (its digest could not be read: `,
    );
    service.route('/health', 200);

    const record = await rollBack(deployed, webInputs(), smoke(), deps());

    expect(apprunner.liveImage('shop-web', REGION)).toBe(LATEST);
    expect(record.report).toMatchObject({ succeeded: true, image: LATEST });
  });

  test('an image outside ECR (public) is not looked up: it stays a tag, saying so', async () => {
    const pin = ecrImagePinner(ecr, REGION, logger);
    await expect(pin('public.ecr.aws/nginx/nginx:latest')).resolves.toBeUndefined();
    expect(logger.text()).toContain(
      'previous-image public.ecr.aws/nginx/nginx:latest stays a tag (not a private ECR image',
    );
    expect(sim.requestLog.filter((entry) => entry.service === 'ecr')).toEqual([]);
  });
});

test('rollback-on-failure: false: the failed version stays live and the error names previous-image', async () => {
  const { deployed, failedSmoke } = await failedRelease();
  const error = rollbackFailure(deployed, failedSmoke, undefined);
  expect(error.message).toMatch(/rollback-on-failure is false, so it is still live\.$/);
  expect((error as UserError).hint).toBe(`Deploy previous-image (${OLD}) to go back.`);
});

test('the summary says a site this step published was not rolled back', async () => {
  const { deployed, failedSmoke } = await failedRelease();
  service.route('/health', 200);
  const record = await rollBack(deployed, stageInputs(), smoke(), deps());
  const state: PipelineState = newState([
    'deploy-apprunner-and-wait',
    'sync-s3-invalidate-cloudfront',
    'smoke-test',
  ]);
  Object.assign(state, {
    deploy: deployed,
    smoke: failedSmoke,
    rollback: record,
    site: { report: { dryRun: false }, distribution: undefined },
  });
  const [section] = rollbackSections(state);
  expect(section?.lines).toContain(
    'The static site this step published stays as it is: S3 keeps no previous build to go back to.',
  );
});
