// Modes 1 and 2 as run-migrations and the root pipeline both read them: the
// engine's inputs plus the connection timeout, and warnings for no-ops.
import { InputError, Inputs } from '@deploy-actions/action-kit/engine';
import { readRunnerMigrateInputs } from '@deploy-actions/migrate';

const read = (values: Record<string, string>) =>
  readRunnerMigrateInputs(new Inputs((name) => values[name]));
const sql = { 'migrations-dir': 'db/migrations', 'database-url': 'postgres://u:p@db.internal/app' };

test('the connection timeout defaults to 30 s', () => {
  expect(read(sql).options.connectTimeoutMs).toBe(30_000);
});

test.each<[string, number]>([
  ['1s', 1_000],
  ['2m', 120_000],
  ['10m', 600_000],
])('connect-timeout %s is %i ms', (value, ms) => {
  expect(read({ ...sql, 'connect-timeout': value }).options.connectTimeoutMs).toBe(ms);
});

test.each(['500ms', '11m', 'soon'])('connect-timeout %s is refused, naming the input', (value) => {
  expect(() => read({ ...sql, 'connect-timeout': value })).toThrow(InputError);
  expect(() => read({ ...sql, 'connect-timeout': value })).toThrow(/connect-timeout/);
});

test('with a command, a given connect-timeout is a warning, not an error', () => {
  const { warnings } = read({
    command: 'npx prisma migrate deploy',
    'database-url': 'postgres://u:p@db.internal/app',
    'connect-timeout': '5s',
  });
  expect(warnings).toContain(
    'The input connect-timeout has no effect with command; it is ignored.',
  );
});

test('ECS-only inputs without ecs-cluster are reported as ignored', () => {
  const { warnings } = read({ ...sql, subnets: 'subnet-0a1b2c3d4e5f67890' });
  expect(warnings.join('\n')).toMatch(/subnets/);
});
