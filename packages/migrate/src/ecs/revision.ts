/**
 * The migration must run the image being deployed: RunTask overrides cannot
 * change a container's image, so a new revision of the task definition is
 * registered with the image swapped in the migration container, and that
 * revision is run. Everything else of the described revision is kept.
 */
import {
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
  type Tag,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import { callWith } from '@deploy-actions/aws';
import { ECS_MODE_CALLS } from './calls.js';
import type { EcsTaskDeps, EcsTaskOptions } from './types.js';

/**
 * What DescribeTaskDefinition returns but RegisterTaskDefinition does not
 * take (the ECS API reference for both operations).
 */
const READ_ONLY: readonly (keyof TaskDefinition)[] = [
  'taskDefinitionArn',
  'revision',
  'status',
  'requiresAttributes',
  'compatibilities',
  'registeredAt',
  'registeredBy',
  'deregisteredAt',
];

/** The registration request: the described revision with `image` in `containerName`. */
export function revisionWithImage(
  definition: TaskDefinition,
  containerName: string,
  image: string,
  tags: readonly Tag[],
): RegisterTaskDefinitionCommandInput {
  const request: Record<string, unknown> = { ...definition };
  for (const field of READ_ONLY) delete request[field];
  request.containerDefinitions = (definition.containerDefinitions ?? []).map((container) =>
    container.name === containerName ? { ...container, image } : container,
  );
  if (tags.length > 0) request.tags = [...tags];
  return request as unknown as RegisterTaskDefinitionCommandInput;
}

/** Registers the revision that runs `image`; returns it as ECS described it. */
export async function registerMigrationRevision(
  definition: TaskDefinition,
  tags: readonly Tag[],
  image: string,
  options: EcsTaskOptions,
  deps: EcsTaskDeps,
): Promise<TaskDefinition> {
  const request = revisionWithImage(definition, options.containerName, image, tags);
  return callWith(
    ECS_MODE_CALLS,
    'RegisterTaskDefinition',
    { resource: `task-definition/${definition.family}`, region: options.region },
    async () => {
      const response = await deps.ecs.send(new RegisterTaskDefinitionCommand(request), {
        abortSignal: deps.signal,
      });
      if (!response.taskDefinition?.taskDefinitionArn) {
        throw new Error('RegisterTaskDefinition answered without a task definition');
      }
      return response.taskDefinition;
    },
  );
}
