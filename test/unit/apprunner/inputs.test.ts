// The action's inputs: everything validated into one typed object before any
// AWS call, each refusal naming the input, the value and the expected form.
import { Inputs, InputError } from '@deploy-actions/action-kit/engine';
import { getInputs } from '../../../actions/deploy-apprunner-and-wait/src/inputs.js';

const ECR = '123456789012.dkr.ecr.us-east-1.amazonaws.com';
const ROLE = 'arn:aws:iam::123456789012:role/apprunner-access';
const SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf';
const BASE = { service: 'web-api', image: `${ECR}/api:v2`, 'aws-region': 'us-east-1' };

function read(values: Record<string, string>) {
  const all: Record<string, string> = { ...BASE, ...values };
  return getInputs(new Inputs((name) => all[name]), {});
}

test('defaults: merge, redeploy, wait, 20 minutes, nothing named', () => {
  const { aws, options } = read({});
  expect(aws.region).toBe('us-east-1');
  expect(options).toMatchObject({
    service: { kind: 'name', name: 'web-api' },
    image: { identifier: `${ECR}/api:v2`, repositoryType: 'ECR' },
    createIfMissing: false,
    redeployIfUnchanged: true,
    wait: true,
    timeoutMs: 20 * 60_000,
  });
  expect(options.settings).toEqual({
    env: new Map(),
    secrets: new Map(),
    envMode: 'merge',
    port: undefined,
    cpuUnits: undefined,
    memoryMb: undefined,
    instanceRoleArn: undefined,
    accessRoleArn: undefined,
    healthCheck: {},
    autoScalingConfigurationArn: undefined,
    vpcConnectorArn: undefined,
    autoDeployments: undefined,
    tags: new Map(),
  });
});

test('every setting', () => {
  const { options } = read({
    'create-if-missing': 'true',
    'access-role-arn': ROLE,
    'instance-role-arn': 'arn:aws:iam::123456789012:role/runtime',
    port: '3000',
    cpu: '2',
    memory: '4 GB',
    env: 'NODE_ENV=production\nURL=https://x/?a=b',
    secrets: `DATABASE_URL=${SECRET}`,
    'env-mode': 'replace',
    'health-check-protocol': 'http',
    'health-check-path': '/health',
    'health-check-interval': '10s',
    'health-check-timeout': '4',
    'health-check-healthy-threshold': '2',
    'health-check-unhealthy-threshold': '6',
    'auto-scaling-configuration-arn':
      'arn:aws:apprunner:us-east-1:123456789012:autoscalingconfiguration/high-availability/2',
    'vpc-connector-arn': 'arn:aws:apprunner:us-east-1:123456789012:vpcconnector/private',
    'auto-deployments': 'false',
    tags: 'team=platform\ncost-center=42',
    'redeploy-if-unchanged': 'false',
    wait: 'false',
    timeout: '45m',
  });
  expect(options).toMatchObject({
    createIfMissing: true,
    redeployIfUnchanged: false,
    wait: false,
    timeoutMs: 45 * 60_000,
  });
  expect(options.settings).toMatchObject({
    envMode: 'replace',
    port: 3000,
    cpuUnits: 2048,
    memoryMb: 4096,
    accessRoleArn: ROLE,
    autoDeployments: false,
    healthCheck: {
      protocol: 'HTTP',
      path: '/health',
      intervalSeconds: 10,
      timeoutSeconds: 4,
      healthyThreshold: 2,
      unhealthyThreshold: 6,
    },
  });
  expect(Object.fromEntries(options.settings.env)).toEqual({
    NODE_ENV: 'production',
    URL: 'https://x/?a=b',
  });
  expect(Object.fromEntries(options.settings.tags)).toEqual({
    team: 'platform',
    'cost-center': '42',
  });
});

test.each([
  ['service', { service: 'arn:aws:apprunner:us-east-1:123456789012:service/web-api' }],
  ['service', { service: 'ab' }],
  ['image', { image: 'nginx:latest' }],
  ['image', { image: `${ECR}/api` }],
  ['image', { image: `${ECR}/api@sha256:1234` }],
  ['cpu', { cpu: '3' }],
  ['memory', { memory: '5 GB' }],
  ['memory', { cpu: '4', memory: '2' }],
  ['memory', { cpu: '0.25', memory: '2 GB' }],
  ['timeout', { timeout: 'soon' }],
  ['timeout', { timeout: '7h' }],
  ['timeout', { timeout: '0' }],
  ['health-check-interval', { 'health-check-interval': '1.5s' }],
  ['health-check-interval', { 'health-check-interval': '30s' }],
  ['health-check-timeout', { 'health-check-timeout': '0' }],
  ['health-check-healthy-threshold', { 'health-check-healthy-threshold': '21' }],
  ['health-check-unhealthy-threshold', { 'health-check-unhealthy-threshold': 'x' }],
  ['health-check-protocol', { 'health-check-protocol': 'GRPC' }],
  ['health-check-path', { 'health-check-path': 'health' }],
  ['health-check-path', { 'health-check-protocol': 'TCP', 'health-check-path': '/health' }],
  ['port', { port: '70000' }],
  ['port', { port: 'http' }],
  ['secrets', { secrets: 'DATABASE_URL=postgres://u:p@h/db' }],
  ['secrets', { env: 'A=1', secrets: `A=${SECRET}` }],
  ['env', { env: 'AWSAPPRUNNER_X=1' }],
  ['env', { env: '1BAD=x' }],
  ['env', { env: 'A=1\nA=2' }],
  ['env-mode', { 'env-mode': 'replace' }],
  ['env-mode', { 'env-mode': 'overwrite' }],
  ['instance-role-arn', { 'instance-role-arn': 'arn:aws:iam::123456789012:user/x' }],
  ['access-role-arn', { 'access-role-arn': 'role/x' }],
  ['auto-scaling-configuration-arn', { 'auto-scaling-configuration-arn': 'ha' }],
  ['vpc-connector-arn', { 'vpc-connector-arn': 'vpc-123' }],
  ['auto-deployments', { 'auto-deployments': 'yes' }],
  ['tags', { tags: 'aws:owner=me' }],
  ['wait', { wait: 'maybe' }],
  [
    'service',
    {
      'create-if-missing': 'true',
      'access-role-arn': ROLE,
      service: `arn:aws:apprunner:us-east-1:123456789012:service/web-api/${'0'.repeat(32)}`,
    },
  ],
  ['access-role-arn', { 'create-if-missing': 'true' }],
  ['access-role-arn', { image: 'public.ecr.aws/nginx/nginx:1', 'access-role-arn': ROLE }],
  ['auto-deployments', { image: 'public.ecr.aws/nginx/nginx:1', 'auto-deployments': 'true' }],
  ['aws-region', { 'aws-region': 'mars-1' }],
])("refuses '%s' in %j", (input, values) => {
  let error: unknown;
  try {
    read(values);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(InputError);
  expect((error as InputError).input).toBe(input);
  expect((error as Error).message).toMatch(
    new RegExp(`^Input '${input}': got .+, expected .+\\.$`),
  );
});

test('a secret that is not a reference is refused without being asked for as a value', () => {
  expect(() => read({ secrets: 'TOKEN=hunter2' })).toThrow(/never the secret value itself/);
});

test('ECR Public images need no access role, even to create', () => {
  const { options } = read({ image: 'public.ecr.aws/nginx/nginx:1', 'create-if-missing': 'true' });
  expect(options.image.repositoryType).toBe('ECR_PUBLIC');
});
