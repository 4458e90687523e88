import {
  DescribeImageScanFindingsCommand,
  StartImageScanCommand,
  type DescribeImageScanFindingsCommandOutput,
  type ECRClient,
} from '@aws-sdk/client-ecr';
import {
  UserError,
  formatDuration,
  poll,
  type Clock,
  type Logger,
} from '@deploy-actions/action-kit/engine';
import { callWith, errorCode, translateAwsError } from '@deploy-actions/aws';
import { ECR_CALLS } from './calls.js';
import type { ImageLocation } from './images.js';

export const SEVERITIES = [
  'CRITICAL',
  'HIGH',
  'MEDIUM',
  'LOW',
  'INFORMATIONAL',
  'UNDEFINED',
] as const;
export type Severity = (typeof SEVERITIES)[number];
export type FailOn = 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW' | 'none';

export interface ScanOptions {
  failOn: FailOn;
  ignore: ReadonlySet<string>;
  timeoutMs: number;
  /** When the repository does not scan on push, start a basic scan. */
  startScan: boolean;
}

export interface Finding {
  id: string;
  severity: Severity;
  packageName: string;
  installedVersion: string;
  fixedVersion: string;
}

export type ScanOutcome =
  | {
      status: 'COMPLETE' | 'ACTIVE';
      counts: Record<Severity, number>;
      findings: Finding[];
      ignored: number;
      blocking: Finding[];
    }
  | { status: NonFindingStatus; message: string };

type NonFindingStatus =
  | 'UNSUPPORTED_IMAGE'
  | 'SCAN_ELIGIBILITY_EXPIRED'
  | 'FINDINGS_UNAVAILABLE'
  | 'LIMIT_EXCEEDED'
  | 'IMAGE_ARCHIVED';

/** Plain words for the statuses that end a scan without findings to judge. */
const NON_FINDING_STATUSES: Record<NonFindingStatus, string> = {
  UNSUPPORTED_IMAGE:
    'ECR cannot scan this image (unsupported OS or an image without a package manager, such as one built FROM scratch); no findings to gate on.',
  SCAN_ELIGIBILITY_EXPIRED:
    'The enhanced scanning window for this image has expired (Inspector rescans only images pushed or pulled recently); no fresh findings.',
  FINDINGS_UNAVAILABLE: 'Inspector has no findings for this image yet (FINDINGS_UNAVAILABLE).',
  LIMIT_EXCEEDED:
    'The image was not scanned: the basic scan limit for this image was reached (one scan per 24 hours).',
  IMAGE_ARCHIVED: 'The image is archived; ECR does not scan archived images.',
};

const RANK: Record<Severity, number> = {
  CRITICAL: 5,
  HIGH: 4,
  MEDIUM: 3,
  LOW: 2,
  INFORMATIONAL: 1,
  UNDEFINED: 0,
};

export function isBlocking(severity: Severity, failOn: FailOn): boolean {
  return failOn !== 'none' && RANK[severity] >= RANK[failOn];
}

/**
 * Waits for the image's scan (basic or enhanced) and judges its findings.
 * Basic scans report IN_PROGRESS then COMPLETE; enhanced scanning reports
 * ACTIVE with findings as Inspector produces them.
 */
export async function waitForScan(
  ecr: ECRClient,
  where: ImageLocation,
  digest: string,
  options: ScanOptions,
  deps: { logger: Logger; clock?: Clock },
): Promise<ScanOutcome> {
  let startedScan = false;
  let lastDescription: string | undefined;
  const result = await poll<DescribeImageScanFindingsCommandOutput[]>({
    label: 'image scan',
    timeoutMs: options.timeoutMs,
    backoff: { initialMs: 3_000, maxMs: 20_000 },
    clock: deps.clock,
    attempt: async () => {
      try {
        const first = await describeFindings(ecr, where, digest, undefined);
        const status = first.imageScanStatus?.status ?? 'PENDING';
        lastDescription = first.imageScanStatus?.description;
        if (status === 'IN_PROGRESS' || status === 'PENDING') return { done: false, status };
        if (status === 'FAILED') {
          throw new UserError(
            `The ECR image scan failed: ${lastDescription ?? 'no reason given'}.`,
          );
        }
        return { done: true, value: await allPages(ecr, where, digest, first) };
      } catch (error) {
        if (errorCode(error) !== 'ScanNotFoundException') throw error;
        if (options.startScan && !startedScan) {
          startedScan = true;
          await startImageScan(ecr, where, digest, deps.logger);
        }
        return { done: false, status: 'not started' };
      }
    },
    onWait: ({ status, elapsedMs }) =>
      deps.logger.info(`Scan ${status ?? 'pending'} after ${formatDuration(elapsedMs)}…`),
  });
  if (!result.ok) {
    throw new UserError(
      `The image scan did not finish within ${formatDuration(options.timeoutMs)} (last status: ${result.lastStatus ?? 'unknown'}).`,
      { hint: 'Raise scan-timeout, or set scan: off to skip the gate.' },
    );
  }
  return judge(result.value, options);
}

