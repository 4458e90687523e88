/**
 * App Runner in the AWS simulator, driven through the real
 * @aws-sdk/client-apprunner: the service state machine (operations that take
 * time, fail, roll back), configuration defaults and validation, pagination
 * with empty pages, and throttling from the fault injector. The module runs on
 * a manual clock here, so phases are stepped, not waited for (one test uses
 * the real clock).
 */
import {
  AppRunnerClient,
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeServiceCommand,
  ListOperationsCommand,
  ListServicesCommand,
  ListTagsForResourceCommand,
  PauseServiceCommand,
  ResumeServiceCommand,
  StartDeploymentCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateServiceCommand,
  paginateListOperations,
  paginateListServices,
  type CreateServiceCommandInput,
  type OperationSummary,
} from '@aws-sdk/client-apprunner';
import { startAwsSimulator, type AwsSimulator } from '../../../tools/aws-sim/index.js';
import {
  appRunnerCalls,
  createAppRunnerService,
  type AppRunnerSimulator,
} from '../../../tools/aws-sim/services/apprunner.js';
import { rejectionOf } from './helpers.js';

const USER = {
  accessKeyId: 'AKIAAPPRUNNERTEST001',
  secretAccessKey: 'apprunner-test-secret',
  arn: 'arn:aws:iam::123456789012:user/deployer',
};
const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const REPO = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/api`;
const ACCESS_ROLE = `arn:aws:iam::${ACCOUNT}:role/service-role/AppRunnerECRAccessRole`;
const INSTANCE_ROLE = `arn:aws:iam::${ACCOUNT}:role/api-instance`;
const VPC_CONNECTOR = `arn:aws:apprunner:${REGION}:${ACCOUNT}:vpcconnector/private/1/0123456789abcdef0123456789abcdef`;
const SECRET = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:db-url-AbCdEf`;
const DIGEST = `sha256:${'ab'.repeat(32)}`;

