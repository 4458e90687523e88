// The scan gate's verdict, shared by build-push-ecr and the root pipeline.
import { MemoryLogger, UserError } from '@deploy-actions/action-kit/engine';
import { enforceScanGate, type Finding } from '@deploy-actions/ecr';

const finding = (id: string, fixedVersion = ''): Finding => ({
  id,
  severity: 'CRITICAL',
  packageName: 'openssl',
  installedVersion: '3.0.1',
  fixedVersion,
});

const counts = { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, INFORMATIONAL: 0, UNDEFINED: 0 };
const complete = (blocking: Finding[]) => ({
  status: 'COMPLETE' as const,
  counts,
  findings: blocking,
  ignored: 0,
  blocking,
});
const pushed = { message: '', hint: 'The image was pushed but should not be deployed.' };

test('no scan, or nothing blocking: passes silently', () => {
  const logger = new MemoryLogger();
  expect(() => enforceScanGate(undefined, 'HIGH', logger, pushed)).not.toThrow();
  expect(() => enforceScanGate(complete([]), 'HIGH', logger, pushed)).not.toThrow();
  expect(logger.lines).toEqual([]);
});

test('a scan with no findings to judge warns and passes', () => {
  const logger = new MemoryLogger();
  const scan = { status: 'UNSUPPORTED_IMAGE' as const, message: 'ECR cannot scan this image.' };
  enforceScanGate(scan, 'HIGH', logger, pushed);
  expect(logger.lines).toEqual(['warning: ECR cannot scan this image.']);
});

test('blocking findings fail with the worst five, their fixes and the consequence', () => {
  const blocking = ['CVE-1', 'CVE-2', 'CVE-3', 'CVE-4', 'CVE-5', 'CVE-6'].map((id, i) =>
    finding(id, i === 0 ? '3.0.2' : ''),
  );
  let error: unknown;
  try {
    enforceScanGate(complete(blocking), 'HIGH', new MemoryLogger(), {
      message: 'Nothing was deployed.',
      hint: '',
    });
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(UserError);
  const { message, hint } = error as UserError;
  expect(message).toBe(
    'The image has 6 finding(s) at or above HIGH: CVE-1 (CRITICAL, openssl 3.0.1 → fixed in 3.0.2); ' +
      'CVE-2 (CRITICAL, openssl 3.0.1); CVE-3 (CRITICAL, openssl 3.0.1); CVE-4 (CRITICAL, openssl 3.0.1); ' +
      'CVE-5 (CRITICAL, openssl 3.0.1); …. Nothing was deployed.',
  );
  expect(hint).toBe(
    'Update the affected packages, or list accepted ids in ignore-vulnerabilities.',
  );
});

test('the standalone action says the image was pushed', () => {
  expect(() =>
    enforceScanGate(complete([finding('CVE-9')]), 'CRITICAL', new MemoryLogger(), pushed),
  ).toThrow(
    expect.objectContaining({
      hint: 'Update the affected packages, or list accepted ids in ignore-vulnerabilities. The image was pushed but should not be deployed.',
    }),
  );
});
