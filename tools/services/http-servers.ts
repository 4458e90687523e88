/**
 * Real HTTP(S) servers for smoke-test tests, unit and end-to-end alike: each
 * listens on 127.0.0.1 on a free port, answers from a script, and records
 * every request it gets.
 *
 * - startScriptedServer: routes by path; a route answers from a sequence
 *   ([503, 503, 200]: the last repeats), or from a function of the request.
 *   Replies can be slow (delayMs), never come (hang), redirect, carry headers
 *   such as Retry-After, and be any status.
 * - startVersionServer: reports an old version until it switches to the new
 *   one, after N requests or when told to.
 * - createTestCertificates: a private CA and certificates for 127.0.0.1,
 *   generated with the openssl CLI in a temporary folder.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

export interface RecordedRequest {
  method: string;
  /** Path and query, as sent. */
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The client's port: equal for requests sent on one kept-alive connection. */
  remotePort: number;
}

export interface ReplySpec {
  status: number;
  headers?: Record<string, string | number | string[]>;
  /** A string as it is; anything else as JSON (with a JSON content type). */
  body?: unknown;
  /** Answer after this long: a slow service. */
  delayMs?: number;
  /** Never answer: the request stays open until the client gives up or the server closes. */
  hang?: boolean;
}

export type Reply = number | ReplySpec;

/** `count` is this request's 1-based number on its route. */
export type ReplyFunction = (request: RecordedRequest, count: number) => Reply | Promise<Reply>;

/** One reply for every request; replies in order with the last repeating; or a function. */
export type Route = Reply | readonly Reply[] | ReplyFunction;

export interface ServerTls {
  key: string;
  cert: string;
}

export interface ScriptedServer {
  /** `http://127.0.0.1:<port>` or `https://…`, without a trailing slash. */
  origin: string;
  port: number;
  /** Requests received, in order; only those on `path` when given. */
  requests(path?: string): RecordedRequest[];
  count(path?: string): number;
  /** Adds or replaces a route (its request count starts again). */
  route(path: string, route: Route): void;
  close(): Promise<void>;
}

