import { FakeClock, InputError, MemoryLogger, UserError } from '@deploy-actions/action-kit/engine';
import {
  MigrationRunError,
  formatCommandLine,
  migrateOutputs,
  parseCommandLine,
  runMigrationCommand,
  runMigrations,
  summarizeMigrations,
  type Exec,
  type MigrateOptions,
} from '../../../packages/migrate/src/index.js';

const PASSWORD = 'pa$$ word!';
const URL = `postgres://app:${encodeURIComponent(PASSWORD)}@db.example.com:5432/shop`;

describe('parseCommandLine', () => {
  test.each<[string, string[]]>([
    ['npx prisma migrate deploy', ['npx', 'prisma', 'migrate', 'deploy']],
    ['  npm   run\tmigrate  ', ['npm', 'run', 'migrate']],
    ['node -e \'console.log("a b")\'', ['node', '-e', 'console.log("a b")']],
    [
      'knex migrate:latest --env "production env"',
      ['knex', 'migrate:latest', '--env', 'production env'],
    ],
    ['echo "a \\"quoted\\" \\$word"', ['echo', 'a "quoted" $word']],
    ['echo a\\ b', ['echo', 'a b']],
    [
      'flyway \\\n  -locations=filesystem:db \\\n  migrate',
      ['flyway', '-locations=filesystem:db', 'migrate'],
    ],
    ['echo \'\' ""', ['echo', '', '']],
    ["echo 'it''s'", ['echo', 'its']],
    ['echo pre"mid"post', ['echo', 'premidpost']],
    ['npm run migrate # the comment', ['npm', 'run', 'migrate']],
    ['echo a#b', ['echo', 'a#b']],
    ["echo '$HOME' price$", ['echo', '$HOME', 'price$']],
    ['multi\nline', ['multi', 'line']],
  ])('%j', (text, argv) => {
    expect(parseCommandLine(text)).toEqual(argv);
  });

  test.each<[string, string]>([
    ['', 'it is empty'],
    ['# only a comment', 'it is empty'],
    ["echo 'open", "a ' is never closed"],
    ['echo "open', 'a " is never closed'],
    ['npm run migrate && echo done', '"&" is shell syntax'],
    ['npm run migrate | tee out', '"|" is shell syntax'],
    ['npm run migrate > out.log', '">" is shell syntax'],
    ['npm run migrate; echo', '";" is shell syntax'],
    ['flyway -url=$DATABASE_URL migrate', 'no shell expands $variables'],
    ['flyway -url="${DATABASE_URL}"', 'not even inside'],
    ['echo $(whoami)', 'no shell expands $variables'],
    ['echo `whoami`', '"`" is shell syntax'],
  ])('refuses %j', (text, why) => {
    let caught: unknown;
    try {
      parseCommandLine(text);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InputError);
    expect((caught as InputError).input).toBe('command');
    expect((caught as InputError).message).toContain(why);
  });

  test('formatCommandLine quotes what a shell would need quoted, and parses back', () => {
    const argv = ['node', '-e', "console.log('it''s')", 'plain', ''];
    const text = formatCommandLine(argv);
    expect(text).toBe(`node -e 'console.log('\\''it'\\'''\\''s'\\'')' plain ''`);
    expect(parseCommandLine(text)).toEqual(argv);
  });
});

