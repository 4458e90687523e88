/**
 * Protocol fidelity of the simulator's App Runner (awsJson1_0), checked with
 * the AWS CLI: every operation the module implements, with the errors the
 * deploy action relies on (InvalidStateException while an operation runs,
 * InvalidRequestException for an update that changes nothing or a bad
 * CPU/memory pair, ResourceNotFoundException) and a throttled call the CLI
 * retries.
 *
 * The module runs on a manual clock (state.clock) so that an operation is
 * in progress, or over, exactly when a row expects it: `arrange` advances it.
 * Rows run in order on one service, `cli-api`: created, described, updated,
 * redeployed, paused, resumed, tagged and deleted. Debian's CLI (2.9) has no
 * App Runner paginators, so listing rows pass --max-results/--next-token.
 *
 * @needs awscli
 */
import {
  CLI_REGION,
  CLI_USER,
  describeCliFidelity,
  type CliFixture,
  type CliRow,
} from '../support/aws-cli.js';
import {
  createAppRunnerService,
  type AppRunnerSimulator,
} from '../../tools/aws-sim/services/apprunner.js';

const ACCOUNT = '123456789012';
const REPO = `${ACCOUNT}.dkr.ecr.${CLI_REGION}.amazonaws.com/cli-api`;
const DIGEST = `sha256:${'c0'.repeat(32)}`;
const ACCESS_ROLE = `arn:aws:iam::${ACCOUNT}:role/service-role/AppRunnerECRAccessRole`;
const INSTANCE_ROLE = `arn:aws:iam::${ACCOUNT}:role/cli-api-instance`;
const VPC_CONNECTOR = `arn:aws:apprunner:${CLI_REGION}:${ACCOUNT}:vpcconnector/private/1/0123456789abcdef0123456789abcdef`;
const SECRET = `arn:aws:secretsmanager:${CLI_REGION}:${ACCOUNT}:secret:db-url-AbCdEf`;
/** Operations last a minute of the manual clock. */
const MINUTE = 60_000;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00$/;

interface AppRunnerState {
  apprunner: AppRunnerSimulator;
  clock: { now: number };
  /** Filled in by the create row. */
  arn: string;
  /** The NextToken of the empty ListServices page. */
  nextToken: string;
}

type F = CliFixture<AppRunnerState>;
type Row = CliRow<AppRunnerState>;

const advance = (f: F, ms = MINUTE) => {
  f.state.clock.now += ms;
};

const source = (image: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    ImageRepository: {
      ImageIdentifier: image,
      ImageRepositoryType: 'ECR',
      ImageConfiguration: {
        Port: '3000',
        RuntimeEnvironmentVariables: { NODE_ENV: 'production' },
        RuntimeEnvironmentSecrets: { DATABASE_URL: SECRET },
      },
    },
    AutoDeploymentsEnabled: false,
    AuthenticationConfiguration: { AccessRoleArn: ACCESS_ROLE },
    ...extra,
  });

