/**
 * The protocol layer with stand-in JSON and REST-XML modules, called by the
 * real SDK clients: what later service modules (App Runner, CloudFront, …)
 * build on.
 */
import {
  AppRunnerClient,
  DescribeServiceCommand,
  ListServicesCommand,
  PauseServiceCommand,
} from '@aws-sdk/client-apprunner';
import {
  CloudFrontClient,
  CreateInvalidationCommand,
  GetInvalidationCommand,
} from '@aws-sdk/client-cloudfront';
import {
  SimError,
  asList,
  startAwsSimulator,
  type AwsSimulator,
  type JsonServiceModule,
  type RestXmlServiceModule,
} from '../../../tools/aws-sim/index.js';
import { rejectionOf } from './helpers.js';

const USER = {
  accessKeyId: 'AKIAPROTOCOLEXAMPLE1',
  secretAccessKey: 'protocol-test-secret',
  arn: 'arn:aws:iam::123456789012:user/ci',
};
const SERVICE_ARN = 'arn:aws:apprunner:us-east-1:123456789012:service/api/0123456789abcdef';
const MISSING_ARN = 'arn:aws:apprunner:us-east-1:123456789012:service/missing/0123456789abcdef';
const CREATED = new Date('2024-01-02T03:04:05.678Z');

const fakeAppRunner: JsonServiceModule = {
  name: 'apprunner',
  endpointEnvSuffix: 'APPRUNNER',
  protocol: 'json',
  jsonVersion: '1.0',
  targetPrefix: 'AppRunner',
  operations: {
    ListServices: () => ({
      ServiceSummaryList: [
        {
          ServiceName: 'api',
          ServiceArn: SERVICE_ARN,
          ServiceId: '0123456789abcdef',
          ServiceUrl: 'abc.us-east-1.awsapprunner.com',
          CreatedAt: CREATED,
          UpdatedAt: CREATED,
          Status: 'RUNNING',
        },
      ],
    }),
    DescribeService: (params) => {
      throw new SimError(
        'ResourceNotFoundException',
        `Service not found: ${String(params.ServiceArn)}`,
      );
    },
    PauseService: () => {
      throw new TypeError('handler bug');
    },
  },
};

const invalidations: string[][] = [];
const fakeCloudFront: RestXmlServiceModule = {
  name: 'cloudfront',
  endpointEnvSuffix: 'CLOUDFRONT',
  protocol: 'rest-xml',
  xmlNamespace: 'http://cloudfront.amazonaws.com/doc/2020-05-31/',
  routes: [
    {
      method: 'POST',
      path: '/2020-05-31/distribution/{DistributionId}/invalidation',
      operation: 'CreateInvalidation',
    },
    {
      method: 'GET',
      path: '/2020-05-31/distribution/{DistributionId}/invalidation/{Id}',
      operation: 'GetInvalidation',
    },
  ],
  operations: {
    CreateInvalidation: ({ labels, body }) => {
      const batch = body!.value as { Paths: { Items: { Path: string | string[] } } };
      const paths = asList(batch.Paths.Items.Path) as string[];
      invalidations.push(paths);
      return {
        status: 201,
        headers: {
          location: `https://cloudfront.amazonaws.com/2020-05-31/distribution/${labels.DistributionId}/invalidation/I1`,
        },
        body: {
          root: 'Invalidation',
          value: {
            Id: 'I1',
            Status: 'InProgress',
            CreateTime: CREATED,
            InvalidationBatch: {
              Paths: { Quantity: paths.length, Items: { Path: paths } },
              CallerReference: 'ref-1',
            },
          },
        },
      };
    },
    GetInvalidation: ({ labels }) => {
      throw new SimError(
        'NoSuchInvalidation',
        `The specified invalidation does not exist: ${labels.Id}`,
        404,
      );
    },
  },
};

