// A docker push (or buildx build) that ECR refuses names the IAM actions the
// role needs, read from the engine's tables (ECR_REGISTRY_PERMISSIONS, ECR_CALLS).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ECRClient } from '@aws-sdk/client-ecr';
import {
  MemoryLogger,
  UserError,
  type ProcessResult,
  type RunProcess,
} from '@deploy-actions/action-kit/engine';
import {
  ECR_CALLS,
  ECR_REGISTRY_PERMISSIONS,
  buildAndPush,
  registryDenial,
  registryDenialMessage,
  type BuildPushOptions,
  type RegistryStep,
} from '@deploy-actions/ecr';

const HOST = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
const ARN = 'arn:aws:ecr:eu-west-1:123456789012:repository/team/api';
const PUSH: RegistryStep = { host: HOST, repositoryArn: ARN, push: true, readsLayers: false };
const PUSH_ACTIONS = [
  ...ECR_REGISTRY_PERMISSIONS.pushLayers.actions,
  ECR_CALLS.PutImage.actions[0],
];
const READ_ACTIONS = [
  ...ECR_REGISTRY_PERMISSIONS.readLayers.actions,
  ECR_CALLS.BatchGetImage.actions[0],
];

// What docker prints when ECR refuses a layer upload (the role lacks ecr:InitiateLayerUpload).
const DOCKER_PUSH_DENIED = [
  `The push refers to repository [${HOST}/team/api]`,
  '5f70bf18a086: Preparing',
  'denied: User: arn:aws:sts::123456789012:assumed-role/deploy/gha is not authorized to perform: ecr:InitiateLayerUpload on resource: ' +
    `${ARN} because no identity-based policy allows the ecr:InitiateLayerUpload action`,
];
// What buildx prints when the registry answers 403 (no action named).
const BUILDX_FORBIDDEN = [
  '#12 exporting to image',
  '#12 pushing layers 0.4s done',
  `ERROR: failed to solve: failed to push ${HOST}/team/api:abc123: unexpected status from POST request to https://${HOST}/v2/team/api/blobs/uploads/: 403 Forbidden`,
];

describe('registryDenial', () => {
  test('a refused docker push names the action AWS named first, then what a push needs', () => {
    const denial = registryDenial(DOCKER_PUSH_DENIED, PUSH);
    expect(denial?.named).toBe('ecr:InitiateLayerUpload');
    expect(denial?.actions[0]).toBe('ecr:InitiateLayerUpload');
    expect([...denial!.actions].sort()).toEqual([...PUSH_ACTIONS].sort());
    expect(denial?.line).toMatch(/^denied: User: .* is not authorized to perform/);
  });

  test('a 403 from a buildx build with the registry cache also names the read actions', () => {
    const denial = registryDenial(BUILDX_FORBIDDEN, { ...PUSH, readsLayers: true });
    expect(denial?.named).toBeUndefined();
    expect(denial?.actions).toEqual([...PUSH_ACTIONS, ...READ_ACTIONS]);
    expect(registryDenial(BUILDX_FORBIDDEN, PUSH)?.actions).toEqual(PUSH_ACTIONS);
  });

  test('other failures are not taken for a refused push', () => {
    // A build step's own "permission denied", a login problem (401), a failed RUN.
    expect(
      registryDenial(['#7 [3/4] RUN ./build.sh', '/bin/sh: ./build.sh: Permission denied'], PUSH),
    ).toBeUndefined();
    expect(
      registryDenial([`unauthorized: authentication required for ${HOST}/team/api`], PUSH),
    ).toBeUndefined();
    expect(
      registryDenial(
        [
          'curl: (22) The requested URL returned error: 403',
          'ERROR: failed to solve: exit code: 22',
        ],
        PUSH,
      ),
    ).toBeUndefined();
    expect(registryDenial(DOCKER_PUSH_DENIED, { ...PUSH, push: false })).toBeUndefined();
  });

  test('the message names every action to grant and the repository', () => {
    const { message, hint } = registryDenialMessage(
      'docker push abc123',
      1,
      registryDenial(DOCKER_PUSH_DENIED, PUSH)!,
      PUSH,
    );
    expect(message).toMatch(
      /^docker push abc123 failed with exit code 1: ECR refused it \(AWS named ecr:InitiateLayerUpload\): denied: User: /,
    );
    expect(message).toContain(
      `The role needs ecr:InitiateLayerUpload, ecr:BatchCheckLayerAvailability, ecr:UploadLayerPart, ecr:CompleteLayerUpload, ecr:PutImage on ${ARN}.`,
    );
    expect(hint).toContain('workflows-examples/iam/build-push-ecr.json');
  });
});

