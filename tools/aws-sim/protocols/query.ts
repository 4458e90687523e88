/**
 * awsQuery (STS): form-encoded `Action=<Operation>&Version=<apiVersion>&…`
 * (POST body or query string). Results are
 * `<OpResponse xmlns><OpResult>…</OpResult><ResponseMetadata><RequestId>`;
 * errors `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/>`.
 */
import { commonError, type SimError } from '../errors.js';
import { checkRequest } from '../model/check-request.js';
import type { QueryServiceModule, SimRequest, SimResponse } from '../types.js';
import { toXml } from '../xml.js';
import { hasOperation, headerValue, type BoundService, type DecodedCall } from './bound-service.js';

const CONTENT_TYPE = 'text/xml';

/** The request's parameters: the query string plus a form-encoded body. */
export function queryParameters(request: SimRequest): URLSearchParams {
  const params = new URLSearchParams(request.query);
  const contentType = headerValue(request, 'content-type') ?? '';
  if (contentType.startsWith('application/x-www-form-urlencoded')) {
    for (const [name, value] of new URLSearchParams(request.body.toString('utf8'))) {
      params.append(name, value);
    }
  }
  return params;
}

export function isQueryRequest(request: SimRequest): boolean {
  return queryParameters(request).has('Action');
}

export function bindQueryService(module: QueryServiceModule): BoundService {
  return {
    module,
    dialect: 'xml',
    decode(request): DecodedCall {
      const all = queryParameters(request);
      const operation = all.get('Action') ?? '';
      const version = all.get('Version') ?? '';
      all.delete('Action');
      all.delete('Version');
      const params = Object.fromEntries(all);
      return {
        operation,
        params,
        unsigned: module.unsignedOperations?.includes(operation) ?? false,
        implemented: hasOperation(module.operations, operation),
        async respond(ctx) {
          if (!hasOperation(module.operations, operation)) {
            throw commonError(
              'xml',
              'unknown-operation',
              `Could not find operation ${operation} for version ${version}`,
            );
          }
          const invalid = checkRequest(module.name, operation, { protocol: 'query', params });
          if (invalid) throw invalid;
          const result = await module.operations[operation]!(params, ctx);
          const body = toXml(
            `${operation}Response`,
            {
              [`${operation}Result`]: result ?? {},
              ResponseMetadata: { RequestId: ctx.requestId },
            },
            module.xmlNamespace,
          );
          return { status: 200, headers: { 'content-type': CONTENT_TYPE }, body };
        },
      };
    },
    encodeError(error, requestId): SimResponse {
      return {
        status: error.httpStatus,
        headers: { 'content-type': CONTENT_TYPE },
        body: xmlErrorResponse(error, requestId, module.xmlNamespace),
      };
    },
  };
}

/** The `<ErrorResponse>` document Query services and CloudFront answer errors with. */
export function xmlErrorResponse(error: SimError, requestId: string, xmlns: string): string {
  return toXml(
    'ErrorResponse',
    {
      Error: { Type: error.faultType, Code: error.code, Message: error.message },
      RequestId: requestId,
    },
    xmlns,
  );
}
