// The simulator's App Runner UpdateService and StartDeployment through the real SDK client:
// operations that take time, fail and roll back.
import {
  DeleteServiceCommand,
  PauseServiceCommand,
  StartDeploymentCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-apprunner';
import { rejectionOf } from './helpers.js';
import {
  REPO,
  ACCESS_ROLE,
  INSTANCE_ROLE,
  VPC_CONNECTOR,
  SECRET,
  apprunner,
  client,
  clock,
  advance,
  useAppRunnerSimulator,
  operations,
  describeService,
} from './apprunner-fixtures.js';

describe('App Runner in the AWS simulator, through @aws-sdk/client-apprunner', () => {
  useAppRunnerSimulator();

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
});
