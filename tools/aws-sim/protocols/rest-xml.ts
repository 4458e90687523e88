/**
 * restXml (CloudFront): operations found by HTTP method and path pattern;
 * inputs in path labels, query and an XML payload; results as an XML
 * document (plus status and headers). Errors are CloudFront's
 * `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/>`.
 */
import { SimError } from '../errors.js';
import { checkRequest } from '../model/check-request.js';
import type {
  RestXmlRequest,
  RestXmlRoute,
  RestXmlServiceModule,
  SimRequest,
  SimResponse,
} from '../types.js';
import { parseXml, xmlDocument } from '../xml.js';
import { hasOperation, type BoundService, type DecodedCall } from './bound-service.js';
import { xmlErrorResponse } from './query.js';

const CONTENT_TYPE = 'text/xml';

interface RouteMatch {
  route: RestXmlRoute;
  labels: Record<string, string>;
}

export function findRoute(
  module: RestXmlServiceModule,
  request: SimRequest,
): RouteMatch | undefined {
  for (const route of module.routes) {
    if (route.method !== request.method) continue;
    const labels = matchPath(route.path, request);
    if (labels) return { route, labels };
  }
  return undefined;
}

export function bindRestXmlService(module: RestXmlServiceModule): BoundService {
  return {
    module,
    dialect: 'xml',
    decode(request): DecodedCall {
      const match = findRoute(module, request);
      const operation = match?.route.operation ?? `${request.method} ${request.rawPath}`;
      const input = decodeInput(request, match?.labels ?? {});
      return {
        operation,
        params: input instanceof SimError ? request.body.toString('utf8') : input,
        unsigned: module.unsignedOperations?.includes(operation) ?? false,
        implemented: match !== undefined && hasOperation(module.operations, operation),
        async respond(ctx) {
          if (!match || !hasOperation(module.operations, operation)) {
            throw new SimError('UnknownOperationException', `No operation at ${operation}`, 404);
          }
          if (input instanceof SimError) throw input;
          const invalid = checkRequest(module.name, operation, {
            protocol: 'rest-xml',
            request: input,
          });
          if (invalid) throw invalid;
          const result = (await module.operations[operation]!(input, ctx)) ?? {};
          return {
            status: result.status ?? 200,
            headers: {
              ...(result.body ? { 'content-type': CONTENT_TYPE } : {}),
              ...result.headers,
            },
            body: result.body
              ? xmlDocument(result.body.root, result.body.value, module.xmlNamespace)
              : '',
          };
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

function decodeInput(
  request: SimRequest,
  labels: Record<string, string>,
): RestXmlRequest | SimError {
  const text = request.body.toString('utf8');
  let body: RestXmlRequest['body'];
  if (text.trim() !== '') {
    try {
      body = parseXml(text);
    } catch (error) {
      return new SimError(
        'MalformedXML',
        `The XML you provided was not well-formed: ${(error as Error).message}`,
      );
    }
  }
  return { labels, query: Object.fromEntries(request.query), headers: request.headers, body };
}

/**
 * Matches `/2020-05-31/distribution/{Id}/invalidation` (and `{Key+}` for
 * several segments; `?name` or `?name=value` after the path must be in the
 * query). Returns the decoded labels, or undefined.
 */
function matchPath(pattern: string, request: SimRequest): Record<string, string> | undefined {
  const [patternPath = '', patternQuery] = pattern.split('?');
  if (patternQuery && !queryHas(request.query, patternQuery)) return undefined;
  const want = patternPath.split('/');
  const got = request.rawPath.split('/');
  const labels: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const segment = want[i]!;
    const label = /^\{(\w+)(\+?)\}$/.exec(segment);
    if (label?.[2]) {
      labels[label[1]!] = safeDecode(got.slice(i).join('/'));
      return got.length > i ? labels : undefined;
    }
    if (got[i] === undefined) return undefined;
    if (label) labels[label[1]!] = safeDecode(got[i]!);
    else if (segment !== got[i]) return undefined;
  }
  return got.length === want.length ? labels : undefined;
}

function queryHas(query: URLSearchParams, required: string): boolean {
  return required.split('&').every((pair) => {
    const [name = '', value] = pair.split('=');
    return value === undefined ? query.has(name) : query.get(name) === value;
  });
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
