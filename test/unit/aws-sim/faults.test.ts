import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { FaultInjector, mulberry32 } from '../../../tools/aws-sim/faults.js';
import { rejectionOf, startScenario, type Scenario } from './helpers.js';

const USER = {
  accessKeyId: 'AKIAFAULTTESTEXAMPLE',
  secretAccessKey: 'fault-test-secret',
  arn: 'arn:aws:iam::123456789012:user/ci',
};

describe('fault injection through @aws-sdk/client-sts', () => {
  let scenario: Scenario;
  beforeEach(async () => {
    scenario = await startScenario();
    scenario.sim.addCredentials(USER);
  });
  afterEach(() => scenario.close());

  const callerIdentity = (client: STSClient = scenario.sts({ credentials: USER })) =>
    client.send(new GetCallerIdentityCommand({}));
  const outcomes = () =>
    scenario.sim.requestLog.map(({ status, errorCode, fault }) => ({ status, errorCode, fault }));

  test('throttling twice: the SDK retries and the third call succeeds', async () => {
    scenario.sim.faults.add({
      service: 'sts',
      operation: 'GetCallerIdentity',
      kind: 'throttle',
      count: 2,
    });
    const identity = await callerIdentity();
    expect(identity.Arn).toBe(USER.arn);
    expect(identity.$metadata.attempts).toBe(3);
    expect(outcomes()).toEqual([
      { status: 400, errorCode: 'Throttling', fault: 'throttle' },
      { status: 400, errorCode: 'Throttling', fault: 'throttle' },
      { status: 200, errorCode: undefined, fault: undefined },
    ]);
    expect(scenario.sim.faults.list()).toEqual([expect.objectContaining({ fired: 2 })]);
  });

  test('a throttle that never stops surfaces as Throttling after the retries', async () => {
    scenario.sim.faults.add({ kind: 'throttle' });
    const error = await rejectionOf(
      callerIdentity(scenario.sts({ credentials: USER, maxAttempts: 2 })),
    );
    expect(error.Code).toBe('Throttling');
    expect(error.$metadata?.attempts).toBe(2);
  });

  test('a 500 is InternalFailure and retried', async () => {
    scenario.sim.faults.add({ kind: 'server-error', count: 1 });
    await callerIdentity();
    expect(outcomes()).toEqual([
      { status: 500, errorCode: 'InternalFailure', fault: 'server-error' },
      { status: 200, errorCode: undefined, fault: undefined },
    ]);
  });

  test('a 503 is ServiceUnavailable', async () => {
    scenario.sim.faults.add({ kind: 'server-error', status: 503 });
    const error = await rejectionOf(
      callerIdentity(scenario.sts({ credentials: USER, maxAttempts: 1 })),
    );
    expect(error.Code).toBe('ServiceUnavailable');
    expect(error.$metadata?.httpStatusCode).toBe(503);
    expect(error.$fault).toBe('server');
  });

  test('a reset connection is retried by the SDK', async () => {
    scenario.sim.faults.add({ kind: 'reset', count: 1 });
    await callerIdentity();
    expect(outcomes()).toEqual([
      { status: 0, errorCode: undefined, fault: 'reset' },
      { status: 200, errorCode: undefined, fault: undefined },
    ]);
  });

  test('a reset on every attempt fails the call with a network error', async () => {
    scenario.sim.faults.add({ kind: 'reset' });
    const error = await rejectionOf(
      callerIdentity(scenario.sts({ credentials: USER, maxAttempts: 1 })),
    );
    expect(error.message).toMatch(/socket hang up/);
  });

  test('latency delays the answer, then the call proceeds', async () => {
    scenario.sim.faults.add({ kind: 'latency', latencyMs: 300 });
    const started = Date.now();
    await callerIdentity();
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(outcomes()).toEqual([{ status: 200, errorCode: undefined, fault: 'latency' }]);
  });

  test('faults apply only to the service and operation they name', async () => {
    scenario.sim.faults.add({
      service: 'sts',
      operation: 'AssumeRoleWithWebIdentity',
      kind: 'throttle',
    });
    scenario.sim.faults.add({ service: 'apprunner', kind: 'server-error' });
    await callerIdentity();
    expect(outcomes()).toEqual([{ status: 200, errorCode: undefined, fault: undefined }]);
  });

  test('clear() and remove() stop faults', async () => {
    const id = scenario.sim.faults.add({ kind: 'throttle' });
    scenario.sim.faults.remove(id);
    scenario.sim.faults.add({ kind: 'server-error' });
    scenario.sim.faults.clear();
    await callerIdentity();
    expect(scenario.sim.requestLog).toHaveLength(1);
  });

  test('a seeded probability gives the same faults on every run', async () => {
    const pattern = async (seed: number) => {
      const run = await startScenario();
      run.sim.addCredentials(USER);
      run.sim.faults.add({ kind: 'server-error', probability: 0.5, seed });
      const client = run.sts({ credentials: USER, maxAttempts: 1 });
      const results: string[] = [];
      for (let i = 0; i < 16; i++) {
        results.push(
          await callerIdentity(client).then(
            () => 'ok',
            () => 'fault',
          ),
        );
      }
      await run.close();
      return results.join(' ');
    };
    const first = await pattern(42);
    expect(await pattern(42)).toBe(first);
    expect(await pattern(7)).not.toBe(first);
    expect(first).toContain('ok');
    expect(first).toContain('fault');
  });
});

describe('FaultInjector', () => {
  test('count limits how often a fault fires', () => {
    const faults = new FaultInjector();
    faults.add({ kind: 'throttle', count: 2 });
    const kinds = [1, 2, 3].map(() => faults.decide('sts', 'GetCallerIdentity').outcome?.kind);
    expect(kinds).toEqual(['throttle', 'throttle', undefined]);
  });

  test('latency adds up and combines with the first terminal fault', () => {
    const faults = new FaultInjector();
    faults.add({ kind: 'latency', latencyMs: 100 });
    faults.add({ kind: 'reset', count: 1 });
    faults.add({ kind: 'throttle' });
    faults.add({ kind: 'latency', latencyMs: 50 });
    const first = faults.decide('sts', 'X');
    expect(first.latencyMs).toBe(150);
    expect(first.outcome?.kind).toBe('reset');
    expect(faults.decide('sts', 'X').outcome?.kind).toBe('throttle');
  });

  test('probability draws from a seeded PRNG: same seed, same sequence', () => {
    const decisions = (seed: number) => {
      const faults = new FaultInjector();
      faults.add({ kind: 'throttle', probability: 0.3, seed });
      return Array.from({ length: 200 }, () => (faults.decide('s', 'o').outcome ? 1 : 0));
    };
    const run = decisions(2024);
    expect(decisions(2024)).toEqual(run);
    const rate = run.reduce<number>((sum, hit) => sum + hit, 0) / run.length;
    expect(rate).toBeGreaterThan(0.2);
    expect(rate).toBeLessThan(0.4);
  });

  test('mulberry32 yields numbers in [0, 1)', () => {
    const random = mulberry32(1);
    const values = Array.from({ length: 1000 }, random);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
  });

  test.each([
    [{ kind: 'throttle', probability: 1.5 }, /probability must be between 0 and 1/],
    [{ kind: 'latency' }, /needs latencyMs/],
  ] as const)('rejects %j', (spec, message) => {
    expect(() => new FaultInjector().add(spec)).toThrow(message);
  });
});
