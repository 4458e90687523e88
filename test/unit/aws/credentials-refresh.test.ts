// Role credentials that renew themselves: the provider on its own with a fake
// clock and a fake renewal, then the whole session against the AWS simulator,
// GitHub's OIDC issuer and the simulator sharing one simulated clock.
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import { FakeClock, MemoryLogger, githubIdToken } from '@deploy-actions/action-kit';
import {
  createClient,
  openAwsSession,
  refreshingCredentials,
  REFRESH_MARGIN_MS,
  type AwsInputs,
  type RefreshingCredentials,
} from '@deploy-actions/aws';
import { startAwsSimulator, type AwsSimulator } from '../../../tools/aws-sim/index.js';
import { DEPLOY_ROLE, REGION } from '../../../tools/services/aws-env.js';
import { startOidcIssuer, type OidcIssuer } from '../../../tools/services/oidc.js';

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 11, 3, 10, 0, 0);

function issued(n: number, expiresAt: number): AwsCredentialIdentity {
  return {
    accessKeyId: `ASIAFAKE${n}`,
    secretAccessKey: `secret-${n}-${'x'.repeat(20)}`,
    sessionToken: `token-${n}`,
    expiration: new Date(expiresAt),
  };
}

describe('refreshingCredentials', () => {
  function setup(renewals: Array<() => Promise<AwsCredentialIdentity>>) {
    const clock = new FakeClock(T0);
    const logger = new MemoryLogger();
    let renewed = 0;
    const provider = refreshingCredentials(issued(0, T0 + 60 * MINUTE), {
      renew: () => renewals[renewed++]!(),
      logger,
      clock,
    });
    return { clock, logger, provider, renewed: () => renewed };
  }

  test('hands out the same credentials until they are within the margin of expiry', async () => {
    const { clock, provider, renewed } = setup([async () => issued(1, T0 + 120 * MINUTE)]);
    expect((await provider()).accessKeyId).toBe('ASIAFAKE0');
    clock.advance(60 * MINUTE - REFRESH_MARGIN_MS - 1);
    expect((await provider()).accessKeyId).toBe('ASIAFAKE0');
    expect(renewed()).toBe(0);
  });

  test('within the margin, assumes again once, however many requests ask at the same time', async () => {
    const { clock, logger, provider, renewed } = setup([
      async () => issued(1, T0 + 120 * MINUTE),
      async () => issued(2, T0 + 180 * MINUTE),
    ]);
    clock.advance(56 * MINUTE);
    const all = await Promise.all([provider(), provider(), provider()]);
    expect(all.map((c) => c.accessKeyId)).toEqual(['ASIAFAKE1', 'ASIAFAKE1', 'ASIAFAKE1']);
    expect(renewed()).toBe(1);
    expect(provider.refreshes).toBe(1);
    expect(logger.text()).toContain('expire at 2026-12-03T11:00:00.000Z');
    expect(logger.text()).not.toMatch(/secret-|token-\d/);
  });

  test('a failed renewal keeps the working credentials, with a warning, and tries again later', async () => {
    const { clock, logger, provider, renewed } = setup([
      async () => {
        throw new Error('STS unavailable');
      },
      async () => issued(1, T0 + 120 * MINUTE),
    ]);
    clock.advance(57 * MINUTE);
    expect((await provider()).accessKeyId).toBe('ASIAFAKE0');
    expect(logger.text()).toContain(
      'warning: Could not renew the AWS credentials (STS unavailable)',
    );
    clock.advance(30_000);
    expect((await provider()).accessKeyId).toBe('ASIAFAKE0');
    expect(renewed()).toBe(1);
    clock.advance(31_000);
    expect((await provider()).accessKeyId).toBe('ASIAFAKE1');
  });

  test('once the credentials have expired, a failed renewal is an error', async () => {
    const { clock, provider } = setup([
      async () => {
        throw new Error('no token');
      },
    ]);
    clock.advance(61 * MINUTE);
    await expect(provider()).rejects.toThrow('no token');
  });

  test('is marked memoized, and the SDK may mark it again (strict mode, as in the bundles)', () => {
    const { provider } = setup([]);
    expect(provider.memoized).toBe(true);
    expect(() => {
      (provider as { memoized: boolean }).memoized = true;
    }).not.toThrow();
  });

  test('credentials without an expiration are never renewed before AWS refuses them', async () => {
    let renewed = 0;
    const renew = async () => {
      renewed++;
      return issued(1, T0);
    };
    const clock = new FakeClock(T0);
    const provider = refreshingCredentials(
      { accessKeyId: 'AKIA', secretAccessKey: 's' },
      { renew, logger: new MemoryLogger(), clock },
    );
    clock.advance(24 * 60 * MINUTE);
    expect((await provider()).accessKeyId).toBe('AKIA');
    expect(renewed).toBe(0);
  });
});