describe('App Runner in the AWS simulator, through @aws-sdk/client-apprunner', () => {
  let sim: AwsSimulator;
  let apprunner: AppRunnerSimulator;
  let client: AppRunnerClient;
  let clock: number;
  const advance = (ms: number) => {
    clock += ms;
  };

  beforeEach(async () => {
    clock = Date.parse('2026-03-02T10:00:00Z');
    sim = await startAwsSimulator();
    sim.addCredentials(USER);
    apprunner = createAppRunnerService({
      now: () => new Date(clock),
      operationDurationMs: 60_000,
      rollbackDurationMs: 30_000,
    });
    sim.register(apprunner);
    client = appRunnerClient(sim);
  });
  afterEach(async () => {
    client.destroy();
    await sim.close();
  });

  const createInput = (overrides: Partial<CreateServiceCommandInput> = {}) => ({
    ServiceName: 'web-api',
    SourceConfiguration: {
      ImageRepository: { ImageIdentifier: `${REPO}:v1`, ImageRepositoryType: 'ECR' as const },
      AuthenticationConfiguration: { AccessRoleArn: ACCESS_ROLE },
    },
    ...overrides,
  });
  const operations = async (serviceArn: string) =>
    (await client.send(new ListOperationsCommand({ ServiceArn: serviceArn })))
      .OperationSummaryList ?? [];
  const describeService = async (serviceArn: string) =>
    (await client.send(new DescribeServiceCommand({ ServiceArn: serviceArn }))).Service!;

  describe('CreateService', () => {
    test('creates with every option, normalised as DescribeService answers it', async () => {
      const response = await client.send(
        new CreateServiceCommand({
          ServiceName: 'api-prod',
          SourceConfiguration: {
            ImageRepository: {
              ImageIdentifier: `${REPO}@${DIGEST}`,
              ImageRepositoryType: 'ECR',
              ImageConfiguration: {
                Port: '3000',
                RuntimeEnvironmentVariables: { NODE_ENV: 'production' },
                RuntimeEnvironmentSecrets: { DATABASE_URL: SECRET },
                StartCommand: 'node server.js',
              },
            },
            AutoDeploymentsEnabled: false,
            AuthenticationConfiguration: { AccessRoleArn: ACCESS_ROLE },
          },
          InstanceConfiguration: { Cpu: '2 vCPU', Memory: '4 GB', InstanceRoleArn: INSTANCE_ROLE },
          HealthCheckConfiguration: { Protocol: 'HTTP', Path: '/health', Interval: 10 },
          NetworkConfiguration: {
            EgressConfiguration: { EgressType: 'VPC', VpcConnectorArn: VPC_CONNECTOR },
          },
          Tags: [{ Key: 'team', Value: 'web' }],
        }),
      );

      expect(response.OperationId).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
      const service = response.Service!;
      expect(service.ServiceId).toMatch(/^[0-9a-f]{32}$/);
      expect(service.ServiceArn).toBe(
        `arn:aws:apprunner:${REGION}:${ACCOUNT}:service/api-prod/${service.ServiceId}`,
      );
      expect(service.ServiceUrl).toMatch(/^[a-z0-9]{10}\.us-east-1\.awsapprunner\.com$/);
      expect(service.Status).toBe('OPERATION_IN_PROGRESS');
      expect(service.CreatedAt).toEqual(new Date(clock));
      expect(service).toMatchObject({
        SourceConfiguration: {
          ImageRepository: {
            ImageIdentifier: `${REPO}@${DIGEST}`,
            ImageRepositoryType: 'ECR',
            ImageConfiguration: {
              Port: '3000',
              RuntimeEnvironmentVariables: { NODE_ENV: 'production' },
              RuntimeEnvironmentSecrets: { DATABASE_URL: SECRET },
              StartCommand: 'node server.js',
            },
          },
          AutoDeploymentsEnabled: false,
          AuthenticationConfiguration: { AccessRoleArn: ACCESS_ROLE },
        },
        InstanceConfiguration: { Cpu: '2048', Memory: '4096', InstanceRoleArn: INSTANCE_ROLE },
        HealthCheckConfiguration: {
          Protocol: 'HTTP',
          Path: '/health',
          Interval: 10,
          Timeout: 2,
          HealthyThreshold: 1,
          UnhealthyThreshold: 5,
        },
        NetworkConfiguration: {
          EgressConfiguration: { EgressType: 'VPC', VpcConnectorArn: VPC_CONNECTOR },
          IngressConfiguration: { IsPubliclyAccessible: true },
          IpAddressType: 'IPV4',
        },
      });
      const tags = await client.send(
        new ListTagsForResourceCommand({ ResourceArn: service.ServiceArn }),
      );
      expect(tags.Tags).toEqual([{ Key: 'team', Value: 'web' }]);
      expect(appRunnerCalls(sim.requestLog, 'CreateService')[0]!.params).toMatchObject({
        ServiceName: 'api-prod',
        InstanceConfiguration: { Cpu: '2 vCPU', Memory: '4 GB' },
      });
    });

    test("fills in App Runner's defaults", async () => {
      const { Service: service } = await client.send(new CreateServiceCommand(createInput()));
      expect(service).toMatchObject({
        SourceConfiguration: {
          ImageRepository: { ImageConfiguration: { Port: '8080' } },
          AutoDeploymentsEnabled: true,
        },
        InstanceConfiguration: { Cpu: '1024', Memory: '2048' },
        HealthCheckConfiguration: {
          Protocol: 'TCP',
          Path: '/',
          Interval: 5,
          Timeout: 2,
          HealthyThreshold: 1,
          UnhealthyThreshold: 5,
        },
        NetworkConfiguration: {
          EgressConfiguration: { EgressType: 'DEFAULT' },
          IngressConfiguration: { IsPubliclyAccessible: true },
          IpAddressType: 'IPV4',
        },
        AutoScalingConfigurationSummary: {
          AutoScalingConfigurationArn: `arn:aws:apprunner:${REGION}:${ACCOUNT}:autoscalingconfiguration/DefaultConfiguration/1/00000000000000000000000000000001`,
          AutoScalingConfigurationName: 'DefaultConfiguration',
          AutoScalingConfigurationRevision: 1,
          IsDefault: true,
        },
      });
      expect(service!.InstanceConfiguration!.InstanceRoleArn).toBeUndefined();
      expect(service!.ObservabilityConfiguration).toBeUndefined();
    });

    test('CREATE_SERVICE runs for the configured time, then the service is RUNNING', async () => {
      const { Service: created, OperationId } = await client.send(
        new CreateServiceCommand(createInput()),
      );
      const arn = created!.ServiceArn!;
      const startedAt = new Date(clock);
      expect(await operations(arn)).toEqual([
        {
          Id: OperationId,
          Type: 'CREATE_SERVICE',
          Status: 'IN_PROGRESS',
          TargetArn: arn,
          StartedAt: startedAt,
          UpdatedAt: startedAt,
        },
      ]);

      advance(59_999);
      expect((await describeService(arn)).Status).toBe('OPERATION_IN_PROGRESS');
      advance(5_000);
      const [operation] = await operations(arn);
      expect(operation).toMatchObject({ Status: 'SUCCEEDED' });
      expect(operation!.EndedAt).toEqual(new Date(startedAt.getTime() + 60_000));
      expect(await describeService(arn)).toMatchObject({ Status: 'RUNNING' });
      expect(apprunner.liveImage('web-api')).toBe(`${REPO}:v1`);
    });

    test('a scripted failure leaves the service CREATE_FAILED; an update rebuilds it', async () => {
      apprunner.script('web-api', ['fails', 'healthy']);
      const { Service: created } = await client.send(new CreateServiceCommand(createInput()));
      const arn = created!.ServiceArn!;
      advance(60_000);
      expect((await operations(arn))[0]).toMatchObject({
        Type: 'CREATE_SERVICE',
        Status: 'FAILED',
      });
      expect((await describeService(arn)).Status).toBe('CREATE_FAILED');
      expect(apprunner.liveImage(arn)).toBeUndefined();

      await client.send(
        new UpdateServiceCommand({
          ServiceArn: arn,
          SourceConfiguration: {
            ImageRepository: { ImageIdentifier: `${REPO}:v2`, ImageRepositoryType: 'ECR' },
            AuthenticationConfiguration: { AccessRoleArn: ACCESS_ROLE },
          },
        }),
      );
      advance(60_000);
      expect((await describeService(arn)).Status).toBe('RUNNING');
      expect(apprunner.liveImage(arn)).toBe(`${REPO}:v2`);
    });

    test('a name in use answers InvalidRequestException', async () => {
      apprunner.addService({ name: 'web-api', image: `${REPO}:v1` });
      const error = await rejectionOf(client.send(new CreateServiceCommand(createInput())));
      expect(error.name).toBe('InvalidRequestException');
      expect(error.message).toContain('Service with the provided name already exists');
      expect(error.$metadata?.httpStatusCode).toBe(400);
    });

    test.each([
      [{ Cpu: '3 vCPU' }, "Value '3 vCPU' at 'instanceConfiguration.cpu' failed to satisfy"],
      [{ Memory: '5 GB' }, "Value '5 GB' at 'instanceConfiguration.memory' failed to satisfy"],
      [{ Cpu: '4 vCPU', Memory: '2 GB' }, 'The combination of Cpu 4096 and Memory 2048'],
      [{ Cpu: '0.25 vCPU', Memory: '2048' }, 'The combination of Cpu 256 and Memory 2048'],
      [{ Cpu: '4096' }, 'The combination of Cpu 4096 and Memory 2048'],
    ])('instance configuration %j is refused', async (instance, message) => {
      const error = await rejectionOf(
        client.send(new CreateServiceCommand(createInput({ InstanceConfiguration: instance }))),
      );
      expect(error.name).toBe('InvalidRequestException');
      expect(error.message).toContain(message);
      expect(apprunner.services.size).toBe(0);
    });

    test.each([
      ['0.25 vCPU', '0.5 GB', '256', '512'],
      ['0.5 vCPU', '1 GB', '512', '1024'],
      ['1 vCPU', '3 GB', '1024', '3072'],
      ['4 vCPU', '12 GB', '4096', '12288'],
      ['2048', '6144', '2048', '6144'],
    ])('%s / %s is accepted as %s / %s', async (Cpu, Memory, cpu, memory) => {
      const { Service: service } = await client.send(
        new CreateServiceCommand(createInput({ InstanceConfiguration: { Cpu, Memory } })),
      );
      expect(service!.InstanceConfiguration).toEqual({ Cpu: cpu, Memory: memory });
    });

    test.each([
      [
        'an image outside ECR',
        { ImageIdentifier: 'docker.io/library/nginx:latest', ImageRepositoryType: 'ECR' },
        "at 'sourceConfiguration.imageRepository.imageIdentifier' failed to satisfy constraint",
      ],
      [
        'a private ECR image without an access role',
        { ImageIdentifier: `${REPO}:v1`, ImageRepositoryType: 'ECR' },
        'AccessRoleArn is required',
      ],
    ])('%s is refused', async (_, image, message) => {
      const error = await rejectionOf(
        client.send(
          new CreateServiceCommand({
            ServiceName: 'web-api',
            SourceConfiguration: {
              ImageRepository: image as { ImageIdentifier: string; ImageRepositoryType: 'ECR' },
            },
          }),
        ),
      );
      expect(error.name).toBe('InvalidRequestException');
      expect(error.message).toContain(message);
    });

    test('a public ECR image needs no access role', async () => {
      const { Service: service } = await client.send(
        new CreateServiceCommand({
          ServiceName: 'public-app',
          SourceConfiguration: {
            ImageRepository: {
              ImageIdentifier: 'public.ecr.aws/nginx/nginx:latest',
              ImageRepositoryType: 'ECR_PUBLIC',
            },
          },
        }),
      );
      expect(service!.SourceConfiguration!.AutoDeploymentsEnabled).toBe(false);
    });

    test('VPC egress without a connector is refused', async () => {
      const error = await rejectionOf(
        client.send(
          new CreateServiceCommand(
            createInput({ NetworkConfiguration: { EgressConfiguration: { EgressType: 'VPC' } } }),
          ),
        ),
      );
      expect(error.name).toBe('InvalidRequestException');
      expect(error.message).toContain('VpcConnectorArn');
    });
  });

  describe('UpdateService and StartDeployment', () => {
    let arn: string;
    beforeEach(() => {
      arn = apprunner.addService({
        name: 'web-api',
        image: `${REPO}:v1`,
        port: '3000',
        env: { NODE_ENV: 'production' },
        secrets: { DATABASE_URL: SECRET },
        cpu: '1 vCPU',
        memory: '4 GB',
        instanceRoleArn: INSTANCE_ROLE,
        healthCheck: { Protocol: 'HTTP', Path: '/health' },
        vpcConnectorArn: VPC_CONNECTOR,
      }).arn;
    });

    const sourceWith = (image: string) => {
      const live = apprunner.service('web-api').config.SourceConfiguration;
      return { ...live, ImageRepository: { ...live.ImageRepository, ImageIdentifier: image } };
    };

    test('a healthy update makes the new image live and keeps the other settings', async () => {
      const { OperationId, Service: service } = await client.send(
        new UpdateServiceCommand({
          ServiceArn: arn,
          SourceConfiguration: sourceWith(`${REPO}:v2`),
        }),
      );
      // DescribeService reports the configuration being deployed while the operation runs.
      expect(service!.Status).toBe('OPERATION_IN_PROGRESS');
      expect(service!.SourceConfiguration!.ImageRepository!.ImageIdentifier).toBe(`${REPO}:v2`);
      expect(apprunner.liveImage(arn)).toBe(`${REPO}:v1`);
      expect((await operations(arn))[0]).toMatchObject({
        Id: OperationId,
        Type: 'UPDATE_SERVICE',
        Status: 'IN_PROGRESS',
      });

      advance(60_000);
      const after = await describeService(arn);
      expect(after.Status).toBe('RUNNING');
      expect(after.SourceConfiguration!.ImageRepository).toEqual({
        ImageIdentifier: `${REPO}:v2`,
        ImageRepositoryType: 'ECR',
        ImageConfiguration: {
          Port: '3000',
          RuntimeEnvironmentVariables: { NODE_ENV: 'production' },
          RuntimeEnvironmentSecrets: { DATABASE_URL: SECRET },
        },
      });
      expect(after.InstanceConfiguration).toEqual({
        Cpu: '1024',
        Memory: '4096',
        InstanceRoleArn: INSTANCE_ROLE,
      });
      expect(after.HealthCheckConfiguration).toMatchObject({ Protocol: 'HTTP', Path: '/health' });
      expect(after.NetworkConfiguration!.EgressConfiguration).toEqual({
        EgressType: 'VPC',
        VpcConnectorArn: VPC_CONNECTOR,
      });
      expect((await operations(arn))[0]).toMatchObject({ Id: OperationId, Status: 'SUCCEEDED' });
      expect(apprunner.liveImage(arn)).toBe(`${REPO}:v2`);
    });

    test('each given structure replaces the live one: what it leaves out takes the defaults', async () => {
      await client.send(
        new UpdateServiceCommand({
          ServiceArn: arn,
          SourceConfiguration: {
            ImageRepository: { ImageIdentifier: `${REPO}:v2`, ImageRepositoryType: 'ECR' },
            AuthenticationConfiguration: { AccessRoleArn: ACCESS_ROLE },
          },
          InstanceConfiguration: { Cpu: '2 vCPU', Memory: '4 GB' },
        }),
      );
      const service = await describeService(arn);
      expect(service.SourceConfiguration!.ImageRepository!.ImageConfiguration).toEqual({
        Port: '8080',
      });
      expect(service.InstanceConfiguration).toEqual({ Cpu: '2048', Memory: '4096' });
      // Structures not given stay as they are.
      expect(service.HealthCheckConfiguration).toMatchObject({ Protocol: 'HTTP' });
      expect(service.NetworkConfiguration!.EgressConfiguration!.EgressType).toBe('VPC');
    });

    test('AutoDeploymentsEnabled left out of an update keeps its value', async () => {
      expect(apprunner.service('web-api').config.SourceConfiguration.AutoDeploymentsEnabled).toBe(
        true,
      );
      await client.send(
        new UpdateServiceCommand({
          ServiceArn: arn,
          SourceConfiguration: { ...sourceWith(`${REPO}:v2`), AutoDeploymentsEnabled: false },
        }),
      );
      advance(60_000);
      const { AutoDeploymentsEnabled: _, ...rest } = sourceWith(`${REPO}:v3`);
      await client.send(new UpdateServiceCommand({ ServiceArn: arn, SourceConfiguration: rest }));
      const service = await describeService(arn);
      expect(service.SourceConfiguration!.AutoDeploymentsEnabled).toBe(false);
    });

    test('an update that changes nothing answers InvalidRequestException', async () => {
      for (const input of [
        { ServiceArn: arn },
        { ServiceArn: arn, SourceConfiguration: sourceWith(`${REPO}:v1`) },
        {
          ServiceArn: arn,
          InstanceConfiguration: { Cpu: '1024', Memory: '4096', InstanceRoleArn: INSTANCE_ROLE },
        },
      ]) {
        const error = await rejectionOf(client.send(new UpdateServiceCommand(input)));
        expect(error.name).toBe('InvalidRequestException');
        expect(error.message).toBe('No configurations provided in the UpdateService request.');
      }
      expect(apprunner.operationsOf(arn)).toHaveLength(1);
    });

    test('while an operation runs, changes answer InvalidStateException', async () => {
      const foreign = apprunner.startOperation('web-api', 'UPDATE_SERVICE', {
        image: `${REPO}:other`,
      });
      expect((await describeService(arn)).Status).toBe('OPERATION_IN_PROGRESS');

      const update = await rejectionOf(
        client.send(
          new UpdateServiceCommand({
            ServiceArn: arn,
            SourceConfiguration: sourceWith(`${REPO}:v2`),
          }),
        ),
      );
      expect(update.name).toBe('InvalidStateException');
      expect(update.message).toBe(
        'Service cannot be updated in the current state: OPERATION_IN_PROGRESS.',
      );
      for (const command of [
        new StartDeploymentCommand({ ServiceArn: arn }),
        new PauseServiceCommand({ ServiceArn: arn }),
        new DeleteServiceCommand({ ServiceArn: arn }),
      ]) {
        const error = await rejectionOf(client.send(command as UpdateServiceCommand));
        expect(error.name).toBe('InvalidStateException');
        expect(error.message).toContain('in the current state: OPERATION_IN_PROGRESS.');
      }

      advance(60_000);
      expect((await operations(arn))[0]).toMatchObject({ Id: foreign.id, Status: 'SUCCEEDED' });
      expect(apprunner.liveImage(arn)).toBe(`${REPO}:other`);
      await client.send(
        new UpdateServiceCommand({
          ServiceArn: arn,
          SourceConfiguration: sourceWith(`${REPO}:v2`),
        }),
      );
    });

    test('health-check-fails: ROLLBACK_IN_PROGRESS, then ROLLBACK_SUCCEEDED with the old image back', async () => {
      apprunner.script('web-api', ['health-check-fails']);
      const { OperationId } = await client.send(
        new UpdateServiceCommand({
          ServiceArn: arn,
          SourceConfiguration: sourceWith(`${REPO}:bad`),
        }),
      );
      const start = clock;
      advance(60_000);
      expect((await operations(arn))[0]).toMatchObject({
        Id: OperationId,
        Status: 'ROLLBACK_IN_PROGRESS',
        UpdatedAt: new Date(start + 60_000),
      });
      expect((await describeService(arn)).Status).toBe('OPERATION_IN_PROGRESS');

      advance(30_000);
      const [operation] = await operations(arn);
      expect(operation).toMatchObject({ Id: OperationId, Status: 'ROLLBACK_SUCCEEDED' });
      expect(operation!.EndedAt).toEqual(new Date(start + 90_000));
      const service = await describeService(arn);
      expect(service.Status).toBe('RUNNING');
      expect(service.SourceConfiguration!.ImageRepository!.ImageIdentifier).toBe(`${REPO}:v1`);
      expect(apprunner.liveImage(arn)).toBe(`${REPO}:v1`);
    });

    test('rollback-fails ends ROLLBACK_FAILED; fails ends FAILED; the old image stays', async () => {
      apprunner.script('web-api', ['rollback-fails', 'fails']);
      await client.send(
        new UpdateServiceCommand({
          ServiceArn: arn,
          SourceConfiguration: sourceWith(`${REPO}:bad`),
        }),
      );
      advance(90_000);
      expect((await operations(arn))[0]!.Status).toBe('ROLLBACK_FAILED');
      expect((await describeService(arn)).Status).toBe('RUNNING');

      await client.send(new StartDeploymentCommand({ ServiceArn: arn }));
      advance(60_000);
      expect((await operations(arn))[0]).toMatchObject({
        Type: 'START_DEPLOYMENT',
        Status: 'FAILED',
      });
      expect((await describeService(arn)).Status).toBe('RUNNING');
      expect(apprunner.liveImage(arn)).toBe(`${REPO}:v1`);
    });

    test('StartDeployment redeploys the configured image', async () => {
      const { OperationId } = await client.send(new StartDeploymentCommand({ ServiceArn: arn }));
      expect((await describeService(arn)).Status).toBe('OPERATION_IN_PROGRESS');
      advance(60_000);
      expect((await operations(arn))[0]).toMatchObject({
        Id: OperationId,
        Type: 'START_DEPLOYMENT',
        Status: 'SUCCEEDED',
      });
      expect(apprunner.liveImage(arn)).toBe(`${REPO}:v1`);
    });

    test('finishOperation ends the running operation now', async () => {
      const { OperationId } = await client.send(new StartDeploymentCommand({ ServiceArn: arn }));
      advance(1_000);
      expect(apprunner.finishOperation('web-api')).toMatchObject({
        id: OperationId,
        status: 'SUCCEEDED',
        endedAt: new Date(clock),
      });
      expect((await describeService(arn)).Status).toBe('RUNNING');
    });
  });

  describe('addressing services', () => {
    test('unknown, malformed and other-region ARNs', async () => {
      const seeded = apprunner.addService({ name: 'web-api', image: `${REPO}:v1` });
      const missing = seeded.arn.replace(/[0-9a-f]{32}$/, '0'.repeat(32));
      const notFound = await rejectionOf(
        client.send(new DescribeServiceCommand({ ServiceArn: missing })),
      );
      expect(notFound.name).toBe('ResourceNotFoundException');
      expect(notFound.message).toContain(missing);

      const malformed = await rejectionOf(
        client.send(new DescribeServiceCommand({ ServiceArn: 'api' })),
      );
      expect(malformed.name).toBe('InvalidRequestException');
      expect(malformed.message).toContain("Value 'api' at 'serviceArn' failed to satisfy");

      const elsewhere = appRunnerClient(sim, 'eu-west-1');
      const otherRegion = await rejectionOf(
        elsewhere.send(new DescribeServiceCommand({ ServiceArn: seeded.arn })),
      );
      elsewhere.destroy();
      expect(otherRegion.name).toBe('ResourceNotFoundException');
    });
  });

  describe('listing', () => {
    test('ListServices pages with MaxResults and NextToken, and survives empty pages', async () => {
      for (const name of ['svc-a', 'svc-b', 'svc-c', 'svc-d', 'svc-e']) {
        apprunner.addService({ name, image: `${REPO}:v1` });
      }
      apprunner.addService({ name: 'svc-eu', image: `${REPO}:v1`, region: 'eu-west-1' });
      const first = await client.send(new ListServicesCommand({ MaxResults: 2 }));
      expect(first.ServiceSummaryList!.map((s) => s.ServiceName)).toEqual(['svc-a', 'svc-b']);
      expect(first.NextToken).toBeTruthy();
      expect(first.ServiceSummaryList![0]).toEqual({
        ServiceName: 'svc-a',
        ServiceId: expect.stringMatching(/^[0-9a-f]{32}$/),
        ServiceArn: expect.stringMatching(/:service\/svc-a\/[0-9a-f]{32}$/),
        ServiceUrl: expect.stringMatching(/\.us-east-1\.awsapprunner\.com$/),
        CreatedAt: expect.any(Date),
        UpdatedAt: expect.any(Date),
        Status: 'RUNNING',
      });

      apprunner.emptyPages(2, 'ListServices');
      const pages = [];
      for await (const page of paginateListServices({ client, pageSize: 2 }, {})) pages.push(page);
      expect(pages.map((p) => p.ServiceSummaryList!.length)).toEqual([0, 0, 2, 2, 1]);
      expect(pages.flatMap((p) => p.ServiceSummaryList!.map((s) => s.ServiceName))).toEqual([
        'svc-a',
        'svc-b',
        'svc-c',
        'svc-d',
        'svc-e',
      ]);
      expect(pages[0]!.NextToken).toBeTruthy();

      const all = await client.send(new ListServicesCommand({}));
      expect(all.ServiceSummaryList).toHaveLength(5);
      expect(all.NextToken).toBeUndefined();
    });

    test('ListOperations: newest first, paged, with empty pages', async () => {
      const arn = apprunner.addService({ name: 'web-api', image: `${REPO}:v1` }).arn;
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) {
        ids.unshift(
          (await client.send(new StartDeploymentCommand({ ServiceArn: arn }))).OperationId!,
        );
        advance(60_000);
      }
      apprunner.emptyPages(1);
      const seen: OperationSummary[] = [];
      let calls = 0;
      for await (const page of paginateListOperations(
        { client, pageSize: 2 },
        { ServiceArn: arn },
      )) {
        calls++;
        seen.push(...(page.OperationSummaryList ?? []));
      }
      expect(calls).toBe(4);
      expect(seen.map((o) => o.Type)).toEqual([
        'START_DEPLOYMENT',
        'START_DEPLOYMENT',
        'START_DEPLOYMENT',
        'START_DEPLOYMENT',
        'CREATE_SERVICE',
      ]);
      expect(seen.slice(0, 4).map((o) => o.Id)).toEqual(ids);
      const started = seen.map((o) => o.StartedAt!.getTime());
      expect([...started].sort((a, b) => b - a)).toEqual(started);
    });

    test('MaxResults outside 1..20 and foreign NextTokens are refused', async () => {
      const arn = apprunner.addService({ name: 'web-api', image: `${REPO}:v1` }).arn;
      const tooMany = await rejectionOf(client.send(new ListServicesCommand({ MaxResults: 21 })));
      expect(tooMany.name).toBe('InvalidRequestException');
      expect(tooMany.message).toContain("at 'maxResults'");
      const { NextToken } = await (async () => {
        apprunner.emptyPages(1, 'ListServices');
        return client.send(new ListServicesCommand({}));
      })();
      const wrongList = await rejectionOf(
        client.send(new ListOperationsCommand({ ServiceArn: arn, NextToken })),
      );
      expect(wrongList.name).toBe('InvalidRequestException');
    });
  });

  describe('pause, resume, delete, tags', () => {
    test('the life cycle of a service', async () => {
      const arn = apprunner.addService({ name: 'web-api', image: `${REPO}:v1` }).arn;
      const pause = await client.send(new PauseServiceCommand({ ServiceArn: arn }));
      expect(pause.Service!.Status).toBe('OPERATION_IN_PROGRESS');
      advance(60_000);
      expect((await describeService(arn)).Status).toBe('PAUSED');
      const deploy = await rejectionOf(
        client.send(new StartDeploymentCommand({ ServiceArn: arn })),
      );
      expect(deploy.name).toBe('InvalidStateException');

      await client.send(new ResumeServiceCommand({ ServiceArn: arn }));
      advance(60_000);
      expect((await describeService(arn)).Status).toBe('RUNNING');
      const resumeAgain = await rejectionOf(
        client.send(new ResumeServiceCommand({ ServiceArn: arn })),
      );
      expect(resumeAgain.message).toBe('Service cannot be resumed in the current state: RUNNING.');

      const deleted = await client.send(new DeleteServiceCommand({ ServiceArn: arn }));
      expect(deleted.OperationId).toBeTruthy();
      advance(60_000);
      const gone = await describeService(arn);
      expect(gone.Status).toBe('DELETED');
      expect(gone.DeletedAt).toEqual(new Date(clock));
      expect((await client.send(new ListServicesCommand({}))).ServiceSummaryList).toEqual([]);
      expect((await operations(arn)).map((o) => `${o.Type}:${o.Status}`)).toEqual([
        'DELETE_SERVICE:SUCCEEDED',
        'RESUME_SERVICE:SUCCEEDED',
        'PAUSE_SERVICE:SUCCEEDED',
        'CREATE_SERVICE:SUCCEEDED',
      ]);
      // The name is free again.
      const again = await client.send(new CreateServiceCommand(createInput()));
      expect(again.Service!.ServiceArn).not.toBe(arn);
    });

    test('tags', async () => {
      const arn = apprunner.addService({
        name: 'web-api',
        image: `${REPO}:v1`,
        tags: { a: '1' },
      }).arn;
      await client.send(
        new TagResourceCommand({
          ResourceArn: arn,
          Tags: [
            { Key: 'b', Value: '2' },
            { Key: 'a', Value: '3' },
          ],
        }),
      );
      await client.send(new UntagResourceCommand({ ResourceArn: arn, TagKeys: ['b'] }));
      const { Tags } = await client.send(new ListTagsForResourceCommand({ ResourceArn: arn }));
      expect(Tags).toEqual([{ Key: 'a', Value: '3' }]);
      const reserved = await rejectionOf(
        client.send(
          new TagResourceCommand({ ResourceArn: arn, Tags: [{ Key: 'aws:x', Value: '' }] }),
        ),
      );
      expect(reserved.name).toBe('InvalidRequestException');
    });
  });

  describe('control API', () => {
    test('addService seeds paused, failed and busy services', () => {
      expect(
        apprunner.addService({ name: 'paused', image: `${REPO}:v1`, status: 'PAUSED' }).status,
      ).toBe('PAUSED');
      const failed = apprunner.addService({
        name: 'broken',
        image: `${REPO}:v1`,
        status: 'CREATE_FAILED',
      });
      expect(failed.status).toBe('CREATE_FAILED');
      expect(failed.live).toBeUndefined();
      expect(apprunner.operationsOf('broken')[0]).toMatchObject({
        type: 'CREATE_SERVICE',
        status: 'FAILED',
      });
      const busy = apprunner.addService({
        name: 'busy',
        image: `${REPO}:v1`,
        status: 'OPERATION_IN_PROGRESS',
      });
      expect(busy.status).toBe('OPERATION_IN_PROGRESS');
      expect(apprunner.operationsOf('busy')[0]).toMatchObject({
        type: 'UPDATE_SERVICE',
        status: 'IN_PROGRESS',
        foreign: true,
      });
    });

    test('foreign operations do not consume the script', async () => {
      const arn = apprunner.addService({ name: 'web-api', image: `${REPO}:v1` }).arn;
      apprunner.script('web-api', ['health-check-fails']);
      apprunner.startOperation('web-api', 'START_DEPLOYMENT', { durationMs: 1_000 });
      advance(1_000);
      expect(apprunner.service('web-api').status).toBe('RUNNING');
      await client.send(new StartDeploymentCommand({ ServiceArn: arn }));
      advance(90_000);
      expect((await operations(arn))[0]!.Status).toBe('ROLLBACK_SUCCEEDED');
    });

    test('timing per service and PENDING phases', async () => {
      const arn = apprunner.addService({ name: 'web-api', image: `${REPO}:v1` }).arn;
      apprunner.setOperationTiming({ pendingMs: 5_000, durationMs: 10_000 }, 'web-api');
      await client.send(new StartDeploymentCommand({ ServiceArn: arn }));
      expect((await operations(arn))[0]!.Status).toBe('PENDING');
      advance(5_000);
      expect((await operations(arn))[0]!.Status).toBe('IN_PROGRESS');
      advance(10_000);
      expect((await operations(arn))[0]!.Status).toBe('SUCCEEDED');
    });
  });

  test('throttling from the fault injector is retried by the SDK', async () => {
    const arn = apprunner.addService({ name: 'web-api', image: `${REPO}:v1` }).arn;
    sim.faults.add({
      service: 'apprunner',
      operation: 'DescribeService',
      kind: 'throttle',
      count: 2,
    });
    const response = await client.send(new DescribeServiceCommand({ ServiceArn: arn }));
    expect(response.$metadata.attempts).toBe(3);

    sim.faults.add({ service: 'apprunner', kind: 'throttle' });
    const noRetry = appRunnerClient(sim, REGION, { maxAttempts: 1 });
    const error = await rejectionOf(noRetry.send(new ListServicesCommand({})));
    noRetry.destroy();
    expect(error.name).toBe('ThrottlingException');
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect(sim.requestLog.at(-1)).toMatchObject({
      service: 'apprunner',
      operation: 'ListServices',
      errorCode: 'ThrottlingException',
      fault: 'throttle',
    });
  });
});

