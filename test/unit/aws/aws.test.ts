import { InputError, Inputs, UserError, describeError } from '@deploy-actions/action-kit/engine';
import {
  SUITE_VERSION,
  clientConfig,
  defaultSessionName,
  readAwsInputs,
  resolveRegion,
  sanitiseSessionName,
  translateAwsError,
} from '@deploy-actions/aws';
import { readFileSync } from 'node:fs';

describe('resolveRegion', () => {
  test.each([
    ['eu-west-1', {}, 'eu-west-1'],
    [undefined, { AWS_REGION: 'us-east-2', AWS_DEFAULT_REGION: 'ap-south-1' }, 'us-east-2'],
    [undefined, { AWS_DEFAULT_REGION: 'ap-south-1' }, 'ap-south-1'],
    ['us-gov-west-1', {}, 'us-gov-west-1'],
    ['cn-northwest-1', {}, 'cn-northwest-1'],
  ])('input %j, env %j -> %s', (input, env, expected) => {
    expect(resolveRegion(input, env)).toBe(expected);
  });

  test('no region anywhere says where to set one', () => {
    let error: unknown;
    try {
      resolveRegion(undefined, {});
    } catch (e) {
      error = e;
    }
    expect(describeError(error)).toMatch(/^No AWS region given\. Set the 'aws-region' input/);
  });

  test.each([
    ['us-east', 'aws-region'],
    ['US-EAST-1', 'aws-region'],
  ])('rejects %j naming %s', (region, input) => {
    expect(() => resolveRegion(region, {})).toThrow(
      new InputError(input, region, 'an AWS region code such as us-east-1 or eu-west-1'),
    );
  });

  test('names the env variable when the bad value came from there', () => {
    expect(() => resolveRegion(undefined, { AWS_REGION: 'mars' })).toThrow(
      /Input 'AWS_REGION': got "mars"/,
    );
  });
});

describe('readAwsInputs', () => {
  const read = (values: Record<string, string>) => readAwsInputs(new Inputs((n) => values[n]), {});

  test('defaults', () => {
    expect(read({ 'aws-region': 'us-east-1' })).toEqual({
      roleToAssume: undefined,
      roleSessionName: undefined,
      roleDurationSeconds: 3600,
      region: 'us-east-1',
      maxAttempts: 8,
    });
  });

  test.each([
    [
      { 'role-to-assume': 'deploy-role' },
      /Input 'role-to-assume': got "deploy-role", expected an IAM role ARN/,
    ],
    [{ 'role-to-assume': 'arn:aws:iam::12345:role/x' }, /Input 'role-to-assume'/],
    [
      { 'role-session-name': 'has space' },
      /Input 'role-session-name': got "has space", expected 2 to 64 characters/,
    ],
    [
      { 'role-duration-seconds': '600' },
      /Input 'role-duration-seconds': got "600", expected a whole number from 900 to 43200/,
    ],
    [{ 'max-attempts': '0' }, /Input 'max-attempts'/],
  ])('%j is rejected', (values, message) => {
    expect(() => read({ 'aws-region': 'us-east-1', ...values })).toThrow(message);
  });

  test('accepts a role ARN with a path and a GovCloud partition', () => {
    expect(
      read({
        'aws-region': 'us-gov-west-1',
        'role-to-assume': 'arn:aws-us-gov:iam::123456789012:role/ci/deploy',
      }).roleToAssume,
    ).toBe('arn:aws-us-gov:iam::123456789012:role/ci/deploy');
  });
});

describe('session names', () => {
  test('derived from repository, run id and attempt', () => {
    expect(
      defaultSessionName({
        GITHUB_REPOSITORY: 'org/web-app',
        GITHUB_RUN_ID: '123',
        GITHUB_RUN_ATTEMPT: '2',
      }),
    ).toBe('GitHubActions-web-app-123-2');
  });
  test.each([
    ['GitHubActions-my repo!', 'GitHubActions-my-repo-'],
    ['x'.repeat(80), 'x'.repeat(64)],
    ['a', 'GitHubActions'],
    ['ok_name+=,.@-', 'ok_name+=,.@-'],
  ])('sanitise %j -> %j', (name, expected) => {
    expect(sanitiseSessionName(name)).toBe(expected);
  });
});

describe('clientConfig', () => {
  test('adaptive retries, max attempts and a user agent naming the suite and the action', () => {
    expect(
      clientConfig({
        region: 'eu-west-1',
        credentials: undefined,
        maxAttempts: 5,
        actionName: 'smoke-test',
      }),
    ).toEqual({
      region: 'eu-west-1',
      maxAttempts: 5,
      retryMode: 'adaptive',
      customUserAgent: [
        ['deploy-actions', SUITE_VERSION],
        ['deploy-actions-action', 'smoke-test'],
      ],
    });
  });

  test('the suite version matches package.json', () => {
    const pkg = JSON.parse(
      readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'),
    ) as { version: string };
    expect(SUITE_VERSION).toBe(pkg.version);
  });
});

describe('translateAwsError', () => {
  const awsError = (name: string, message: string) =>
    Object.assign(new Error(message), { name, $metadata: {} });
  const context = {
    action: 'apprunner:UpdateService',
    resource: 'arn:aws:apprunner:eu-west-1:123456789012:service/api/abc',
    region: 'eu-west-1',
  };

  test.each([
    [
      awsError('AccessDeniedException', 'User: arn:aws:sts::1:assumed-role/x is not authorized'),
      /^AWS denied apprunner:UpdateService on arn:aws:apprunner:.*service\/api\/abc: User: .* Grant the role "apprunner:UpdateService" on "arn:aws:apprunner/,
    ],
    [
      awsError('ExpiredTokenException', 'expired'),
      /credentials expired during apprunner:UpdateService\. Raise role-duration-seconds/,
    ],
    [
      awsError('UnrecognizedClientException', 'bad token'),
      /did not accept the credentials .*UnrecognizedClientException.* Use role-to-assume/,
    ],
    [
      awsError('ResourceNotFoundException', 'no service'),
      /service\/api\/abc was not found in eu-west-1 \(ResourceNotFoundException\): no service Check the name or ARN and the aws-region/,
    ],
    [
      Object.assign(new Error('getaddrinfo ENOTFOUND apprunner.xx-1.amazonaws.com'), {
        code: 'ENOTFOUND',
      }),
      /Could not reach AWS for apprunner:UpdateService in eu-west-1 \(ENOTFOUND\).* Check that aws-region names a real region/,
    ],
    [
      awsError('InvalidRequestException', 'odd'),
      /^apprunner:UpdateService in eu-west-1 failed: InvalidRequestException: odd$/,
    ],
  ])('%#', (error, message) => {
    const translated = translateAwsError(error, context);
    expect(translated).toBeInstanceOf(UserError);
    expect(describeError(translated)).toMatch(message);
    expect(translated.cause).toBe(error);
  });

  test('a UserError passes through unchanged', () => {
    const error = new UserError('already explained');
    expect(translateAwsError(error, context)).toBe(error);
  });
});
