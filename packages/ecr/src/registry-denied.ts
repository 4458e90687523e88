/**
 * A docker push (or a buildx build that pushes, or reads its registry cache)
 * that ECR refuses fails inside docker, not in an SDK call, so no AWS error
 * names the permission. ECR answers the registry API with 403 / `denied:`
 * (often "User: … is not authorized to perform: ecr:InitiateLayerUpload …"):
 * this turns that into the IAM actions the step needs, read from the tables
 * in calls.ts, so the message says what to grant.
 */
import { ECR_CALLS, ECR_REGISTRY_PERMISSIONS } from './calls.js';

/** What a docker step does with the repository. */
export interface RegistryStep {
  /** The registry host the run logged in to (`<account>.dkr.ecr.<region>.amazonaws.com`). */
  host: string;
  repositoryArn: string;
  /** Uploads layers and a manifest: docker push, buildx --push (and its registry cache). */
  push: boolean;
  /** Reads layers and manifests from the repository: cache: registry. */
  readsLayers: boolean;
}

export interface RegistryDenial {
  /** The registry's refusal, as docker printed it. */
  line: string;
  /** The IAM action AWS named in the refusal, when it named one. */
  named: string | undefined;
  /** Every IAM action the step needs on the repository, the named one first. */
  actions: string[];
}

const REFUSED = /\bdenied\b|not authorized|\b403\b/i;
const NAMED_ACTION = /not authorized to perform:?\s*(ecr:[A-Za-z]+)/i;

/**
 * The refusal in a failed docker step's last lines, or undefined when the
 * step failed for another reason. Only lines about ECR count (they name the
 * registry host or an `ecr:` action), so a build step's own "permission
 * denied" is not mistaken for one; 401 "unauthorized" is a login problem, not
 * a missing permission, and is left alone.
 */
export function registryDenial(
  tail: readonly string[],
  step: RegistryStep,
): RegistryDenial | undefined {
  const line = tail.findLast(
    (l) => REFUSED.test(l) && (l.includes(step.host) || /\becr:[A-Za-z]/.test(l)),
  );
  if (line === undefined || !(step.push || step.readsLayers)) return undefined;
  const needed = [
    ...(step.push
      ? [...ECR_REGISTRY_PERMISSIONS.pushLayers.actions, ECR_CALLS.PutImage.actions[0]]
      : []),
    ...(step.readsLayers
      ? [...ECR_REGISTRY_PERMISSIONS.readLayers.actions, ECR_CALLS.BatchGetImage.actions[0]]
      : []),
  ];
  const named = NAMED_ACTION.exec(line)?.[1];
  const actions = named === undefined ? needed : [named, ...needed.filter((a) => a !== named)];
  return { line: line.trim(), named, actions };
}

/** The message of a docker step ECR refused: what it said, and what to grant on which repository. */
export function registryDenialMessage(
  title: string,
  exitCode: number,
  denial: RegistryDenial,
  step: RegistryStep,
): { message: string; hint: string } {
  const refused = denial.named ? ` (AWS named ${denial.named})` : '';
  return {
    message:
      `${title} failed with exit code ${exitCode}: ECR refused it${refused}: ${denial.line}. ` +
      `The role needs ${denial.actions.join(', ')} on ${step.repositoryArn}.`,
    hint:
      'Grant them to the role (workflows-examples/iam/build-push-ecr.json has them); for a repository ' +
      "of another account, its repository policy must allow them for the role too. The last lines of docker's output are in the error annotation above.",
  };
}
