/**
 * App Runner in the simulator (awsJson1_0, target prefix `AppRunner`, signing
 * name `apprunner`): image services, their configuration and the operations
 * that change them, as a state machine that takes time.
 *
 * Tests drive it through the control API at the bottom of the type section
 * (`AppRunnerSimulator`): seed live services with `addService`, script the
 * outcome of the next operations with `script`, set how long operations take,
 * start an operation "someone else" started, inject empty list pages, and
 * read the live state. Requests the action sent are in the simulator's
 * `requestLog` (`appRunnerCalls(sim.requestLog, 'UpdateService')`).
 *
 * ```ts
 * const apprunner = createAppRunnerService({ operationDurationMs: 300 });
 * const aws = await startAwsEnvironment({ services: [apprunner] });
 * apprunner.addService({ name: 'web-api', image: `${REPO}:v1`, env: { A: '1' } });
 * apprunner.script('web-api', ['health-check-fails']);   // the next deployment rolls back
 * apprunner.startOperation('web-api', 'UPDATE_SERVICE');  // someone else is deploying
 * // … run the action …
 * apprunner.liveImage('web-api');                          // what serves now
 * apprunner.operationsOf('web-api')[0];                    // newest operation
 * appRunnerCalls(aws.simulator.requestLog, 'UpdateService').map((c) => c.params);
 * ```
 *
 * Service names are 4-40 characters (App Runner's rule), so `api` is refused.
 *
 * Operations. CreateService, UpdateService, StartDeployment, PauseService,
 * ResumeService and DeleteService each start one operation (ListOperations,
 * newest first). Its progress follows the module's clock lazily: nothing runs
 * in the background; every call (and every control read) first settles what
 * has ended by now, at the exact instant it ended (EndedAt = StartedAt +
 * pending + duration [+ rollback]). While an operation runs the service is
 * OPERATION_IN_PROGRESS and every other change answers InvalidStateException
 * ("Service cannot be updated in the current state: OPERATION_IN_PROGRESS.").
 *
 * Outcomes (`script(service, [...])`, consumed one per operation the API
 * starts; an empty script means 'healthy'):
 * - 'healthy': PENDING (pendingMs, 0 by default) → IN_PROGRESS → SUCCEEDED;
 *   the new configuration is live; the service is RUNNING (PAUSED for a pause,
 *   DELETED for a delete).
 * - 'health-check-fails': IN_PROGRESS → ROLLBACK_IN_PROGRESS (rollbackMs) →
 *   ROLLBACK_SUCCEEDED. App Runner keeps the previous version serving and
 *   DescribeService reports the previous configuration again; the service is
 *   back to RUNNING (a rollback is not a service failure — the trap users of
 *   CloudFormation and the official action fall into).
 * - 'rollback-fails': as above but ending ROLLBACK_FAILED. The API has no
 *   "update failed" service status; the service returns to its previous
 *   status (RUNNING) with the previous configuration reported.
 * - 'fails': IN_PROGRESS → FAILED. For CREATE_SERVICE the service becomes
 *   CREATE_FAILED (nothing was ever live); DELETE_SERVICE → DELETE_FAILED;
 *   otherwise the previous configuration and status stay.
 * For operations that deploy nothing (create, pause, resume, delete) the two
 * rollback outcomes behave as 'fails' (there is no previous version to roll
 * back to).
 *
 * Configuration, as DescribeService answers it: Cpu/Memory normalised to
 * units ("1 vCPU" → "1024", "2 GB" → "2048"; defaults 1024/2048) and checked
 * against App Runner's supported combinations; HealthCheckConfiguration with
 * App Runner's defaults (TCP, "/", 5 s, 2 s, 1, 5); NetworkConfiguration with
 * DEFAULT egress, public ingress, IPV4; ImageConfiguration Port "8080" by
 * default; AutoDeploymentsEnabled true for ECR, false for ECR_PUBLIC; the
 * default auto scaling configuration (DefaultConfiguration/1).
 *
 * UpdateService replaces each top-level structure it is given wholesale
 * (SourceConfiguration, InstanceConfiguration, HealthCheckConfiguration,
 * NetworkConfiguration, ObservabilityConfiguration): members left out take
 * the API's defaults, they are NOT merged with the live ones (the one
 * exception: AutoDeploymentsEnabled, a NullableBoolean in the model, keeps
 * its value when left out). That is the
 * careful reading of the API (an update that sends `InstanceConfiguration:
 * {Cpu}` gets the default memory and loses its instance role) and it is
 * what makes "update leaves unnamed settings untouched" testable: a caller
 * must send the live values back. An update whose result equals the current
 * configuration (same image tag, nothing else) answers InvalidRequestException
 * "No configurations provided in the UpdateService request." — the text the
 * real API answers when the request changes nothing. UpdateService is allowed
 * on RUNNING, PAUSED and (since 2023, "rebuild a failed service")
 * CREATE_FAILED services; StartDeployment on RUNNING and CREATE_FAILED.
 *
 * Errors use App Runner's modelled codes: ResourceNotFoundException (unknown
 * or deleted-and-gone ARN, or an ARN of another region), InvalidStateException,
 * InvalidRequestException (bad input, including model constraint violations
 * worded like AWS's "1 validation error detected: …"). Throttling and 5xx
 * come from the simulator's fault injector (JSON dialect:
 * ThrottlingException, which the SDK and the CLI retry).
 *
 * ListServices and ListOperations page with MaxResults (1..20; absent: all
 * items, as documented) and an opaque NextToken; `emptyPages(n)` makes the
 * next n list calls answer no items with a NextToken that resumes where they
 * stood, as the real API sometimes does. ListServices leaves out deleted
 * services; DescribeService still answers for them (Status DELETED).
 *
 * Not modelled: source-code (CodeRepository) services, custom domains, VPC
 * connectors / auto scaling / observability configurations as resources
 * (their ARNs are accepted as given), service quotas, encryption beyond
 * echoing the KMS key. Unverified against the live service and chosen to be
 * plausible: the exact texts of ResourceNotFoundException, of unsupported
 * CPU/memory combinations and of a missing ECR access role, and the code of
 * constraint violations (InvalidRequestException rather than
 * ValidationException, since App Runner's model has no ValidationException).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { SimError } from '../errors.js';
import type {
  JsonObject,
  JsonResult,
  JsonServiceModule,
  JsonValue,
  RequestContext,
  RequestLogEntry,
} from '../types.js';

// ---------------------------------------------------------------------------
// Types and the control API
// ---------------------------------------------------------------------------

export type ServiceStatus =
  'CREATE_FAILED' | 'RUNNING' | 'DELETED' | 'DELETE_FAILED' | 'PAUSED' | 'OPERATION_IN_PROGRESS';

export type OperationType =
  | 'START_DEPLOYMENT'
  | 'CREATE_SERVICE'
  | 'PAUSE_SERVICE'
  | 'RESUME_SERVICE'
  | 'DELETE_SERVICE'
  | 'UPDATE_SERVICE';

export type OperationStatus =
  | 'PENDING'
  | 'IN_PROGRESS'
  | 'FAILED'
  | 'SUCCEEDED'
  | 'ROLLBACK_IN_PROGRESS'
  | 'ROLLBACK_FAILED'
  | 'ROLLBACK_SUCCEEDED';

/** What the next operation on a service does (see the file comment). */
export type DeploymentOutcome = 'healthy' | 'health-check-fails' | 'rollback-fails' | 'fails';

/** How long an operation's phases last, in milliseconds of the module's clock. */
export interface OperationTiming {
  /** PENDING before IN_PROGRESS; 0 by default. */
  pendingMs: number;
  /** IN_PROGRESS; `operationDurationMs` of the module (500 by default). */
  durationMs: number;
  /** ROLLBACK_IN_PROGRESS for the rollback outcomes; `rollbackDurationMs` (500 by default). */
  rollbackMs: number;
}

