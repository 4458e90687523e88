/**
 * Every AWS call of mode 3 (the migration as a one-off ECS task), keyed by
 * operation: the call sites take their IAM labels from here.
 */
export interface EcsModeCall {
  /** `*`: checked by AWS on our behalf (iam:PassRole by RunTask), not sent by the engine. */
  operation?: '*';
  /** The IAM action. */
  action: string;
  resource: string;
  why: string;
}

/**
 * Every AWS call mode 3 makes, keyed by operation, for the README's IAM
 * section and the least-privilege policy (run-migrations-ecs.json). The call
 * sites name the IAM action of their errors from here
 * (`ECS_MODE_CALLS.RunTask.action`), so an operation missing from the table is
 * a compile error. `operation: '*'`: a permission AWS checks on our behalf,
 * not a call of ours.
 */
export const ECS_MODE_CALLS = {
  DescribeTaskDefinition: {
    action: 'ecs:DescribeTaskDefinition',
    resource: '*',
    why: 'read the container, its log settings and its secrets (this action takes no resource)',
  },
  RunTask: {
    action: 'ecs:RunTask',
    resource: 'arn:aws:ecs:<region>:<account>:task-definition/<family>:*',
    why: 'start the migration task (condition ecs:cluster narrows it to the cluster)',
  },
  DescribeTasks: {
    action: 'ecs:DescribeTasks',
    resource: 'arn:aws:ecs:<region>:<account>:task/<cluster>/*',
    why: 'follow the task to STOPPED',
  },
  StopTask: {
    action: 'ecs:StopTask',
    resource: 'arn:aws:ecs:<region>:<account>:task/<cluster>/*',
    why: 'stop the task when the run is cancelled or times out, or sidecars outlive the migration',
  },
  GetLogEvents: {
    action: 'logs:GetLogEvents',
    resource:
      'arn:aws:logs:<region>:<account>:log-group:<awslogs-group>:log-stream:<awslogs-stream-prefix>/<container>/*',
    why: "stream the container's output into the job log",
  },
  PassRole: {
    operation: '*',
    action: 'iam:PassRole',
    resource: "the task definition's taskRoleArn and executionRoleArn",
    why: 'RunTask hands both roles to ECS (condition iam:PassedToService = ecs-tasks.amazonaws.com)',
  },
} as const satisfies Record<string, EcsModeCall>;
