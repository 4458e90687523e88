/**
 * The one validator of sync options: the engine runs it on the options it is
 * given (a caller may build them by hand), and the input reader reads within
 * the same limits. Naming rules are in names.ts, glob rules in globs.ts.
 */
import { InputError } from '@deploy-actions/action-kit/engine';
import { validateGlobs } from './globs.js';
import { CLOUDFRONT_MAX_PATHS } from './invalidation.js';
import { normaliseOriginPath, normalisePrefix, validateBucketName } from './names.js';
import type { SyncOptions } from './types.js';

/** The whole-number options' ranges, as the input reader reads them too. */
export const SYNC_LIMITS = {
  concurrency: { min: 1, max: 64 },
  maxDeletes: { min: 0 },
  invalidationMaxPaths: { min: 1, max: CLOUDFRONT_MAX_PATHS },
} as const;

export type ScanBuildOptions = Pick<
  SyncOptions,
  'sourceDir' | 'include' | 'exclude' | 'concurrency'
>;

/** The options as the engine uses them: the prefix and origin path normalised. */
export interface SyncSettings {
  prefix: string;
  originPath: string;
}

/** What scanning the build needs checked: the globs that select its files. */
export function validateScanOptions(options: ScanBuildOptions): void {
  validateGlobs('include', options.include);
  validateGlobs('exclude', options.exclude);
}

/** Every check of the options, before anything is read or written; throws an InputError. */
export function validateSyncOptions(options: SyncOptions): SyncSettings {
  validateBucketName(options.bucket);
  validateScanOptions(options);
  validateGlobs('upload-last', options.uploadLast);
  assertWholeNumber('concurrency', options.concurrency, SYNC_LIMITS.concurrency);
  assertWholeNumber('max-deletes', options.maxDeletes, SYNC_LIMITS.maxDeletes);
  assertWholeNumber(
    'invalidation-max-paths',
    options.invalidationMaxPaths,
    SYNC_LIMITS.invalidationMaxPaths,
  );
  return {
    prefix: normalisePrefix(options.prefix),
    originPath: normaliseOriginPath(options.originPath),
  };
}

function assertWholeNumber(
  input: string,
  value: number,
  { min, max = Number.MAX_SAFE_INTEGER }: { min: number; max?: number },
): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new InputError(input, String(value), `a whole number from ${min} to ${max}`);
  }
}
