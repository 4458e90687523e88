// App Runner CLI fidelity rows, second half: the service created by create-rows.ts updated,
// redeployed, paused, resumed, tagged and deleted.
import { REPO, INSTANCE_ROLE, ISO, type Row, advance, source } from './fixture.js';

export const changeRows: Row[] = [
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
