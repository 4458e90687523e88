/**
 * The credentials the simulator accepts: static "ambient" ones a test adds
 * (as if configured before the action ran) and temporary ones STS issues.
 */
import { randomId, randomSecret, randomSessionToken, stableId } from './ids.js';

export interface StaticCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** Who these credentials are, e.g. `arn:aws:iam::123456789012:user/deployer`. */
  arn: string;
  /** After this, signed requests are answered ExpiredToken. */
  expiration?: Date;
}

export interface TemporaryCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

export interface CallerIdentity {
  accessKeyId: string;
  arn: string;
  account: string;
  /** GetCallerIdentity's UserId: `AIDA…` for a user, `AROA…:<session>` for a role session. */
  userId: string;
}

export interface StoredCredentials extends StaticCredentials {
  userId: string;
}

export class CredentialStore {
  private readonly byAccessKeyId = new Map<string, StoredCredentials>();

  add(credentials: StaticCredentials): void {
    this.byAccessKeyId.set(credentials.accessKeyId, {
      ...credentials,
      userId: userIdFor(credentials.arn),
    });
  }

  /** New `ASIA…` credentials for `arn` (an assumed-role ARN) valid until `expiration`. */
  issueTemporary(arn: string, userId: string, expiration: Date): TemporaryCredentials {
    const issued = {
      accessKeyId: randomId('ASIA', 16),
      secretAccessKey: randomSecret(),
      sessionToken: randomSessionToken(),
      expiration,
    };
    this.byAccessKeyId.set(issued.accessKeyId, { ...issued, arn, userId });
    return issued;
  }

  find(accessKeyId: string): StoredCredentials | undefined {
    return this.byAccessKeyId.get(accessKeyId);
  }
}

export function identityOf(credentials: StoredCredentials): CallerIdentity {
  return {
    accessKeyId: credentials.accessKeyId,
    arn: credentials.arn,
    account: accountOf(credentials.arn),
    userId: credentials.userId,
  };
}

/** The account field of an ARN (`arn:partition:service:region:account:resource`). */
export function accountOf(arn: string): string {
  return arn.split(':')[4] ?? '';
}

/** The unique id AWS reports for a principal: the account for root, AIDA… for users, AROA…:session for roles. */
function userIdFor(arn: string): string {
  const resource = arn.split(':').slice(5).join(':');
  if (resource === 'root') return accountOf(arn);
  const assumedRole = /^assumed-role\/([^/]+)\/(.+)$/.exec(resource);
  if (assumedRole) return `${roleUniqueId(accountOf(arn), assumedRole[1]!)}:${assumedRole[2]}`;
  return stableId('AIDA', arn);
}

/** One AROA… id per role, as IAM keeps for the role's lifetime. */
export function roleUniqueId(account: string, roleName: string): string {
  return stableId('AROA', `${account}:${roleName}`);
}
