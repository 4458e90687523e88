/**
 * Mode 3: the migration runs inside the VPC, as a one-off ECS task of the
 * app's own task definition, because a GitHub-hosted runner cannot reach a
 * database in private subnets.
 *
 * 1. DescribeTaskDefinition (the revision it resolves to is the one run, so
 *    a revision registered meanwhile cannot slip in): the named container,
 *    its awslogs settings (stream `<awslogs-stream-prefix>/<container>/<task
 *    id>`) and where its database URL comes from.
 * 2. RunTask with the migration command as the container's command override,
 *    startedBy `deploy-actions`, a client token (a retried request starts one
 *    task, not two), FARGATE or a capacity provider strategy, and the awsvpc
 *    network. Capacity `failures[]` are retried a few times with backoff;
 *    other failures are explained.
 * 3. DescribeTasks until STOPPED (PROVISIONING, PENDING, RUNNING,
 *    DEPROVISIONING — or straight to STOPPED), streaming the container's
 *    CloudWatch Logs (GetLogEvents from the head, following nextForwardToken
 *    until it repeats) into the log as lines arrive, and draining them once
 *    more after the task stopped.
 * 4. The named container's exit code decides; sidecars are ignored (and
 *    stopped, when the migration container is done but an essential sidecar
 *    keeps the task alive). A task whose container never ran is reported by
 *    its stopCode, stoppedReason and the container's reason, in words. A
 *    cancelled run (the AbortSignal) or a timeout stops the task.
 *
 * The database URL is passed by reference, never by value (database.ts).
 */
import { UserError, systemClock } from '@deploy-actions/action-kit/engine';
import { formatCommandLine } from '../command.js';
import { redact, secretParts } from '../url.js';
import { logStreamConsoleUrl, taskConsoleUrl } from './console.js';
import { planDatabaseReference } from './database.js';
import { LogFollower } from './logs.js';
import { startTask } from './run-task.js';
import {
  awslogsSetting,
  checkNetwork,
  describeTaskDefinition,
  findContainer,
} from './task-definition.js';
import type { EcsTaskDeps, EcsTaskOptions, EcsTaskOutcome } from './types.js';
import { waitForTask } from './wait.js';

const TAIL_LINES = 30;

export async function runMigrationTask(
  options: EcsTaskOptions,
  deps: EcsTaskDeps,
): Promise<EcsTaskOutcome> {
  const clock = deps.clock ?? systemClock;
  const started = clock.now();
  const display = formatCommandLine(options.argv);
  const definition = await describeTaskDefinition(options, deps);
  const taskDefinitionArn = definition.taskDefinitionArn!;
  const container = findContainer(definition, options.containerName, options.taskDefinition);
  const database = planDatabaseReference(container, definition, options.database);
  const masked = database.mask.flatMap((secret) => secretParts(secret));
  for (const part of masked) deps.logger.mask(part);
  checkNetwork(definition, options);
  const warnings = [...database.warnings];
  const logSetting = awslogsSetting(container, options.region);
  if ('problem' in logSetting) warnings.push(logSetting.problem);
  for (const warning of warnings) deps.logger.warning(warning);

  const outcome: EcsTaskOutcome = {
    cluster: options.cluster,
    taskDefinitionArn,
    containerName: options.containerName,
    argv: [...options.argv],
    exitCode: null,
    databaseFrom: database.source,
    durationMs: 0,
    outputTail: [],
    warnings,
  };
  const finish = (failure?: UserError): EcsTaskOutcome => ({
    ...outcome,
    durationMs: clock.now() - started,
    ...(failure ? { failure } : {}),
  });

  return deps.logger.group(`Running ${display} as an ECS task in ${options.cluster}`, async () => {
    deps.logger.info(
      `Task definition ${taskDefinitionArn}, container ${options.containerName}; ${options.database.urlEnv}: ${database.source}.`,
    );
    const run = await startTask(options, definition, database.environment, deps, clock);
    if ('failure' in run) return finish(run.failure);
    const task = run.task;
    const taskId = task.taskArn!.split('/').at(-1)!;
    outcome.taskArn = task.taskArn;
    outcome.taskId = taskId;
    outcome.consoleUrl = taskConsoleUrl(options.region, options.cluster, taskId);
    deps.logger.info(`Started task ${taskId}: ${outcome.consoleUrl}`);
    let follower: LogFollower | undefined;
    if ('group' in logSetting) {
      const target = {
        ...logSetting,
        stream: `${logSetting.prefix}/${options.containerName}/${taskId}`,
      };
      outcome.logs = {
        group: target.group,
        stream: target.stream,
        region: target.region,
        consoleUrl: logStreamConsoleUrl(target),
      };
      const client = typeof deps.logs === 'function' ? deps.logs(target.region) : deps.logs;
      follower = new LogFollower(client, target, (line) => {
        deps.logger.info(line);
        outcome.outputTail.push(redact(line, masked));
        if (outcome.outputTail.length > TAIL_LINES) outcome.outputTail.shift();
      });
      deps.logger.info(`Container output (CloudWatch Logs ${target.group} ${target.stream}):`);
    }
    const waited = await waitForTask(options, task, follower, deps, clock);
    Object.assign(outcome, waited.state);
    return finish(waited.failure);
  });
}
