import { InputError, Inputs } from '@deploy-actions/action-kit/engine';
import { parseBuildSecrets, readBuildPushInputs } from '@deploy-actions/ecr';

const SECRET = 's3cr3t-Value';

function read(buildSecrets: string, mask?: (value: string) => void) {
  const values: Record<string, string> = {
    repository: 'app',
    'build-secrets': buildSecrets,
  };
  return readBuildPushInputs(
    new Inputs((name) => values[name]),
    () => ({ push: false, region: 'us-east-1' }),
    mask,
  );
}

describe('build-secrets', () => {
  it('reads id=value lines', () => {
    expect([...read(`npm_token=${SECRET}\nother = a=b`).build.buildSecrets]).toEqual([
      ['npm_token', SECRET],
      ['other', 'a=b'],
    ]);
  });

  it.each([
    ['a line without =', `npm_token=ok\n${SECRET}`, /line 2 has no '='/],
    ['an id with a space', `npm_token=ok\nmy token=${SECRET}`, /line 2 has the id "my token"/],
    ['an empty id', `=${SECRET}`, /the value has an empty id/],
    ['a repeated id', `t=first\nt=${SECRET}`, /line 2 repeats the id t/],
    ['a comma-separated part', `t=ok,${SECRET}`, /entry 2 has no '='/],
  ])('never shows the value of %s, and masks it before saying so', (_, text, expected) => {
    const masked: string[] = [];
    let error: unknown;
    try {
      read(text, (value) => masked.push(value));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InputError);
    const message = (error as Error).message;
    expect(message).toMatch(/^Input 'build-secrets': /);
    expect(message).toMatch(expected);
    expect(message).not.toContain(SECRET);
    expect((error as Error).stack ?? '').not.toContain(SECRET);
    expect(masked).toContain(SECRET);
  });

  it('masks every value, empty ones aside', () => {
    const masked: string[] = [];
    parseBuildSecrets('a=one\nb=\n# c=comment\nd=two', (value) => masked.push(value));
    expect(masked).toEqual(['one', 'two']);
  });
});
