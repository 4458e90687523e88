// parseChecks reading good input: one url with the global defaults, or a YAML/JSON list of checks.
import { parseChecks, redactUrl } from '../../../packages/smoke/src/index.js';

const yaml = (lines: string[]) => lines.join('\n');

describe('parseChecks: one url', () => {
  test('takes every default from the global inputs', () => {
    const [check, ...rest] = parseChecks({
      url: 'https://api.example.com/health',
      expectStatus: '200,204',
      headers: 'Authorization: Bearer t0ken\nX-Trace: on',
      expectVersion: 'abc123',
      versionPath: 'build.sha',
    });
    expect(rest).toEqual([]);
    expect(check).toEqual({
      name: 'https://api.example.com/health',
      url: 'https://api.example.com/health',
      method: 'GET',
      headers: { authorization: 'Bearer t0ken', 'x-trace': 'on' },
      expectStatus: {
        text: '200,204',
        ranges: [
          [200, 200],
          [204, 204],
        ],
      },
      expectJson: [],
      expectHeaders: [],
      version: {
        expected: 'abc123',
        path: 'build.sha',
        source: { kind: 'json', segments: ['build', 'sha'] },
      },
    });
  });

  test('the default status is 200-299 and there is no version check', () => {
    const [check] = parseChecks({ url: 'http://127.0.0.1:8080/' });
    expect(check?.expectStatus.text).toBe('200-299');
    expect(check?.version).toBeUndefined();
  });

  test('a version in a header', () => {
    const [check] = parseChecks({
      url: 'https://x.example/',
      expectVersion: ' v2 ',
      versionPath: 'header:X-App-Version',
    });
    expect(check?.version).toEqual({
      expected: 'v2',
      path: 'header:X-App-Version',
      source: { kind: 'header', name: 'x-app-version' },
    });
  });

  test('a password in the URL never shows in the name', () => {
    const [check] = parseChecks({ url: 'https://user:s3cret@x.example/health' });
    expect(check?.name).toBe('https://user:***@x.example/health');
    expect(check?.url).toBe('https://user:s3cret@x.example/health');
    expect(redactUrl(check!.url)).toBe('https://user:***@x.example/health');
  });
});

describe('parseChecks: a list of checks', () => {
  test('reads every key, merging headers over the global ones', () => {
    const checks = parseChecks({
      headers: 'Authorization: Bearer global\nX-Team: web',
      checks: yaml([
        '- name: health',
        '  url: https://api.example.com/health',
        '  headers:',
        '    authorization: Bearer own',
        '    X-Extra: 1',
        '  expect-json: |',
        '    status=ok',
        '    $.checks[0].db=up',
        '  expect-header: |',
        '    Content-Type: application/json',
        '    Cache-Control:',
        '  max-latency: 800ms',
        '- name: home',
        '  url: https://www.example.com/',
        '  method: post',
        '  body: {"ping": true}',
        '  expect-status: [200, 204]',
        '  expect-body-contains: <div id="root">',
        '  expect-body-regex: /welcome/i',
      ]),
    });
    expect(checks).toHaveLength(2);
    const [health, home] = checks;
    expect(health).toMatchObject({
      name: 'health',
      method: 'GET',
      headers: { authorization: 'Bearer own', 'x-team': 'web', 'x-extra': '1' },
      expectStatus: { text: '200-299' },
      expectJson: [
        { path: 'status', segments: ['status'], value: 'ok' },
        { path: '$.checks[0].db', segments: ['checks', 0, 'db'], value: 'up' },
      ],
      expectHeaders: [
        { name: 'content-type', value: 'application/json' },
        { name: 'cache-control', value: '' },
      ],
      maxLatencyMs: 800,
    });
    expect(home).toMatchObject({
      method: 'POST',
      body: '{"ping":true}',
      headers: { 'content-type': 'application/json', authorization: 'Bearer global' },
      expectStatus: { text: '200,204' },
      bodyContains: '<div id="root">',
    });
    expect(home?.bodyRegex?.source).toBe('welcome');
    expect(home?.bodyRegex?.flags).toBe('i');
  });

  test('maps work for expect-json and expect-header too, and numbers become text', () => {
    const [check] = parseChecks({
      checks: yaml([
        '- url: https://x.example/',
        '  expect-status: 204',
        '  expect-json: { count: 3, ok: true, name: api }',
        '  expect-header: { X-Version: 7 }',
      ]),
    });
    expect(check?.expectStatus.text).toBe('204');
    expect(check?.expectJson.map((e) => `${e.path}=${e.value}`)).toEqual([
      'count=3',
      'ok=true',
      'name=api',
    ]);
    expect(check?.expectHeaders).toEqual([{ name: 'x-version', value: '7' }]);
  });

  test('a check without a name is named by its URL; g and y regex flags are dropped', () => {
    const [check] = parseChecks({
      checks: '- url: https://x.example/a\n  expect-body-regex: /ok/gy',
    });
    expect(check?.name).toBe('https://x.example/a');
    expect(check?.bodyRegex?.flags).toBe('');
  });

  test('JSON is YAML: a JSON array of checks is accepted', () => {
    const checks = parseChecks({
      checks: '[{"url": "https://a.example/"}, {"url": "https://b.example/"}]',
    });
    expect(checks.map((c) => c.name)).toEqual(['https://a.example/', 'https://b.example/']);
  });
});
