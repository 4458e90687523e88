import type { Inputs } from '@deploy-actions/action-kit/engine';
import { splitGlobList, validateGlobs } from './globs.js';
import { DEFAULT_UPLOAD_LAST } from './headers.js';
import { parseCacheControlRules, parseContentTypeRules } from './rules.js';
import { normalisePrefix, validateBucketName, validateDistributionId } from './names.js';
import type { InvalidationMode, SyncOptions } from './types.js';
import { SYNC_LIMITS } from './validate.js';

/** Everything the sync action reads, validated; the shell adds the origin path it looked up. */
export interface SyncInputs extends Omit<SyncOptions, 'originPath'> {
  distributionId: string | undefined;
}

export const INVALIDATION_MODES: readonly InvalidationMode[] = ['changed', 'all', 'none'];

/**
 * Reads and validates the sync inputs (names as in the issue); throws an
 * InputError naming the first bad one. Defaults here must equal action.yml's
 * (a unit test compares them). Every input is read by a literal
 * `inputs.<reader>('name'` call: the action metadata test finds them that way.
 */
export function readSyncInputs(inputs: Inputs): SyncInputs {
  const distributionId = inputs.optional('distribution-id');
  return {
    sourceDir: inputs.required('source-dir'),
    bucket: validateBucketName(inputs.required('bucket')),
    prefix: normalisePrefix(inputs.string('prefix', '')),
    include: globList('include', inputs.optional('include'), ['**']),
    exclude: globList('exclude', inputs.optional('exclude'), []),
    uploadLast: globList('upload-last', inputs.optional('upload-last'), DEFAULT_UPLOAD_LAST),
    cacheControlRules: parseCacheControlRules(inputs.string('cache-control', '')),
    contentTypeRules: parseContentTypeRules(inputs.string('content-type', '')),
    delete: inputs.boolean('delete', true),
    maxDeletes: inputs.integer('max-deletes', { fallback: 500, ...SYNC_LIMITS.maxDeletes }),
    distributionId:
      distributionId === undefined ? undefined : validateDistributionId(distributionId),
    invalidation: inputs.choice('invalidation', INVALIDATION_MODES, 'changed'),
    invalidationMaxPaths: inputs.integer('invalidation-max-paths', {
      fallback: 100,
      ...SYNC_LIMITS.invalidationMaxPaths,
    }),
    waitForInvalidation: inputs.boolean('wait-for-invalidation', true),
    invalidationTimeoutMs: inputs.duration('invalidation-timeout', {
      fallback: '20m',
      minMs: 10_000,
      maxMs: 6 * 3_600_000,
    }),
    concurrency: inputs.integer('concurrency', { fallback: 8, ...SYNC_LIMITS.concurrency }),
    dryRun: inputs.boolean('dry-run', false),
  };
}

function globList(name: string, value: string | undefined, fallback: readonly string[]): string[] {
  const globs = value === undefined ? [...fallback] : splitGlobList(value);
  validateGlobs(name, globs);
  return globs;
}
