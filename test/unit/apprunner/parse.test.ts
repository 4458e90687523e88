// The pure parsers of the App Runner engine: service names and ARNs, ECR image
// references, cpu/memory and the combinations App Runner offers, and the ARNs
// of roles, auto scaling configurations, VPC connectors and secrets.
import { InputError } from '@deploy-actions/action-kit/engine';
import {
  assertAutoScalingArn,
  assertRoleArn,
  assertSecretReference,
  assertSupportedInputSize,
  assertVpcConnectorArn,
  formatCpu,
  formatMemory,
  isSupportedSize,
  parseCpu,
  parseImageReference,
  parseMemory,
  parseServiceTarget,
  revisionedName,
  sameRevisionedArn,
  shortImage,
} from '@deploy-actions/apprunner';

const ID = '0123456789abcdef0123456789abcdef';
const DIGEST = `sha256:${'a1'.repeat(32)}`;
const ECR = '123456789012.dkr.ecr.us-east-1.amazonaws.com';

describe('parseServiceTarget', () => {
  test.each([
    ['api2', { kind: 'name', name: 'api2' }],
    ['web-api_2', { kind: 'name', name: 'web-api_2' }],
    ['a'.repeat(40), { kind: 'name', name: 'a'.repeat(40) }],
  ])('name %j', (value, expected) => {
    expect(parseServiceTarget('service', value, 'us-east-1')).toEqual(expected);
  });

  test('an ARN gives its parts', () => {
    const arn = `arn:aws:apprunner:us-east-1:123456789012:service/web-api/${ID}`;
    expect(parseServiceTarget('service', arn, 'us-east-1')).toEqual({
      kind: 'arn',
      arn,
      name: 'web-api',
      id: ID,
      region: 'us-east-1',
      accountId: '123456789012',
    });
  });

  test.each([
    ['too short (App Runner names have 4 to 40 characters)', 'api'],
    ['too long', 'a'.repeat(41)],
    ['starts with -', '-api'],
    ['has a dot', 'web.api'],
    ['has a space', 'web api'],
    ['ARN without id', 'arn:aws:apprunner:us-east-1:123456789012:service/web-api'],
    ['ARN with short id', 'arn:aws:apprunner:us-east-1:123456789012:service/web-api/abc'],
    ['ARN of another service', `arn:aws:ecs:us-east-1:123456789012:service/web-api/${ID}`],
    ['ARN with bad account', `arn:aws:apprunner:us-east-1:12345:service/web-api/${ID}`],
  ])('rejects %s naming the input', (_, value) => {
    expect(() => parseServiceTarget('service', value, 'us-east-1')).toThrow(InputError);
    expect(() => parseServiceTarget('service', value, 'us-east-1')).toThrow(
      /^Input 'service': got /,
    );
  });

  test('an ARN in another region than aws-region is refused with both named', () => {
    const arn = `arn:aws:apprunner:eu-west-1:123456789012:service/web-api/${ID}`;
    expect(() => parseServiceTarget('service', arn, 'us-east-1')).toThrow(
      /a service in us-east-1 \(the aws-region\), or aws-region: eu-west-1/,
    );
  });
});

