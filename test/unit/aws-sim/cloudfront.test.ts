/**
 * The CloudFront simulator module through the real @aws-sdk/client-cloudfront:
 * distributions and their configs with ETags, invalidations that take time,
 * CallerReference idempotency, the in-progress limits, paging, and the errors
 * a deploy meets.
 */
import {
  CloudFrontClient,
  CreateInvalidationCommand,
  GetDistributionCommand,
  GetDistributionConfigCommand,
  GetInvalidationCommand,
  ListInvalidationsCommand,
  paginateListInvalidations,
  type InvalidationSummary,
} from '@aws-sdk/client-cloudfront';
import { startAwsSimulator, type AwsSimulator } from '../../../tools/aws-sim/index.js';
import {
  MAX_IN_PROGRESS_PATHS,
  createCloudFrontService,
  type CloudFrontSimulator,
} from '../../../tools/aws-sim/services/cloudfront.js';
import { rejectionOf } from './helpers.js';

const USER = {
  accessKeyId: 'AKIACLOUDFRONTEXAMPL',
  secretAccessKey: 'cloudfront-test-secret',
  arn: 'arn:aws:iam::123456789012:user/ci',
};
const START = new Date('2025-03-04T05:06:07.000Z');

let sim: AwsSimulator;
let cloudfront: CloudFrontSimulator;
let client: CloudFrontClient;
let clock: Date;

