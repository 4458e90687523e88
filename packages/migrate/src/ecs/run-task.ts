/**
 * RunTask: starts the migration task with the command override, retrying
 * capacity failures a few times with backoff and explaining the others.
 */
import { randomUUID } from 'node:crypto';
import {
  RunTaskCommand,
  type Failure,
  type KeyValuePair,
  type Task,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import {
  UserError,
  backoffDelay,
  formatDuration,
  type Clock,
} from '@deploy-actions/action-kit/engine';
import { callAws } from '@deploy-actions/aws';
import { ECS_MODE_CALLS } from './calls.js';
import type { EcsTaskDeps, EcsTaskOptions, LaunchChoice } from './types.js';

export const STARTED_BY = 'deploy-actions';
/** Failures[] reasons worth trying RunTask again for. */
const TRANSIENT_FAILURE =
  /Capacity is unavailable|RESOURCE:(CPU|MEMORY|ENI|GPU)|insufficient capacity/i;

/** A RunTask client token (up to 64 ASCII characters) from stable parts such as the run id and attempt. */
export function taskClientToken(...parts: string[]): string {
  return parts
    .join('-')
    .replace(/[^\x21-\x7e]/g, '_')
    .slice(0, 60);
}

export async function startTask(
  options: EcsTaskOptions,
  definition: TaskDefinition,
  environment: KeyValuePair[],
  deps: EcsTaskDeps,
  clock: Clock,
): Promise<{ task: Task } | { failure: UserError }> {
  const attempts = options.runTaskAttempts ?? 3;
  const baseToken = (options.clientToken ?? randomUUID()).slice(0, 60);
  const awsvpc = definition.networkMode === 'awsvpc';
  for (let attempt = 1; ; attempt++) {
    const response = await callAws(
      {
        action: ECS_MODE_CALLS.RunTask.action,
        resource: definition.taskDefinitionArn,
        region: options.region,
      },
      () =>
        deps.ecs.send(
          new RunTaskCommand({
            cluster: options.cluster,
            taskDefinition: definition.taskDefinitionArn,
            count: 1,
            startedBy: STARTED_BY,
            clientToken: attempt === 1 ? baseToken : `${baseToken}-${attempt}`,
            ...launchParameters(options.launch),
            ...(awsvpc && options.network
              ? {
                  networkConfiguration: {
                    awsvpcConfiguration: {
                      subnets: options.network.subnets,
                      ...(options.network.securityGroups?.length
                        ? { securityGroups: options.network.securityGroups }
                        : {}),
                      assignPublicIp: options.network.assignPublicIp ? 'ENABLED' : 'DISABLED',
                    },
                  },
                }
              : {}),
            overrides: {
              containerOverrides: [
                {
                  name: options.containerName,
                  command: [...options.argv],
                  ...(environment.length ? { environment } : {}),
                },
              ],
            },
          }),
        ),
    );
    const task = response.tasks?.[0];
    if (task?.taskArn) return { task };
    const failures = response.failures ?? [];
    const transient =
      failures.length > 0 && failures.every((f) => TRANSIENT_FAILURE.test(f.reason ?? ''));
    if (!transient || attempt >= attempts || deps.signal?.aborted) {
      return { failure: runTaskFailure(failures, options, attempt) };
    }
    const delay = backoffDelay(attempt, { initialMs: 5_000, maxMs: 30_000, ...options.poll });
    deps.logger.info(
      `RunTask started nothing: ${describeFailures(failures)}. Trying again in ${formatDuration(delay)} (attempt ${attempt + 1} of ${attempts}).`,
    );
    await clock.sleep(delay, deps.signal);
  }
}

function launchParameters(launch: LaunchChoice | undefined) {
  if (launch === undefined) return {};
  const platform = launch.platformVersion ? { platformVersion: launch.platformVersion } : {};
  if ('launchType' in launch) return { launchType: launch.launchType, ...platform };
  return { capacityProviderStrategy: launch.capacityProviderStrategy, ...platform };
}

export function describeFailures(failures: Failure[]): string {
  if (failures.length === 0) return 'no task and no failure reported';
  return failures
    .map(
      (f) =>
        `${f.reason ?? 'unknown reason'}${f.detail ? ` (${f.detail})` : ''}${f.arn ? ` [${f.arn}]` : ''}`,
    )
    .join('; ');
}

function runTaskFailure(failures: Failure[], options: EcsTaskOptions, attempts: number): UserError {
  const reasons = describeFailures(failures);
  const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
  const text = failures.map((f) => f.reason ?? '').join(' ');
  let hint: string;
  if (/Capacity is unavailable|insufficient capacity/i.test(text)) {
    hint =
      'AWS had no capacity for the task: run the workflow again later, give subnets in several availability zones, or use a capacity provider strategy with FARGATE as well as FARGATE_SPOT.';
  } else if (/RESOURCE:ENI/.test(text)) {
    hint =
      'No network interface could be created: the subnets may be out of free IP addresses, or the account at its ENI limit.';
  } else if (/RESOURCE:(CPU|MEMORY)/.test(text)) {
    hint =
      "The cluster's container instances lack the CPU or memory the task definition asks for: add capacity, or use FARGATE.";
  } else if (/No Container Instances/i.test(text)) {
    hint =
      'The cluster has no EC2 container instances: use launch-type FARGATE (or a capacity provider strategy) for a one-off task.';
  } else if (/MISSING/.test(text)) {
    hint = `Check the cluster (${options.cluster}) and the region.`;
  } else {
    hint = 'See "API failure reasons" in the Amazon ECS Developer Guide.';
  }
  return new UserError(`ECS did not start the migration task${tries}: ${reasons}.`, { hint });
}
