import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { clientConfig, type AwsSession, type CommonClientConfig } from '@deploy-actions/aws';
import { MULTIPART_QUEUE_SIZE } from './transfer.js';

export interface S3ClientOptions {
  /** Parallel transfers; connections are kept alive and pooled to match. */
  concurrency: number;
  /** An explicit endpoint (CLI, tests). Otherwise the SDK reads AWS_ENDPOINT_URL_S3 itself. */
  endpoint?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * The endpoint of S3-compatible storage, when one is configured: an explicit
 * endpoint or AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL that is not AWS's own.
 */
export function customS3Endpoint(options: S3ClientOptions): string | undefined {
  const env = options.env ?? process.env;
  const ignoreConfigured = /^true$/i.test(env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS ?? '');
  const endpoint =
    options.endpoint ??
    (ignoreConfigured ? undefined : env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL);
  if (!endpoint) return undefined;
  try {
    return /(^|\.)amazonaws\.com(\.cn)?$/i.test(new URL(endpoint).hostname) ? undefined : endpoint;
  } catch {
    return endpoint;
  }
}

/**
 * S3 client options on top of the suite's common ones. Keep-alive agents sized
 * to the transfer concurrency, so parallel uploads reuse warm TLS connections.
 * For S3-compatible storage: path-style addressing (custom endpoints rarely
 * resolve `bucket.host`), and checksums only where the API requires them (many
 * of those stores reject the CRC32 headers and aws-chunked bodies the SDK sends
 * to AWS by default).
 */
export function s3ClientConfig(base: CommonClientConfig, options: S3ClientOptions): S3ClientConfig {
  const maxSockets = Math.max(options.concurrency * MULTIPART_QUEUE_SIZE, 16);
  const custom = customS3Endpoint(options);
  return {
    ...base,
    requestHandler: {
      httpAgent: new http.Agent({ keepAlive: true, maxSockets }),
      httpsAgent: new https.Agent({ keepAlive: true, maxSockets }),
    },
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ...(custom === undefined
      ? {}
      : {
          forcePathStyle: true,
          requestChecksumCalculation: 'WHEN_REQUIRED',
          responseChecksumValidation: 'WHEN_REQUIRED',
        }),
  };
}

/** The S3 client the sync uses; for S3-compatible storage, DeleteObjects carries Content-MD5. */
export function createS3Client(session: AwsSession, options: S3ClientOptions): S3Client {
  const client = new S3Client(s3ClientConfig(clientConfig(session), options));
  if (customS3Endpoint(options) !== undefined) useContentMd5ForDeleteObjects(client);
  return client;
}

/**
 * DeleteObjects is the one S3 call that requires a body checksum. The SDK sends
 * CRC32; S3 accepts it, but several S3-compatible stores accept only the
 * Content-MD5 the API used to require. Workaround documented by the SDK team
 * (aws-sdk-js-v3 supplemental-docs/MD5_FALLBACK.md).
 */
export function useContentMd5ForDeleteObjects(client: S3Client): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const request = args.request as
        { headers?: Record<string, string>; body?: unknown } | undefined;
      if (context.commandName === 'DeleteObjectsCommand' && request?.headers) {
        for (const name of Object.keys(request.headers)) {
          if (/^x-amz-(sdk-)?checksum-/i.test(name)) delete request.headers[name];
        }
        if (typeof request.body === 'string' || request.body instanceof Uint8Array) {
          request.headers['content-md5'] = createHash('md5').update(request.body).digest('base64');
        }
      }
      return next(args);
    },
    { step: 'finalizeRequest', priority: 'high', name: 'deployActionsDeleteObjectsContentMd5' },
  );
}
