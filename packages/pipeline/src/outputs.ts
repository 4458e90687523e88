/**
 * The root action's outputs of a run: the `stages` record, each stage's
 * outputs under the root's names (stageOf(…).outputRenames), and the
 * rollback's. A stage that did not run sets none of its outputs.
 */
import { deployOutputs } from '@deploy-actions/apprunner';
import { buildPushOutputs } from '@deploy-actions/ecr';
import { ecsTaskOutputs, migrateOutputs } from '@deploy-actions/migrate';
import { syncOutputs } from '@deploy-actions/s3-sync';
import { smokeOutputs } from '@deploy-actions/smoke';
import { stageOf } from './registry.js';
import type { PipelineState } from './state.js';

/** A stage's outputs under the root's names. */
function renamed(outputs: Record<string, string>, renames: Readonly<Record<string, string>>) {
  return Object.fromEntries(
    Object.entries(outputs).map(([name, value]) => [renames[name] ?? name, value]),
  );
}

export function pipelineOutputs(state: PipelineState): Record<string, string> {
  const outputs: Record<string, string> = {
    stages: JSON.stringify(Object.fromEntries(state.results)),
  };
  if (state.build) {
    Object.assign(outputs, renamed(buildPushOutputs(state.build), stageOf('build').outputRenames));
  }
  const migrated = state.migrations
    ? migrateOutputs(state.migrations)
    : state.migrationTask && ecsTaskOutputs(state.migrationTask);
  if (migrated) Object.assign(outputs, renamed(migrated, stageOf('migrations').outputRenames));
  if (state.deploy) {
    const deployed = deployOutputs(state.deploy);
    // After a rollback, what serves is what the rollback left.
    const image = state.rollback?.report?.image ?? deployed.image;
    Object.assign(
      outputs,
      renamed({ ...deployed, image: image ?? '' }, stageOf('deploy').outputRenames),
    );
  }
  if (state.site) {
    Object.assign(outputs, renamed(syncOutputs(state.site.report), stageOf('site').outputRenames));
  }
  if (state.smoke) {
    Object.assign(outputs, renamed(smokeOutputs(state.smoke), stageOf('smoke').outputRenames));
  }
  outputs['rolled-back'] = String(state.rollback?.report?.succeeded === true);
  outputs['rollback-smoke-passed'] =
    state.rollback?.smoke === undefined ? '' : String(state.rollback.smoke.passed);
  return outputs;
}
