import { Inputs, UserError, output, runnerLogger, writeSummary } from '@deploy-actions/action-kit';
import {
  failedChecks,
  failureMessage,
  reportHeadline,
  resultsJson,
  runSmokeTests,
  summaryRows,
  type SmokeReport,
} from '@deploy-actions/smoke';
import { getInputs } from './inputs.js';

export async function main(): Promise<void> {
  const { checks, options } = getInputs(new Inputs());
  const cancelled = abortOnCancel();
  const report = await runSmokeTests(checks, options, {
    logger: runnerLogger(),
    signal: cancelled,
  });
  setOutputs(report);
  await writeSummary([
    { heading: 'smoke-test', lines: [reportHeadline(report)], table: summaryRows(report) },
  ]);
  const failure = failureMessage(report);
  if (failure) throw new UserError(failure);
}

function setOutputs(report: SmokeReport): void {
  output('passed', report.passed);
  output('failed-checks', failedChecks(report).join(','));
  output('results', resultsJson(report));
}

/** A cancelled job sends SIGINT/SIGTERM: stop waiting and report what was seen so far. */
function abortOnCancel(): AbortSignal {
  const controller = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => controller.abort());
  return controller.signal;
}
