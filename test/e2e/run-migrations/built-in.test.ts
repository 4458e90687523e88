/** @needs postgres mariadb */
// run-migrations end to end, the built-in SQL migrator and secrets it cannot read:
// the committed bundle under Node 24, as the runner runs it, against the machine's real
// PostgreSQL and MariaDB (a fresh database per test, reached with a password so that masking
// is exercised), with the AWS simulator for secrets.
import { randomBytes } from 'node:crypto';
import type { RequestLogEntry } from '../../../tools/aws-sim/index.js';
import { visibleLog } from '../../support/harness.js';
import {
  HISTORY,
  ORDERS,
  RUN_URL,
  SEED,
  USERS,
  aws,
  checkout,
  countingServer,
  database,
  history,
  migrate,
  secretsManager,
  sleep,
  sqlInputs,
  tableExists,
  undeclaredAwsCalls,
  useMigrationServices,
  waitForSleepingSession,
} from './setup.js';

useMigrationServices();

// The command and ECS files check their own calls in a test; this file's calls are checked here.
afterAll(() => {
  expect(undeclaredAwsCalls()).toEqual([]);
});

// --- the built-in migrator, on both engines -------------------------------------------------

describe.each([['postgres'], ['mysql']] as const)('built-in migrator on %s', (engine) => {
  test('fresh apply, a re-run that does nothing, then a new file', async () => {
    const target = await database(engine);
    const work = await checkout();
    await work.write('V1__create_users.sql', `-- the users\n${USERS}`);
    await work.write('V2__seed_users.sql', SEED);
    await work.write('README.md', 'not a migration');

    const first = await migrate(work, sqlInputs(target));
    expect(first.exitCode).toBe(0);
    expect(first.outputs).toEqual({
      applied: '2',
      'applied-versions': '1,2',
      pending: '0',
      'current-version': '2',
      duration: expect.stringMatching(/^\d+\.\d$/),
      'task-definition-arn': '',
    });
    expect(await target.db.query('SELECT email FROM users ORDER BY id')).toEqual([
      { email: 'ada@example.com' },
      { email: "it's; ok" },
    ]);
    expect(await history(target)).toEqual([
      { version: '1', name: 'V1__create_users.sql', by: `${RUN_URL}/4242` },
      { version: '2', name: 'V2__seed_users.sql', by: `${RUN_URL}/4242` },
    ]);
    expect(first.summary).toContain('run-migrations: Migrated');
    expect(first.summary).toContain('db/migrations/V1__create_users.sql');
    expect(first.summary).toContain('<td>applied</td>');
    expect(first.annotations).toEqual([]);

    const again = await migrate(work, sqlInputs(target), { runId: '4243' });
    expect(again.exitCode).toBe(0);
    expect(again.outputs).toMatchObject({
      applied: '0',
      'applied-versions': '',
      pending: '0',
      'current-version': '2',
    });
    expect(visibleLog(again)).toContain('Up to date at version 2');
    expect(again.summary).toContain('Nothing to apply');

    await work.write('V3__create_orders.sql', ORDERS);
    const next = await migrate(work, sqlInputs(target), { runId: '4244' });
    expect(next.exitCode).toBe(0);
    expect(next.outputs).toMatchObject({
      applied: '1',
      'applied-versions': '3',
      'current-version': '3',
    });
    expect((await history(target)).map((row) => [row.version, row.by])).toEqual([
      ['1', `${RUN_URL}/4242`],
      ['2', `${RUN_URL}/4242`],
      ['3', `${RUN_URL}/4244`],
    ]);
  });

  test('a failing file mid-set: earlier stays, the failing file is undone (PostgreSQL), later ones do not run', async () => {
    const target = await database(engine);
    const work = await checkout();
    await work.write('V1__create_users.sql', USERS);
    await work.write(
      'V2__broken.sql',
      [
        '-- creates a table, then fails',
        'CREATE TABLE audit (id int PRIMARY KEY);',
        '',
        'INSERT INTO audit (id)',
        '  SELECT id FROM no_such_table;',
        '',
      ].join('\n'),
    );
    await work.write('V3__create_orders.sql', ORDERS);

    const run = await migrate(work, sqlInputs(target));

    expect(run.exitCode).toBe(1);
    expect(run.outputs).toMatchObject({
      applied: '1',
      'applied-versions': '1',
      pending: '2',
      'current-version': '1',
    });
    const errors = run.annotations.filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    const [error] = errors;
    // PostgreSQL points at the line of the bad name within the statement; MySQL at the statement.
    expect(error!.properties).toEqual({
      file: 'db/migrations/V2__broken.sql',
      line: engine === 'postgres' ? '5' : '4',
    });
    expect(run.log).toMatch(/^::error file=db\/migrations\/V2__broken\.sql,line=\d+::/m);
    expect(error!.message).toContain(engine === 'postgres' ? 'SQLSTATE 42P01' : 'ER_NO_SUCH_TABLE');
    expect(error!.message).toContain('no_such_table');
    expect(await history(target)).toEqual([
      { version: '1', name: 'V1__create_users.sql', by: `${RUN_URL}/4242` },
    ]);
    expect(await tableExists(target, 'users')).toBe(true);
    expect(await tableExists(target, 'orders')).toBe(false);
    if (engine === 'postgres') {
      expect(await tableExists(target, 'audit')).toBe(false);
      expect(error!.message).toContain("The file's transaction was rolled back");
    } else {
      // MySQL committed the CREATE TABLE implicitly; the message says so.
      expect(await tableExists(target, 'audit')).toBe(true);
      expect(error!.message).toContain('MySQL commits DDL');
    }
    expect(run.summary).toContain('<td>failed</td>');
    expect(run.summary).toContain('<td>not run</td>');
  });

  test('an applied file that changed fails with both checksums, before anything runs', async () => {
    const target = await database(engine);
    const work = await checkout();
    await work.write('V1__create_users.sql', USERS);
    expect((await migrate(work, sqlInputs(target))).exitCode).toBe(0);

    await work.write('V1__create_users.sql', USERS.replace('200', '300'));
    await work.write('V2__create_orders.sql', ORDERS);
    const run = await migrate(work, sqlInputs(target));

    expect(run.exitCode).toBe(1);
    const [error] = run.annotations;
    expect(error).toMatchObject({
      level: 'error',
      properties: { file: 'db/migrations/V1__create_users.sql', line: '1' },
    });
    expect(error!.message).toMatch(/changed after it was applied/);
    expect(error!.message.match(/\b[0-9a-f]{64}\b/g)).toHaveLength(2);
    expect(await tableExists(target, 'orders')).toBe(false);
  });

  test('a new file older than the newest applied one fails unless allow-out-of-order', async () => {
    const target = await database(engine);
    const work = await checkout();
    await work.write('V1__create_users.sql', USERS);
    await work.write('V3__create_orders.sql', ORDERS);
    expect((await migrate(work, sqlInputs(target))).exitCode).toBe(0);

    await work.write('V2__seed_users.sql', SEED);
    const refused = await migrate(work, sqlInputs(target));
    expect(refused.exitCode).toBe(1);
    expect(refused.annotations[0]?.message).toContain(
      'New migrations are older than the newest applied version 3: db/migrations/V2__seed_users.sql',
    );
    expect(refused.annotations[0]?.message).toContain('allow-out-of-order');
    expect(await target.db.query('SELECT * FROM users')).toEqual([]);

    const allowed = await migrate(work, sqlInputs(target, { 'allow-out-of-order': 'true' }));
    expect(allowed.exitCode).toBe(0);
    expect(allowed.outputs).toMatchObject({
      applied: '1',
      'applied-versions': '2',
      'current-version': '3',
    });
  });

  test('two runs at once: the second waits for the lock and applies nothing twice', async () => {
    const target = await database(engine);
    const work = await checkout();
    await work.write('V1__slow.sql', sleep(target, 3));
    await work.write('V2__create_users.sql', USERS);
    await work.write('V3__seed_users.sql', SEED);

    const first = migrate(work, sqlInputs(target), { runId: '5001' });
    await waitForSleepingSession(target);
    const second = await migrate(work, sqlInputs(target), { runId: '5002' });
    const firstRun = await first;

    expect([firstRun.exitCode, second.exitCode]).toEqual([0, 0]);
    expect(firstRun.outputs).toMatchObject({ applied: '3', 'applied-versions': '1,2,3' });
    expect(second.outputs).toMatchObject({ applied: '0', pending: '0', 'current-version': '3' });
    expect(visibleLog(second)).toContain('Waiting for the migration lock, held by');
    expect((await history(target)).map((row) => [row.version, row.by])).toEqual([
      ['1', `${RUN_URL}/5001`],
      ['2', `${RUN_URL}/5001`],
      ['3', `${RUN_URL}/5001`],
    ]);
    expect(await target.db.query('SELECT id FROM users ORDER BY id')).toEqual([
      { id: 1 },
      { id: 2 },
    ]);
  });

  test('lock-timeout: the run gives up and names the session holding the lock', async () => {
    const target = await database(engine);
    const work = await checkout();
    await work.write('V1__slow.sql', sleep(target, 4));

    const holder = migrate(work, sqlInputs(target), { runId: '6001' });
    await waitForSleepingSession(target);
    const late = await migrate(work, sqlInputs(target, { 'lock-timeout': '1s' }), {
      runId: '6002',
    });

    expect(late.exitCode).toBe(1);
    const message = late.annotations.find((a) => a.level === 'error')?.message ?? '';
    expect(message).toContain('Gave up waiting for the migration lock');
    if (engine === 'postgres') {
      expect(message).toMatch(
        /held by PostgreSQL session \d+ \(application "deploy-actions org\/app run 6001"/,
      );
    } else {
      expect(message).toMatch(/held by MySQL connection \d+ \(/);
      expect(message).toContain('SLEEP(4)');
    }
    expect(message).toContain('raise lock-timeout');
    expect(late.outputs).toEqual({});
    const holderRun = await holder;
    expect(holderRun.exitCode).toBe(0);
    expect((await history(target)).map((row) => row.by)).toEqual([`${RUN_URL}/6001`]);
  });

  test('dry-run lists what is pending and changes nothing, not even the history table', async () => {
    const target = await database(engine);
    const work = await checkout();
    await work.write('V1__create_users.sql', USERS);
    await work.write('V2__seed_users.sql', SEED);

    const fresh = await migrate(work, sqlInputs(target, { 'dry-run': 'true' }));
    expect(fresh.exitCode).toBe(0);
    expect(fresh.outputs).toMatchObject({
      applied: '0',
      'applied-versions': '',
      pending: '2',
      'current-version': '',
    });
    expect(await tableExists(target, HISTORY)).toBe(false);
    expect(await tableExists(target, 'users')).toBe(false);
    expect(fresh.summary).toContain('Dry run: 2 pending migration(s)');
    expect(fresh.summary).toContain('CREATE TABLE users');
    expect(fresh.summary).toContain('<td>pending</td>');

    await migrate(work, { ...sqlInputs(target) });
    await work.write('V3__create_orders.sql', ORDERS);
    const later = await migrate(work, sqlInputs(target, { 'dry-run': 'true' }));
    expect(later.outputs).toMatchObject({ pending: '1', 'current-version': '2' });
    expect((await history(target)).map((row) => row.version)).toEqual(['1', '2']);
    expect(await tableExists(target, 'orders')).toBe(false);
  });

  test('the URL from an RDS-format Secrets Manager secret never appears in the log', async () => {
    const target = await database(engine);
    const work = await checkout();
    await work.write('V1__create_users.sql', USERS);
    const name = `app/db-${randomBytes(4).toString('hex')}`;
    const secret = secretsManager.addSecret(
      name,
      JSON.stringify({
        username: target.user,
        password: target.password,
        engine: engine === 'postgres' ? 'postgres' : 'mariadb',
        host: '127.0.0.1',
        port: target.port,
        dbname: target.db.name,
        dbInstanceIdentifier: 'shop-db',
      }),
    );

    const run = await migrate(
      work,
      {
        'database-url-secret-id': secret.arn,
        'migrations-dir': 'db/migrations',
        ssl: 'disable',
        ...aws.inputs,
      },
      { oidc: true },
    );

    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({ applied: '1', 'current-version': '1' });
    expect((run.requests as RequestLogEntry[]).map((r) => `${r.service}:${r.operation}`)).toEqual([
      'sts:AssumeRoleWithWebIdentity',
      'secretsmanager:GetSecretValue',
    ]);
    // The password in every form, and the whole URL, were masked before anything printed them...
    const url = `${engine}://${encodeURIComponent(target.user)}:${encodeURIComponent(target.password)}@127.0.0.1:${target.port}/${target.db.name}`;
    expect(run.masked).toEqual(
      expect.arrayContaining([target.password, encodeURIComponent(target.password), url]),
    );
    // ...and none of them is in the log or the summary (the harness also checks every masked value).
    for (const form of [target.password, encodeURIComponent(target.password), url]) {
      expect(visibleLog(run)).not.toContain(form);
      expect(run.summary).not.toContain(form);
    }
    expect(visibleLog(run)).toContain(
      `${engine}://${target.user}:***@127.0.0.1:${target.port}/${target.db.name}`,
    );
  });
});

// --- Secrets Manager failures ----------------------------------------------------------------

test('a secret encrypted with a key the role may not use fails naming the secret, before any connection', async () => {
  const server = await countingServer();
  const work = await checkout();
  await work.write('V1__create_users.sql', USERS);
  const secret = secretsManager.addSecret(
    `cmk-${randomBytes(4).toString('hex')}`,
    `postgres://app:s3cret-value@127.0.0.1:${server.port}/shop`,
    { kmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555' },
  );
  secretsManager.deny(secret.name, 'kms');

  const run = await migrate(
    work,
    { 'database-url-secret-id': secret.name, 'migrations-dir': 'db/migrations', ...aws.inputs },
    { oidc: true },
  );

  expect(run.exitCode).toBe(1);
  const message = run.annotations.find((a) => a.level === 'error')?.message ?? '';
  expect(message).toContain(`AWS denied decrypting the secret ${secret.name}`);
  expect(message).toContain('Access to KMS is not allowed');
  expect(message).toContain("Grant the role kms:Decrypt on the secret's KMS key");
  expect(server.connections()).toBe(0);
});

test('a secret that does not exist names it and the region', async () => {
  const work = await checkout();
  await work.write('V1__create_users.sql', USERS);
  const run = await migrate(
    work,
    { 'database-url-secret-id': 'prod/missing', 'migrations-dir': 'db/migrations', ...aws.inputs },
    { oidc: true },
  );
  expect(run.exitCode).toBe(1);
  const message = run.annotations.find((a) => a.level === 'error')?.message ?? '';
  expect(message).toMatch(/prod\/missing was not found in us-east-1 \(ResourceNotFoundException\)/);
});

// --- mode 2: your own migration command -----------------------------------------------------
