import { existsSync } from 'node:fs';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import {
  UserError,
  childEnv,
  type Logger,
  type RunProcess,
} from '@deploy-actions/action-kit/engine';
import { ECR_CALLS } from './calls.js';

/**
 * A private DOCKER_CONFIG for this run: registry credentials land here, never
 * in the user's ~/.docker, and vanish when the run ends. Builder instances and
 * CLI plugins (what docker/setup-buildx-action installs) are linked in, so a
 * configured buildx builder keeps working. docker (and the Dockerfile's RUN
 * steps through it) sees an allow-listed environment: docker's own variables,
 * never the runner's tokens or the step's AWS credentials.
 */
export interface DockerSession {
  env: NodeJS.ProcessEnv;
  configDir: string;
  close(): Promise<void>;
}

export async function openDockerSession(
  tempRoot: string,
  baseEnv: NodeJS.ProcessEnv = process.env,
): Promise<DockerSession> {
  const configDir = await mkdtemp(path.join(tempRoot, 'docker-config-'));
  const userConfig = baseEnv.DOCKER_CONFIG ?? path.join(baseEnv.HOME ?? homedir(), '.docker');
  for (const shared of ['buildx', 'cli-plugins']) {
    const source = path.join(userConfig, shared);
    if (existsSync(source)) await symlink(source, path.join(configDir, shared));
  }
  await writeFile(path.join(configDir, 'config.json'), '{"auths":{}}\n', { mode: 0o600 });
  return {
    env: childEnv(baseEnv, {
      programPrefixes: ['DOCKER_', 'BUILDX_', 'BUILDKIT_'],
      set: { DOCKER_CONFIG: configDir },
    }),
    configDir,
    close: () => rm(configDir, { recursive: true, force: true }),
  };
}

export async function dockerLogin(
  session: DockerSession,
  registryHost: string,
  username: string,
  password: string,
  deps: { runProcess: RunProcess; logger: Logger },
): Promise<void> {
  const result = await deps.runProcess(
    'docker',
    ['login', '--username', username, '--password-stdin', registryHost],
    {
      env: session.env,
      input: password,
    },
  );
  if (result.exitCode !== 0) {
    throw new UserError(
      `docker login to ${registryHost} failed: ${result.tail.slice(-3).join(' ')}`,
      {
        hint: `Check that the runner can reach the registry and that the role may call ${ECR_CALLS.GetAuthorizationToken.actions[0]}.`,
      },
    );
  }
  deps.logger.info(`Logged in to ${registryHost} (credentials in a temporary DOCKER_CONFIG)`);
}

export async function hasBuildx(env: NodeJS.ProcessEnv, runProcess: RunProcess): Promise<boolean> {
  try {
    return (await runProcess('docker', ['buildx', 'version'], { env })).exitCode === 0;
  } catch {
    return false;
  }
}

export async function assertDockerAvailable(
  session: DockerSession,
  runProcess: RunProcess,
): Promise<void> {
  let result;
  try {
    result = await runProcess('docker', ['version', '--format', '{{.Server.Version}}'], {
      env: session.env,
    });
  } catch (error) {
    throw new UserError(
      `docker is not available: ${error instanceof Error ? error.message : String(error)}`,
      {
        hint: 'Run on a runner with Docker (ubuntu-latest has it).',
      },
    );
  }
  if (result.exitCode !== 0) {
    throw new UserError(`The Docker daemon is not reachable: ${result.tail.slice(-2).join(' ')}`, {
      hint: 'Check DOCKER_HOST, or that the Docker service runs on this runner.',
    });
  }
}