/** The configuration of a service, in the shapes DescribeService answers. */
export interface ServiceConfiguration {
  SourceConfiguration: {
    ImageRepository: {
      ImageIdentifier: string;
      ImageRepositoryType: 'ECR' | 'ECR_PUBLIC';
      ImageConfiguration: {
        Port: string;
        RuntimeEnvironmentVariables?: Record<string, string>;
        RuntimeEnvironmentSecrets?: Record<string, string>;
        StartCommand?: string;
      };
    };
    AutoDeploymentsEnabled: boolean;
    AuthenticationConfiguration?: { AccessRoleArn?: string; ConnectionArn?: string };
  };
  InstanceConfiguration: { Cpu: string; Memory: string; InstanceRoleArn?: string };
  HealthCheckConfiguration: {
    Protocol: 'TCP' | 'HTTP';
    Path: string;
    Interval: number;
    Timeout: number;
    HealthyThreshold: number;
    UnhealthyThreshold: number;
  };
  NetworkConfiguration: {
    EgressConfiguration: { EgressType: 'DEFAULT' | 'VPC'; VpcConnectorArn?: string };
    IngressConfiguration: { IsPubliclyAccessible: boolean };
    IpAddressType: 'IPV4' | 'DUAL_STACK';
  };
  AutoScalingConfigurationArn: string;
  ObservabilityConfiguration?: {
    ObservabilityEnabled: boolean;
    ObservabilityConfigurationArn?: string;
  };
}

export interface OperationState {
  id: string;
  type: OperationType;
  targetArn: string;
  startedAt: Date;
  outcome: DeploymentOutcome;
  timing: OperationTiming;
  /** Started through the control API (`startOperation`), not by a call. */
  foreign: boolean;
  /** Status as of the last settle (every call and control read settles first). */
  status: OperationStatus;
  updatedAt: Date;
  endedAt?: Date;
  /** What the service looked like before: restored when the operation fails or rolls back. */
  before: { status: ServiceStatus; config: ServiceConfiguration; live?: ServiceConfiguration };
  /** The configuration the operation deploys. */
  target: ServiceConfiguration;
}

export interface AppRunnerServiceState {
  name: string;
  /** 32 hex digits, the last segment of the ARN. */
  id: string;
  arn: string;
  /** `<10 characters>.<region>.awsapprunner.com` */
  url: string;
  region: string;
  accountId: string;
  createdAt: Date;
  updatedAt: Date;
  deletedAt?: Date;
  /** OPERATION_IN_PROGRESS while an operation runs, else the resting status. */
  status: ServiceStatus;
  /** The status the service returns to when no operation runs. */
  restingStatus: ServiceStatus;
  /** The configuration DescribeService reports (during an update: the one being deployed). */
  config: ServiceConfiguration;
  /** The configuration actually serving; undefined while nothing ever went live. */
  live?: ServiceConfiguration;
  encryptionKmsKey?: string;
  tags: Record<string, string>;
  /** Newest first, as ListOperations answers. */
  operations: OperationState[];
  /** Per-service timing overrides (`setOperationTiming(…, service)`). */
  timing: Partial<OperationTiming>;
}

/** A live service to seed with `addService`; every setting optional but name and image. */
export interface ServiceSeed {
  name: string;
  /** ImageIdentifier, e.g. `123456789012.dkr.ecr.us-east-1.amazonaws.com/api:v1`. */
  image: string;
  /** us-east-1 by default. */
  region?: string;
  /** RUNNING by default; OPERATION_IN_PROGRESS starts a (foreign) UPDATE_SERVICE. */
  status?: 'RUNNING' | 'PAUSED' | 'CREATE_FAILED' | 'OPERATION_IN_PROGRESS';
  port?: string;
  env?: Record<string, string>;
  secrets?: Record<string, string>;
  startCommand?: string;
  accessRoleArn?: string;
  autoDeployments?: boolean;
  /** Either form, e.g. '1 vCPU' or '1024'. */
  cpu?: string;
  memory?: string;
  instanceRoleArn?: string;
  healthCheck?: Partial<ServiceConfiguration['HealthCheckConfiguration']>;
  vpcConnectorArn?: string;
  autoScalingConfigurationArn?: string;
  observabilityConfigurationArn?: string;
  tags?: Record<string, string>;
  createdAt?: Date;
}

export interface StartOperationOptions {
  outcome?: DeploymentOutcome;
  durationMs?: number;
  rollbackMs?: number;
  pendingMs?: number;
  /** For UPDATE_SERVICE: the image the foreign update deploys (the current one by default). */
  image?: string;
}

export interface AppRunnerOptions {
  /** How long IN_PROGRESS lasts, 500 ms by default. */
  operationDurationMs?: number;
  /** How long ROLLBACK_IN_PROGRESS lasts, 500 ms by default. */
  rollbackDurationMs?: number;
  /** PENDING before IN_PROGRESS, 0 by default. */
  pendingMs?: number;
  /** The clock operations follow; the real clock by default. */
  now?: () => Date;
}

export interface AppRunnerSimulator extends JsonServiceModule {
  /** Every service ever created, by ARN (deleted ones included). Read after `settle()`. */
  readonly services: ReadonlyMap<string, AppRunnerServiceState>;
  /** Seeds a service (its CREATE_SERVICE operation already SUCCEEDED, or FAILED for CREATE_FAILED). */
  addService(seed: ServiceSeed): AppRunnerServiceState;
  /** The service by name (not deleted; region us-east-1 unless given) or ARN, settled to now. */
  service(nameOrArn: string, region?: string): AppRunnerServiceState;
  /** Its operations, newest first, settled to now. */
  operationsOf(nameOrArn: string, region?: string): OperationState[];
  /** The image serving now (undefined while nothing is live). */
  liveImage(nameOrArn: string, region?: string): string | undefined;
  /**
   * Outcomes of the next operations on the service, one consumed per operation an API call
   * starts (not by `startOperation`). Works before the service exists (CreateService).
   */
  script(serviceName: string, outcomes: DeploymentOutcome[]): void;
  /** IN_PROGRESS duration for every service, or for one. */
  setOperationDuration(ms: number, serviceName?: string): void;
  /** Any phase durations, for every service or one. */
  setOperationTiming(timing: Partial<OperationTiming>, serviceName?: string): void;
  /** Starts an operation as if someone else (the console, another workflow) had. */
  startOperation(
    nameOrArn: string,
    type?: OperationType,
    options?: StartOperationOptions,
  ): OperationState;
  /** Ends the running operation of the service now (its remaining phases take no time). */
  finishOperation(nameOrArn: string): OperationState | undefined;
  /** The next `count` ListServices / ListOperations calls (or only those of `operation`) answer an empty page with a NextToken. */
  emptyPages(count: number, operation?: 'ListServices' | 'ListOperations'): void;
  /** Applies every transition due by now; the control reads above do it themselves. */
  settle(): void;
}

/** The decoded requests App Runner received, optionally only those of one operation. */
export function appRunnerCalls(
  log: readonly RequestLogEntry[],
  operation?: string,
): Array<RequestLogEntry & { params: JsonObject }> {
  return log.filter(
    (entry): entry is RequestLogEntry & { params: JsonObject } =>
      entry.service === 'apprunner' && (operation === undefined || entry.operation === operation),
  );
}

// ---------------------------------------------------------------------------
// Constants from the App Runner model and documentation
// ---------------------------------------------------------------------------

const SERVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9-_]{3,39}$/;
const RESOURCE_ARN =
  /^arn:aws(-[\w]+)*:[a-z0-9-\\.]{0,63}:[a-z0-9-\\.]{0,63}:[0-9]{12}:(\w|\/|-){1,1011}$/;
const ROLE_ARN =
  /^arn:(aws|aws-us-gov|aws-cn|aws-iso|aws-iso-b):iam::[0-9]{12}:(role|role\/service-role)\/[\w+=,.@\-/]{1,1000}$/;
