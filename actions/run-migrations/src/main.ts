import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  Inputs,
  githubIdToken,
  runAttemptUrl,
  runContext,
  runnerLogger,
  stepContext,
  setOutputs,
  withCancel,
  writeSummary,
  type Logger,
} from '@deploy-actions/action-kit';
import { createClient, openAwsSession, type AwsInputs, type AwsSession } from '@deploy-actions/aws';
import {
  MigrationRunError,
  checkMigrationFiles,
  ecsRunContext,
  ecsTaskOutputs,
  migrateOutputs,
  runEcsMigration,
  runMigrations,
  secretParts,
  summarizeEcsTask,
  type MigrateResult,
} from '@deploy-actions/migrate';
import { getInputs, type EcsInputs } from './inputs.js';
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

  // What can be checked on disk fails the step before STS or Secrets Manager is asked.
  const workspaceDir = process.env.GITHUB_WORKSPACE || process.cwd();
  await checkMigrationFiles(options, workspaceDir);

  const secretsManager = aws
    ? createClient(SecretsManagerClient, await openSession(aws, logger))
    : undefined;
  try {
    const appliedBy = runAttemptUrl(runContext());
    // A cancelled job: the file under way finishes, no other starts; a command gets SIGINT.
    await report(
      await withCancel((signal) =>
        runMigrations(
          { ...options, appliedBy, workspaceDir },
          { logger, secretsManager, region: aws?.region, signal },
        ),
      ),
    );
  } catch (error) {
    // A failed migration or command still reports what the run did before it failed.
    if (error instanceof MigrationRunError) await report(error.result);
    throw error;
  } finally {
    secretsManager?.destroy();
  }
}

/** Mode 3: the command as a one-off ECS task inside the VPC; a cancelled job stops the task. */
async function runInEcs(inputs: EcsInputs, logger: Logger): Promise<void> {
  for (const warning of inputs.warnings) logger.warning(warning);
  const session = await openSession(inputs.aws, logger);
  const run = ecsRunContext(stepContext());
  const outcome = await withCancel((signal) =>
    runEcsMigration(inputs, { session, logger, signal, run }),
  );
  setOutputs(ecsTaskOutputs(outcome));
  await writeSummary(summarizeEcsTask(outcome));
  if (outcome.failure) throw outcome.failure;
}

function openSession(aws: AwsInputs, logger: Logger): Promise<AwsSession> {
  return openAwsSession(aws, 'run-migrations', { getIdToken: githubIdToken, logger });
}

async function report(result: MigrateResult): Promise<void> {
  setOutputs(migrateOutputs(result));
  await writeSummary(summarySections(result));
}
