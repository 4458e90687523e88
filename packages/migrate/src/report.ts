/** The outputs and job summary of a migration run, on the runner or as an ECS task. */
import { formatDuration } from '@deploy-actions/action-kit/engine';
import { formatCommandLine } from './command.js';
import type { EcsTaskOutcome } from './ecs/types.js';
import type { MigrationOutcome } from './migrator.js';
import type { MigrateResult } from './run.js';

/** Same shape as action-kit's SummarySection, which engines cannot import (it needs @actions/core). */
export interface SummaryBlock {
  heading: string;
  lines?: string[];
  table?: string[][];
  details?: { label: string; text: string };
}

/**
 * The action's outputs, as strings. The counts and versions come from the
 * built-in migrator; with a command they are empty (only the tool knows).
 * `applied-versions` is comma-separated; `duration` is in seconds.
 */
export function migrateOutputs(result: MigrateResult): Record<string, string> {
  const sql = result.sql;
  return {
    applied: sql ? String(sql.appliedVersions.length) : '',
    'applied-versions': sql ? sql.appliedVersions.join(',') : '',
    pending: sql ? String(sql.pendingVersions.length) : '',
    'current-version': sql?.currentVersion ?? '',
    duration: (result.durationMs / 1000).toFixed(1),
  };
}

/** The job summary: each migration with its result and duration, or the command and its exit. */
export function summarizeMigrations(result: MigrateResult): SummaryBlock[] {
  if (result.command) return [commandBlock(result)];
  return [sqlBlock(result)];
}

function sqlBlock(result: MigrateResult): SummaryBlock {
  const sql = result.sql!;
  const failed = sql.migrations.some((m) => m.status === 'failed');
  const heading = result.dryRun
    ? `Dry run: ${sql.pendingVersions.length} pending migration(s) on ${result.target}`
    : `${failed ? 'Migration failed' : 'Migrated'} ${result.target}`;
  const lines = [
    result.dryRun
      ? 'Nothing was changed (not even the history table).'
      : `Applied ${sql.appliedVersions.length} migration(s) in ${formatDuration(result.durationMs)}.`,
    `Current version: ${sql.currentVersion ?? 'none'} (${sql.serverVersion}).`,
    ...result.warnings,
  ];
  const block: SummaryBlock = { heading, lines };
  if (sql.migrations.length > 0) block.table = migrationTable(sql.migrations);
  const failure = sql.migrations.find((m) => m.status === 'failed');
  if (failure?.error) block.details = { label: `Why ${failure.file} failed`, text: failure.error };
  else if (result.dryRun && sql.migrations.length > 0) {
    block.details = { label: 'Pending migrations', text: previews(sql.migrations) };
  }
  return block;
}

function migrationTable(migrations: MigrationOutcome[]): string[][] {
  return [
    ['Version', 'File', 'Result', 'Duration', 'Statements', 'Transaction'],
    ...migrations.map((m) => [
      m.version,
      m.file,
      m.status,
      m.durationMs === undefined ? '' : formatDuration(m.durationMs),
      String(m.statements),
      m.transactional ? 'yes' : 'no (no-transaction)',
    ]),
  ];
}

function previews(migrations: MigrationOutcome[]): string {
  return migrations.map((m) => `-- ${m.file}\n${m.preview ?? ''}`).join('\n\n');
}

function commandBlock(result: MigrateResult): SummaryBlock {
  const command = result.command!;
  const ok = command.exitCode === 0;
  const exit =
    command.exitCode === null ? `signal ${command.signal}` : `exit code ${command.exitCode}`;
  return {
    heading: `${ok ? 'Migrated' : 'Migration command failed on'} ${result.target}`,
    lines: [
      `Ran ${formatCommandLine(command.argv)}: ${exit} after ${formatDuration(command.durationMs)}.`,
    ],
    ...(command.outputTail.length > 0
      ? { details: { label: 'Last lines of output', text: command.outputTail.join('\n') } }
      : {}),
  };
}

/** Mode 3's outputs: only the tool in the task knows what it applied, so the counts and versions stay empty. */
export function ecsTaskOutputs(outcome: EcsTaskOutcome): Record<string, string> {
  return {
    applied: '',
    'applied-versions': '',
    pending: '',
    'current-version': '',
    duration: (outcome.durationMs / 1000).toFixed(1),
  };
}

/** Mode 3: the task, where it ran, how it ended, and links to it and its logs. */
export function summarizeEcsTask(outcome: EcsTaskOutcome): SummaryBlock[] {
  const ok = outcome.failure === undefined;
  const rows: [string, string | undefined][] = [
    ['Command', formatCommandLine(outcome.argv)],
    ['Cluster', outcome.cluster],
    ['Task definition', outcome.taskDefinitionArn],
    ['Container', `${outcome.containerName}: ${taskEnding(outcome)}`],
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

/** How the migration container ended: its exit code, else ECS's reason. */
export function taskEnding(outcome: EcsTaskOutcome): string {
  return outcome.exitCode !== null
    ? `exit code ${outcome.exitCode}`
    : (outcome.containerReason ?? 'no exit code');
}
