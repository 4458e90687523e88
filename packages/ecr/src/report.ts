/**
 * What a build-push run reports: its outputs and its job summary tables,
 * shared by build-push-ecr and the root pipeline (which writes the same
 * tables in its one summary).
 */
import { formatDuration } from '@deploy-actions/action-kit/engine';
import type { BuildPushResult } from './build-push.js';
import { SEVERITIES } from './scan.js';

/** Same shape as action-kit's SummarySection, which engines cannot import (it needs @actions/core). */
export interface SummaryBlock {
  heading: string;
  lines?: string[];
  table?: string[][];
  details?: { label: string; text: string };
}

/** build-push-ecr's outputs, as its action.yml declares them. */
export const BUILD_PUSH_OUTPUTS = [
  'image',
  'image-tag-uri',
  'digest',
  'tags',
  'registry',
  'repository-uri',
  'skipped',
  'scan-findings',
] as const;
export type BuildPushOutputs = Record<(typeof BUILD_PUSH_OUTPUTS)[number], string>;

/**
 * The action's outputs, as strings, under build-push-ecr's names (the root
 * pipeline sets `image` as build-image: App Runner's image is another).
 */
export function buildPushOutputs(result: BuildPushResult): BuildPushOutputs {
  return {
    image: result.image,
    'image-tag-uri': result.imageTagUri,
    digest: result.digest,
    tags: result.tags.join(','),
    registry: result.registry,
    'repository-uri': result.repositoryUri,
    skipped: String(result.skipped),
    'scan-findings': JSON.stringify(
      result.scan && 'counts' in result.scan ? result.scan.counts : {},
    ),
  };
}

/** The image, its tags and build, then the scan's counts and worst findings. */
export function summarizeBuildPush(result: BuildPushResult): SummaryBlock[] {
  const sections: SummaryBlock[] = [
    {
      heading: 'build-push-ecr',
      table: [
        ['', ''],
        ['Image', result.image || '(not pushed)'],
        ['Tags', result.tags.join(', ')],
        ['Repository', `${result.repositoryUri}${result.repositoryCreated ? ' (created)' : ''}`],
        [
          'Build',
          result.skipped
            ? `skipped: the commit's image exists${result.addedTags.length ? `; added ${result.addedTags.join(', ')}` : ''}`
            : `${result.builder} builder, ${formatDuration(result.buildMs)}`,
        ],
      ],
    },
  ];
  const scan = result.scan;
  if (scan && 'counts' in scan) {
    sections.push({
      heading: `Scan (${scan.status === 'ACTIVE' ? 'enhanced' : 'basic'})`,
      table: [SEVERITIES.slice(), SEVERITIES.map((s) => String(scan.counts[s]))],
      lines:
        scan.ignored > 0 ? [`${scan.ignored} finding(s) ignored by ignore-vulnerabilities.`] : [],
    });
    const worst = [...scan.findings]
      .sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity))
      .slice(0, 10);
    if (worst.length > 0) {
      sections.push({
        heading: 'Worst findings',
        table: [
          ['Id', 'Severity', 'Package', 'Installed', 'Fixed in'],
          ...worst.map((f) => [
            f.id,
            f.severity,
            f.packageName,
            f.installedVersion,
            f.fixedVersion || '-',
          ]),
        ],
      });
    }
  } else if (scan) {
    sections.push({ heading: 'Scan', lines: [scan.message] });
  }
  return sections;
}
