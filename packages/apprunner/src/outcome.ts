/**
 * What a deployment came to, independent of the platform: from the tracked
 * operation and the image the service runs afterwards, decide the status, and
 * whether and how to fail. App Runner supplies the words for its own links.
 */
import { UserError, formatDuration } from '@deploy-actions/action-kit/engine';
import type { OperationSnapshot, TrackResult } from './track.js';

export type DeployStatus =
  /** The operation succeeded and the service runs the requested image. */
  | 'SUCCEEDED'
  /** The new version did not become healthy; the previous one is serving again. */
  | 'ROLLBACK_SUCCEEDED'
  /** The new version failed and so did going back: the service may be down. */
  | 'ROLLBACK_FAILED'
  | 'FAILED'
  /** The service could not be created. */
  | 'CREATE_FAILED'
  /** The operation succeeded, but something else now runs (e.g. a deployment that started after it). */
  | 'IMAGE_MISMATCH'
  /** The timeout passed first; the operation goes on in the platform. */
  | 'TIMED_OUT'
  /** The step was cancelled: nothing more was started; an operation under way goes on. */
  | 'CANCELLED'
  /** The image was live and nothing else changed; redeploy-if-unchanged was false. */
  | 'UNCHANGED'
  /** wait: false, and the platform accepted the operation. */
  | 'STARTED';

export type DeployAction = 'create' | 'update' | 'redeploy' | 'none';

/** A place to look, for the log, the summary and failure hints. */
export interface Link {
  label: string;
  /** A URL, or a name (e.g. a log group) when `url` is absent. */
  text: string;
  url?: string;
}

export interface OperationRef {
  id: string;
  type: string;
  status: string;
}

export interface DeployReport {
  serviceName: string;
  serviceArn: string;
  /** https://… , when the platform has assigned one. */
  serviceUrl: string | undefined;
  action: DeployAction;
  /** The operation this run started (or adopted), if any. */
  operation: OperationRef | undefined;
  /** Operations that were already running and that this run waited for first. */
  waitedFor: OperationRef[];
  status: DeployStatus;
  succeeded: boolean;
  requestedImage: string;
  /** The image the service runs after the run (what it serves now). */
  image: string | undefined;
  /** The image that was live before the run: what a rollback deploys. */
  previousImage: string | undefined;
  /** previousImage pinned to its digest (repo@sha256:…) before the deploy, when it was a tag that could be resolved. */
  previousDigest?: string;
  /** One line per changed setting (names, never values). */
  changes: string[];
  durationMs: number;
  links: Link[];
  /** One sentence: what happened. */
  message: string;
  /** What to do about a failure. */
  hint: string | undefined;
}

/** A deployment that ran and did not succeed; carries the report for outputs and the summary. */
export class DeployFailedError extends UserError {
  constructor(readonly report: DeployReport) {
    super(report.message, { hint: report.hint });
    this.name = 'DeployFailedError';
  }
}

export interface Verdict {
  status: DeployStatus;
  succeeded: boolean;
  message: string;
  hint: string | undefined;
}

export interface VerdictContext {
  action: DeployAction;
  serviceName: string;
  requestedImage: string;
  /** The image the service runs after the operation ended (undefined on timeout: not read). */
  liveImage: string | undefined;
  /** The service's status after the operation ended, e.g. RUNNING or CREATE_FAILED. */
  liveStatus: string | undefined;
  timeoutMs: number;
  /** Where to look: log groups and console, rendered into hints. */
  links: Link[];
  /** Platform words for likely causes. */
  causes: { unhealthy: string; createFailed: string };
}

/** The decision table: a tracked operation (and the service afterwards) → status and message. */
export function verdict(tracked: TrackResult, context: VerdictContext): Verdict {
  const look = lookAt(context.links);
  if (!tracked.ended && tracked.cancelled) {
    const operation = tracked.operation;
    return {
      status: 'CANCELLED',
      succeeded: false,
      message: `The step was cancelled while waiting. ${describe(operation, 'The operation')} is still running in App Runner (last status ${operation?.status ?? 'not listed yet'}); it will finish on its own.`,
      hint: `Check how it ended before deploying again. ${look}`,
    };
  }
  if (!tracked.ended) {
    const operation = tracked.operation;
    return {
      status: 'TIMED_OUT',
      succeeded: false,
      message: `${describe(operation, 'The operation')} did not finish within ${formatDuration(context.timeoutMs)}: last status ${operation?.status ?? 'not listed yet'}. It goes on in the background; this step stopped waiting.`,
      hint: `Raise timeout if deployments of ${context.serviceName} take longer. ${look}`,
    };
  }
  const operation = tracked.operation;
  const { phase } = operation;
  const live = context.liveImage ?? '(unknown)';
  if (phase === 'succeeded') {
    if (context.liveImage === context.requestedImage) {
      return {
        status: 'SUCCEEDED',
        succeeded: true,
        message: `${context.serviceName} is running ${context.requestedImage}.`,
        hint: undefined,
      };
    }
    return {
      status: 'IMAGE_MISMATCH',
      succeeded: false,
      message: `${describe(operation)} succeeded, but ${context.serviceName} now runs ${live}, not ${context.requestedImage}.`,
      hint: 'Another deployment replaced it (automatic deployments on push, or a concurrent workflow). Serialise deploys with a concurrency group and turn auto-deployments off.',
    };
  }
  if (phase === 'rolled-back') {
    return {
      status: 'ROLLBACK_SUCCEEDED',
      succeeded: false,
      message: `The new version (${context.requestedImage}) failed its health checks and was rolled back: ${context.serviceName} is serving ${live}.`,
      hint: `${context.causes.unhealthy} ${look}`,
    };
  }
  if (phase === 'failed' && operation.status === 'ROLLBACK_FAILED') {
    return {
      status: 'ROLLBACK_FAILED',
      succeeded: false,
      message: `${describe(operation)} failed and so did the rollback: ${context.serviceName} is ${context.liveStatus ?? 'in an unknown state'}${context.liveImage ? `, configured with ${live}` : ''}, and may not be serving.`,
      hint: `Deploy a known good image (previous-image) now. ${look}`,
    };
  }
  if (phase === 'failed') {
    const created = context.action === 'create' || context.liveStatus === 'CREATE_FAILED';
    return created
      ? {
          status: 'CREATE_FAILED',
          succeeded: false,
          message: `${context.serviceName} could not be created (${describe(operation)} ended ${operation.status}; service status ${context.liveStatus ?? 'unknown'}).`,
          hint: `${context.causes.createFailed} ${look}`,
        }
      : {
          status: 'FAILED',
          succeeded: false,
          message: `${describe(operation)} ended ${operation.status}; ${context.serviceName} is ${context.liveStatus ?? 'in an unknown state'}, serving ${live}.`,
          hint: look,
        };
  }
  // Not reachable: tracking ends only on terminal phases.
  return {
    status: 'FAILED',
    succeeded: false,
    message: `${describe(operation)} ended in an unexpected state: ${operation.status}.`,
    hint: look,
  };
}

function describe(operation: OperationSnapshot | undefined, fallback = 'The operation'): string {
  return operation ? `The ${operation.type} operation ${operation.id}` : fallback;
}

/** "Look at the service log /aws/…; console https://…." */
export function lookAt(links: readonly Link[]): string {
  if (links.length === 0) return '';
  return `Look at ${links.map((link) => `${link.label} ${link.text}`).join('; ')}.`;
}
