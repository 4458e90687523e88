/**
 * One HTTP(S) request, redirects included, with node:http/https rather than
 * fetch: a smoke test needs the server's certificate (for tls-min-days), a
 * custom CA added to the default roots, and network errors it can classify.
 * A request never throws: it returns a response or a classified error.
 */
import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import type { TLSSocket } from 'node:tls';
import { formatDuration } from '@deploy-actions/action-kit/engine';
import {
  REDIRECT_STATUSES,
  RedirectFailure,
  redirectLocation,
  redirectedTarget,
  type CrossOriginRedirect,
  type RedirectTarget,
} from './redirect.js';
import { defaultCertificateAuthorities } from './trust.js';

/** Bodies are read up to this size: enough for any health page, bounded for a runaway stream. */
export const MAX_BODY_BYTES = 1024 * 1024;
export const MAX_REDIRECTS = 5;
export { REDIRECT_STATUSES, type CrossOriginRedirect } from './redirect.js';
const DAY_MS = 86_400_000;

export interface HttpRequest {
  url: string;
  method: string;
  /** The user's headers: not sent past a redirect to another origin unless forwardHeadersOnRedirect. */
  headers: Record<string, string>;
  /** The client's own headers (user-agent), sent to every origin; `headers` override them. */
  fixedHeaders?: Record<string, string>;
  body?: string;
}

export interface HttpAgents {
  http: http.Agent;
  https: https.Agent;
}

export interface SendOptions {
  agents: HttpAgents;
  /** For the whole chain of redirects. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Whether to follow a redirect answered with this status; every one by default. */
  followRedirect?: (status: number) => boolean;
  maxRedirects?: number;
  /** Send the user's headers on to another origin after a redirect (off by default). */
  forwardHeadersOnRedirect?: boolean;
  maxBodyBytes?: number;
  /** Wall clock (ms since the epoch), for the certificate's days remaining. */
  now?: () => number;
}

/** A redirect on the way: `url` answered with `status`. */
export interface RedirectHop {
  status: number;
  url: string;
}

export interface CertificateInfo {
  subject: string;
  issuer: string;
  /** ISO 8601. */
  validTo: string;
  /** Fractional: 2.5 is two and a half days. Negative once expired. */
  daysRemaining: number;
}

export interface HttpResponse {
  kind: 'response';
  status: number;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** Decoded as UTF-8; at most maxBodyBytes. */
  body: string;
  bodyTruncated: boolean;
  /** The URL that gave this response, after any redirects. */
  url: string;
  redirects: RedirectHop[];
  /** From sending the first request to the end of the last body. */
  latencyMs: number;
  /** The peer certificate of the final https response. */
  certificate?: CertificateInfo;
  /** Set when a redirect left the origin the request started at. */
  crossOrigin?: CrossOriginRedirect;
}

export type NetworkErrorKind =
  | 'timeout'
  | 'aborted'
  | 'refused'
  | 'reset'
  | 'dns'
  | 'unreachable'
  | 'tls-verify'
  | 'tls'
  | 'redirect'
  | 'other';

export interface NetworkError {
  kind: NetworkErrorKind;
  /** ECONNREFUSED, DEPTH_ZERO_SELF_SIGNED_CERT, TIMEOUT, …. */
  code: string;
  message: string;
}

export interface HttpFailure {
  kind: 'error';
  error: NetworkError;
  /** The URL being requested when it failed. */
  url: string;
  redirects: RedirectHop[];
  latencyMs: number;
  crossOrigin?: CrossOriginRedirect;
}

export type HttpOutcome = HttpResponse | HttpFailure;

/**
 * Keep-alive agents for one run. With extra CAs, https trusts them in addition
 * to Node's default roots (passing `ca` alone would replace those).
 */
