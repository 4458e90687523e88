/**
 * Every AWS call of mode 3 (the migration as a one-off ECS task), keyed by
 * operation, and iam:PassRole and ecs:TagResource, which AWS checks on our
 * behalf during RunTask and RegisterTaskDefinition (`operation: '*'`): the least-privilege policy run-migrations-ecs.json is
 * compared with it. Each call site goes through callWith(ECS_MODE_CALLS,
 * '<Operation>', …), so an operation missing from the table does not compile.
 */
import { defineCalls, type AwsCall } from '@deploy-actions/aws';

/** The old name of this table's entry type: every entry is the suite-wide AwsCall. */
export type EcsModeCall = AwsCall;

export const ECS_MODE_CALLS = defineCalls({
  DescribeTaskDefinition: {
    service: 'ecs',
    operation: 'DescribeTaskDefinition',
    actions: ['ecs:DescribeTaskDefinition'],
    resource: '*',
    when: 'read the container, its log settings and its secrets (this action takes no resource)',
  },
  RegisterTaskDefinition: {
    service: 'ecs',
    operation: 'RegisterTaskDefinition',
    actions: ['ecs:RegisterTaskDefinition'],
    resource: '*',
    when: 'with image: a revision of the task definition that runs the image being deployed (this action takes no resource)',
  },
  TagResource: {
    service: 'ecs',
    operation: '*',
    actions: ['ecs:TagResource'],
    resource: 'arn:aws:ecs:<region>:<account>:task-definition/<family>:*',
    conditions: { 'ecs:CreateAction': 'RegisterTaskDefinition' },
    when: 'with image, when the task definition has tags: RegisterTaskDefinition tags the new revision',
  },
  RunTask: {
    service: 'ecs',
    operation: 'RunTask',
    actions: ['ecs:RunTask'],
    resource: 'arn:aws:ecs:<region>:<account>:task-definition/<family>:*',
    when: 'start the migration task (condition ecs:cluster narrows it to the cluster)',
  },
  DescribeTasks: {
    service: 'ecs',
    operation: 'DescribeTasks',
    actions: ['ecs:DescribeTasks'],
    resource: 'arn:aws:ecs:<region>:<account>:task/<cluster>/*',
    when: 'follow the task to STOPPED',
  },
  StopTask: {
    service: 'ecs',
    operation: 'StopTask',
    actions: ['ecs:StopTask'],
    resource: 'arn:aws:ecs:<region>:<account>:task/<cluster>/*',
    when: 'stop the task when the run is cancelled or times out, or sidecars outlive the migration',
  },
  GetLogEvents: {
    service: 'logs',
    operation: 'GetLogEvents',
    actions: ['logs:GetLogEvents'],
    resource:
      'arn:aws:logs:<region>:<account>:log-group:<awslogs-group>:log-stream:<awslogs-stream-prefix>/<container>/*',
    when: "stream the container's output into the job log",
  },
  PassRole: {
    service: 'iam',
    operation: '*',
    actions: ['iam:PassRole'],
    resource: "the task definition's taskRoleArn and executionRoleArn",
    when: 'RunTask and RegisterTaskDefinition hand both roles to ECS (condition iam:PassedToService = ecs-tasks.amazonaws.com)',
  },
});