describe('protocol layer', () => {
  let sim: AwsSimulator;
  let appRunner: AppRunnerClient;
  let cloudFront: CloudFrontClient;
  beforeEach(async () => {
    sim = await startAwsSimulator();
    sim.addCredentials(USER);
    sim.register(fakeAppRunner);
    sim.register(fakeCloudFront);
    const config = { endpoint: sim.url, region: 'us-east-1', credentials: USER };
    appRunner = new AppRunnerClient(config);
    cloudFront = new CloudFrontClient(config);
    invalidations.length = 0;
  });
  afterEach(async () => {
    appRunner.destroy();
    cloudFront.destroy();
    await sim.close();
  });

  test('endpointEnv() names every registered service as the SDK expects', () => {
    expect(sim.endpointEnv()).toEqual({
      AWS_ENDPOINT_URL_STS: sim.url,
      AWS_ENDPOINT_URL_APPRUNNER: sim.url,
      AWS_ENDPOINT_URL_CLOUDFRONT: sim.url,
    });
    expect(() => sim.register(fakeAppRunner)).toThrow('already registered');
  });

  describe('JSON', () => {
    test('results reach the SDK, timestamps as epoch seconds', async () => {
      const response = await appRunner.send(new ListServicesCommand({ MaxResults: 5 }));
      expect(response.ServiceSummaryList?.[0]).toMatchObject({
        ServiceArn: SERVICE_ARN,
        CreatedAt: CREATED,
        Status: 'RUNNING',
      });
      expect(sim.requestLog[0]).toMatchObject({
        service: 'apprunner',
        operation: 'ListServices',
        params: { MaxResults: 5 },
        status: 200,
        accessKeyId: USER.accessKeyId,
      });
    });

    test('a SimError becomes the modelled exception', async () => {
      const error = await rejectionOf(
        appRunner.send(new DescribeServiceCommand({ ServiceArn: MISSING_ARN })),
      );
      expect(error.name).toBe('ResourceNotFoundException');
      expect(error.message).toBe(`Service not found: ${MISSING_ARN}`);
      expect(error.$fault).toBe('client');
    });

    test('ThrottlingException is retried', async () => {
      sim.faults.add({ service: 'apprunner', kind: 'throttle', count: 1 });
      await appRunner.send(new ListServicesCommand({}));
      expect(sim.requestLog.map((e) => e.errorCode)).toEqual(['ThrottlingException', undefined]);
    });

    test('a handler bug answers 500 InternalFailure and is logged', async () => {
      const client = new AppRunnerClient({
        endpoint: sim.url,
        region: 'us-east-1',
        credentials: USER,
        maxAttempts: 1,
      });
      const error = await rejectionOf(
        client.send(new PauseServiceCommand({ ServiceArn: SERVICE_ARN })),
      );
      client.destroy();
      expect(error.$metadata?.httpStatusCode).toBe(500);
      expect(sim.requestLog[0]?.errorMessage).toMatch(
        /^AWS simulator handler failed: TypeError: handler bug/,
      );
    });

    test('a wrong secret is InvalidSignatureException, an unknown key UnrecognizedClientException', async () => {
      const config = { endpoint: sim.url, region: 'us-east-1', maxAttempts: 1 };
      const wrongSecret = new AppRunnerClient({
        ...config,
        credentials: { ...USER, secretAccessKey: 'x' },
      });
      const unknownKey = new AppRunnerClient({
        ...config,
        credentials: { accessKeyId: 'AKIANOBODY', secretAccessKey: 'x' },
      });
      const errors = await Promise.all([
        rejectionOf(wrongSecret.send(new ListServicesCommand({}))),
        rejectionOf(unknownKey.send(new ListServicesCommand({}))),
      ]);
      wrongSecret.destroy();
      unknownKey.destroy();
      expect(errors.map((e) => [e.name, e.$metadata?.httpStatusCode])).toEqual([
        ['InvalidSignatureException', 403],
        ['UnrecognizedClientException', 403],
      ]);
    });

    test('wire format: error body, x-amzn-ErrorType, unknown operations answered before auth', async () => {
      const post = (target: string) =>
        fetch(sim.url, {
          method: 'POST',
          headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': target },
          body: '{}',
        });
      const unsigned = await post('AppRunner.ListServices');
      expect(unsigned.status).toBe(403);
      expect(unsigned.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
      expect(unsigned.headers.get('content-type')).toBe('application/x-amz-json-1.0');
      expect(await unsigned.json()).toEqual({
        __type: 'MissingAuthenticationTokenException',
        message: 'Missing Authentication Token',
      });
      const unknown = await post('AppRunner.ListConnections');
      expect(unknown.status).toBe(400);
      expect(await unknown.json()).toEqual({
        __type: 'UnknownOperationException',
        message: 'Unknown operation AppRunner.ListConnections',
      });
    });
  });

  describe('REST-XML', () => {
    test('an XML payload is parsed and the XML result reaches the SDK', async () => {
      const response = await cloudFront.send(
        new CreateInvalidationCommand({
          DistributionId: 'E2EXAMPLE',
          InvalidationBatch: {
            CallerReference: 'ref-1',
            Paths: { Quantity: 2, Items: ['/index.html', '/assets/*'] },
          },
        }),
      );
      expect(invalidations).toEqual([['/index.html', '/assets/*']]);
      expect(response.Location).toMatch(/distribution\/E2EXAMPLE\/invalidation\/I1$/);
      expect(response.Invalidation).toMatchObject({
        Id: 'I1',
        Status: 'InProgress',
        InvalidationBatch: { Paths: { Quantity: 2, Items: ['/index.html', '/assets/*'] } },
      });
      expect(response.Invalidation?.CreateTime?.toISOString()).toBe('2024-01-02T03:04:05.000Z');
      expect(sim.requestLog[0]).toMatchObject({
        service: 'cloudfront',
        operation: 'CreateInvalidation',
        params: { labels: { DistributionId: 'E2EXAMPLE' }, body: { root: 'InvalidationBatch' } },
        status: 201,
      });
    });

    test('a SimError becomes the modelled exception with its status', async () => {
      const error = await rejectionOf(
        cloudFront.send(new GetInvalidationCommand({ DistributionId: 'E2EXAMPLE', Id: 'NOPE' })),
      );
      expect(error.name).toBe('NoSuchInvalidation');
      expect(error.message).toBe('The specified invalidation does not exist: NOPE');
      expect(error.$metadata?.httpStatusCode).toBe(404);
    });

    test('Throttling is retried', async () => {
      sim.faults.add({ service: 'cloudfront', kind: 'throttle', count: 1 });
      await expect(
        cloudFront.send(new GetInvalidationCommand({ DistributionId: 'E2EXAMPLE', Id: 'I1' })),
      ).rejects.toThrow('does not exist');
      expect(sim.requestLog.map((e) => e.errorCode)).toEqual(['Throttling', 'NoSuchInvalidation']);
    });
  });

  test('a request no module claims is answered 404 and logged', async () => {
    const response = await fetch(`${sim.url}/nothing/here`);
    expect(response.status).toBe(404);
    expect(sim.requestLog[0]).toMatchObject({
      service: 'unknown',
      operation: 'GET /nothing/here',
      errorCode: 'UnknownOperationException',
    });
  });
});
