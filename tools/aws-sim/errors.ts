/**
 * Errors a handler (or the simulator itself) answers with. The protocol layer
 * writes them in each protocol's wire format; the codes and statuses of the
 * errors every service shares (authentication, throttling, 5xx) are here, in
 * the two dialects AWS uses: JSON services name them with an `Exception`
 * suffix, XML services (Query, REST-XML) without.
 */

export class SimError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly httpStatus = 400,
  ) {
    super(message);
    this.name = code;
  }

  /** Query and REST-XML error bodies say whose fault it was. */
  get faultType(): 'Sender' | 'Receiver' {
    return this.httpStatus >= 500 ? 'Receiver' : 'Sender';
  }
}

export type ErrorDialect = 'json' | 'xml';

export type AuthFailureKind =
  'missing' | 'incomplete' | 'unknown-key' | 'bad-signature' | 'expired-token';

export type CommonErrorKind =
  AuthFailureKind | 'throttle' | 'internal' | 'unavailable' | 'unknown-operation';

interface ErrorSpec {
  code: string;
  status: number;
  message: string;
}

const INVALID_TOKEN = 'The security token included in the request is invalid.';
const BAD_SIGNATURE =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

const COMMON_ERRORS: Record<ErrorDialect, Record<CommonErrorKind, ErrorSpec>> = {
  json: {
    missing: {
      code: 'MissingAuthenticationTokenException',
      status: 403,
      message: 'Missing Authentication Token',
    },
    incomplete: { code: 'IncompleteSignatureException', status: 403, message: '' },
    'unknown-key': { code: 'UnrecognizedClientException', status: 403, message: INVALID_TOKEN },
    'bad-signature': { code: 'InvalidSignatureException', status: 403, message: BAD_SIGNATURE },
    'expired-token': {
      code: 'ExpiredTokenException',
      status: 403,
      message: 'The security token included in the request is expired',
    },
    throttle: { code: 'ThrottlingException', status: 400, message: 'Rate exceeded' },
    internal: { code: 'InternalFailure', status: 500, message: 'An internal error occurred.' },
    unavailable: {
      code: 'ServiceUnavailable',
      status: 503,
      message: 'Service is unavailable. Please retry.',
    },
    'unknown-operation': { code: 'UnknownOperationException', status: 400, message: '' },
  },
  xml: {
    missing: {
      code: 'MissingAuthenticationToken',
      status: 403,
      message: 'Request is missing Authentication Token',
    },
    incomplete: { code: 'IncompleteSignature', status: 403, message: '' },
    'unknown-key': { code: 'InvalidClientTokenId', status: 403, message: INVALID_TOKEN },
    'bad-signature': { code: 'SignatureDoesNotMatch', status: 403, message: BAD_SIGNATURE },
    'expired-token': {
      code: 'ExpiredToken',
      status: 403,
      message: 'The security token included in the request is expired',
    },
    throttle: { code: 'Throttling', status: 400, message: 'Rate exceeded' },
    internal: { code: 'InternalFailure', status: 500, message: 'An internal error occurred.' },
    unavailable: {
      code: 'ServiceUnavailable',
      status: 503,
      message: 'Service is unavailable. Please retry.',
    },
    'unknown-operation': { code: 'InvalidAction', status: 400, message: '' },
  },
};

/** The error `kind` answers in `dialect`; `message` replaces the standard text. */
export function commonError(
  dialect: ErrorDialect,
  kind: CommonErrorKind,
  message?: string,
): SimError {
  const spec = COMMON_ERRORS[dialect][kind];
  return new SimError(spec.code, message ?? spec.message, spec.status);
}
