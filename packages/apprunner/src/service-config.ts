/**
 * What to send App Runner, decided without calling it. An update sends only
 * the configuration blocks whose settings the inputs name and that differ from
 * the live service. A block that is sent is complete: its other members are
 * copied from the live service, because App Runner replaces a block it is
 * given (an UpdateService whose SourceConfiguration lacks ImageConfiguration
 * would drop the service's environment variables, secrets and port).
 */
import type {
  CreateServiceCommandInput,
  HealthCheckConfiguration,
  ImageConfiguration,
  ImageRepository,
  InstanceConfiguration,
  NetworkConfiguration,
  Service,
  SourceConfiguration,
  UpdateServiceCommandInput,
} from '@aws-sdk/client-apprunner';
import { UserError } from '@deploy-actions/action-kit/engine';
import { revisionedName, sameRevisionedArn } from './arns.js';
import { shortImage, type ImageReference } from './image.js';
import {
  DEFAULT_CPU_UNITS,
  DEFAULT_MEMORY_MB,
  assertSupportedEffectiveSize,
  cpuUnitsOf,
  formatCpu,
  formatMemory,
  memoryMbOf,
} from './instance-size.js';
import type { EnvMode, HealthCheckSettings, ServiceSettings } from './settings.js';

/** App Runner's documented defaults, for comparing with a service that reports none. */
const DEFAULT_PORT = '8080';
const DEFAULT_HEALTH_CHECK: Required<HealthCheckConfiguration> = {
  Protocol: 'TCP',
  Path: '/',
  Interval: 5,
  Timeout: 2,
  HealthyThreshold: 1,
  UnhealthyThreshold: 5,
};

export interface UpdatePlan {
  /** undefined when nothing differs from the live service. */
  request: UpdateServiceCommandInput | undefined;
  /** One line per change, for the log and summary. Names only: never values. */
  changes: string[];
}

interface BlockPlan<T> {
  value: T;
  changes: string[];
}

export function createServiceRequest(
  serviceName: string,
  image: ImageReference,
  settings: ServiceSettings,
): CreateServiceCommandInput {
  const imageConfiguration = compact<ImageConfiguration>({
    RuntimeEnvironmentVariables: nonEmptyRecord(settings.env),
    RuntimeEnvironmentSecrets: nonEmptyRecord(settings.secrets),
    Port: settings.port === undefined ? undefined : String(settings.port),
  });
  return compact<CreateServiceCommandInput>({
    ServiceName: serviceName,
    SourceConfiguration: createSource(image, settings, imageConfiguration),
    InstanceConfiguration: createInstance(settings),
    HealthCheckConfiguration: createHealthCheck(settings.healthCheck),
    AutoScalingConfigurationArn: settings.autoScalingConfigurationArn,
    NetworkConfiguration: settings.vpcConnectorArn
      ? { EgressConfiguration: { EgressType: 'VPC', VpcConnectorArn: settings.vpcConnectorArn } }
      : undefined,
    Tags:
      settings.tags.size > 0
        ? [...settings.tags].map(([Key, Value]) => ({ Key, Value }))
        : undefined,
  });
}

function createSource(
  image: ImageReference,
  settings: ServiceSettings,
  imageConfiguration: ImageConfiguration,
): SourceConfiguration {
  const repository = compact<ImageRepository>({
    ImageIdentifier: image.identifier,
    ImageRepositoryType: image.repositoryType,
    ImageConfiguration: isEmpty(imageConfiguration) ? undefined : imageConfiguration,
  });
  if (image.repositoryType === 'ECR_PUBLIC') return { ImageRepository: repository };
  return compact<SourceConfiguration>({
    ImageRepository: repository,
    // App Runner turns automatic deployments on for same-account ECR unless told
    // otherwise; a pipeline that deploys explicitly would then race its own pushes.
    AutoDeploymentsEnabled: settings.autoDeployments ?? false,
    AuthenticationConfiguration: settings.accessRoleArn
      ? { AccessRoleArn: settings.accessRoleArn }
      : undefined,
  });
}

