// The deploy-actions CLI's pieces: the command line, inputs → INPUT_* variables, help from
// action.yml, workflow commands and masking in the log, and job summaries as text.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { UsageError, parseCommandLine, resolveInputs } from '../../bin/lib/args.mjs';
import { main } from '../../bin/lib/cli.mjs';
import { actionHelp, mainHelp } from '../../bin/lib/help.mjs';
import {
  LogTranslator,
  Masker,
  REPO_ROOT,
  displayWidth,
  formatResult,
  inputEnv,
  inputVariable,
  listActions,
  loadAction,
  runEnv,
  summaryToText,
  type ActionInfo,
} from '../../tools/runner/index.mjs';
import { writeSummary } from '../../packages/action-kit/src/summary.js';

const smokeTest = () => loadAction('smoke-test')!;

const ACTION: ActionInfo = {
  name: 'example',
  title: 'example',
  description: 'An example.',
  bundle: '/nowhere/dist/index.js',
  built: false,
  outputs: [],
  inputs: [
    { name: 'url', description: 'The URL.', required: true, default: undefined },
    { name: 'role-to-assume', description: 'A role.', required: false, default: undefined },
    { name: 'timeout', description: 'Deadline.', required: false, default: '5m' },
    { name: 'my input', description: 'Spaces.', required: false, default: '' },
    { name: 'token', description: 'Token.', required: false, default: '${{ github.token }}' },
  ],
};

describe('parseCommandLine', () => {
  test('the action, then inputs as --name value and --name=value, in order', () => {
    expect(
      parseCommandLine([
        'smoke-test',
        '--url',
        'http://x/health',
        '--timeout=30s',
        '--headers',
        'A: 1',
      ]),
    ).toEqual({
      help: false,
      version: false,
      action: 'smoke-test',
      inputs: [
        ['url', 'http://x/health'],
        ['timeout', '30s'],
        ['headers', 'A: 1'],
      ],
    });
  });

  test('a value may contain = and start with a dash when given with =', () => {
    expect(parseCommandLine(['a', '--env=A=1', '--x=--y', '--n', '-5']).inputs).toEqual([
      ['env', 'A=1'],
      ['x', '--y'],
      ['n', '-5'],
    ]);
  });

  test('--help anywhere asks for help; before the action it is the general help', () => {
    expect(parseCommandLine(['--help'])).toMatchObject({ help: true, action: undefined });
    expect(parseCommandLine(['smoke-test', '--help'])).toMatchObject({
      help: true,
      action: 'smoke-test',
    });
    expect(parseCommandLine(['-h', 'smoke-test'])).toMatchObject({
      help: true,
      action: 'smoke-test',
    });
    expect(parseCommandLine(['--version'])).toMatchObject({ version: true });
  });

  test.each([
    [['smoke-test', '--url'], "Input 'url' needs a value"],
    [['smoke-test', '--url', '--timeout', '3s'], "Input 'url' needs a value"],
    [['smoke-test', 'http://x'], "Unexpected argument 'http://x'"],
    [['--url', 'x', 'smoke-test'], "'--url' comes before the action"],
    [['smoke-test', '--=x'], 'names no input'],
  ])('%j is a usage error: %s', (argv, message) => {
    expect(() => parseCommandLine(argv)).toThrow(UsageError);
    expect(() => parseCommandLine(argv)).toThrow(message);
  });
});

describe('resolveInputs', () => {
  test('declared inputs pass; a repeated input becomes lines', () => {
    expect(
      resolveInputs(ACTION, [
        ['url', 'http://x'],
        ['my input', 'a'],
        ['my input', 'b'],
      ]),
    ).toEqual({ url: 'http://x', 'my input': 'a\nb' });
  });

  test('an unknown input is refused, named, with the closest declared one', () => {
    expect(() => resolveInputs(ACTION, [['timout', '3s']])).toThrow(
      "Unknown input '--timout' for example: did you mean '--timeout'?",
    );
    expect(() => resolveInputs(ACTION, [['zzzzzz', '1']])).toThrow(
      "Unknown input '--zzzzzz' for example. Run 'deploy-actions example --help' for its inputs.",
    );
  });
});

describe('INPUT_* variables', () => {
  test('as the runner names them: upper case, spaces as underscores, dashes kept', () => {
    expect(inputVariable('role-to-assume')).toBe('INPUT_ROLE-TO-ASSUME');
    expect(inputVariable('my input')).toBe('INPUT_MY_INPUT');
  });

  test('given values, else defaults (an empty default too); expression defaults stay unset', () => {
    expect(inputEnv(ACTION, { url: 'http://x', timeout: '1m' })).toEqual({
      INPUT_URL: 'http://x',
      INPUT_TIMEOUT: '1m',
      INPUT_MY_INPUT: '',
    });
  });

  test("the run's environment keeps the caller's, drops its INPUT_* and runner files, adds the run's", () => {
    const env = runEnv({
      action: ACTION,
      values: { url: 'http://x' },
      temp: '/tmp/run',
      cwd: '/work/app',
      base: {
        PATH: '/bin',
        AWS_PROFILE: 'dev',
        INPUT_URL: 'stale',
        INPUT_OTHER: 'stale',
        GITHUB_OUTPUT: '/job/output',
        GITHUB_SHA: 'f'.repeat(40),
      },
    });
    expect(env).toMatchObject({
      PATH: '/bin',
      AWS_PROFILE: 'dev',
      INPUT_URL: 'http://x',
      INPUT_TIMEOUT: '5m',
      GITHUB_OUTPUT: '/tmp/run/github_output',
      GITHUB_STEP_SUMMARY: '/tmp/run/step_summary.md',
      GITHUB_STATE: '/tmp/run/github_state',
      RUNNER_TEMP: '/tmp/run',
      GITHUB_WORKSPACE: '/work/app',
      GITHUB_SHA: 'f'.repeat(40),
    });
    expect(env).not.toHaveProperty('INPUT_OTHER');
  });
});