const rows: Row[] = [
  // --- create ---
  {
    name: 'create-service with every setting the deploy action can send',
    operation: 'apprunner:CreateService',
    args: () => [
      'apprunner',
      'create-service',
      '--service-name',
      'cli-api',
      '--source-configuration',
      source(`${REPO}@${DIGEST}`),
      '--instance-configuration',
      JSON.stringify({ Cpu: '1 vCPU', Memory: '2 GB', InstanceRoleArn: INSTANCE_ROLE }),
      '--health-check-configuration',
      JSON.stringify({
        Protocol: 'HTTP',
        Path: '/health',
        Interval: 10,
        Timeout: 5,
        HealthyThreshold: 2,
        UnhealthyThreshold: 3,
      }),
      '--network-configuration',
      JSON.stringify({
        EgressConfiguration: { EgressType: 'VPC', VpcConnectorArn: VPC_CONNECTOR },
        IngressConfiguration: { IsPubliclyAccessible: true },
      }),
      '--tags',
      'Key=team,Value=web',
    ],
    check: ({ output }, f) => {
      const service = output?.Service as Record<string, unknown>;
      expect(output?.OperationId).toMatch(/^[0-9a-f-]{36}$/);
      expect(service).toEqual({
        ServiceName: 'cli-api',
        ServiceId: expect.stringMatching(/^[0-9a-f]{32}$/),
        ServiceArn: `arn:aws:apprunner:${CLI_REGION}:${ACCOUNT}:service/cli-api/${String(service.ServiceId)}`,
        ServiceUrl: expect.stringMatching(/^[a-z0-9]{10}\.us-east-1\.awsapprunner\.com$/),
        CreatedAt: expect.stringMatching(ISO),
        UpdatedAt: expect.stringMatching(ISO),
        Status: 'OPERATION_IN_PROGRESS',
        SourceConfiguration: {
          ImageRepository: {
            ImageIdentifier: `${REPO}@${DIGEST}`,
            ImageRepositoryType: 'ECR',
            ImageConfiguration: {
              Port: '3000',
              RuntimeEnvironmentVariables: { NODE_ENV: 'production' },
              RuntimeEnvironmentSecrets: { DATABASE_URL: SECRET },
            },
          },
          AutoDeploymentsEnabled: false,
          AuthenticationConfiguration: { AccessRoleArn: ACCESS_ROLE },
        },
        InstanceConfiguration: { Cpu: '1024', Memory: '2048', InstanceRoleArn: INSTANCE_ROLE },
        HealthCheckConfiguration: {
          Protocol: 'HTTP',
          Path: '/health',
          Interval: 10,
          Timeout: 5,
          HealthyThreshold: 2,
          UnhealthyThreshold: 3,
        },
        AutoScalingConfigurationSummary: {
          AutoScalingConfigurationArn: `arn:aws:apprunner:${CLI_REGION}:${ACCOUNT}:autoscalingconfiguration/DefaultConfiguration/1/00000000000000000000000000000001`,
          AutoScalingConfigurationName: 'DefaultConfiguration',
          AutoScalingConfigurationRevision: 1,
          // Fields newer than Debian's CLI model (Status, CreatedAt, …) are dropped by the CLI.
          ...pick(service.AutoScalingConfigurationSummary, [
            'Status',
            'CreatedAt',
            'HasAssociatedService',
            'IsDefault',
          ]),
        },
        NetworkConfiguration: {
          EgressConfiguration: { EgressType: 'VPC', VpcConnectorArn: VPC_CONNECTOR },
          IngressConfiguration: { IsPubliclyAccessible: true },
          ...pick(service.NetworkConfiguration, ['IpAddressType']),
        },
      });
      f.state.arn = String(service.ServiceArn);
    },
  },
  {
    name: 'create-service: the name is taken',
    operation: 'apprunner:CreateService',
    args: () => [
      'apprunner',
      'create-service',
      '--service-name',
      'cli-api',
      '--source-configuration',
      source(`${REPO}:v1`),
    ],
    expectError: 'InvalidRequestException',
    check: ({ stderr }) =>
      expect(stderr).toContain('Service with the provided name already exists'),
  },
  {
    name: 'create-service: a CPU/memory pair App Runner does not offer',
    operation: 'apprunner:CreateService',
    args: () => [
      'apprunner',
      'create-service',
      '--service-name',
      'cli-other',
      '--source-configuration',
      source(`${REPO}:v1`),
      '--instance-configuration',
      'Cpu=4 vCPU,Memory=2 GB',
    ],
    expectError: 'InvalidRequestException',
    check: ({ stderr }, f) => {
      expect(stderr).toContain('The combination of Cpu 4096 and Memory 2048 is not supported');
      expect([...f.state.apprunner.services.values()].map((s) => s.name)).toEqual(['cli-api']);
    },
  },

  // --- the CREATE_SERVICE operation ---
  {
    name: 'describe-service while CREATE_SERVICE runs',
    operation: 'apprunner:DescribeService',
    args: (f) => ['apprunner', 'describe-service', '--service-arn', f.state.arn],
    check: ({ output }) =>
      expect(output?.Service).toMatchObject({ Status: 'OPERATION_IN_PROGRESS' }),
  },
  {
    name: 'list-operations shows CREATE_SERVICE in progress',
    operation: 'apprunner:ListOperations',
    args: (f) => ['apprunner', 'list-operations', '--service-arn', f.state.arn],
    check: ({ output }, f) =>
      expect(output).toEqual({
        OperationSummaryList: [
          {
            Id: f.state.apprunner.operationsOf(f.state.arn)[0]!.id,
            Type: 'CREATE_SERVICE',
            Status: 'IN_PROGRESS',
            TargetArn: f.state.arn,
            StartedAt: expect.stringMatching(ISO),
            UpdatedAt: expect.stringMatching(ISO),
          },
        ],
      }),
  },
  {
    name: 'update-service while an operation runs',
    operation: 'apprunner:UpdateService',
    args: (f) => [
      'apprunner',
      'update-service',
      '--service-arn',
      f.state.arn,
      '--source-configuration',
      source(`${REPO}:v2`),
    ],
    expectError: 'InvalidStateException',
    check: ({ stderr }) =>
      expect(stderr).toContain(
        'Service cannot be updated in the current state: OPERATION_IN_PROGRESS.',
      ),
  },
  {
    name: 'describe-service once CREATE_SERVICE has succeeded',
    operation: 'apprunner:DescribeService',
    arrange: (f) => advance(f),
    args: (f) => ['apprunner', 'describe-service', '--service-arn', f.state.arn],
    check: ({ output }, f) => {
      expect(output?.Service).toMatchObject({ Status: 'RUNNING' });
      expect(f.state.apprunner.liveImage('cli-api')).toBe(`${REPO}@${DIGEST}`);
    },
  },

  // --- listing ---
  {
    name: 'list-services answers an empty page with a NextToken',
    operation: 'apprunner:ListServices',
    arrange: (f) => f.state.apprunner.emptyPages(1, 'ListServices'),
    args: () => ['apprunner', 'list-services', '--max-results', '1'],
    check: ({ output }, f) => {
      expect(output?.ServiceSummaryList).toEqual([]);
      expect(output?.NextToken).toEqual(expect.any(String));
      f.state.nextToken = String(output?.NextToken);
    },
  },
  {
    name: 'list-services with that NextToken resumes where the empty page stood',
    operation: 'apprunner:ListServices',
    args: (f) => [
      'apprunner',
      'list-services',
      '--max-results',
      '1',
      '--next-token',
      f.state.nextToken,
    ],
    check: ({ output }, f) =>
      expect(output).toEqual({
        ServiceSummaryList: [
          {
            ServiceName: 'cli-api',
            ServiceId: f.state.apprunner.service('cli-api').id,
            ServiceArn: f.state.arn,
            ServiceUrl: f.state.apprunner.service('cli-api').url,
            CreatedAt: expect.stringMatching(ISO),
            UpdatedAt: expect.stringMatching(ISO),
            Status: 'RUNNING',
          },
        ],
      }),
  },
  {
    name: 'list-services: --max-results above 20',
    operation: 'apprunner:ListServices',
    args: () => ['apprunner', 'list-services', '--max-results', '21'],
    expectError: 'InvalidRequestException',
  },

  // --- updates ---
  {
    name: 'update-service to a new image',
    operation: 'apprunner:UpdateService',
    args: (f) => [
      'apprunner',
      'update-service',
      '--service-arn',
      f.state.arn,
      '--source-configuration',
      source(`${REPO}:v2`),
    ],
    check: ({ output }, f) => {
      expect(output?.OperationId).toBe(f.state.apprunner.operationsOf(f.state.arn)[0]!.id);
      expect(output?.Service).toMatchObject({
        Status: 'OPERATION_IN_PROGRESS',
        SourceConfiguration: { ImageRepository: { ImageIdentifier: `${REPO}:v2` } },
        // Settings the request did not name stay as they were.
        InstanceConfiguration: { Cpu: '1024', Memory: '2048', InstanceRoleArn: INSTANCE_ROLE },
        HealthCheckConfiguration: { Protocol: 'HTTP', Path: '/health' },
      });
    },
  },
  {
    name: 'update-service that changes nothing',
    operation: 'apprunner:UpdateService',
    arrange: (f) => advance(f),
    args: (f) => [
      'apprunner',
      'update-service',
      '--service-arn',
      f.state.arn,
      '--source-configuration',
      source(`${REPO}:v2`),
    ],
    expectError: 'InvalidRequestException',
    check: ({ stderr }, f) => {
      expect(stderr).toContain('No configurations provided in the UpdateService request.');
      expect(f.state.apprunner.liveImage('cli-api')).toBe(`${REPO}:v2`);
    },
  },
  {
    name: 'start-deployment redeploys the same image',
    operation: 'apprunner:StartDeployment',
    args: (f) => ['apprunner', 'start-deployment', '--service-arn', f.state.arn],
    check: ({ output }, f) => {
      const [operation] = f.state.apprunner.operationsOf(f.state.arn);
      expect(output).toEqual({ OperationId: operation!.id });
      expect(operation!.type).toBe('START_DEPLOYMENT');
    },
  },
  {
    name: 'list-operations pages newest first',
    operation: 'apprunner:ListOperations',
    arrange: (f) => advance(f),
    args: (f) => [
      'apprunner',
      'list-operations',
      '--service-arn',
      f.state.arn,
      '--max-results',
      '2',
    ],
    check: ({ output }) => {
      const list = output?.OperationSummaryList as Array<Record<string, string>>;
      expect(list.map((o) => `${o.Type}:${o.Status}`)).toEqual([
        'START_DEPLOYMENT:SUCCEEDED',
        'UPDATE_SERVICE:SUCCEEDED',
      ]);
      expect(list[0]!.EndedAt).toMatch(ISO);
      expect(output?.NextToken).toEqual(expect.any(String));
    },
  },
  {
    name: 'list-operations: unknown service',
    operation: 'apprunner:ListOperations',
    args: (f) => [
      'apprunner',
      'list-operations',
      '--service-arn',
      f.state.arn.replace(/[0-9a-f]{32}$/, '0'.repeat(32)),
    ],
    expectError: 'ResourceNotFoundException',
  },
  {
    name: 'describe-service: unknown service',
    operation: 'apprunner:DescribeService',
    args: (f) => [
      'apprunner',
      'describe-service',
      '--service-arn',
      f.state.arn.replace('cli-api', 'cli-gone'),
    ],
    expectError: 'ResourceNotFoundException',
  },
  {
    name: 'describe-service: a throttled call the CLI retries',
    operation: 'apprunner:DescribeService',
    arrange: (f) =>
      f.sim.faults.add({
        service: 'apprunner',
        operation: 'DescribeService',
        kind: 'throttle',
        count: 1,
      }),
    args: (f) => ['apprunner', 'describe-service', '--service-arn', f.state.arn],
    check: ({ output, requests }) => {
      expect(output?.Service).toMatchObject({ Status: 'RUNNING' });
      expect(requests?.map((r) => r.errorCode ?? r.status)).toEqual(['ThrottlingException', 200]);
    },
  },

  // --- pause and resume ---
  {
    name: 'pause-service',
    operation: 'apprunner:PauseService',
    args: (f) => ['apprunner', 'pause-service', '--service-arn', f.state.arn],
    check: ({ output }, f) => {
      expect(output?.Service).toMatchObject({ Status: 'OPERATION_IN_PROGRESS' });
      expect(output?.OperationId).toBe(f.state.apprunner.operationsOf(f.state.arn)[0]!.id);
    },
  },
  {
    name: 'start-deployment on a paused service',
    operation: 'apprunner:StartDeployment',
    arrange: (f) => advance(f),
    args: (f) => ['apprunner', 'start-deployment', '--service-arn', f.state.arn],
    expectError: 'InvalidStateException',
    check: ({ stderr }) =>
      expect(stderr).toContain('Service cannot be deployed in the current state: PAUSED.'),
  },
  {
    name: 'resume-service',
    operation: 'apprunner:ResumeService',
    args: (f) => ['apprunner', 'resume-service', '--service-arn', f.state.arn],
    check: ({ output }, f) => {
      expect(output?.Service).toMatchObject({ Status: 'OPERATION_IN_PROGRESS' });
      advance(f);
      expect(f.state.apprunner.service('cli-api').status).toBe('RUNNING');
    },
  },

  // --- tags ---
  {
    name: 'tag-resource',
    operation: 'apprunner:TagResource',
    args: (f) => [
      'apprunner',
      'tag-resource',
      '--resource-arn',
      f.state.arn,
      '--tags',
      'Key=env,Value=prod',
      'Key=team,Value=api',
    ],
    check: ({ stdout }) => expect(stdout.trim()).toBe(''),
  },
  {
    name: 'untag-resource',
    operation: 'apprunner:UntagResource',
    args: (f) => [
      'apprunner',
      'untag-resource',
      '--resource-arn',
      f.state.arn,
      '--tag-keys',
      'env',
    ],
  },
  {
    name: 'list-tags-for-resource',
    operation: 'apprunner:ListTagsForResource',
    args: (f) => ['apprunner', 'list-tags-for-resource', '--resource-arn', f.state.arn],
    check: ({ output }) => expect(output).toEqual({ Tags: [{ Key: 'team', Value: 'api' }] }),
  },

  // --- delete ---
  {
    name: 'delete-service',
    operation: 'apprunner:DeleteService',
    args: (f) => ['apprunner', 'delete-service', '--service-arn', f.state.arn],
    check: ({ output }, f) => {
      expect(output?.Service).toMatchObject({
        ServiceArn: f.state.arn,
        Status: 'OPERATION_IN_PROGRESS',
      });
      expect(output?.OperationId).toEqual(expect.any(String));
    },
  },
  {
    name: 'describe-service of a deleted service',
    operation: 'apprunner:DescribeService',
    arrange: (f) => advance(f),
    args: (f) => ['apprunner', 'describe-service', '--service-arn', f.state.arn],
    check: ({ output }) => {
      expect(output?.Service).toMatchObject({ Status: 'DELETED' });
      expect((output?.Service as Record<string, unknown>).DeletedAt).toMatch(ISO);
    },
  },
  {
    name: 'list-services leaves deleted services out',
    operation: 'apprunner:ListServices',
    args: () => ['apprunner', 'list-services'],
    check: ({ output }) => expect(output).toEqual({ ServiceSummaryList: [] }),
  },
];

function pick(value: unknown, keys: string[]): Record<string, unknown> {
  const object = (value ?? {}) as Record<string, unknown>;
  return Object.fromEntries(keys.filter((k) => k in object).map((k) => [k, object[k]]));
}

describeCliFidelity<AppRunnerState>('App Runner', {
  services: () => {
    const clock = { now: Date.now() };
    const apprunner = createAppRunnerService({
      now: () => new Date(clock.now),
      operationDurationMs: MINUTE - 1,
      rollbackDurationMs: MINUTE - 1,
    });
    return { services: [apprunner], state: { apprunner, clock, arn: '', nextToken: '' } };
  },
  credentials: () => CLI_USER,
  rows,
});