export async function startScriptedServer(
  routes: Record<string, Route>,
  options: { tls?: ServerTls } = {},
): Promise<ScriptedServer> {
  const table = new Map<string, { route: Route; count: number }>();
  const setRoute = (routePath: string, route: Route) => table.set(routePath, { route, count: 0 });
  for (const [routePath, route] of Object.entries(routes)) setRoute(routePath, route);
  const recorded: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const handler = (request: http.IncomingMessage, response: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const record: RecordedRequest = {
        method: request.method ?? 'GET',
        path: request.url ?? '/',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        remotePort: request.socket.remotePort ?? 0,
      };
      recorded.push(record);
      const entry = table.get(new URL(record.path, 'http://x').pathname);
      if (entry === undefined) {
        response
          .writeHead(404, { 'content-type': 'text/plain' })
          .end(`no route for ${record.path}`);
        return;
      }
      entry.count += 1;
      void Promise.resolve(pickReply(entry.route, record, entry.count)).then(
        (reply) => answer(response, reply, timers),
        (error: unknown) => response.writeHead(500).end(String(error)),
      );
    });
  };

  const server = options.tls
    ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, handler)
    : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const onPath = (routePath?: string) =>
    recorded.filter(
      (r) => routePath === undefined || new URL(r.path, 'http://x').pathname === routePath,
    );

  return {
    origin: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    requests: onPath,
    count: (routePath) => onPath(routePath).length,
    route: setRoute,
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function pickReply(route: Route, request: RecordedRequest, count: number): Reply | Promise<Reply> {
  if (typeof route === 'function') return route(request, count);
  if (Array.isArray(route)) {
    const replies = route as readonly Reply[];
    const reply = replies[Math.min(count, replies.length) - 1];
    if (reply === undefined) throw new Error('a route needs at least one reply');
    return reply;
  }
  return route as Reply;
}

function answer(response: http.ServerResponse, reply: Reply, timers: Set<NodeJS.Timeout>): void {
  const spec: ReplySpec = typeof reply === 'number' ? { status: reply } : reply;
  if (spec.hang) return;
  const send = () => {
    const json = spec.body !== undefined && typeof spec.body !== 'string';
    const body =
      spec.body === undefined ? '' : json ? JSON.stringify(spec.body) : String(spec.body);
    const headers = { ...(json && { 'content-type': 'application/json' }), ...spec.headers };
    response.writeHead(spec.status, headers).end(body);
  };
  if (!spec.delayMs) return send();
  const timer = setTimeout(() => {
    timers.delete(timer);
    if (!response.destroyed) send();
  }, spec.delayMs);
  timers.add(timer);
}

/** A redirect to `location` (absolute or relative). */
export function redirect(location: string, status = 302): ReplySpec {
  return { status, headers: { location } };
}

export interface VersionServerOptions {
  oldVersion: string;
  newVersion: string;
  /** Serve the new version from request N+1 on. Without it, only switchToNew() switches. */
  switchAfter?: number;
  /** Where the version is served; `/version` unless said otherwise. */
  path?: string;
  tls?: ServerTls;
}

export interface VersionServer extends ScriptedServer {
  switchToNew(): void;
  /** The version the next request would see (before counting it). */
  serving(): string;
}

/**
 * Reports its version like a real service does: in the body as
 * `{ status, version, build: { sha } }` and in an `x-app-version` header.
 */
export async function startVersionServer(options: VersionServerOptions): Promise<VersionServer> {
  let switched = false;
  let served = 0;
  const current = () =>
    switched || (options.switchAfter !== undefined && served >= options.switchAfter)
      ? options.newVersion
      : options.oldVersion;
  const server = await startScriptedServer(
    {
      [options.path ?? '/version']: () => {
        const version = current();
        served += 1;
        return {
          status: 200,
          headers: { 'x-app-version': version },
          body: { status: 'ok', version, build: { sha: version } },
        };
      },
    },
    options.tls ? { tls: options.tls } : {},
  );
  return {
    ...server,
    switchToNew: () => {
      switched = true;
    },
    serving: current,
  };
}

export interface CertificatePair extends ServerTls {
  /** The certificate's PEM file. */
  certFile: string;
}

export interface TestCertificates {
  /** The private CA's certificate: what ca-file points at to trust the CA-signed leaves. */
  caFile: string;
  /** For 127.0.0.1 (SAN IP:127.0.0.1), signed by the CA, valid for 365 days. */
  valid: CertificatePair;
  /** For 127.0.0.1, signed by the CA, expiring in 3 days. */
  expiringSoon: CertificatePair;
  /** For 127.0.0.1, its own issuer (DEPTH_ZERO_SELF_SIGNED_CERT); trust it with its own certFile. */
  selfSigned: CertificatePair;
  /** Removes the temporary folder. */
  remove(): Promise<void>;
}

const runOpenssl = promisify(execFile);
const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
const LEAF_EXTENSIONS = [
  'subjectAltName=IP:127.0.0.1',
  'basicConstraints=CA:FALSE',
  'keyUsage=digitalSignature',
  'extendedKeyUsage=serverAuth',
].join('\n');

/** Generates the certificates with openssl (P-256 keys: fast) in a new temporary folder. */
export async function createTestCertificates(): Promise<TestCertificates> {
  const dir = await mkdtemp(path.join(tmpdir(), 'smoke-certs-'));
  const file = (name: string) => path.join(dir, name);
  const openssl = (args: string[]) => runOpenssl('openssl', args, { cwd: dir });
  try {
    // prettier-ignore
    await openssl([
      'req', '-x509', ...EC_KEY, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '365',
      '-subj', '/CN=deploy-actions test CA',
      '-addext', 'basicConstraints=critical,CA:TRUE',
      '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    await writeFile(file('leaf.ext'), LEAF_EXTENSIONS);
    const signedLeaf = async (name: string, days: number, serial: number) => {
      // prettier-ignore
      await openssl([
        'req', '-new', ...EC_KEY, '-keyout', `${name}.key`, '-out', `${name}.csr`,
        '-subj', '/CN=127.0.0.1',
      ]);
      // prettier-ignore
      await openssl([
        'x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key',
        '-set_serial', String(serial), '-days', String(days), '-out', `${name}.pem`,
        '-extfile', 'leaf.ext',
      ]);
      return pair(dir, name);
    };
    const valid = await signedLeaf('valid', 365, 2);
    const expiringSoon = await signedLeaf('expiring', 3, 3);
    // prettier-ignore
    await openssl([
      'req', '-x509', ...EC_KEY, '-keyout', 'self.key', '-out', 'self.pem', '-days', '365',
      '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1',
      '-addext', 'basicConstraints=critical,CA:FALSE',
    ]);
    return {
      caFile: file('ca.pem'),
      valid,
      expiringSoon,
      selfSigned: await pair(dir, 'self'),
      remove: () => rm(dir, { recursive: true, force: true }),
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

async function pair(dir: string, name: string): Promise<CertificatePair> {
  const certFile = path.join(dir, `${name}.pem`);
  return {
    certFile,
    cert: await readFile(certFile, 'utf8'),
    key: await readFile(path.join(dir, `${name}.key`), 'utf8'),
  };
}
