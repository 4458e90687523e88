/**
 * The App Runner calls the deploy makes. Each goes through `call` (callWith of
 * APPRUNNER_CALLS), which names its IAM action for error translation, and which waits
 * out throttling that outlasted the SDK's own retries (until the run's
 * deadline): throttling slows a deploy down, it never fails it. Reads are also
 * retried after 5xx answers and dropped connections; writes are not, because
 * such a write may have been applied (see ServiceBusyError for how a repeated
 * write is recognised). Listings follow NextToken to the end: App Runner can
 * answer a page with no items and a NextToken, so "empty page" never means
 * "no more".
 */
import {
  CreateServiceCommand,
  DescribeServiceCommand,
  ListOperationsCommand,
  ListServicesCommand,
  StartDeploymentCommand,
  UpdateServiceCommand,
  type AppRunnerClient,
  type CreateServiceCommandInput,
  type OperationSummary,
  type Service,
  type ServiceSummary,
  type UpdateServiceCommandInput,
} from '@aws-sdk/client-apprunner';
import { UserError, type Clock, type Logger } from '@deploy-actions/action-kit/engine';
import {
  callWith,
  errorCode,
  isThrottling,
  isTransient,
  translateAwsError,
  unwrapAwsError,
  type CallName,
} from '@deploy-actions/aws';
import { APPRUNNER_CALLS, type AppRunnerCall } from './calls.js';

/** Listings longer than this are a bug (a NextToken loop), not a big account. */
const MAX_PAGES = 1000;
/** Waits between our own retries of a call the SDK gave up on. */
const RETRY_BACKOFF = { initialMs: 1_000, maxMs: 20_000 };
const WRITES: ReadonlySet<AppRunnerCall> = new Set([
  'CreateService',
  'UpdateService',
  'StartDeployment',
]);

/** App Runner refused a change because of the service's state (InvalidStateException). */
export class ServiceBusyError extends Error {
  constructor(
    readonly call: AppRunnerCall,
    message: string,
    options: { cause: unknown },
  ) {
    super(message, options);
    this.name = 'ServiceBusyError';
  }
}

export interface StartedOperation {
  operationId: string;
  /** The service as App Runner describes it in its answer (with the new configuration). */
  service: Service | undefined;
}

export interface AppRunnerApiOptions {
  client: AppRunnerClient;
  region: string;
  clock: Clock;
  logger: Logger;
  /** Clock time after which a throttled or failing call is no longer retried. */
  deadline: number;
  random?: () => number;
}

export class AppRunnerApi {
  readonly region: string;

  constructor(private readonly options: AppRunnerApiOptions) {
    this.region = options.region;
  }

  /** The service of that name in this region, or undefined. Deleted services are not candidates. */
  async findServiceByName(name: string): Promise<ServiceSummary | undefined> {
    let found: ServiceSummary | undefined;
    await this.eachPage(
      'ListServices',
      '*',
      (NextToken) =>
        this.options.client.send(new ListServicesCommand({ NextToken, MaxResults: 20 })),
      (page) => {
        found = page.ServiceSummaryList?.find(
          (service) => service.ServiceName === name && service.Status !== 'DELETED',
        );
        return found !== undefined;
      },
    );
    return found;
  }

  async describeService(serviceArn: string): Promise<Service> {
    const response = await this.call('DescribeService', serviceArn, () =>
      this.options.client.send(new DescribeServiceCommand({ ServiceArn: serviceArn })),
    );
    if (!response.Service) {
      throw new UserError(`DescribeService answered without a service for ${serviceArn}.`);
    }
    return response.Service;
  }

  /** undefined when no service has that ARN (e.g. it was deleted, or the ARN is mistyped). */
  async describeServiceIfExists(serviceArn: string): Promise<Service | undefined> {
    try {
      return await this.describeService(serviceArn);
    } catch (error) {
      if (errorCode(unwrapAwsError(error)) === 'ResourceNotFoundException') return undefined;
      throw error;
    }
  }

