import {
  formatDuration,
  systemClock,
  type Clock,
  type Logger,
} from '@deploy-actions/action-kit/engine';
import { cancelledMessage, whenAborted } from './cancel.js';
import { invalidationCallerReference } from './cloudfront.js';
import { compileGlobs, createFileFilter, type FileFilter } from './globs.js';
import { createHeaderPolicy } from './headers.js';
import { scanSourceDir } from './local.js';
import {
  assertNoReservedFiles,
  isReservedPath,
  pendingInvalidationKey,
  readPendingInvalidation,
  removePendingInvalidation,
  writePendingInvalidation,
} from './pending.js';
import { objectKey, planSync } from './plan.js';
import { forEachConcurrently } from './pool.js';
import { describeObjects, listObjects } from './remote.js';
import { formatBytes, planLines, planSummary } from './report.js';
import { DEFAULT_MULTIPART, deleteKeys, updateMetadata, uploadFile } from './transfer.js';
import type {
  LocalFile,
  MultipartSettings,
  PendingInvalidation,
  PlannedMetadataUpdate,
  PlannedUpload,
  SyncDeps,
  SyncOptions,
  SyncPlan,
  SyncReport,
  TransferRecord,
} from './types.js';
import {
  validateScanOptions,
  validateSyncOptions,
  type ScanBuildOptions,
  type SyncSettings,
} from './validate.js';

/**
 * Deploys source-dir to s3://bucket/prefix so that a visitor never loads a page
 * that references a missing asset: every non-entry file first, then the entry
 * files, then the invalidation (waited for), and only then the deletion of
 * stale objects. Everything that can be checked locally (inputs, the build
 * output, max-deletes) is checked before the first write. After deps.signal
 * no write starts and the invalidation wait ends: the report says what was
 * left (`cancelled`).
 */
export async function syncToS3(options: SyncOptions, deps: SyncDeps): Promise<SyncReport> {
  const clock = deps.clock ?? systemClock;
  const started = clock.now();
  const settings = {
    ...validateSyncOptions(options),
    multipart: options.multipart ?? DEFAULT_MULTIPART,
  };
  const filter = createFileFilter(options.include, options.exclude);
  const plan = await makePlan(options, settings, filter, deps);
  await logPlan(deps.logger, plan, options.dryRun);
  logPendingInvalidation(deps.logger, plan, settings.prefix, options);
  const report = plannedReport(options, settings.prefix, plan);
  if (options.dryRun) {
    deps.logger.info('Dry run: nothing was changed.');
    return { ...report, durationMs: clock.now() - started };
  }
  const transfers: TransferRecord[] = [];
  const run: Run = {
    options,
    deps,
    clock,
    plan,
    prefix: settings.prefix,
    multipart: settings.multipart,
    transfers,
    record: {
      toWrite: recordToWrite(plan, deps.invalidator !== undefined),
      written: undefined,
    },
    stopped: false,
    invalidation: { id: undefined, completed: false },
  };
  await runPhase(run, 'Phase 1: files other than entry files', false);
  await runPhase(run, 'Phase 2: entry files (upload-last)', true);
  const invalidationId = await invalidate(run, plan.invalidationPaths);
  if (plan.deletes.length > 0 && !cancelledNow(run)) {
    await deps.logger.group(`Deleting ${plan.deletes.length} stale objects`, async () => {
      await deleteKeys(deps.s3, options.bucket, plan.deletes);
      for (const key of plan.deletes) deps.logger.info(`deleted ${key}`);
    });
  }
  const done = { ...report, transfers, invalidationId, durationMs: clock.now() - started };
  return run.stopped ? cancelledReport(run, done) : done;
}

/** True once the signal aborted; marks the run as cut short (something was left). */
function cancelledNow(run: Run): boolean {
  if (run.deps.signal?.aborted !== true) return false;
  run.stopped = true;
  return true;
}

/** The report of a sync the signal cut short: counts what was really done. */
function cancelledReport(run: Run, report: SyncReport): SyncReport {
  const uploads = run.transfers.filter((t) => t.method !== 'copy');
  const cancelled = cancelledMessage({
    plan: run.plan,
    transfers: run.transfers,
    invalidationId: run.invalidation.id,
    invalidationCompleted: run.invalidation.completed,
    recordWhere:
      run.record.written !== undefined && run.invalidation.id === undefined
        ? `s3://${run.options.bucket}/${pendingInvalidationKey(run.prefix)}`
        : undefined,
  });
  run.deps.logger.warning(cancelled);
  return {
    ...report,
    uploaded: uploads.length,
    metadataUpdated: run.transfers.length - uploads.length,
    deleted: 0,
    bytesUploaded: uploads.reduce((sum, t) => sum + t.bytes, 0),
    cancelled,
  };
}

