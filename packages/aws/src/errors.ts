import { UserError } from '@deploy-actions/action-kit/engine';

/** What was being attempted when AWS answered with an error: names the IAM action and resource to grant. */
export interface AwsCallContext {
  /** IAM action, e.g. `apprunner:UpdateService`. */
  action: string;
  /** The resource ARN or name the call was about; `*` when the action takes none. */
  resource?: string;
  region?: string;
}

const ACCESS_DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'UnauthorizedException',
  'AuthorizationError',
]);
const EXPIRED = new Set([
  'ExpiredToken',
  'ExpiredTokenException',
  'RequestExpired',
  'TokenRefreshRequired',
]);
const BAD_CREDENTIALS = new Set([
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'InvalidSignatureException',
  'IncompleteSignature',
  'MissingAuthenticationToken',
]);
const NOT_FOUND = /NotFound|NoSuch/;
const NETWORK = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
]);

/**
 * Turns an AWS SDK error into a UserError that says what to fix. Errors it
 * does not recognise keep their code and message, with the operation named.
 */
export function translateAwsError(error: unknown, context: AwsCallContext): Error {
  if (error instanceof UserError) return error;
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  const where = context.region ? ` in ${context.region}` : '';
  const resource = context.resource ?? '*';

  if (code !== undefined && ACCESS_DENIED.has(code)) {
    return new UserError(`AWS denied ${context.action} on ${resource}: ${message}`, {
      cause: error,
      hint: `Grant the role "${context.action}" on "${resource}" (workflows-examples/iam/ has a least-privilege policy for each action).`,
    });
  }
  if (code !== undefined && EXPIRED.has(code)) {
    return new UserError(`The AWS credentials expired during ${context.action}.`, {
      cause: error,
      hint: "Raise role-duration-seconds (and the role's MaxSessionDuration) so the session outlasts the step.",
    });
  }
  if (code !== undefined && BAD_CREDENTIALS.has(code)) {
    return new UserError(
      `AWS did not accept the credentials for ${context.action} (${code}): ${message}`,
      {
        cause: error,
        hint: 'Use role-to-assume (GitHub OIDC), or check the credentials configured earlier in the job.',
      },
    );
  }
  if (code !== undefined && NOT_FOUND.test(code)) {
    return new UserError(`${resource} was not found${where} (${code}): ${message}`, {
      cause: error,
      hint: 'Check the name or ARN and the aws-region input: resources are per region and per account.',
    });
  }
  if (code !== undefined && NETWORK.has(code)) {
    const endpointHint = endpointOverrideHint();
    return new UserError(
      `Could not reach AWS for ${context.action}${where} (${code}): ${message}`,
      {
        cause: error,
        hint: `Check that aws-region names a real region${endpointHint}.`,
      },
    );
  }
  const label = code ? `${code}: ` : '';
  return new UserError(`${context.action}${where} failed: ${label}${message}`, { cause: error });
}

/** The AWS error code (`name` in SDK v3), or a Node network error code. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const candidate = error as { name?: unknown; code?: unknown; Code?: unknown };
  if (typeof candidate.code === 'string' && NETWORK.has(candidate.code)) return candidate.code;
  if (typeof candidate.Code === 'string') return candidate.Code;
  if (typeof candidate.name === 'string' && candidate.name !== 'Error') return candidate.name;
  if (typeof candidate.code === 'string') return candidate.code;
  return undefined;
}

function endpointOverrideHint(): string {
  const overrides = Object.keys(process.env).filter(
    (k) => k === 'AWS_ENDPOINT_URL' || k.startsWith('AWS_ENDPOINT_URL_'),
  );
  return overrides.length > 0
    ? ` and that ${overrides.join(', ')} points to a reachable endpoint`
    : ' and that the runner can reach AWS';
}
