import { formatDuration, type SummarySection } from '@deploy-actions/action-kit';
import { SEVERITIES, type BuildPushResult } from '@deploy-actions/ecr';

export function summarySections(result: BuildPushResult): SummarySection[] {
  const sections: SummarySection[] = [
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