  async createService(request: CreateServiceCommandInput): Promise<StartedOperation> {
    const resource = `arn:aws:apprunner:${this.region}:<account>:service/${request.ServiceName}/*`;
    const response = await this.call('CreateService', resource, () =>
      this.options.client.send(new CreateServiceCommand(request)),
    );
    return {
      operationId: required(response.OperationId, 'CreateService'),
      service: response.Service,
    };
  }

  /** Throws ServiceBusyError when App Runner refuses because of the service's state. */
  async updateService(request: UpdateServiceCommandInput): Promise<StartedOperation> {
    const response = await this.call('UpdateService', request.ServiceArn ?? '*', () =>
      this.options.client.send(new UpdateServiceCommand(request)),
    );
    return {
      operationId: required(response.OperationId, 'UpdateService'),
      service: response.Service,
    };
  }

  /** Throws ServiceBusyError when App Runner refuses because of the service's state. */
  async startDeployment(serviceArn: string): Promise<StartedOperation> {
    const response = await this.call('StartDeployment', serviceArn, () =>
      this.options.client.send(new StartDeploymentCommand({ ServiceArn: serviceArn })),
    );
    return { operationId: required(response.OperationId, 'StartDeployment'), service: undefined };
  }

  /** The newest operation (App Runner lists newest first) that matches, or undefined. */
  async findOperation(
    serviceArn: string,
    matches: (operation: OperationSummary) => boolean,
  ): Promise<OperationSummary | undefined> {
    let found: OperationSummary | undefined;
    await this.eachPage(
      'ListOperations',
      serviceArn,
      (NextToken) =>
        this.options.client.send(
          new ListOperationsCommand({ ServiceArn: serviceArn, NextToken, MaxResults: 20 }),
        ),
      (page) => {
        found = page.OperationSummaryList?.find(matches);
        return found !== undefined;
      },
    );
    return found;
  }

  /** Fetches pages until `visit` says it found what it wanted or there is no NextToken. */
  private async eachPage<P extends { NextToken?: string | undefined }>(
    name: CallName<typeof APPRUNNER_CALLS>,
    resource: string,
    fetch: (nextToken: string | undefined) => Promise<P>,
    visit: (page: P) => boolean,
  ): Promise<void> {
    let nextToken: string | undefined;
    for (let pages = 0; pages < MAX_PAGES; pages++) {
      const page = await this.call(name, resource, () => fetch(nextToken));
      if (visit(page) || !page.NextToken) return;
      nextToken = page.NextToken;
    }
    throw new UserError(
      `${APPRUNNER_CALLS[name].actions[0]} returned more than ${MAX_PAGES} pages; stopped following NextToken.`,
    );
  }

  private call<T>(
    name: CallName<typeof APPRUNNER_CALLS>,
    resource: string,
    fn: () => Promise<T>,
  ): Promise<T> {
    const { clock, logger, deadline, random } = this.options;
    return callWith(APPRUNNER_CALLS, name, { resource, region: this.region }, fn, {
      retry: {
        retryable: WRITES.has(name) ? isThrottling : isTransient,
        deadline,
        clock,
        backoff: RETRY_BACKOFF,
        random,
        onRetry: (error, delayMs) =>
          logger.info(
            `${name} was ${isThrottling(error) ? 'throttled' : `answered with ${errorCode(error) ?? 'an error'}`} after the SDK's retries; trying again in ${Math.ceil(delayMs / 1000)}s`,
          ),
      },
      onError: (error, context) => {
        if (errorCode(error) === 'InvalidStateException') {
          throw new ServiceBusyError(name, error instanceof Error ? error.message : String(error), {
            cause: error,
          });
        }
        throw translateAwsError(error, context);
      },
    });
  }
}

function required(value: string | undefined, call: string): string {
  if (!value) throw new UserError(`${call} answered without an OperationId.`);
  return value;
}
