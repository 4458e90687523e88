/**
 * One job summary for the whole pipeline: an overview (each stage, how it
 * ended, the one fact that matters), the rollback when there was one, then
 * each stage's own tables as its action writes them.
 */
import { formatDuration } from '@deploy-actions/action-kit/engine';
import { summarizeDeploy, type DeployReport } from '@deploy-actions/apprunner';
import { summarizeBuildPush } from '@deploy-actions/ecr';
import {
  migrateOutputs,
  summarizeEcsTask,
  summarizeMigrations,
  taskEnding,
  type EcsTaskOutcome,
} from '@deploy-actions/migrate';
import { summarizeDistribution, summarizeSync } from '@deploy-actions/s3-sync';
import { failedChecks, reportHeadline, summaryRows, type SmokeReport } from '@deploy-actions/smoke';
import { STAGES, type StageName } from './registry.js';
import type { StageStatus } from './result.js';
import type { PipelineState, RollbackRecord } from './state.js';

/** Same shape as action-kit's SummarySection, which engines cannot import (it needs @actions/core). */
export interface SummarySection {
  heading: string;
  lines?: string[];
  table?: string[][];
  details?: { label: string; text: string };
}

/** The order the stages run in, by their actions' names. */
const STAGE_NAMES: readonly StageName[] = STAGES.map((stage) => stage.action);

const RESULT: Record<StageStatus, string> = {
  succeeded: '✅ succeeded',
  failed: '❌ failed',
  cancelled: '⏹ cancelled',
  'not run': '➖ not run',
};

/** The job summary of a run, as runPipeline left it. */
export function pipelineSummary(state: PipelineState): SummarySection[] {
  return [overview(state), ...rollbackSections(state), ...stageSections(state)];
}

function overview(state: PipelineState): SummarySection {
  const rows = STAGE_NAMES.filter((stage) => state.results.has(stage)).map((stage) => [
    stage,
    RESULT[state.results.get(stage)!],
    detail(state, stage),
  ]);
  if (state.rollback) {
    const rollback = state.rollback;
    rows.push([
      'rollback',
      rollbackResult(rollback),
      rollback.skipped ??
        rollback.error ??
        `${rollback.report?.image ?? '?'}${rollback.smoke ? `; smoke test: ${reportHeadline(rollback.smoke)}` : ''}`,
    ]);
  }
  const failedStage = STAGE_NAMES.find((stage) => state.results.get(stage) === 'failed');
  const headline = failedStage
    ? `The pipeline stopped at ${failedStage}${state.failure ? `: ${state.failure}` : '.'}`
    : 'Every stage succeeded.';
  return {
    heading: 'deploy',
    lines: [headline],
    table: [['Stage', 'Result', 'Details'], ...rows],
  };
}

function rollbackResult(rollback: RollbackRecord): string {
  if (rollback.skipped) return '➖ not possible';
  if (!rollback.report?.succeeded) return '❌ rollback failed';
  return rollback.smoke?.passed ? '✅ rolled back, healthy' : '❌ rolled back, still failing';
}

function detail(state: PipelineState, stage: StageName): string {
  switch (stage) {
    case 'build-push-ecr':
      if (!state.build) return '';
      return state.build.skipped ? `${state.build.image} (already built)` : state.build.image;
    case 'run-migrations': {
      if (state.migrationTask) return ecsDetail(state.migrationTask);
      if (!state.migrations) return '';
      const outputs = migrateOutputs(state.migrations);
      if (state.migrations.command) return `command exited ${state.migrations.command.exitCode}`;
      return `${state.migrations.dryRun ? 'dry run: ' : ''}applied ${outputs.applied}, pending ${outputs.pending}, current version ${outputs['current-version'] || 'none'}`;
    }
    case 'deploy-apprunner-and-wait':
      return state.deploy ? deployDetail(state.deploy) : (state.deployImage ?? '');
    case 'sync-s3-invalidate-cloudfront': {
      const report = state.site?.report;
      if (!report) return '';
      return `${report.dryRun ? 'dry run: ' : ''}${report.uploaded} uploaded, ${report.deleted} deleted, invalidation ${report.invalidationId ?? 'none'}`;
    }
    case 'smoke-test':
      return state.smoke ? smokeDetail(state.smoke) : '';
  }
}