describe('buildAndPush with a push ECR refuses', () => {
  let temp: string;
  beforeEach(async () => {
    temp = await mkdtemp(path.join(tmpdir(), 'registry-denied-'));
  });
  afterEach(async () => {
    await rm(temp, { recursive: true, force: true });
  });

  /** ECR answering the repository and the login; nothing else is expected. */
  const ecr = {
    send: async (command: { constructor: { name: string } }) => {
      switch (command.constructor.name) {
        case 'DescribeRepositoriesCommand':
          return {
            repositories: [
              {
                repositoryName: 'team/api',
                repositoryUri: `${HOST}/team/api`,
                registryId: '123456789012',
                repositoryArn: ARN,
              },
            ],
          };
        case 'GetAuthorizationTokenCommand':
          return {
            authorizationData: [{ authorizationToken: Buffer.from('AWS:pw').toString('base64') }],
          };
        default:
          throw new Error(`unexpected ${command.constructor.name}`);
      }
    },
  } as unknown as ECRClient;

  const options = (): BuildPushOptions => ({
    repository: { name: 'team/api' },
    repositorySettings: {
      createIfMissing: false,
      scanOnPush: true,
      tagMutability: 'MUTABLE',
      tagMutabilityExclusions: [],
      encryption: { type: 'AES256' },
      lifecycleKeepImages: undefined,
    },
    sha: 'abc123',
    extraTags: [],
    build: {
      context: '.',
      dockerfile: undefined,
      buildArgs: new Map(),
      buildSecrets: new Map(),
      target: undefined,
      labels: new Map(),
      platforms: [],
      cache: 'none',
      provenance: false,
    },
    push: true,
    skipIfExists: false,
    scan: { mode: 'off' },
    tempDir: temp,
  });

  /** A docker without buildx whose push ECR refuses; `pushTail` is what the push prints. */
  const docker =
    (pushTail: string[]): RunProcess =>
    async (command, args): Promise<ProcessResult> => {
      expect(command).toBe('docker');
      if (args[0] === 'buildx') return { exitCode: 1, tail: ["'buildx' is not a docker command."] };
      if (args[0] === 'push') return { exitCode: 1, tail: pushTail };
      return { exitCode: 0, tail: [] };
    };

  test('fails naming the IAM actions a push needs, from the tables', async () => {
    const failure = await buildAndPush(options(), {
      ecr,
      runProcess: docker(DOCKER_PUSH_DENIED),
      logger: new MemoryLogger(),
      region: 'eu-west-1',
      env: { HOME: temp },
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UserError);
    const message = (failure as UserError).message;
    expect(message).toContain('docker push abc123 failed with exit code 1: ECR refused it');
    for (const action of PUSH_ACTIONS) expect(message).toContain(action);
    expect(message).toContain(`on ${ARN}.`);
  });

  test('a push failing for another reason keeps its plain message', async () => {
    const failure = await buildAndPush(options(), {
      ecr,
      runProcess: docker(['received unexpected HTTP status: 500 Internal Server Error']),
      logger: new MemoryLogger(),
      region: 'eu-west-1',
      env: { HOME: temp },
    }).catch((error: unknown) => error);
    expect((failure as UserError).message).toBe(
      'docker push abc123 failed with exit code 1: received unexpected HTTP status: 500 Internal Server Error',
    );
  });
});
