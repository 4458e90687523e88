/**
 * rollback-on-failure: the new version went live (App Runner's own health
 * checks passed) but failed the smoke test. Deploy the image that was live
 * before (previous-image), wait for it, and run the smoke test again against
 * it (without expect-version: the old version reports its own), so the
 * summary can say both what failed and whether the service is healthy again.
 *
 * Only over our own deploy: the service is described again first, and when it
 * no longer runs the image this step deployed (someone deployed meanwhile),
 * the rollback is skipped rather than overwrite their version.
 *
 * Only the image goes back: settings this step changed (env, secrets, size…)
 * stay as they are now, and the summary says so. App Runner's own rollback
 * (a version failing its health checks) needs none of this: the App Runner
 * stage reports it as a failed deploy.
 */
import type { AppRunnerClient } from '@aws-sdk/client-apprunner';
import {
  UserError,
  describeError,
  systemClock,
  type Clock,
  type Logger,
} from '@deploy-actions/action-kit/engine';
import {
  AppRunnerApi,
  emptySettings,
  imageOf,
  parseImageReference,
  parseServiceTarget,
  type DeployInputs,
  type DeployReport,
} from '@deploy-actions/apprunner';
import {
  failedChecks,
  type Check,
  type SmokeOptions,
  type SmokeReport,
} from '@deploy-actions/smoke';
import { runDeploy, runSmoke } from './stages.js';
import type { RollbackRecord } from './state.js';

export interface RollbackDeps {
  client: AppRunnerClient;
  region: string;
  logger: Logger;
  signal: AbortSignal;
  /** Waits and deadlines of the redeploy and the smoke test; injectable for tests. */
  clock?: Clock;
  random?: () => number;
}

export async function rollBack(
  deployed: DeployReport,
  stageInputs: DeployInputs,
  smoke: { checks: Check[]; options: SmokeOptions },
  deps: RollbackDeps,
): Promise<RollbackRecord> {
  const previous = deployed.previousImage;
  if (previous === undefined || previous === '') {
    return {
      skipped: `${deployed.serviceName} was created by this step: there is no previous image to go back to.`,
    };
  }
  if (previous === deployed.image) {
    return { skipped: `${previous} was already live before this step: nothing to go back to.` };
  }
  const { logger } = deps;
  const live = await liveImage(deployed, stageInputs, deps);
  const ours = deployed.image ?? deployed.requestedImage;
  if (typeof live !== 'string') return { error: live.error };
  if (live !== ours) {
    return {
      skipped: `${deployed.serviceName} now runs ${live}, not ${ours} which this step deployed: someone else deployed meanwhile, so their version stays.`,
    };
  }
  // By digest when it was pinned before the deploy: the tag may name the failed image by now.
  const target = deployed.previousDigest ?? previous;
  logger.warning(
    `The smoke test failed against ${deployed.image ?? deployed.requestedImage}: rolling ${deployed.serviceName} back to ${previous}${target === previous ? '' : ` (${target})`}.`,
  );
  const record: RollbackRecord = {};
  try {
    record.report = await logger.group(`Rolling back to ${previous}`, () =>
      runDeploy(
        {
          ...stageInputs,
          service: parseServiceTarget('service', deployed.serviceArn, deps.region),
          settings: emptySettings(),
          createIfMissing: false,
          redeployIfUnchanged: true,
        },
        parseImageReference('previous-image', target),
        deps,
      ),
    );
  } catch (error) {
    record.error = describeError(error);
    return record;
  }
  if (!record.report.succeeded) return record;
  record.smoke = await logger.group('Smoke test against the rolled-back version', () =>
    runSmoke(smoke.checks, smoke.options, deps),
  );
  return record;
}

/** The image the service runs now (described again), or why it could not be told. */
async function liveImage(
  deployed: DeployReport,
  stageInputs: DeployInputs,
  deps: RollbackDeps,
): Promise<string | { error: string }> {
  const clock = deps.clock ?? systemClock;
  const api = new AppRunnerApi({
    client: deps.client,
    region: deps.region,
    clock,
    logger: deps.logger,
    deadline: clock.now() + Math.min(stageInputs.timeoutMs, 60_000),
    random: deps.random,
  });
  try {
    const image = imageOf(await api.describeService(deployed.serviceArn));
    return image ?? { error: 'it names no image' };
  } catch (error) {
    return { error: describeError(error) };
  }
}

/** The step's failure after a failed smoke test, saying what was rolled back and how that went. */
export function rollbackFailure(
  deployed: DeployReport,
  smoke: SmokeReport,
  rollback: RollbackRecord | undefined,
): UserError {
  const failed = failedChecks(smoke).join(', ');
  const version = deployed.image ?? deployed.requestedImage;
  const head = `The new version (${version}) failed the smoke test (${failed})`;
  if (rollback === undefined) {
    return new UserError(`${head}; rollback-on-failure is false, so it is still live.`, {
      hint: `Deploy previous-image (${deployed.previousImage ?? 'none'}) to go back.`,
    });
  }
  if (rollback.skipped) return new UserError(`${head}; no rollback: ${rollback.skipped}`);
  if (rollback.error) {
    return new UserError(`${head}; deploying the previous version failed: ${rollback.error}`, {
      hint: 'The service may be serving the failed version: deploy a known good image now.',
    });
  }
  const report = rollback.report!;
  if (!report.succeeded) {
    return new UserError(
      `${head}; deploying the previous version ${deployed.previousImage} did not succeed: ${report.message}`,
      { hint: report.hint },
    );
  }
  if (rollback.smoke?.passed) {
    return new UserError(
      `${head} and was rolled back: ${report.serviceName} serves ${report.image} again, which passes the smoke test.`,
      { hint: 'See the job summary for the failed checks.' },
    );
  }
  return new UserError(
    `${head} and was rolled back to ${report.image}, which fails the smoke test too (${failedChecks(rollback.smoke!).join(', ')}).`,
    {
      hint: 'The service is unhealthy with either version: look at a dependency they share (database, secrets, network).',
    },
  );
}