describe('parseImageReference', () => {
  test.each([
    [
      `${ECR}/api:v1`,
      {
        repositoryType: 'ECR',
        repository: 'api',
        tag: 'v1',
        digest: undefined,
        region: 'us-east-1',
      },
    ],
    [
      `${ECR}/team/api@${DIGEST}`,
      { repositoryType: 'ECR', repository: 'team/api', tag: undefined, digest: DIGEST },
    ],
    [
      `${ECR}/team/api:0123456789abcdef0123456789abcdef01234567`,
      { repositoryType: 'ECR', tag: '0123456789abcdef0123456789abcdef01234567' },
    ],
    [
      '210987654321.dkr.ecr.eu-central-1.amazonaws.com/a.b_c-d/e:1.2.3-rc.1',
      { accountId: '210987654321', region: 'eu-central-1', repository: 'a.b_c-d/e' },
    ],
    [
      'public.ecr.aws/nginx/nginx:stable',
      {
        repositoryType: 'ECR_PUBLIC',
        registry: 'public.ecr.aws/nginx',
        repository: 'nginx',
        tag: 'stable',
        accountId: undefined,
      },
    ],
    [
      `public.ecr.aws/a1b2c3d4/team/api@${DIGEST}`,
      { repositoryType: 'ECR_PUBLIC', digest: DIGEST },
    ],
  ])('%s', (value, expected) => {
    const parsed = parseImageReference('image', value);
    expect(parsed).toMatchObject({ identifier: value, ...expected });
  });

  test.each([
    ['docker hub', 'nginx:latest', /only from Amazon ECR and ECR Public, not nginx:latest/],
    ['ghcr', 'ghcr.io/org/api:v1', /not ghcr\.io/],
    ['no tag or digest', `${ECR}/api`, /with a tag or digest/],
    ['short digest', `${ECR}/api@sha256:abc`, /64 lower-case hex digits/],
    ['upper-case digest', `${ECR}/api@sha256:${'A1'.repeat(32)}`, /64 lower-case hex/],
    ['tag and digest', `${ECR}/api:v1@${DIGEST}`, /a tag or a digest, not both/],
    ['upper-case repository', `${ECR}/API:v1`, /an ECR image/],
    ['bad account', '1234.dkr.ecr.us-east-1.amazonaws.com/api:v1', /an ECR image/],
    ['tag too long', `${ECR}/api:${'t'.repeat(129)}`, /an ECR image/],
    ['tag starting with a dot', `${ECR}/api:.v1`, /an ECR image/],
    ['empty tag', `${ECR}/api:`, /an ECR image/],
  ])('rejects %s', (_, value, reason) => {
    expect(() => parseImageReference('image', value)).toThrow(InputError);
    expect(() => parseImageReference('image', value)).toThrow(reason);
    expect(() => parseImageReference('image', value)).toThrow(/^Input 'image': got /);
  });

  test('shortImage keeps the repository and abbreviates digests', () => {
    expect(shortImage(`${ECR}/team/api:v1`)).toBe('team/api:v1');
    expect(shortImage(`${ECR}/api@${DIGEST}`)).toBe(`api@sha256:${'a1'.repeat(6)}…`);
    expect(shortImage(undefined)).toBe('(none)');
  });
});

describe('cpu and memory', () => {
  test.each([
    ['0.25', 256],
    ['0.25 vCPU', 256],
    ['0.5 vcpu', 512],
    ['1', 1024],
    ['1 vCPU', 1024],
    ['2', 2048],
    ['4', 4096],
    ['256', 256],
    ['1024', 1024],
    ['4096', 4096],
  ])('cpu %j is %d units', (value, units) => {
    expect(parseCpu('cpu', value)).toBe(units);
  });

  test.each(['3', '8', '0.75', '128', '1000', 'one', '1 GB', '-1', ''])(
    'cpu %j is refused',
    (v) => {
      expect(() => parseCpu('cpu', v)).toThrow(/^Input 'cpu': got .*0\.25, 0\.5, 1, 2 or 4 vCPU/);
    },
  );

  test.each([
    ['0.5', 512],
    ['0.5 GB', 512],
    ['512', 512],
    ['512 MB', 512],
    ['1', 1024],
    ['2 GB', 2048],
    ['3', 3072],
    ['3072', 3072],
    ['12 gb', 12288],
    ['12288', 12288],
  ])('memory %j is %d MB', (value, mb) => {
    expect(parseMemory('memory', value)).toBe(mb);
  });

  test.each(['5', '16', '1.5', '600', '2 TB', ''])('memory %j is refused', (v) => {
    expect(() => parseMemory('memory', v)).toThrow(/^Input 'memory': got /);
  });

  // App Runner developer guide / CloudFormation: every cpu and the memory sizes it allows.
  const OFFERED: [number, number[]][] = [
    [256, [512, 1024]],
    [512, [1024]],
    [1024, [2048, 3072, 4096]],
    [2048, [4096, 6144]],
    [4096, [8192, 10240, 12288]],
  ];
  const ALL_MEMORY = [512, 1024, 2048, 3072, 4096, 6144, 8192, 10240, 12288];
  test.each(OFFERED)('with %d CPU units exactly the offered memory sizes pass', (cpu, offered) => {
    for (const memory of ALL_MEMORY) {
      expect([memory, isSupportedSize(cpu, memory)]).toEqual([memory, offered.includes(memory)]);
    }
  });

  test('an unsupported pair names memory, the cpu and the sizes allowed with it', () => {
    expect(() => assertSupportedInputSize(4096, 2048)).toThrow(
      'Input \'memory\': got "2 GB", expected a memory size App Runner offers with 4 vCPU: 8 GB, 10 GB, 12 GB.',
    );
    expect(() => assertSupportedInputSize(1024, 2048)).not.toThrow();
  });

  test('formats the way the API pattern accepts', () => {
    expect([256, 512, 1024, 2048, 4096].map(formatCpu)).toEqual([
      '0.25 vCPU',
      '0.5 vCPU',
      '1 vCPU',
      '2 vCPU',
      '4 vCPU',
    ]);
    const pattern = /^(512|1024|2048|3072|4096|6144|8192|10240|12288|(0.5|1|2|3|4|6|8|10|12) GB)$/;
    for (const memory of ALL_MEMORY) expect(formatMemory(memory)).toMatch(pattern);
  });
});

