/**
 * Mode 3 wired to a session: the ECS client and the CloudWatch Logs clients
 * (one per region: a container's awslogs region may differ from the step's)
 * come from the caller's AWS session, the task's client token from the run,
 * and the whole is one call for run-migrations and the root pipeline alike.
 * Cancellation (the caller's AbortSignal, e.g. on SIGTERM from the runner)
 * stops the task.
 */
import { createHash } from 'node:crypto';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ECSClient } from '@aws-sdk/client-ecs';
import type { Logger } from '@deploy-actions/action-kit/engine';
import { createClient, type AwsSession } from '@deploy-actions/aws';
import type { EcsInputs } from './inputs.js';
import { taskClientToken } from './run-task.js';
import { runMigrationTask } from './task.js';
import type { EcsMode, EcsTaskOutcome } from './types.js';

/** The workflow run this step belongs to: the task's client token and stoppedReason name it. */
export interface EcsRunContext {
  runId: string;
  runAttempt: string;
  /** The run's URL (with the attempt after the first), named when the task is stopped. */
  runUrl: string;
  /** GITHUB_JOB and GITHUB_ACTION: two steps of a run get two tasks. */
  job: string;
  step: string;
}

export interface EcsMigrationDeps {
  session: AwsSession;
  logger: Logger;
  run: EcsRunContext;
  signal?: AbortSignal;
}

/** Runs the migration task of `inputs` and follows it to its end; the clients are closed after. */
export async function runEcsMigration(
  inputs: Pick<EcsInputs, 'mode' | 'secretId'>,
  deps: EcsMigrationDeps,
): Promise<EcsTaskOutcome> {
  const { mode, secretId } = inputs;
  const { session } = deps;
  const ecs = createClient(ECSClient, session);
  const logsClients = new Map<string, CloudWatchLogsClient>();
  const logs = (region: string) => {
    const client =
      logsClients.get(region) ?? createClient(CloudWatchLogsClient, { ...session, region });
    logsClients.set(region, client);
    return client;
  };
  try {
    return await runMigrationTask(
      {
        cluster: mode.cluster,
        taskDefinition: mode.taskDefinition,
        containerName: mode.containerName,
        argv: mode.argv,
        ...(mode.network ? { network: mode.network } : {}),
        ...(mode.launch ? { launch: mode.launch } : {}),
        database: {
          urlEnv: mode.urlEnv,
          ...(secretId !== undefined ? { secretId } : {}),
          ...(mode.secretIdEnv !== undefined ? { secretIdEnv: mode.secretIdEnv } : {}),
        },
        region: session.region,
        timeoutMs: mode.timeoutMs,
        clientToken: ecsClientToken(mode, deps.run),
        runUrl: deps.run.runUrl,
      },
      { ecs, logs, logger: deps.logger, ...(deps.signal ? { signal: deps.signal } : {}) },
    );
  } finally {
    ecs.destroy();
    for (const client of logsClients.values()) client.destroy();
  }
}

/**
 * RunTask's idempotency token: the same for a retried call of this step (one
 * task, not two), different for every other step, job, attempt, cluster, task
 * definition and command of the run.
 */
export function ecsClientToken(mode: EcsMode, run: EcsRunContext): string {
  const step = [
    run.job,
    run.step,
    mode.cluster,
    mode.taskDefinition,
    mode.containerName,
    ...mode.argv,
  ].join('\n');
  const digest = createHash('sha256').update(step).digest('hex').slice(0, 16);
  return taskClientToken(run.runId, run.runAttempt, digest);
}
