// The call analysis behind the IAM policy tests can fail: sends outside the helper, through the
// wrong entry or no table, undeclared calls, wrappers, lib-storage's Upload, the trust call.
import { defineCalls, type AwsCallTable } from '@deploy-actions/aws';
import { analyzeSource, Tables, derive } from './iam-calls.js';
import { diffMessage } from './iam-policy-files.js';

describe('the call analysis', () => {
  const header =
    "import { DescribeImagesCommand, PutImageCommand, paginateListImages } from '@aws-sdk/client-ecr';\n" +
    "import { callWith, type CallName } from '@deploy-actions/aws';\n" +
    "import { IMAGE_CALLS } from './calls.js';\n";
  const entry = <const O extends string>(
    service: string,
    operation: O,
    actions: [string, ...string[]],
  ) => ({
    service,
    operation,
    actions,
    resource: operation === 'DescribeImages' ? '*' : 'arn:aws:ecr:REGION:ACCOUNT_ID:repository/R',
    when: 'always',
  });
  /** A table, as an engine's calls.ts declares it. */
  const IMAGE_CALLS = defineCalls({
    DescribeImages: entry('ecr', 'DescribeImages', ['ecr:DescribeImages']),
    PutImage: entry('ecr', 'PutImage', ['ecr:PutImage']),
    ListImages: entry('ecr', 'ListImages', ['ecr:ListImages']),
    RepositoryKey: entry('kms', '*', ['kms:Decrypt']),
  });
  const tables = (extra: Record<string, AwsCallTable> = {}): Tables => {
    const byName = new Map<string, AwsCallTable>(Object.entries({ IMAGE_CALLS, ...extra }));
    return {
      byName,
      where: new Map([...byName.keys()].map((n) => [n, `calls.ts ${n}`])),
      problems: [],
    };
  };
  const problemsOf = (code: string, extra?: Record<string, AwsCallTable>) =>
    derive(analyzeSource('a.ts', header + code), tables(extra)).problems;
  /** Every call of IMAGE_CALLS, through the helper (lines 4 and 5). */
  const all =
    "async function p(ecr) { await callWith(IMAGE_CALLS, 'PutImage', {}, () => ecr.send(new PutImageCommand({}))); " +
    "await callWith(IMAGE_CALLS, 'ListImages', {}, async () => { for await (const p of paginateListImages({ client: ecr }, {})) {} }); }\n" +
    "async function d(ecr) { return callWith(IMAGE_CALLS, 'DescribeImages', {}, () => ecr.send(new DescribeImagesCommand({}))); }\n";

  test('a code whose every call goes through its entry passes; the policy is the table', () => {
    const calls = analyzeSource('a.ts', header + all);
    expect(calls.sends.map((s) => [s.operation, s.via])).toEqual([
      ['PutImage', { table: 'IMAGE_CALLS', name: 'PutImage' }],
      ['ListImages', { table: 'IMAGE_CALLS', name: 'ListImages' }],
      ['DescribeImages', { table: 'IMAGE_CALLS', name: 'DescribeImages' }],
    ]);
    const derived = derive(calls, tables());
    expect(derived.problems).toEqual([]);
    expect([...derived.actions.keys()].sort()).toEqual([
      'ecr:DescribeImages',
      'ecr:ListImages',
      'ecr:PutImage',
      'kms:Decrypt',
    ]);
    expect([...derived.starResource]).toEqual(['ecr:DescribeImages']);
  });

  test('a send or a paginator outside the helper fails, even for a declared call', () => {
    const problems = problemsOf(
      all.replace(
        "await callWith(IMAGE_CALLS, 'PutImage', {}, () => ecr.send(new PutImageCommand({})));",
        'await ecr.send(new PutImageCommand({}));',
      ) +
        'async function q(ecr) { for await (const p of paginateListImages({ client: ecr }, {})) {} }',
    );
    expect(problems).toEqual([
      expect.stringMatching(
        /^a\.ts:4 sends PutImage outside callWith: send it as callWith\(<TABLE>, 'PutImage', …\)/,
      ),
      expect.stringMatching(/^a\.ts:6 sends ListImages outside callWith/),
      'calls.ts IMAGE_CALLS declares PutImage, which the code never sends',
    ]);
  });

  test("a send through another call's entry, or through no table, fails", () => {
    expect(problemsOf(all.replace("'DescribeImages', {}", "'PutImage', {}"))).toEqual([
      "a.ts:5 sends DescribeImages through calls.ts IMAGE_CALLS's entry 'PutImage', not its own: declare DescribeImages and name it",
      'calls.ts IMAGE_CALLS declares DescribeImages, which the code never sends',
    ]);
    expect(
      problemsOf(
        all.replace("callWith(IMAGE_CALLS, 'DescribeImages'", "callWith(MY_COPY, 'DescribeImages'"),
      ),
    ).toEqual([
      expect.stringContaining(
        'a.ts:5 sends DescribeImages through MY_COPY, which is no call table of this code',
      ),
      'calls.ts IMAGE_CALLS declares DescribeImages, which the code never sends',
    ]);
    expect(
      problemsOf(
        all.replace("callWith(IMAGE_CALLS, 'DescribeImages'", 'callWith(IMAGE_CALLS, name'),
      ),
    ).toEqual([
      expect.stringContaining(
        'a.ts:5: callWith(…) must name its table and entry as written constants',
      ),
      expect.stringContaining('a.ts:5 sends DescribeImages outside callWith'),
      'calls.ts IMAGE_CALLS declares DescribeImages, which the code never sends',
    ]);
  });

  test('a call no table declares, or of another service than its entry, fails', () => {
    const KEYS = defineCalls({
      DescribeImages: entry('kms', 'DescribeImages', ['kms:DescribeKey']),
    });
    const code =
      header.replace('PutImageCommand,', 'PutImageCommand, BatchDeleteImageCommand,') +
      all +
      "async function h(ecr) { return callWith(IMAGE_CALLS, 'BatchDeleteImage', {}, () => ecr.send(new BatchDeleteImageCommand({}))); }\n" +
      "async function k(ecr) { return callWith(KEYS, 'DescribeImages', {}, () => ecr.send(new DescribeImagesCommand({}))); }";
    expect(derive(analyzeSource('a.ts', code), tables({ KEYS })).problems).toEqual([
      "a.ts:6 sends BatchDeleteImage through calls.ts IMAGE_CALLS's entry 'BatchDeleteImage', not its own: declare BatchDeleteImage and name it",
      'a.ts:7 sends ecr:DescribeImages, but calls.ts KEYS.DescribeImages is of service kms',
      'calls.ts KEYS declares DescribeImages, which the code never sends',
    ]);
  });

  test('a wrapper whose name parameter is a CallName of a table counts as the helper', () => {
    const api =
      'class Api { private call<T>(name: CallName<typeof IMAGE_CALLS>, fn: () => Promise<T>) { return callWith(IMAGE_CALLS, name, {}, fn); }\n' +
      "  put() { return this.call('PutImage', () => this.c.send(new PutImageCommand({}))); }\n" +
      "  list() { return this.call('ListImages', async () => { for await (const p of paginateListImages({ client: this.c }, {})) {} }); }\n";
    expect(
      problemsOf(
        api +
          "  describe() { return this.call('DescribeImages', () => this.c.send(new DescribeImagesCommand({}))); } }",
      ),
    ).toEqual([]);
    expect(
      problemsOf(
        api +
          "  describe() { return this.call('PutImage', () => this.c.send(new DescribeImagesCommand({}))); } }",
      ),
    ).toEqual([
      "a.ts:7 sends DescribeImages through calls.ts IMAGE_CALLS's entry 'PutImage', not its own: declare DescribeImages and name it",
      'calls.ts IMAGE_CALLS declares DescribeImages, which the code never sends',
    ]);
  });

  test("lib-storage's Upload sends the four multipart operations, through one of their entries", () => {
    const S3 = defineCalls({
      CreateMultipartUpload: entry('s3', 'CreateMultipartUpload', ['s3:PutObject']),
      UploadPart: entry('s3', 'UploadPart', ['s3:PutObject']),
      CompleteMultipartUpload: entry('s3', 'CompleteMultipartUpload', ['s3:PutObject']),
      AbortMultipartUpload: entry('s3', 'AbortMultipartUpload', ['s3:AbortMultipartUpload']),
    });
    const code =
      "import { Upload } from '@aws-sdk/lib-storage';\nimport { callWith } from '@deploy-actions/aws';\n" +
      "async function u(s3) { await callWith(S3, 'CreateMultipartUpload', {}, () => new Upload({ client: s3 }).done()); }";
    const only = (t: Tables): Tables => ({ ...t, byName: new Map([['S3', S3]]) });
    expect(derive(analyzeSource('u.ts', code), only(tables())).problems).toEqual([]);
    expect(
      derive(
        analyzeSource('u.ts', code.replace('() => new Upload', '() => 0; new Upload')),
        only(tables()),
      ).problems,
    ).toEqual([
      expect.stringMatching(/^u\.ts:3 sends CreateMultipartUpload outside callWith/),
      'S3 declares CreateMultipartUpload, which the code never sends',
      'S3 declares UploadPart, which the code never sends',
      'S3 declares CompleteMultipartUpload, which the code never sends',
      'S3 declares AbortMultipartUpload, which the code never sends',
    ]);
  });

  test('the trust call is set apart, and only from packages/aws', () => {
    const code =
      "import { AssumeRoleWithWebIdentityCommand } from '@aws-sdk/client-sts';\n" +
      'async function a(sts) { return sts.send(new AssumeRoleWithWebIdentityCommand({})); }';
    const empty: Tables = { byName: new Map(), where: new Map(), problems: [] };
    const trusted = derive(analyzeSource('packages/aws/src/credentials.ts', code), empty);
    expect([trusted.problems, [...trusted.trust], [...trusted.actions.keys()]]).toEqual([
      [],
      ['sts:AssumeRoleWithWebIdentity'],
      [],
    ]);
    expect(derive(analyzeSource('packages/ecr/src/x.ts', code), empty).problems).toEqual([
      expect.stringContaining('sends AssumeRoleWithWebIdentity outside callWith'),
    ]);
  });

  test('a policy that allows too much or too little is reported', () => {
    const message = diffMessage(
      'x',
      ['x.json'],
      new Map([['ecr:DescribeImages', 'a.ts:1']]),
      new Set(['ecr:PutImage']),
      [],
    );
    expect(message).toContain('missing: ecr:DescribeImages');
    expect(message).toContain('extra:   ecr:PutImage');
  });
});