const IMAGE_IDENTIFIER_SOURCE =
  '([0-9]{12}.dkr.ecr.[a-z\\-]+-[0-9]{1}.amazonaws.com\\/((?:[a-z0-9]+(?:[._-][a-z0-9]+)*\\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*)(:([\\w\\d+\\-=._:\\/@])+|@([\\w\\d\\:]+))?)|(^public\\.ecr\\.aws\\/.+\\/((?:[a-z0-9]+(?:[._-][a-z0-9]+)*\\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*)(:([\\w\\d+\\-=._:\\/@])+|@([\\w\\d\\:]+))?)';
const IMAGE_IDENTIFIER = new RegExp(`^(?:${IMAGE_IDENTIFIER_SOURCE})$`);
const CPU_PATTERN = '256|512|1024|2048|4096|(0.25|0.5|1|2|4) vCPU';
const MEMORY_PATTERN = '512|1024|2048|3072|4096|6144|8192|10240|12288|(0.5|1|2|3|4|6|8|10|12) GB';
const KMS_KEY =
  /^arn:aws(-[\w]+)*:kms:[a-z-]+-[0-9]{1}:[0-9]{12}:key\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Supported combinations (CPU units → memory MB), from the App Runner documentation. */
const COMBINATIONS: Record<string, string[]> = {
  '256': ['512', '1024'],
  '512': ['1024'],
  '1024': ['2048', '3072', '4096'],
  '2048': ['4096', '6144'],
  '4096': ['8192', '10240', '12288'],
};

const HEALTH_CHECK_DEFAULTS: ServiceConfiguration['HealthCheckConfiguration'] = {
  Protocol: 'TCP',
  Path: '/',
  Interval: 5,
  Timeout: 2,
  HealthyThreshold: 1,
  UnhealthyThreshold: 5,
};

const DEFAULT_PORT = '8080';
const MAX_PAGE = 20;
const DEFAULT_ACCOUNT = '123456789012';
const DEFAULT_REGION = 'us-east-1';

// ---------------------------------------------------------------------------
// The module
// ---------------------------------------------------------------------------

