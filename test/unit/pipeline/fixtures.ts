/**
 * Pipeline states with a report from every stage, built by hand: what the
 * outputs and the summary are written from, without running the stages.
 */
import type { DeployReport } from '@deploy-actions/apprunner';
import type { BuildPushResult } from '@deploy-actions/ecr';
import type { EcsTaskOutcome, MigrateResult } from '@deploy-actions/migrate';
import type { SyncReport } from '@deploy-actions/s3-sync';
import type { SmokeReport } from '@deploy-actions/smoke';
import { pipelineOutputs } from '@deploy-actions/pipeline';
import { newState, type PipelineState } from '../../../packages/pipeline/src/state.js';

const REPO = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/api';
export const NEW_IMAGE = `${REPO}@sha256:${'b'.repeat(64)}`;
export const OLD_IMAGE = `${REPO}@sha256:${'a'.repeat(64)}`;

export const build = {
  repositoryUri: REPO,
  repositoryName: 'api',
  registryId: '123456789012',
  repositoryCreated: false,
  registry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
  image: NEW_IMAGE,
  imageTagUri: `${REPO}:${'1'.repeat(40)}`,
  digest: `sha256:${'b'.repeat(64)}`,
  tags: ['1'.repeat(40), 'v2'],
  skipped: false,
  addedTags: [],
  builder: 'buildx',
  buildMs: 1000,
  scan: undefined,
} satisfies BuildPushResult;

export const migrations = {
  sql: { appliedVersions: ['1', '2'], pendingVersions: [], currentVersion: '2' },
  durationMs: 4200,
} as unknown as MigrateResult;

export const migrationTask = { durationMs: 61_000 } as unknown as EcsTaskOutcome;

export const deployed = {
  serviceArn: 'arn:aws:apprunner:eu-west-1:123456789012:service/shop-api/1',
  serviceName: 'shop-api',
  serviceUrl: 'https://abc.eu-west-1.awsapprunner.com',
  operation: { id: 'op-1', type: 'UPDATE_SERVICE' },
  status: 'SUCCEEDED',
  succeeded: true,
  image: NEW_IMAGE,
  requestedImage: NEW_IMAGE,
  previousImage: OLD_IMAGE,
  changes: ['image'],
  durationMs: 95_000,
} as unknown as DeployReport;

export const synced = {
  uploaded: 3,
  metadataUpdated: 1,
  unchanged: 10,
  deleted: 2,
  bytesUploaded: 2048,
  invalidationId: 'I123',
  invalidatedPaths: ['/index.html', '/'],
  dryRun: false,
} as unknown as SyncReport;

export const smokeFailed: SmokeReport = {
  passed: false,
  durationMs: 3000,
  results: [
    {
      name: 'health',
      url: 'https://abc.eu-west-1.awsapprunner.com/health',
      verdict: 'failed',
      attempts: 3,
      consecutivePasses: 0,
      lastStatus: 500,
      reason: 'status 500',
    },
  ],
} as SmokeReport;

export const smokePassed: SmokeReport = {
  ...smokeFailed,
  passed: true,
  results: smokeFailed.results.map((r) => ({ ...r, verdict: 'passed', lastStatus: 200 })),
} as SmokeReport;

/** Every stage ran; the smoke test failed and the rollback brought back a healthy version. */
export function rolledBackState(): PipelineState {
  const state = newState([
    'build-push-ecr',
    'run-migrations',
    'deploy-apprunner-and-wait',
    'sync-s3-invalidate-cloudfront',
    'smoke-test',
  ]);
  for (const stage of state.results.keys()) state.results.set(stage, 'succeeded');
  state.results.set('smoke-test', 'failed');
  return Object.assign(state, {
    build,
    migrations,
    deploy: deployed,
    site: { report: synced, distribution: undefined },
    smoke: smokeFailed,
    rollback: {
      report: { ...deployed, image: OLD_IMAGE, previousImage: NEW_IMAGE },
      smoke: smokePassed,
    },
  });
}

/** The outputs of runs that together set every output: every stage, and migrations in ECS. */
export function everyPipelineOutput(): Record<string, string>[] {
  const inEcs = rolledBackState();
  delete inEcs.migrations;
  inEcs.migrationTask = migrationTask;
  return [pipelineOutputs(rolledBackState()), pipelineOutputs(inEcs)];
}
