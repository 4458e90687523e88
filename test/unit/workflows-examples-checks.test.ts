// The workflow checks can fail: a bad workflow breaks every rule, actionlint reports findings, and
// broken pipelines are caught.
import {
  load,
  ruleProblems,
  actionlint,
  useActionlint,
  permissionProblems,
  pipelineConcurrencyProblems,
  environmentProblems,
} from './workflows-examples-rules.js';

useActionlint();

describe('the checks catch', () => {
  const bad = `name: bad
on: push
permissions: write-all
jobs:
  deploy:
    runs-on: ubuntu-latest
    concurrency:
      group: deploy
      cancel-in-progress: true
    steps:
      - uses: actions/checkout@v5
      - uses: actions/setup-node@2028fbc5c25fe9cf00d9f06a71cc4710d4507903
      - uses: org/deploy-actions/actions/deploy-apprunner-and-wait@main
      - id: deploy
        uses: org/deploy-actions/actions/deploy-apprunner-and-wait@v1
        with:
          image: x
          servce: api
      - run: echo "\${{ steps.deploy.outputs.url }}"
      - run: if then fi
  other:
    runs-on: ubuntu-latest
    permissions:
      contents: write
    steps:
      - run: echo ok
`;

  test('every broken rule of a bad workflow', () => {
    const problems = ruleProblems('bad.yml', bad).join('\n');
    for (const expected of [
      'permissions: "write-all"',
      'jobs.other.permissions',
      'actions/checkout@v5 is not pinned',
      'has no version comment',
      'deploy-apprunner-and-wait@main',
      'input servce is not declared',
      'required input service of deploy-apprunner-and-wait is missing',
      'has no output url',
      '${{ }} inside run:',
      'bash -n',
      'jobs.deploy deploys without environment:',
      'cancel-in-progress: false',
    ]) {
      expect(problems).toContain(expected);
    }
  });

  // Job level: a subset of {id-token: write, contents: read} passes (less is
  // better); anything broader, another scope or another level fails.
  const withJob = (
    permissions: string,
    workflowLevel = 'permissions:\n  id-token: write\n  contents: read\n',
  ) =>
    load(
      `on: push\n${workflowLevel}jobs:\n  build:\n    runs-on: ubuntu-latest\n    permissions: ${permissions}\n    steps:\n      - run: echo ok\n`,
    );

  test.each([
    ['both', '{ id-token: write, contents: read }'],
    ['contents: read alone', '{ contents: read }'],
    ['id-token: write alone', '{ id-token: write }'],
    ['none at all', '{}'],
  ])('job permissions: %s pass', (_, permissions) => {
    expect(permissionProblems(withJob(permissions))).toEqual([]);
    // ... also without a workflow level, every job declaring its own.
    expect(permissionProblems(withJob(permissions, ''))).toEqual([]);
  });

  test.each([
    ['contents: write', '{ contents: write }'],
    ['packages: write', '{ packages: write }'],
    ['id-token: write + actions: read', '{ id-token: write, actions: read }'],
    ['contents: read + packages: read', '{ contents: read, packages: read }'],
    ['id-token: read (another level)', '{ id-token: read }'],
    ['contents: none (another level)', '{ contents: none }'],
    ['write-all', 'write-all'],
    ['read-all', 'read-all'],
  ])('job permissions: %s fail', (_, permissions) => {
    expect(permissionProblems(withJob(permissions))).toEqual([
      expect.stringMatching(
        /^jobs\.build\.permissions: .* \(want id-token: write, contents: read, or fewer\)$/,
      ),
    ]);
  });

  test.each([
    ['a subset', 'permissions:\n  contents: read\n'],
    ['{}', 'permissions: {}\n'],
    ['broader', 'permissions:\n  id-token: write\n  contents: write\n'],
    ['another scope too', 'permissions:\n  id-token: write\n  contents: read\n  actions: read\n'],
    ['write-all', 'permissions: write-all\n'],
    ['read-all', 'permissions: read-all\n'],
  ])(
    'workflow permissions other than exactly id-token: write + contents: read fail: %s',
    (_, level) => {
      expect(permissionProblems(withJob('{ contents: read }', level))).toEqual([
        expect.stringMatching(/^permissions: .* \(want exactly id-token: write, contents: read\)$/),
      ]);
    },
  );

  test('a job without permissions under a workflow without them fails', () => {
    const workflow = load(
      'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ok\n',
    );
    expect(permissionProblems(workflow)).toEqual([
      'jobs.a has no permissions (the repository default may be broader)',
    ]);
  });

  test('actionlint findings, unreadable YAML, and a linter that works after it', async () => {
    const job = 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n';
    expect(await actionlint('bad.yml', `${job}      - run: echo \${{ nope.x }}\n`)).not.toEqual([]);
    expect(
      await actionlint('bad.yml', 'on: push\njobs:\n  a:\n    description: a: b\n'),
    ).not.toEqual([]);
    expect(await actionlint('good.yml', `${job}      - run: echo ok\n`)).toEqual([]);
  });

  test('a pipeline whose environments share a group, or may cancel', () => {
    const pipeline = load(`on: push
jobs:
  a:
    uses: ./.github/workflows/reusable-deploy.yml
    concurrency: { group: deploy, cancel-in-progress: true }
    with: { environment: staging }
  b:
    uses: ./.github/workflows/reusable-deploy.yml
    concurrency: { group: deploy, cancel-in-progress: false }
    with: { environment: production }
`);
    expect(pipelineConcurrencyProblems(pipeline).problems).toEqual([
      'jobs.a: cancel-in-progress must be false',
      'jobs.a: group deploy does not name staging',
      'jobs.b: group deploy does not name production',
      'jobs.b: group deploy is shared with another environment',
    ]);
    expect(environmentProblems(pipeline)).toEqual(
      expect.arrayContaining(['jobs.a: required input image of reusable-deploy.yml is missing']),
    );
  });
});
