import { UserError } from '@deploy-actions/action-kit/engine';
import {
  assertPlanCanRun,
  migrationChecksum,
  planMigrations,
  type AppliedMigration,
  type MigrationFile,
} from '../../../packages/migrate/src/index.js';

function file(version: string, sql = `SELECT ${version};`): MigrationFile {
  return {
    version,
    description: 'x',
    fileName: `V${version}__x.sql`,
    path: `db/V${version}__x.sql`,
    checksum: migrationChecksum(sql),
    transactional: true,
    sql,
  };
}

function applied(version: string, sql = `SELECT ${version};`): AppliedMigration {
  return {
    version,
    name: `V${version}__x.sql`,
    checksum: migrationChecksum(sql),
    appliedAt: new Date('2026-01-02T03:04:05Z'),
    durationMs: 12,
    appliedBy: 'https://github.com/acme/shop/actions/runs/1',
  };
}

const versions = (files: readonly MigrationFile[]) => files.map((f) => f.version);

function thrown(fn: () => unknown): UserError {
  try {
    fn();
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error('expected a UserError');
}

describe('planMigrations', () => {
  test.each<[string, string[], string[], string[], string[], string | undefined]>([
    // name, files, history, pending, out of order, current version
    ['fresh database', ['1', '2', '10'], [], ['1', '2', '10'], [], undefined],
    ['up to date', ['1', '2'], ['1', '2'], [], [], '2'],
    ['one new file', ['1', '2', '3'], ['1', '2'], ['3'], [], '2'],
    ['versions compare as numbers', ['1.9', '1.10'], ['1.9'], ['1.10'], [], '1.9'],
    ['a file older than the newest applied', ['1', '2', '3'], ['1', '3'], ['2'], ['2'], '3'],
    ['history newer than the files (a newer deploy)', ['1'], ['1', '2'], [], [], '2'],
  ])('%s', (_name, fileVersions, historyVersions, pending, outOfOrder, current) => {
    const plan = planMigrations(
      fileVersions.map((v) => file(v)),
      historyVersions.map((v) => applied(v)),
    );
    expect(versions(plan.pending)).toEqual(pending);
    expect(versions(plan.outOfOrder)).toEqual(outOfOrder);
    expect(plan.currentVersion).toBe(current);
  });

  test('applied migrations without a file are reported as missing', () => {
    const plan = planMigrations([file('2')], [applied('1'), applied('2'), applied('3')]);
    expect(plan.missing.map((row) => row.version)).toEqual(['1', '3']);
  });

  test('a changed applied file is drift', () => {
    const plan = planMigrations([file('1', 'SELECT 42;'), file('2')], [applied('1'), applied('2')]);
    expect(plan.drifted.map((d) => d.file.version)).toEqual(['1']);
  });
});

describe('assertPlanCanRun', () => {
  test('drift fails with both checksums, at the file', () => {
    const plan = planMigrations([file('1', 'SELECT 42;')], [applied('1')]);
    const error = thrown(() => assertPlanCanRun(plan, { allowOutOfOrder: false }));
    expect(error.message).toContain(migrationChecksum('SELECT 42;'));
    expect(error.message).toContain(migrationChecksum('SELECT 1;'));
    expect(error.message).toContain(
      '2026-01-02T03:04:05.000Z by https://github.com/acme/shop/actions/runs/1',
    );
    expect(error.location).toEqual({ file: 'db/V1__x.sql', line: 1 });
  });

  test('drift fails even when out-of-order is allowed', () => {
    const plan = planMigrations([file('1', 'SELECT 42;')], [applied('1')]);
    expect(() => assertPlanCanRun(plan, { allowOutOfOrder: true })).toThrow(
      /changed after it was applied/,
    );
  });

  test('out-of-order fails, naming the files and the input that allows them', () => {
    const plan = planMigrations([file('1'), file('2'), file('3')], [applied('1'), applied('3')]);
    const error = thrown(() => assertPlanCanRun(plan, { allowOutOfOrder: false }));
    expect(error.message).toContain('older than the newest applied version 3: db/V2__x.sql (2)');
    expect(error.hint).toContain('allow-out-of-order');
    expect(error.location).toEqual({ file: 'db/V2__x.sql', line: 1 });
  });

  test('out-of-order passes when allowed', () => {
    const plan = planMigrations([file('1'), file('2'), file('3')], [applied('1'), applied('3')]);
    expect(() => assertPlanCanRun(plan, { allowOutOfOrder: true })).not.toThrow();
  });

  test('a plan with only new, newer files passes', () => {
    const plan = planMigrations([file('1'), file('2')], [applied('1')]);
    expect(() => assertPlanCanRun(plan, { allowOutOfOrder: false })).not.toThrow();
  });
});
