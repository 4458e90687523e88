import type { SummarySection } from '@deploy-actions/action-kit';
import { summarizeMigrations, type MigrateResult } from '@deploy-actions/migrate';

/**
 * The job summary: the engine's table of each migration of this run with its
 * result (applied, failed, not run, pending) and duration — or the command
 * with its exit code and last lines — under the action's name. (Mode 3's
 * table is the engine's summarizeEcsTask, which the root pipeline writes too.)
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
