/**
 * Secrets Manager in the simulator (awsJson1_1, target prefix `secretsmanager`,
 * signing name `secretsmanager`): the two read calls a deploy makes,
 * GetSecretValue and DescribeSecret, over secrets a test adds with
 * `addSecret` (and rotates with `putSecretValue`).
 *
 * As AWS does it (checked with the AWS CLI, test/e2e/aws-cli-secrets-manager.test.ts):
 * - a secret is found by its name, its full ARN (`…:secret:<name>-<6 random
 *   characters>`) or its partial ARN (the ARN without the suffix), and only by
 *   callers in its own region and account;
 * - GetSecretValue returns the AWSCURRENT version unless VersionId or
 *   VersionStage names another; a stage or version the secret lacks is
 *   ResourceNotFoundException, as is an unknown secret or one of another region
 *   or account (cross-account reads through resource policies are not modelled);
 * - SecretBinary travels base64-encoded; dates are epoch seconds;
 *   LastAccessedDate is the day (midnight UTC) of the last GetSecretValue.
 * - AccessDeniedException for a denied caller (the IAM message naming the
 *   principal, the action and the secret), or — for a secret encrypted with a
 *   customer managed key the caller may not use — the real, famously vague
 *   "Access to KMS is not allowed" (GetSecretValue only: DescribeSecret
 *   decrypts nothing).
 * Not modelled: deletion and recovery windows, resource policies, rotation,
 * replication, tags.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { SimError } from '../errors.js';
import type { JsonObject, JsonResult, JsonServiceModule, RequestContext } from '../types.js';

const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/**
 * What Secrets Manager accepts as a name: "alphanumeric characters, or any of the
 * following: -/_+=.@!" (its ValidationException for an invalid name), up to 512 (the
 * model's NameType). `!` is in the names RDS gives the secrets it manages: rds!db-<uuid>.
 */
const NAME = /^[A-Za-z0-9/_+=.@!-]{1,512}$/;
const CURRENT = 'AWSCURRENT';
const PREVIOUS = 'AWSPREVIOUS';
const NOT_FOUND = "Secrets Manager can't find the specified secret.";

export interface SecretOptions {
  /** Where the secret lives; the service's default region otherwise. */
  region?: string;
  description?: string;
  /** A customer managed key (ARN); absent: the AWS managed key aws/secretsmanager. */
  kmsKeyId?: string;
  /** Store the value as SecretBinary instead of SecretString. */
  binary?: boolean;
}

/** Who may not read a secret: `iam` (no identity policy allows it) or `kms` (no kms:Decrypt on its key). */
export type Denial = 'iam' | 'kms';

export interface SecretVersion {
  versionId: string;
  value: string;
  binary: boolean;
  stages: string[];
  createdDate: Date;
}

export interface StoredSecret {
  name: string;
  arn: string;
  region: string;
  account: string;
  description?: string;
  kmsKeyId?: string;
  createdDate: Date;
  lastChangedDate: Date;
  lastAccessedDate?: Date;
  versions: SecretVersion[];
  denial?: Denial;
}

export interface SecretsManagerSimulator extends JsonServiceModule {
  readonly secrets: ReadonlyMap<string, StoredSecret>;
  /** Creates a secret with one version (AWSCURRENT) and returns it (its ARN has the random suffix). */
  addSecret(name: string, value: string, options?: SecretOptions): StoredSecret;
  /** A new AWSCURRENT version; the old current one becomes AWSPREVIOUS (as rotation leaves it). */
  putSecretValue(name: string, value: string): SecretVersion;
  /** From now on, reading the secret is denied (undefined: allowed again). */
  deny(name: string, denial: Denial | undefined): void;
}

