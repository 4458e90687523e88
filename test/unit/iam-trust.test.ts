// The trust-policy templates of workflows-examples/iam/: GitHub OIDC for exactly one subject and
// audience, only claims AWS STS evaluates, and the OIDC provider template.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { IAM_DIR, deriveAction } from './iam-calls.js';
import { asList, readPolicy, TRUST_TEMPLATES, ACTIONS } from './iam-policy-files.js';

describe.each(TRUST_TEMPLATES)('$file', ({ file, sub, like }) => {
  test('trusts GitHub OIDC for exactly one subject, audience sts.amazonaws.com, with the action the code calls', async () => {
    const trust = new Set<string>();
    for (const action of ACTIONS) (await deriveAction(action)).trust.forEach((a) => trust.add(a));
    expect([...trust]).toEqual(['sts:AssumeRoleWithWebIdentity']);

    const policy = readPolicy(file);
    expect(policy.Version).toBe('2012-10-17');
    expect(policy.Statement).toHaveLength(1);
    const [statement] = policy.Statement;
    expect(statement!.Effect).toBe('Allow');
    expect(asList(statement!.Action)).toEqual([...trust]);
    expect(statement!.Principal?.Federated).toBe(
      'arn:aws:iam::ACCOUNT_ID:oidc-provider/token.actions.githubusercontent.com',
    );
    // sub and aud with StringEquals only: a StringLike sub with a wildcard trusts every branch
    // or fork. StringLike narrows further, never in place of the exact sub.
    expect(statement!.Condition).toEqual({
      StringEquals: {
        'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
        'token.actions.githubusercontent.com:sub': sub,
      },
      ...(like && { StringLike: like }),
    });
  });

  test('conditions only on claims AWS STS evaluates for GitHub (any other key never matches)', () => {
    const [statement] = readPolicy(file).Statement;
    const keys = Object.values(statement!.Condition ?? {}).flatMap((c) => Object.keys(c));
    const prefix = 'token.actions.githubusercontent.com:';
    expect(keys.filter((key) => !STS_GITHUB_CLAIMS.has(key.slice(prefix.length)))).toEqual([]);
    expect(keys.every((key) => key.startsWith(prefix))).toBe(true);
  });
});

/**
 * The GitHub claims AWS STS can condition on: the standard aud and sub, and the
 * provider-specific keys added in 2026 (AWS What's New, "AWS STS supports
 * validation of identity provider claims"). event_name is not among them.
 */
const STS_GITHUB_CLAIMS = new Set([
  'aud',
  'sub',
  'actor',
  'actor_id',
  'job_workflow_ref',
  'repository',
  'repository_id',
  'workflow',
  'ref',
  'environment',
  'enterprise_id',
]);

/** StringEquals and StringLike as IAM evaluates them on single-valued claims. */
function trustAllows(policy: ReturnType<typeof readPolicy>, claims: Record<string, string>) {
  const [statement] = policy.Statement;
  return Object.entries(statement!.Condition ?? {}).every(([operator, conditions]) =>
    Object.entries(conditions).every(([key, wanted]) => {
      const claim = claims[key.replace('token.actions.githubusercontent.com:', '')];
      if (claim === undefined) return false;
      if (operator === 'StringEquals') return claim === wanted;
      if (operator === 'StringLike') {
        const pattern = String(wanted)
          .split('*')
          .map((part) => part.replace(/[.+^${}()|[\]\\?]/g, '\\$&'))
          .join('.*');
        return new RegExp(`^${pattern}$`).test(claim);
      }
      throw new Error(`${operator} is not evaluated here`);
    }),
  );
}

test('the pull-request role trusts a pull_request job, not a pull_request_target job with the same sub', () => {
  const policy = readPolicy('trust-policy-pull-request.json');
  const token = { aud: 'sts.amazonaws.com', sub: 'repo:ORG/REPO:pull_request' };
  // pull_request runs the merge ref; pull_request_target runs the base branch, with its secrets.
  expect(trustAllows(policy, { ...token, ref: 'refs/pull/42/merge' })).toBe(true);
  expect(trustAllows(policy, { ...token, ref: 'refs/heads/main' })).toBe(false);
  expect(
    trustAllows(policy, {
      ...token,
      sub: 'repo:OTHER/REPO:pull_request',
      ref: 'refs/pull/42/merge',
    }),
  ).toBe(false);
});

test('the OIDC provider template registers token.actions.githubusercontent.com for sts.amazonaws.com', () => {
  const text = readFileSync(path.join(IAM_DIR, 'github-oidc-provider.yml'), 'utf8');
  const template = parseYaml(text, {
    customTags: [{ tag: '!Ref', resolve: (value: string) => ({ Ref: value }) }],
  }) as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
  const providers = Object.values(template.Resources).filter(
    (r) => r.Type === 'AWS::IAM::OIDCProvider',
  );
  expect(providers).toHaveLength(1);
  expect(providers[0]!.Properties).toMatchObject({
    Url: 'https://token.actions.githubusercontent.com',
    ClientIdList: ['sts.amazonaws.com'],
  });
  expect(text).toContain('aws iam create-open-id-connect-provider');
});
