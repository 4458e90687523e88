/** An HTTP-date in any of the three forms RFC 9110 §5.6.7 makes recipients accept. */
const HTTP_DATE =
  /^(?:[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT|[A-Za-z]+, \d{2}-[A-Za-z]{3}-\d{2} \d{2}:\d{2}:\d{2} GMT|[A-Za-z]{3} [A-Za-z]{3} [ \d]\d \d{2}:\d{2}:\d{2} \d{4})$/;

/**
 * Retry-After (RFC 9110 §10.2.3): delay-seconds, or an HTTP-date measured from
 * `nowMs`. Milliseconds to wait; a date in the past is 0; undefined when the
 * header is absent or malformed (then it is ignored).
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  const trimmed = value?.trim();
  if (trimmed === undefined || trimmed === '') return undefined;
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  if (!HTTP_DATE.test(trimmed)) return undefined;
  const date = Date.parse(/GMT$/.test(trimmed) ? trimmed : `${trimmed} GMT`);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/**
 * The wait a response asks for. A date is measured against the response's own
 * Date header when it has one, so the runner's clock skew does not matter.
 */
export function retryAfterFromHeaders(
  headers: Record<string, string>,
  wallClock: () => number = Date.now,
): number | undefined {
  const serverNow = headers.date === undefined ? NaN : Date.parse(headers.date);
  return parseRetryAfter(headers['retry-after'], Number.isNaN(serverNow) ? wallClock() : serverNow);
}