async function describeFindings(
  ecr: ECRClient,
  where: ImageLocation,
  digest: string,
  nextToken: string | undefined,
) {
  return callWith(
    ECR_CALLS,
    'DescribeImageScanFindings',
    { resource: where.repositoryArn, region: where.region },
    () =>
      ecr.send(
        new DescribeImageScanFindingsCommand({
          repositoryName: where.repositoryName,
          registryId: where.registryId,
          imageId: { imageDigest: digest },
          maxResults: 1000,
          nextToken,
        }),
      ),
    {
      onError: (error, context) => {
        if (errorCode(error) === 'ScanNotFoundException') throw error;
        throw translateAwsError(error, context);
      },
    },
  );
}

async function allPages(
  ecr: ECRClient,
  where: ImageLocation,
  digest: string,
  first: DescribeImageScanFindingsCommandOutput,
) {
  const pages = [first];
  let token = first.nextToken;
  while (token) {
    const page = await describeFindings(ecr, where, digest, token);
    pages.push(page);
    token = page.nextToken;
  }
  return pages;
}

async function startImageScan(
  ecr: ECRClient,
  where: ImageLocation,
  digest: string,
  logger: Logger,
): Promise<void> {
  const started = await callWith(
    ECR_CALLS,
    'StartImageScan',
    { resource: where.repositoryArn, region: where.region },
    async () => {
      await ecr.send(
        new StartImageScanCommand({
          repositoryName: where.repositoryName,
          registryId: where.registryId,
          imageId: { imageDigest: digest },
        }),
      );
      return true;
    },
    {
      onError: (error, context) => {
        if (errorCode(error) === 'LimitExceededException') return false;
        throw translateAwsError(error, context);
      },
    },
  );
  if (started) {
    logger.info('The repository does not scan on push: started a basic scan of the image.');
  }
}

/** Pure: turns scan pages into counts, the findings after ignores, and those at or above the threshold. */
export function judge(
  pages: DescribeImageScanFindingsCommandOutput[],
  options: Pick<ScanOptions, 'failOn' | 'ignore'>,
): ScanOutcome {
  const status = pages[0]?.imageScanStatus?.status ?? 'COMPLETE';
  if (status in NON_FINDING_STATUSES) {
    return {
      status: status as NonFindingStatus,
      message: NON_FINDING_STATUSES[status as NonFindingStatus],
    };
  }
  const all = pages.flatMap(findingsOf);
  const findings = all.filter((f) => !options.ignore.has(f.id));
  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const finding of findings) counts[finding.severity]++;
  const blocking = findings
    .filter((f) => isBlocking(f.severity, options.failOn))
    .sort((a, b) => RANK[b.severity] - RANK[a.severity]);
  return {
    status: status === 'ACTIVE' ? 'ACTIVE' : 'COMPLETE',
    counts,
    findings,
    ignored: all.length - findings.length,
    blocking,
  };
}

function findingsOf(page: DescribeImageScanFindingsCommandOutput): Finding[] {
  const scan = page.imageScanFindings;
  const basic = (scan?.findings ?? []).map((f) => {
    const attribute = (key: string) => f.attributes?.find((a) => a.key === key)?.value ?? '';
    return {
      id: f.name ?? '?',
      severity: toSeverity(f.severity),
      packageName: attribute('package_name'),
      installedVersion: attribute('package_version'),
      fixedVersion: '',
    };
  });
  const enhanced = (scan?.enhancedFindings ?? []).map((f) => {
    const pkg = f.packageVulnerabilityDetails?.vulnerablePackages?.[0];
    return {
      id: f.packageVulnerabilityDetails?.vulnerabilityId ?? f.title ?? '?',
      severity: toSeverity(f.severity),
      packageName: pkg?.name ?? '',
      installedVersion: pkg?.version ?? '',
      fixedVersion: pkg?.fixedInVersion ?? '',
    };
  });
  return [...basic, ...enhanced];
}

function toSeverity(value: string | undefined): Severity {
  return (SEVERITIES as readonly string[]).includes(value ?? '')
    ? (value as Severity)
    : 'UNDEFINED';
}