beforeEach(async () => {
  clock = START;
  sim = await startAwsSimulator();
  sim.addCredentials(USER);
  cloudfront = createCloudFrontService({ invalidationDurationMs: 30_000, now: () => clock });
  sim.register(cloudfront);
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

const advance = (ms: number) => (clock = new Date(clock.getTime() + ms));

function invalidate(distributionId: string, paths: string[], callerReference = `ref-${paths[0]}`) {
  return client.send(
    new CreateInvalidationCommand({
      DistributionId: distributionId,
      InvalidationBatch: {
        CallerReference: callerReference,
        Paths: { Quantity: paths.length, Items: paths },
      },
    }),
  );
}

describe('distributions', () => {
  test('GetDistribution answers the seeded origins, aliases and an ETag', async () => {
    const seeded = cloudfront.addDistribution({
      id: 'E2QWRUHAPOMQZL',
      bucket: 'site-bucket',
      region: 'eu-west-1',
      originPath: '/prod',
      aliases: ['www.example.com', 'example.com'],
    });
    const response = await client.send(new GetDistributionCommand({ Id: 'E2QWRUHAPOMQZL' }));
    expect(response.ETag).toBe(seeded.etag);
    expect(response.ETag).toMatch(/^E[A-Z2-7]{13}$/);
    expect(response.Distribution).toMatchObject({
      Id: 'E2QWRUHAPOMQZL',
      ARN: 'arn:aws:cloudfront::123456789012:distribution/E2QWRUHAPOMQZL',
      Status: 'Deployed',
      DomainName: 'e2qwruhapomqzl.cloudfront.net',
      InProgressInvalidationBatches: 0,
      DistributionConfig: {
        Aliases: { Quantity: 2, Items: ['www.example.com', 'example.com'] },
        DefaultRootObject: 'index.html',
        Enabled: true,
        Origins: {
          Quantity: 1,
          Items: [
            {
              Id: 'S3-site-bucket',
              DomainName: 'site-bucket.s3.eu-west-1.amazonaws.com',
              OriginPath: '/prod',
              S3OriginConfig: { OriginAccessIdentity: '' },
            },
          ],
        },
        DefaultCacheBehavior: { TargetOriginId: 'S3-site-bucket' },
      },
    });
    expect(seeded.arn).toBe(response.Distribution?.ARN);
  });

  test('GetDistributionConfig answers the config alone, with the same ETag', async () => {
    const seeded = cloudfront.addDistribution({
      origins: [
        { id: 'api', domainName: 'api.example.com' },
        { id: 'web', domainName: 'web.s3.us-east-1.amazonaws.com', originPath: '/site' },
      ],
      defaultOriginId: 'web',
      cacheBehaviors: [{ pathPattern: '/api/*', targetOriginId: 'api' }],
    });
    const response = await client.send(new GetDistributionConfigCommand({ Id: seeded.id }));
    expect(response.ETag).toBe(seeded.etag);
    const config = response.DistributionConfig!;
    expect(config.Origins?.Items?.map((o) => [o.Id, o.DomainName, o.OriginPath])).toEqual([
      ['api', 'api.example.com', ''],
      ['web', 'web.s3.us-east-1.amazonaws.com', '/site'],
    ]);
    expect(config.Origins?.Items?.[0]?.CustomOriginConfig?.OriginProtocolPolicy).toBe('https-only');
    expect(config.Aliases).toEqual({ Quantity: 0 });
    expect(config.DefaultCacheBehavior?.TargetOriginId).toBe('web');
    expect(config.CacheBehaviors?.Items?.map((b) => [b.PathPattern, b.TargetOriginId])).toEqual([
      ['/api/*', 'api'],
    ]);
  });

  test.each([
    ['GetDistribution', () => client.send(new GetDistributionCommand({ Id: 'EMISSING' }))],
    [
      'GetDistributionConfig',
      () => client.send(new GetDistributionConfigCommand({ Id: 'EMISSING' })),
    ],
    ['CreateInvalidation', () => invalidate('EMISSING', ['/a'])],
    [
      'GetInvalidation',
      () => client.send(new GetInvalidationCommand({ DistributionId: 'EMISSING', Id: 'I1' })),
    ],
    [
      'ListInvalidations',
      () => client.send(new ListInvalidationsCommand({ DistributionId: 'EMISSING' })),
    ],
  ])('%s of an unknown distribution: NoSuchDistribution (404)', async (_name, call) => {
    const error = await rejectionOf(call());
    expect(error.name).toBe('NoSuchDistribution');
    expect(error.message).toBe('The specified distribution does not exist.');
    expect(error.$metadata?.httpStatusCode).toBe(404);
  });
});

describe('invalidations', () => {
  test('created 201 with a Location, InProgress for the configured time, then Completed', async () => {
    const { id } = cloudfront.addDistribution();
    const created = await invalidate(id, ['/index.html', '/docs/*'], 'deploy-1');
    expect(created.$metadata.httpStatusCode).toBe(201);
    const invId = created.Invalidation!.Id!;
    expect(invId).toMatch(/^I[A-Z2-7]{13}$/);
    expect(created.Location).toBe(
      `https://cloudfront.amazonaws.com/2020-05-31/distribution/${id}/invalidation/${invId}`,
    );
    expect(created.Invalidation).toMatchObject({
      Status: 'InProgress',
      CreateTime: START,
      InvalidationBatch: {
        CallerReference: 'deploy-1',
        Paths: { Quantity: 2, Items: ['/index.html', '/docs/*'] },
      },
    });
    const get = () => client.send(new GetInvalidationCommand({ DistributionId: id, Id: invId }));
    advance(29_999);
    expect((await get()).Invalidation?.Status).toBe('InProgress');
    const distribution = await client.send(new GetDistributionCommand({ Id: id }));
    expect(distribution.Distribution?.InProgressInvalidationBatches).toBe(1);
    advance(1);
    expect((await get()).Invalidation).toMatchObject({ Id: invId, Status: 'Completed' });
    expect(cloudfront.invalidations(id)).toEqual([
      {
        id: invId,
        distributionId: id,
        callerReference: 'deploy-1',
        paths: ['/index.html', '/docs/*'],
        createTime: START,
        status: 'Completed',
        requests: 1,
      },
    ]);
  });

  test('with a zero duration, CreateInvalidation still answers InProgress', async () => {
    cloudfront.setInvalidationDuration(0);
    const { id } = cloudfront.addDistribution();
    const created = await invalidate(id, ['/a']);
    expect(created.Invalidation?.Status).toBe('InProgress');
    expect(cloudfront.invalidations(id)[0]?.status).toBe('Completed');
  });

  test('an infinite duration waits for completeInvalidations()', async () => {
    cloudfront.setInvalidationDuration(Infinity);
    const { id } = cloudfront.addDistribution();
    const first = (await invalidate(id, ['/a'])).Invalidation!.Id!;
    const second = (await invalidate(id, ['/b'])).Invalidation!.Id!;
    advance(365 * 86_400_000);
    expect(cloudfront.invalidations(id).map((i) => i.status)).toEqual(['InProgress', 'InProgress']);
    cloudfront.completeInvalidations({ id: first });
    expect(cloudfront.invalidations(id).map((i) => i.status)).toEqual(['Completed', 'InProgress']);
    cloudfront.completeInvalidations({ distributionId: id });
    const got = await client.send(new GetInvalidationCommand({ DistributionId: id, Id: second }));
    expect(got.Invalidation?.Status).toBe('Completed');
  });

  test('the same CallerReference and paths return the existing invalidation', async () => {
    const { id } = cloudfront.addDistribution();
    const first = await invalidate(id, ['/a', '/b'], 'deploy-7');
    advance(5_000);
    const again = await invalidate(id, ['/b', '/a'], 'deploy-7');
    expect(again.$metadata.httpStatusCode).toBe(201);
    expect(again.Invalidation?.Id).toBe(first.Invalidation?.Id);
    expect(again.Invalidation?.CreateTime).toEqual(START);
    expect(again.Location).toBe(first.Location);
    expect(cloudfront.invalidations(id)).toHaveLength(1);
    expect(cloudfront.invalidations(id)[0]?.requests).toBe(2);
  });

  test('the same CallerReference with other paths: InvalidationBatchAlreadyExists (409)', async () => {
    const { id } = cloudfront.addDistribution();
    await invalidate(id, ['/a'], 'deploy-7');
    const error = await rejectionOf(invalidate(id, ['/a', '/b'], 'deploy-7'));
    expect(error.name).toBe('InvalidationBatchAlreadyExists');
    expect(error.$metadata?.httpStatusCode).toBe(409);
    expect(cloudfront.invalidations(id)).toHaveLength(1);
  });

  test('CallerReferences are per distribution', async () => {
    const one = cloudfront.addDistribution();
    const two = cloudfront.addDistribution();
    await invalidate(one.id, ['/a'], 'shared');
    await invalidate(two.id, ['/b'], 'shared');
    expect(cloudfront.invalidations(two.id).map((i) => i.paths)).toEqual([['/b']]);
  });

  test('3,000 individual paths in progress: one more is TooManyInvalidationsInProgress', async () => {
    const { id } = cloudfront.addDistribution();
    const paths = (n: number, from = 0) =>
      Array.from({ length: n }, (_, i) => `/file-${from + i}.html`);
    await invalidate(id, paths(2_000), 'a');
    await invalidate(id, paths(1_000, 2_000), 'b');
    const error = await rejectionOf(invalidate(id, paths(1, 3_000), 'c'));
    expect(error.name).toBe('TooManyInvalidationsInProgress');
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect(error.message).toContain('maximum number of allowable InProgress Invalidation');
    // Wildcards are counted separately.
    await invalidate(id, ['/assets/*'], 'd');
    // Retrying a created batch is not a new one: no limit applies.
    await invalidate(id, paths(1_000, 2_000), 'b');
    advance(30_000);
    await invalidate(id, paths(1, 3_000), 'c');
    expect(cloudfront.invalidations(id).map((i) => i.callerReference)).toEqual([
      'a',
      'b',
      'd',
      'c',
    ]);
  });

  test('15 wildcard paths in progress: one more is TooManyInvalidationsInProgress', async () => {
    const { id } = cloudfront.addDistribution();
    const wildcards = Array.from({ length: 15 }, (_, i) => `/dir-${i}/*`);
    await invalidate(id, wildcards.slice(0, 10), 'a');
    await invalidate(id, wildcards.slice(10), 'b');
    const error = await rejectionOf(invalidate(id, ['/more/*'], 'c'));
    expect(error.name).toBe('TooManyInvalidationsInProgress');
    await invalidate(id, ['/not-a-wildcard.html'], 'd');
    cloudfront.completeInvalidations({ distributionId: id });
    await invalidate(id, ['/more/*'], 'c');
  });

  test('more than 3,000 paths in one batch: BatchTooLarge (413)', async () => {
    const { id } = cloudfront.addDistribution();
    const paths = Array.from({ length: MAX_IN_PROGRESS_PATHS + 1 }, (_, i) => `/f${i}`);
    const error = await rejectionOf(invalidate(id, paths));
    expect(error.name).toBe('BatchTooLarge');
    expect(error.$metadata?.httpStatusCode).toBe(413);
  });

  test.each([
    ['a Quantity unlike the Items', { Quantity: 2, Items: ['/a'] }, 'InconsistentQuantities'],
    ['a path without a leading /', { Quantity: 1, Items: ['index.html'] }, 'InvalidArgument'],
    ['a * not at the end', { Quantity: 1, Items: ['/a*/b'] }, 'InvalidArgument'],
    ['no paths', { Quantity: 0, Items: [] }, 'InvalidArgument'],
  ])('%s is refused', async (_name, Paths, code) => {
    const { id } = cloudfront.addDistribution();
    const error = await rejectionOf(
      client.send(
        new CreateInvalidationCommand({
          DistributionId: id,
          InvalidationBatch: { CallerReference: 'x', Paths },
        }),
      ),
    );
    expect(error.name).toBe(code);
    expect(error.$metadata?.httpStatusCode).toBe(400);
  });

  test('an unknown invalidation: NoSuchInvalidation (404)', async () => {
    const { id } = cloudfront.addDistribution();
    const error = await rejectionOf(
      client.send(new GetInvalidationCommand({ DistributionId: id, Id: 'INOTTHERE' })),
    );
    expect(error.name).toBe('NoSuchInvalidation');
    expect(error.$metadata?.httpStatusCode).toBe(404);
  });

  test('denyGetInvalidation(): AccessDenied (403) naming the action, until allowed again', async () => {
    const { id, arn } = cloudfront.addDistribution();
    const invId = (await invalidate(id, ['/a'])).Invalidation!.Id!;
    cloudfront.denyGetInvalidation();
    const get = () => client.send(new GetInvalidationCommand({ DistributionId: id, Id: invId }));
    const error = await rejectionOf(get());
    expect(error.name).toBe('AccessDenied');
    expect(error.$metadata?.httpStatusCode).toBe(403);
    expect(error.message).toBe(
      `User: ${USER.arn} is not authorized to perform: cloudfront:GetInvalidation on resource: ${arn} because no identity-based policy allows the cloudfront:GetInvalidation action`,
    );
    // Other calls are still allowed.
    await invalidate(id, ['/b']);
    cloudfront.denyGetInvalidation(false);
    expect((await get()).Invalidation?.Id).toBe(invId);
  });

  test('deny() works for any operation', async () => {
    const { id } = cloudfront.addDistribution();
    cloudfront.deny('CreateInvalidation');
    expect((await rejectionOf(invalidate(id, ['/a']))).name).toBe('AccessDenied');
    expect(cloudfront.invalidations(id)).toEqual([]);
  });

  test('a throttled CreateInvalidation retried by the SDK creates one invalidation', async () => {
    const retrying = new CloudFrontClient({
      endpoint: sim.url,
      region: 'us-east-1',
      credentials: USER,
      maxAttempts: 3,
    });
    try {
      const { id } = cloudfront.addDistribution();
      sim.faults.add({
        service: 'cloudfront',
        operation: 'CreateInvalidation',
        kind: 'throttle',
        count: 1,
      });
      sim.faults.add({
        service: 'cloudfront',
        operation: 'CreateInvalidation',
        kind: 'server-error',
        status: 503,
        count: 1,
      });
      const created = await retrying.send(
        new CreateInvalidationCommand({
          DistributionId: id,
          InvalidationBatch: { CallerReference: 'r', Paths: { Quantity: 1, Items: ['/a'] } },
        }),
      );
      expect(created.$metadata.attempts).toBe(3);
      expect(sim.requestLog.map((e) => e.errorCode ?? e.status)).toEqual([
        'Throttling',
        'ServiceUnavailable',
        201,
      ]);
      expect(cloudfront.invalidations(id)).toHaveLength(1);
    } finally {
      retrying.destroy();
    }
  });
});

describe('ListInvalidations', () => {
  test('newest first, paged by Marker and MaxItems', async () => {
    const { id } = cloudfront.addDistribution();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push((await invalidate(id, [`/p${i}`], `r${i}`)).Invalidation!.Id!);
      advance(10_000);
    }
    const first = await client.send(
      new ListInvalidationsCommand({ DistributionId: id, MaxItems: 2 }),
    );
    expect(first.InvalidationList).toMatchObject({
      Marker: '',
      MaxItems: 2,
      IsTruncated: true,
      Quantity: 2,
      NextMarker: ids[3],
    });
    expect(first.InvalidationList?.Items?.map((i) => [i.Id, i.Status])).toEqual([
      [ids[4], 'InProgress'],
      [ids[3], 'InProgress'],
    ]);
    const pages: InvalidationSummary[][] = [];
    for await (const page of paginateListInvalidations(
      { client, pageSize: 2 },
      { DistributionId: id },
    )) {
      pages.push(page.InvalidationList?.Items ?? []);
    }
    expect(pages.map((p) => p.map((i) => i.Id))).toEqual([
      [ids[4], ids[3]],
      [ids[2], ids[1]],
      [ids[0]],
    ]);
    // The oldest were created 50 and 40 seconds ago: Completed by now.
    expect(pages[2]?.[0]).toMatchObject({ Status: 'Completed', CreateTime: START });
    const last = await client.send(
      new ListInvalidationsCommand({ DistributionId: id, Marker: ids[1], MaxItems: 2 }),
    );
    expect(last.InvalidationList).toMatchObject({
      Marker: ids[1],
      IsTruncated: false,
      Quantity: 1,
    });
    expect(last.InvalidationList?.NextMarker).toBeUndefined();
  });

  test('a distribution without invalidations lists none', async () => {
    const { id } = cloudfront.addDistribution();
    const response = await client.send(new ListInvalidationsCommand({ DistributionId: id }));
    expect(response.InvalidationList).toMatchObject({
      MaxItems: 100,
      IsTruncated: false,
      Quantity: 0,
    });
    expect(response.InvalidationList?.Items ?? []).toEqual([]);
  });
});

describe('control API', () => {
  test('addDistribution refuses duplicate ids, bad origin paths and unknown target origins', () => {
    cloudfront.addDistribution({ id: 'E1' });
    expect(() => cloudfront.addDistribution({ id: 'E1' })).toThrow('already exists');
    expect(() => cloudfront.addDistribution({ originPath: 'site/' })).toThrow('OriginPath');
    expect(() => cloudfront.addDistribution({ defaultOriginId: 'nope' })).toThrow('No origin');
  });

  test('distribution() and invalidations() answer for assertions', () => {
    const seeded = cloudfront.addDistribution({
      bucket: 'b',
      originPath: '/x',
      domainName: 'd.example',
    });
    expect(cloudfront.distribution(seeded.id)).toEqual({
      ...seeded,
      domainName: 'd.example',
      origins: [{ id: 'S3-b', domainName: 'b.s3.us-east-1.amazonaws.com', originPath: '/x' }],
    });
    expect(cloudfront.distribution('ENONE')).toBeUndefined();
    expect(() => cloudfront.invalidations('ENONE')).toThrow('No distribution');
  });
});
