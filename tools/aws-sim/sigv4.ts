/**
 * AWS Signature Version 4, server side: parse the Authorization header and
 * recompute the signature the client must have made. Rules as in the SigV4
 * specification and as the SDKs implement them:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const ALGORITHM = 'AWS4-HMAC-SHA256';
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

export interface CredentialScope {
  /** YYYYMMDD */
  date: string;
  region: string;
  service: string;
}

export interface AuthorizationHeader {
  accessKeyId: string;
  scope: CredentialScope;
  signedHeaders: string[];
  signature: string;
}

/** Parses `AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/sts/aws4_request, SignedHeaders=…, Signature=…`. */
export function parseAuthorizationHeader(value: string): AuthorizationHeader | { problem: string } {
  if (!value.startsWith(`${ALGORITHM} `)) {
    return { problem: `Unsupported authorization type: only ${ALGORITHM} is accepted.` };
  }
  const fields = new Map<string, string>();
  for (const part of value.slice(ALGORITHM.length).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const missing = ['Credential', 'SignedHeaders', 'Signature'].filter((name) => !fields.get(name));
  if (missing.length > 0) {
    return {
      problem: missing
        .map((name) => `Authorization header requires '${name}' parameter.`)
        .join(' '),
    };
  }
  const credential = fields.get('Credential')!.split('/');
  const [accessKeyId, date, region, service, terminator] = credential;
  if (credential.length !== 5 || terminator !== 'aws4_request' || !accessKeyId) {
    return {
      problem: `Credential should be scoped to a valid region, service and 'aws4_request'. Got '${fields.get('Credential')}'.`,
    };
  }
  return {
    accessKeyId,
    scope: { date: date!, region: region!, service: service! },
    signedHeaders: fields.get('SignedHeaders')!.split(';'),
    signature: fields.get('Signature')!,
  };
}

export interface CanonicalRequestInput {
  method: string;
  /** The path as sent on the wire (percent-encoded once by the client). */
  rawPath: string;
  rawQuery: string;
  rawHeaders: readonly string[];
  signedHeaders: readonly string[];
  payloadHash: string;
  /** S3 signs the path as sent; every other service normalises it and encodes it again. */
  doubleEncodePath: boolean;
}

export function canonicalRequest(input: CanonicalRequestInput): string {
  return [
    input.method,
    canonicalPath(input.rawPath, input.doubleEncodePath),
    canonicalQuery(input.rawQuery),
    canonicalHeaders(input.rawHeaders, input.signedHeaders),
    input.signedHeaders.join(';'),
    input.payloadHash,
  ].join('\n');
}

export function stringToSign(amzDate: string, scope: CredentialScope, canonical: string): string {
  return [ALGORITHM, amzDate, scopeString(scope), sha256Hex(canonical)].join('\n');
}

export function scopeString(scope: CredentialScope): string {
  return `${scope.date}/${scope.region}/${scope.service}/aws4_request`;
}

export function signingKey(secretAccessKey: string, scope: CredentialScope): Buffer {
  const date = hmac(`AWS4${secretAccessKey}`, scope.date);
  const region = hmac(date, scope.region);
  const service = hmac(region, scope.service);
  return hmac(service, 'aws4_request');
}

export function sign(secretAccessKey: string, scope: CredentialScope, toSign: string): string {
  return createHmac('sha256', signingKey(secretAccessKey, scope)).update(toSign).digest('hex');
}

export function signaturesEqual(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/** RFC 3986 encoding: encodeURIComponent plus the four characters it leaves alone. */
export function uriEscape(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * Non-S3 services remove empty, `.` and `..` segments, then encode the
 * already-encoded path once more (so `%20` on the wire is `%2520` here).
 */
function canonicalPath(rawPath: string, doubleEncode: boolean): string {
  if (!doubleEncode) return rawPath || '/';
  const segments: string[] = [];
  for (const segment of rawPath.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const trailingSlash = segments.length > 0 && rawPath.endsWith('/') ? '/' : '';
  const normalised = `/${segments.join('/')}${trailingSlash}`;
  return uriEscape(normalised).replace(/%2F/g, '/');
}

function canonicalQuery(rawQuery: string): string {
  return rawQuery
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      const value = eq < 0 ? '' : pair.slice(eq + 1);
      return [uriEscape(safeDecode(name)), uriEscape(safeDecode(value))] as const;
    })
    .filter(([name]) => name !== 'X-Amz-Signature')
    .sort(([n1, v1], [n2, v2]) => (n1 === n2 ? compare(v1, v2) : compare(n1, n2)))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

function canonicalHeaders(rawHeaders: readonly string[], signedHeaders: readonly string[]): string {
  const values = new Map<string, string[]>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    const list = values.get(name) ?? [];
    list.push(rawHeaders[i + 1]!.trim().replace(/\s+/g, ' '));
    values.set(name, list);
  }
  return signedHeaders.map((name) => `${name}:${(values.get(name) ?? []).join(',')}\n`).join('');
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Code-unit order, as the SDKs sort (not locale order). */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
