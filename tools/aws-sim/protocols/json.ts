/**
 * awsJson1_0 / awsJson1_1 (App Runner, ECR, ECS, Secrets Manager, Logs):
 * POST / with `X-Amz-Target: <prefix>.<Operation>` and a JSON body.
 * Errors: `{"__type": code, "message": …}` plus the `x-amzn-ErrorType` header.
 * Timestamps travel as epoch seconds.
 */
import { SimError, commonError } from '../errors.js';
import { checkRequest } from '../model/check-request.js';
import type { JsonObject, JsonServiceModule, SimRequest, SimResponse } from '../types.js';
import { hasOperation, headerValue, type BoundService, type DecodedCall } from './bound-service.js';

export function isJsonRequest(request: SimRequest, module: JsonServiceModule): boolean {
  return headerValue(request, 'x-amz-target')?.startsWith(`${module.targetPrefix}.`) ?? false;
}

export function bindJsonService(module: JsonServiceModule): BoundService {
  const contentType = `application/x-amz-json-${module.jsonVersion}`;
  return {
    module,
    dialect: 'json',
    decode(request): DecodedCall {
      const target = headerValue(request, 'x-amz-target') ?? '';
      const operation = target.slice(module.targetPrefix.length + 1);
      const body = parseBody(request.body);
      return {
        operation,
        params: body instanceof SimError ? request.body.toString('utf8') : body,
        unsigned: module.unsignedOperations?.includes(operation) ?? false,
        implemented: hasOperation(module.operations, operation),
        async respond(ctx) {
          if (!hasOperation(module.operations, operation)) {
            throw commonError('json', 'unknown-operation', `Unknown operation ${target}`);
          }
          if (body instanceof SimError) throw body;
          const invalid = checkRequest(module.name, operation, { protocol: 'json', body });
          if (invalid) throw invalid;
          const result = await module.operations[operation]!(body, ctx);
          return {
            status: 200,
            headers: { 'content-type': contentType },
            body: JSON.stringify(toWireJson(result ?? {})),
          };
        },
      };
    },
    encodeError(error): SimResponse {
      return {
        status: error.httpStatus,
        headers: { 'content-type': contentType, 'x-amzn-ErrorType': error.code },
        body: JSON.stringify({ __type: error.code, message: error.message }),
      };
    },
  };
}

function parseBody(body: Buffer): JsonObject | SimError {
  if (body.length === 0) return {};
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
      return parsed as JsonObject;
    }
  } catch {
    // answered below
  }
  return new SimError('SerializationException', 'The request body is not a JSON object.');
}

/** Dates become epoch seconds, the JSON protocols' default timestamp format. */
export function toWireJson(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(toWireJson);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toWireJson(v)]));
  }
  return value;
}