test('on the real clock, an operation ends after its duration', async () => {
  const sim = await startAwsSimulator();
  sim.addCredentials(USER);
  const apprunner = createAppRunnerService({ operationDurationMs: 50 });
  sim.register(apprunner);
  const client = appRunnerClient(sim);
  try {
    const arn = apprunner.addService({ name: 'web-api', image: `${REPO}:v1` }).arn;
    const { OperationId } = await client.send(new StartDeploymentCommand({ ServiceArn: arn }));
    const deadline = Date.now() + 10_000;
    let status: string | undefined;
    while (Date.now() < deadline) {
      const { OperationSummaryList } = await client.send(
        new ListOperationsCommand({ ServiceArn: arn, MaxResults: 1 }),
      );
      status = OperationSummaryList?.[0]?.Status;
      if (status === 'SUCCEEDED') break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(status).toBe('SUCCEEDED');
    const [operation] = apprunner.operationsOf('web-api');
    expect(operation!.id).toBe(OperationId);
    expect(operation!.endedAt!.getTime() - operation!.startedAt.getTime()).toBe(50);
  } finally {
    client.destroy();
    await sim.close();
  }
});

function appRunnerClient(
  sim: AwsSimulator,
  region = REGION,
  config: { maxAttempts?: number } = {},
): AppRunnerClient {
  return new AppRunnerClient({
    endpoint: sim.url,
    region,
    credentials: { accessKeyId: USER.accessKeyId, secretAccessKey: USER.secretAccessKey },
    ...config,
  });
}
