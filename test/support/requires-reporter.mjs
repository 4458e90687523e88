// Says what a run skipped for missing system parts: one line per skipped test file as it ends
// (the parts, the command that installs them), and at the end a plain summary of the test files
// that ran and those skipped. Silent about parts when provisioning did not run (unit tests only).
import path from 'node:path';
import { missingParts } from './requires-environment.mjs';

/** The install commands of the parts, Debian's apt-get lines merged into one. */
export function installCommands(parts) {
  const apt = 'sudo apt-get install ';
  const packages = parts.flatMap((p) =>
    p.install?.startsWith(apt) ? [p.install.slice(apt.length)] : [],
  );
  const others = parts.flatMap((p) => (p.install && !p.install.startsWith(apt) ? [p.install] : []));
  return [...(packages.length > 0 ? [`${apt}${packages.join(' ')}`] : []), ...new Set(others)].join(
    '; ',
  );
}

export default class RequiresReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
    this.skipped = [];
  }

  onTestResult(_test, result) {
    const missing = missingParts(result.testFilePath);
    const ran = result.numPassingTests + result.numFailingTests;
    if (missing.length === 0 || ran > 0 || result.testExecError) return;
    const file = path.relative(this.rootDir, result.testFilePath);
    this.skipped.push(file);
    process.stderr.write(
      `SKIPPED ${file}: needs ${missing.map((p) => p.name).join(', ')}, not ready on this machine; install: ${installCommands(missing)}\n`,
    );
  }

  onRunComplete(_contexts, results) {
    if (!process.env.DEPLOY_ACTIONS_PARTS) return;
    const { parts } = JSON.parse(process.env.DEPLOY_ACTIONS_PARTS);
    const names = Object.keys(parts);
    const ready = names.filter((name) => parts[name].ready);
    const notReady = names.filter((name) => !parts[name].ready);
    const files = results.testResults.length;
    const lines = [
      `System parts: ${ready.length > 0 ? `ready ${ready.join(', ')}` : 'none ready'}${notReady.length > 0 ? `; not ready ${notReady.join(', ')}` : ''}.`,
      this.skipped.length > 0
        ? `Test files: ${files - this.skipped.length} ran, ${this.skipped.length} skipped for missing parts (${this.skipped.join(', ')}).`
        : `Test files: ${files} ran, none skipped.`,
    ];
    process.stderr.write(`\n${lines.join('\n')}\n`);
  }
}
