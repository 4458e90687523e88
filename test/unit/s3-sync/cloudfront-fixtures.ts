/**
 * Shared by the s3-sync CloudFront tests: a fresh simulator CloudFront per test whose clock is the
 * engine's FakeClock, so invalidations "take" minutes without the test waiting for them.
 */
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { FakeClock, MemoryLogger, UserError } from '@deploy-actions/action-kit/engine';
import {
  CloudFrontInvalidator,
  distributionArn,
  type CloudFrontInvalidatorOptions,
  type DistributionRef,
} from '../../../packages/s3-sync/src/index.js';
import { startAwsSimulator, type AwsSimulator } from '../../../tools/aws-sim/index.js';
import {
  createCloudFrontService,
  type CloudFrontSimulator,
} from '../../../tools/aws-sim/services/cloudfront.js';

export const USER = {
  accessKeyId: 'AKIAS3SYNCCLOUDFRONT',
  secretAccessKey: 's3-sync-cloudfront-secret',
  arn: 'arn:aws:iam::123456789012:user/deployer',
};
export const EPOCH = Date.parse('2025-06-01T00:00:00Z');
export const MINUTE = 60_000;

// Live bindings: reassigned before each test of a file that calls useCloudFrontSimulator().
export let sim: AwsSimulator;
export let cloudfront: CloudFrontSimulator;
export let client: CloudFrontClient;
export let clock: FakeClock;
export let logger: MemoryLogger;

export function useCloudFrontSimulator(): void {
  beforeEach(async () => {
    clock = new FakeClock();
    logger = new MemoryLogger();
    sim = await startAwsSimulator();
    sim.addCredentials(USER);
    cloudfront = createCloudFrontService({
      invalidationDurationMs: 2 * MINUTE,
      now: () => new Date(EPOCH + clock.now()),
    });
    sim.register(cloudfront);
    // One attempt per call: the retries under test are the invalidator's own.
    client = new CloudFrontClient({
      endpoint: sim.url,
      region: 'us-east-1',
      credentials: USER,
      maxAttempts: 1,
    });
  });
  afterEach(async () => {
    client.destroy();
    await sim.close();
  });
}

export function distributionRef(id: string): DistributionRef {
  return { id, arn: distributionArn(id, { accountId: '123456789012' }) };
}

export function invalidator(id: string, overrides: Partial<CloudFrontInvalidatorOptions> = {}) {
  return new CloudFrontInvalidator({
    client,
    distribution: distributionRef(id),
    logger,
    clock,
    createTimeoutMs: 10 * MINUTE,
    ...overrides,
  });
}

export async function rejection(promise: Promise<unknown>): Promise<UserError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return error as UserError;
  }
  throw new Error('expected a rejection');
}

export const calls = (operation: string) => sim.requestLog.filter((e) => e.operation === operation);
