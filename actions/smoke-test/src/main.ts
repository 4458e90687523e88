import {
  Inputs,
  UserError,
  runnerLogger,
  setOutputs,
  withCancel,
  writeSummary,
} from '@deploy-actions/action-kit';
import {
  failureMessage,
  reportHeadline,
  runSmokeTests,
  smokeOutputs,
  summaryRows,
} from '@deploy-actions/smoke';
import { getInputs } from './inputs.js';

export async function main(): Promise<void> {
  const { checks, options } = getInputs(new Inputs());
  // A cancelled job stops waiting and reports what was seen so far.
  const report = await withCancel((signal) =>
    runSmokeTests(checks, options, { logger: runnerLogger(), signal }),
  );
  setOutputs(smokeOutputs(report));
  await writeSummary([
    { heading: 'smoke-test', lines: [reportHeadline(report)], table: summaryRows(report) },
  ]);
  const failure = failureMessage(report);
  if (failure) throw new UserError(failure);
}