function createInstance(settings: ServiceSettings): InstanceConfiguration | undefined {
  const { cpuUnits, memoryMb, instanceRoleArn } = settings;
  if (cpuUnits === undefined && memoryMb === undefined && instanceRoleArn === undefined) {
    return undefined;
  }
  if (cpuUnits !== undefined || memoryMb !== undefined) {
    assertSupportedEffectiveSize(
      cpuUnits ?? DEFAULT_CPU_UNITS,
      memoryMb ?? DEFAULT_MEMORY_MB,
      cpuUnits === undefined
        ? "memory with App Runner's default CPU"
        : "cpu with App Runner's default memory",
    );
  }
  return compact<InstanceConfiguration>({
    Cpu: cpuUnits === undefined ? undefined : formatCpu(cpuUnits),
    Memory: memoryMb === undefined ? undefined : formatMemory(memoryMb),
    InstanceRoleArn: instanceRoleArn,
  });
}

function createHealthCheck(health: HealthCheckSettings): HealthCheckConfiguration | undefined {
  const configuration = compact<HealthCheckConfiguration>({
    Protocol: health.protocol ?? (health.path !== undefined ? 'HTTP' : undefined),
    Path: health.path,
    Interval: health.intervalSeconds,
    Timeout: health.timeoutSeconds,
    HealthyThreshold: health.healthyThreshold,
    UnhealthyThreshold: health.unhealthyThreshold,
  });
  return isEmpty(configuration) ? undefined : configuration;
}

/** The UpdateService request that brings `live` to the image and settings, or none when nothing differs. */
export function planUpdate(
  live: Service,
  image: ImageReference,
  settings: ServiceSettings,
): UpdatePlan {
  const blocks = {
    SourceConfiguration: planSource(live, image, settings),
    InstanceConfiguration: planInstance(live, settings),
    HealthCheckConfiguration: planHealthCheck(live, settings.healthCheck),
    AutoScalingConfigurationArn: planAutoScaling(live, settings.autoScalingConfigurationArn),
    NetworkConfiguration: planNetwork(live, settings.vpcConnectorArn),
  };
  const changes = Object.values(blocks).flatMap((block) => block?.changes ?? []);
  if (changes.length === 0) return { request: undefined, changes };
  const request: UpdateServiceCommandInput = { ServiceArn: live.ServiceArn };
  for (const [key, block] of Object.entries(blocks)) {
    if (block && block.changes.length > 0) Object.assign(request, { [key]: block.value });
  }
  return { request, changes };
}

