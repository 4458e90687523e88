/**
 * Deploys an image to an App Runner service and follows the operation to its
 * end. The flow:
 *
 * 1. Find the service (by ARN, or by name through every ListServices page);
 *    create it when missing and asked to. A CREATE_FAILED service is
 *    rebuilt by the update (App Runner's documented repair).
 * 2. While another operation runs on it, wait for that operation (named in
 *    the log), then read the service again: what is live after it is what
 *    this run changes, and what `previous-image` reports.
 * 3. Plan: UpdateService when the image or a named setting differs;
 *    StartDeployment when nothing does (a redeploy, e.g. for rotated
 *    secrets), unless redeploy-if-unchanged is false.
 * 4. If App Runner refuses because an operation started in between
 *    (InvalidStateException), go back to 2; never fail on that race.
 * 5. Track the returned OperationId through ListOperations to its end, then
 *    read the service to learn which image serves, and judge (outcome.ts).
 *
 * One deadline (the timeout) bounds the whole run, waits for other
 * operations included.
 */
import type { AppRunnerClient, Service } from '@aws-sdk/client-apprunner';
import {
  UserError,
  backoffDelay,
  formatDuration,
  systemClock,
  type BackoffOptions,
  type Clock,
  type Logger,
} from '@deploy-actions/action-kit/engine';
import { AppRunnerApi, ServiceBusyError, type StartedOperation } from './api.js';
import type { ServiceTarget } from './arns.js';
import { shortImage } from './image.js';
import { APP_RUNNER_CAUSES, serviceLinks, type ServiceIdentity } from './links.js';
import { appRunnerOperations, findRunningOperation } from './operations.js';
import {
  DeployFailedError,
  lookAt,
  verdict,
  type DeployAction,
  type DeployReport,
  type Link,
  type OperationRef,
} from './outcome.js';
import { createServiceRequest, planUpdate, type UpdatePlan } from './service-config.js';
import type { DeployOptions } from './settings.js';
import { DEFAULT_POLL_BACKOFF, trackOperation, type OperationSnapshot } from './track.js';

export interface DeployDeps {
  client: AppRunnerClient;
  region: string;
  logger: Logger;
  clock?: Clock;
  /** Source of jitter; injectable for tests. */
  random?: () => number;
  /** The polling schedule (first wait's ceiling, and the ceiling of every wait). */
  pollBackoff?: BackoffOptions;
  /** The step was cancelled: no write starts after it, and the wait ends (what runs goes on). */
  signal?: AbortSignal;
  /**
   * Resolves a tag to repo@sha256:… (undefined when it cannot). The live image is pinned
   * before the deploy, as a tag such as `latest` may move to the new image.
   */
  pinImage?: (image: string) => Promise<string | undefined>;
}

interface Context {
  api: AppRunnerApi;
  options: DeployOptions;
  logger: Logger;
  clock: Clock;
  started: number;
  deadline: number;
  backoff: BackoffOptions;
  waitedFor: OperationRef[];
  signal: AbortSignal | undefined;
  pinImage: DeployDeps['pinImage'];
}

export async function deployToAppRunner(
  options: DeployOptions,
  deps: DeployDeps,
): Promise<DeployReport> {
  const clock = deps.clock ?? systemClock;
  const started = clock.now();
  const deadline = started + options.timeoutMs;
  const api = new AppRunnerApi({
    client: deps.client,
    region: deps.region,
    clock,
    logger: deps.logger,
    deadline,
    random: deps.random,
  });
  const context: Context = {
    api,
    options,
    logger: deps.logger,
    clock,
    started,
    deadline,
    backoff: { ...(deps.pollBackoff ?? DEFAULT_POLL_BACKOFF), random: deps.random },
    waitedFor: [],
    signal: deps.signal,
    pinImage: deps.pinImage,
  };
  const live = await findService(context, options.service);
  if (!live) return createService(context, options.service.name);
  return updateService(context, live);
}

async function findService(context: Context, target: ServiceTarget): Promise<Service | undefined> {
  const { api, logger } = context;
  if (target.kind === 'arn') {
    const service = await api.describeServiceIfExists(target.arn);
    if (service) return service;
    throw new UserError(`No App Runner service has the ARN ${target.arn} in ${api.region}.`, {
      hint: context.options.createIfMissing
        ? 'create-if-missing needs the service name, not an ARN: a created service gets a new ARN.'
        : 'Check the ARN (a deleted and recreated service has a new one), or give the service name.',
    });
  }
  const summary = await api.findServiceByName(target.name);
  if (!summary?.ServiceArn) {
    if (context.options.createIfMissing) return undefined;
    throw new UserError(`No App Runner service named ${target.name} in ${api.region}.`, {
      hint: 'Check the name and aws-region, or set create-if-missing: true (with access-role-arn) to create it.',
    });
  }
  logger.info(`Found ${target.name}: ${summary.ServiceArn}`);
  return api.describeService(summary.ServiceArn);
}

