/**
 * Real container infrastructure for end-to-end tests: a Docker daemon
 * (Debian's docker.io, vfs storage, no iptables, no bridge) and a Docker
 * registry (Debian's docker-registry) with htpasswd auth, each in its own
 * temporary folder so test files can run in parallel. The programs are found
 * on PATH (and in the sbin folders, where daemons live off a user's PATH), so
 * any Docker Engine and any build of the distribution registry will do.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { SBIN_DIRS, findPrograms, lookupProgram, programsHint } from '../provision/index.mjs';

const run = promisify(execFile);

export interface DockerDaemon {
  /** unix://… for DOCKER_HOST */
  host: string;
  close(): Promise<void>;
}

export interface Registry {
  /** host:port, e.g. 127.0.0.1:41234 (loopback registries are plain HTTP to docker) */
  address: string;
  username: string;
  password: string;
  close(): Promise<void>;
}

/** Finds a program by name: its absolute path, or undefined. (Tests inject their own.) */
export type ProgramLookup = (name: string) => string | undefined;

// The lookup (PATH, then the sbin folders) and the install hints are the provisioning's
// (tools/provision/parts.mjs), so the tests, the demo and provisioning say the same.
export { SBIN_DIRS, lookupProgram };

/** The programs the container parts run, by absolute path. */
export interface ContainerTools {
  dockerd: string;
  docker: string;
  /** The distribution registry: Debian names it docker-registry, its upstream builds registry. */
  registry: string;
  htpasswd: string;
}
export type ContainerTool = keyof ContainerTools;

const CONTAINER_TOOLS: ContainerTool[] = ['dockerd', 'docker', 'registry', 'htpasswd'];

/** The container tools found through `lookup`, or which are missing and what to install. */
export function findContainerTools(
  lookup: ProgramLookup = (name) => lookupProgram(name),
): { tools: ContainerTools } | { missing: ContainerTool[]; hint: string } {
  const { found, missing } = findPrograms(CONTAINER_TOOLS, lookup);
  if (missing.length === 0) return { tools: found as unknown as ContainerTools };
  return {
    missing: missing as ContainerTool[],
    hint: containerToolsHint(missing as ContainerTool[]),
  };
}

/** What to install for the missing tools: Debian's packages, then what does it elsewhere. */
export function containerToolsHint(missing: readonly ContainerTool[]): string {
  return programsHint(missing);
}

/** Why the container parts cannot run, in words a newcomer can act on; undefined when all is there. */
export function missingContainerTools(
  lookup: ProgramLookup = (name) => lookupProgram(name),
): string | undefined {
  const result = findContainerTools(lookup);
  return 'hint' in result ? result.hint : undefined;
}

/** The container tools on this machine; throws saying what to install when one is missing. */
function containerTools(): ContainerTools {
  const result = findContainerTools();
  if ('hint' in result) throw new Error(result.hint);
  return result.tools;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function waitFor(
  check: () => Promise<boolean>,
  what: string,
  timeoutMs: number,
  child: ChildProcess,
  logFile: string,
) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`${what} exited with ${child.exitCode}; see ${logFile}`);
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not become ready in ${timeoutMs}ms; see ${logFile}`);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

export async function startDockerDaemon(): Promise<DockerDaemon> {
  // Short paths: containerd's socket lives under exec-root and unix socket paths max out at 108 bytes.
  const tools = containerTools();
  const root = await mkdtemp(path.join(tmpdir(), 'dkd-'));
  const socket = path.join(root, 'docker.sock');
  const logFile = path.join(root, 'dockerd.log');
  const { openSync } = await import('node:fs');
  const log = openSync(logFile, 'a');
  const child = spawn(
    tools.dockerd,
    [
      '--iptables=false',
      '--ip6tables=false',
      '--bridge=none',
      '--storage-driver=vfs',
      `--host=unix://${socket}`,
      `--data-root=${path.join(root, 'data')}`,
      `--exec-root=${path.join(root, 'x')}`,
      `--pidfile=${path.join(root, 'docker.pid')}`,
    ],
    { stdio: ['ignore', log, log] },
  );
  const host = `unix://${socket}`;
  await waitFor(
    async () => {
      try {
        await run(tools.docker, ['version', '--format', '{{.Server.Version}}'], {
          env: { ...process.env, DOCKER_HOST: host },
        });
        return true;
      } catch {
        return false;
      }
    },
    'dockerd',
    60_000,
    child,
    logFile,
  );
  return {
    host,
    close: async () => {
      await stop(child);
      await rm(root, { recursive: true, force: true }).catch(() => undefined);
    },
  };
}

export async function startRegistry(
  options: { username?: string; password?: string } = {},
): Promise<Registry> {
  const tools = containerTools();
  const root = await mkdtemp(path.join(tmpdir(), 'reg-'));
  const username = options.username ?? 'AWS';
  const password = options.password ?? `pw-${Math.random().toString(36).slice(2)}-${Date.now()}`;
  const { stdout } = await run(tools.htpasswd, ['-Bbn', username, password]);
  await writeFile(path.join(root, 'htpasswd'), stdout);
  const port = await freePort();
  const config = [
    'version: 0.1',
    'log:',
    '  level: warn',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${path.join(root, 'data')}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    'auth:',
    '  htpasswd:',
    '    realm: deploy-actions-test',
    `    path: ${path.join(root, 'htpasswd')}`,
    '',
  ].join('\n');
  await writeFile(path.join(root, 'config.yml'), config);
  const logFile = path.join(root, 'registry.log');
  const { openSync } = await import('node:fs');
  const log = openSync(logFile, 'a');
  const child = spawn(tools.registry, ['serve', path.join(root, 'config.yml')], {
    stdio: ['ignore', log, log],
  });
  const address = `127.0.0.1:${port}`;
  await waitFor(
    async () => {
      try {
        const response = await fetch(`http://${address}/v2/`);
        return response.status === 401 || response.status === 200;
      } catch {
        return false;
      }
    },
    'docker-registry',
    30_000,
    child,
    logFile,
  );
  return {
    address,
    username,
    password,
    close: async () => {
      await stop(child);
      await rm(root, { recursive: true, force: true }).catch(() => undefined);
    },
  };
}
