// One failure protocol: each engine's own way of failing, read by its adapter into the same
// StageResult, so the pipeline reads every stage alike.
import { UserError } from '@deploy-actions/action-kit/engine';
import { DeployFailedError } from '@deploy-actions/apprunner';
import { MigrationRunError } from '@deploy-actions/migrate';
import {
  buildAdapter,
  deployAdapter,
  ecsAdapter,
  migrationsAdapter,
  settle,
  smokeAdapter,
} from '../../../packages/pipeline/src/result.js';
import {
  build,
  deployed,
  migrationTask,
  migrations,
  smokeFailed,
  smokePassed,
} from './fixtures.js';

test('a report that succeeded: succeeded, with the report and no error', async () => {
  expect(await settle(async () => smokePassed, smokeAdapter)).toEqual({
    status: 'succeeded',
    report: smokePassed,
  });
});

test('an error without a report: failed, with the error', async () => {
  const error = new Error('network down');
  expect(
    await settle(async () => {
      throw error;
    }, deployAdapter),
  ).toEqual({ status: 'failed', error });
});

test('build: blocking findings fail the stage, the result kept', async () => {
  const finding = {
    id: 'CVE-2026-1',
    severity: 'CRITICAL',
    packageName: 'openssl',
    installedVersion: '3.0.0',
  };
  const scanned = { ...build, scan: { counts: { CRITICAL: 1 }, blocking: [finding] } };
  const result = await settle(async () => scanned as never, buildAdapter('CRITICAL'));
  expect(result.status).toBe('failed');
  expect(result.report).toBe(scanned);
  expect(result.error).toBeInstanceOf(UserError);
  expect((result.error as UserError).message).toBe(
    'The image has 1 finding(s) at or above CRITICAL: CVE-2026-1 (CRITICAL, openssl 3.0.0). Nothing was deployed.',
  );
  expect((await settle(async () => build, buildAdapter('CRITICAL'))).status).toBe('succeeded');
});

test('migrations: a MigrationRunError fails the stage with the result it carries', async () => {
  const error = new MigrationRunError(new UserError('V2 failed'), migrations);
  const result = await settle(async () => {
    throw error;
  }, migrationsAdapter);
  expect(result).toEqual({ status: 'failed', report: migrations, error });
});

test('ECS task: an outcome with a failure fails the stage with that failure', async () => {
  const failure = new UserError('exit code 1');
  const outcome = { ...migrationTask, failure };
  expect(await settle(async () => outcome, ecsAdapter)).toEqual({
    status: 'failed',
    report: outcome,
    error: failure,
  });
  expect((await settle(async () => migrationTask, ecsAdapter)).status).toBe('succeeded');
});

test('App Runner: a DeployFailedError fails the stage with its report', async () => {
  const report = { ...deployed, succeeded: false, status: 'ROLLBACK_SUCCEEDED' } as never;
  const error = new DeployFailedError(report);
  expect(
    await settle(async () => {
      throw error;
    }, deployAdapter),
  ).toEqual({ status: 'failed', report, error });
  const returned = await settle(async () => report, deployAdapter);
  expect(returned.status).toBe('failed');
  expect(returned.error).toBeInstanceOf(DeployFailedError);
});

test('smoke test: a report that did not pass fails the stage saying which checks failed', async () => {
  const result = await settle(async () => smokeFailed, smokeAdapter);
  expect(result.status).toBe('failed');
  expect(result.report).toBe(smokeFailed);
  expect((result.error as UserError).message).toMatch(/^Smoke test failed: .*\n.*health/);
});