async function createService(context: Context, name: string): Promise<DeployReport> {
  const { api, options, logger } = context;
  const request = createServiceRequest(name, options.image, options.settings);
  logger.info(
    `${name} does not exist in ${api.region}: creating it with ${shortImage(options.image.identifier)}`,
  );
  refuseAfterCancel(context, 'CreateService');
  const started = await api.createService(request);
  const service = started.service;
  if (!service?.ServiceArn || !service.ServiceId) {
    throw new UserError('CreateService answered without the created service.');
  }
  const operation: OperationRef = {
    id: started.operationId,
    type: 'CREATE_SERVICE',
    status: 'PENDING',
  };
  logger.info(`Created ${service.ServiceArn}; operation ${started.operationId}`);
  return follow(context, service, operation, {
    action: 'create',
    previousImage: undefined,
    changes: ['created'],
  });
}

async function updateService(context: Context, found: Service): Promise<DeployReport> {
  const { api, options, logger } = context;
  if (options.settings.tags.size > 0) {
    logger.info(
      `tags apply when a service is created; ${found.ServiceName}'s tags are left as they are (use aws apprunner tag-resource to change them).`,
    );
  }
  let live = found;
  for (;;) {
    live = await waitUntilIdle(context, live);
    assertDeployable(context, live);
    const plan = planUpdate(live, options.image, options.settings);
    const previousImage = imageOf(live);
    // A service that never went live is rebuilt even when nothing differs.
    if (!plan.request && !options.redeployIfUnchanged && live.Status === 'RUNNING') {
      logger.info(
        `Nothing to do: ${shortImage(previousImage)} is live and no named setting differs (redeploy-if-unchanged: false).`,
      );
      return report(context, live, {
        action: 'none',
        operation: undefined,
        status: 'UNCHANGED',
        succeeded: true,
        image: previousImage,
        previousImage,
        changes: [],
        message: `Nothing to do: ${live.ServiceName} already runs ${options.image.identifier} with the named settings.`,
        hint: undefined,
      });
    }
    const action: DeployAction = plan.request ? 'update' : 'redeploy';
    const previousDigest = await pinned(context, previousImage);
    logPlan(logger, live, plan, action);
    refuseAfterCancel(context, plan.request ? 'UpdateService' : 'StartDeployment');
    let started: StartedOperation;
    try {
      started = plan.request
        ? await api.updateService(plan.request)
        : await api.startDeployment(arnOf(live));
    } catch (error) {
      if (!(error instanceof ServiceBusyError)) throw error;
      const adopted = await afterRefusal(context, live, plan, error);
      if (adopted === 'retry') {
        live = await api.describeService(arnOf(live));
        continue;
      }
      return follow(context, live, adopted, {
        action,
        previousImage,
        previousDigest,
        changes: plan.changes,
      });
    }
    const type = plan.request ? 'UPDATE_SERVICE' : 'START_DEPLOYMENT';
    logger.info(`${type} accepted: operation ${started.operationId}`);
    return follow(
      context,
      started.service ?? live,
      { id: started.operationId, type, status: 'PENDING' },
      { action, previousImage, previousDigest, changes: plan.changes },
    );
  }
}

/** The live image by digest when it is a tag and the digest can be told; undefined otherwise. */
async function pinned(context: Context, image: string | undefined): Promise<string | undefined> {
  if (!image || !context.pinImage || image.includes('@sha256:')) return undefined;
  const digest = await context.pinImage(image);
  if (digest) context.logger.info(`previous-image ${image} is ${digest}: a rollback goes there.`);
  return digest;
}

/**
 * App Runner refused the change (InvalidStateException). If an operation is
 * running that already brings the service to what this run asked for — ours,
 * when an SDK retry repeated a request App Runner had applied, or an
 * identical one — follow it instead of queueing a duplicate. Otherwise say
 * which operation got in first and retry after it.
 */