describe('runMigrationCommand with an injected exec', () => {
  function fakeExec(
    lines: string[],
    exitCode: number | null,
    signal: NodeJS.Signals | null = null,
  ) {
    const calls: { argv: readonly string[]; env: NodeJS.ProcessEnv; cwd?: string }[] = [];
    const exec: Exec = async (argv, options) => {
      calls.push({ argv, env: options.env, cwd: options.cwd });
      for (const line of lines) options.onLine(line, 'stdout');
      return { exitCode, signal };
    };
    return { exec, calls };
  }

  test('passes the URL in the named variable, streams the output in a group, succeeds on 0', async () => {
    const { exec, calls } = fakeExec(['Applying 2 migrations', 'done'], 0);
    const logger = new MemoryLogger();
    const clock = new FakeClock();
    const outcome = await runMigrationCommand(
      {
        argv: ['npx', 'prisma', 'migrate', 'deploy'],
        urlEnv: 'DB',
        url: URL,
        cwd: '/repo',
        env: { PATH: '/bin' },
      },
      { logger, exec, clock },
    );
    expect(calls).toEqual([
      {
        argv: ['npx', 'prisma', 'migrate', 'deploy'],
        env: { PATH: '/bin', DB: URL },
        cwd: '/repo',
      },
    ]);
    expect(logger.lines.slice(0, 3)).toEqual([
      'group: Running npx prisma migrate deploy',
      'Applying 2 migrations',
      'done',
    ]);
    expect(outcome).toMatchObject({
      exitCode: 0,
      signal: null,
      outputTail: ['Applying 2 migrations', 'done'],
    });
    expect(outcome.failure).toBeUndefined();
  });

  test('a non-zero exit is a failure naming the code and the last line, secrets blanked out', async () => {
    const { exec } = fakeExec(
      ['connecting to ' + URL, 'Error: relation "users" already exists', ''],
      3,
    );
    const outcome = await runMigrationCommand(
      {
        argv: ['npm', 'run', 'migrate'],
        urlEnv: 'DATABASE_URL',
        url: URL,
        secrets: [URL, PASSWORD],
      },
      { logger: new MemoryLogger(), exec },
    );
    expect(outcome.failure).toBeInstanceOf(UserError);
    expect(outcome.failure!.message).toBe(
      'The migration command npm run migrate failed with exit code 3: Error: relation "users" already exists.',
    );
    expect(outcome.outputTail[0]).toBe('connecting to ***');
  });

  test('a signal is a failure', async () => {
    const { exec } = fakeExec([], null, 'SIGKILL');
    const outcome = await runMigrationCommand(
      { argv: ['flyway', 'migrate'], urlEnv: 'DATABASE_URL', url: URL },
      { logger: new MemoryLogger(), exec },
    );
    expect(outcome.failure!.message).toContain('failed with signal SIGKILL');
  });

  test('keeps only the last 30 lines', async () => {
    const { exec } = fakeExec(
      Array.from({ length: 100 }, (_, i) => `line ${i}`),
      0,
    );
    const outcome = await runMigrationCommand(
      { argv: ['x'], urlEnv: 'DATABASE_URL', url: URL },
      { logger: new MemoryLogger(), exec },
    );
    expect(outcome.outputTail).toHaveLength(30);
    expect(outcome.outputTail[0]).toBe('line 70');
  });
});

