import https from 'node:https';
import { clientConfig } from '@deploy-actions/aws';
import {
  createS3Client,
  customS3Endpoint,
  partSizeFor,
  MiB,
  s3ClientConfig,
} from '../../../packages/s3-sync/src/index.js';

const session = {
  region: 'eu-west-1',
  credentials: { accessKeyId: 'AKID', secretAccessKey: 'SECRET' },
  maxAttempts: 5,
  actionName: 'sync-s3-invalidate-cloudfront',
};

describe('customS3Endpoint', () => {
  test.each<[string, { endpoint?: string; env: NodeJS.ProcessEnv }, string | undefined]>([
    ['no endpoint: AWS', { env: {} }, undefined],
    ['explicit endpoint', { endpoint: 'http://127.0.0.1:9000', env: {} }, 'http://127.0.0.1:9000'],
    [
      'AWS_ENDPOINT_URL_S3',
      { env: { AWS_ENDPOINT_URL_S3: 'https://r2.example' } },
      'https://r2.example',
    ],
    ['AWS_ENDPOINT_URL', { env: { AWS_ENDPOINT_URL: 'http://minio:9000' } }, 'http://minio:9000'],
    [
      'ignored when AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true',
      {
        env: {
          AWS_ENDPOINT_URL_S3: 'http://minio:9000',
          AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true',
        },
      },
      undefined,
    ],
    [
      "AWS's own endpoint is not custom",
      { env: { AWS_ENDPOINT_URL_S3: 'https://s3-fips.us-east-1.amazonaws.com' } },
      undefined,
    ],
  ])('%s', (_, options, expected) => {
    expect(customS3Endpoint({ concurrency: 1, ...options })).toBe(expected);
  });
});

describe('s3ClientConfig', () => {
  test('AWS: keep-alive agents, default checksums, no endpoint', () => {
    const config = s3ClientConfig(clientConfig(session), { concurrency: 8, env: {} });
    expect(config).toMatchObject({ region: 'eu-west-1', maxAttempts: 5, retryMode: 'adaptive' });
    expect(config.endpoint).toBeUndefined();
    expect(config.requestChecksumCalculation).toBeUndefined();
    expect(config.forcePathStyle).toBeUndefined();
    const agent = (config.requestHandler as { httpsAgent: https.Agent }).httpsAgent;
    expect(agent).toBeInstanceOf(https.Agent);
    expect((agent as unknown as { keepAlive: boolean }).keepAlive).toBe(true);
    expect(agent.maxSockets).toBe(32);
  });

  test('S3-compatible storage: path style, checksums only when required', () => {
    const config = s3ClientConfig(clientConfig(session), {
      concurrency: 2,
      env: { AWS_ENDPOINT_URL_S3: 'http://minio:9000' },
    });
    expect(config).toMatchObject({
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  });

  test('createS3Client honours an explicit endpoint', async () => {
    const client = createS3Client(session, { concurrency: 2, endpoint: 'http://127.0.0.1:1' });
    const endpoint = await client.config.endpoint?.();
    expect(endpoint?.hostname).toBe('127.0.0.1');
    expect(await client.config.requestChecksumCalculation()).toBe('WHEN_REQUIRED');
    client.destroy();
  });
});

test.each([
  [1 * MiB, 8 * MiB, 8 * MiB],
  [20 * MiB, 1 * MiB, 5 * MiB],
  [200_000 * MiB, 8 * MiB, 20 * MiB],
])('partSizeFor(%d, %d) = %d', (size, preferred, expected) => {
  expect(partSizeFor(size, preferred)).toBe(expected);
});
