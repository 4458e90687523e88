// Prints the plain closing line CI reads: "N passed, N failed, N skipped".
// A suite that could not run at all counts as one failure, so a broken file
// never hides behind a green count.
import { writeFileSync } from 'node:fs';

export default class CountReporter {
  onRunComplete(_contexts, results) {
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const line = `${results.numPassedTests} passed, ${failed} failed, ${results.numPendingTests} skipped`;
    process.stdout.write(`\n${line}\n`);
    if (process.env.TEST_COUNT_FILE) writeFileSync(process.env.TEST_COUNT_FILE, `${line}\n`);
  }
}
