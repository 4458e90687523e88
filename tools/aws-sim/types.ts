/**
 * What a service module is made of. A module names its service the way the
 * SDK and SigV4 do, picks a wire protocol, and maps AWS operation names to
 * handlers; the protocol layer routes requests to it, verifies signatures,
 * and writes results and SimErrors in the protocol's exact wire format.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { CredentialStore, CallerIdentity } from './credentials.js';
import type { ParsedXml, XmlObject } from './xml.js';

export type Awaitable<T> = T | Promise<T>;

export interface RequestContext {
  requestId: string;
  /** Region from the SigV4 credential scope; us-east-1 for anonymous calls. */
  region: string;
  /** Who signed the request; undefined for an anonymous (unsigned) call. */
  caller: CallerIdentity | undefined;
  /** Lets a service (STS) issue credentials that the simulator then accepts. */
  credentials: CredentialStore;
  accountId: string;
  now(): Date;
}

export type Handler<Params, Result> = (params: Params, ctx: RequestContext) => Awaitable<Result>;

interface ServiceModuleBase {
  /** SigV4 signing name (credential scope service), e.g. `sts`; also `service` in the request log. */
  name: string;
  /** Suffix of the SDK's `AWS_ENDPOINT_URL_<SERVICE_ID>` variable, e.g. `STS`, `SECRETS_MANAGER`. */
  endpointEnvSuffix: string;
  /** Operations AWS serves without a signature (STS AssumeRoleWithWebIdentity). */
  unsignedOperations?: readonly string[];
}

export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };
/** Results may hold Dates: the JSON protocol writes them as epoch seconds. */
export type JsonResult = { [key: string]: unknown };

/** awsJson1_0 / awsJson1_1: POST / with `X-Amz-Target: <targetPrefix>.<Operation>`. */
export interface JsonServiceModule extends ServiceModuleBase {
  protocol: 'json';
  jsonVersion: '1.0' | '1.1';
  /** e.g. `AppRunner`, `AmazonEC2ContainerRegistry_V20150921`, `secretsmanager`. */
  targetPrefix: string;
  operations: Record<string, Handler<JsonObject, JsonResult | void>>;
}

/** Flattened form parameters, e.g. `{ RoleArn: '…', 'Tags.member.1.Key': '…' }`; Action/Version removed. */
export type QueryParams = Record<string, string>;

/** awsQuery: form-encoded `Action=<Operation>&Version=<apiVersion>&…`, XML responses. */
export interface QueryServiceModule extends ServiceModuleBase {
  protocol: 'query';
  apiVersion: string;
  xmlNamespace: string;
  /** The handler returns the children of `<OperationResult>`. */
  operations: Record<string, Handler<QueryParams, XmlObject | void>>;
}

export interface RestXmlRoute {
  method: string;
  /** `/2020-05-31/distribution/{Id}/invalidation`; `{Key+}` matches several segments. */
  path: string;
  operation: string;
}

export interface RestXmlRequest {
  /** Path labels, decoded. */
  labels: Record<string, string>;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** The parsed XML payload, if the request had one. */
  body: { root: string; value: ParsedXml } | undefined;
}

export interface RestXmlResponse {
  status?: number;
  headers?: Record<string, string>;
  body?: { root: string; value: XmlObject };
}

/** restXml (CloudFront): operations found by method and path. */
export interface RestXmlServiceModule extends ServiceModuleBase {
  protocol: 'rest-xml';
  xmlNamespace: string;
  routes: readonly RestXmlRoute[];
  operations: Record<string, Handler<RestXmlRequest, RestXmlResponse | void>>;
}

export type ServiceModule = JsonServiceModule | QueryServiceModule | RestXmlServiceModule;

/** One HTTP request as the simulator received it. */
export interface SimRequest {
  method: string;
  /** The path exactly as sent (still percent-encoded): SigV4 signs this form. */
  rawPath: string;
  /** The query string as sent, without `?`. */
  rawQuery: string;
  query: URLSearchParams;
  /** Node's parsed headers (lower-case names, repeated values joined). */
  headers: IncomingHttpHeaders;
  /** Name/value pairs as sent: SigV4 joins repeated headers with ',' itself. */
  rawHeaders: readonly string[];
  body: Buffer;
}

export interface SimResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export type FaultKind = 'throttle' | 'server-error' | 'reset' | 'latency';

export interface RequestLogEntry {
  requestId: string;
  /** The module's signing name, or `unknown` when no module claimed the request. */
  service: string;
  operation: string;
  /** The decoded request: JSON body, Query parameters, or REST-XML labels/query/body. */
  params: unknown;
  /** HTTP status answered; 0 when the connection was reset without an answer. */
  status: number;
  errorCode?: string;
  errorMessage?: string;
  /** For a rejected signature: the canonical request and string to sign the simulator expected. */
  errorDetail?: string;
  /** The access key that signed the request (absent for anonymous calls). */
  accessKeyId?: string;
  region?: string;
  /** The injected fault that shaped this answer, if any. */
  fault?: FaultKind;
  time: Date;
}