describe('help from action.yml', () => {
  test('lists every action of the checkout that has an action.yml', () => {
    const names = listActions().map((a) => a.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'build-push-ecr',
        'run-migrations',
        'smoke-test',
        'sync-s3-invalidate-cloudfront',
      ]),
    );
    const help = mainHelp(listActions());
    for (const name of names) expect(help).toMatch(new RegExp(`^  ${name} `, 'm'));
    expect(help).toContain('Usage: deploy-actions <action>');
  });

  test("an action's help shows each input with required, default and description", () => {
    const help = actionHelp(smokeTest());
    expect(help).toContain('Usage: deploy-actions smoke-test');
    expect(help).toMatch(/^ {2}--url <value>\n {6}One URL to check/m);
    expect(help).toContain('--expect-status <value>  (default: 200-299)');
    expect(help).toContain('Outputs:');
    expect(help).toMatch(/^ {2}passed$/m);
    const build = actionHelp(loadAction('build-push-ecr')!);
    expect(build).toContain('--repository <value>  (required)');
  });

  test('every declared input of every action is in its help', () => {
    for (const action of listActions()) {
      const help = actionHelp(action);
      for (const input of action.inputs) expect(help).toContain(`--${input.name} <value>`);
    }
  });

  test("the root action 'deploy' reads the repository's action.yml and runs actions/deploy/dist", () => {
    const deploy = loadAction('deploy');
    if (deploy === undefined) {
      expect(() => readFileSync(path.join(REPO_ROOT, 'action.yml'))).toThrow();
      return;
    }
    expect(deploy.bundle).toBe(path.join(REPO_ROOT, 'actions/deploy/dist/index.js'));
    expect(deploy.inputs.length).toBeGreaterThan(0);
  });

  test('names that are not actions are not loaded', () => {
    expect(loadAction('no-such-action')).toBeUndefined();
    expect(loadAction('../package')).toBeUndefined();
  });
});

describe('the log: workflow commands and masking', () => {
  function translate(chunks: string[], debug = false) {
    let text = '';
    const translator = new LogTranslator({ write: (t) => (text += t), debug });
    for (const chunk of chunks) translator.push(chunk);
    translator.end();
    return { text, annotations: translator.annotations };
  }

  test('a masked value is never printed, in later lines and annotations, in any form the runner masks', () => {
    const { text, annotations } = translate([
      '::add-mask::hunter2-secret\n',
      'connecting with hunter2-secret\n',
      '::error::login failed for hunter2-secret\n',
      '::add-mask::line one%0Aline two\n',
      'got line two\n',
    ]);
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('line two');
    expect(text).toContain('connecting with ***');
    expect(text).toContain('Error: login failed for ***');
    expect(text).not.toContain('add-mask');
    expect(annotations[0]!.message).toBe('login failed for ***');
  });

  test('annotations become labelled lines with their place and title; data is unescaped', () => {
    const { text, annotations } = translate([
      '::error file=db/V2.sql,line=3,title=Migration failed::syntax error%0Anear "FROM"\n',
      '::warning::100%25 of retries used\n',
      '::notice::done\n',
    ]);
    expect(text).toBe(
      'Error (db/V2.sql:3): Migration failed: syntax error\nnear "FROM"\nWarning: 100% of retries used\nNotice: done\n',
    );
    expect(annotations.map((a) => a.level)).toEqual(['error', 'warning', 'notice']);
  });

  test('groups indent their lines; debug lines show only with debug on', () => {
    const lines = [
      '::group::docker build\n',
      'Step 1/2\n',
      '::debug::detail\n',
      '::endgroup::\n',
      'after\n',
    ];
    expect(translate(lines).text).toBe('▸ docker build\n  Step 1/2\nafter\n');
    expect(translate(lines, true).text).toContain('  Debug: detail\n');
  });

  test('lines split across chunks are whole again; stop-commands prints commands as text', () => {
    const { text } = translate([
      '::add-ma',
      'sk::s3cret-value\nuse s3cr',
      'et-value\n::stop-commands::tok\n::error::not a command\n::tok::\n::notice::again',
    ]);
    expect(text).toBe('use ***\n::error::not a command\nNotice: again\n');
  });

  test('the masker replaces longer secrets first', () => {
    const masker = new Masker();
    masker.add('abc');
    masker.add('abcdef');
    expect(masker.apply('abcdef abc')).toBe('*** ***');
  });
});

