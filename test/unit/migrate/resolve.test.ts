import type { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { UserError, type Logger } from '@deploy-actions/action-kit/engine';
import { resolveDatabaseUrl } from '../../../packages/migrate/src/index.js';

const PASSWORD = 'r0tated:p@ss/word';
const ENCODED = encodeURIComponent(PASSWORD);

/** Records masks and log lines in the order they happen. */
class OrderLogger implements Logger {
  readonly events: string[] = [];
  info(message: string) {
    this.events.push(`info ${message}`);
  }
  output(line: string) {
    this.events.push(`output ${line}`);
  }
  debug(message: string) {
    this.events.push(`debug ${message}`);
  }
  warning(message: string) {
    this.events.push(`warning ${message}`);
  }
  error(message: string) {
    this.events.push(`error ${message}`);
  }
  async group<T>(title: string, fn: () => Promise<T>) {
    this.events.push(`group ${title}`);
    return fn();
  }
  mask(secret: string) {
    this.events.push(`mask ${secret}`);
  }
}

function secretsManager(answer: (secretId: string) => unknown) {
  const requests: string[] = [];
  const client = {
    send: async (command: GetSecretValueCommand) => {
      const secretId = command.input.SecretId!;
      requests.push(secretId);
      const value = answer(secretId);
      if (value instanceof Error) throw value;
      return value;
    },
  } as unknown as SecretsManagerClient;
  return { client, requests };
}

function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });
}

async function rejection(promise: Promise<unknown>): Promise<UserError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error('expected a UserError');
}

describe('resolveDatabaseUrl', () => {
  test('database-url: masked part by part, taken apart', async () => {
    const logger = new OrderLogger();
    const url = `postgres://app:${ENCODED}@db:5432/shop`;
    const resolved = await resolveDatabaseUrl({ url }, { logger });
    expect(resolved).toMatchObject({
      url,
      input: 'database-url',
      connection: { password: PASSWORD },
    });
    expect(logger.events).toEqual(
      expect.arrayContaining([`mask ${PASSWORD}`, `mask ${ENCODED}`, `mask ${url}`]),
    );
  });

  test('a secret holding a plain URL', async () => {
    const url = `mysql://app:${ENCODED}@db:3306/shop`;
    const { client, requests } = secretsManager(() => ({ SecretString: url }));
    const resolved = await resolveDatabaseUrl(
      { secretId: 'prod/db' },
      { logger: new OrderLogger(), secretsManager: client },
    );
    expect(requests).toEqual(['prod/db']);
    expect(resolved).toMatchObject({
      url,
      input: 'database-url-secret-id',
      connection: { engine: 'mysql' },
    });
  });

  test('a secret holding RDS JSON: everything masked before anything is logged', async () => {
    const secret = JSON.stringify({
      username: 'app',
      password: PASSWORD,
      engine: 'aurora-postgresql',
      host: 'shop.cluster-abc.eu-west-1.rds.amazonaws.com',
      port: 5432,
      dbname: 'shop',
    });
    const { client } = secretsManager(() => ({ SecretString: secret }));
    const logger = new OrderLogger();
    const resolved = await resolveDatabaseUrl(
      { secretId: 'prod/db' },
      { logger, secretsManager: client },
    );

    expect(resolved.connection).toMatchObject({
      engine: 'postgres',
      user: 'app',
      password: PASSWORD,
    });
    expect(resolved.url).toBe(
      `postgres://app:${ENCODED}@shop.cluster-abc.eu-west-1.rds.amazonaws.com:5432/shop`,
    );
    const firstLog = logger.events.findIndex((event) => !event.startsWith('mask '));
    const masks = logger.events.slice(0, firstLog);
    expect(masks).toEqual(
      expect.arrayContaining([
        `mask ${secret}`,
        `mask ${PASSWORD}`,
        `mask ${ENCODED}`,
        `mask ${resolved.url}`,
      ]),
    );
    expect(logger.events.slice(firstLog).join('\n')).not.toContain(PASSWORD);
  });

  test('a binary secret is read as UTF-8', async () => {
    const url = 'postgres://app:pw@db/shop';
    const { client } = secretsManager(() => ({ SecretBinary: new TextEncoder().encode(url) }));
    const resolved = await resolveDatabaseUrl(
      { secretId: 'db' },
      { logger: new OrderLogger(), secretsManager: client },
    );
    expect(resolved.url).toBe(url);
  });

  test('a secret without a value', async () => {
    const { client } = secretsManager(() => ({}));
    const error = await rejection(
      resolveDatabaseUrl({ secretId: 'db' }, { logger: new OrderLogger(), secretsManager: client }),
    );
    expect(error.message).toBe('The secret db (database-url-secret-id) has no value.');
  });

  test('AccessDenied names the IAM action and the secret to grant', async () => {
    const { client } = secretsManager(() => awsError('AccessDeniedException', 'not authorized'));
    const error = await rejection(
      resolveDatabaseUrl(
        { secretId: 'prod/db' },
        { logger: new OrderLogger(), secretsManager: client, region: 'eu-west-1' },
      ),
    );
    expect(error.message).toContain('AWS denied secretsmanager:GetSecretValue on prod/db');
    expect(error.hint).toContain('Grant the role "secretsmanager:GetSecretValue" on "prod/db"');
  });

  test('a missing secret names the secret and the region', async () => {
    const { client } = secretsManager(() =>
      awsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret."),
    );
    const error = await rejection(
      resolveDatabaseUrl(
        { secretId: 'prod/db' },
        { logger: new OrderLogger(), secretsManager: client, region: 'eu-west-1' },
      ),
    );
    expect(error.message).toContain('prod/db was not found in eu-west-1');
  });

  test('a secret that holds no usable URL fails without showing the password', async () => {
    const { client } = secretsManager(() => ({ SecretString: `postgres://app:${ENCODED}@db` }));
    const error = await rejection(
      resolveDatabaseUrl(
        { secretId: 'prod/db' },
        { logger: new OrderLogger(), secretsManager: client },
      ),
    );
    expect(error.message).toContain('no database name');
    expect(error.message).not.toContain(PASSWORD);
    expect(error.message).not.toContain(ENCODED);
  });
});
