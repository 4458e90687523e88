// The root action's outputs of a run, as pipelineOutputs writes them from the state: the stages'
// outputs under the root's names, what serves after a rollback, nothing of a stage that did not run.
import { pipelineOutputs } from '@deploy-actions/pipeline';
import { newState } from '../../../packages/pipeline/src/state.js';
import { NEW_IMAGE, OLD_IMAGE, migrationTask, rolledBackState } from './fixtures.js';

test('every stage’s outputs under the root’s names, after a rollback what serves now', () => {
  expect(pipelineOutputs(rolledBackState())).toEqual({
    stages: JSON.stringify({
      'build-push-ecr': 'succeeded',
      'run-migrations': 'succeeded',
      'deploy-apprunner-and-wait': 'succeeded',
      'sync-s3-invalidate-cloudfront': 'succeeded',
      'smoke-test': 'failed',
    }),
    'build-image': NEW_IMAGE,
    'image-tag-uri': `123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:${'1'.repeat(40)}`,
    digest: `sha256:${'b'.repeat(64)}`,
    tags: `${'1'.repeat(40)},v2`,
    registry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
    'repository-uri': '123456789012.dkr.ecr.eu-west-1.amazonaws.com/api',
    skipped: 'false',
    'scan-findings': '{}',
    applied: '2',
    'applied-versions': '1,2',
    pending: '0',
    'current-version': '2',
    'migrations-duration': '4.2',
    'task-definition-arn': '',
    'service-arn': 'arn:aws:apprunner:eu-west-1:123456789012:service/shop-api/1',
    'service-url': 'https://abc.eu-west-1.awsapprunner.com',
    'operation-id': 'op-1',
    status: 'SUCCEEDED',
    'deploy-image': OLD_IMAGE,
    'previous-image': OLD_IMAGE,
    'deploy-duration': '95',
    uploaded: '3',
    'metadata-updated': '1',
    unchanged: '10',
    deleted: '2',
    'bytes-uploaded': '2048',
    'invalidation-id': 'I123',
    'invalidated-paths': '["/index.html","/"]',
    passed: 'false',
    'failed-checks': 'health',
    results: expect.stringContaining('"verdict":"failed"'),
    'rolled-back': 'true',
    'rollback-smoke-passed': 'true',
  });
});

test('without a rollback the deploy-image is the new version; rolled-back is false', () => {
  const state = rolledBackState();
  delete state.rollback;
  const outputs = pipelineOutputs(state);
  expect(outputs['deploy-image']).toBe(NEW_IMAGE);
  expect(outputs['rolled-back']).toBe('false');
  expect(outputs['rollback-smoke-passed']).toBe('');
});

test('migrations in ECS: the duration and the revision that ran are known', () => {
  const state = rolledBackState();
  delete state.migrations;
  state.migrationTask = migrationTask;
  expect(pipelineOutputs(state)).toMatchObject({
    applied: '',
    'applied-versions': '',
    pending: '',
    'current-version': '',
    'migrations-duration': '61.0',
    'task-definition-arn': migrationTask.taskDefinitionArn,
  });
});

test('a stage that did not run sets none of its outputs', () => {
  const state = newState(['smoke-test']);
  expect(pipelineOutputs(state)).toEqual({
    stages: '{"smoke-test":"not run"}',
    'rolled-back': 'false',
    'rollback-smoke-passed': '',
  });
});