export function createSecretsManagerService(
  options: { accountId?: string; region?: string } = {},
): SecretsManagerSimulator {
  const defaultAccount = options.accountId ?? '123456789012';
  const defaultRegion = options.region ?? 'us-east-1';
  const secrets = new Map<string, StoredSecret>();

  const stored = (name: string): StoredSecret => {
    const secret = secrets.get(name);
    if (!secret) throw new Error(`No secret named ${name} in the simulator`);
    return secret;
  };

  /** The secret a SecretId names, in the caller's region and account; ResourceNotFoundException otherwise. */
  const find = (params: JsonObject, ctx: RequestContext): StoredSecret => {
    const id = params.SecretId;
    if (typeof id !== 'string' || id === '') {
      throw new SimError('InvalidParameterException', 'You must provide a value for SecretId.');
    }
    // The caller's own account: cross-account reads (resource policies) are not modelled.
    const account = ctx.caller?.account ?? ctx.accountId;
    const visible = [...secrets.values()].filter(
      (s) => s.region === ctx.region && s.account === account,
    );
    const match = id.startsWith('arn:')
      ? visible.find((s) => s.arn === id || isPartialArn(id, s.arn))
      : visible.find((s) => s.name === id);
    if (!match) throw new SimError('ResourceNotFoundException', NOT_FOUND);
    return match;
  };

  const denied = (secret: StoredSecret, action: string, ctx: RequestContext): void => {
    if (secret.denial === 'iam') {
      const who = ctx.caller?.arn ?? 'anonymous';
      throw new SimError(
        'AccessDeniedException',
        `User: ${who} is not authorized to perform: secretsmanager:${action} on resource: ${secret.name} because no identity-based policy allows the secretsmanager:${action} action`,
      );
    }
    if (secret.denial === 'kms' && action === 'GetSecretValue') {
      throw new SimError('AccessDeniedException', 'Access to KMS is not allowed');
    }
  };

  const operations: JsonServiceModule['operations'] = {
    GetSecretValue: (params, ctx): JsonResult => {
      const secret = find(params, ctx);
      denied(secret, 'GetSecretValue', ctx);
      const version = selectVersion(secret, params);
      secret.lastAccessedDate = startOfDay(ctx.now());
      return {
        ARN: secret.arn,
        Name: secret.name,
        VersionId: version.versionId,
        ...(version.binary
          ? { SecretBinary: Buffer.from(version.value, 'utf8').toString('base64') }
          : { SecretString: version.value }),
        VersionStages: [...version.stages],
        CreatedDate: version.createdDate,
      };
    },

    DescribeSecret: (params, ctx): JsonResult => {
      const secret = find(params, ctx);
      denied(secret, 'DescribeSecret', ctx);
      return {
        ARN: secret.arn,
        Name: secret.name,
        ...(secret.description !== undefined ? { Description: secret.description } : {}),
        ...(secret.kmsKeyId !== undefined ? { KmsKeyId: secret.kmsKeyId } : {}),
        LastChangedDate: secret.lastChangedDate,
        ...(secret.lastAccessedDate ? { LastAccessedDate: secret.lastAccessedDate } : {}),
        VersionIdsToStages: Object.fromEntries(
          secret.versions
            .filter((v) => v.stages.length > 0)
            .map((v) => [v.versionId, [...v.stages]]),
        ),
        CreatedDate: secret.createdDate,
      };
    },
  };

  return {
    protocol: 'json',
    jsonVersion: '1.1',
    targetPrefix: 'secretsmanager',
    name: 'secretsmanager',
    endpointEnvSuffix: 'SECRETS_MANAGER',
    operations,
    secrets,

    addSecret(name, value, secretOptions = {}) {
      if (!NAME.test(name)) throw new Error(`Not a valid secret name: ${name}`);
      if (secrets.has(name)) throw new Error(`The secret ${name} already exists`);
      const region = secretOptions.region ?? defaultRegion;
      const now = new Date();
      const secret: StoredSecret = {
        name,
        arn: `arn:aws:secretsmanager:${region}:${defaultAccount}:secret:${name}-${randomSuffix()}`,
        region,
        account: defaultAccount,
        ...(secretOptions.description !== undefined
          ? { description: secretOptions.description }
          : {}),
        ...(secretOptions.kmsKeyId !== undefined ? { kmsKeyId: secretOptions.kmsKeyId } : {}),
        createdDate: now,
        lastChangedDate: now,
        versions: [
          {
            versionId: randomUUID(),
            value,
            binary: secretOptions.binary ?? false,
            stages: [CURRENT],
            createdDate: now,
          },
        ],
      };
      secrets.set(name, secret);
      return secret;
    },

    putSecretValue(name, value) {
      const secret = stored(name);
      const now = new Date();
      for (const version of secret.versions) {
        version.stages = version.stages.filter((stage) => stage !== PREVIOUS);
        if (version.stages.includes(CURRENT)) {
          version.stages = [...version.stages.filter((stage) => stage !== CURRENT), PREVIOUS];
        }
      }
      const version: SecretVersion = {
        versionId: randomUUID(),
        value,
        binary: secret.versions.at(-1)?.binary ?? false,
        stages: [CURRENT],
        createdDate: now,
      };
      secret.versions.push(version);
      secret.lastChangedDate = now;
      return version;
    },

    deny(name, denial) {
      const secret = stored(name);
      if (denial === undefined) delete secret.denial;
      else secret.denial = denial;
    },
  };
}

/** VersionId and/or VersionStage; AWSCURRENT when neither is given. */
function selectVersion(secret: StoredSecret, params: JsonObject): SecretVersion {
  const versionId = typeof params.VersionId === 'string' ? params.VersionId : undefined;
  const stage = typeof params.VersionStage === 'string' ? params.VersionStage : undefined;
  if (versionId !== undefined) {
    const version = secret.versions.find((v) => v.versionId === versionId);
    if (!version) {
      throw new SimError(
        'ResourceNotFoundException',
        `Secrets Manager can't find the specified secret value for VersionId: ${versionId}`,
      );
    }
    if (stage !== undefined && !version.stages.includes(stage)) {
      throw new SimError(
        'InvalidRequestException',
        `You provided a VersionStage that is not associated to the provided VersionId.`,
      );
    }
    return version;
  }
  const wanted = stage ?? CURRENT;
  const version = secret.versions.find((v) => v.stages.includes(wanted));
  if (!version) {
    throw new SimError(
      'ResourceNotFoundException',
      `Secrets Manager can't find the specified secret value for staging label: ${wanted}`,
    );
  }
  return version;
}

/** The ARN without its `-XXXXXX` suffix names the secret too (a "partial ARN"). */
function isPartialArn(id: string, arn: string): boolean {
  return arn.length === id.length + 7 && arn.startsWith(`${id}-`);
}

function randomSuffix(): string {
  return [...randomBytes(6)].map((byte) => SUFFIX_ALPHABET[byte % 62]).join('');
}

function startOfDay(date: Date): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
}