export function createAppRunnerService(options: AppRunnerOptions = {}): AppRunnerSimulator {
  const now = options.now ?? (() => new Date());
  const services = new Map<string, AppRunnerServiceState>();
  const scripts = new Map<string, DeploymentOutcome[]>();
  const globalTiming: OperationTiming = {
    pendingMs: options.pendingMs ?? 0,
    durationMs: options.operationDurationMs ?? 500,
    rollbackMs: options.rollbackDurationMs ?? 500,
  };
  const emptyPageBudget = { any: 0, ListServices: 0, ListOperations: 0 };

  // --- lookups ---

  const byName = (name: string, region: string) =>
    [...services.values()].find(
      (s) => s.name === name && s.region === region && s.restingStatus !== 'DELETED',
    );

  const find = (nameOrArn: string, region = DEFAULT_REGION): AppRunnerServiceState => {
    settle();
    const service = services.get(nameOrArn) ?? byName(nameOrArn, region);
    if (!service) throw new Error(`App Runner simulator: no service ${nameOrArn} in ${region}`);
    return service;
  };

  /** The service an API call names, in the caller's region. */
  const serviceOf = (params: JsonObject, ctx: RequestContext, member = 'ServiceArn') => {
    const arn = requiredString(params, member, lowerFirst(member));
    validateArn(arn, lowerFirst(member));
    settle();
    const service = services.get(arn);
    if (!service || service.region !== ctx.region || service.accountId !== ctx.accountId) {
      throw new SimError(
        'ResourceNotFoundException',
        `Resource not found: no App Runner service with ARN ${arn} in ${ctx.region}`,
      );
    }
    return service;
  };

  // --- the state machine ---

  const timingOf = (
    service: AppRunnerServiceState | undefined,
    overrides: Partial<OperationTiming> = {},
  ) => ({
    ...globalTiming,
    ...(service?.timing ?? {}),
    ...definedOnly(overrides),
  });

  const nextOutcome = (service: AppRunnerServiceState): DeploymentOutcome =>
    scripts.get(service.arn)?.shift() ?? scripts.get(service.name)?.shift() ?? 'healthy';

  const startOperation = (
    service: AppRunnerServiceState,
    type: OperationType,
    target: ServiceConfiguration,
    outcome: DeploymentOutcome,
    timing: OperationTiming,
    foreign: boolean,
  ): OperationState => {
    const startedAt = now();
    const operation: OperationState = {
      id: randomUUID(),
      type,
      targetArn: service.arn,
      startedAt,
      outcome,
      timing,
      foreign,
      status: timing.pendingMs > 0 ? 'PENDING' : 'IN_PROGRESS',
      updatedAt: startedAt,
      before: {
        status: service.restingStatus,
        config: service.config,
        ...(service.live && { live: service.live }),
      },
      target,
    };
    service.operations.unshift(operation);
    service.config = target;
    service.status = 'OPERATION_IN_PROGRESS';
    service.updatedAt = startedAt;
    return operation;
  };

  /** Status of `operation` at `at`, and when it took that status. */
  const phaseAt = (operation: OperationState, at: number) => {
    const start = operation.startedAt.getTime();
    const { pendingMs, durationMs, rollbackMs } = operation.timing;
    const deployEnd = start + pendingMs + durationMs;
    const rollsBack =
      (operation.type === 'UPDATE_SERVICE' || operation.type === 'START_DEPLOYMENT') &&
      (operation.outcome === 'health-check-fails' || operation.outcome === 'rollback-fails');
    if (at < start + pendingMs) return { status: 'PENDING' as const, since: start };
    if (at < deployEnd) return { status: 'IN_PROGRESS' as const, since: start + pendingMs };
    if (!rollsBack) {
      const status = operation.outcome === 'healthy' ? 'SUCCEEDED' : 'FAILED';
      return { status: status as OperationStatus, since: deployEnd, ended: true };
    }
    const rollbackEnd = deployEnd + rollbackMs;
    if (at < rollbackEnd) return { status: 'ROLLBACK_IN_PROGRESS' as const, since: deployEnd };
    const status =
      operation.outcome === 'rollback-fails' ? 'ROLLBACK_FAILED' : 'ROLLBACK_SUCCEEDED';
    return { status: status as OperationStatus, since: rollbackEnd, ended: true };
  };

  const finish = (service: AppRunnerServiceState, operation: OperationState, endedAt: Date) => {
    const succeeded = operation.status === 'SUCCEEDED';
    const restore = () => {
      service.config = operation.before.config;
      if (operation.before.live) service.live = operation.before.live;
      else delete service.live;
      service.restingStatus = operation.before.status;
    };
    switch (operation.type) {
      case 'CREATE_SERVICE':
        if (succeeded) {
          service.live = operation.target;
          service.restingStatus = 'RUNNING';
        } else {
          service.restingStatus = 'CREATE_FAILED';
        }
        break;
      case 'UPDATE_SERVICE':
      case 'START_DEPLOYMENT':
        if (succeeded) {
          service.live = operation.target;
          // A rebuilt failed service runs; a paused one stays paused with the new configuration.
          service.restingStatus = operation.before.status === 'PAUSED' ? 'PAUSED' : 'RUNNING';
        } else {
          restore();
        }
        break;
      case 'PAUSE_SERVICE':
        service.restingStatus = succeeded ? 'PAUSED' : operation.before.status;
        break;
      case 'RESUME_SERVICE':
        service.restingStatus = succeeded ? 'RUNNING' : operation.before.status;
        break;
      case 'DELETE_SERVICE':
        if (succeeded) {
          service.restingStatus = 'DELETED';
          service.deletedAt = endedAt;
          delete service.live;
        } else {
          service.restingStatus = 'DELETE_FAILED';
        }
        break;
    }
    service.status = service.restingStatus;
    service.updatedAt = endedAt;
  };

  function settle(): void {
    const at = now().getTime();
    for (const service of services.values()) {
      for (const operation of [...service.operations].reverse()) {
        if (operation.endedAt) continue;
        const phase = phaseAt(operation, at);
        if (phase.status !== operation.status) {
          operation.status = phase.status;
          operation.updatedAt = new Date(phase.since);
        }
        if (phase.ended) {
          operation.endedAt = new Date(phase.since);
          finish(service, operation, operation.endedAt);
        }
      }
    }
  }

  const running = (service: AppRunnerServiceState) => service.operations.find((o) => !o.endedAt);

  const requireStatus = (
    service: AppRunnerServiceState,
    allowed: readonly ServiceStatus[],
    verb: string,
  ) => {
    if (!allowed.includes(service.status)) {
      throw new SimError(
        'InvalidStateException',
        `Service cannot be ${verb} in the current state: ${service.status}.`,
      );
    }
  };

  // --- building services ---

  const newService = (
    name: string,
    region: string,
    accountId: string,
    config: ServiceConfiguration,
    createdAt: Date,
  ): AppRunnerServiceState => {
    const id = randomBytes(16).toString('hex');
    const service: AppRunnerServiceState = {
      name,
      id,
      arn: `arn:aws:apprunner:${region}:${accountId}:service/${name}/${id}`,
      url: `${randomUrlLabel()}.${region}.awsapprunner.com`,
      region,
      accountId,
      createdAt,
      updatedAt: createdAt,
      status: 'OPERATION_IN_PROGRESS',
      restingStatus: 'OPERATION_IN_PROGRESS',
      config,
      tags: {},
      operations: [],
      timing: {},
    };
    services.set(service.arn, service);
    const scripted = scripts.get(name);
    if (scripted) {
      scripts.delete(name);
      scripts.set(service.arn, scripted);
    }
    return service;
  };

  const describe = (service: AppRunnerServiceState): JsonResult => {
    const c = service.config;
    const asc = autoScalingSummary(c.AutoScalingConfigurationArn, service.createdAt);
    return {
      ServiceName: service.name,
      ServiceId: service.id,
      ServiceArn: service.arn,
      ServiceUrl: service.url,
      CreatedAt: service.createdAt,
      UpdatedAt: service.updatedAt,
      ...(service.deletedAt && { DeletedAt: service.deletedAt }),
      Status: service.status,
      SourceConfiguration: c.SourceConfiguration,
      InstanceConfiguration: c.InstanceConfiguration,
      ...(service.encryptionKmsKey && {
        EncryptionConfiguration: { KmsKey: service.encryptionKmsKey },
      }),
      HealthCheckConfiguration: c.HealthCheckConfiguration,
      AutoScalingConfigurationSummary: asc,
      NetworkConfiguration: c.NetworkConfiguration,
      ...(c.ObservabilityConfiguration && {
        ObservabilityConfiguration: c.ObservabilityConfiguration,
      }),
    };
  };

  const summary = (service: AppRunnerServiceState) => ({
    ServiceName: service.name,
    ServiceId: service.id,
    ServiceArn: service.arn,
    ServiceUrl: service.url,
    CreatedAt: service.createdAt,
    UpdatedAt: service.updatedAt,
    Status: service.status,
  });

  const operationSummary = (operation: OperationState) => ({
    Id: operation.id,
    Type: operation.type,
    Status: operation.status,
    TargetArn: operation.targetArn,
    StartedAt: operation.startedAt,
    ...(operation.endedAt && { EndedAt: operation.endedAt }),
    UpdatedAt: operation.updatedAt,
  });

  /** One page of `items`, honouring MaxResults, NextToken and injected empty pages. */
  const page = <T>(
    items: T[],
    params: JsonObject,
    operation: 'ListServices' | 'ListOperations',
    scope: string,
  ): { items: T[]; nextToken: string | undefined } => {
    const max = params.MaxResults;
    if (
      max !== undefined &&
      (!Number.isInteger(max) || Number(max) < 1 || Number(max) > MAX_PAGE)
    ) {
      throw validationError([
        `Value '${String(max)}' at 'maxResults' failed to satisfy constraint: Member must have value ${Number(max) < 1 ? 'greater than or equal to 1' : `less than or equal to ${MAX_PAGE}`}`,
      ]);
    }
    let offset = 0;
    if (params.NextToken !== undefined && params.NextToken !== null) {
      offset = decodeToken(String(params.NextToken), operation, scope);
    }
    if (emptyPageBudget[operation] > 0 || emptyPageBudget.any > 0) {
      if (emptyPageBudget[operation] > 0) emptyPageBudget[operation]--;
      else emptyPageBudget.any--;
      return { items: [], nextToken: encodeToken(offset, operation, scope) };
    }
    const size = max === undefined ? items.length : Number(max);
    const end = offset + size;
    return {
      items: items.slice(offset, end),
      nextToken: end < items.length ? encodeToken(end, operation, scope) : undefined,
    };
  };

  // --- operations ---

  const operations: JsonServiceModule['operations'] = {
    CreateService: (params, ctx): JsonResult => {
      const name = requiredString(params, 'ServiceName', 'serviceName');
      if (!SERVICE_NAME.test(name)) {
        throw validationError([
          `Value '${name}' at 'serviceName' failed to satisfy constraint: Member must satisfy regular expression pattern: [A-Za-z0-9][A-Za-z0-9-_]{3,39}`,
        ]);
      }
      const source = params.SourceConfiguration;
      if (!isObject(source)) {
        throw validationError([
          "Value null at 'sourceConfiguration' failed to satisfy constraint: Member must not be null",
        ]);
      }
      const config = buildConfiguration(params, undefined, ctx);
      const encryption = params.EncryptionConfiguration;
      let kmsKey: string | undefined;
      if (encryption !== undefined) {
        kmsKey = isObject(encryption) ? String(encryption.KmsKey ?? '') : '';
        if (!KMS_KEY.test(kmsKey)) {
          throw validationError([
            `Value '${kmsKey}' at 'encryptionConfiguration.kmsKey' failed to satisfy constraint: Member must satisfy regular expression pattern: ${KMS_KEY.source.slice(1, -1)}`,
          ]);
        }
      }
      const tags = parseTags(params.Tags, 'tags');
      settle();
      if (byName(name, ctx.region)) {
        throw new SimError(
          'InvalidRequestException',
          `Service with the provided name already exists: ${name}`,
        );
      }
      const service = newService(name, ctx.region, ctx.accountId, config, now());
      if (kmsKey) service.encryptionKmsKey = kmsKey;
      service.tags = tags;
      const operation = startOperation(
        service,
        'CREATE_SERVICE',
        config,
        nextOutcome(service),
        timingOf(service),
        false,
      );
      return { Service: describe(service), OperationId: operation.id };
    },

    UpdateService: (params, ctx): JsonResult => {
      const service = serviceOf(params, ctx);
      requireStatus(service, ['RUNNING', 'PAUSED', 'CREATE_FAILED'], 'updated');
      const given = CONFIG_MEMBERS.filter((m) => params[m] !== undefined && params[m] !== null);
      if (given.length === 0) throw noChanges();
      const target = buildConfiguration(params, service.config, ctx);
      if (canonical(target) === canonical(service.config)) throw noChanges();
      const operation = startOperation(
        service,
        'UPDATE_SERVICE',
        target,
        nextOutcome(service),
        timingOf(service),
        false,
      );
      return { Service: describe(service), OperationId: operation.id };
    },

    StartDeployment: (params, ctx): JsonResult => {
      const service = serviceOf(params, ctx);
      requireStatus(service, ['RUNNING', 'CREATE_FAILED'], 'deployed');
      const operation = startOperation(
        service,
        'START_DEPLOYMENT',
        service.config,
        nextOutcome(service),
        timingOf(service),
        false,
      );
      return { OperationId: operation.id };
    },

    DescribeService: (params, ctx): JsonResult => ({ Service: describe(serviceOf(params, ctx)) }),

    ListServices: (params, ctx): JsonResult => {
      settle();
      const visible = [...services.values()].filter(
        (s) => s.region === ctx.region && s.accountId === ctx.accountId && s.status !== 'DELETED',
      );
      const { items, nextToken } = page(visible, params, 'ListServices', ctx.region);
      return {
        ServiceSummaryList: items.map(summary),
        ...(nextToken && { NextToken: nextToken }),
      };
    },

    ListOperations: (params, ctx): JsonResult => {
      const service = serviceOf(params, ctx);
      const { items, nextToken } = page(service.operations, params, 'ListOperations', service.arn);
      return {
        OperationSummaryList: items.map(operationSummary),
        ...(nextToken && { NextToken: nextToken }),
      };
    },

    DeleteService: (params, ctx): JsonResult => {
      const service = serviceOf(params, ctx);
      requireStatus(service, ['RUNNING', 'PAUSED', 'CREATE_FAILED', 'DELETE_FAILED'], 'deleted');
      const operation = startOperation(
        service,
        'DELETE_SERVICE',
        service.config,
        nextOutcome(service),
        timingOf(service),
        false,
      );
      return { Service: describe(service), OperationId: operation.id };
    },

    PauseService: (params, ctx): JsonResult => {
      const service = serviceOf(params, ctx);
      requireStatus(service, ['RUNNING'], 'paused');
      const operation = startOperation(
        service,
        'PAUSE_SERVICE',
        service.config,
        nextOutcome(service),
        timingOf(service),
        false,
      );
      return { Service: describe(service), OperationId: operation.id };
    },

    ResumeService: (params, ctx): JsonResult => {
      const service = serviceOf(params, ctx);
      requireStatus(service, ['PAUSED'], 'resumed');
      const operation = startOperation(
        service,
        'RESUME_SERVICE',
        service.config,
        nextOutcome(service),
        timingOf(service),
        false,
      );
      return { Service: describe(service), OperationId: operation.id };
    },

    TagResource: (params, ctx): JsonResult => {
      const service = serviceOf(params, ctx, 'ResourceArn');
      if (params.Tags === undefined) {
        throw validationError([
          "Value null at 'tags' failed to satisfy constraint: Member must not be null",
        ]);
      }
      Object.assign(service.tags, parseTags(params.Tags, 'tags'));
      return {};
    },

    UntagResource: (params, ctx): JsonResult => {
      const service = serviceOf(params, ctx, 'ResourceArn');
      if (!Array.isArray(params.TagKeys)) {
        throw validationError([
          "Value null at 'tagKeys' failed to satisfy constraint: Member must not be null",
        ]);
      }
      for (const key of params.TagKeys) delete service.tags[String(key)];
      return {};
    },

    ListTagsForResource: (params, ctx): JsonResult => {
      const service = serviceOf(params, ctx, 'ResourceArn');
      return { Tags: Object.entries(service.tags).map(([Key, Value]) => ({ Key, Value })) };
    },
  };

  // --- the control API ---

  const control = {
    services: services as ReadonlyMap<string, AppRunnerServiceState>,

    addService(seed: ServiceSeed): AppRunnerServiceState {
      const region = seed.region ?? DEFAULT_REGION;
      if (!SERVICE_NAME.test(seed.name)) {
        throw new Error(
          `App Runner simulator: ${seed.name} is not a valid service name (4-40 characters)`,
        );
      }
      settle();
      if (byName(seed.name, region)) {
        throw new Error(`App Runner simulator: service ${seed.name} already exists in ${region}`);
      }
      const ctx = { region, accountId: DEFAULT_ACCOUNT } as RequestContext;
      const config = buildConfiguration(seedRequest(seed), undefined, ctx);
      const createdAt = seed.createdAt ?? new Date(now().getTime() - 3600_000);
      const service = newService(seed.name, region, DEFAULT_ACCOUNT, config, createdAt);
      service.tags = { ...(seed.tags ?? {}) };
      const failed = seed.status === 'CREATE_FAILED';
      const createTiming = { ...globalTiming, pendingMs: 0, rollbackMs: 0, durationMs: 60_000 };
      const creation: OperationState = {
        id: randomUUID(),
        type: 'CREATE_SERVICE',
        targetArn: service.arn,
        startedAt: createdAt,
        outcome: failed ? 'fails' : 'healthy',
        timing: createTiming,
        foreign: true,
        status: failed ? 'FAILED' : 'SUCCEEDED',
        updatedAt: new Date(createdAt.getTime() + 60_000),
        endedAt: new Date(createdAt.getTime() + 60_000),
        before: { status: 'OPERATION_IN_PROGRESS', config },
        target: config,
      };
      service.operations.unshift(creation);
      service.updatedAt = creation.endedAt!;
      service.restingStatus = failed ? 'CREATE_FAILED' : 'RUNNING';
      service.status = service.restingStatus;
      if (!failed) service.live = config;
      if (seed.status === 'PAUSED') {
        service.restingStatus = 'PAUSED';
        service.status = 'PAUSED';
      }
      if (seed.status === 'OPERATION_IN_PROGRESS') {
        control.startOperation(service.arn, 'UPDATE_SERVICE');
      }
      return service;
    },

    service: (nameOrArn: string, region?: string) => find(nameOrArn, region),

    operationsOf: (nameOrArn: string, region?: string) => find(nameOrArn, region).operations,

    liveImage: (nameOrArn: string, region?: string) =>
      find(nameOrArn, region).live?.SourceConfiguration.ImageRepository.ImageIdentifier,

    script(serviceName: string, outcomes: DeploymentOutcome[]): void {
      settle();
      const existing = services.get(serviceName) ?? byName(serviceName, DEFAULT_REGION);
      scripts.set(existing?.arn ?? serviceName, [...outcomes]);
    },

    setOperationDuration(ms: number, serviceName?: string): void {
      control.setOperationTiming({ durationMs: ms }, serviceName);
    },

    setOperationTiming(timing: Partial<OperationTiming>, serviceName?: string): void {
      if (serviceName === undefined) Object.assign(globalTiming, definedOnly(timing));
      else Object.assign(find(serviceName).timing, definedOnly(timing));
    },

    startOperation(
      nameOrArn: string,
      type: OperationType = 'UPDATE_SERVICE',
      opts: StartOperationOptions = {},
    ): OperationState {
      const service = find(nameOrArn);
      if (running(service)) {
        throw new Error(`App Runner simulator: ${service.name} already has an operation running`);
      }
      let target = service.config;
      if (opts.image !== undefined) {
        const source = service.config.SourceConfiguration;
        target = {
          ...service.config,
          SourceConfiguration: {
            ...source,
            ImageRepository: { ...source.ImageRepository, ImageIdentifier: opts.image },
          },
        };
      }
      return startOperation(
        service,
        type,
        target,
        opts.outcome ?? 'healthy',
        timingOf(service, {
          ...(opts.durationMs !== undefined && { durationMs: opts.durationMs }),
          ...(opts.rollbackMs !== undefined && { rollbackMs: opts.rollbackMs }),
          ...(opts.pendingMs !== undefined && { pendingMs: opts.pendingMs }),
        }),
        true,
      );
    },

    finishOperation(nameOrArn: string): OperationState | undefined {
      const service = find(nameOrArn);
      const operation = running(service);
      if (!operation) return undefined;
      // Shrink the remaining phases so that the operation ends now.
      const elapsed = Math.max(0, now().getTime() - operation.startedAt.getTime());
      const { pendingMs } = operation.timing;
      const inRollback = operation.status === 'ROLLBACK_IN_PROGRESS';
      operation.timing = inRollback
        ? { ...operation.timing, rollbackMs: elapsed - pendingMs - operation.timing.durationMs }
        : {
            pendingMs: Math.min(pendingMs, elapsed),
            durationMs: elapsed - Math.min(pendingMs, elapsed),
            rollbackMs: 0,
          };
      settle();
      return operation;
    },

    emptyPages(count: number, operation?: 'ListServices' | 'ListOperations'): void {
      emptyPageBudget[operation ?? 'any'] += count;
    },

    settle,
  };

  return {
    name: 'apprunner',
    endpointEnvSuffix: 'APPRUNNER',
    protocol: 'json',
    jsonVersion: '1.0',
    targetPrefix: 'AppRunner',
    operations,
    ...control,
  };
}

