/**
 * Modes 1 and 2 (the built-in migrator or a command on the runner) as both
 * run-migrations and the root pipeline read them: the engine's inputs, the
 * connection timeout, and warnings for inputs that have no effect.
 */
import type { Inputs } from '@deploy-actions/action-kit/engine';
import { ignoredEcsInputs } from './ecs/inputs.js';
import { discoverMigrations } from './files.js';
import { readMigrateInputs, type MigrateInputs } from './inputs.js';
import { readCaBundle } from './ssl.js';

export const DEFAULT_CONNECT_TIMEOUT = '30s';

export interface RunnerMigrateInputs {
  options: MigrateInputs & { connectTimeoutMs: number };
  /** Inputs that were set but have no effect, in words. */
  warnings: string[];
}

export function readRunnerMigrateInputs(inputs: Inputs): RunnerMigrateInputs {
  const { options, warnings } = readMigrateInputs(inputs);
  const connectTimeoutMs = inputs.duration('connect-timeout', {
    fallback: DEFAULT_CONNECT_TIMEOUT,
    minMs: 1_000,
    maxMs: 600_000,
  });
  if (options.mode.kind === 'command' && inputs.optional('connect-timeout') !== undefined) {
    warnings.push('The input connect-timeout has no effect with command; it is ignored.');
  }
  warnings.push(...ignoredEcsInputs(inputs));
  return { options: { ...options, connectTimeoutMs }, warnings };
}

/**
 * What can be checked on disk, checked before any AWS call or connection: a
 * missing or badly named migrations folder, an unreadable CA file. (The
 * engine reads them again when it runs; they are small.)
 */
export async function checkMigrationFiles(
  options: MigrateInputs,
  workspaceDir: string,
): Promise<void> {
  if (options.mode.kind !== 'sql') return;
  await discoverMigrations(options.mode.migrationsDir, { workspaceDir });
  await readCaBundle(options.ssl.caFile, workspaceDir);
}
