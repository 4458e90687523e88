// ECR CLI fidelity rows, last: image scans started and their findings read, and a throttled call
// the CLI retries.
import { ACCOUNT, type Row, pushedNow } from './fixture.js';

export const scanRows: Row[] = [
  // --- scanning ---
  {
    name: 'describe-image-scan-findings: never scanned (no scan on push)',
    operation: 'ecr:DescribeImageScanFindings',
    arrange: (f) => f.state.pushed(),
    args: () => [
      'ecr',
      'describe-image-scan-findings',
      '--repository-name',
      'cli/app',
      '--image-id',
      'imageTag=v1',
    ],
    expectError: 'ScanNotFoundException',
  },
  {
    name: 'start-image-scan',
    operation: 'ecr:StartImageScan',
    arrange: (f) => f.state.pushed(),
    args: () => [
      'ecr',
      'start-image-scan',
      '--repository-name',
      'cli/app',
      '--image-id',
      'imageTag=v1',
    ],
    check: ({ output }, f) =>
      expect(output).toEqual({
        registryId: ACCOUNT,
        repositoryName: 'cli/app',
        imageId: { imageDigest: pushedNow(f).app.digest, imageTag: 'v1' },
        imageScanStatus: { status: 'IN_PROGRESS' },
      }),
  },
  {
    name: 'start-image-scan: image not found',
    operation: 'ecr:StartImageScan',
    args: () => [
      'ecr',
      'start-image-scan',
      '--repository-name',
      'cli/app',
      '--image-id',
      'imageTag=nope',
    ],
    expectError: 'ImageNotFoundException',
  },
  {
    name: 'describe-image-scan-findings: scan in progress (no findings yet)',
    operation: 'ecr:DescribeImageScanFindings',
    // --no-paginate prints the response as sent (the CLI's paginator adds a null imageScanFindings).
    args: () => [
      'ecr',
      'describe-image-scan-findings',
      '--no-paginate',
      '--repository-name',
      'cli/app',
      '--image-id',
      'imageTag=v1',
    ],
    check: ({ output }, f) =>
      expect(output).toEqual({
        registryId: ACCOUNT,
        repositoryName: 'cli/app',
        imageId: { imageDigest: pushedNow(f).app.digest, imageTag: 'v1' },
        imageScanStatus: { status: 'IN_PROGRESS', description: expect.any(String) },
      }),
  },
  {
    name: 'describe-image-scan-findings: basic scan complete with findings',
    operation: 'ecr:DescribeImageScanFindings',
    arrange: (f) =>
      f.state.ecr.setScan('cli/app', {
        statuses: ['COMPLETE'],
        findings: [
          {
            id: 'CVE-2024-0001',
            severity: 'CRITICAL',
            packageName: 'openssl',
            version: '3.0.1',
          },
          { id: 'CVE-2024-0002', severity: 'HIGH', packageName: 'zlib', version: '1.2.11' },
        ],
      }),
    args: (f) => [
      'ecr',
      'describe-image-scan-findings',
      '--repository-name',
      'cli/app',
      '--image-id',
      `imageDigest=${pushedNow(f).app.digest}`,
    ],
    check: ({ output }) => {
      expect(output).toMatchObject({
        imageScanStatus: { status: 'COMPLETE' },
        imageScanFindings: {
          imageScanCompletedAt: expect.stringMatching(/^\d{4}-/),
          vulnerabilitySourceUpdatedAt: expect.stringMatching(/^\d{4}-/),
          findingSeverityCounts: { CRITICAL: 1, HIGH: 1 },
          findings: [
            {
              name: 'CVE-2024-0001',
              uri: 'https://security-tracker.debian.org/tracker/CVE-2024-0001',
              severity: 'CRITICAL',
              attributes: [
                { key: 'package_version', value: '3.0.1' },
                { key: 'package_name', value: 'openssl' },
              ],
            },
            expect.objectContaining({ name: 'CVE-2024-0002', severity: 'HIGH' }),
          ],
        },
      });
    },
  },
  {
    name: 'describe-image-scan-findings: enhanced scanning (Inspector) findings',
    operation: 'ecr:DescribeImageScanFindings',
    arrange: async (f) => {
      await f.state.pushed();
      f.state.ecr.setScan('cli/locked', {
        statuses: ['ACTIVE'],
        enhanced: true,
        findings: [
          {
            id: 'CVE-2024-0003',
            severity: 'MEDIUM',
            packageName: 'libc',
            version: '2.36',
            fixedIn: '2.36-9',
          },
        ],
      });
    },
    args: () => [
      'ecr',
      'describe-image-scan-findings',
      '--repository-name',
      'cli/locked',
      '--image-id',
      'imageTag=release',
    ],
    check: ({ output }) =>
      expect(output).toMatchObject({
        imageScanStatus: { status: 'ACTIVE' },
        imageScanFindings: {
          findingSeverityCounts: { MEDIUM: 1 },
          enhancedFindings: [
            {
              awsAccountId: ACCOUNT,
              severity: 'MEDIUM',
              status: 'ACTIVE',
              type: 'PACKAGE_VULNERABILITY',
              packageVulnerabilityDetails: {
                vulnerabilityId: 'CVE-2024-0003',
                vulnerablePackages: [{ name: 'libc', version: '2.36' }],
              },
            },
          ],
        },
      }),
  },
  {
    name: 'describe-image-scan-findings: image not found',
    operation: 'ecr:DescribeImageScanFindings',
    args: () => [
      'ecr',
      'describe-image-scan-findings',
      '--repository-name',
      'cli/locked',
      '--image-id',
      'imageTag=nope',
    ],
    expectError: 'ImageNotFoundException',
  },
  {
    name: 'describe-images: throttled once, retried by the CLI',
    operation: 'ecr:DescribeImages',
    arrange: (f) => f.sim.faults.add({ operation: 'DescribeImages', kind: 'throttle', count: 1 }),
    args: () => [
      'ecr',
      'describe-images',
      '--repository-name',
      'cli/locked',
      '--image-ids',
      'imageTag=release',
    ],
    check: ({ output }, f) => {
      expect((output?.imageDetails as unknown[]).length).toBe(1);
      expect(f.sim.requestLog.slice(-2).map((e) => e.errorCode)).toEqual([
        'ThrottlingException',
        undefined,
      ]);
    },
  },
];
