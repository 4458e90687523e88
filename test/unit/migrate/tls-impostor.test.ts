// A database impostor: a local server that speaks PostgreSQL's SSLRequest and
// then TLS with a self-signed certificate for another host, and asks for the
// password in clear text once a client starts a session. The password must
// reach it only when the user chose not to verify (ssl: require), and the log
// then says so; every verifying mode refuses the certificate first.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { promisify } from 'node:util';
import { MemoryLogger, UserError } from '@deploy-actions/action-kit/engine';
import { runMigrations, type MigrateOptions, type SslOptions } from '@deploy-actions/migrate';
import { createWorkspace, type Workspace } from './workspace.js';

const PASSWORD = 'impostor-must-not-see-this';
const SSL_REQUEST = 80877103;

interface Impostor {
  port: number;
  /** Everything clients sent inside TLS, decrypted. */
  received(): string;
  /** Whether any client finished a TLS handshake. */
  handshakes(): number;
  close(): Promise<void>;
}

async function startImpostor(cert: string, key: string, host: string): Promise<Impostor> {
  let data = '';
  let handshakes = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.once('data', (first) => {
      if (first.length < 8 || first.readInt32BE(4) !== SSL_REQUEST) return socket.destroy();
      socket.write('S');
      const secure = new tls.TLSSocket(socket, { isServer: true, cert, key });
      secure.on('error', () => undefined);
      secure.on('secure', () => handshakes++);
      let askedForPassword = false;
      secure.on('data', (chunk: Buffer) => {
        data += chunk.toString('latin1');
        if (!askedForPassword) {
          askedForPassword = true;
          // AuthenticationCleartextPassword: what a hostile server asks for.
          const request = Buffer.alloc(9);
          request.write('R', 0);
          request.writeInt32BE(8, 1);
          request.writeInt32BE(3, 5);
          secure.write(request);
        } else {
          secure.destroy();
        }
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    received: () => data,
    handshakes: () => handshakes,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

let dir: string;
let certFile: string;
let impostor: Impostor;
/** On another loopback address: to the client a host that is not "local", as RDS is not. */
let remote: Impostor;
let workspace: Workspace;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'impostor-'));
  certFile = path.join(dir, 'impostor.pem');
  // prettier-ignore
  await promisify(execFile)('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', path.join(dir, 'impostor.key'), '-out', certFile, '-days', '2',
    '-subj', '/CN=db.other.example', '-addext', 'subjectAltName=DNS:db.other.example',
  ]);
  const [cert, key] = await Promise.all([
    readFile(certFile, 'utf8'),
    readFile(path.join(dir, 'impostor.key'), 'utf8'),
  ]);
  impostor = await startImpostor(cert, key, '127.0.0.1');
  remote = await startImpostor(cert, key, '127.0.0.2');
  workspace = await createWorkspace({ 'V1__create.sql': 'CREATE TABLE t (id int);' });
  await writeFile(path.join(workspace.root, 'impostor-ca.pem'), cert);
});
afterAll(async () => {
  await impostor?.close();
  await remote?.close();
  await workspace?.cleanup();
  await rm(dir, { recursive: true, force: true });
});

function options(ssl: SslOptions, server = impostor): MigrateOptions {
  const host = server === remote ? '127.0.0.2' : '127.0.0.1';
  return {
    database: { url: `postgres://app:${PASSWORD}@${host}:${server.port}/app` },
    mode: {
      kind: 'sql',
      migrationsDir: workspace.migrationsDir,
      allowOutOfOrder: false,
      dryRun: false,
    },
    ssl,
    lockTimeoutMs: 5_000,
    statementTimeoutMs: 0,
    appliedBy: 'https://github.com/o/r/actions/runs/1',
    workspaceDir: workspace.root,
    connectTimeoutMs: 5_000,
  };
}

async function attempt(ssl: SslOptions, server = impostor) {
  const logger = new MemoryLogger();
  const before = server.received().length;
  let error: unknown;
  try {
    await runMigrations(options(ssl, server), { logger });
  } catch (caught) {
    error = caught;
  }
  return { error, logger, sent: server.received().slice(before) };
}

test('by default a non-local host is verify-full: the impostor gets no password', async () => {
  const { error, sent, logger } = await attempt({}, remote);
  expect(logger.text()).toContain('(ssl verify-full, from the default for a non-local host)');
  expect((error as UserError).hint).toMatch(/could not be verified.*no password was sent/s);
  expect(sent).toBe('');
  expect(remote.received()).not.toContain(PASSWORD);
});

test("the URL's sslmode=require is the user's explicit choice: sent, with the warning", async () => {
  const logger = new MemoryLogger();
  const url = `postgres://app:${PASSWORD}@127.0.0.2:${remote.port}/app?sslmode=require`;
  await runMigrations({ ...options({}, remote), database: { url } }, { logger }).catch(
    () => undefined,
  );
  expect(remote.received()).toContain(PASSWORD);
  expect(logger.text()).toMatch(/not verified \(ssl require, from the URL's sslmode\)/);
});

test.each<[string, SslOptions]>([
  ['verify-full with the built-in trust (RDS CAs + public roots)', { mode: 'verify-full' }],
  [
    'verify-full trusting its certificate, but for another host name',
    { mode: 'verify-full', caFile: 'impostor-ca.pem' },
  ],
])('%s: refused before the session starts, no password sent', async (_name, ssl) => {
  const { error, sent } = await attempt(ssl);
  expect(error).toBeInstanceOf(UserError);
  expect((error as UserError).message).toMatch(/Could not connect/);
  expect((error as UserError).hint).toMatch(/could not be verified.*no password was sent/s);
  expect(sent).toBe('');
  expect(impostor.received()).not.toContain(PASSWORD);
});

test('verify-ca without ssl-ca-file fails before connecting', async () => {
  const handshakes = impostor.handshakes();
  const { error, sent } = await attempt({ mode: 'verify-ca' });
  expect(error).toBeInstanceOf(UserError);
  expect((error as UserError).message).toMatch(/verify-ca.*needs the CA/);
  expect(sent).toBe('');
  expect(impostor.handshakes()).toBe(handshakes);
});

// The same server does receive the password when the user trusts its CA
// (verify-ca checks the chain, not the name) or turns verification off: the
// tests above could fail.
test('verify-ca trusting its CA: the chain verifies, the session starts', async () => {
  const { sent } = await attempt({ mode: 'verify-ca', caFile: 'impostor-ca.pem' });
  expect(sent).toContain(PASSWORD);
});

test('require, asked for explicitly: the password goes out, and the log says why that is unsafe', async () => {
  const { sent, logger } = await attempt({ mode: 'require' });
  expect(sent).toContain(PASSWORD);
  expect(logger.text()).toMatch(
    /warning: The database server's certificate is not verified \(ssl require, from the ssl input\)/,
  );
});
