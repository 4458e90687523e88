/**
 * The root pipeline's stages, declared once, in the order they run. What
 * else names a stage is derived from here: which inputs select it, the root
 * action.yml and the list of stage-only inputs (scripts/root-action.mjs), the
 * plan, the summary's rows and the `stages` output.
 *
 * One name per stage wherever the outside world allows: key, prefix and
 * label are one word where they can be. Exceptions, each public or owned
 * elsewhere: the actions and the engine packages keep their published names;
 * the site stage's key and label are `site` while its shared inputs carry
 * `sync-` (sync-dry-run, after its action); the App Runner stage's label
 * names the service, since "deploy" is what every stage does.
 *
 * This file imports nothing: the generator script loads it on its own.
 */

export interface StageDeclaration {
  /** The pipeline's key: the plan's and the state's field for the stage. */
  readonly key: string;
  /** The stage's own action (actions/<action>), and its name in the summary and the `stages` output. */
  readonly action: string;
  /** Prefix of the root's names for inputs and outputs the stage shares with another stage. */
  readonly prefix: string;
  /** The engine (packages/<package>). */
  readonly package: string;
  /** How errors and the root action.yml's descriptions call the stage ("the build stage"). */
  readonly label: string;
  /** Setting any of these inputs runs the stage. */
  readonly selectedBy: readonly string[];
  /** The stage action's input name → the root's, where two stages share the name. */
  readonly inputRenames: Readonly<Record<string, string>>;
  /** The stage action's output name → the root's, where two stages share the name. */
  readonly outputRenames: Readonly<Record<string, string>>;
  /** Inputs of the stage's action the pipeline does not offer, and why. */
  readonly notOffered: Readonly<Record<string, string>>;
}

export const STAGES = [
  {
    key: 'build',
    action: 'build-push-ecr',
    prefix: 'build',
    package: 'ecr',
    label: 'build',
    selectedBy: ['repository'],
    inputRenames: { tags: 'build-tags' },
    outputRenames: { image: 'build-image' },
    notOffered: { push: 'the pipeline deploys what it pushes' },
  },
  {
    key: 'migrations',
    action: 'run-migrations',
    prefix: 'migrations',
    package: 'migrate',
    label: 'migrations',
    selectedBy: ['migrations-dir', 'command'],
    inputRenames: { 'dry-run': 'migrations-dry-run' },
    outputRenames: { duration: 'migrations-duration' },
    notOffered: {
      image:
        'an ECS migration runs the image this step builds, or the deploy stage image it deploys',
    },
  },
  {
    key: 'deploy',
    action: 'deploy-apprunner-and-wait',
    prefix: 'deploy',
    package: 'apprunner',
    label: 'App Runner',
    selectedBy: ['service'],
    inputRenames: { timeout: 'deploy-timeout', tags: 'deploy-tags' },
    outputRenames: { image: 'deploy-image', duration: 'deploy-duration' },
    notOffered: { wait: 'the smoke test and a rollback need the version live' },
  },
  {
    key: 'site',
    action: 'sync-s3-invalidate-cloudfront',
    prefix: 'sync',
    package: 's3-sync',
    label: 'site',
    selectedBy: ['bucket'],
    inputRenames: { 'dry-run': 'sync-dry-run' },
    outputRenames: {},
    notOffered: {},
  },
  {
    key: 'smoke',
    action: 'smoke-test',
    prefix: 'smoke',
    package: 'smoke',
    label: 'smoke',
    selectedBy: ['url', 'checks'],
    inputRenames: { timeout: 'smoke-timeout' },
    outputRenames: {},
    notOffered: {},
  },
] as const satisfies readonly StageDeclaration[];

export type StageKey = (typeof STAGES)[number]['key'];
/** A stage by its action's name, as the summary and the `stages` output name it. */
export type StageName = (typeof STAGES)[number]['action'];

/** Inputs the stages share with one meaning: one AWS session for the whole step, unprefixed. */
export const SESSION_INPUTS = [
  'role-to-assume',
  'role-session-name',
  'role-duration-seconds',
  'aws-region',
  'max-attempts',
] as const;

export function stageOf<K extends StageKey>(key: K): Extract<(typeof STAGES)[number], { key: K }> {
  return STAGES.find((stage) => stage.key === key) as Extract<(typeof STAGES)[number], { key: K }>;
}
