import type { SummarySection } from '@deploy-actions/action-kit';
import {
  summarizeDistribution,
  summarizeSync,
  type DistributionInfo,
  type SyncReport,
} from '@deploy-actions/s3-sync';

/** The engine's summary (counts, invalidation, slowest/largest files or the dry-run plan) plus the distribution used. */
export function summarySections(
  report: SyncReport,
  distribution: DistributionInfo | undefined,
): SummarySection[] {
  const sections: SummarySection[] = summarizeSync(report);
  if (distribution !== undefined) sections.push(summarizeDistribution(distribution));
  return sections;
}
