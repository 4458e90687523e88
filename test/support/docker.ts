/**
 * Real container infrastructure for end-to-end tests: a Docker daemon
 * (Debian's docker.io, vfs storage, no iptables, no bridge) and a Docker
 * registry (Debian's docker-registry) with htpasswd auth, each in its own
 * temporary folder so test files can run in parallel.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

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

/** Why a system part is missing, in words a newcomer can act on; undefined when all is there. */
export function missingContainerTools(): string | undefined {
  const missing = [
    ['/usr/sbin/dockerd', 'docker.io'],
    ['/usr/bin/docker-registry', 'docker-registry'],
    ['/usr/bin/htpasswd', 'apache2-utils'],
  ].filter(([binary]) => !existsSync(binary!));
  if (missing.length === 0) return undefined;
  return `missing ${missing.map(([b]) => b).join(', ')}: apt-get install ${missing.map(([, p]) => p).join(' ')}`;
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
  const root = await mkdtemp(path.join(tmpdir(), 'dkd-'));
  const socket = path.join(root, 'docker.sock');
  const logFile = path.join(root, 'dockerd.log');
  const { openSync } = await import('node:fs');
  const log = openSync(logFile, 'a');
  const child = spawn(
    '/usr/sbin/dockerd',
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
        await run('docker', ['version', '--format', '{{.Server.Version}}'], {
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
  const root = await mkdtemp(path.join(tmpdir(), 'reg-'));
  const username = options.username ?? 'AWS';
  const password = options.password ?? `pw-${Math.random().toString(36).slice(2)}-${Date.now()}`;
  const { stdout } = await run('htpasswd', ['-Bbn', username, password]);
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
  const child = spawn('/usr/bin/docker-registry', ['serve', path.join(root, 'config.yml')], {
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
