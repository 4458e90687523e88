import type { ServiceTarget } from './arns.js';
import type { ImageReference } from './image.js';

export type EnvMode = 'merge' | 'replace';
export type HealthCheckProtocol = 'TCP' | 'HTTP';

/** Every member optional: only what the inputs name is applied. */
export interface HealthCheckSettings {
  protocol?: HealthCheckProtocol;
  path?: string;
  intervalSeconds?: number;
  timeoutSeconds?: number;
  healthyThreshold?: number;
  unhealthyThreshold?: number;
}

/**
 * The service settings the inputs name. Anything left undefined (or empty)
 * stays as it is live on update, and takes App Runner's default on create.
 */
export interface ServiceSettings {
  env: ReadonlyMap<string, string>;
  secrets: ReadonlyMap<string, string>;
  /** merge: the given names are set, the others kept. replace: env and secrets become exactly the given ones. */
  envMode: EnvMode;
  port: number | undefined;
  cpuUnits: number | undefined;
  memoryMb: number | undefined;
  instanceRoleArn: string | undefined;
  accessRoleArn: string | undefined;
  healthCheck: HealthCheckSettings;
  autoScalingConfigurationArn: string | undefined;
  vpcConnectorArn: string | undefined;
  autoDeployments: boolean | undefined;
  /** Applied when the service is created (UpdateService has no tags). */
  tags: ReadonlyMap<string, string>;
}

export interface DeployOptions {
  service: ServiceTarget;
  image: ImageReference;
  settings: ServiceSettings;
  createIfMissing: boolean;
  /** The image is already live and nothing else changes: StartDeployment (true) or nothing (false). */
  redeployIfUnchanged: boolean;
  /** false: return once App Runner accepted the operation. */
  wait: boolean;
  /** For the whole run, including waiting for an operation someone else started. */
  timeoutMs: number;
}

export function emptySettings(): ServiceSettings {
  return {
    env: new Map(),
    secrets: new Map(),
    envMode: 'merge',
    port: undefined,
    cpuUnits: undefined,
    memoryMb: undefined,
    instanceRoleArn: undefined,
    accessRoleArn: undefined,
    healthCheck: {},
    autoScalingConfigurationArn: undefined,
    vpcConnectorArn: undefined,
    autoDeployments: undefined,
    tags: new Map(),
  };
}