export function createAgents(extraCertificateAuthorities: readonly string[] = []): HttpAgents & {
  destroy(): void;
} {
  const ca =
    extraCertificateAuthorities.length > 0
      ? [...defaultCertificateAuthorities(), ...extraCertificateAuthorities]
      : undefined;
  const agents = {
    http: new http.Agent({ keepAlive: true }),
    https: new https.Agent({ keepAlive: true, ...(ca && { ca }) }),
  };
  return {
    ...agents,
    destroy() {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}

interface Hop {
  status: number;
  headers: Record<string, string>;
  body: string;
  bodyTruncated: boolean;
  certificate: CertificateInfo | undefined;
}

/** Why a request was stopped by us rather than by the network. */
class Stopped extends Error {
  constructor(readonly kind: 'timeout' | 'aborted') {
    super(kind);
  }
}

export async function sendRequest(
  request: HttpRequest,
  options: SendOptions,
): Promise<HttpOutcome> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Stopped('timeout')), options.timeoutMs);
  const cancel = () => controller.abort(new Stopped('aborted'));
  if (options.signal?.aborted) cancel();
  options.signal?.addEventListener('abort', cancel, { once: true });
  const redirects: RedirectHop[] = [];
  let target: RedirectTarget = {
    url: new URL(request.url),
    method: request.method,
    headers: request.headers,
    fixedHeaders: request.fixedHeaders ?? {},
    body: request.body,
  };
  let crossOrigin: CrossOriginRedirect | undefined;
  try {
    for (;;) {
      const hop = await sendOnce(target, options, controller.signal);
      const location = nextLocation(hop, target.url, options);
      if (location === undefined) {
        return {
          kind: 'response',
          status: hop.status,
          headers: hop.headers,
          body: hop.body,
          bodyTruncated: hop.bodyTruncated,
          url: target.url.href,
          redirects,
          latencyMs: elapsed(),
          ...(hop.certificate && { certificate: hop.certificate }),
          ...(crossOrigin && { crossOrigin }),
        };
      }
      redirects.push({ status: hop.status, url: target.url.href });
      if (redirects.length > (options.maxRedirects ?? MAX_REDIRECTS)) {
        throw new RedirectFailure(
          'TOO_MANY_REDIRECTS',
          `more than ${options.maxRedirects ?? MAX_REDIRECTS} redirects (the last: ${hop.status} to ${location.href})`,
        );
      }
      const next = redirectedTarget(
        target,
        hop.status,
        location,
        options.forwardHeadersOnRedirect ?? false,
      );
      target = next.target;
      if (next.crossed) crossOrigin = joinCrossings(crossOrigin, next.crossed);
    }
  } catch (error) {
    const reason: unknown = controller.signal.aborted ? controller.signal.reason : error;
    return {
      kind: 'error',
      error: classifyNetworkError(reason, { timeoutMs: options.timeoutMs, host: target.url.host }),
      url: target.url.href,
      redirects,
      latencyMs: elapsed(),
      ...(crossOrigin && { crossOrigin }),
    };
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', cancel);
  }
}

/** From the first origin to the last one reached, with every header left behind on the way. */
function joinCrossings(
  earlier: CrossOriginRedirect | undefined,
  later: CrossOriginRedirect,
): CrossOriginRedirect {
  if (!earlier) return later;
  return {
    ...earlier,
    to: later.to,
    droppedHeaders: [...new Set([...earlier.droppedHeaders, ...later.droppedHeaders])],
  };
}

function sendOnce(target: RedirectTarget, options: SendOptions, signal: AbortSignal): Promise<Hop> {
  return new Promise<Hop>((resolve, reject) => {
    const secure = target.url.protocol === 'https:';
    const headers = { ...target.fixedHeaders, ...target.headers };
    if (target.body !== undefined)
      headers['content-length'] = String(Buffer.byteLength(target.body));
    const transport = secure ? https : http;
    const request = transport.request(target.url, {
      method: target.method,
      headers,
      agent: secure ? options.agents.https : options.agents.http,
      signal,
    });
    request.on('error', reject);
    request.on('response', (response) => {
      const certificate = secure
        ? peerCertificate(response.socket as TLSSocket, options.now ?? Date.now)
        : undefined;
      readBody(response, options.maxBodyBytes ?? MAX_BODY_BYTES).then(
        ({ body, truncated }) =>
          resolve({
            status: response.statusCode ?? 0,
            headers: flattenHeaders(response.headers),
            body,
            bodyTruncated: truncated,
            certificate,
          }),
        reject,
      );
    });
    request.end(target.body);
  });
}

