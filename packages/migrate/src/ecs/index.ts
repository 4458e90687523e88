/** Mode 3: the migration as a one-off ECS task inside the VPC (task.ts describes the steps). */
export { ECS_MODE_CALLS, type EcsModeCall } from './calls.js';
export { taskConsoleUrl, logStreamConsoleUrl } from './console.js';
export { planDatabaseReference, sameSecret } from './database.js';
export { explainStoppedTask } from './explain.js';
export {
  readEcsInputs,
  readEcsMode,
  ignoredEcsInputs,
  ECS_MODE_INPUTS,
  LAUNCH_TYPES,
  DEFAULT_TASK_TIMEOUT,
  type EcsInputs,
} from './inputs.js';
export { LogFollower } from './logs.js';
export { STARTED_BY, taskClientToken } from './run-task.js';
export {
  runEcsMigration,
  ecsClientToken,
  type EcsRunContext,
  type EcsMigrationDeps,
} from './session.js';
export { awslogsSetting } from './task-definition.js';
export { runMigrationTask } from './task.js';
export type {
  EcsMode,
  EcsTaskOptions,
  EcsTaskDeps,
  EcsTaskOutcome,
  LaunchChoice,
  TaskNetwork,
  TaskDatabase,
  TaskLogTarget,
} from './types.js';
