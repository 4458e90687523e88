import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  Inputs,
  githubIdToken,
  output,
  runContext,
  runnerLogger,
  writeSummary,
  type Logger,
} from '@deploy-actions/action-kit';
import { createClient, openAwsSession, type AwsInputs, type AwsSession } from '@deploy-actions/aws';
import {
  MigrationRunError,
  discoverMigrations,
  ecsTaskOutputs,
  migrateOutputs,
  readCaBundle,
  runEcsMigration,
  runMigrations,
  secretParts,
  summarizeEcsTask,
  type EcsTaskOutcome,
  type MigrateResult,
} from '@deploy-actions/migrate';
import { getInputs, type EcsInputs, type RunnerInputs } from './inputs.js';
import { summarySections } from './summary.js';

export async function main(): Promise<void> {
  const logger = runnerLogger();
  const inputs = getInputs(new Inputs());
  if (inputs.kind === 'ecs') return runInEcs(inputs, logger);
  const { options, aws, warnings } = inputs;
  // Before anything else can print it: the URL and every form of its password.
  if (options.database.url !== undefined) {
    for (const part of secretParts(options.database.url)) logger.mask(part);
  }
  for (const warning of warnings) logger.warning(warning);

  const workspaceDir = process.env.GITHUB_WORKSPACE || process.cwd();
  await checkFilesFirst(options, workspaceDir);

  const secretsManager = aws
    ? createClient(SecretsManagerClient, await openSession(aws, logger))
    : undefined;
  try {
    const result = await runMigrations(
      { ...options, appliedBy: appliedBy(), workspaceDir },
      { logger, secretsManager, region: aws?.region },
    );
    await report(result);
  } catch (error) {
    // A failed migration or command still reports what the run did before it failed.
    if (error instanceof MigrationRunError) await report(error.result);
    throw error;
  } finally {
    secretsManager?.destroy();
  }
}

/**
 * Mode 3: the command as a one-off task of the app's task definition, inside
 * the VPC (the engine's runEcsMigration). The database URL stays a secret
 * reference of the task definition; a cancelled workflow (SIGINT/SIGTERM
 * from the runner) stops the task.
 */
async function runInEcs(inputs: EcsInputs, logger: Logger): Promise<void> {
  for (const warning of inputs.warnings) logger.warning(warning);
  const session = await openSession(inputs.aws, logger);
  const cancel = new AbortController();
  const onSignal = () => cancel.abort();
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  try {
    const context = runContext();
    const outcome = await runEcsMigration(inputs, {
      session,
      logger,
      signal: cancel.signal,
      run: {
        runId: context.runId,
        runAttempt: context.runAttempt,
        runUrl: appliedBy(),
        job: process.env.GITHUB_JOB ?? '',
        step: process.env.GITHUB_ACTION ?? '',
      },
    });
    await reportTask(outcome);
    if (outcome.failure) throw outcome.failure;
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
  }
}

/**
 * What can be checked on disk is checked before any AWS call: a missing or
 * badly named migrations folder, or an unreadable CA file, fails the step
 * without asking STS or Secrets Manager for anything. (The engine reads them
 * again; they are small.)
 */
async function checkFilesFirst(options: RunnerInputs['options'], workspaceDir: string) {
  if (options.mode.kind === 'sql') {
    await discoverMigrations(options.mode.migrationsDir, { workspaceDir });
    await readCaBundle(options.ssl.caFile, workspaceDir);
  }
}

function openSession(aws: AwsInputs, logger: Logger): Promise<AwsSession> {
  return openAwsSession(aws, 'run-migrations', { getIdToken: githubIdToken, logger });
}

/** The run (and attempt) that applies the migrations: the history's applied_by and the session's name. */
function appliedBy(): string {
  const context = runContext();
  return context.runAttempt === '1'
    ? context.runUrl
    : `${context.runUrl}/attempts/${context.runAttempt}`;
}

async function report(result: MigrateResult): Promise<void> {
  setOutputs(migrateOutputs(result));
  await writeSummary(summarySections(result));
}

/** Only the tool in the task knows what it applied: the counts and versions stay empty. */
async function reportTask(outcome: EcsTaskOutcome): Promise<void> {
  setOutputs(ecsTaskOutputs(outcome));
  await writeSummary(summarizeEcsTask(outcome));
}

function setOutputs(outputs: Record<string, string>): void {
  output('applied', outputs.applied ?? '');
  output('applied-versions', outputs['applied-versions'] ?? '');
  output('pending', outputs.pending ?? '');
  output('current-version', outputs['current-version'] ?? '');
  output('duration', outputs.duration ?? '');
  output('task-definition-arn', outputs['task-definition-arn'] ?? '');
}
