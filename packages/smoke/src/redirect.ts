/**
 * Where a redirect may lead and what the next request carries: the method and
 * body rules browsers follow, no downgrade from https to http, and the user's
 * headers kept to the origin they were written for.
 */

export const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/** One request of a redirect chain, as sendRequest builds it. */
export interface RedirectTarget {
  url: URL;
  method: string;
  /** The user's headers: they stay with the first origin unless forwarding was asked for. */
  headers: Record<string, string>;
  /** The client's own (user-agent): sent on every hop. */
  fixedHeaders: Record<string, string>;
  body: string | undefined;
}

/** A redirect that left the origin the request started at. */
export interface CrossOriginRedirect {
  /** Origins (scheme, host and port), never a path or a password. */
  from: string;
  to: string;
  /** Header names the user set that were not sent past the origin, lower case. */
  droppedHeaders: string[];
  /** True when forward-headers-on-redirect sent them on. */
  forwarded: boolean;
}

/** A redirect refused or impossible to follow. */
export class RedirectFailure extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/**
 * The URL a redirect leads to, or undefined when the response is the answer.
 * Throws a RedirectFailure for a Location that cannot be followed, and for a
 * step down from https to http: whatever the page was protected for would then
 * travel in clear text, so a smoke test refuses rather than retries it.
 */
export function redirectLocation(
  status: number,
  location: string | undefined,
  from: URL,
): URL | undefined {
  if (!REDIRECT_STATUSES.has(status)) return undefined;
  if (location === undefined || location === '') return undefined;
  let target: URL;
  try {
    target = new URL(location, from);
  } catch {
    throw new RedirectFailure(
      'BAD_REDIRECT',
      `${status} redirect to an invalid Location "${location}"`,
    );
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    throw new RedirectFailure('BAD_REDIRECT', `${status} redirect to a non-HTTP URL "${location}"`);
  }
  if (from.protocol === 'https:' && target.protocol === 'http:') {
    throw new RedirectFailure(
      'INSECURE_REDIRECT',
      `${status} redirect from https to plain http (${target.origin}${target.pathname}) refused: ` +
        'the request would leave TLS',
    );
  }
  return target;
}

const BODY_HEADERS = [
  'content-type',
  'content-length',
  'content-encoding',
  'content-language',
  'content-location',
];

/**
 * The request after a redirect, by the rules browsers follow (Fetch standard,
 * RFC 9110 §15.4): 303 turns anything but GET/HEAD into a bodiless GET, 301
 * and 302 do that to POST only, 307 and 308 repeat the request as it was.
 * On a change of origin (scheme, host and port) every header the user set is
 * dropped, not only Authorization and Cookie: any of them may be an API key
 * (X-Api-Key, a CDN secret) meant for the service alone. `forward` keeps them
 * (never Host, which names the first server).
 */
export function redirectedTarget(
  previous: RedirectTarget,
  status: number,
  location: URL,
  forward: boolean,
): { target: RedirectTarget; crossed?: CrossOriginRedirect } {
  const toGet =
    (status === 303 && previous.method !== 'GET' && previous.method !== 'HEAD') ||
    ((status === 301 || status === 302) && previous.method === 'POST');
  const withoutBodyHeaders = Object.entries(previous.headers).filter(
    ([name]) => !(toGet && BODY_HEADERS.includes(name.toLowerCase())),
  );
  const crossing = location.origin !== previous.url.origin;
  const kept = crossing
    ? withoutBodyHeaders.filter(([name]) => forward && name.toLowerCase() !== 'host')
    : withoutBodyHeaders;
  const target: RedirectTarget = {
    url: location,
    method: toGet ? 'GET' : previous.method,
    headers: Object.fromEntries(kept),
    fixedHeaders: previous.fixedHeaders,
    body: toGet ? undefined : previous.body,
  };
  if (!crossing) return { target };
  const keptNames = new Set(kept.map(([name]) => name));
  return {
    target,
    crossed: {
      from: previous.url.origin,
      to: location.origin,
      droppedHeaders: withoutBodyHeaders
        .map(([name]) => name)
        .filter((name) => !keptNames.has(name))
        .map((name) => name.toLowerCase()),
      forwarded: forward,
    },
  };
}

/** One clause for the result and the summary: where the chain went and what stayed behind. */
export function describeCrossOrigin(crossing: CrossOriginRedirect): string {
  const went =
    crossing.to === crossing.from
      ? `redirected across origins, from ${crossing.from} and back`
      : `redirected across origins, from ${crossing.from} to ${crossing.to}`;
  if (crossing.forwarded) return `${went}; forward-headers-on-redirect sent your headers there too`;
  if (crossing.droppedHeaders.length === 0) return went;
  const names = crossing.droppedHeaders.join(', ');
  return `${went}; your headers (${names}) were not sent there (forward-headers-on-redirect: true sends them)`;
}
