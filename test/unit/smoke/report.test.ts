import {
  failedChecks,
  failureMessage,
  reportHeadline,
  resultsJson,
  summaryRows,
  type CheckResult,
  type SmokeReport,
} from '../../../packages/smoke/src/index.js';

const passed: CheckResult = {
  name: 'health',
  url: 'https://api.example.com/health',
  verdict: 'passed',
  attempts: 3,
  consecutivePasses: 2,
  lastStatus: 200,
  latencyMs: 42,
  reason: "status 200, version 'c0ffee1'; 2 passes in a row",
  expected: "status 200-299; version 'c0ffee1' at build.sha",
  received: "status 200, version 'c0ffee1' in 42ms",
};

const oldVersion: CheckResult = {
  name: 'version',
  url: 'https://api.example.com/version',
  verdict: 'failed',
  attempts: 12,
  consecutivePasses: 0,
  lastStatus: 200,
  latencyMs: 1500,
  reason: "expected version 'c0ffee1' at build.sha, got '9d2e4a0'",
  expected: "version 'c0ffee1' at build.sha",
  received: "version '9d2e4a0'",
};

const unreachable: CheckResult = {
  name: 'home',
  url: 'https://www.example.com/',
  verdict: 'failed',
  attempts: 1,
  consecutivePasses: 0,
  reason: 'connection refused by www.example.com (ECONNREFUSED): nothing is listening there',
  expected: 'a response',
  received: 'connection refused by www.example.com (ECONNREFUSED): nothing is listening there',
};

const failing: SmokeReport = {
  passed: false,
  results: [passed, oldVersion, unreachable],
  durationMs: 300_000,
};
const passing: SmokeReport = { passed: true, results: [passed], durationMs: 4200 };

test('failedChecks names the failed checks in order', () => {
  expect(failedChecks(failing)).toEqual(['version', 'home']);
  expect(failedChecks(passing)).toEqual([]);
});

test('resultsJson has one object per check with the output fields, null for what never came', () => {
  expect(JSON.parse(resultsJson(failing))).toEqual([
    {
      name: 'health',
      url: 'https://api.example.com/health',
      attempts: 3,
      lastStatus: 200,
      latencyMs: 42,
      verdict: 'passed',
      reason: "status 200, version 'c0ffee1'; 2 passes in a row",
    },
    {
      name: 'version',
      url: 'https://api.example.com/version',
      attempts: 12,
      lastStatus: 200,
      latencyMs: 1500,
      verdict: 'failed',
      reason: "expected version 'c0ffee1' at build.sha, got '9d2e4a0'",
    },
    {
      name: 'home',
      url: 'https://www.example.com/',
      attempts: 1,
      lastStatus: null,
      latencyMs: null,
      verdict: 'failed',
      reason: 'connection refused by www.example.com (ECONNREFUSED): nothing is listening there',
    },
  ]);
});

test('summaryRows: a header row, then one row per check', () => {
  expect(summaryRows(failing)).toEqual([
    ['Check', 'URL', 'Verdict', 'Attempts', 'Last status', 'Latency', 'Reason'],
    ['health', 'https://api.example.com/health', '✅ passed', '3', '200', '42ms', passed.reason],
    [
      'version',
      'https://api.example.com/version',
      '❌ failed',
      '12',
      '200',
      '1.5s',
      oldVersion.reason,
    ],
    ['home', 'https://www.example.com/', '❌ failed', '1', '—', '—', unreachable.reason],
  ]);
});

test('reportHeadline', () => {
  expect(reportHeadline(passing)).toBe('All 1 check passed in 4.2s.');
  expect(reportHeadline(failing)).toBe('2 of 3 checks failed after 5m 00s.');
});

test('failureMessage says, per failed check, what was expected and what came back', () => {
  expect(failureMessage(failing)).toBe(
    [
      'Smoke test failed: 2 of 3 checks failed after 5m 00s.',
      "version (https://api.example.com/version): expected version 'c0ffee1' at build.sha, got '9d2e4a0' (12 attempts, last status 200)",
      'home (https://www.example.com/): connection refused by www.example.com (ECONNREFUSED): nothing is listening there (1 attempt, no response)',
    ].join('\n'),
  );
  expect(failureMessage(passing)).toBeUndefined();
});
