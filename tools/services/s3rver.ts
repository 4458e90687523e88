/**
 * A real S3 server for tests: s3rver in a child process of its own, because it
 * encrypts ListObjectsV2 continuation tokens with DES, which Node's OpenSSL 3
 * only offers with --openssl-legacy-provider (without it, listing more than
 * 1,000 keys fails). The child listens on a free port of 127.0.0.1, keeps its
 * buckets in a temporary directory removed on close, and exits when the test
 * process goes away (its stdin closes).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** s3rver accepts any credentials; these make the SDK sign as it would for AWS. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
export const S3RVER_REGION = 'us-east-1';

export interface S3rverHandle {
  /** `http://127.0.0.1:<port>`: pass as `endpoint` (with forcePathStyle) or AWS_ENDPOINT_URL_S3. */
  endpoint: string;
  createBucket(name: string): Promise<void>;
  /** A plain client for arranging and inspecting buckets in tests. */
  client(): S3Client;
  close(): Promise<void>;
}

const SERVER_SCRIPT = `
const S3rver = require('s3rver');
const server = new S3rver({
  port: 0,
  address: '127.0.0.1',
  directory: process.env.S3RVER_DIRECTORY,
  silent: true,
  configureBuckets: [],
});
server.run().then(
  (address) => process.stdout.write(JSON.stringify({ port: address.port }) + '\\n'),
  (error) => { console.error(error); process.exit(1); },
);
const stop = () => server.close().finally(() => process.exit(0));
process.on('SIGTERM', stop);
process.stdin.on('end', stop);
process.stdin.resume();
`;

export async function startS3rver(): Promise<S3rverHandle> {
  const directory = await mkdtemp(path.join(tmpdir(), 's3rver-'));
  const child = spawn(process.execPath, ['-e', SERVER_SCRIPT], {
    cwd: REPO_ROOT,
    env: { ...process.env, NODE_OPTIONS: '--openssl-legacy-provider', S3RVER_DIRECTORY: directory },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let port: number;
  try {
    port = await readPort(child);
  } catch (error) {
    child.kill('SIGKILL');
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
  const endpoint = `http://127.0.0.1:${port}`;
  const clients: S3Client[] = [];
  const client = () => {
    const created = new S3Client({
      endpoint,
      forcePathStyle: true,
      region: S3RVER_REGION,
      credentials: S3RVER_CREDENTIALS,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    clients.push(created);
    return created;
  };
  return {
    endpoint,
    client,
    createBucket: async (name) => {
      await client().send(new CreateBucketCommand({ Bucket: name }));
    },
    close: async () => {
      for (const c of clients) c.destroy();
      await stopChild(child);
      await rm(directory, { recursive: true, force: true });
    },
  };
}

function readPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => fail(new Error('s3rver did not start within 20s')), 20_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      reject(new Error(`${error.message}${stderr ? `\n${stderr}` : ''}`));
    };
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split('\n')[0];
      if (stdout.includes('\n') && line !== undefined) {
        clearTimeout(timer);
        try {
          resolve((JSON.parse(line) as { port: number }).port);
        } catch (error) {
          fail(error as Error);
        }
      }
    });
    child.once('error', fail);
    child.once('exit', (code) => fail(new Error(`s3rver exited with code ${code}`)));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(killer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