describe('other ARNs', () => {
  test.each([
    'arn:aws:iam::123456789012:role/deploy',
    'arn:aws:iam::123456789012:role/service-role/AppRunnerECRAccessRole',
    'arn:aws-cn:iam::123456789012:role/a+b=c,d.e@f-g',
  ])('role %s', (arn) => {
    expect(assertRoleArn('instance-role-arn', arn)).toBe(arn);
  });

  test.each([
    'arn:aws:iam::123456789012:user/deploy',
    'arn:aws:iam::12345:role/deploy',
    'deploy',
    'arn:aws:iam::123456789012:role/',
  ])('not a role: %s', (arn) => {
    expect(() => assertRoleArn('instance-role-arn', arn)).toThrow(/^Input 'instance-role-arn'/);
  });

  const base = 'arn:aws:apprunner:us-east-1:123456789012';
  test.each([
    `${base}:autoscalingconfiguration/high-availability`,
    `${base}:autoscalingconfiguration/high-availability/3`,
    `${base}:autoscalingconfiguration/high-availability/3/${ID}`,
  ])('auto scaling %s', (arn) => {
    expect(assertAutoScalingArn('auto-scaling-configuration-arn', arn)).toBe(arn);
  });

  test.each([
    `${base}:vpcconnector/private/1/${ID}`,
    `${base}:autoscalingconfiguration/x`,
    `${base}:autoscalingconfiguration/ab/1`,
    `${base}:autoscalingconfiguration/high-availability/three`,
  ])('not an auto scaling configuration: %s', (arn) => {
    expect(() => assertAutoScalingArn('auto-scaling-configuration-arn', arn)).toThrow(InputError);
  });

  test.each([`${base}:vpcconnector/private/1/${ID}`, `${base}:vpcconnector/private`])(
    'VPC connector %s',
    (arn) => {
      expect(assertVpcConnectorArn('vpc-connector-arn', arn)).toBe(arn);
    },
  );

  test.each([`${base}:service/private/${ID}`, 'subnet-0123456789abcdef0', `${base}:vpcconnector/`])(
    'not a VPC connector: %s',
    (arn) => {
      expect(() => assertVpcConnectorArn('vpc-connector-arn', arn)).toThrow(InputError);
    },
  );

  test.each([
    'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-url-AbCdEf',
    'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf:password::',
    'arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf:password:AWSCURRENT:',
    'arn:aws:ssm:us-east-1:123456789012:parameter/prod/api/token',
  ])('secret reference %s', (arn) => {
    expect(assertSecretReference('secrets', 'DB', arn)).toBe(arn);
  });

  test.each([
    'hunter2',
    'postgres://user:pass@host/db',
    'arn:aws:s3:::bucket/key',
    'arn:aws:ssm:us-east-1:123456789012:document/x',
  ])('not a secret reference: %s (and the error never asks for a value)', (value) => {
    expect(() => assertSecretReference('secrets', 'DB', value)).toThrow(
      /never the secret value itself/,
    );
  });

  test('revisioned ARNs: a request without a revision matches any revision of that name', () => {
    const live = `${base}:autoscalingconfiguration/high-availability/3/${ID}`;
    expect(sameRevisionedArn(`${base}:autoscalingconfiguration/high-availability`, live)).toBe(
      true,
    );
    expect(sameRevisionedArn(`${base}:autoscalingconfiguration/high-availability/3`, live)).toBe(
      true,
    );
    expect(sameRevisionedArn(`${base}:autoscalingconfiguration/high-availability/4`, live)).toBe(
      false,
    );
    expect(sameRevisionedArn(`${base}:autoscalingconfiguration/other`, live)).toBe(false);
    expect(sameRevisionedArn(`${base}:autoscalingconfiguration/high-availability`, undefined)).toBe(
      false,
    );
    expect(revisionedName(live)).toBe('high-availability/3');
    expect(revisionedName(undefined)).toBe('(none)');
  });
});
