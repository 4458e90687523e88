/**
 * One local HTTP server for every simulated AWS service. Each request goes
 * through the same steps: find the module (by protocol), decode it,
 * authenticate it (SigV4, or anonymous for unsigned operations), apply
 * injected faults, run the handler, answer in the protocol's wire format,
 * and record it in the request log.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { authenticate } from './auth.js';
import { CredentialStore, type StaticCredentials } from './credentials.js';
import { SimError, commonError, type ErrorDialect } from './errors.js';
import { FaultInjector, type ActiveFault } from './faults.js';
import { requestId as newRequestId } from './ids.js';
import type { Jwks } from './jwt.js';
import type { BoundService, DecodedCall } from './protocols/bound-service.js';
import { headerValue } from './protocols/bound-service.js';
import { queryParameters } from './protocols/query.js';
import { bindService, selectService } from './router.js';
import { parseAuthorizationHeader } from './sigv4.js';
import { createSts, type RoleTrust, type StsControl } from './services/sts.js';
import type {
  RequestContext,
  RequestLogEntry,
  ServiceModule,
  SimRequest,
  SimResponse,
} from './types.js';

export interface AwsSimulatorOptions {
  /** The account roles and resources belong to by default: 123456789012. */
  accountId?: string;
  /** JWKS of GitHub's OIDC issuer for STS to trust (same as `sts.trustJwks(jwks)`). */
  trustJwks?: Jwks;
  /** Roles to create up front (same as `sts.allowRole(role)` for each). */
  roles?: readonly RoleTrust[];
  /** The simulated clock, for token and credential expiry; the real clock when absent. */
  now?: () => Date;
}

export interface AwsSimulator {
  /** `http://127.0.0.1:<port>`: pass as a client's `endpoint`, or use endpointEnv(). */
  readonly url: string;
  readonly port: number;
  readonly accountId: string;
  /** Every answered request, in the order answered. */
  readonly requestLog: RequestLogEntry[];
  readonly faults: FaultInjector;
  readonly sts: StsControl;
  /** `AWS_ENDPOINT_URL_<SERVICE_ID>` for every registered service, as the SDK reads them. */
  endpointEnv(): Record<string, string>;
  /** Static ("ambient") credentials the simulator accepts, e.g. for the default credential chain. */
  addCredentials(credentials: StaticCredentials): void;
  register(module: ServiceModule): void;
  readonly modules: readonly ServiceModule[];
  close(): Promise<void>;
}

export const DEFAULT_ACCOUNT_ID = '123456789012';
const ANONYMOUS = { caller: undefined, region: 'us-east-1' };

export async function startAwsSimulator(options: AwsSimulatorOptions = {}): Promise<AwsSimulator> {
  const simulator = new Simulator(options);
  await simulator.listen();
  return simulator;
}

interface Answer {
  response: SimResponse;
  error?: SimError;
  detail?: string;
}
type Outcome = Answer | 'reset';

class Simulator implements AwsSimulator {
  readonly accountId: string;
  readonly requestLog: RequestLogEntry[] = [];
  readonly faults = new FaultInjector();
  readonly sts: StsControl;
  private readonly credentials = new CredentialStore();
  private readonly services: BoundService[] = [];
  private readonly now: () => Date;
  private readonly server: Server;
  private readonly closing = new AbortController();
  private address: AddressInfo | undefined;