// ---------------------------------------------------------------------------
// Configuration: validation, defaults, normalisation
// ---------------------------------------------------------------------------

const CONFIG_MEMBERS = [
  'SourceConfiguration',
  'InstanceConfiguration',
  'AutoScalingConfigurationArn',
  'HealthCheckConfiguration',
  'NetworkConfiguration',
  'ObservabilityConfiguration',
] as const;

function noChanges(): SimError {
  return new SimError(
    'InvalidRequestException',
    'No configurations provided in the UpdateService request.',
  );
}

/**
 * The configuration a CreateService (current undefined) or UpdateService request asks for:
 * each given top-level structure replaces the current one wholesale, with defaults for what
 * it leaves out; structures not given stay as they are.
 */
function buildConfiguration(
  params: JsonObject,
  current: ServiceConfiguration | undefined,
  ctx: Pick<RequestContext, 'region' | 'accountId'>,
): ServiceConfiguration {
  const problems: string[] = [];
  const source = params.SourceConfiguration;
  const sourceConfiguration =
    source !== undefined && source !== null
      ? sourceConfigurationOf(source, problems, current?.SourceConfiguration)
      : current?.SourceConfiguration;
  const instance = params.InstanceConfiguration;
  const instanceConfiguration =
    instance !== undefined && instance !== null
      ? instanceConfigurationOf(instance, problems)
      : (current?.InstanceConfiguration ?? { Cpu: '1024', Memory: '2048' });
  const health = params.HealthCheckConfiguration;
  const healthCheck =
    health !== undefined && health !== null
      ? healthCheckOf(health, problems)
      : (current?.HealthCheckConfiguration ?? { ...HEALTH_CHECK_DEFAULTS });
  const network = params.NetworkConfiguration;
  const networkConfiguration =
    network !== undefined && network !== null
      ? networkOf(network, problems)
      : (current?.NetworkConfiguration ?? networkOf({}, problems));
  const scaling = params.AutoScalingConfigurationArn;
  let autoScaling = current?.AutoScalingConfigurationArn ?? defaultAutoScalingArn(ctx);
  if (scaling !== undefined && scaling !== null) {
    autoScaling = String(scaling);
    if (!RESOURCE_ARN.test(autoScaling) || !/:autoscalingconfiguration\//.test(autoScaling)) {
      problems.push(arnProblem(autoScaling, 'autoScalingConfigurationArn'));
    }
  }
  const observability = params.ObservabilityConfiguration;
  let observabilityConfiguration = current?.ObservabilityConfiguration;
  if (observability !== undefined && observability !== null) {
    observabilityConfiguration = observabilityOf(observability, problems);
  }
  if (problems.length > 0) throw validationError(problems);
  if (!sourceConfiguration) throw new Error('unreachable: no source configuration');
  checkCombination(instanceConfiguration);
  checkSemantics(sourceConfiguration, networkConfiguration, healthCheck);
  return {
    SourceConfiguration: sourceConfiguration,
    InstanceConfiguration: instanceConfiguration,
    HealthCheckConfiguration: healthCheck,
    NetworkConfiguration: networkConfiguration,
    AutoScalingConfigurationArn: autoScaling,
    ...(observabilityConfiguration && { ObservabilityConfiguration: observabilityConfiguration }),
  };
}

