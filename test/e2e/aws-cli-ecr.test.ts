/**
 * Protocol fidelity of the simulator's ECR (awsJson1_1), checked with the AWS
 * CLI. Images are real: rows push blobs and manifests into the real local
 * registry (Debian's docker-registry) through its HTTP API — no docker daemon
 * — and ECR's image operations answer from, and write to, its contents.
 *
 * Rows run in order and build on each other: repositories are created first
 * (cli/app: MUTABLE, no scan on push; cli/locked: IMMUTABLE, KMS, scan on
 * push), then images are pushed, read, copied and scanned (aws-cli-ecr/*-rows.ts,
 * in that order).
 *
 * @needs awscli registry
 */
import { CLI_USER, describeCliFidelity } from '../support/aws-cli.js';
import { type EcrState, ecrServices } from './aws-cli-ecr/fixture.js';
import { repositoryRows } from './aws-cli-ecr/repository-rows.js';
import { imageRows } from './aws-cli-ecr/image-rows.js';
import { scanRows } from './aws-cli-ecr/scan-rows.js';

describeCliFidelity<EcrState>('ECR', {
  services: ecrServices,
  credentials: () => CLI_USER,
  rows: [...repositoryRows, ...imageRows, ...scanRows],
});
