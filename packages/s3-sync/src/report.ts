import { formatDuration } from '@deploy-actions/action-kit/engine';
import type { BucketOrigin } from './cloudfront.js';
import type { SyncPlan, SyncReport } from './types.js';

/** `950 B`, `12.3 kB`, `4.0 MB`, `1.2 GB` (decimal units, as browsers and S3's console show them). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** One line: `3 uploads (1.2 MB), 1 header fix, 120 unchanged, 2 deletes, 4 invalidation paths`. */
export function planSummary(plan: SyncPlan): string {
  const bytes = plan.uploads.reduce((sum, upload) => sum + upload.file.size, 0);
  const parts = [
    `${count(plan.uploads.length, 'upload')} (${formatBytes(bytes)})`,
    count(plan.metadataUpdates.length, 'header fix', 'header fixes'),
    `${plan.unchanged.length} unchanged`,
    count(plan.deletes.length, 'delete'),
    count(plan.invalidationPaths.length, 'invalidation path'),
  ];
  if (plan.staleKept.length > 0) parts.push(`${plan.staleKept.length} stale kept (delete: false)`);
  return parts.join(', ');
}

/** The plan, one change per line, in the order it is carried out. */
export function planLines(plan: SyncPlan): string[] {
  return [
    ...plan.uploads.map(
      (u) =>
        `upload ${u.key} (${formatBytes(u.file.size)}, ${u.reason}${u.entry ? ', entry' : ''}; ${u.headers.contentType}; ${u.headers.cacheControl})`,
    ),
    ...plan.metadataUpdates.map((u) => `fix headers of ${u.key}: ${u.changes.join('; ')}`),
    ...plan.invalidationPaths.map((path) => `invalidate ${path}`),
    ...plan.deletes.map((key) => `delete ${key}`),
  ];
}

/** The action's outputs, as strings. `invalidated-paths` is a JSON array. */
/** sync-s3-invalidate-cloudfront's outputs, as its action.yml declares them. */
export const SYNC_OUTPUTS = [
  'uploaded',
  'metadata-updated',
  'unchanged',
  'deleted',
  'bytes-uploaded',
  'invalidation-id',
  'invalidated-paths',
] as const;

export function syncOutputs(report: SyncReport): Record<(typeof SYNC_OUTPUTS)[number], string> {
  return {
    uploaded: String(report.uploaded),
    'metadata-updated': String(report.metadataUpdated),
    unchanged: String(report.unchanged),
    deleted: String(report.deleted),
    'bytes-uploaded': String(report.bytesUploaded),
    'invalidation-id': report.invalidationId ?? '',
    'invalidated-paths': JSON.stringify(report.invalidatedPaths),
  };
}

/** Same shape as action-kit's SummarySection, which engines cannot import (it needs @actions/core). */
export interface SummaryBlock {
  heading: string;
  lines?: string[];
  table?: string[][];
  details?: { label: string; text: string };
}

const TOP = 5;
const DRY_RUN_ROWS = 50;

/** The job summary: counts, the invalidation, the slowest and largest files; in a dry run, the plan. */
export function summarizeSync(report: SyncReport): SummaryBlock[] {
  const verb = report.dryRun
    ? 'Would sync'
    : report.cancelled !== undefined
      ? 'Cancelled: partly synced'
      : 'Synced';
  const blocks: SummaryBlock[] = [
    {
      heading: `${verb} ${report.target}`,
      lines: [
        `${report.dryRun ? 'Dry run: nothing was changed. ' : ''}Took ${formatDuration(report.durationMs)}.`,
        ...(report.cancelled === undefined ? [] : [report.cancelled]),
        ...pendingLines(report),
        ...report.plan.warnings,
      ],
      table: [
        ['Uploaded', 'Headers updated', 'Unchanged', 'Deleted', 'Bytes uploaded', 'Invalidation'],
        [
          String(report.uploaded),
          String(report.metadataUpdated),
          String(report.unchanged),
          String(report.deleted),
          formatBytes(report.bytesUploaded),
          invalidationCell(report),
        ],
      ],
    },
  ];
  if (report.invalidatedPaths.length > 0) {
    blocks.push({
      heading: 'Invalidated paths',
      details: {
        label: `${report.invalidatedPaths.length} paths`,
        text: report.invalidatedPaths.join('\n'),
      },
    });
  }
  if (report.dryRun) blocks.push(...planBlocks(report.plan));
  else blocks.push(...slowestAndLargest(report));
  return blocks;
}