function sourceConfigurationOf(
  value: JsonValue,
  problems: string[],
  current: ServiceConfiguration['SourceConfiguration'] | undefined,
): ServiceConfiguration['SourceConfiguration'] {
  const source = isObject(value) ? value : {};
  if (source.CodeRepository !== undefined) {
    throw new SimError(
      'InvalidRequestException',
      'The AWS simulator models image-based App Runner services only (CodeRepository is not supported).',
    );
  }
  const image = source.ImageRepository;
  if (!isObject(image)) {
    throw new SimError(
      'InvalidRequestException',
      'Exactly one of CodeRepository or ImageRepository must be provided in SourceConfiguration.',
    );
  }
  const identifier = String(image.ImageIdentifier ?? '');
  if (!IMAGE_IDENTIFIER.test(identifier) || identifier.length > 1024) {
    problems.push(
      `Value '${identifier}' at 'sourceConfiguration.imageRepository.imageIdentifier' failed to satisfy constraint: Member must satisfy regular expression pattern: ${IMAGE_IDENTIFIER_SOURCE}`,
    );
  }
  const type = String(image.ImageRepositoryType ?? '');
  if (type !== 'ECR' && type !== 'ECR_PUBLIC') {
    problems.push(
      `Value '${type}' at 'sourceConfiguration.imageRepository.imageRepositoryType' failed to satisfy constraint: Member must satisfy enum value set: [ECR, ECR_PUBLIC]`,
    );
  }
  const imageConfig = isObject(image.ImageConfiguration) ? image.ImageConfiguration : {};
  const env = stringMap(
    imageConfig.RuntimeEnvironmentVariables,
    problems,
    'runtimeEnvironmentVariables',
  );
  const secrets = stringMap(
    imageConfig.RuntimeEnvironmentSecrets,
    problems,
    'runtimeEnvironmentSecrets',
  );
  const port = imageConfig.Port === undefined ? DEFAULT_PORT : String(imageConfig.Port);
  if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
    problems.push(
      `Value '${port}' at 'sourceConfiguration.imageRepository.imageConfiguration.port' failed to satisfy constraint: Member must be a port number between 1 and 65535`,
    );
  }
  const startCommand =
    imageConfig.StartCommand === undefined ? undefined : String(imageConfig.StartCommand);
  if (startCommand !== undefined && !/^[^\n\r]+$/.test(startCommand)) {
    problems.push(
      "Value at 'sourceConfiguration.imageRepository.imageConfiguration.startCommand' failed to satisfy constraint: Member must satisfy regular expression pattern: [^\\x0a\\x0d]+",
    );
  }
  const auth = isObject(source.AuthenticationConfiguration)
    ? source.AuthenticationConfiguration
    : undefined;
  const accessRole = auth?.AccessRoleArn === undefined ? undefined : String(auth.AccessRoleArn);
  if (accessRole !== undefined && !ROLE_ARN.test(accessRole)) {
    problems.push(
      roleProblem(accessRole, 'sourceConfiguration.authenticationConfiguration.accessRoleArn'),
    );
  }
  // A NullableBoolean in the model: left out of an update, it keeps its value.
  const autoDeployments =
    source.AutoDeploymentsEnabled === undefined || source.AutoDeploymentsEnabled === null
      ? (current?.AutoDeploymentsEnabled ?? type === 'ECR')
      : Boolean(source.AutoDeploymentsEnabled);
  return {
    ImageRepository: {
      ImageIdentifier: identifier,
      ImageRepositoryType: type as 'ECR' | 'ECR_PUBLIC',
      ImageConfiguration: {
        Port: port,
        ...(env && { RuntimeEnvironmentVariables: env }),
        ...(secrets && { RuntimeEnvironmentSecrets: secrets }),
        ...(startCommand !== undefined && { StartCommand: startCommand }),
      },
    },
    AutoDeploymentsEnabled: autoDeployments,
    ...(auth && {
      AuthenticationConfiguration: {
        ...(accessRole !== undefined && { AccessRoleArn: accessRole }),
        ...(auth.ConnectionArn !== undefined && { ConnectionArn: String(auth.ConnectionArn) }),
      },
    }),
  };
}