  constructor(options: AwsSimulatorOptions) {
    this.accountId = options.accountId ?? DEFAULT_ACCOUNT_ID;
    this.now = options.now ?? (() => new Date());
    const sts = createSts();
    this.sts = sts.control;
    this.register(sts.module);
    if (options.trustJwks) this.sts.trustJwks(options.trustJwks);
    for (const role of options.roles ?? []) this.sts.allowRole(role);
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  get port(): number {
    if (!this.address) throw new Error('The AWS simulator is not listening');
    return this.address.port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get modules(): readonly ServiceModule[] {
    return this.services.map((s) => s.module);
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => {
        this.address = this.server.address() as AddressInfo;
        resolve();
      });
    });
  }

  register(module: ServiceModule): void {
    if (this.services.some((s) => s.module.name === module.name)) {
      throw new Error(`A service named ${module.name} is already registered`);
    }
    this.services.push(bindService(module));
  }

  addCredentials(credentials: StaticCredentials): void {
    this.credentials.add(credentials);
  }

  endpointEnv(): Record<string, string> {
    return Object.fromEntries(
      this.services.map((s) => [`AWS_ENDPOINT_URL_${s.module.endpointEnvSuffix}`, this.url]),
    );
  }

  async close(): Promise<void> {
    this.closing.abort();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const request = await readRequest(req);
      const requestId = newRequestId();
      const time = new Date();
      const signingService = signingServiceOf(request);
      const service = selectService(request, this.services, signingService);
      if (!service) {
        this.answerUnroutable(request, requestId, time, signingService, res);
        return;
      }
      const call = service.decode(request);
      const entry: RequestLogEntry = {
        requestId,
        service: service.module.name,
        operation: call.operation,
        params: call.params,
        status: 0,
        time,
      };
      const outcome = await this.process(request, service, call, entry);
      if (outcome === 'reset') req.socket.destroy();
      else send(res, outcome.response, requestId);
      this.requestLog.push(withOutcome(entry, outcome));
    } catch (error) {
      if (this.closing.signal.aborted) req.socket.destroy();
      else send(res, { status: 500, headers: {}, body: String(error) }, newRequestId());
    }
  }

  private async process(
    request: SimRequest,
    service: BoundService,
    call: DecodedCall,
    entry: RequestLogEntry,
  ): Promise<Outcome> {
    if (!call.implemented) return this.respond(service, call, entry.requestId, ANONYMOUS);
    const auth = authenticate(request, {
      credentials: this.credentials,
      signingName: service.module.name,
      allowAnonymous: call.unsigned,
      now: this.now(),
      wallClock: new Date(),
    });
    const accessKeyId = auth.ok ? auth.caller?.accessKeyId : auth.accessKeyId;
    if (accessKeyId) entry.accessKeyId = accessKeyId;
    if (!auth.ok) {
      const error = commonError(service.dialect, auth.kind, auth.message);
      return { ...errorOutcome(service, error, entry.requestId), detail: auth.detail };
    }
    entry.region = auth.region;
    const faulted = await this.applyFaults(service, call, entry);
    if (faulted) return faulted;
    return this.respond(service, call, entry.requestId, auth);
  }

  private async respond(
    service: BoundService,
    call: DecodedCall,
    requestId: string,
    auth: { caller: RequestContext['caller']; region: string },
  ): Promise<Answer> {
    try {
      return { response: await call.respond(this.context(requestId, auth)) };
    } catch (error) {
      return errorOutcome(service, asSimError(error, service.dialect), requestId);
    }
  }

  private async applyFaults(
    service: BoundService,
    call: DecodedCall,
    entry: RequestLogEntry,
  ): Promise<Outcome | undefined> {
    const decision = this.faults.decide(service.module.name, call.operation);
    if (decision.latencyMs > 0) {
      entry.fault = 'latency';
      await delay(decision.latencyMs, undefined, { signal: this.closing.signal });
    }
    if (!decision.outcome) return undefined;
    entry.fault = decision.outcome.kind;
    if (decision.outcome.kind === 'reset') return 'reset';
    return errorOutcome(service, faultError(service.dialect, decision.outcome), entry.requestId);
  }

  private context(
    requestId: string,
    auth: { caller: RequestContext['caller']; region: string },
  ): RequestContext {
    return {
      requestId,
      region: auth.region,
      caller: auth.caller,
      credentials: this.credentials,
      accountId: this.accountId,
      now: this.now,
    };
  }

  /** No module claims the request: say so plainly, so a missing simulator feature is obvious. */
  private answerUnroutable(
    request: SimRequest,
    requestId: string,
    time: Date,
    signingService: string | undefined,
    res: ServerResponse,
  ): void {
    const target = headerValue(request, 'x-amz-target');
    const action = queryParameters(request).get('Action');
    const operation = target ?? action ?? `${request.method} ${request.rawPath}`;
    const registered = this.services.map((s) => s.module.name).join(', ');
    const error = new SimError(
      'UnknownOperationException',
      `The AWS simulator has no service for ${operation}${signingService ? ` (signed for ${signingService})` : ''}; registered: ${registered}.`,
      404,
    );
    send(
      res,
      {
        status: error.httpStatus,
        headers: { 'content-type': 'application/json', 'x-amzn-ErrorType': error.code },
        body: JSON.stringify({ __type: error.code, message: error.message }),
      },
      requestId,
    );
    this.requestLog.push({
      requestId,
      service: signingService ?? 'unknown',
      operation,
      params: request.body.toString('utf8'),
      status: error.httpStatus,
      errorCode: error.code,
      errorMessage: error.message,
      time,
    });
  }
}

function withOutcome(entry: RequestLogEntry, outcome: Outcome): RequestLogEntry {
  if (outcome === 'reset') return entry;
  const { response, error, detail } = outcome;
  return {
    ...entry,
    status: response.status,
    ...(error && { errorCode: error.code, errorMessage: error.message }),
    ...(detail && { errorDetail: detail }),
  };
}

function errorOutcome(service: BoundService, error: SimError, requestId: string): Answer {
  return { response: service.encodeError(error, requestId), error };
}

function faultError(dialect: ErrorDialect, fault: ActiveFault): SimError {
  if (fault.kind === 'throttle') return commonError(dialect, 'throttle');
  return commonError(dialect, fault.status === 503 ? 'unavailable' : 'internal');
}

/** A handler that throws anything but a SimError has a bug: answer 500 and say what broke. */
function asSimError(error: unknown, dialect: ErrorDialect): SimError {
  if (error instanceof SimError) return error;
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return commonError(dialect, 'internal', `AWS simulator handler failed: ${message}`);
}

function signingServiceOf(request: SimRequest): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  const parsed = parseAuthorizationHeader(header);
  return 'problem' in parsed ? undefined : parsed.scope.service;
}

async function readRequest(req: IncomingMessage): Promise<SimRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const url = req.url ?? '/';
  const queryStart = url.indexOf('?');
  const rawPath = queryStart < 0 ? url : url.slice(0, queryStart);
  const rawQuery = queryStart < 0 ? '' : url.slice(queryStart + 1);
  return {
    method: req.method ?? 'GET',
    rawPath,
    rawQuery,
    query: new URLSearchParams(rawQuery),
    headers: req.headers,
    rawHeaders: req.rawHeaders,
    body: Buffer.concat(chunks),
  };
}

function send(res: ServerResponse, response: SimResponse, requestId: string): void {
  res.writeHead(response.status, {
    ...response.headers,
    'x-amzn-RequestId': requestId,
    'content-length': Buffer.byteLength(response.body),
  });
  res.end(response.body);
}
