// The sync engine finding the bucket's origin (and its origin path) in a CloudFront distribution,
// through the real @aws-sdk/client-cloudfront against the simulator.
import {
  findBucketOrigin,
  isBucketDomain,
  pickBucketOrigin,
} from '../../../packages/s3-sync/src/index.js';
import {
  calls,
  client,
  cloudfront,
  distributionRef,
  rejection,
  useCloudFrontSimulator,
} from './cloudfront-fixtures.js';

useCloudFrontSimulator();

describe('the origin serving the bucket', () => {
  test('findBucketOrigin reads the origin path of the bucket origin among others', async () => {
    const { id } = cloudfront.addDistribution({
      origins: [
        { id: 'api', domainName: 'api.example.com', originPath: '/v1' },
        { id: 'site', domainName: 'web-bucket.s3.eu-west-1.amazonaws.com', originPath: '/prod' },
      ],
      cacheBehaviors: [{ pathPattern: '/api/*', targetOriginId: 'api' }],
    });
    const origin = await findBucketOrigin(client, distributionRef(id), {
      bucket: 'web-bucket',
      prefix: 'prod/',
    });
    expect(origin).toEqual({
      originId: 'site',
      domainName: 'web-bucket.s3.eu-west-1.amazonaws.com',
      originPath: '/prod',
      warning: undefined,
    });
    expect(calls('GetDistributionConfig')).toHaveLength(1);
  });

  test('a distribution without an origin for the bucket: a warning, no origin path', async () => {
    const { id } = cloudfront.addDistribution({ bucket: 'other-bucket' });
    const origin = await findBucketOrigin(client, distributionRef(id), {
      bucket: 'web-bucket',
      prefix: '',
    });
    expect(origin.originPath).toBe('');
    expect(origin.warning).toBe(
      `Distribution ${id} has no origin for bucket web-bucket (its origins: other-bucket.s3.us-east-1.amazonaws.com): invalidation paths are the object keys' own paths.`,
    );
  });

  test('an unknown distribution fails saying so, with what to check', async () => {
    const error = await rejection(
      findBucketOrigin(client, distributionRef('ENOSUCHDIST1'), { bucket: 'b-1', prefix: '' }),
    );
    expect(error.message).toBe('CloudFront distribution ENOSUCHDIST1 does not exist.');
    expect(error.hint).toContain('distribution-id');
  });

  test('a role without GetDistributionConfig is told which permission to grant', async () => {
    const { id, arn } = cloudfront.addDistribution();
    cloudfront.deny('GetDistributionConfig');
    const error = await rejection(
      findBucketOrigin(client, distributionRef(id), { bucket: 'b-1', prefix: '' }),
    );
    expect(error.message).toContain(`AWS denied cloudfront:GetDistributionConfig on ${arn}`);
    expect(error.hint).toContain('"cloudfront:GetDistributionConfig"');
  });

  test.each([
    ['my-site.s3.amazonaws.com', true],
    ['my-site.s3.us-east-1.amazonaws.com', true],
    ['my-site.s3-us-west-2.amazonaws.com', true],
    ['my-site.s3.dualstack.eu-central-1.amazonaws.com', true],
    ['my-site.s3-website-us-east-1.amazonaws.com', true],
    ['my-site.s3-website.eu-west-1.amazonaws.com', true],
    ['MY-SITE.S3.AMAZONAWS.COM.', true],
    ['my-site.s3.cn-north-1.amazonaws.com.cn', true],
    ['other.my-site.s3.amazonaws.com', false],
    ['my-site-old.s3.amazonaws.com', false],
    ['my-site.example.com', false],
    ['my-site.s3.evil.com', false],
  ])('isBucketDomain(%s, my-site) is %s', (domain, expected) => {
    expect(isBucketDomain(domain, 'my-site')).toBe(expected);
  });

  test('pickBucketOrigin: the deepest origin path holding the prefix wins', () => {
    const origins = [
      { Id: 'root', DomainName: 'b.s3.amazonaws.com', OriginPath: '' },
      { Id: 'app', DomainName: 'b.s3.amazonaws.com', OriginPath: '/app' },
      { Id: 'other', DomainName: 'c.s3.amazonaws.com', OriginPath: '/app/v2' },
    ];
    expect(pickBucketOrigin(origins, 'b', 'app/v2/')?.Id).toBe('app');
    expect(pickBucketOrigin(origins, 'b', 'docs/')?.Id).toBe('root');
    expect(pickBucketOrigin(origins.slice(1), 'b', '')?.Id).toBe('app');
    expect(pickBucketOrigin(origins, 'd', '')).toBeUndefined();
  });
});