function instanceConfigurationOf(
  value: JsonValue,
  problems: string[],
): ServiceConfiguration['InstanceConfiguration'] {
  const instance = isObject(value) ? value : {};
  const cpu = instance.Cpu === undefined ? '1024' : String(instance.Cpu);
  const memory = instance.Memory === undefined ? '2048' : String(instance.Memory);
  const cpuUnits = cpuToUnits(cpu);
  const memoryMb = memoryToMb(memory);
  if (!cpuUnits) {
    problems.push(
      `Value '${cpu}' at 'instanceConfiguration.cpu' failed to satisfy constraint: Member must satisfy regular expression pattern: ${CPU_PATTERN}`,
    );
  }
  if (!memoryMb) {
    problems.push(
      `Value '${memory}' at 'instanceConfiguration.memory' failed to satisfy constraint: Member must satisfy regular expression pattern: ${MEMORY_PATTERN}`,
    );
  }
  const role =
    instance.InstanceRoleArn === undefined ? undefined : String(instance.InstanceRoleArn);
  if (role !== undefined && !ROLE_ARN.test(role)) {
    problems.push(roleProblem(role, 'instanceConfiguration.instanceRoleArn'));
  }
  return {
    Cpu: cpuUnits ?? cpu,
    Memory: memoryMb ?? memory,
    ...(role !== undefined && { InstanceRoleArn: role }),
  };
}