/** E.g. `ECS task 4ff1… in app: exit code 0`, or the stop code and reason of a task that never ran. */
function ecsDetail(outcome: EcsTaskOutcome): string {
  const task = outcome.taskId ? `ECS task ${outcome.taskId}` : 'ECS task (not started)';
  const stopped = outcome.exitCode === null && outcome.stopCode ? `${outcome.stopCode}, ` : '';
  return `${task} in ${outcome.cluster}: ${stopped}${taskEnding(outcome)}`;
}

function deployDetail(report: DeployReport): string {
  return `${report.status}: ${report.requestedImage} (serving ${report.image ?? 'unknown'})`;
}

function smokeDetail(report: SmokeReport): string {
  const failed = failedChecks(report);
  return failed.length === 0
    ? reportHeadline(report)
    : `${reportHeadline(report)} Failed: ${failed.join(', ')}`;
}

export function rollbackSections(state: PipelineState): SummarySection[] {
  const rollback = state.rollback;
  const deployed = state.deploy;
  if (!rollback || !deployed) return [];
  const rows: string[][] = [
    ['', ''],
    ['Failed version', deployed.image ?? deployed.requestedImage],
    ['Its smoke test', state.smoke ? smokeDetail(state.smoke) : '(not run)'],
    ['Rolled back to', deployed.previousImage ?? '(none)'],
  ];
  if (rollback.skipped) rows.push(['Rollback', `not possible: ${rollback.skipped}`]);
  if (rollback.error) rows.push(['Rollback', `failed: ${rollback.error}`]);
  if (rollback.report) {
    const op = rollback.report.operation;
    rows.push(
      [
        'Rollback deploy',
        `${rollback.report.status}${op ? ` (${op.type} ${op.id})` : ''} in ${formatDuration(rollback.report.durationMs)}`,
      ],
      ['Serving now', rollback.report.image ?? '(unknown)'],
    );
  }
  if (rollback.smoke) rows.push(['Smoke test after rollback', smokeDetail(rollback.smoke)]);
  const kept: string[] = [];
  if (deployed.changes.some((change) => !/^image\b/i.test(change))) {
    kept.push(
      `Settings this step changed stay as they are (${deployed.changes.join('; ')}): only the image was rolled back.`,
    );
  }
  if (state.site && !state.site.report.dryRun) {
    kept.push(
      'The static site this step published stays as it is: S3 keeps no previous build to go back to.',
    );
  }
  return [{ heading: 'Rollback', lines: kept, table: rows }];
}

function stageSections(state: PipelineState): SummarySection[] {
  const sections: SummarySection[] = [];
  if (state.build) sections.push(...summarizeBuildPush(state.build));
  if (state.migrations) {
    const [first, ...rest] = summarizeMigrations(state.migrations);
    if (first) sections.push({ ...first, heading: `run-migrations: ${first.heading}` }, ...rest);
  }
  if (state.migrationTask) sections.push(...summarizeEcsTask(state.migrationTask));
  if (state.deploy) sections.push(...summarizeDeploy(state.deploy));
  if (state.site) {
    const { report, distribution } = state.site;
    const [first, ...rest] = summarizeSync(report);
    if (first) {
      sections.push({ ...first, heading: `sync-s3-invalidate-cloudfront: ${first.heading}` });
    }
    sections.push(...rest);
    if (distribution) sections.push(summarizeDistribution(distribution));
  }
  if (state.smoke) {
    sections.push({
      heading: `smoke-test${state.rollback ? ' (new version)' : ''}`,
      lines: [reportHeadline(state.smoke)],
      table: summaryRows(state.smoke),
    });
  }
  if (state.rollback?.report) {
    const [first, ...rest] = summarizeDeploy(state.rollback.report);
    if (first) sections.push({ ...first, heading: 'Rollback: deploy-apprunner-and-wait' }, ...rest);
  }
  if (state.rollback?.smoke) {
    sections.push({
      heading: 'smoke-test (after rollback)',
      lines: [reportHeadline(state.rollback.smoke)],
      table: summaryRows(state.rollback.smoke),
    });
  }
  return sections;
}
