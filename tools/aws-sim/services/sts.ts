/**
 * STS (Query protocol, API version 2011-06-15): AssumeRoleWithWebIdentity,
 * checked the way AWS checks a GitHub OIDC token, and GetCallerIdentity.
 *
 * The model of IAM behind it: OIDC identity providers (an issuer, the keys
 * it signs with, the audiences it accepts) and roles whose trust policy
 * allows that provider's tokens for some subjects (`StringLike` on `sub`)
 * and one audience.
 */
import { accountOf, roleUniqueId } from '../credentials.js';
import { SimError } from '../errors.js';
import { decodeJwt, verifyRs256, type DecodedJwt, type Jwks } from '../jwt.js';
import type { QueryParams, QueryServiceModule, RequestContext } from '../types.js';
import type { XmlObject } from '../xml.js';

export const GITHUB_OIDC_ISSUER = 'https://token.actions.githubusercontent.com';
export const STS_AUDIENCE = 'sts.amazonaws.com';
const ROLE_ARN = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;
const SESSION_NAME = /^[\w+=,.@-]*$/;
const DEFAULT_MAX_SESSION_SECONDS = 3600;

export interface RoleTrust {
  roleArn: string;
  /** Allowed token subjects, as IAM `StringLike`: `*` matches any run of characters, `?` one. */
  subject: string | readonly string[];
  /** The trust policy's `aud` condition; sts.amazonaws.com when absent. */
  audience?: string;
  /** The role's MaxSessionDuration: 3600 when absent, as IAM's default. */
  maxSessionDurationSeconds?: number;
  /** The OIDC provider the role trusts; GitHub's when absent. */
  issuer?: string;
}

export interface OidcProviderOptions {
  /** GitHub's issuer when absent. */
  issuer?: string;
  /** The provider's client ID list; [sts.amazonaws.com] when absent. */
  audiences?: readonly string[];
}

/** A role session STS handed out: what was asked for and what was issued. */
export interface AssumedSession {
  roleArn: string;
  sessionName: string;
  durationSeconds: number;
  subject: string;
  assumedRoleArn: string;
  accessKeyId: string;
  expiration: Date;
}

export interface StsControl {
  /** Registers (or adds keys to) an IAM OIDC identity provider. */
  trustJwks(jwks: Jwks, options?: OidcProviderOptions): void;
  /** Creates a role whose trust policy allows web identity tokens for the given subjects. */
  allowRole(trust: RoleTrust): void;
  readonly sessions: readonly AssumedSession[];
}

interface OidcProvider {
  keys: Jwks['keys'];
  audiences: readonly string[];
}

export function createSts(): { module: QueryServiceModule; control: StsControl } {
  const providers = new Map<string, OidcProvider>();
  const roles = new Map<string, RoleTrust>();
  const sessions: AssumedSession[] = [];

  const control: StsControl = {
    trustJwks(jwks, options = {}) {
      const issuer = options.issuer ?? GITHUB_OIDC_ISSUER;
      const existing = providers.get(issuer);
      providers.set(issuer, {
        keys: [...(existing?.keys ?? []), ...jwks.keys],
        audiences: options.audiences ?? existing?.audiences ?? [STS_AUDIENCE],
      });
    },
    allowRole(trust) {
      if (!ROLE_ARN.test(trust.roleArn)) throw new Error(`Not a role ARN: ${trust.roleArn}`);
      roles.set(trust.roleArn, trust);
    },
    sessions,
  };

  function assumeRoleWithWebIdentity(params: QueryParams, ctx: RequestContext): XmlObject {
    const request = validateRequest(params);
    const token = verifyToken(params.WebIdentityToken!, providers, ctx.now());
    const role = authorize(roles.get(request.roleArn), token);
    if (request.durationSeconds > (role.maxSessionDurationSeconds ?? DEFAULT_MAX_SESSION_SECONDS)) {
      throw validationError(
        'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
      );
    }
    const { partition, account, roleName } = request;
    const assumedRoleArn = `arn:${partition}:sts::${account}:assumed-role/${roleName}/${request.sessionName}`;
    const assumedRoleId = `${roleUniqueId(account, roleName)}:${request.sessionName}`;
    const expiration = new Date(ctx.now().getTime() + request.durationSeconds * 1000);
    const issued = ctx.credentials.issueTemporary(assumedRoleArn, assumedRoleId, expiration);
    sessions.push({
      roleArn: request.roleArn,
      sessionName: request.sessionName,
      durationSeconds: request.durationSeconds,
      subject: token.subject,
      assumedRoleArn,
      accessKeyId: issued.accessKeyId,
      expiration,
    });
    return {
      SubjectFromWebIdentityToken: token.subject,
      Audience: token.audience,
      AssumedRoleUser: { AssumedRoleId: assumedRoleId, Arn: assumedRoleArn },
      Credentials: {
        AccessKeyId: issued.accessKeyId,
        SecretAccessKey: issued.secretAccessKey,
        SessionToken: issued.sessionToken,
        Expiration: expiration,
      },
      // For OIDC tokens AWS reports the provider's ARN (issuer without its scheme).
      Provider: `arn:${partition}:iam::${account}:oidc-provider/${token.issuer.replace(/^https:\/\//, '')}`,
    };
  }

  function getCallerIdentity(_params: QueryParams, ctx: RequestContext): XmlObject {
    const caller = ctx.caller!;
    return { Arn: caller.arn, UserId: caller.userId, Account: accountOf(caller.arn) };
  }

  const module: QueryServiceModule = {
    name: 'sts',
    endpointEnvSuffix: 'STS',
    protocol: 'query',
    apiVersion: '2011-06-15',
    xmlNamespace: 'https://sts.amazonaws.com/doc/2011-06-15/',
    unsignedOperations: ['AssumeRoleWithWebIdentity'],
    operations: {
      AssumeRoleWithWebIdentity: assumeRoleWithWebIdentity,
      GetCallerIdentity: getCallerIdentity,
    },
  };
  return { module, control };
}

