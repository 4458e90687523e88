/**
 * Protocol fidelity of the simulator's CloudFront (restXml, 2020-05-31),
 * checked with the AWS CLI: botocore's own model parses every answer (status
 * codes, ETag and Location headers, lists, timestamps, errors), and the CLI's
 * customisations (`--paths`, `wait invalidation-completed`, auto-paging) run
 * against it.
 *
 * One distribution (SITE) serves the bucket `cli-site` under origin path
 * `/prod`; its invalidations stay InProgress until a row completes them, so
 * the in-progress limits are reachable. Rows build on each other in order.
 *
 * @needs awscli
 */
import { CLI_USER, describeCliFidelity, type CliFixture, type CliRow } from '../support/aws-cli.js';
import {
  createCloudFrontService,
  type CloudFrontSimulator,
} from '../../tools/aws-sim/services/cloudfront.js';

const SITE = 'E2CLIFIDELITY1';
const SITE_ARN = `arn:aws:cloudfront::123456789012:distribution/${SITE}`;
const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00$/;

type F = CliFixture<CloudFrontSimulator>;
type Row = CliRow<CloudFrontSimulator>;

const batch = (callerReference: string, paths: string[]) =>
  JSON.stringify({
    CallerReference: callerReference,
    Paths: { Quantity: paths.length, Items: paths },
  });
const createWith = (callerReference: string, paths: string[]) => [
  'cloudfront',
  'create-invalidation',
  '--distribution-id',
  SITE,
  '--invalidation-batch',
  batch(callerReference, paths),
];
/** The id of SITE's invalidation made with `callerReference`. */
const idOf = (f: F, callerReference: string) => {
  const found = f.state.invalidations(SITE).find((i) => i.callerReference === callerReference);
  if (!found) throw new Error(`No invalidation with CallerReference ${callerReference}`);
  return found.id;
};

