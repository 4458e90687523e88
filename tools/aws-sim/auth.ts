/**
 * Decides who sent a request: verifies its SigV4 signature against the
 * credentials the simulator knows, or lets it through anonymously when the
 * operation is one AWS serves unsigned.
 */
import { identityOf, type CallerIdentity, type CredentialStore } from './credentials.js';
import type { AuthFailureKind } from './errors.js';
import {
  UNSIGNED_PAYLOAD,
  canonicalRequest,
  parseAuthorizationHeader,
  sha256Hex,
  sign,
  signaturesEqual,
  stringToSign,
  type AuthorizationHeader,
} from './sigv4.js';
import type { SimRequest } from './types.js';

/** AWS rejects a signature dated more than 15 minutes from its own clock. */
const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;
const DEFAULT_REGION = 'us-east-1';

export type AuthResult =
  { ok: true; caller: CallerIdentity | undefined; region: string } | AuthFailure;

export interface AuthFailure {
  ok: false;
  kind: AuthFailureKind;
  message?: string;
  accessKeyId?: string;
  /** For the request log: what the simulator signed, to debug a client that signs differently. */
  detail?: string;
}

export interface AuthOptions {
  credentials: CredentialStore;
  /** The module's signing name: the credential scope must name it. */
  signingName: string;
  allowAnonymous: boolean;
  /** The simulated clock, for credential expiry. */
  now: Date;
  /** The real clock, for the signature's date: it is about the transport, not the scenario. */
  wallClock: Date;
}

export function authenticate(request: SimRequest, options: AuthOptions): AuthResult {
  const header = request.headers.authorization;
  if (header === undefined) {
    return options.allowAnonymous
      ? { ok: true, caller: undefined, region: DEFAULT_REGION }
      : { ok: false, kind: 'missing' };
  }
  const parsed = parseAuthorizationHeader(header);
  if ('problem' in parsed) return { ok: false, kind: 'incomplete', message: parsed.problem };
  const failure =
    checkScopeAndDate(request, parsed, options) ?? checkSignature(request, parsed, options);
  if (failure) return { ...failure, accessKeyId: parsed.accessKeyId };
  const stored = options.credentials.find(parsed.accessKeyId)!;
  return { ok: true, caller: identityOf(stored), region: parsed.scope.region };
}

function checkScopeAndDate(
  request: SimRequest,
  auth: AuthorizationHeader,
  options: AuthOptions,
): AuthFailure | undefined {
  if (auth.scope.service !== options.signingName) {
    return failure(
      'bad-signature',
      `Credential should be scoped to correct service: '${options.signingName}'. `,
    );
  }
  if (!auth.signedHeaders.includes('host')) {
    return failure(
      'incomplete',
      "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
    );
  }
  const amzDate = headerValue(request, 'x-amz-date');
  const signedAt = amzDate === undefined ? undefined : parseAmzDate(amzDate);
  if (amzDate === undefined || signedAt === undefined) {
    return failure(
      'incomplete',
      "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
    );
  }
  if (!amzDate.startsWith(auth.scope.date)) {
    return failure(
      'bad-signature',
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${auth.scope.date}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`,
    );
  }
  const skew = signedAt.getTime() - options.wallClock.getTime();
  if (Math.abs(skew) > MAX_CLOCK_SKEW_MS) {
    return failure(
      'bad-signature',
      skew < 0
        ? `Signature expired: ${amzDate} is now earlier than ${amzDateOf(new Date(options.wallClock.getTime() - MAX_CLOCK_SKEW_MS))} (${amzDateOf(options.wallClock)} - 15 min.)`
        : `Signature not yet current: ${amzDate} is still later than ${amzDateOf(new Date(options.wallClock.getTime() + MAX_CLOCK_SKEW_MS))} (${amzDateOf(options.wallClock)} + 15 min.)`,
    );
  }
  return undefined;
}

function checkSignature(
  request: SimRequest,
  auth: AuthorizationHeader,
  options: AuthOptions,
): AuthFailure | undefined {
  const stored = options.credentials.find(auth.accessKeyId);
  if (!stored) return failure('unknown-key');
  // A temporary key only works with its own session token, and a long-term key with none.
  if ((headerValue(request, 'x-amz-security-token') ?? '') !== (stored.sessionToken ?? '')) {
    return failure('unknown-key');
  }
  if (stored.expiration && stored.expiration.getTime() <= options.now.getTime()) {
    return failure('expired-token');
  }
  const payloadHash = payloadHashOf(request);
  if (payloadHash === undefined) {
    return failure(
      'bad-signature',
      "The provided 'x-amz-content-sha256' header does not match what was computed.",
    );
  }
  const canonical = canonicalRequest({
    method: request.method,
    rawPath: request.rawPath,
    rawQuery: request.rawQuery,
    rawHeaders: request.rawHeaders,
    signedHeaders: auth.signedHeaders,
    payloadHash,
    doubleEncodePath: options.signingName !== 's3',
  });
  const toSign = stringToSign(headerValue(request, 'x-amz-date')!, auth.scope, canonical);
  const expected = sign(stored.secretAccessKey, auth.scope, toSign);
  if (signaturesEqual(expected, auth.signature)) return undefined;
  return {
    ...failure('bad-signature'),
    detail: `Canonical request:\n${canonical}\n\nString to sign:\n${toSign}`,
  };
}

/** The header's value when the client sent one, else the body's hash; undefined when they disagree. */
function payloadHashOf(request: SimRequest): string | undefined {
  const actual = sha256Hex(request.body);
  const declared = headerValue(request, 'x-amz-content-sha256');
  if (declared === undefined) return actual;
  if (declared === UNSIGNED_PAYLOAD || declared.startsWith('STREAMING-')) return declared;
  return declared === actual ? declared : undefined;
}

function failure(kind: AuthFailureKind, message?: string): AuthFailure {
  return { ok: false, kind, ...(message === undefined ? {} : { message }) };
}

function headerValue(request: SimRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** `20240101T120000Z` -> Date, or undefined when malformed. */
function parseAmzDate(value: string): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match.map(Number);
  return new Date(Date.UTC(y!, mo! - 1, d!, h!, mi!, s!));
}

function amzDateOf(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}
