/**
 * Follows a started task with DescribeTasks until it stops (reading its log
 * stream as it goes), stops it on cancellation, timeout or when sidecars
 * outlive the migration container, and judges the end.
 */
import { DescribeTasksCommand, StopTaskCommand, type Task } from '@aws-sdk/client-ecs';
import {
  UserError,
  formatDuration,
  poll,
  type BackoffOptions,
  type Clock,
} from '@deploy-actions/action-kit/engine';
import { callAws } from '@deploy-actions/aws';
import { ECS_MODE_CALLS } from './calls.js';
import { taskConsoleUrl } from './console.js';
import { judge } from './explain.js';
import type { LogFollower } from './logs.js';
import { describeFailures } from './run-task.js';
import type { EcsTaskDeps, EcsTaskOptions, EcsTaskOutcome } from './types.js';

const DEFAULT_POLL: BackoffOptions = { initialMs: 3_000, maxMs: 6_000 };
/** DescribeTasks may not know a task for a moment after RunTask (eventual consistency). */
const MISSING_GRACE_MS = 60_000;

interface WaitResult {
  state: Partial<EcsTaskOutcome>;
  failure?: UserError;
}

export async function waitForTask(
  options: EcsTaskOptions,
  started: Task,
  follower: LogFollower | undefined,
  deps: EcsTaskDeps,
  clock: Clock,
): Promise<WaitResult> {
  const taskArn = started.taskArn!;
  const taskId = taskArn.split('/').at(-1)!;
  const consoleUrl = taskConsoleUrl(options.region, options.cluster, taskId);
  let task: Task = started;
  let lastReported = '';
  let missingSince: number | undefined;
  const report = (current: Task) => {
    const status = `${current.lastStatus ?? '?'}${current.desiredStatus && current.desiredStatus !== 'RUNNING' ? ` (desired ${current.desiredStatus})` : ''}`;
    if (status !== lastReported) {
      deps.logger.info(`Task ${taskId}: ${status}.`);
      lastReported = status;
    }
  };
  report(task);
  const result = await poll<Task>({
    label: `ECS task ${taskId}`,
    timeoutMs: options.timeoutMs,
    backoff: options.poll ?? DEFAULT_POLL,
    clock,
    ...(deps.signal ? { signal: deps.signal } : {}),
    attempt: async () => {
      const response = await callAws(
        { action: ECS_MODE_CALLS.DescribeTasks.action, resource: taskArn, region: options.region },
        () =>
          deps.ecs.send(new DescribeTasksCommand({ cluster: options.cluster, tasks: [taskArn] })),
      );
      const current = response.tasks?.[0];
      if (!current) {
        missingSince ??= clock.now();
        if (clock.now() - missingSince > MISSING_GRACE_MS) {
          throw new UserError(
            `ECS no longer knows the task ${taskId} (${describeFailures(response.failures ?? [])}).`,
            { hint: `Look for it in the console: ${consoleUrl}` },
          );
        }
        return { done: false, status: 'MISSING' };
      }
      missingSince = undefined;
      task = current;
      report(current);
      if (follower && current.lastStatus !== 'PROVISIONING' && current.lastStatus !== 'PENDING') {
        await follower.read();
      }
      if (current.lastStatus === 'STOPPED') return { done: true, value: current };
      const migration = current.containers?.find((c) => c.name === options.containerName);
      if (
        migration?.lastStatus === 'STOPPED' &&
        migration.exitCode != null &&
        current.desiredStatus !== 'STOPPED'
      ) {
        // The migration is over but an essential sidecar keeps the task alive.
        await stopTask(
          options,
          taskArn,
          'deploy-actions: the migration container exited; stopping the other containers',
          deps,
        );
        return { done: true, value: current };
      }
      return { done: false, status: current.lastStatus };
    },
  });

  if (!result.ok) {
    const why =
      result.reason === 'aborted'
        ? 'the workflow run was cancelled'
        : `it did not stop within ${formatDuration(options.timeoutMs)}`;
    await stopTask(
      options,
      taskArn,
      `deploy-actions: ${why}${options.runUrl ? ` (${options.runUrl})` : ''}`,
      deps,
    );
    deps.logger.info(`Stopped task ${taskId}: ${why}.`);
    if (follower) await follower.read().catch(() => undefined);
    return {
      state: taskState(task, options.containerName),
      failure: new UserError(
        result.reason === 'aborted'
          ? `The migration task ${taskId} was stopped because the workflow run was cancelled (last status ${result.lastStatus ?? task.lastStatus ?? 'unknown'}).`
          : `The migration task ${taskId} did not finish within ${formatDuration(options.timeoutMs)} (last status ${result.lastStatus ?? task.lastStatus ?? 'unknown'}); it was stopped.`,
        {
          hint:
            result.reason === 'aborted'
              ? `A migration stopped part-way leaves what its tool committed; check the database before the next run. Task: ${consoleUrl}`
              : `Raise the task timeout if migrations take longer, or look at the task: ${consoleUrl}`,
        },
      ),
    };
  }

  const final = result.value;
  if (follower) {
    await follower.read();
    const settle = options.logSettleMs ?? 3_000;
    if (settle > 0) {
      await clock.sleep(settle, deps.signal);
      await follower.read();
    }
  }
  const state = taskState(final, options.containerName);
  deps.logger.info(
    `Task ${taskId} ${final.lastStatus === 'STOPPED' ? 'stopped' : 'finished'}${final.stopCode ? ` (${final.stopCode}${final.stoppedReason ? `: ${final.stoppedReason}` : ''})` : ''}; container ${options.containerName} ${state.exitCode != null ? `exited with code ${state.exitCode}` : 'never ran'}.`,
  );
  return { state, failure: judge(final, options, consoleUrl, follower?.lastLine) };
}

function taskState(task: Task, containerName: string): Partial<EcsTaskOutcome> {
  const container = task.containers?.find((c) => c.name === containerName);
  return {
    lastStatus: task.lastStatus,
    ...(task.stopCode ? { stopCode: task.stopCode } : {}),
    ...(task.stoppedReason ? { stoppedReason: task.stoppedReason } : {}),
    exitCode: container?.exitCode ?? null,
    ...(container?.reason ? { containerReason: container.reason } : {}),
  };
}

async function stopTask(
  options: EcsTaskOptions,
  taskArn: string,
  reason: string,
  deps: EcsTaskDeps,
): Promise<void> {
  try {
    const context = {
      action: ECS_MODE_CALLS.StopTask.action,
      resource: taskArn,
      region: options.region,
    };
    await callAws(context, () =>
      deps.ecs.send(
        new StopTaskCommand({
          cluster: options.cluster,
          task: taskArn,
          reason: reason.slice(0, 255),
        }),
      ),
    );
  } catch (error) {
    deps.logger.warning(
      `Could not stop the task ${taskArn}: ${error instanceof Error ? error.message : String(error)}. Stop it by hand: ${taskConsoleUrl(options.region, options.cluster, taskArn.split('/').at(-1)!)}`,
    );
  }
}