/** An interrupted deploy's paths, merged into this one's invalidation. */
function pendingLines(report: SyncReport): string[] {
  const pending = report.plan.pendingInvalidation;
  if (pending === undefined) return [];
  const verb = report.dryRun ? 'Would also invalidate' : 'Also invalidated';
  return [
    pending.all
      ? `${verb} everything under the root: the record of paths an earlier deploy did not invalidate could not be read.`
      : `${verb} the paths of ${count(pending.keys.length, 'object')} that an earlier, interrupted deploy overwrote without invalidating them.`,
  ];
}

function invalidationCell(report: SyncReport): string {
  if (report.invalidationId !== undefined) return report.invalidationId;
  return report.invalidatedPaths.length === 0
    ? 'none'
    : count(report.invalidatedPaths.length, 'path');
}

function planBlocks(plan: SyncPlan): SummaryBlock[] {
  const blocks: SummaryBlock[] = [];
  if (plan.uploads.length > 0) {
    blocks.push({
      heading: 'Would upload',
      table: limitRows(
        ['Key', 'Size', 'Why', 'Content-Type', 'Cache-Control'],
        plan.uploads.map((u) => [
          u.key,
          formatBytes(u.file.size),
          u.entry ? `${u.reason}, entry (last)` : u.reason,
          u.headers.contentType,
          u.headers.cacheControl,
        ]),
      ),
    });
  }
  if (plan.metadataUpdates.length > 0) {
    blocks.push({
      heading: 'Would fix headers (CopyObject, no re-upload)',
      table: limitRows(
        ['Key', 'Changes'],
        plan.metadataUpdates.map((u) => [u.key, u.changes.join('; ')]),
      ),
    });
  }
  if (plan.deletes.length > 0) {
    blocks.push({
      heading: 'Would delete (after the invalidation)',
      table: limitRows(
        ['Key'],
        plan.deletes.map((key) => [key]),
      ),
    });
  }
  return blocks;
}

function slowestAndLargest(report: SyncReport): SummaryBlock[] {
  const sent = report.transfers.filter((t) => t.method !== 'copy');
  if (sent.length === 0) return [];
  const row = (t: (typeof sent)[number]) => [
    t.key,
    formatBytes(t.bytes),
    formatDuration(t.ms),
    t.method,
  ];
  const header = ['Key', 'Size', 'Time', 'How'];
  return [
    {
      heading: 'Slowest uploads',
      table: [
        header,
        ...[...sent]
          .sort((a, b) => b.ms - a.ms)
          .slice(0, TOP)
          .map(row),
      ],
    },
    {
      heading: 'Largest uploads',
      table: [
        header,
        ...[...sent]
          .sort((a, b) => b.bytes - a.bytes)
          .slice(0, TOP)
          .map(row),
      ],
    },
  ];
}

function limitRows(header: string[], rows: string[][]): string[][] {
  if (rows.length <= DRY_RUN_ROWS) return [header, ...rows];
  const more = [`… and ${rows.length - DRY_RUN_ROWS} more`, ...header.slice(1).map(() => '')];
  return [header, ...rows.slice(0, DRY_RUN_ROWS), more];
}

function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}

/** The distribution a deploy invalidated, and the origin that serves its bucket. */
export interface DistributionInfo {
  id: string;
  origin: BucketOrigin;
}

/** The summary block naming the distribution and origin (or why no origin serves the bucket). */
export function summarizeDistribution({ id, origin }: DistributionInfo): SummaryBlock {
  const path = origin.originPath === '' ? '' : `, origin path ${origin.originPath}`;
  return {
    heading: 'CloudFront',
    lines: [
      origin.warning ??
        `Distribution ${id}, origin ${origin.originId ?? '?'} (${origin.domainName ?? '?'}${path}).`,
    ],
  };
}
