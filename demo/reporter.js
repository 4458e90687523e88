// The demo's jest reporter: silent when the demo went as expected; otherwise it prints what
// went wrong (the failed expectation, or the error that stopped the demo), without jest's frame.
export default class DemoReporter {
  onTestResult(_test, result) {
    const messages = [];
    if (result.testExecError) messages.push(result.testExecError.message);
    for (const assertion of result.testResults) {
      if (assertion.status === 'failed') messages.push(...assertion.failureMessages);
    }
    if (messages.length > 0) {
      process.stderr.write(`\nThe demo did not end as expected:\n\n${messages.join('\n\n')}\n`);
    }
  }

  onRunComplete(_contexts, results) {
    if (results.numTotalTestSuites === 0) process.stderr.write('No demo found (demo/*.demo.ts).\n');
  }
}
