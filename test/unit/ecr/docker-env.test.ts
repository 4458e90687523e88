// docker runs third-party code (the Dockerfile's RUN steps, credential helpers): it gets its own
// variables and the basics, never the runner's tokens or the step's AWS credentials.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openDockerSession } from '@deploy-actions/ecr';

test('the docker session environment is allow-listed', async () => {
  const temp = await mkdtemp(path.join(tmpdir(), 'docker-env-'));
  try {
    const session = await openDockerSession(temp, {
      PATH: '/usr/bin',
      HOME: '/home/runner',
      DOCKER_HOST: 'unix:///run/docker.sock',
      DOCKER_CONFIG: '/home/runner/.docker',
      BUILDX_BUILDER: 'ci',
      ACTIONS_RUNTIME_TOKEN: 'runtime-token',
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'oidc-request-token',
      AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret-key',
      AWS_SESSION_TOKEN: 'session-token',
      GITHUB_TOKEN: 'ghs_token',
      NPM_TOKEN: 'npm-token',
    });
    try {
      expect(session.env).toEqual({
        PATH: '/usr/bin',
        HOME: '/home/runner',
        DOCKER_HOST: 'unix:///run/docker.sock',
        DOCKER_CONFIG: session.configDir,
        BUILDX_BUILDER: 'ci',
      });
    } finally {
      await session.close();
    }
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
});
