// The test servers other tests rely on: if these are wrong, every smoke test is.
import http from 'node:http';
import {
  redirect,
  startScriptedServer,
  startVersionServer,
  type ScriptedServer,
} from '../../../tools/services/http-servers.js';

const servers: ScriptedServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function get(url: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>(
    (resolve, reject) => {
      http
        .get(url, { headers, agent: false }, (response) => {
          let body = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (body += chunk));
          response.on('end', () =>
            resolve({ status: response.statusCode ?? 0, headers: response.headers, body }),
          );
        })
        .on('error', reject);
    },
  );
}

test('a sequence answers in order and then repeats its last reply', async () => {
  const server = await startScriptedServer({ '/s': [503, { status: 200, body: { ok: true } }] });
  servers.push(server);
  const statuses = [];
  for (let i = 0; i < 4; i++) statuses.push((await get(`${server.origin}/s`)).status);
  expect(statuses).toEqual([503, 200, 200, 200]);
  const last = await get(`${server.origin}/s`);
  expect(last.headers['content-type']).toBe('application/json');
  expect(JSON.parse(last.body)).toEqual({ ok: true });
});

test('a function route sees the request and its count; unknown paths are 404; requests are recorded', async () => {
  const server = await startScriptedServer({
    '/f': (request, count) => ({ status: 200, body: `${count}:${request.headers['x-a']}` }),
  });
  servers.push(server);
  expect((await get(`${server.origin}/f?q=1`, { 'x-a': 'one' })).body).toBe('1:one');
  expect((await get(`${server.origin}/f`, { 'x-a': 'two' })).body).toBe('2:two');
  expect((await get(`${server.origin}/nope`)).status).toBe(404);
  expect(server.count('/f')).toBe(2);
  expect(server.count()).toBe(3);
  expect(server.requests('/f').map((r) => r.path)).toEqual(['/f?q=1', '/f']);
});

test('redirect() and headers', async () => {
  const server = await startScriptedServer({ '/r': redirect('/there', 308) });
  servers.push(server);
  const response = await get(`${server.origin}/r`);
  expect(response.status).toBe(308);
  expect(response.headers.location).toBe('/there');
});

test('close() ends hanging requests', async () => {
  const server = await startScriptedServer({ '/hang': { status: 200, hang: true } });
  const pending = get(`${server.origin}/hang`).catch((error: unknown) => error);
  while (server.count('/hang') === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  await server.close();
  expect(await pending).toMatchObject({ code: 'ECONNRESET' });
});

test('the version server switches after N requests, or on command', async () => {
  const counted = await startVersionServer({
    oldVersion: 'old',
    newVersion: 'new',
    switchAfter: 1,
  });
  const manual = await startVersionServer({ oldVersion: 'old', newVersion: 'new', path: '/v' });
  servers.push(counted, manual);
  const version = async (url: string) => JSON.parse((await get(url)).body).build.sha as string;
  expect([
    await version(`${counted.origin}/version`),
    await version(`${counted.origin}/version`),
  ]).toEqual(['old', 'new']);
  expect(await version(`${manual.origin}/v`)).toBe('old');
  manual.switchToNew();
  const response = await get(`${manual.origin}/v`);
  expect(response.headers['x-app-version']).toBe('new');
  expect(JSON.parse(response.body)).toEqual({
    status: 'ok',
    version: 'new',
    build: { sha: 'new' },
  });
});
