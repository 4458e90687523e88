/**
 * What a deploy reports: its outputs and its job summary tables, shared by
 * deploy-apprunner-and-wait and the root pipeline (which writes the same
 * tables, for the deploy and for a rollback).
 */
import { formatDuration } from '@deploy-actions/action-kit/engine';
import type { DeployReport } from './outcome.js';

/** Same shape as action-kit's SummarySection, which engines cannot import (it needs @actions/core). */
export interface SummaryBlock {
  heading: string;
  lines?: string[];
  table?: string[][];
  details?: { label: string; text: string };
}

/** deploy-apprunner-and-wait's outputs, as its action.yml declares them. */
export const DEPLOY_OUTPUTS = [
  'service-arn',
  'service-url',
  'operation-id',
  'status',
  'image',
  'previous-image',
  'duration',
] as const;
export type DeployOutputs = Record<(typeof DEPLOY_OUTPUTS)[number], string>;

/**
 * The action's outputs, as strings, under deploy-apprunner-and-wait's names
 * (the root pipeline prefixes status and duration with deploy-, and reports
 * the live image after a rollback). `duration` is in whole seconds.
 */
export function deployOutputs(report: DeployReport): DeployOutputs {
  return {
    'service-arn': report.serviceArn,
    'service-url': report.serviceUrl ?? '',
    'operation-id': report.operation?.id ?? '',
    status: report.status,
    image: report.image ?? '',
    'previous-image': report.previousImage ?? '',
    duration: String(Math.round(report.durationMs / 1000)),
  };
}

const OUTCOME: Record<DeployReport['status'], string> = {
  SUCCEEDED: '✅ live',
  ROLLBACK_SUCCEEDED: '❌ rolled back (the new version failed its health checks)',
  ROLLBACK_FAILED: '❌ failed, and the rollback failed too',
  FAILED: '❌ failed',
  CREATE_FAILED: '❌ creation failed',
  IMAGE_MISMATCH: '❌ replaced by another deployment',
  TIMED_OUT: '⏱️ timed out',
  CANCELLED: '⏹ cancelled (the operation goes on)',
  UNCHANGED: '➖ nothing to do',
  STARTED: '▶️ started (not waited for)',
};

const ACTION: Record<DeployReport['action'], string> = {
  create: 'CreateService',
  update: 'UpdateService',
  redeploy: 'StartDeployment (image unchanged)',
  none: 'none',
};

/** The deploy (service, images, call, operation, outcome), then waits, changes, links and advice. */
export function summarizeDeploy(report: DeployReport): SummaryBlock[] {
  const operation = report.operation
    ? `${report.operation.type} ${report.operation.id} (${report.operation.status})`
    : 'none';
  const sections: SummaryBlock[] = [
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
