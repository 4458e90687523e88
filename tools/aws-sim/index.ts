/**
 * The AWS simulator: one local HTTP server speaking the AWS wire protocols
 * (JSON, Query, REST-XML) with SigV4 verification, fault injection and a
 * request log. STS is built in; other services are modules added with
 * `register()` (see types.ts for what a module declares).
 * In tools/ because the tests, the demo and the benchmarks all deploy against it.
 */
export { startAwsSimulator, DEFAULT_ACCOUNT_ID } from './simulator.js';
export type { AwsSimulator, AwsSimulatorOptions } from './simulator.js';
export { SimError } from './errors.js';
export type { FaultSpec, ActiveFault, FaultInjector } from './faults.js';
export type { StaticCredentials, TemporaryCredentials, CallerIdentity } from './credentials.js';
export type { Jwks } from './jwt.js';
export { GITHUB_OIDC_ISSUER, STS_AUDIENCE, stringLike } from './services/sts.js';
export type { RoleTrust, StsControl, AssumedSession, OidcProviderOptions } from './services/sts.js';
export { asList } from './xml.js';
export type { XmlObject, XmlValue, ParsedXml } from './xml.js';
export type * from './types.js';
