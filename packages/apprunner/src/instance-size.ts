import { InputError, UserError } from '@deploy-actions/action-kit/engine';

/**
 * App Runner's instance sizes: CPU units (1024 per vCPU) and memory in MB, and
 * the memory sizes each CPU size allows (App Runner developer guide, "App
 * Runner service configuration"; the same table backs the CDK's Cpu/Memory
 * classes). The API pattern alone would accept e.g. 4 vCPU with 2 GB, which
 * CreateService then refuses.
 */
export const SUPPORTED_SIZES: ReadonlyMap<number, readonly number[]> = new Map([
  [256, [512, 1024]],
  [512, [1024]],
  [1024, [2048, 3072, 4096]],
  [2048, [4096, 6144]],
  [4096, [8192, 10240, 12288]],
]);
const MEMORY_SIZES = [...new Set([...SUPPORTED_SIZES.values()].flat())].sort((a, b) => a - b);

/** App Runner's defaults for a service created without an instance configuration. */
export const DEFAULT_CPU_UNITS = 1024;
export const DEFAULT_MEMORY_MB = 2048;

/** `1 vCPU`, `0.25 vCPU`, `0.25`, `1024` (units) → CPU units. */
export function parseCpu(input: string, value: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(vcpu)?$/i.exec(value.trim());
  const number = match ? Number(match[1]) : NaN;
  const units = match?.[2] || number < 256 ? number * 1024 : number;
  if (!SUPPORTED_SIZES.has(units)) {
    throw new InputError(
      input,
      value,
      'one of 0.25, 0.5, 1, 2 or 4 vCPU (or 256, 512, 1024, 2048, 4096 units)',
    );
  }
  return units;
}

/** `2 GB`, `0.5 GB`, `2`, `2048` (MB), `512 MB` → MB. */
export function parseMemory(input: string, value: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(gb|mb)?$/i.exec(value.trim());
  const number = match ? Number(match[1]) : NaN;
  const unit = match?.[2]?.toLowerCase();
  const mb = unit === 'mb' || (unit === undefined && number >= 512) ? number : number * 1024;
  if (!MEMORY_SIZES.includes(mb)) {
    throw new InputError(
      input,
      value,
      'one of 0.5, 1, 2, 3, 4, 6, 8, 10 or 12 GB (or the size in MB)',
    );
  }
  return mb;
}

/** What App Runner answers in DescribeService ("1024", "1 vCPU") → units; undefined if unreadable. */
export function cpuUnitsOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  try {
    return parseCpu('cpu', value);
  } catch {
    return undefined;
  }
}

export function memoryMbOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  try {
    return parseMemory('memory', value);
  } catch {
    return undefined;
  }
}

export function formatCpu(units: number): string {
  return `${units / 1024} vCPU`;
}

export function formatMemory(mb: number): string {
  return `${mb / 1024} GB`;
}

export function isSupportedSize(cpuUnits: number, memoryMb: number): boolean {
  return SUPPORTED_SIZES.get(cpuUnits)?.includes(memoryMb) ?? false;
}

function allowedMemoryText(cpuUnits: number): string {
  return (SUPPORTED_SIZES.get(cpuUnits) ?? []).map(formatMemory).join(', ');
}

/** For inputs: both given and not a combination App Runner offers. */
export function assertSupportedInputSize(cpuUnits: number, memoryMb: number): void {
  if (isSupportedSize(cpuUnits, memoryMb)) return;
  throw new InputError(
    'memory',
    formatMemory(memoryMb),
    `a memory size App Runner offers with ${formatCpu(cpuUnits)}: ${allowedMemoryText(cpuUnits)}`,
  );
}

/**
 * For the effective size once the live (or default) half is known: e.g. cpu: 4
 * on a service with 2 GB. `origin` says where the other half came from.
 */
export function assertSupportedEffectiveSize(
  cpuUnits: number,
  memoryMb: number,
  origin: string,
): void {
  if (isSupportedSize(cpuUnits, memoryMb)) return;
  throw new UserError(
    `App Runner does not offer ${formatCpu(cpuUnits)} with ${formatMemory(memoryMb)} (${origin}).`,
    {
      hint: `With ${formatCpu(cpuUnits)} set memory to one of ${allowedMemoryText(cpuUnits)}.`,
    },
  );
}