function planSource(
  live: Service,
  image: ImageReference,
  settings: ServiceSettings,
): BlockPlan<SourceConfiguration> {
  const liveSource = live.SourceConfiguration ?? {};
  const liveRepository = liveSource.ImageRepository;
  const liveImageConfiguration = liveRepository?.ImageConfiguration ?? {};
  const env = applyVariables(
    liveImageConfiguration.RuntimeEnvironmentVariables,
    settings.env,
    settings.envMode,
  );
  const secrets = applyVariables(
    liveImageConfiguration.RuntimeEnvironmentSecrets,
    settings.secrets,
    settings.envMode,
  );
  const port = settings.port === undefined ? liveImageConfiguration.Port : String(settings.port);
  const imageConfiguration = compact<ImageConfiguration>({
    ...liveImageConfiguration,
    RuntimeEnvironmentVariables: nonEmptyRecord(env.values),
    RuntimeEnvironmentSecrets: nonEmptyRecord(secrets.values),
    Port: port,
  });
  const repository = compact<ImageRepository>({
    ImageIdentifier: image.identifier,
    ImageRepositoryType: image.repositoryType,
    ImageConfiguration: isEmpty(imageConfiguration) ? undefined : imageConfiguration,
  });
  const changes = [
    ...(liveRepository?.ImageIdentifier !== image.identifier
      ? [`image ${shortImage(liveRepository?.ImageIdentifier)} → ${shortImage(image.identifier)}`]
      : []),
    ...describeVariableChanges('env', env),
    ...describeVariableChanges('secrets', secrets),
    ...(port !== liveImageConfiguration.Port
      ? [`port ${liveImageConfiguration.Port ?? `${DEFAULT_PORT} (default)`} → ${port}`]
      : []),
  ];
  if (image.repositoryType === 'ECR_PUBLIC') {
    return { value: { ImageRepository: repository }, changes };
  }
  const accessRoleArn =
    settings.accessRoleArn ?? liveSource.AuthenticationConfiguration?.AccessRoleArn;
  if (accessRoleArn === undefined) {
    // A service that pulled from ECR Public has no access role; private ECR needs one.
    throw new UserError(
      `${live.ServiceName ?? 'The service'} has no ECR access role, which App Runner needs to pull ${shortImage(image.identifier)} from private ECR.`,
      {
        hint: 'Set access-role-arn to a role that trusts build.apprunner.amazonaws.com and may read the repository.',
      },
    );
  }
  const autoDeployments = settings.autoDeployments ?? liveSource.AutoDeploymentsEnabled;
  if (accessRoleArn !== liveSource.AuthenticationConfiguration?.AccessRoleArn) {
    changes.push(`access role → ${accessRoleArn}`);
  }
  if (autoDeployments !== liveSource.AutoDeploymentsEnabled) {
    changes.push(
      `automatic deployments ${onOff(liveSource.AutoDeploymentsEnabled)} → ${onOff(autoDeployments)}`,
    );
  }
  return {
    value: compact<SourceConfiguration>({
      ImageRepository: repository,
      AutoDeploymentsEnabled: autoDeployments,
      AuthenticationConfiguration: accessRoleArn
        ? { ...liveSource.AuthenticationConfiguration, AccessRoleArn: accessRoleArn }
        : liveSource.AuthenticationConfiguration,
    }),
    changes,
  };
}

function planInstance(
  live: Service,
  settings: ServiceSettings,
): BlockPlan<InstanceConfiguration> | undefined {
  const { cpuUnits, memoryMb, instanceRoleArn } = settings;
  if (cpuUnits === undefined && memoryMb === undefined && instanceRoleArn === undefined) {
    return undefined;
  }
  const liveInstance = live.InstanceConfiguration ?? {};
  const liveCpu = cpuUnitsOf(liveInstance.Cpu) ?? DEFAULT_CPU_UNITS;
  const liveMemory = memoryMbOf(liveInstance.Memory) ?? DEFAULT_MEMORY_MB;
  const cpu = cpuUnits ?? liveCpu;
  const memory = memoryMb ?? liveMemory;
  if (cpuUnits !== undefined || memoryMb !== undefined) {
    assertSupportedEffectiveSize(
      cpu,
      memory,
      cpuUnits === undefined
        ? 'memory with the live CPU'
        : memoryMb === undefined
          ? 'cpu with the live memory'
          : 'cpu and memory',
    );
  }
  const role = instanceRoleArn ?? liveInstance.InstanceRoleArn;
  const changes = [
    ...(cpu !== liveCpu ? [`cpu ${formatCpu(liveCpu)} → ${formatCpu(cpu)}`] : []),
    ...(memory !== liveMemory
      ? [`memory ${formatMemory(liveMemory)} → ${formatMemory(memory)}`]
      : []),
    ...(role !== liveInstance.InstanceRoleArn ? [`instance role → ${role}`] : []),
  ];
  return {
    value: compact<InstanceConfiguration>({
      Cpu: formatCpu(cpu),
      Memory: formatMemory(memory),
      InstanceRoleArn: role,
    }),
    changes,
  };
}

