import { UserError, type Logger } from '@deploy-actions/action-kit/engine';
import type { Finding, ScanOutcome } from './scan.js';

/** The five worst findings, then an ellipsis: enough to act on without flooding the log. */
const LISTED = 5;

/**
 * The scan gate's verdict on a finished build: warns when the scan gave no
 * findings to judge, throws when findings at or above `failOn` remain.
 * `consequence` says what the caller does about it (the standalone action
 * has pushed; the pipeline deploys nothing).
 */
export function enforceScanGate(
  scan: ScanOutcome | undefined,
  failOn: string | undefined,
  logger: Logger,
  consequence: { message: string; hint: string },
): void {
  if (!scan) return;
  if (!('counts' in scan)) {
    logger.warning(scan.message);
    return;
  }
  if (scan.blocking.length > 0) throw blockingFindingsError(scan.blocking, failOn, consequence);
}

export function blockingFindingsError(
  blocking: readonly Finding[],
  failOn: string | undefined,
  consequence: { message: string; hint: string },
): UserError {
  const worst = blocking.slice(0, LISTED).map(describeFinding).join('; ');
  const more = blocking.length > LISTED ? '; …' : '';
  return new UserError(
    `The image has ${blocking.length} finding(s) at or above ${failOn ?? ''}: ${worst}${more}.${consequence.message ? ` ${consequence.message}` : ''}`,
    {
      hint: `Update the affected packages, or list accepted ids in ignore-vulnerabilities.${consequence.hint ? ` ${consequence.hint}` : ''}`,
    },
  );
}

function describeFinding(f: Finding): string {
  const fixed = f.fixedVersion ? ` → fixed in ${f.fixedVersion}` : '';
  return `${f.id} (${f.severity}, ${f.packageName} ${f.installedVersion}${fixed})`;
}
