import type { Inputs } from '@deploy-actions/action-kit';
import {
  parseSmokeInputs,
  readSmokeInputs,
  type Check,
  type SmokeOptions,
} from '@deploy-actions/smoke';

/** Reads every input; the engine validates them all before the first request. */
export function getInputs(inputs: Inputs): { checks: Check[]; options: SmokeOptions } {
  return parseSmokeInputs(readSmokeInputs(inputs));
}