const rows: Row[] = [
  // --- distributions ---
  {
    name: 'get-distribution: origins, aliases, ETag',
    operation: 'cloudfront:GetDistribution',
    args: () => ['cloudfront', 'get-distribution', '--id', SITE],
    check: ({ output }, f) => {
      expect(output?.ETag).toBe(f.state.distribution(SITE)!.etag);
      const distribution = output?.Distribution as Record<string, unknown>;
      expect(distribution).toMatchObject({
        Id: SITE,
        ARN: SITE_ARN,
        Status: 'Deployed',
        LastModifiedTime: expect.stringMatching(TIMESTAMP),
        InProgressInvalidationBatches: 0,
        DomainName: 'e2clifidelity1.cloudfront.net',
        ActiveTrustedSigners: { Enabled: false, Quantity: 0 },
        DistributionConfig: {
          Aliases: { Quantity: 2, Items: ['www.example.com', 'example.com'] },
          Origins: {
            Quantity: 1,
            Items: [
              {
                Id: 'S3-cli-site',
                DomainName: 'cli-site.s3.us-east-1.amazonaws.com',
                OriginPath: '/prod',
                S3OriginConfig: { OriginAccessIdentity: '' },
                ConnectionAttempts: 3,
              },
            ],
          },
          DefaultCacheBehavior: {
            TargetOriginId: 'S3-cli-site',
            AllowedMethods: { Quantity: 2, Items: ['HEAD', 'GET'] },
          },
          Enabled: true,
          HttpVersion: 'http2',
        },
        AliasICPRecordals: [
          { CNAME: 'www.example.com', ICPRecordalStatus: 'APPROVED' },
          { CNAME: 'example.com', ICPRecordalStatus: 'APPROVED' },
        ],
      });
    },
  },
  {
    name: 'get-distribution: throttled once, retried by the CLI',
    operation: 'cloudfront:GetDistribution',
    arrange: (f) =>
      f.sim.faults.add({
        service: 'cloudfront',
        operation: 'GetDistribution',
        kind: 'throttle',
        count: 1,
      }),
    args: () => ['cloudfront', 'get-distribution', '--id', SITE],
    check: ({ requests }) =>
      expect(requests?.map((r) => r.errorCode ?? r.status)).toEqual(['Throttling', 200]),
  },
  {
    name: 'get-distribution: unknown id',
    operation: 'cloudfront:GetDistribution',
    args: () => ['cloudfront', 'get-distribution', '--id', 'ENOSUCHDIST'],
    expectError: 'NoSuchDistribution',
  },
  {
    name: 'get-distribution: unsigned',
    operation: 'cloudfront:GetDistribution',
    credentials: () => undefined,
    args: () => ['cloudfront', 'get-distribution', '--id', SITE, '--no-sign-request'],
    expectError: 'MissingAuthenticationToken',
  },
  {
    name: 'get-distribution-config: the config alone, same ETag',
    operation: 'cloudfront:GetDistributionConfig',
    args: () => ['cloudfront', 'get-distribution-config', '--id', SITE],
    check: ({ output }, f) => {
      expect(output?.ETag).toBe(f.state.distribution(SITE)!.etag);
      expect(output?.DistributionConfig).toMatchObject({
        CallerReference: expect.any(String),
        DefaultRootObject: 'index.html',
        Origins: { Items: [{ OriginPath: '/prod' }] },
        Restrictions: { GeoRestriction: { RestrictionType: 'none', Quantity: 0 } },
      });
    },
  },
  {
    name: 'get-distribution-config: unknown id',
    operation: 'cloudfront:GetDistributionConfig',
    args: () => ['cloudfront', 'get-distribution-config', '--id', 'ENOSUCHDIST'],
    expectError: 'NoSuchDistribution',
  },

  // --- creating invalidations ---
  {
    name: 'create-invalidation --paths (the CLI makes the batch and CallerReference): 201, Location',
    operation: 'cloudfront:CreateInvalidation',
    args: () => [
      'cloudfront',
      'create-invalidation',
      '--distribution-id',
      SITE,
      '--paths',
      '/index.html',
      '/docs/*',
    ],
    check: ({ output, requests }, f) => {
      expect(requests?.at(-1)?.status).toBe(201);
      const [made] = f.state.invalidations(SITE);
      expect(made?.callerReference).toMatch(/^cli-/);
      expect(output).toEqual({
        Location: `https://cloudfront.amazonaws.com/2020-05-31/distribution/${SITE}/invalidation/${made!.id}`,
        Invalidation: {
          Id: made!.id,
          Status: 'InProgress',
          CreateTime: expect.stringMatching(TIMESTAMP),
          InvalidationBatch: {
            Paths: { Quantity: 2, Items: ['/index.html', '/docs/*'] },
            CallerReference: made!.callerReference,
          },
        },
      });
    },
  },
  {
    name: 'create-invalidation --invalidation-batch with a CallerReference',
    operation: 'cloudfront:CreateInvalidation',
    args: () => createWith('deploy-1', ['/about/index.html', '/about/', '/about']),
    check: ({ output }, f) => {
      const invalidation = output?.Invalidation as { Id: string };
      expect(invalidation.Id).toBe(idOf(f, 'deploy-1'));
    },
  },
  {
    name: 'create-invalidation: the same CallerReference and paths return the same invalidation',
    operation: 'cloudfront:CreateInvalidation',
    args: () => createWith('deploy-1', ['/about', '/about/', '/about/index.html']),
    check: ({ output }, f) => {
      expect((output?.Invalidation as { Id: string }).Id).toBe(idOf(f, 'deploy-1'));
      expect(f.state.invalidations(SITE)).toHaveLength(2);
    },
  },
  {
    name: 'create-invalidation: the same CallerReference with other paths',
    operation: 'cloudfront:CreateInvalidation',
    args: () => createWith('deploy-1', ['/other.html']),
    expectError: 'InvalidationBatchAlreadyExists',
  },
  {
    name: 'create-invalidation: a 503 retried by the CLI creates one invalidation',
    operation: 'cloudfront:CreateInvalidation',
    arrange: (f) =>
      f.sim.faults.add({
        service: 'cloudfront',
        operation: 'CreateInvalidation',
        kind: 'server-error',
        status: 503,
        count: 1,
      }),
    args: () => createWith('deploy-2', ['/pricing.html']),
    check: ({ requests }, f) => {
      expect(requests?.map((r) => r.errorCode ?? r.status)).toEqual(['ServiceUnavailable', 201]);
      expect(
        f.state.invalidations(SITE).filter((i) => i.callerReference === 'deploy-2'),
      ).toHaveLength(1);
    },
  },
  {
    name: 'create-invalidation: over 15 wildcard paths in progress',
    operation: 'cloudfront:CreateInvalidation',
    args: () =>
      createWith(
        'too-many',
        Array.from({ length: 15 }, (_, i) => `/section-${i}/*`),
      ),
    expectError: 'TooManyInvalidationsInProgress',
  },
  {
    name: 'create-invalidation: more than 3,000 paths in one batch',
    operation: 'cloudfront:CreateInvalidation',
    args: () =>
      createWith(
        'too-large',
        Array.from({ length: 3001 }, (_, i) => `/f${i}`),
      ),
    expectError: 'BatchTooLarge',
  },
  {
    name: 'create-invalidation: a path without a leading /',
    operation: 'cloudfront:CreateInvalidation',
    args: () => createWith('relative', ['index.html']),
    expectError: 'InvalidArgument',
  },
  {
    name: 'create-invalidation: Quantity unlike the Items',
    operation: 'cloudfront:CreateInvalidation',
    args: () => [
      'cloudfront',
      'create-invalidation',
      '--distribution-id',
      SITE,
      '--invalidation-batch',
      JSON.stringify({ CallerReference: 'q', Paths: { Quantity: 3, Items: ['/a'] } }),
    ],
    expectError: 'InconsistentQuantities',
  },
  {
    name: 'create-invalidation: unknown distribution',
    operation: 'cloudfront:CreateInvalidation',
    args: () => [
      'cloudfront',
      'create-invalidation',
      '--distribution-id',
      'ENOSUCHDIST',
      '--paths',
      '/a',
    ],
    expectError: 'NoSuchDistribution',
  },

  // --- reading invalidations ---
  {
    name: 'get-invalidation: InProgress',
    operation: 'cloudfront:GetInvalidation',
    args: (f) => [
      'cloudfront',
      'get-invalidation',
      '--distribution-id',
      SITE,
      '--id',
      idOf(f, 'deploy-1'),
    ],
    check: ({ output }, f) =>
      expect(output).toEqual({
        Invalidation: {
          Id: idOf(f, 'deploy-1'),
          Status: 'InProgress',
          CreateTime: expect.stringMatching(TIMESTAMP),
          InvalidationBatch: {
            Paths: { Quantity: 3, Items: ['/about/index.html', '/about/', '/about'] },
            CallerReference: 'deploy-1',
          },
        },
      }),
  },
  {
    name: 'get-invalidation: without cloudfront:GetInvalidation',
    operation: 'cloudfront:GetInvalidation',
    arrange: (f) => f.state.denyGetInvalidation(),
    args: (f) => [
      'cloudfront',
      'get-invalidation',
      '--distribution-id',
      SITE,
      '--id',
      idOf(f, 'deploy-1'),
    ],
    expectError: 'AccessDenied',
    check: ({ stderr }, f) => {
      f.state.denyGetInvalidation(false);
      expect(stderr).toContain(
        `${CLI_USER.arn} is not authorized to perform: cloudfront:GetInvalidation on resource: ${SITE_ARN}`,
      );
    },
  },
  {
    name: 'get-invalidation: unknown id',
    operation: 'cloudfront:GetInvalidation',
    arrange: (f) => f.state.denyGetInvalidation(false),
    args: () => [
      'cloudfront',
      'get-invalidation',
      '--distribution-id',
      SITE,
      '--id',
      'INOSUCHINVALID',
    ],
    expectError: 'NoSuchInvalidation',
  },
  {
    name: 'wait invalidation-completed (the CLI waiter) returns once Completed',
    operation: 'cloudfront:GetInvalidation',
    arrange: (f) => f.state.completeInvalidations({ id: idOf(f, 'deploy-1') }),
    args: (f) => [
      'cloudfront',
      'wait',
      'invalidation-completed',
      '--distribution-id',
      SITE,
      '--id',
      idOf(f, 'deploy-1'),
    ],
    check: ({ stdout, requests }) => {
      expect(stdout).toBe('');
      expect(requests?.map((r) => r.operation)).toEqual(['GetInvalidation']);
    },
  },
  {
    name: 'create-invalidation: accepted again once wildcards completed',
    operation: 'cloudfront:CreateInvalidation',
    arrange: (f) => f.state.completeInvalidations({ distributionId: SITE }),
    args: () =>
      createWith(
        'too-many',
        Array.from({ length: 15 }, (_, i) => `/section-${i}/*`),
      ),
  },

  // --- listing invalidations ---
  {
    name: 'list-invalidations: newest first, all pages followed by the CLI (--page-size 2)',
    operation: 'cloudfront:ListInvalidations',
    args: () => ['cloudfront', 'list-invalidations', '--distribution-id', SITE, '--page-size', '2'],
    check: ({ output, requests }, f) => {
      const newestFirst = f.state.invalidations(SITE).reverse();
      expect(newestFirst).toHaveLength(4);
      expect(requests?.map((r) => (r.params as { query: Record<string, string> }).query)).toEqual([
        { MaxItems: '2' },
        { MaxItems: '2', Marker: newestFirst[1]!.id },
      ]);
      const list = output?.InvalidationList as { Items: Array<Record<string, string>> };
      expect(list.Items).toEqual(
        newestFirst.map((i) => ({
          Id: i.id,
          CreateTime: expect.stringMatching(TIMESTAMP),
          Status: i.status,
        })),
      );
      expect(list.Items.map((i) => i.Status)).toEqual([
        'InProgress',
        'Completed',
        'Completed',
        'Completed',
      ]);
    },
  },
  {
    name: 'list-invalidations --max-items 1: a NextToken to continue',
    operation: 'cloudfront:ListInvalidations',
    args: () => ['cloudfront', 'list-invalidations', '--distribution-id', SITE, '--max-items', '1'],
    check: ({ output }, f) => {
      const list = output?.InvalidationList as { Items: Array<{ Id: string }> };
      expect(list.Items.map((i) => i.Id)).toEqual([f.state.invalidations(SITE).at(-1)!.id]);
      expect(output?.NextToken).toEqual(expect.any(String));
    },
  },
  {
    // --no-paginate: the paging CLI prints nothing at all for an empty list.
    name: 'list-invalidations --no-paginate: a distribution without any',
    operation: 'cloudfront:ListInvalidations',
    args: () => [
      'cloudfront',
      'list-invalidations',
      '--distribution-id',
      'EEMPTYDIST',
      '--no-paginate',
    ],
    check: ({ output }) =>
      expect(output).toEqual({
        InvalidationList: { Marker: '', MaxItems: 100, IsTruncated: false, Quantity: 0 },
      }),
  },
  {
    name: 'list-invalidations: unknown distribution',
    operation: 'cloudfront:ListInvalidations',
    args: () => ['cloudfront', 'list-invalidations', '--distribution-id', 'ENOSUCHDIST'],
    expectError: 'NoSuchDistribution',
  },
];

describeCliFidelity<CloudFrontSimulator>('CloudFront', {
  services: () => {
    const cloudfront = createCloudFrontService({ invalidationDurationMs: Infinity });
    cloudfront.addDistribution({
      id: SITE,
      bucket: 'cli-site',
      originPath: '/prod',
      aliases: ['www.example.com', 'example.com'],
    });
    cloudfront.addDistribution({ id: 'EEMPTYDIST' });
    return { services: [cloudfront], state: cloudfront };
  },
  credentials: () => CLI_USER,
  rows,
});
