/** The protocol layer's contract: one registered module bound to its wire protocol. */
import type { ErrorDialect, SimError } from '../errors.js';
import type { RequestContext, ServiceModule, SimRequest, SimResponse } from '../types.js';

/** A request decoded far enough to log and authenticate it; `respond` runs the handler. */
export interface DecodedCall {
  operation: string;
  /** What the request log records (the parsed request, or its raw text when it did not parse). */
  params: unknown;
  /** Whether AWS serves this operation without a signature. */
  unsigned: boolean;
  /** False when the module has no handler: answered "unknown operation" before authentication. */
  implemented: boolean;
  /** Runs the handler and writes its result; throws SimError (unknown operation, bad input, handler error). */
  respond(ctx: RequestContext): Promise<SimResponse>;
}

export interface BoundService {
  module: ServiceModule;
  /** Which names the shared errors (auth, throttling) take: JSON `…Exception` or XML. */
  dialect: ErrorDialect;
  decode(request: SimRequest): DecodedCall;
  encodeError(error: SimError, requestId: string): SimResponse;
}

export function hasOperation(operations: object, name: string): boolean {
  return name !== '' && Object.hasOwn(operations, name);
}

export function headerValue(request: SimRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}