interface ValidRequest {
  roleArn: string;
  partition: string;
  account: string;
  roleName: string;
  sessionName: string;
  durationSeconds: number;
}

/** The API's own constraints, checked before anything about the token or the role. */
function validateRequest(params: QueryParams): ValidRequest {
  for (const [name, field] of [
    ['RoleArn', 'roleArn'],
    ['RoleSessionName', 'roleSessionName'],
    ['WebIdentityToken', 'webIdentityToken'],
  ] as const) {
    if (params[name] === undefined) {
      throw validationError(
        `1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`,
      );
    }
  }
  const roleArn = params.RoleArn!;
  const arn = ROLE_ARN.exec(roleArn);
  if (!arn) throw validationError('Request ARN is invalid');
  return {
    roleArn,
    partition: arn[1]!,
    account: arn[2]!,
    roleName: arn[3]!,
    sessionName: validSessionName(params.RoleSessionName!),
    durationSeconds: validDuration(params.DurationSeconds),
  };
}

function validSessionName(name: string): string {
  const constraint =
    name.length < 2
      ? 'Member must have length greater than or equal to 2'
      : name.length > 64
        ? 'Member must have length less than or equal to 64'
        : !SESSION_NAME.test(name)
          ? 'Member must satisfy regular expression pattern: [\\w+=,.@-]*'
          : undefined;
  if (constraint) throw memberError(name, 'roleSessionName', constraint);
  return name;
}

function validDuration(value: string | undefined): number {
  if (value === undefined) return DEFAULT_MAX_SESSION_SECONDS;
  const seconds = Number(value);
  const constraint = !Number.isInteger(seconds)
    ? 'Member must be an integer'
    : seconds < 900
      ? 'Member must have value greater than or equal to 900'
      : seconds > 43200
        ? 'Member must have value less than or equal to 43200'
        : undefined;
  if (constraint) throw memberError(value, 'durationSeconds', constraint);
  return seconds;
}

interface VerifiedToken {
  issuer: string;
  subject: string;
  audience: string;
  claims: DecodedJwt['claims'];
}

/** The checks STS makes of the token itself: form, provider, signature, lifetime, audience. */
function verifyToken(
  token: string,
  providers: Map<string, OidcProvider>,
  now: Date,
): VerifiedToken {
  const jwt = decodeJwt(token);
  if (!jwt) {
    throw invalidToken(
      'The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)',
    );
  }
  const { iss, sub, aud, exp, nbf } = jwt.claims;
  const provider = typeof iss === 'string' ? providers.get(iss) : undefined;
  if (!provider) {
    throw invalidToken(`No OpenIDConnect provider found in your account for ${String(iss)}`);
  }
  if (!verifyRs256(jwt, { keys: provider.keys })) {
    throw invalidToken('The web identity token signature could not be verified.');
  }
  const nowSeconds = Math.floor(now.getTime() / 1000);
  if (typeof exp !== 'number' || exp <= nowSeconds) {
    throw new SimError(
      'ExpiredTokenException',
      `Token expired: current date/time ${nowSeconds} must be before the expiration date/time${String(exp)}`,
      400,
    );
  }
  if (typeof nbf === 'number' && nbf > nowSeconds) {
    throw invalidToken(`Token is not yet valid: current date/time ${nowSeconds} is before ${nbf}`);
  }
  const audience = (Array.isArray(aud) ? aud : [aud]).find(
    (a): a is string => typeof a === 'string' && provider.audiences.includes(a),
  );
  if (audience === undefined) throw invalidToken('Incorrect token audience');
  if (typeof sub !== 'string') throw invalidToken('The token has no subject');
  return { issuer: iss as string, subject: sub, audience, claims: jwt.claims };
}

/** The role's trust policy: its provider, its `aud` condition and its `sub` patterns. */
function authorize(role: RoleTrust | undefined, token: VerifiedToken): RoleTrust {
  const subjects = role ? [role.subject].flat() : [];
  const trusted =
    role !== undefined &&
    (role.issuer ?? GITHUB_OIDC_ISSUER) === token.issuer &&
    (role.audience ?? STS_AUDIENCE) === token.audience &&
    subjects.some((pattern) => stringLike(pattern, token.subject));
  if (!trusted) {
    throw new SimError(
      'AccessDenied',
      'Not authorized to perform sts:AssumeRoleWithWebIdentity',
      403,
    );
  }
  return role;
}

/** IAM's StringLike: `*` any run of characters (including none), `?` exactly one. */
export function stringLike(pattern: string, value: string): boolean {
  const source = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 's').test(value);
}

function invalidToken(message: string): SimError {
  return new SimError('InvalidIdentityToken', message, 400);
}

function validationError(message: string): SimError {
  return new SimError('ValidationError', message, 400);
}

function memberError(value: string, field: string, constraint: string): SimError {
  return validationError(
    `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: ${constraint}`,
  );
}