async function afterRefusal(
  context: Context,
  before: Service,
  plan: UpdatePlan,
  error: ServiceBusyError,
): Promise<OperationRef | 'retry'> {
  const { api, options, logger } = context;
  const now = await api.describeService(arnOf(before));
  if (now.Status !== 'OPERATION_IN_PROGRESS') {
    throw new UserError(
      `App Runner refused ${error.call} for ${before.ServiceName} (service status ${now.Status ?? 'unknown'}): ${error.message}`,
      { hint: lookAtService(context, now) },
    );
  }
  const running = await findRunningOperation(api, arnOf(now));
  const sameChange = plan.request
    ? running?.type === 'UPDATE_SERVICE' &&
      planUpdate(now, options.image, options.settings).request === undefined
    : running?.type === 'START_DEPLOYMENT' && imageOf(now) === options.image.identifier;
  if (running && sameChange) {
    logger.info(
      `${running.type} ${running.id} is already applying exactly this change; following it.`,
    );
    return { id: running.id, type: running.type, status: running.status };
  }
  logger.info(
    `Another operation started first (${running ? `${running.type} ${running.id}` : 'not listed yet'}); waiting for it, then deploying.`,
  );
  return 'retry';
}

/** Waits while the service is busy with an operation someone else started. */
async function waitUntilIdle(context: Context, service: Service): Promise<Service> {
  const { api, logger, clock } = context;
  let live = service;
  for (let quietAttempts = 0; live.Status === 'OPERATION_IN_PROGRESS';) {
    const running = await findRunningOperation(api, arnOf(live));
    if (running) {
      quietAttempts = 0;
      logger.info(
        `${live.ServiceName} is busy with ${running.type} ${running.id} (${running.status}${running.startedAt ? `, started ${running.startedAt.toISOString()}` : ''}); waiting for it to finish before deploying.`,
      );
      const tracked = await trackOperation(
        appRunnerOperations(api, arnOf(live)),
        {
          operationId: running.id,
          label: `the ${running.type} already in progress`,
          deadline: context.deadline,
          backoff: context.backoff,
        },
        { logger, clock, ...(context.signal && { signal: context.signal }) },
      );
      const last = tracked.operation ?? running;
      context.waitedFor.push({ id: last.id, type: last.type, status: last.status });
      if (!tracked.ended && tracked.cancelled) refuseAfterCancel(context, 'deploying');
      if (!tracked.ended) throw timedOutWaiting(context, live, last);
      logger.info(`${last.type} ${last.id} ended ${last.status}.`);
    } else {
      // The service says busy but lists no running operation yet: look again shortly.
      const delayMs = Math.max(1_000, backoffDelay(quietAttempts++, context.backoff));
      if (clock.now() + delayMs > context.deadline) throw timedOutWaiting(context, live, undefined);
      await clock.sleep(delayMs);
    }
    const next = await api.describeServiceIfExists(arnOf(live));
    if (!next || next.Status === 'DELETED') {
      throw new UserError(`${live.ServiceName} was deleted while this step waited for it.`, {
        hint: 'Run again with create-if-missing: true to create it anew.',
      });
    }
    live = next;
  }
  return live;
}

/** After the signal, no new write to App Runner: the step ends saying nothing was deployed. */
function refuseAfterCancel(context: Context, operation: string): void {
  if (!context.signal?.aborted) return;
  throw new UserError(
    `The step was cancelled before ${operation}: nothing was deployed to ${context.options.service.name}.`,
  );
}

function timedOutWaiting(
  context: Context,
  live: Service,
  running: OperationSnapshot | undefined,
): DeployFailedError {
  const image = imageOf(live);
  return new DeployFailedError(
    report(context, live, {
      action: 'none',
      operation: undefined,
      status: 'TIMED_OUT',
      succeeded: false,
      image,
      previousImage: image,
      changes: [],
      message: `${live.ServiceName} was still busy with ${running ? `${running.type} ${running.id} (last status ${running.status})` : 'an operation'} after ${formatDuration(context.options.timeoutMs)}; nothing was deployed.`,
      hint: `Raise timeout, or find out what keeps the service busy. ${lookAtService(context, live)}`,
    }),
  );
}

/** States App Runner cannot deploy to: say why and what to do instead of letting the call fail. */
function assertDeployable(context: Context, live: Service): void {
  const name = live.ServiceName ?? 'The service';
  switch (live.Status) {
    case 'RUNNING':
      break;
    case 'CREATE_FAILED':
      // App Runner rebuilds a service that failed to create when it is updated
      // (or redeployed), so a fixed image or setting repairs it in place.
      context.logger.info(
        `${name} is CREATE_FAILED (it never went live): rebuilding it with this deployment.`,
      );
      break;
    case 'PAUSED':
      throw new UserError(`${name} is PAUSED: a deployment would not serve traffic.`, {
        hint: `Resume it first (aws apprunner resume-service --service-arn ${live.ServiceArn}), then deploy.`,
      });
    default:
      throw new UserError(
        `${name} is ${live.Status ?? 'in an unknown state'}: App Runner cannot deploy to it.`,
        { hint: lookAtService(context, live) },
      );
  }
  if (!live.SourceConfiguration?.ImageRepository) {
    throw new UserError(
      `${name} deploys from a source code repository, not from an image; this action deploys images.`,
      { hint: 'Create a separate image-based service, or use App Runner automatic deployments.' },
    );
  }
}

