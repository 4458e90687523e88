/**
 * What the task definition says about the migration container: that it
 * exists, the network mode the task needs and where its awslogs output goes.
 */
import {
  DescribeTaskDefinitionCommand,
  type ContainerDefinition,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import { UserError } from '@deploy-actions/action-kit/engine';
import { errorCode, translateAwsError } from '@deploy-actions/aws';
import { ECS_MODE_CALLS } from './calls.js';
import type { EcsTaskDeps, EcsTaskOptions } from './types.js';

export async function describeTaskDefinition(
  options: EcsTaskOptions,
  deps: EcsTaskDeps,
): Promise<TaskDefinition> {
  const context = {
    action: ECS_MODE_CALLS.DescribeTaskDefinition.action,
    resource: options.taskDefinition,
    region: options.region,
  };
  try {
    const response = await deps.ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: options.taskDefinition }),
    );
    if (!response.taskDefinition?.taskDefinitionArn)
      throw new Error('DescribeTaskDefinition answered without a task definition');
    return response.taskDefinition;
  } catch (error) {
    // ECS answers a missing task definition with a ClientException, not a NotFound code.
    if (
      errorCode(error) === 'ClientException' &&
      /Unable to describe task definition/i.test(String((error as Error).message))
    ) {
      throw new UserError(
        `The task definition ${options.taskDefinition} (task-definition) was not found in ${options.region}.`,
        {
          cause: error,
          hint: 'Give its family (latest ACTIVE revision), family:revision or ARN, and check aws-region: task definitions are per region and account.',
        },
      );
    }
    throw translateAwsError(error, context);
  }
}

export function findContainer(
  definition: TaskDefinition,
  name: string,
  reference: string,
): ContainerDefinition {
  const containers = definition.containerDefinitions ?? [];
  const container = containers.find((c) => c.name === name);
  if (!container) {
    throw new UserError(
      `The task definition ${reference} has no container named ${name} (container-name); it has ${containers.map((c) => c.name).join(', ') || 'none'}.`,
    );
  }
  return container;
}

export function checkNetwork(definition: TaskDefinition, options: EcsTaskOptions): void {
  const awsvpc = definition.networkMode === 'awsvpc';
  const subnets = options.network?.subnets ?? [];
  if (awsvpc && subnets.length === 0) {
    throw new UserError(
      `The task definition ${definition.family}:${definition.revision} uses the awsvpc network mode, so the task needs subnets (subnets).`,
      {
        hint: 'Give the private subnets that can reach the database (and ECR, Secrets Manager and CloudWatch Logs, through a NAT gateway or VPC endpoints), and security-groups the database accepts.',
      },
    );
  }
  if (!awsvpc && options.network !== undefined && subnets.length > 0) {
    throw new UserError(
      `The task definition ${definition.family}:${definition.revision} uses the ${definition.networkMode ?? 'bridge'} network mode: subnets and security-groups apply only to awsvpc.`,
      {
        hint: 'Leave subnets and security-groups out, or use a task definition with networkMode awsvpc.',
      },
    );
  }
}

type AwslogsSetting = { group: string; prefix: string; region: string } | { problem: string };

/** The container's awslogs settings, or why its output cannot be streamed. */
export function awslogsSetting(container: ContainerDefinition, region: string): AwslogsSetting {
  const log = container.logConfiguration;
  if (!log) {
    return {
      problem: `Container ${container.name} has no logConfiguration, so its output goes nowhere this action can read; add the awslogs log driver to see it here.`,
    };
  }
  if (log.logDriver !== 'awslogs') {
    return {
      problem: `Container ${container.name} logs with ${log.logDriver}, not awslogs: its output is not streamed here; read it where ${log.logDriver} sends it.`,
    };
  }
  const group = log.options?.['awslogs-group'];
  const prefix = log.options?.['awslogs-stream-prefix'];
  if (!group || !prefix) {
    return {
      problem: `Container ${container.name}'s awslogs settings lack ${group ? 'awslogs-stream-prefix' : 'awslogs-group'}, so its log stream's name cannot be known: its output is not streamed here.`,
    };
  }
  return { group, prefix, region: log.options?.['awslogs-region'] ?? region };
}
