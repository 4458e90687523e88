/** What to apply: the migration files against the history table, with drift and order checked. */
import { UserError } from '@deploy-actions/action-kit/engine';
import { compareVersions, type MigrationFile } from './files.js';

/** One row of the history table. */
export interface AppliedMigration {
  version: string;
  name: string;
  checksum: string;
  appliedAt: Date;
  durationMs: number;
  /** Who applied it: the run's URL. */
  appliedBy: string;
}

export interface Drift<F extends MigrationFile = MigrationFile> {
  file: F;
  applied: AppliedMigration;
}

export interface MigrationPlan<F extends MigrationFile = MigrationFile> {
  /** Files not in the history, in version order: what a run applies. */
  pending: F[];
  /** Pending files older than the newest applied migration. */
  outOfOrder: F[];
  /** Applied files whose content changed since. */
  drifted: Drift<F>[];
  /** Applied migrations that have no file in this checkout (deleted, or a newer deploy's). */
  missing: AppliedMigration[];
  /** The newest applied version. */
  currentVersion: string | undefined;
}

/** What is pending and what is wrong, from the files and the history alone. */
export function planMigrations<F extends MigrationFile>(
  files: readonly F[],
  history: readonly AppliedMigration[],
): MigrationPlan<F> {
  const applied = new Map(history.map((row) => [row.version, row]));
  const fileVersions = new Set(files.map((file) => file.version));
  const currentVersion = newestVersion(history.map((row) => row.version));
  const pending = files
    .filter((file) => !applied.has(file.version))
    .sort((a, b) => compareVersions(a.version, b.version));
  const drifted = files.flatMap((file) => {
    const row = applied.get(file.version);
    return row && row.checksum !== file.checksum ? [{ file, applied: row }] : [];
  });
  return {
    pending,
    outOfOrder:
      currentVersion === undefined
        ? []
        : pending.filter((file) => compareVersions(file.version, currentVersion) < 0),
    drifted,
    missing: history
      .filter((row) => !fileVersions.has(row.version))
      .sort((a, b) => compareVersions(a.version, b.version)),
    currentVersion,
  };
}

export function newestVersion(versions: readonly string[]): string | undefined {
  return [...versions].sort(compareVersions).pop();
}

/**
 * Throws when the plan must not run: an applied file changed (both checksums
 * named), or a new file is older than the newest applied one and
 * out-of-order migrations are not allowed.
 */
export function assertPlanCanRun(plan: MigrationPlan, options: { allowOutOfOrder: boolean }): void {
  const [firstDrift] = plan.drifted;
  if (firstDrift) {
    const details = plan.drifted.map(describeDrift).join('; ');
    throw new UserError(
      `${plan.drifted.length === 1 ? 'An applied migration was' : `${plan.drifted.length} applied migrations were`} changed after it was applied: ${details}.`,
      {
        file: firstDrift.file.path,
        line: 1,
        hint: 'Applied migrations must not change: restore the applied content and put the change in a new migration. If the edit is harmless (a comment), set the checksum in the history table to the new one by hand.',
      },
    );
  }
  const [firstLate] = plan.outOfOrder;
  if (firstLate && !options.allowOutOfOrder) {
    const late = plan.outOfOrder.map((file) => `${file.path} (${file.version})`).join(', ');
    throw new UserError(
      `New migrations are older than the newest applied version ${plan.currentVersion}: ${late}.`,
      {
        file: firstLate.path,
        line: 1,
        hint: 'Give them versions above the newest applied one (a branch merged after a newer migration was deployed?), or set allow-out-of-order: true to apply them anyway.',
      },
    );
  }
}

function describeDrift({ file, applied }: Drift): string {
  return `${file.path} (version ${file.version}) has checksum ${file.checksum}, but ${applied.checksum} was applied on ${applied.appliedAt.toISOString()} by ${applied.appliedBy}`;
}