function readBody(
  response: http.IncomingMessage,
  limit: number,
): Promise<{ body: string; truncated: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (truncated: boolean) => {
      settled = true;
      resolve({ body: Buffer.concat(chunks).toString('utf8'), truncated });
    };
    response.on('data', (chunk: Buffer) => {
      if (settled) return;
      const room = limit - size;
      if (chunk.length <= room) {
        chunks.push(chunk);
        size += chunk.length;
        return;
      }
      chunks.push(chunk.subarray(0, room));
      // The rest is not needed: closing the connection beats downloading an endless stream.
      response.destroy();
      finish(true);
    });
    response.on('end', () => {
      if (!settled) finish(false);
    });
    response.on('error', (error) => {
      if (!settled) reject(error);
    });
    response.on('close', () => {
      if (!settled && !response.complete) {
        settled = true;
        reject(
          Object.assign(new Error('the connection closed before the body ended'), {
            code: 'ECONNRESET',
          }),
        );
      }
    });
  });
}

function flattenHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

function peerCertificate(socket: TLSSocket, now: () => number): CertificateInfo | undefined {
  const certificate = socket.getPeerCertificate?.();
  if (!certificate?.valid_to) return undefined;
  const validTo = new Date(certificate.valid_to);
  if (Number.isNaN(validTo.getTime())) return undefined;
  return {
    subject: commonName(certificate.subject?.CN),
    issuer: commonName(certificate.issuer?.CN),
    validTo: validTo.toISOString(),
    daysRemaining: (validTo.getTime() - now()) / DAY_MS,
  };
}

/** A certificate name field repeats when the name has several CN entries. */
function commonName(value: string | string[] | undefined): string {
  return Array.isArray(value) ? value.join(', ') : (value ?? '');
}

function nextLocation(hop: Hop, from: URL, options: SendOptions): URL | undefined {
  if (!REDIRECT_STATUSES.has(hop.status)) return undefined;
  if (options.followRedirect && !options.followRedirect(hop.status)) return undefined;
  return redirectLocation(hop.status, hop.headers.location, from);
}

const TLS_VERIFY_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_REJECTED',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_CHAIN_TOO_LONG',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'INVALID_CA',
  'INVALID_PURPOSE',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);
const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'EAI_NODATA']);
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE']);
const UNREACHABLE_CODES = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN']);

/** Sorts a request error into what a smoke test decides on, with a message for people. */
export function classifyNetworkError(
  error: unknown,
  context: { timeoutMs: number; host: string },
): NetworkError {
  if (error instanceof Stopped && error.kind === 'timeout') {
    const within = formatDuration(context.timeoutMs);
    return {
      kind: 'timeout',
      code: 'TIMEOUT',
      message: `no complete response within ${within} (request-timeout)`,
    };
  }
  if (error instanceof Stopped) return { kind: 'aborted', code: 'ABORTED', message: 'cancelled' };
  const code = errorCode(error);
  const detail = error instanceof Error ? error.message : String(error);
  if (error instanceof RedirectFailure) return { kind: 'redirect', code, message: detail };
  if (TLS_VERIFY_CODES.has(code)) {
    return {
      kind: 'tls-verify',
      code,
      message: `TLS certificate not trusted: ${detail} (${code})`,
    };
  }
  if (code === 'ECONNREFUSED') {
    return {
      kind: 'refused',
      code,
      message: `connection refused by ${context.host} (ECONNREFUSED): nothing is listening there`,
    };
  }
  if (DNS_CODES.has(code)) {
    const hostname = context.host.replace(/:\d+$/, '');
    return { kind: 'dns', code, message: `DNS lookup of ${hostname} failed (${code})` };
  }
  if (RESET_CODES.has(code)) {
    return {
      kind: 'reset',
      code,
      message: `connection closed before a complete response (${code}: ${detail})`,
    };
  }
  if (UNREACHABLE_CODES.has(code)) {
    return { kind: 'unreachable', code, message: `${context.host} is unreachable (${code})` };
  }
  if (code === 'ETIMEDOUT') {
    return {
      kind: 'timeout',
      code,
      message: `connection to ${context.host} timed out (ETIMEDOUT)`,
    };
  }
  if (code === 'EPROTO' || code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_')) {
    return {
      kind: 'tls',
      code,
      message: `TLS handshake with ${context.host} failed: ${detail} (${code})`,
    };
  }
  return { kind: 'other', code, message: code === 'UNKNOWN' ? detail : `${detail} (${code})` };
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code !== '' ? code : 'UNKNOWN';
}
