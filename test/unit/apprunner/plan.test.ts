// What the engine sends App Runner, decided without calling it: the
// CreateService request, and the UpdateService request that changes only what
// the inputs name while sending every block it sends complete (App Runner
// replaces a block it is given).
import type { Service } from '@aws-sdk/client-apprunner';
import { UserError } from '@deploy-actions/action-kit/engine';
import {
  applyVariables,
  createServiceRequest,
  emptySettings,
  parseImageReference,
  planUpdate,
  type ServiceSettings,
} from '@deploy-actions/apprunner';

const ACCOUNT = '123456789012';
const ECR = `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com`;
const ARN = `arn:aws:apprunner:us-east-1:${ACCOUNT}:service/web-api/0123456789abcdef0123456789abcdef`;
const ACCESS_ROLE = `arn:aws:iam::${ACCOUNT}:role/service-role/AppRunnerECRAccessRole`;
const INSTANCE_ROLE = `arn:aws:iam::${ACCOUNT}:role/api-runtime`;
const SECRET = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:db-AbCdEf`;
const AUTO_SCALING = `arn:aws:apprunner:us-east-1:${ACCOUNT}:autoscalingconfiguration/high-availability/3/11111111111111111111111111111111`;
const VPC_CONNECTOR = `arn:aws:apprunner:us-east-1:${ACCOUNT}:vpcconnector/private/1/22222222222222222222222222222222`;

const image = (ref: string) => parseImageReference('image', ref);
const V1 = image(`${ECR}/api:v1`);
const V2 = image(`${ECR}/api:v2`);
const settings = (overrides: Partial<ServiceSettings> = {}): ServiceSettings => ({
  ...emptySettings(),
  ...overrides,
});

/** A service as DescribeService answers it: every block filled, cpu/memory in units. */
function liveService(): Service {
  return {
    ServiceName: 'web-api',
    ServiceId: '0123456789abcdef0123456789abcdef',
    ServiceArn: ARN,
    ServiceUrl: 'abcdefghij.us-east-1.awsapprunner.com',
    CreatedAt: new Date(0),
    UpdatedAt: new Date(0),
    Status: 'RUNNING',
    SourceConfiguration: {
      ImageRepository: {
        ImageIdentifier: V1.identifier,
        ImageRepositoryType: 'ECR',
        ImageConfiguration: {
          Port: '3000',
          StartCommand: 'node server.js',
          RuntimeEnvironmentVariables: { NODE_ENV: 'production', LOG_LEVEL: 'info' },
          RuntimeEnvironmentSecrets: { DATABASE_URL: SECRET },
        },
      },
      AutoDeploymentsEnabled: false,
      AuthenticationConfiguration: { AccessRoleArn: ACCESS_ROLE },
    },
    InstanceConfiguration: { Cpu: '1024', Memory: '3072', InstanceRoleArn: INSTANCE_ROLE },
    HealthCheckConfiguration: {
      Protocol: 'HTTP',
      Path: '/health',
      Interval: 10,
      Timeout: 5,
      HealthyThreshold: 2,
      UnhealthyThreshold: 3,
    },
    AutoScalingConfigurationSummary: { AutoScalingConfigurationArn: AUTO_SCALING },
    NetworkConfiguration: {
      EgressConfiguration: { EgressType: 'DEFAULT' },
      IngressConfiguration: { IsPubliclyAccessible: true },
      IpAddressType: 'IPV4',
    },
  };
}

describe('planUpdate', () => {
  test('a new image sends the whole source block with the live port, command, env, secrets, role', () => {
    const plan = planUpdate(liveService(), V2, settings());
    expect(plan.request).toEqual({
      ServiceArn: ARN,
      SourceConfiguration: {
        ImageRepository: {
          ImageIdentifier: V2.identifier,
          ImageRepositoryType: 'ECR',
          ImageConfiguration: {
            Port: '3000',
            StartCommand: 'node server.js',
            RuntimeEnvironmentVariables: { NODE_ENV: 'production', LOG_LEVEL: 'info' },
            RuntimeEnvironmentSecrets: { DATABASE_URL: SECRET },
          },
        },
        AutoDeploymentsEnabled: false,
        AuthenticationConfiguration: { AccessRoleArn: ACCESS_ROLE },
      },
    });
    expect(plan.changes).toEqual(['image api:v1 → api:v2']);
  });

  test('nothing named and the same image: no request (App Runner refuses an empty update)', () => {
    expect(planUpdate(liveService(), V1, settings())).toEqual({ request: undefined, changes: [] });
  });

  test('named settings equal to the live ones are no change, whatever their spelling', () => {
    const plan = planUpdate(
      liveService(),
      V1,
      settings({
        env: new Map([['NODE_ENV', 'production']]),
        secrets: new Map([['DATABASE_URL', SECRET]]),
        port: 3000,
        cpuUnits: 1024,
        memoryMb: 3072,
        instanceRoleArn: INSTANCE_ROLE,
        accessRoleArn: ACCESS_ROLE,
        healthCheck: { protocol: 'HTTP', path: '/health', intervalSeconds: 10 },
        // Without a revision: any revision of that name is the same.
        autoScalingConfigurationArn: AUTO_SCALING.replace(/\/3\/\w+$/, ''),
        autoDeployments: false,
      }),
    );
    expect(plan).toEqual({ request: undefined, changes: [] });
  });

  test('env and secrets merge: given names are set, the others kept; change lines name, never show, values', () => {
    const plan = planUpdate(
      liveService(),
      V1,
      settings({
        env: new Map([
          ['LOG_LEVEL', 'debug'],
          ['FEATURE_X', 'on'],
        ]),
        secrets: new Map([['API_TOKEN', `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/api/token`]]),
      }),
    );
    const configuration = plan.request?.SourceConfiguration?.ImageRepository?.ImageConfiguration;
    expect(configuration?.RuntimeEnvironmentVariables).toEqual({
      NODE_ENV: 'production',
      LOG_LEVEL: 'debug',
      FEATURE_X: 'on',
    });
    expect(configuration?.RuntimeEnvironmentSecrets).toEqual({
      DATABASE_URL: SECRET,
      API_TOKEN: `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/api/token`,
    });
    expect(configuration?.Port).toBe('3000');
    expect(plan.changes).toEqual(['env: set LOG_LEVEL, FEATURE_X', 'secrets: set API_TOKEN']);
    expect(plan.changes.join('\n')).not.toMatch(/debug|parameter/);
    expect(plan.request?.InstanceConfiguration).toBeUndefined();
  });

  test('env-mode replace: env and secrets become exactly the given ones', () => {
    const plan = planUpdate(
      liveService(),
      V1,
      settings({ envMode: 'replace', env: new Map([['NODE_ENV', 'staging']]) }),
    );
    const configuration = plan.request?.SourceConfiguration?.ImageRepository?.ImageConfiguration;
    expect(configuration?.RuntimeEnvironmentVariables).toEqual({ NODE_ENV: 'staging' });
    expect(configuration).not.toHaveProperty('RuntimeEnvironmentSecrets');
    expect(configuration?.StartCommand).toBe('node server.js');
    expect(plan.changes).toEqual([
      'env: set NODE_ENV',
      'env: removed LOG_LEVEL',
      'secrets: removed DATABASE_URL',
    ]);
  });

  test('cpu alone keeps the live memory and instance role', () => {
    const plan = planUpdate(liveService(), V1, settings({ cpuUnits: 2048, memoryMb: 4096 }));
    expect(plan.request).toEqual({
      ServiceArn: ARN,
      InstanceConfiguration: { Cpu: '2 vCPU', Memory: '4 GB', InstanceRoleArn: INSTANCE_ROLE },
    });
    expect(plan.changes).toEqual(['cpu 1 vCPU → 2 vCPU', 'memory 3 GB → 4 GB']);
    const roleOnly = planUpdate(liveService(), V1, settings({ instanceRoleArn: ACCESS_ROLE }));
    expect(roleOnly.request?.InstanceConfiguration).toEqual({
      Cpu: '1 vCPU',
      Memory: '3 GB',
      InstanceRoleArn: ACCESS_ROLE,
    });
  });

  test('a cpu the live memory does not allow is refused before any call, naming both', () => {
    expect(() => planUpdate(liveService(), V1, settings({ cpuUnits: 4096 }))).toThrow(UserError);
    expect(() => planUpdate(liveService(), V1, settings({ cpuUnits: 4096 }))).toThrow(
      'App Runner does not offer 4 vCPU with 3 GB (cpu with the live memory).',
    );
  });

  test('a health check path keeps the other live members and asks for HTTP', () => {
    const live = liveService();
    live.HealthCheckConfiguration = { ...live.HealthCheckConfiguration, Protocol: 'TCP' };
    const plan = planUpdate(live, V1, settings({ healthCheck: { path: '/ready' } }));
    expect(plan.request).toEqual({
      ServiceArn: ARN,
      HealthCheckConfiguration: {
        Protocol: 'HTTP',
        Path: '/ready',
        Interval: 10,
        Timeout: 5,
        HealthyThreshold: 2,
        UnhealthyThreshold: 3,
      },
    });
    expect(plan.changes).toEqual([
      'health check protocol TCP → HTTP',
      'health check path /health → /ready',
    ]);
  });

  test('a service that reports no health check is compared with App Runner defaults', () => {
    const live = liveService();
    delete live.HealthCheckConfiguration;
    const plan = planUpdate(live, V1, settings({ healthCheck: { unhealthyThreshold: 5 } }));
    expect(plan).toEqual({ request: undefined, changes: [] });
  });

  test('a VPC connector changes egress and keeps ingress and the address type', () => {
    const plan = planUpdate(liveService(), V1, settings({ vpcConnectorArn: VPC_CONNECTOR }));
    expect(plan.request).toEqual({
      ServiceArn: ARN,
      NetworkConfiguration: {
        EgressConfiguration: { EgressType: 'VPC', VpcConnectorArn: VPC_CONNECTOR },
        IngressConfiguration: { IsPubliclyAccessible: true },
        IpAddressType: 'IPV4',
      },
    });
    expect(plan.changes).toEqual(['egress public internet (DEFAULT) → VPC connector private/1']);
  });

  test('another auto scaling configuration is sent alone', () => {
    const other = `arn:aws:apprunner:us-east-1:${ACCOUNT}:autoscalingconfiguration/burst/1`;
    const plan = planUpdate(liveService(), V1, settings({ autoScalingConfigurationArn: other }));
    expect(plan.request).toEqual({ ServiceArn: ARN, AutoScalingConfigurationArn: other });
    expect(plan.changes).toEqual(['auto scaling high-availability/3 → burst/1']);
  });

  test('port, access role and automatic deployments live in the source block', () => {
    const role = `arn:aws:iam::${ACCOUNT}:role/other-access`;
    const plan = planUpdate(
      liveService(),
      V1,
      settings({ port: 8080, accessRoleArn: role, autoDeployments: true }),
    );
    expect(plan.request?.SourceConfiguration).toMatchObject({
      ImageRepository: { ImageIdentifier: V1.identifier, ImageConfiguration: { Port: '8080' } },
      AutoDeploymentsEnabled: true,
      AuthenticationConfiguration: { AccessRoleArn: role },
    });
    expect(plan.changes).toEqual([
      'port 3000 → 8080',
      `access role → ${role}`,
      'automatic deployments off → on',
    ]);
  });

  test('moving a service from ECR Public to private ECR needs an access role', () => {
    const live = liveService();
    live.SourceConfiguration = {
      ImageRepository: {
        ImageIdentifier: 'public.ecr.aws/nginx/nginx:1',
        ImageRepositoryType: 'ECR_PUBLIC',
      },
      AutoDeploymentsEnabled: false,
    };
    expect(() => planUpdate(live, V2, settings())).toThrow(
      'web-api has no ECR access role, which App Runner needs to pull api:v2 from private ECR.',
    );
    const plan = planUpdate(live, V2, settings({ accessRoleArn: ACCESS_ROLE }));
    expect(plan.request?.SourceConfiguration?.AuthenticationConfiguration).toEqual({
      AccessRoleArn: ACCESS_ROLE,
    });
  });

  test('several blocks at once: each sent, the others not', () => {
    const plan = planUpdate(liveService(), V2, settings({ memoryMb: 4096 }));
    expect(Object.keys(plan.request ?? {}).sort()).toEqual([
      'InstanceConfiguration',
      'ServiceArn',
      'SourceConfiguration',
    ]);
  });
});

describe('applyVariables', () => {
  test.each([
    ['merge adds', 'merge', { A: '1' }, [['B', '2']], { A: '1', B: '2' }, ['B'], []],
    ['merge overrides', 'merge', { A: '1' }, [['A', '2']], { A: '2' }, ['A'], []],
    ['merge same value', 'merge', { A: '1' }, [['A', '1']], { A: '1' }, [], []],
    ['merge nothing', 'merge', { A: '1' }, [], { A: '1' }, [], []],
    ['replace', 'replace', { A: '1', B: '2' }, [['B', '3']], { B: '3' }, ['B'], ['A']],
    ['replace from none', 'replace', undefined, [['A', '1']], { A: '1' }, ['A'], []],
  ] as const)('%s', (_, mode, live, given, values, set, removed) => {
    const result = applyVariables(
      live === undefined ? undefined : { ...live },
      new Map(given.map(([k, v]) => [k, v] as [string, string])),
      mode,
    );
    expect(Object.fromEntries(result.values)).toEqual(values);
    expect(result.set).toEqual(set);
    expect(result.removed).toEqual(removed);
  });
});

describe('createServiceRequest', () => {
  test('every option', () => {
    const request = createServiceRequest(
      'web-api',
      V1,
      settings({
        env: new Map([['NODE_ENV', 'production']]),
        secrets: new Map([['DATABASE_URL', SECRET]]),
        port: 3000,
        cpuUnits: 512,
        memoryMb: 1024,
        instanceRoleArn: INSTANCE_ROLE,
        accessRoleArn: ACCESS_ROLE,
        healthCheck: {
          protocol: 'HTTP',
          path: '/health',
          intervalSeconds: 10,
          timeoutSeconds: 4,
          healthyThreshold: 2,
          unhealthyThreshold: 6,
        },
        autoScalingConfigurationArn: AUTO_SCALING,
        vpcConnectorArn: VPC_CONNECTOR,
        autoDeployments: true,
        tags: new Map([
          ['team', 'platform'],
          ['env', 'prod'],
        ]),
      }),
    );
    expect(request).toEqual({
      ServiceName: 'web-api',
      SourceConfiguration: {
        ImageRepository: {
          ImageIdentifier: V1.identifier,
          ImageRepositoryType: 'ECR',
          ImageConfiguration: {
            RuntimeEnvironmentVariables: { NODE_ENV: 'production' },
            RuntimeEnvironmentSecrets: { DATABASE_URL: SECRET },
            Port: '3000',
          },
        },
        AutoDeploymentsEnabled: true,
        AuthenticationConfiguration: { AccessRoleArn: ACCESS_ROLE },
      },
      InstanceConfiguration: { Cpu: '0.5 vCPU', Memory: '1 GB', InstanceRoleArn: INSTANCE_ROLE },
      HealthCheckConfiguration: {
        Protocol: 'HTTP',
        Path: '/health',
        Interval: 10,
        Timeout: 4,
        HealthyThreshold: 2,
        UnhealthyThreshold: 6,
      },
      AutoScalingConfigurationArn: AUTO_SCALING,
      NetworkConfiguration: {
        EgressConfiguration: { EgressType: 'VPC', VpcConnectorArn: VPC_CONNECTOR },
      },
      Tags: [
        { Key: 'team', Value: 'platform' },
        { Key: 'env', Value: 'prod' },
      ],
    });
  });

  test('nothing named: App Runner defaults, automatic deployments off', () => {
    expect(createServiceRequest('web-api', V1, settings({ accessRoleArn: ACCESS_ROLE }))).toEqual({
      ServiceName: 'web-api',
      SourceConfiguration: {
        ImageRepository: { ImageIdentifier: V1.identifier, ImageRepositoryType: 'ECR' },
        AutoDeploymentsEnabled: false,
        AuthenticationConfiguration: { AccessRoleArn: ACCESS_ROLE },
      },
    });
  });

  test('ECR Public: no authentication, no automatic deployments', () => {
    const nginx = image('public.ecr.aws/nginx/nginx:stable');
    expect(createServiceRequest('web-api', nginx, settings()).SourceConfiguration).toEqual({
      ImageRepository: { ImageIdentifier: nginx.identifier, ImageRepositoryType: 'ECR_PUBLIC' },
    });
  });

  test("one of cpu/memory is checked against App Runner's default for the other", () => {
    expect(() => createServiceRequest('web-api', V1, settings({ cpuUnits: 4096 }))).toThrow(
      "App Runner does not offer 4 vCPU with 2 GB (cpu with App Runner's default memory).",
    );
    expect(createServiceRequest('web-api', V1, settings({ memoryMb: 4096 }))).toMatchObject({
      InstanceConfiguration: { Memory: '4 GB' },
    });
  });
});
