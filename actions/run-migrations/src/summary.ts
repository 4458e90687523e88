import { formatDuration, type SummarySection } from '@deploy-actions/action-kit';
import {
  formatCommandLine,
  summarizeMigrations,
  type EcsTaskOutcome,
  type MigrateResult,
} from '@deploy-actions/migrate';

/**
 * The job summary: the engine's table of each migration of this run with its
 * result (applied, failed, not run, pending) and duration — or the command
 * with its exit code and last lines — under the action's name.
 */
export function summarySections(result: MigrateResult): SummarySection[] {
  const [first, ...rest] = summarizeMigrations(result);
  if (first === undefined) return [];
  const mode =
    result.mode === 'command'
      ? 'your migration command'
      : result.dryRun
        ? 'built-in migrator, dry run'
        : 'built-in migrator';
  const upToDate =
    result.sql && !result.dryRun && result.sql.migrations.length === 0
      ? ['Nothing to apply: the database was up to date.']
      : [];
  return [
    {
      ...first,
      heading: `run-migrations: ${first.heading}`,
      lines: [`Mode: ${mode}.`, ...upToDate, ...(first.lines ?? [])],
    },
    ...rest,
  ];
}

/** Mode 3: the task, where it ran, how it ended, and links to it and its logs. */
export function ecsSummarySections(outcome: EcsTaskOutcome): SummarySection[] {
  const ok = outcome.failure === undefined;
  const ended =
    outcome.exitCode !== null
      ? `exit code ${outcome.exitCode}`
      : (outcome.containerReason ?? 'no exit code');
  const rows: [string, string | undefined][] = [
    ['Command', formatCommandLine(outcome.argv)],
    ['Cluster', outcome.cluster],
    ['Task definition', outcome.taskDefinitionArn],
    ['Container', `${outcome.containerName}: ${ended}`],
    ['Task', outcome.consoleUrl ?? outcome.taskArn ?? '(not started)'],
    ['Logs', outcome.logs?.consoleUrl],
    ['Status', [outcome.lastStatus, outcome.stopCode].filter(Boolean).join(', ') || undefined],
    ['Stopped reason', outcome.stoppedReason],
    ['Database URL', outcome.databaseFrom],
    ['Duration', formatDuration(outcome.durationMs)],
  ];
  return [
    {
      heading: `run-migrations: ${ok ? 'Migrated' : 'Migration failed'} in an ECS task`,
      lines: [
        'Mode: your migration command, as a one-off ECS task inside the VPC.',
        ...outcome.warnings,
        ...(outcome.failure ? [outcome.failure.message] : []),
      ],
      table: [
        ['', ''],
        ...rows.filter((row): row is [string, string] => row[1] !== undefined && row[1] !== ''),
      ],
      ...(outcome.outputTail.length > 0
        ? { details: { label: 'Last lines of output', text: outcome.outputTail.join('\n') } }
        : {}),
    },
  ];
}
