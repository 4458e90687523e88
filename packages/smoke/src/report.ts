/** The outputs, the job summary rows and the failure message of a smoke-test run. */
import { formatDuration } from '@deploy-actions/action-kit/engine';
import type { CheckResult, SmokeReport } from './types.js';

/** Names of the checks that failed, in the order given: the `failed-checks` output joins them with commas. */
export function failedChecks(report: SmokeReport): string[] {
  return failedResults(report).map((result) => result.name);
}

function failedResults(report: SmokeReport): CheckResult[] {
  return report.results.filter((result) => result.verdict === 'failed');
}

/** The `results` output: a JSON array, one object per check, with null for what never came. */
export function resultsJson(report: SmokeReport): string {
  return JSON.stringify(
    report.results.map((result) => ({
      name: result.name,
      url: result.url,
      attempts: result.attempts,
      lastStatus: result.lastStatus ?? null,
      latencyMs: result.latencyMs ?? null,
      verdict: result.verdict,
      reason: result.reason,
      ...(result.crossOrigin && { crossOrigin: result.crossOrigin }),
    })),
  );
}

/** smoke-test's outputs, as its action.yml declares them. */
export const SMOKE_OUTPUTS = ['passed', 'failed-checks', 'results'] as const;

export function smokeOutputs(report: SmokeReport): Record<(typeof SMOKE_OUTPUTS)[number], string> {
  return {
    passed: String(report.passed),
    'failed-checks': failedChecks(report).join(','),
    results: resultsJson(report),
  };
}

/** One line for the summary heading or the log: `All 3 checks passed in 4.2s.` */
export function reportHeadline(report: SmokeReport): string {
  const total = report.results.length;
  const took = formatDuration(report.durationMs);
  if (report.passed) return `All ${total} ${total === 1 ? 'check' : 'checks'} passed in ${took}.`;
  if (report.cancelled) {
    const undecided = report.results.filter((result) => result.verdict === 'cancelled').length;
    return `Cancelled after ${took}: ${undecided} of ${total} ${total === 1 ? 'check' : 'checks'} undecided, ${failedResults(report).length} failed.`;
  }
  return `${failedResults(report).length} of ${total} ${total === 1 ? 'check' : 'checks'} failed after ${took}.`;
}

const VERDICT: Record<CheckResult['verdict'], string> = {
  passed: '✅ passed',
  failed: '❌ failed',
  cancelled: '⏹ cancelled',
};

/** The job summary table; the first row is the header. */
export function summaryRows(report: SmokeReport): string[][] {
  return [
    ['Check', 'URL', 'Verdict', 'Attempts', 'Last status', 'Latency', 'Reason'],
    ...report.results.map((result) => [
      result.name,
      result.url,
      VERDICT[result.verdict],
      String(result.attempts),
      result.lastStatus === undefined ? '—' : String(result.lastStatus),
      result.latencyMs === undefined ? '—' : formatDuration(result.latencyMs),
      result.reason,
    ]),
  ];
}

/**
 * The step's failure message, undefined when every check passed: the headline,
 * then one line per failed check with what it expected and what came back
 * (every reason says both), its attempts and its last status.
 */
export function failureMessage(report: SmokeReport): string | undefined {
  if (report.cancelled) {
    const undecided = report.results.filter((result) => result.verdict !== 'passed');
    return [
      `Smoke test cancelled: ${reportHeadline(report)}`,
      ...undecided.map(describeFailure),
    ].join('\n');
  }
  const failed = failedResults(report);
  if (failed.length === 0) return undefined;
  return [`Smoke test failed: ${reportHeadline(report)}`, ...failed.map(describeFailure)].join(
    '\n',
  );
}

function describeFailure(result: CheckResult): string {
  const status =
    result.lastStatus === undefined ? 'no response' : `last status ${result.lastStatus}`;
  const attempts = `${result.attempts} ${result.attempts === 1 ? 'attempt' : 'attempts'}`;
  return `${result.name} (${result.url}): ${result.reason} (${attempts}, ${status})`;
}
