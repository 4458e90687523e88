/**
 * Requests the real services refuse on their face — a required member missing,
 * a value outside an enum, a length, range or pattern the service model states,
 * a JSON value of the wrong type — are refused by the simulator from the same
 * models (tools/aws-sim/model), before any handler runs, with each service's
 * error code and AWS's wording.
 */
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  GetLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { CloudFrontClient, CreateInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { ECSClient, RunTaskCommand } from '@aws-sdk/client-ecs';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { checkRequest } from '../../../tools/aws-sim/model/check-request.js';
import { compilePattern, serviceModel } from '../../../tools/aws-sim/model/validate.js';
import { createAppRunnerService } from '../../../tools/aws-sim/services/apprunner.js';
import { createCloudFrontService } from '../../../tools/aws-sim/services/cloudfront.js';
import { createEcsService } from '../../../tools/aws-sim/services/ecs.js';
import { createLogsService } from '../../../tools/aws-sim/services/logs.js';
import { createSecretsManagerService } from '../../../tools/aws-sim/services/secrets-manager.js';
import { createSts } from '../../../tools/aws-sim/services/sts.js';
import { rejectionOf, startScenario, type AssumedCredentials, type Scenario } from './helpers.js';

describe('the models', () => {
  const modules = () => {
    return [
      createAppRunnerService(),
      createCloudFrontService(),
      createEcsService({ logs: createLogsService() }),
      createLogsService(),
      createSecretsManagerService(),
      createSts().module,
    ];
  };

  test.each(['apprunner', 'cloudfront', 'ecr', 'ecs', 'logs', 'secretsmanager', 'sts'])(
    '%s ships a model, and every pattern in it is enforced',
    (name) => {
      const model = serviceModel(name)!;
      expect(model.source).toMatch(/^botocore .*service-2\.json$/);
      const unreadable = Object.values(model.shapes)
        .map((shape) => shape.pattern)
        .filter((pattern): pattern is string => pattern !== undefined)
        .filter((pattern) => compilePattern(pattern) === null);
      expect(unreadable).toEqual([]);
    },
  );

  test('every simulated operation is in its service model, so every request is checked', () => {
    for (const module of modules()) {
      const model = serviceModel(module.name)!;
      const missing = Object.keys(module.operations).filter((op) => !model.operations[op]);
      expect({ service: module.name, missing }).toEqual({ service: module.name, missing: [] });
    }
  });

  test("CloudFront's routes are the model's request URIs", () => {
    const cloudfront = createCloudFrontService();
    const model = serviceModel('cloudfront')!;
    for (const route of cloudfront.routes) {
      expect(route.path).toBe(model.operations[route.operation]!.requestUri);
    }
  });
});

describe('each service answers in its own words', () => {
  test.each<[string, string, unknown, string, string]>([
    [
      'logs',
      'GetLogEvents',
      { logGroupName: '/ecs/app', limit: 0 },
      'InvalidParameterException',
      "2 validation errors detected: Value null at 'logStreamName' failed to satisfy constraint: Member must not be null; Value 0 at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1",
    ],
    [
      'logs',
      'CreateLogGroup',
      { logGroupName: 'app:latest' },
      'InvalidParameterException',
      "1 validation error detected: Value 'app:latest' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+",
    ],
    [
      'ecr',
      'CreateRepository',
      { repositoryName: 'Web/App' },
      'InvalidParameterException',
      "Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy regular expression pattern: [a-z0-9]",
    ],
    [
      'ecr',
      'CreateRepository',
      { repositoryName: 'web', imageTagMutability: 'SOMETIMES' },
      'InvalidParameterException',
      "Invalid parameter at 'imageTagMutability' failed to satisfy constraint: 'must satisfy enum value set:",
    ],
    [
      'ecs',
      'RunTask',
      { taskDefinition: 'app', launchType: 'LAMBDA' },
      'ClientException',
      "1 validation error detected: Value 'LAMBDA' at 'launchType' failed to satisfy constraint: Member must satisfy enum value set: [EC2, FARGATE, EXTERNAL",
    ],
    [
      'apprunner',
      'CreateService',
      {
        ServiceName: 'a b',
        SourceConfiguration: {},
      },
      'InvalidRequestException',
      "Value 'a b' at 'serviceName' failed to satisfy constraint: Member must have length greater than or equal to 4",
    ],
    [
      'secretsmanager',
      'GetSecretValue',
      {},
      'ValidationException',
      "1 validation error detected: Value null at 'secretId' failed to satisfy constraint: Member must not be null",
    ],
  ])('%s %s %j is %s', (service, operation, body, code, message) => {
    const error = checkRequest(service, operation, { protocol: 'json', body });
    expect(error?.code).toBe(code);
    expect(error?.httpStatus).toBe(400);
    expect(error?.message.startsWith(message) || error?.message.includes(message)).toBe(true);
  });

  test('a request the model allows passes, and so does an operation the model lacks', () => {
    const ok = { logGroupName: '/ecs/app', logStreamName: 'ecs/app/1', startFromHead: true };
    expect(checkRequest('logs', 'GetLogEvents', { protocol: 'json', body: ok })).toBeUndefined();
    expect(checkRequest('logs', 'NoSuchOperation', { protocol: 'json', body: {} })).toBeUndefined();
    expect(checkRequest('unknown', 'GetLogEvents', { protocol: 'json', body: {} })).toBeUndefined();
  });

  test('nested members are named by their path, list items by their position', () => {
    const error = checkRequest('ecs', 'RunTask', {
      protocol: 'json',
      body: {
        taskDefinition: 'app',
        overrides: { containerOverrides: [{ name: 'app' }, { name: 'db', cpu: 'lots' }] },
      },
    });
    expect(error?.code).toBe('SerializationException');
    expect(error?.message).toContain("'overrides.containerOverrides.2.member.cpu'");
  });

  test('Query parameters are read by the model: flattened lists and numbers', () => {
    const error = checkRequest('sts', 'AssumeRoleWithWebIdentity', {
      protocol: 'query',
      params: {
        RoleArn: 'arn:aws:iam::123456789012:role/deploy',
        RoleSessionName: 'has space',
        WebIdentityToken: 'x'.repeat(10),
        DurationSeconds: '900',
        'PolicyArns.member.1.arn': 'short',
      },
    });
    expect(error?.code).toBe('ValidationError');
    expect(error?.message).toBe(
      "2 validation errors detected: Value 'has space' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*; Value 'short' at 'policyArns.1.member.arn' failed to satisfy constraint: Member must have length greater than or equal to 20",
    );
  });
});

describe('through the SDK clients, over the wire', () => {
  let scenario: Scenario;
  let credentials: AssumedCredentials;
  const config = () => ({
    endpoint: scenario.sim.url,
    region: 'us-east-1',
    credentials,
    maxAttempts: 1,
  });

  beforeAll(async () => {
    scenario = await startScenario();
    scenario.sim.register(createLogsService());
    scenario.sim.register(createSecretsManagerService());
    scenario.sim.register(createEcsService({ logs: createLogsService() }));
    scenario.sim.register(createCloudFrontService());
    credentials = await scenario.assumeRole();
  });

  afterAll(async () => {
    await scenario.close();
  });

  test('Logs: InvalidParameterException before the handler looks for the group', async () => {
    const logs = new CloudWatchLogsClient(config());
    const error = await rejectionOf(
      logs.send(new GetLogEventsCommand({ logGroupName: 'no such group', logStreamName: 's' })),
    );
    logs.destroy();
    expect(error.name).toBe('InvalidParameterException');
    expect(error.message).toMatch(
      /^1 validation error detected: Value 'no such group' at 'logGroupName'/,
    );
    expect(scenario.sim.requestLog.at(-1)).toMatchObject({
      operation: 'GetLogEvents',
      status: 400,
      errorCode: 'InvalidParameterException',
    });
  });

  test('Logs: a valid request still reaches the handler', async () => {
    const logs = new CloudWatchLogsClient(config());
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/ecs/valid' }));
    logs.destroy();
  });

  test('Secrets Manager: ValidationException for an empty SecretId', async () => {
    const client = new SecretsManagerClient(config());
    const error = await rejectionOf(client.send(new GetSecretValueCommand({ SecretId: '' })));
    client.destroy();
    expect(error.name).toBe('ValidationException');
    expect(error.message).toContain('Member must have length greater than or equal to 1');
  });

  test('ECS: a count of the wrong JSON type cannot be deserialized', async () => {
    const ecs = new ECSClient(config());
    const error = await rejectionOf(
      ecs.send(new RunTaskCommand({ taskDefinition: 'app', count: '1' as never })),
    );
    ecs.destroy();
    expect(error.name).toBe('SerializationException');
  });

  test('CloudFront: a batch without CallerReference is an InvalidArgument', async () => {
    const cloudfront = new CloudFrontClient(config());
    const error = await rejectionOf(
      cloudfront.send(
        new CreateInvalidationCommand({
          DistributionId: 'E2QWRUHAPOMQZL',
          InvalidationBatch: { Paths: { Quantity: 1, Items: ['/index.html'] } } as never,
        }),
      ),
    );
    cloudfront.destroy();
    expect(error.name).toBe('InvalidArgument');
    expect(error.message).toBe(
      "1 validation error detected: Value null at 'invalidationBatch.callerReference' failed to satisfy constraint: Member must not be null",
    );
  });
});
