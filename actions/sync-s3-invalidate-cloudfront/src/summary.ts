import type { SummarySection } from '@deploy-actions/action-kit';
import { summarizeSync, type BucketOrigin, type SyncReport } from '@deploy-actions/s3-sync';

export interface DistributionInfo {
  id: string;
  origin: BucketOrigin;
}

/** The engine's summary (counts, invalidation, slowest/largest files or the dry-run plan) plus the distribution used. */
export function summarySections(
  report: SyncReport,
  distribution: DistributionInfo | undefined,
): SummarySection[] {
  const sections: SummarySection[] = summarizeSync(report);
  if (distribution !== undefined) {
    const { id, origin } = distribution;
    sections.push({
      heading: 'CloudFront',
      lines: [
        origin.warning ??
          `Distribution ${id}, origin ${origin.originId ?? '?'} (${origin.domainName ?? '?'}${origin.originPath === '' ? '' : `, origin path ${origin.originPath}`}).`,
      ],
    });
  }
  return sections;
}