describe('openAwsSession with role-to-assume, past the role session', () => {
  let simulatedNow = T0;
  const now = () => new Date(simulatedNow);
  let oidc: OidcIssuer;
  let simulator: AwsSimulator;
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    oidc = await startOidcIssuer({ now });
    simulator = await startAwsSimulator({
      trustJwks: oidc.jwks,
      roles: [{ roleArn: DEPLOY_ROLE, subject: 'repo:org/app:ref:refs/heads/main' }],
      now,
    });
  });
  afterAll(async () => {
    await simulator.close();
    await oidc.close();
  });
  beforeEach(() => {
    simulatedNow = T0;
    process.env = {
      ...savedEnv,
      ...simulator.endpointEnv(),
      ACTIONS_ID_TOKEN_REQUEST_URL: oidc.requestUrl,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: oidc.requestToken,
      GITHUB_REPOSITORY: 'org/app',
      GITHUB_RUN_ID: '4242',
      GITHUB_RUN_ATTEMPT: '1',
      AWS_EC2_METADATA_DISABLED: 'true',
    };
  });
  afterEach(() => {
    process.env = { ...savedEnv };
  });

  const inputs: AwsInputs = {
    roleToAssume: DEPLOY_ROLE,
    roleSessionName: undefined,
    roleDurationSeconds: 900,
    region: REGION,
    maxAttempts: 2,
  };

  async function open() {
    const clock = new FakeClock(T0);
    const logger = new MemoryLogger();
    const session = await openAwsSession(inputs, 'test', {
      getIdToken: githubIdToken,
      logger,
      clock,
    });
    const sts = createClient(STSClient, session);
    const whoAmI = async () => (await sts.send(new GetCallerIdentityCommand({}))).Arn;
    /** Moves the runner's and AWS's clocks together. */
    const advance = (ms: number) => {
      clock.advance(ms);
      simulatedNow += ms;
    };
    return { session, logger, clock, sts, whoAmI, advance };
  }

  const sessionArn = 'arn:aws:sts::123456789012:assumed-role/deploy/GitHubActions-app-4242-1';
  const callsWith = (operation: string) =>
    simulator.requestLog.filter((entry) => entry.operation === operation);

  test('near expiry, a new OIDC token is requested and the role assumed again, with the same name and duration', async () => {
    const { session, logger, whoAmI, advance, sts } = await open();
    const tokens = oidc.tokensIssued;
    const sessions = simulator.sts.sessions.length;
    expect(await whoAmI()).toBe(sessionArn);

    advance(11 * MINUTE); // 4 minutes left of 15
    expect(await whoAmI()).toBe(sessionArn);
    expect(oidc.tokensIssued).toBe(tokens + 1);
    const [first, second] = simulator.sts.sessions.slice(sessions - 1);
    expect(second).toMatchObject({
      roleArn: first!.roleArn,
      sessionName: first!.sessionName,
      durationSeconds: 900,
    });
    expect(second!.accessKeyId).not.toBe(first!.accessKeyId);
    expect(callsWith('GetCallerIdentity').at(-1)?.accessKeyId).toBe(second!.accessKeyId);

    advance(10 * MINUTE); // the first session is long gone
    expect(await whoAmI()).toBe(sessionArn);
    expect(callsWith('GetCallerIdentity').at(-1)?.errorCode).toBeUndefined();

    const renewed = (session.credentials as RefreshingCredentials).refreshes;
    expect(renewed).toBe(2);
    const secrets = await (session.credentials as RefreshingCredentials)();
    expect(logger.masked).toEqual(
      expect.arrayContaining([secrets.accessKeyId, secrets.secretAccessKey, secrets.sessionToken]),
    );
    expect(logger.text()).not.toContain(secrets.secretAccessKey);
    expect(logger.text()).not.toContain(secrets.sessionToken!);
    sts.destroy();
  });

  test('an ExpiredToken answer renews the credentials once and repeats the call', async () => {
    const { session, whoAmI, sts } = await open();
    const tokens = oidc.tokensIssued;
    // AWS's clock runs ahead of the runner's: the runner still thinks the credentials are fresh.
    simulatedNow += 16 * MINUTE;
    expect(await whoAmI()).toBe(sessionArn);
    expect(oidc.tokensIssued).toBe(tokens + 1);
    const calls = callsWith('GetCallerIdentity').slice(-2);
    expect(calls.map((entry) => entry.errorCode ?? 'ok')).toEqual(['ExpiredToken', 'ok']);
    expect((session.credentials as RefreshingCredentials).refreshes).toBe(1);
    sts.destroy();
  });

  test('a client built by hand from clientConfig works with the provider too', async () => {
    const { session } = await open();
    const { clientConfig } = await import('@deploy-actions/aws');
    const sts = new STSClient(clientConfig(session));
    expect((await sts.send(new GetCallerIdentityCommand({}))).Arn).toBe(sessionArn);
    sts.destroy();
  });
});
