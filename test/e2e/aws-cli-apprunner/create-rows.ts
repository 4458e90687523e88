// App Runner CLI fidelity rows, first half: the service created, its CREATE_SERVICE operation
// followed, and services listed. They run before change-rows.ts, on the same service.
import { CLI_REGION } from '../../support/aws-cli.js';
import {
  ACCOUNT,
  REPO,
  DIGEST,
  ACCESS_ROLE,
  INSTANCE_ROLE,
  VPC_CONNECTOR,
  SECRET,
  ISO,
  type Row,
  advance,
  source,
  pick,
} from './fixture.js';

export const createRows: Row[] = [
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
];
