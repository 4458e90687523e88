import { formatDuration, type SummarySection } from '@deploy-actions/action-kit';
import type { DeployReport } from '@deploy-actions/apprunner';

const OUTCOME: Record<DeployReport['status'], string> = {
  SUCCEEDED: '✅ live',
  ROLLBACK_SUCCEEDED: '❌ rolled back (the new version failed its health checks)',
  ROLLBACK_FAILED: '❌ failed, and the rollback failed too',
  FAILED: '❌ failed',
  CREATE_FAILED: '❌ creation failed',
  IMAGE_MISMATCH: '❌ replaced by another deployment',
  TIMED_OUT: '⏱️ timed out',
  UNCHANGED: '➖ nothing to do',
  STARTED: '▶️ started (not waited for)',
};

const ACTION: Record<DeployReport['action'], string> = {
  create: 'CreateService',
  update: 'UpdateService',
  redeploy: 'StartDeployment (image unchanged)',
  none: 'none',
};

export function summarySections(report: DeployReport): SummarySection[] {
  const operation = report.operation
    ? `${report.operation.type} ${report.operation.id} (${report.operation.status})`
    : 'none';
  const sections: SummarySection[] = [
    {
      heading: 'deploy-apprunner-and-wait',
      lines: [report.message],
      table: [
        ['', ''],
        ['Service', `${report.serviceName} (${report.serviceArn})`],
        ['Image', `${report.previousImage ?? '(none)'} → ${report.requestedImage}`],
        ['Serving now', report.image ?? '(unknown)'],
        ['Call', ACTION[report.action]],
        ['Operation', operation],
        ['Outcome', `${OUTCOME[report.status]} — ${report.status}`],
        ['Duration', formatDuration(report.durationMs)],
        ['URL', report.serviceUrl ?? '(none yet)'],
      ],
    },
  ];
  if (report.waitedFor.length > 0) {
    sections.push({
      heading: 'Waited for operations already in progress',
      table: [
        ['Operation', 'Type', 'Ended'],
        ...report.waitedFor.map((op) => [op.id, op.type, op.status]),
      ],
    });
  }
  if (report.changes.length > 0) {
    sections.push({ heading: 'Changes', lines: report.changes });
  }
  if (report.links.length > 0) {
    sections.push({
      heading: 'Links',
      table: [['', ''], ...report.links.map((link) => [link.label, linkText(link)])],
    });
  }
  if (report.hint) sections.push({ heading: 'What to do', lines: [report.hint] });
  return sections;
}

function linkText(link: DeployReport['links'][number]): string {
  return link.url && link.url !== link.text ? `${link.text} (${link.url})` : link.text;
}