interface FollowSpec {
  action: DeployAction;
  previousImage: string | undefined;
  previousDigest?: string | undefined;
  changes: string[];
}

/** Tracks the operation to its end (unless wait is false) and judges the result. */
async function follow(
  context: Context,
  service: Service,
  operation: OperationRef,
  spec: FollowSpec,
): Promise<DeployReport> {
  const { api, options, logger, clock } = context;
  const requested = options.image.identifier;
  if (!options.wait) {
    logger.info(`wait: false — not waiting for ${operation.type} ${operation.id}.`);
    return report(context, service, {
      ...spec,
      operation,
      status: 'STARTED',
      succeeded: true,
      image: spec.previousImage,
      message: `${operation.type} ${operation.id} started on ${service.ServiceName}; not waiting for it (wait: false).`,
      hint: undefined,
    });
  }
  const tracked = await trackOperation(
    appRunnerOperations(api, arnOf(service)),
    {
      operationId: operation.id,
      label: spec.action === 'create' ? 'creation' : 'deployment',
      deadline: context.deadline,
      backoff: context.backoff,
    },
    { logger, clock, ...(context.signal && { signal: context.signal }) },
  );
  const last = tracked.operation;
  const ref: OperationRef = last
    ? { id: last.id, type: last.type, status: last.status }
    : { ...operation, status: 'NOT_LISTED' };
  // After a timeout the deadline has passed: report what is known, read nothing more.
  const after = tracked.ended ? await api.describeService(arnOf(service)) : undefined;
  const current = after ?? service;
  const links = linksOf(context, current);
  const judged = verdict(tracked, {
    action: spec.action,
    serviceName: service.ServiceName ?? '',
    requestedImage: requested,
    liveImage: after ? imageOf(after) : undefined,
    liveStatus: after?.Status,
    timeoutMs: options.timeoutMs,
    links,
    causes: APP_RUNNER_CAUSES,
  });
  const result = report(context, current, {
    ...spec,
    operation: ref,
    ...judged,
    image: after ? imageOf(after) : spec.previousImage,
  });
  if (!judged.succeeded) throw new DeployFailedError(result);
  logger.info(`${judged.message} (${formatDuration(result.durationMs)})`);
  return result;
}

type ReportFields = Pick<
  DeployReport,
  | 'action'
  | 'operation'
  | 'status'
  | 'succeeded'
  | 'image'
  | 'previousImage'
  | 'previousDigest'
  | 'changes'
  | 'message'
  | 'hint'
>;

function report(context: Context, service: Service, spec: ReportFields): DeployReport {
  // previousDigest only when there is one, so reports without it look as they always did.
  const { previousDigest, ...fields } = spec;
  return {
    serviceName: service.ServiceName ?? '',
    serviceArn: service.ServiceArn ?? '',
    serviceUrl: service.ServiceUrl ? `https://${service.ServiceUrl}` : undefined,
    waitedFor: context.waitedFor,
    requestedImage: context.options.image.identifier,
    durationMs: context.clock.now() - context.started,
    links: linksOf(context, service),
    ...fields,
    ...(previousDigest ? { previousDigest } : {}),
  };
}

function linksOf(context: Context, service: Service): Link[] {
  const identity = identityOf(context, service);
  return identity ? serviceLinks(identity) : [];
}

function identityOf(context: Context, service: Service): ServiceIdentity | undefined {
  if (!service.ServiceName || !service.ServiceId || !service.ServiceArn) return undefined;
  return {
    serviceName: service.ServiceName,
    serviceId: service.ServiceId,
    serviceArn: service.ServiceArn,
    region: context.api.region,
  };
}

function lookAtService(context: Context, service: Service): string {
  return lookAt(linksOf(context, service));
}

function logPlan(logger: Logger, live: Service, plan: UpdatePlan, action: DeployAction): void {
  if (action === 'redeploy') {
    logger.info(
      `${live.ServiceName} already runs ${shortImage(imageOf(live))} and no named setting differs: redeploying (StartDeployment) so it pulls the image and secrets again.`,
    );
    return;
  }
  logger.info(`Updating ${live.ServiceName}:`);
  for (const change of plan.changes) logger.info(`  ${change}`);
}

export function imageOf(service: Service): string | undefined {
  return service.SourceConfiguration?.ImageRepository?.ImageIdentifier;
}

function arnOf(service: Service): string {
  if (!service.ServiceArn) throw new UserError('App Runner described a service without its ARN.');
  return service.ServiceArn;
}
