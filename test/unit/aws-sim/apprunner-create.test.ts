// The simulator's App Runner CreateService through the real SDK client: options normalised as
// DescribeService answers them, defaults, validation, and the create operation's phases.
import {
  CreateServiceCommand,
  ListTagsForResourceCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-apprunner';
import { appRunnerCalls } from '../../../tools/aws-sim/services/apprunner.js';
import { rejectionOf } from './helpers.js';
import {
  REGION,
  ACCOUNT,
  REPO,
  ACCESS_ROLE,
  INSTANCE_ROLE,
  VPC_CONNECTOR,
  SECRET,
  DIGEST,
  sim,
  apprunner,
  client,
  clock,
  advance,
  useAppRunnerSimulator,
  createInput,
  operations,
  describeService,
} from './apprunner-fixtures.js';

describe('App Runner in the AWS simulator, through @aws-sdk/client-apprunner', () => {
  useAppRunnerSimulator();

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
});
