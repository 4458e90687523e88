/** Binds modules to their protocols and finds the module a request is for. */
import type { BoundService } from './protocols/bound-service.js';
import { hasOperation, headerValue } from './protocols/bound-service.js';
import { bindJsonService, isJsonRequest } from './protocols/json.js';
import { bindQueryService, isQueryRequest, queryParameters } from './protocols/query.js';
import { bindRestXmlService, findRoute } from './protocols/rest-xml.js';
import type { ServiceModule, SimRequest } from './types.js';

export function bindService(module: ServiceModule): BoundService {
  switch (module.protocol) {
    case 'json':
      return bindJsonService(module);
    case 'query':
      return bindQueryService(module);
    case 'rest-xml':
      return bindRestXmlService(module);
  }
}

/**
 * JSON requests by `X-Amz-Target`, Query requests by the signing service (or,
 * unsigned, by Version and Action), REST-XML requests by method and path. A
 * signed request nothing else claims goes to the module it was signed for,
 * which answers "unknown operation" in a format its clients can parse.
 */
export function selectService(
  request: SimRequest,
  services: readonly BoundService[],
  signingService: string | undefined,
): BoundService | undefined {
  const bySigningName = services.find((s) => s.module.name === signingService);
  if (headerValue(request, 'x-amz-target') !== undefined) {
    return (
      services.find((s) => s.module.protocol === 'json' && isJsonRequest(request, s.module)) ??
      bySigningName
    );
  }
  if (isQueryRequest(request)) return selectQueryService(request, services, signingService);
  const routed = services.filter(
    (s) => s.module.protocol === 'rest-xml' && findRoute(s.module, request) !== undefined,
  );
  return routed.find((s) => s.module.name === signingService) ?? routed[0] ?? bySigningName;
}

function selectQueryService(
  request: SimRequest,
  services: readonly BoundService[],
  signingService: string | undefined,
): BoundService | undefined {
  const params = queryParameters(request);
  const action = params.get('Action') ?? '';
  const version = params.get('Version');
  const candidates = services.filter((s) => s.module.protocol === 'query');
  const speaks = (s: BoundService, withVersion: boolean) =>
    s.module.protocol === 'query' &&
    (!withVersion || s.module.apiVersion === version) &&
    hasOperation(s.module.operations, action);
  return (
    candidates.find((s) => s.module.name === signingService) ??
    candidates.find((s) => speaks(s, true)) ??
    candidates.find((s) => speaks(s, false)) ??
    candidates.find((s) => s.module.protocol === 'query' && s.module.apiVersion === version)
  );
}
