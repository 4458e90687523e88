import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { authenticate, type AuthOptions } from '../../../tools/aws-sim/auth.js';
import { CredentialStore } from '../../../tools/aws-sim/credentials.js';
import {
  canonicalRequest,
  parseAuthorizationHeader,
  sha256Hex,
  sign,
  stringToSign,
} from '../../../tools/aws-sim/sigv4.js';
import type { SimRequest } from '../../../tools/aws-sim/types.js';

const KEY = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};

describe('SigV4 primitives', () => {
  // The "get-vanilla" case of AWS's published SigV4 test suite.
  test('reproduce the get-vanilla test vector', () => {
    const canonical = canonicalRequest({
      method: 'GET',
      rawPath: '/',
      rawQuery: '',
      rawHeaders: ['Host', 'example.amazonaws.com', 'X-Amz-Date', '20150830T123600Z'],
      signedHeaders: ['host', 'x-amz-date'],
      payloadHash: sha256Hex(''),
      doubleEncodePath: true,
    });
    expect(canonical).toBe(
      'GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    const scope = { date: '20150830', region: 'us-east-1', service: 'service' };
    expect(
      sign(KEY.secretAccessKey, scope, stringToSign('20150830T123600Z', scope, canonical)),
    ).toBe('5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31');
  });

  test('parse the Authorization header', () => {
    expect(
      parseAuthorizationHeader(
        'AWS4-HMAC-SHA256 Credential=AKID/20240101/eu-west-1/sts/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc',
      ),
    ).toEqual({
      accessKeyId: 'AKID',
      scope: { date: '20240101', region: 'eu-west-1', service: 'sts' },
      signedHeaders: ['host', 'x-amz-date'],
      signature: 'abc',
    });
    expect(parseAuthorizationHeader('AWS AKID:sig')).toEqual({
      problem: 'Unsupported authorization type: only AWS4-HMAC-SHA256 is accepted.',
    });
  });
});

type SourceData = string | ArrayBuffer | ArrayBufferView;

function bytes(data: SourceData): string | Buffer {
  if (typeof data === 'string') return data;
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/** Node's crypto in the shape the SDK signer wants (a Checksum constructor). */
class NodeSha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

interface SdkRequest {
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string>;
  body: string;
}

/** Signs with the AWS SDK's own signer, then builds what the server would receive. */
async function sdkSigned(
  service: string,
  request: SdkRequest,
  when = new Date(),
): Promise<SimRequest> {
  const signer = new SignatureV4({
    service,
    region: 'us-east-1',
    credentials: KEY,
    sha256: NodeSha256,
    uriEscapePath: service !== 's3',
  });
  const signed = await signer.sign(
    { protocol: 'http:', hostname: '127.0.0.1', port: 8080, ...request },
    { signingDate: when },
  );
  // On the wire the SDK's HTTP handler encodes the query like encodeURIComponent.
  const rawQuery = Object.entries(request.query)
    .flatMap(([name, values]) =>
      [values].flat().map((v) => `${encodeURIComponent(name)}=${encodeURIComponent(v)}`),
    )
    .join('&');
  return {
    method: request.method,
    rawPath: request.path,
    rawQuery,
    query: new URLSearchParams(rawQuery),
    headers: Object.fromEntries(
      Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), v]),
    ),
    rawHeaders: Object.entries(signed.headers).flat(),
    body: Buffer.from(request.body),
  };
}

describe('authenticate() against requests signed by the SDK signer', () => {
  const store = new CredentialStore();
  store.add({ ...KEY, arn: 'arn:aws:iam::123456789012:user/test' });
  const options = (overrides: Partial<AuthOptions> = {}): AuthOptions => ({
    credentials: store,
    signingName: 'cloudfront',
    allowAnonymous: false,
    now: new Date(),
    wallClock: new Date(),
    ...overrides,
  });
  const tricky: SdkRequest = {
    method: 'POST',
    // Encoded once by the client, as SDK serialisers do; with dot segments to normalise.
    path: '/2020-05-31/distribution/E%20X%E2%82%AC/./a/../invalidation',
    query: { b: "it's (ok)*!", a: ['2', '1'], 'c d': '', e: 'x+y=z&w' },
    headers: {
      host: '127.0.0.1:8080',
      'content-type': 'text/xml',
      'x-amz-meta-spaces': '  several   spaces  here ',
    },
    body: '<InvalidationBatch/>',
  };

  test('a request with awkward paths, queries and headers verifies', async () => {
    const result = authenticate(await sdkSigned('cloudfront', tricky), options());
    expect(result).toEqual({
      ok: true,
      region: 'us-east-1',
      caller: expect.objectContaining({ arn: 'arn:aws:iam::123456789012:user/test' }),
    });
  });

  test('S3 signs the path without normalising or encoding it again', async () => {
    const request = await sdkSigned('s3', { ...tricky, path: '/bucket/a%20b/./c' });
    expect(authenticate(request, options({ signingName: 's3' })).ok).toBe(true);
  });

  test('a changed body no longer verifies', async () => {
    const request = await sdkSigned('cloudfront', tricky);
    const result = authenticate({ ...request, body: Buffer.from('<Other/>') }, options());
    expect(result).toMatchObject({ ok: false, kind: 'bad-signature' });
  });

  test('a changed query no longer verifies', async () => {
    const request = await sdkSigned('cloudfront', tricky);
    const rawQuery = `${request.rawQuery}&extra=1`;
    const result = authenticate(
      { ...request, rawQuery, query: new URLSearchParams(rawQuery) },
      options(),
    );
    expect(result).toMatchObject({ ok: false, kind: 'bad-signature' });
  });

  test('a signature made for another service is rejected, naming the right one', async () => {
    const result = authenticate(await sdkSigned('apprunner', tricky), options());
    expect(result).toMatchObject({
      ok: false,
      kind: 'bad-signature',
      message: "Credential should be scoped to correct service: 'cloudfront'. ",
    });
  });

  test('a signature dated more than 15 minutes ago is rejected', async () => {
    const request = await sdkSigned('cloudfront', tricky, new Date(Date.now() - 16 * 60_000));
    expect(authenticate(request, options())).toMatchObject({
      ok: false,
      kind: 'bad-signature',
      message: expect.stringMatching(/^Signature expired: \d{8}T\d{6}Z is now earlier than/),
    });
  });

  test('an unknown access key is rejected before the signature is checked', async () => {
    const request = await sdkSigned('cloudfront', tricky);
    const empty = new CredentialStore();
    expect(authenticate(request, options({ credentials: empty }))).toMatchObject({
      ok: false,
      kind: 'unknown-key',
      accessKeyId: KEY.accessKeyId,
    });
  });

  test('no Authorization header: anonymous only where allowed', async () => {
    const { authorization: _, ...headers } = (await sdkSigned('cloudfront', tricky)).headers;
    const request = { ...(await sdkSigned('cloudfront', tricky)), headers };
    expect(authenticate(request, options())).toMatchObject({ ok: false, kind: 'missing' });
    expect(authenticate(request, options({ allowAnonymous: true }))).toMatchObject({
      ok: true,
      caller: undefined,
    });
  });
});