/**
 * Hashes the files of source-dir that include/exclude select. Fails with a
 * UserError on bad globs, a missing source-dir, an empty build, or a symbolic
 * link that leaves source-dir. Needs no AWS access: an action calls it before
 * opening its AWS session and hands the result to syncToS3 as `scanned`.
 */
export async function scanBuild(options: ScanBuildOptions, logger: Logger): Promise<LocalFile[]> {
  validateScanOptions(options);
  return scan(options, logger);
}

/** scanBuild without the checks, for syncToS3, which made them already. */
function scan(options: ScanBuildOptions, logger: Logger): Promise<LocalFile[]> {
  const filter = createFileFilter(options.include, options.exclude);
  return logger.group(`Hashing the files in ${options.sourceDir}`, async () => {
    const found = await scanSourceDir({
      sourceDir: options.sourceDir,
      filter,
      concurrency: options.concurrency,
    });
    assertNoReservedFiles(found);
    const bytes = found.reduce((sum, file) => sum + file.size, 0);
    logger.info(`${found.length} files, ${formatBytes(bytes)}`);
    return found;
  });
}

async function makePlan(
  options: SyncOptions,
  settings: SyncSettings & { multipart: MultipartSettings },
  filter: FileFilter,
  deps: SyncDeps,
): Promise<SyncPlan> {
  const { logger, s3 } = deps;
  const files = options.scanned ?? (await scan(options, logger));
  const target = `s3://${options.bucket}/${settings.prefix}`;
  const recordKey = pendingInvalidationKey(settings.prefix);
  const invalidating = deps.invalidator !== undefined && options.invalidation !== 'none';
  const { listed, details, recordFound, pending } = await logger.group(
    `Comparing with ${target}`,
    async () => {
      const listedObjects = await listObjects(s3, options.bucket, settings.prefix);
      const found = listedObjects.has(recordKey);
      // The engine's own objects are neither the build's nor stale.
      for (const key of listedObjects.keys()) {
        if (isReservedPath(key.slice(settings.prefix.length))) listedObjects.delete(key);
      }
      const localKeys = new Set(files.map((file) => objectKey(settings.prefix, file.relPath)));
      const toDescribe = [...listedObjects.keys()].filter((key) => localKeys.has(key));
      logger.info(
        `${listedObjects.size} objects under the prefix; reading ${toDescribe.length} headers`,
      );
      const [described, record] = await Promise.all([
        describeObjects(s3, options.bucket, toDescribe, options.concurrency),
        found && invalidating
          ? readPendingInvalidation(s3, options.bucket, settings.prefix)
          : Promise.resolve(undefined),
      ]);
      return { listed: listedObjects, details: described, recordFound: found, pending: record };
    },
  );
  const plan = planSync({
    bucket: options.bucket,
    prefix: settings.prefix,
    files,
    listed,
    details,
    headers: createHeaderPolicy({
      cacheControl: options.cacheControlRules,
      contentType: options.contentTypeRules,
    }),
    isEntry: compileGlobs(options.uploadLast, { dot: true }),
    inScope: filter.selects,
    delete: options.delete,
    maxDeletes: options.maxDeletes,
    invalidation: {
      mode: deps.invalidator === undefined ? 'none' : options.invalidation,
      originPath: settings.originPath,
      maxPaths: options.invalidationMaxPaths,
    },
    ...(pending === undefined ? {} : { pendingInvalidation: pending }),
  });
  if (recordFound && !invalidating) {
    plan.warnings.push(
      `s3://${options.bucket}/${recordKey} records paths an earlier, interrupted deploy overwrote but did not invalidate; this deploy invalidates nothing (${deps.invalidator === undefined ? 'no distribution' : 'invalidation: none'}), so it is left for the next deploy that does.`,
    );
  }
  return plan;
}

function logPendingInvalidation(
  logger: Logger,
  plan: SyncPlan,
  prefix: string,
  options: SyncOptions,
): void {
  const pending = plan.pendingInvalidation;
  if (pending === undefined) return;
  const record = `s3://${options.bucket}/${pendingInvalidationKey(prefix)}`;
  const verb = options.dryRun ? 'would invalidate' : 'invalidates';
  if (pending.all) {
    logger.warning(
      `${record} records an invalidation an earlier deploy did not make, but cannot be read (${pending.problem ?? 'unknown problem'}): this deploy ${verb} everything under its root instead.`,
    );
    return;
  }
  const keys = pending.keys;
  const examples = keys.slice(0, 5).join(', ') + (keys.length > 5 ? ', …' : '');
  logger.info(
    `An earlier deploy overwrote ${keys.length} objects and was interrupted before invalidating them (recorded in ${record}): this deploy ${verb} them too: ${examples}`,
  );
}

