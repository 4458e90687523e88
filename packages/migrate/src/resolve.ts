/** The database URL from database-url or from a Secrets Manager secret, masked before anything is logged. */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { UserError, type Logger } from '@deploy-actions/action-kit/engine';
import { callAws, errorCode } from '@deploy-actions/aws';
import { RUN_MIGRATIONS_CALLS } from './calls.js';
import { parseDatabaseUrl, secretParts, secretToUrl, type DatabaseUrl } from './url.js';

/** Where the database URL comes from: exactly one of the two. */
export interface DatabaseSource {
  /** The database-url input. */
  url?: string;
  /** The database-url-secret-id input: a secret's name or ARN. */
  secretId?: string;
}

export interface ResolvedDatabase {
  /** The URL to connect with (and to hand to a migration command). */
  url: string;
  connection: DatabaseUrl;
  /** The input it came from, for messages. */
  input: 'database-url' | 'database-url-secret-id';
}

export interface ResolveDeps {
  logger: Logger;
  /** Needed only with a secret id. */
  secretsManager?: SecretsManagerClient;
  /** For messages about the secret. */
  region?: string;
}

/**
 * The database URL, from the input or from Secrets Manager. Every form of
 * the secret is masked before anything else happens, so that no later line
 * of the log (ours or a migration tool's) can show the password.
 */
export async function resolveDatabaseUrl(
  source: DatabaseSource,
  deps: ResolveDeps,
): Promise<ResolvedDatabase> {
  if (source.url !== undefined) {
    maskAll(source.url, deps.logger);
    return { url: source.url, connection: parseDatabaseUrl(source.url), input: 'database-url' };
  }
  if (source.secretId === undefined) {
    throw new UserError('No database given: set database-url or database-url-secret-id.');
  }
  const secretString = await readSecret(source.secretId, deps);
  maskAll(secretString, deps.logger);
  maskJsonPassword(secretString, deps.logger);
  const url = secretToUrl(secretString, source.secretId);
  maskAll(url, deps.logger);
  deps.logger.info(`Read the database URL from the secret ${source.secretId}.`);
  return {
    url,
    connection: parseDatabaseUrl(url, 'database-url-secret-id'),
    input: 'database-url-secret-id',
  };
}

function maskAll(secret: string, logger: Logger): void {
  for (const part of secretParts(secret)) logger.mask(part);
}

/** RDS secrets are JSON: their password field is masked on its own, before the JSON is read further. */
function maskJsonPassword(secretString: string, logger: Logger): void {
  try {
    const { password } = JSON.parse(secretString) as { password?: unknown };
    if (typeof password === 'string' && password !== '') {
      logger.mask(password);
      if (encodeURIComponent(password) !== password) logger.mask(encodeURIComponent(password));
    }
  } catch {
    // Not JSON: a plain URL, masked part by part above.
  }
}

/**
 * Secrets Manager answers AccessDeniedException both when the role may not read the
 * secret and when it may not decrypt it with the secret's customer-managed KMS key;
 * only the message tells them apart, and the permission to grant differs.
 */
function explainKmsDenial(secretId: string): (error: unknown) => never {
  return (error) => {
    const message = error instanceof Error ? error.message : String(error);
    if (errorCode(error) === 'AccessDeniedException' && /\bKMS\b/i.test(message)) {
      throw new UserError(
        `AWS denied decrypting the secret ${secretId} (database-url-secret-id): ${message}`,
        {
          cause: error,
          hint: "Grant the role kms:Decrypt on the secret's KMS key (and allow it in the key policy), with the condition kms:ViaService secretsmanager.<region>.amazonaws.com if you scope it.",
        },
      );
    }
    throw error;
  };
}

async function readSecret(secretId: string, deps: ResolveDeps): Promise<string> {
  if (deps.secretsManager === undefined) {
    throw new Error(
      'resolveDatabaseUrl needs a Secrets Manager client to read database-url-secret-id',
    );
  }
  const client = deps.secretsManager;
  const response = await callAws(
    { action: RUN_MIGRATIONS_CALLS.GetSecretValue.action, resource: secretId, region: deps.region },
    () =>
      client
        .send(new GetSecretValueCommand({ SecretId: secretId }))
        .catch(explainKmsDenial(secretId)),
  );
  if (response.SecretString !== undefined) return response.SecretString;
  if (response.SecretBinary !== undefined) {
    return Buffer.from(response.SecretBinary).toString('utf8');
  }
  throw new UserError(`The secret ${secretId} (database-url-secret-id) has no value.`, {
    hint: 'Store the database URL, or the RDS JSON (username, password, engine, host, port, dbname), as the secret value.',
  });
}