describe('job summaries as text', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'cli-summary-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('the HTML action-kit writes (through @actions/core) becomes headings, aligned tables, details', async () => {
    const file = path.join(dir, 'summary.md');
    writeFileSync(file, '');
    const previous = process.env.GITHUB_STEP_SUMMARY;
    process.env.GITHUB_STEP_SUMMARY = file;
    try {
      await writeSummary([
        {
          heading: 'smoke-test',
          lines: ['All 2 checks passed in 1.2s & <fast>.'],
          table: [
            ['Check', 'Verdict', 'Latency'],
            ['health', '✅ passed', '12ms'],
            ['version check', '❌ failed', '3ms'],
          ],
          details: { label: 'Response body', text: '{"status":"error",\n "code": 500}' },
        },
      ]);
    } finally {
      if (previous === undefined) delete process.env.GITHUB_STEP_SUMMARY;
      else process.env.GITHUB_STEP_SUMMARY = previous;
    }
    const text = summaryToText(readFileSync(file, 'utf8'));
    expect(text).toBe(
      [
        'smoke-test',
        '----------',
        'All 2 checks passed in 1.2s & <fast>.',
        '',
        'Check          Verdict    Latency',
        '-------------  ---------  -------',
        'health         ✅ passed  12ms',
        'version check  ❌ failed  3ms',
        '',
        'Response body:',
        '  {"status":"error",',
        '   "code": 500}',
      ].join('\n'),
    );
  });

  test('Markdown tables, headings, links and code are made plain', () => {
    const text = summaryToText(
      [
        '## Deploy',
        '',
        'Service [demo](https://console.aws/x) is `RUNNING`, **healthy**.',
        '',
        '| Stage | Result |',
        '| --- | :---: |',
        '| build | succeeded |',
        '| smoke-test | failed \\| rolled back |',
      ].join('\n'),
    );
    expect(text).toBe(
      [
        'Deploy',
        '======',
        '',
        'Service demo (https://console.aws/x) is RUNNING, healthy.',
        '',
        'Stage       Result',
        '----------  --------------------',
        'build       succeeded',
        'smoke-test  failed | rolled back',
      ].join('\n'),
    );
  });

  test('HTML links keep their address, lists their items, colspan its columns', () => {
    const text = summaryToText(
      '<h2>Rollback</h2>\n<p>See <a href="https://logs.example/x">the logs</a>.</p>\n<ul><li>one</li><li>two</li></ul>\n<table><tr><th colspan="2">Both</th><th>C</th></tr><tr><td>a</td><td>b</td><td>c</td></tr></table>',
    );
    expect(text).toBe(
      [
        'Rollback',
        '========',
        'See the logs (https://logs.example/x).',
        '',
        '- one',
        '- two',
        '',
        'Both     C',
        '----  -  -',
        'a     b  c',
      ].join('\n'),
    );
  });

  test('emoji take two columns', () => {
    expect(displayWidth('✅ ok')).toBe(5);
    expect(displayWidth('⚠️ x')).toBe(4);
    expect(displayWidth('plain')).toBe(5);
  });

  test('outputs are listed one per line, multi-line values indented', () => {
    expect(
      formatResult({
        outputs: { passed: 'true', 'failed-checks': '', results: 'a\nb' },
        summaryText: 'S',
      }),
    ).toBe(
      [
        '',
        'Outputs',
        '=======',
        'passed         true',
        'failed-checks',
        'results        a',
        '               b',
        '',
        'Summary',
        '=======',
        'S',
        '',
      ].join('\n'),
    );
  });
});

describe('main: usage errors stop before anything runs (exit code 2)', () => {
  async function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
    let stdout = '';
    let stderr = '';
    const code = await main(argv, {
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
      env,
    });
    return { code, stdout, stderr };
  }

  test('no action, an unknown action, an unknown input', async () => {
    expect(await run([])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('Name an action'),
    });
    expect(await run(['smoke'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("Unknown action 'smoke': did you mean 'smoke-test'?"),
    });
    expect(await run(['smoke-test', '--url', 'http://x', '--retries', '3'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("Unknown input '--retries' for smoke-test"),
    });
  });

  test('role-to-assume without a GitHub OIDC token says to use local credentials', async () => {
    const result = await run([
      'build-push-ecr',
      '--repository',
      'a/b',
      '--role-to-assume',
      'arn:aws:iam::1:role/x',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--role-to-assume needs a GitHub OIDC token');
  });

  test('--help and --version answer on stdout with exit code 0', async () => {
    expect(await run(['--help'])).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('Actions:'),
    });
    expect(await run(['smoke-test', '--help'])).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('--url <value>'),
    });
    const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
      version: string;
    };
    expect(await run(['--version'])).toMatchObject({
      code: 0,
      stdout: `deploy-actions ${pkg.version}\n`,
    });
  });
});