describe('runMigrations in command mode, with a real subprocess', () => {
  const options = (argv: string[], urlEnv = 'DATABASE_URL'): MigrateOptions => ({
    database: { url: URL },
    mode: { kind: 'command', argv, urlEnv },
    ssl: {},
    lockTimeoutMs: 1000,
    statementTimeoutMs: 0,
    appliedBy: 'https://github.com/acme/shop/actions/runs/7',
  });

  test('the URL reaches the command, its output the log, and exit 0 succeeds', async () => {
    const logger = new MemoryLogger();
    const script =
      "const u = new URL(process.env.MY_DB); console.log('host=' + u.hostname); console.error('db=' + u.pathname.slice(1))";
    const result = await runMigrations(options([process.execPath, '-e', script], 'MY_DB'), {
      logger,
    });
    expect(logger.lines).toEqual(expect.arrayContaining(['host=db.example.com', 'db=shop']));
    expect(result.command).toMatchObject({ exitCode: 0 });
    expect(result.target).toBe('postgres://app:***@db.example.com:5432/shop');
    expect(migrateOutputs(result)).toMatchObject({
      applied: '',
      'applied-versions': '',
      pending: '',
    });
    expect(summarizeMigrations(result)[0]!.heading).toBe(
      'Migrated postgres://app:***@db.example.com:5432/shop',
    );
  });

  test('every form of the password is masked before the command runs', async () => {
    const logger = new MemoryLogger();
    await runMigrations(options([process.execPath, '-e', '']), { logger });
    expect(logger.masked).toEqual(
      expect.arrayContaining([URL, PASSWORD, encodeURIComponent(PASSWORD)]),
    );
  });

  test('a failing command fails the run with its exit code, with the result for the summary', async () => {
    const logger = new MemoryLogger();
    const script =
      "console.log('migrating'); console.error('boom: ' + process.env.DATABASE_URL); process.exit(4)";
    let caught: unknown;
    try {
      await runMigrations(options([process.execPath, '-e', script]), { logger });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(MigrationRunError);
    const error = caught as MigrationRunError;
    expect(error.message).toContain('failed with exit code 4: boom: ***');
    expect(error.message).not.toContain(PASSWORD);
    expect(error.result.command).toMatchObject({ exitCode: 4 });
    expect(summarizeMigrations(error.result)[0]!.details?.text).toBe('migrating\nboom: ***');
  });

  test('a program that does not exist fails saying so', async () => {
    await expect(
      runMigrations(options(['no-such-migrate-tool-xyz', 'up']), { logger: new MemoryLogger() }),
    ).rejects.toThrow('"no-such-migrate-tool-xyz" was not found');
  });
});

describe('what the migration command may see and how it is stopped', () => {
  const options = (argv: string[], allowEnv?: string[]): MigrateOptions => ({
    database: { url: URL },
    mode: { kind: 'command', argv, urlEnv: 'DATABASE_URL', allowEnv },
    ssl: {},
    lockTimeoutMs: 1000,
    statementTimeoutMs: 0,
    appliedBy: 'https://github.com/acme/shop/actions/runs/7',
  });
  const RUNNER_ENV = {
    PATH: process.env.PATH,
    HOME: '/home/runner',
    LANG: 'C.UTF-8',
    LC_ALL: 'C.UTF-8',
    NODE_ENV: 'production',
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
    ACTIONS_RUNTIME_TOKEN: 'runtime-token',
    ACTIONS_ID_TOKEN_REQUEST_URL: 'https://token.actions.example/oidc',
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'oidc-request-token',
    ACTIONS_CACHE_URL: 'https://cache.example/',
    ACTIONS_RESULTS_URL: 'https://results.example/',
    AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'secret-key',
    AWS_SESSION_TOKEN: 'session-token',
    GITHUB_TOKEN: 'ghs_token',
    INPUT_DATABASE_URL: URL,
  };
  const PRINT_ENV = 'console.log(JSON.stringify(Object.keys(process.env).sort()))';

  async function seenNames(allowEnv?: string[]): Promise<string[]> {
    const logger = new MemoryLogger();
    await runMigrations(options([process.execPath, '-e', PRINT_ENV], allowEnv), {
      logger,
      env: RUNNER_ENV,
    });
    const line = logger.lines.find((l) => l.startsWith('['))!;
    return JSON.parse(line) as string[];
  }

  test('by default: the base allow-list and the URL, no runner token, no AWS credentials', async () => {
    const names = await seenNames();
    expect(names).toEqual(
      expect.arrayContaining(['PATH', 'HOME', 'LANG', 'LC_ALL', 'DATABASE_URL']),
    );
    for (const hidden of [
      'NODE_ENV',
      'ACTIONS_RUNTIME_TOKEN',
      'ACTIONS_ID_TOKEN_REQUEST_URL',
      'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
      'ACTIONS_CACHE_URL',
      'ACTIONS_RESULTS_URL',
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_SESSION_TOKEN',
      'GITHUB_TOKEN',
      'INPUT_DATABASE_URL',
    ]) {
      expect(names).not.toContain(hidden);
    }
  });

  test('command-env adds names and prefixes; a pattern never lets credentials through', async () => {
    const names = await seenNames(['NODE_ENV', 'PRISMA_*', 'AWS_*', 'ACTIONS_*']);
    expect(names).toEqual(expect.arrayContaining(['NODE_ENV', 'PRISMA_HIDE_UPDATE_MESSAGE']));
    expect(names).not.toContain('AWS_SECRET_ACCESS_KEY');
    expect(names).not.toContain('ACTIONS_RUNTIME_TOKEN');
  });

  test('credentials reach it only when named exactly', async () => {
    const names = await seenNames(['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']);
    expect(names).toEqual(expect.arrayContaining(['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']));
    expect(names).not.toContain('AWS_SESSION_TOKEN');
  });

  test("its output is third-party output: the logger's verbatim channel, not info", async () => {
    const outputs: string[] = [];
    const logger = new MemoryLogger();
    logger.output = (line: string) => void outputs.push(line);
    await runMigrations(
      options([
        process.execPath,
        '-e',
        "console.log('::add-mask::x'); console.error('::error::pwned')",
      ]),
      { logger },
    );
    expect(outputs).toEqual(['::add-mask::x', '::error::pwned']);
    // Workflow commands are read at the start of a line: none of ours starts with one.
    expect(logger.lines.filter((line) => line.startsWith('::'))).toEqual([]);
  });

  /** Runs `script` and cancels the step once it has printed `ready`. */
  async function cancelledRun(script: string) {
    const cancel = new AbortController();
    const logger = new MemoryLogger();
    logger.output = (line: string) => {
      logger.lines.push(line);
      if (line === 'ready') cancel.abort();
    };
    const error = await runMigrations(options([process.execPath, '-e', script]), {
      logger,
      signal: cancel.signal,
    }).catch((caught: unknown) => caught);
    return { error: error as MigrationRunError, lines: logger.lines };
  }

  test('a cancelled step interrupts the command with SIGINT and fails saying so', async () => {
    const script =
      "process.on('SIGINT', () => { console.log('released the lock'); process.exit(130); }); console.log('ready'); setInterval(() => {}, 1000);";
    const { error, lines } = await cancelledRun(script);
    expect(error).toBeInstanceOf(MigrationRunError);
    expect(error.message).toBe(
      `The step was cancelled: the migration command ${formatCommandLine([process.execPath, '-e', script])} was interrupted (exit code 130).`,
    );
    expect(lines).toContain('released the lock');
  });

  test('a command that ignores SIGINT is ended by SIGTERM', async () => {
    const { error, lines } = await cancelledRun(
      "process.on('SIGINT', () => console.log('ignoring SIGINT')); console.log('ready'); setInterval(() => {}, 1000);",
    );
    expect(error.result.command).toMatchObject({ exitCode: null, signal: 'SIGTERM' });
    expect(lines).toContain('ignoring SIGINT');
  }, 15_000);
});