function healthCheckOf(
  value: JsonValue,
  problems: string[],
): ServiceConfiguration['HealthCheckConfiguration'] {
  const health = isObject(value) ? value : {};
  const protocol = String(health.Protocol ?? HEALTH_CHECK_DEFAULTS.Protocol);
  if (protocol !== 'TCP' && protocol !== 'HTTP') {
    problems.push(
      `Value '${protocol}' at 'healthCheckConfiguration.protocol' failed to satisfy constraint: Member must satisfy enum value set: [TCP, HTTP]`,
    );
  }
  const path = String(health.Path ?? HEALTH_CHECK_DEFAULTS.Path);
  if (path.length < 1) {
    problems.push(
      "Value '' at 'healthCheckConfiguration.path' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  }
  const number = (member: 'Interval' | 'Timeout' | 'HealthyThreshold' | 'UnhealthyThreshold') => {
    const raw = health[member];
    const n = raw === undefined || raw === null ? HEALTH_CHECK_DEFAULTS[member] : Number(raw);
    if (!Number.isInteger(n) || n < 1 || n > 20) {
      problems.push(
        `Value '${String(raw)}' at 'healthCheckConfiguration.${lowerFirst(member)}' failed to satisfy constraint: Member must have value ${n < 1 ? 'greater than or equal to 1' : 'less than or equal to 20'}`,
      );
    }
    return n;
  };
  return {
    Protocol: protocol as 'TCP' | 'HTTP',
    Path: path,
    Interval: number('Interval'),
    Timeout: number('Timeout'),
    HealthyThreshold: number('HealthyThreshold'),
    UnhealthyThreshold: number('UnhealthyThreshold'),
  };
}

function networkOf(
  value: JsonValue,
  problems: string[],
): ServiceConfiguration['NetworkConfiguration'] {
  const network = isObject(value) ? value : {};
  const egress = isObject(network.EgressConfiguration) ? network.EgressConfiguration : {};
  const egressType = String(egress.EgressType ?? 'DEFAULT');
  if (egressType !== 'DEFAULT' && egressType !== 'VPC') {
    problems.push(
      `Value '${egressType}' at 'networkConfiguration.egressConfiguration.egressType' failed to satisfy constraint: Member must satisfy enum value set: [DEFAULT, VPC]`,
    );
  }
  const connector =
    egress.VpcConnectorArn === undefined ? undefined : String(egress.VpcConnectorArn);
  if (connector !== undefined && !RESOURCE_ARN.test(connector)) {
    problems.push(
      arnProblem(connector, 'networkConfiguration.egressConfiguration.vpcConnectorArn'),
    );
  }
  const ingress = isObject(network.IngressConfiguration) ? network.IngressConfiguration : {};
  const ipAddressType = String(network.IpAddressType ?? 'IPV4');
  if (ipAddressType !== 'IPV4' && ipAddressType !== 'DUAL_STACK') {
    problems.push(
      `Value '${ipAddressType}' at 'networkConfiguration.ipAddressType' failed to satisfy constraint: Member must satisfy enum value set: [IPV4, DUAL_STACK]`,
    );
  }
  return {
    EgressConfiguration: {
      EgressType: egressType as 'DEFAULT' | 'VPC',
      ...(connector !== undefined && { VpcConnectorArn: connector }),
    },
    IngressConfiguration: {
      IsPubliclyAccessible:
        ingress.IsPubliclyAccessible === undefined ? true : Boolean(ingress.IsPubliclyAccessible),
    },
    IpAddressType: ipAddressType as 'IPV4' | 'DUAL_STACK',
  };
}

function observabilityOf(
  value: JsonValue,
  problems: string[],
): NonNullable<ServiceConfiguration['ObservabilityConfiguration']> {
  const observability = isObject(value) ? value : {};
  if (typeof observability.ObservabilityEnabled !== 'boolean') {
    problems.push(
      "Value null at 'observabilityConfiguration.observabilityEnabled' failed to satisfy constraint: Member must not be null",
    );
  }
  const arn =
    observability.ObservabilityConfigurationArn === undefined
      ? undefined
      : String(observability.ObservabilityConfigurationArn);
  if (arn !== undefined && !RESOURCE_ARN.test(arn)) {
    problems.push(arnProblem(arn, 'observabilityConfiguration.observabilityConfigurationArn'));
  }
  return {
    ObservabilityEnabled: Boolean(observability.ObservabilityEnabled),
    ...(arn !== undefined && { ObservabilityConfigurationArn: arn }),
  };
}

/** Rules beyond the model's constraints, which App Runner checks itself. */
function checkSemantics(
  source: ServiceConfiguration['SourceConfiguration'],
  network: ServiceConfiguration['NetworkConfiguration'],
  health: ServiceConfiguration['HealthCheckConfiguration'],
): void {
  const image = source.ImageRepository;
  if (image.ImageRepositoryType === 'ECR' && !source.AuthenticationConfiguration?.AccessRoleArn) {
    throw new SimError(
      'InvalidRequestException',
      'Authentication configuration is invalid: an AccessRoleArn is required to pull images from a private Amazon ECR repository (ImageRepositoryType ECR).',
    );
  }
  if (
    image.ImageRepositoryType === 'ECR_PUBLIC' &&
    !image.ImageIdentifier.startsWith('public.ecr.aws/')
  ) {
    throw new SimError(
      'InvalidRequestException',
      `ImageRepositoryType ECR_PUBLIC does not match the image identifier ${image.ImageIdentifier}.`,
    );
  }
  if (image.ImageRepositoryType === 'ECR' && image.ImageIdentifier.startsWith('public.ecr.aws/')) {
    throw new SimError(
      'InvalidRequestException',
      `ImageRepositoryType ECR does not match the image identifier ${image.ImageIdentifier}.`,
    );
  }
  for (const name of [
    ...Object.keys(image.ImageConfiguration.RuntimeEnvironmentVariables ?? {}),
    ...Object.keys(image.ImageConfiguration.RuntimeEnvironmentSecrets ?? {}),
  ]) {
    if (name.toUpperCase().startsWith('AWSAPPRUNNER')) {
      throw new SimError(
        'InvalidRequestException',
        `Environment variable names prefixed with AWSAPPRUNNER are reserved for system use: ${name}`,
      );
    }
  }
  const egress = network.EgressConfiguration;
  if (egress.EgressType === 'VPC' && !egress.VpcConnectorArn) {
    throw new SimError(
      'InvalidRequestException',
      'VpcConnectorArn must be provided when EgressType is VPC.',
    );
  }
  if (egress.EgressType === 'DEFAULT' && egress.VpcConnectorArn) {
    throw new SimError(
      'InvalidRequestException',
      'VpcConnectorArn must not be provided when EgressType is DEFAULT.',
    );
  }
  if (health.Protocol === 'HTTP' && !health.Path.startsWith('/')) {
    throw new SimError(
      'InvalidRequestException',
      `Health check path must start with '/': ${health.Path}`,
    );
  }
}

function checkCombination(instance: ServiceConfiguration['InstanceConfiguration']): void {
  const allowed = COMBINATIONS[instance.Cpu];
  if (allowed && !allowed.includes(instance.Memory)) {
    const supported = Object.entries(COMBINATIONS)
      .map(([cpu, memories]) => `${cpu} CPU with ${memories.join('/')} MB`)
      .join(', ');
    throw new SimError(
      'InvalidRequestException',
      `The combination of Cpu ${instance.Cpu} and Memory ${instance.Memory} is not supported. Supported combinations: ${supported}.`,
    );
  }
}

/** '1 vCPU' → '1024', '1024' → '1024'; undefined when neither form. */
export function cpuToUnits(cpu: string): string | undefined {
  if (/^(256|512|1024|2048|4096)$/.test(cpu)) return cpu;
  const match = /^(0\.25|0\.5|1|2|4) vCPU$/.exec(cpu);
  return match ? String(Number(match[1]) * 1024) : undefined;
}

/** '2 GB' → '2048', '2048' → '2048'; undefined when neither form. */
export function memoryToMb(memory: string): string | undefined {
  if (/^(512|1024|2048|3072|4096|6144|8192|10240|12288)$/.test(memory)) return memory;
  const match = /^(0\.5|1|2|3|4|6|8|10|12) GB$/.exec(memory);
  return match ? String(Number(match[1]) * 1024) : undefined;
}

function defaultAutoScalingArn(ctx: Pick<RequestContext, 'region' | 'accountId'>): string {
  return `arn:aws:apprunner:${ctx.region}:${ctx.accountId}:autoscalingconfiguration/DefaultConfiguration/1/00000000000000000000000000000001`;
}

function autoScalingSummary(arn: string, createdAt: Date) {
  const match = /:autoscalingconfiguration\/([^/]+)\/(\d+)\//.exec(arn);
  const name = match?.[1] ?? 'DefaultConfiguration';
  return {
    AutoScalingConfigurationArn: arn,
    AutoScalingConfigurationName: name,
    AutoScalingConfigurationRevision: Number(match?.[2] ?? 1),
    Status: 'ACTIVE',
    CreatedAt: createdAt,
    HasAssociatedService: true,
    IsDefault: name === 'DefaultConfiguration',
  };
}

/** A CreateService-shaped request for a seed. */
function seedRequest(seed: ServiceSeed): JsonObject {
  const type = seed.image.startsWith('public.ecr.aws/') ? 'ECR_PUBLIC' : 'ECR';
  const request: JsonObject = {
    SourceConfiguration: {
      ImageRepository: {
        ImageIdentifier: seed.image,
        ImageRepositoryType: type,
        ImageConfiguration: definedOnly({
          Port: seed.port,
          RuntimeEnvironmentVariables: seed.env,
          RuntimeEnvironmentSecrets: seed.secrets,
          StartCommand: seed.startCommand,
        }) as JsonObject,
      },
      ...(seed.autoDeployments !== undefined && { AutoDeploymentsEnabled: seed.autoDeployments }),
      ...((seed.accessRoleArn ?? type === 'ECR') && {
        AuthenticationConfiguration: {
          AccessRoleArn:
            seed.accessRoleArn ??
            `arn:aws:iam::${DEFAULT_ACCOUNT}:role/service-role/AppRunnerECRAccessRole`,
        },
      }),
    },
    InstanceConfiguration: definedOnly({
      Cpu: seed.cpu,
      Memory: seed.memory,
      InstanceRoleArn: seed.instanceRoleArn,
    }) as JsonObject,
    ...(seed.healthCheck && {
      HealthCheckConfiguration: definedOnly(seed.healthCheck) as JsonObject,
    }),
    ...(seed.vpcConnectorArn && {
      NetworkConfiguration: {
        EgressConfiguration: { EgressType: 'VPC', VpcConnectorArn: seed.vpcConnectorArn },
      },
    }),
    ...(seed.autoScalingConfigurationArn && {
      AutoScalingConfigurationArn: seed.autoScalingConfigurationArn,
    }),
    ...(seed.observabilityConfigurationArn && {
      ObservabilityConfiguration: {
        ObservabilityEnabled: true,
        ObservabilityConfigurationArn: seed.observabilityConfigurationArn,
      },
    }),
  };
  return request;
}

// ---------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------

function validationError(problems: string[]): SimError {
  const count = problems.length;
  return new SimError(
    'InvalidRequestException',
    `${count} validation error${count === 1 ? '' : 's'} detected: ${problems.join('; ')}`,
  );
}

function requiredString(params: JsonObject, member: string, path: string): string {
  const value = params[member];
  if (value === undefined || value === null || value === '') {
    throw validationError([
      `Value null at '${path}' failed to satisfy constraint: Member must not be null`,
    ]);
  }
  return String(value);
}

function validateArn(arn: string, path: string): void {
  if (!RESOURCE_ARN.test(arn) || arn.length > 1011) throw validationError([arnProblem(arn, path)]);
}

function arnProblem(arn: string, path: string): string {
  return `Value '${arn}' at '${path}' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:aws(-[\\w]+)*:[a-z0-9-\\\\.]{0,63}:[a-z0-9-\\\\.]{0,63}:[0-9]{12}:(\\w|\\/|-){1,1011}`;
}

function roleProblem(arn: string, path: string): string {
  return `Value '${arn}' at '${path}' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws|aws-us-gov|aws-cn|aws-iso|aws-iso-b):iam::[0-9]{12}:(role|role\\/service-role)\\/[\\w+=,.@\\-/]{1,1000}`;
}

function stringMap(
  value: JsonValue | undefined,
  problems: string[],
  path: string,
): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) {
    problems.push(`Value at '${path}' failed to satisfy constraint: Member must be a map`);
    return undefined;
  }
  const entries = Object.entries(value).map(([k, v]) => [k, String(v)] as const);
  for (const [key] of entries) {
    if (key.length < 1) {
      problems.push(`Value at '${path}' failed to satisfy constraint: Map keys must not be empty`);
    }
  }
  // An empty map is the same as none: DescribeService leaves it out.
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

function parseTags(value: JsonValue | undefined, path: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!Array.isArray(value)) throw validationError([`Value at '${path}' must be a list`]);
  const tags: Record<string, string> = {};
  for (const tag of value) {
    const key = isObject(tag) ? String(tag.Key ?? '') : '';
    const tagValue = isObject(tag) ? String(tag.Value ?? '') : '';
    if (key.length < 1 || key.length > 128 || key.startsWith('aws:')) {
      throw validationError([
        `Value '${key}' at '${path}.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: ^(?!aws:).+`,
      ]);
    }
    tags[key] = tagValue;
  }
  return tags;
}

function encodeToken(offset: number, operation: string, scope: string): string {
  return Buffer.from(JSON.stringify({ o: offset, op: operation, s: scope })).toString('base64url');
}

function decodeToken(token: string, operation: string, scope: string): number {
  try {
    const decoded = JSON.parse(Buffer.from(token, 'base64url').toString()) as {
      o?: unknown;
      op?: unknown;
      s?: unknown;
    };
    if (decoded.op === operation && decoded.s === scope && Number.isInteger(decoded.o)) {
      return Number(decoded.o);
    }
  } catch {
    // answered below
  }
  throw new SimError('InvalidRequestException', 'The provided NextToken is invalid.');
}

function randomUrlLabel(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(10)].map((b) => alphabet[b % alphabet.length]).join('');
}

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** JSON with sorted keys, to compare configurations. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}