/**
 * What this deploy must have recorded (pending.ts) before its first overwrite:
 * its overwritten keys with those of a record it found. Undefined when it
 * invalidates nothing, overwrites nothing, or the record already holds them.
 */
function recordToWrite(
  plan: SyncPlan,
  hasInvalidator: boolean,
): Pick<PendingInvalidation, 'keys' | 'all'> | undefined {
  const overwritten = plan.overwrittenKeys ?? [];
  if (!hasInvalidator || plan.invalidationPaths.length === 0 || overwritten.length === 0) {
    return undefined;
  }
  const pending = plan.pendingInvalidation;
  if (pending?.all === true) return undefined; // the unreadable record stands for everything
  const recorded = new Set(pending?.keys ?? []);
  if (overwritten.every((key) => recorded.has(key))) return undefined;
  return { keys: [...new Set([...recorded, ...overwritten])].sort(), all: false };
}

async function logPlan(logger: Logger, plan: SyncPlan, dryRun: boolean): Promise<void> {
  for (const warning of plan.warnings) logger.warning(warning);
  logger.info(`${dryRun ? 'Plan (dry run)' : 'Plan'}: ${planSummary(plan)}`);
  const lines = planLines(plan);
  if (dryRun && lines.length > 0) {
    await logger.group('What would change', async () => lines.forEach((line) => logger.info(line)));
  }
}

interface Run {
  options: SyncOptions;
  deps: SyncDeps;
  clock: Clock;
  plan: SyncPlan;
  /** Normalised. */
  prefix: string;
  multipart: MultipartSettings;
  transfers: TransferRecord[];
  record: {
    /** What to record before the first overwrite; undefined when nothing. */
    toWrite: Pick<PendingInvalidation, 'keys' | 'all'> | undefined;
    /** Shared by every transfer that overwrites: the record is written once. */
    written: Promise<void> | undefined;
  };
  /** The signal made the run skip something. */
  stopped: boolean;
  invalidation: { id: string | undefined; completed: boolean };
}

type Work =
  { kind: 'upload'; item: PlannedUpload } | { kind: 'metadata'; item: PlannedMetadataUpdate };

/** The uploads and header fixes of one phase, `concurrency` at a time; returns when all ended. */
async function runPhase(run: Run, title: string, entry: boolean): Promise<void> {
  const work: Work[] = [
    ...run.plan.uploads
      .filter((item) => item.entry === entry)
      .map((item) => ({ kind: 'upload' as const, item })),
    ...run.plan.metadataUpdates
      .filter((item) => item.entry === entry)
      .map((item) => ({ kind: 'metadata' as const, item })),
  ];
  if (work.length === 0) return;
  await run.deps.logger.group(`${title} (${work.length})`, () =>
    forEachConcurrently(work, run.options.concurrency, (next) => transfer(run, next)),
  );
}

async function transfer(run: Run, work: Work): Promise<void> {
  const { s3, logger } = run.deps;
  const started = run.clock.now();
  const { key, file } = work.item;
  // Cancelled: nothing new starts; the transfers in flight finish.
  if (cancelledNow(run)) return;
  // CloudFront may cache the old version: the record must exist before it is replaced.
  if (work.kind === 'metadata' || work.item.reason === 'changed') await recordPending(run);
  if (work.kind === 'upload') {
    const method = await uploadFile(s3, run.options.bucket, work.item, run.multipart);
    const ms = run.clock.now() - started;
    run.transfers.push({ key, bytes: file.size, ms, method });
    const how = method === 'multipart' ? ', multipart' : '';
    logger.info(
      `uploaded ${key} (${formatBytes(file.size)}, ${work.item.reason}${how}) in ${formatDuration(ms)}`,
    );
  } else {
    await updateMetadata(s3, run.options.bucket, work.item);
    run.transfers.push({ key, bytes: 0, ms: run.clock.now() - started, method: 'copy' });
    logger.info(`updated the headers of ${key}: ${work.item.changes.join('; ')}`);
  }
}

/** Writes the pending-invalidation record (once) when this deploy must have one. */
function recordPending(run: Run): Promise<void> {
  const { record } = run;
  if (record.toWrite === undefined) return Promise.resolve();
  if (record.written === undefined) {
    const toWrite = record.toWrite;
    record.written = writePendingInvalidation(
      run.deps.s3,
      run.options.bucket,
      run.prefix,
      toWrite,
      run.clock,
    ).then(() =>
      run.deps.logger.info(
        `Recorded ${toWrite.keys.length} keys to invalidate in s3://${run.options.bucket}/${pendingInvalidationKey(run.prefix)} before overwriting them (removed once the invalidation is created)`,
      ),
    );
  }
  return record.written;
}

