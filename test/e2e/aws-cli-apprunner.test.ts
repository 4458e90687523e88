/**
 * Protocol fidelity of the simulator's App Runner (awsJson1_0), checked with
 * the AWS CLI: every operation the module implements, with the errors the
 * deploy action relies on (InvalidStateException while an operation runs,
 * InvalidRequestException for an update that changes nothing or a bad
 * CPU/memory pair, ResourceNotFoundException) and a throttled call the CLI
 * retries.
 *
 * The module runs on a manual clock (state.clock) so that an operation is
 * in progress, or over, exactly when a row expects it: `arrange` advances it.
 * Rows run in order on one service, `cli-api`: created, described, updated,
 * redeployed, paused, resumed, tagged and deleted (aws-cli-apprunner/*-rows.ts, in that
 * order). Debian's CLI (2.9) has no App Runner paginators, so listing rows pass
 * --max-results/--next-token.
 *
 * @needs awscli
 */
import { CLI_USER, describeCliFidelity } from '../support/aws-cli.js';
import { createAppRunnerService } from '../../tools/aws-sim/services/apprunner.js';
import { MINUTE, type AppRunnerState } from './aws-cli-apprunner/fixture.js';
import { createRows } from './aws-cli-apprunner/create-rows.js';
import { changeRows } from './aws-cli-apprunner/change-rows.js';

const rows = [...createRows, ...changeRows];

describeCliFidelity<AppRunnerState>('App Runner', {
  services: () => {
    const clock = { now: Date.now() };
    const apprunner = createAppRunnerService({
      now: () => new Date(clock.now),
      operationDurationMs: MINUTE - 1,
      rollbackDurationMs: MINUTE - 1,
    });
    return { services: [apprunner], state: { apprunner, clock, arn: '', nextToken: '' } };
  },
  credentials: () => CLI_USER,
  rows,
});