function planHealthCheck(
  live: Service,
  health: HealthCheckSettings,
): BlockPlan<HealthCheckConfiguration> | undefined {
  if (Object.values(health).every((value) => value === undefined)) return undefined;
  const current = { ...DEFAULT_HEALTH_CHECK, ...compact(live.HealthCheckConfiguration ?? {}) };
  const wanted: Required<HealthCheckConfiguration> = {
    // A path is only used by HTTP checks: naming one asks for HTTP.
    Protocol: health.protocol ?? (health.path !== undefined ? 'HTTP' : current.Protocol),
    Path: health.path ?? current.Path,
    Interval: health.intervalSeconds ?? current.Interval,
    Timeout: health.timeoutSeconds ?? current.Timeout,
    HealthyThreshold: health.healthyThreshold ?? current.HealthyThreshold,
    UnhealthyThreshold: health.unhealthyThreshold ?? current.UnhealthyThreshold,
  };
  const labels: Record<keyof HealthCheckConfiguration, string> = {
    Protocol: 'protocol',
    Path: 'path',
    Interval: 'interval',
    Timeout: 'timeout',
    HealthyThreshold: 'healthy threshold',
    UnhealthyThreshold: 'unhealthy threshold',
  };
  const changes = (Object.keys(labels) as (keyof HealthCheckConfiguration)[])
    .filter((key) => wanted[key] !== current[key])
    .map((key) => `health check ${labels[key]} ${String(current[key])} → ${String(wanted[key])}`);
  return { value: wanted, changes };
}

function planAutoScaling(
  live: Service,
  requested: string | undefined,
): BlockPlan<string> | undefined {
  if (requested === undefined) return undefined;
  const current = live.AutoScalingConfigurationSummary?.AutoScalingConfigurationArn;
  if (sameRevisionedArn(requested, current)) return { value: requested, changes: [] };
  return {
    value: requested,
    changes: [`auto scaling ${revisionedName(current)} → ${revisionedName(requested)}`],
  };
}

function planNetwork(
  live: Service,
  vpcConnectorArn: string | undefined,
): BlockPlan<NetworkConfiguration> | undefined {
  if (vpcConnectorArn === undefined) return undefined;
  const network = live.NetworkConfiguration ?? {};
  const egress = network.EgressConfiguration;
  const unchanged =
    egress?.EgressType === 'VPC' && sameRevisionedArn(vpcConnectorArn, egress.VpcConnectorArn);
  return {
    value: compact<NetworkConfiguration>({
      ...network,
      EgressConfiguration: { EgressType: 'VPC', VpcConnectorArn: vpcConnectorArn },
    }),
    changes: unchanged
      ? []
      : [
          `egress ${egress?.EgressType === 'VPC' ? `VPC connector ${revisionedName(egress.VpcConnectorArn)}` : 'public internet (DEFAULT)'} → VPC connector ${revisionedName(vpcConnectorArn)}`,
        ],
  };
}

interface VariableUpdate {
  values: ReadonlyMap<string, string>;
  set: string[];
  removed: string[];
}

/** merge: the given names win, the others stay; replace: exactly the given names. */
export function applyVariables(
  live: Record<string, string> | undefined,
  given: ReadonlyMap<string, string>,
  mode: EnvMode,
): VariableUpdate {
  const before = new Map(Object.entries(live ?? {}));
  const values = mode === 'replace' ? new Map(given) : new Map([...before, ...given]);
  return {
    values,
    set: [...values].filter(([name, value]) => before.get(name) !== value).map(([name]) => name),
    removed: [...before.keys()].filter((name) => !values.has(name)),
  };
}

function describeVariableChanges(label: string, update: VariableUpdate): string[] {
  return [
    ...(update.set.length > 0 ? [`${label}: set ${update.set.join(', ')}`] : []),
    ...(update.removed.length > 0 ? [`${label}: removed ${update.removed.join(', ')}`] : []),
  ];
}

function onOff(value: boolean | undefined): string {
  return value ? 'on' : 'off';
}

function nonEmptyRecord(values: ReadonlyMap<string, string>): Record<string, string> | undefined {
  return values.size > 0 ? Object.fromEntries(values) : undefined;
}

function isEmpty(value: object): boolean {
  return Object.keys(value).length === 0;
}

/** Drops undefined members, so requests carry only what is set. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