/**
 * Once the invalidation was created, the record's paths are CloudFront's to
 * finish: it is removed. A failure to remove it does not fail the deploy: the
 * next deploy invalidates its paths once more, no worse.
 */
async function removeRecord(run: Run): Promise<void> {
  const { record } = run;
  if (record.written === undefined && run.plan.pendingInvalidation === undefined) return;
  const { logger } = run.deps;
  const where = `s3://${run.options.bucket}/${pendingInvalidationKey(run.prefix)}`;
  try {
    const outcome = await removePendingInvalidation(
      run.deps.s3,
      run.options.bucket,
      run.prefix,
      run.clock,
    );
    if (outcome === 'removed') logger.info(`Removed ${where}: the invalidation covers its paths`);
    else {
      logger.warning(
        `AWS denied s3:DeleteObject on ${where}, so the record of pending invalidation paths was emptied instead of removed. Grant the role "s3:DeleteObject" on "arn:aws:s3:::${run.options.bucket}/${run.prefix}*" to let it be removed.`,
      );
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    logger.warning(
      `Could not remove ${where} (${message}); the next deploy will invalidate its paths once more.`,
    );
  }
}

async function invalidate(run: Run, paths: readonly string[]): Promise<string | undefined> {
  const invalidator = run.deps.invalidator;
  if (invalidator === undefined || paths.length === 0) return undefined;
  const { logger } = run.deps;
  const reference = invalidationCallerReference({
    deployId: run.options.deployId,
    bucket: run.options.bucket,
    prefix: run.prefix,
    paths,
    changes: planChanges(run.plan),
  });
  if (cancelledNow(run)) return undefined;
  return logger.group(`Invalidating ${paths.length} CloudFront paths`, async () => {
    const id = await invalidator.create(paths, reference);
    run.invalidation.id = id;
    // Created is enough: CloudFront completes it whether or not this step waits.
    await removeRecord(run);
    const started = run.clock.now();
    const staleObjects = run.plan.deletes.length;
    if (!run.options.waitForInvalidation && staleObjects === 0) {
      logger.info(`Invalidation ${id} created; not waiting for it (wait-for-invalidation: false)`);
      return id;
    }
    logger.info(
      run.options.waitForInvalidation
        ? `Invalidation ${id} created; waiting for it to complete`
        : `Invalidation ${id} created; waiting for it anyway: ${staleObjects} stale objects are deleted only after it completed`,
    );
    const signal = run.deps.signal;
    const waiting = invalidator.wait(id, run.options.invalidationTimeoutMs, signal);
    if (signal !== undefined) {
      waiting.catch(() => {}); // a timeout after the cancel is nobody's error
      const completed = await Promise.race([
        waiting.then(() => !signal.aborted),
        whenAborted(signal).then(() => false),
      ]);
      if (!completed && cancelledNow(run)) return id;
    } else await waiting;
    run.invalidation.completed = true;
    logger.info(`Invalidation ${id} completed in ${formatDuration(run.clock.now() - started)}`);
    return id;
  });
}

/** What a deploy writes, one line per object: part of its invalidation's CallerReference. */
function planChanges(plan: SyncPlan): string[] {
  return [
    ...plan.uploads.map(
      (u) => `put ${u.key} ${u.file.sha256} ${u.headers.contentType} ${u.headers.cacheControl}`,
    ),
    ...plan.metadataUpdates.map(
      (u) => `headers ${u.key} ${u.file.sha256} ${u.headers.contentType} ${u.headers.cacheControl}`,
    ),
    ...plan.deletes.map((key) => `delete ${key}`),
  ];
}

/** The report as the plan predicts it; a real run adds what it measured. */
function plannedReport(options: SyncOptions, prefix: string, plan: SyncPlan): SyncReport {
  return {
    dryRun: options.dryRun,
    target: `s3://${options.bucket}/${prefix}`,
    plan,
    uploaded: plan.uploads.length,
    metadataUpdated: plan.metadataUpdates.length,
    unchanged: plan.unchanged.length,
    deleted: plan.deletes.length,
    bytesUploaded: plan.uploads.reduce((sum, upload) => sum + upload.file.size, 0),
    invalidationId: undefined,
    invalidatedPaths: plan.invalidationPaths,
    transfers: [],
    durationMs: 0,
  };
}
