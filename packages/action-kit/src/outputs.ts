import { output } from './github.js';

/** An action's outputs, keyed by the names its action.yml declares. */
export type Outputs = Readonly<Record<string, string | number | boolean>>;

/** Sets every output of `outputs` (engines build the record; shells only hand it over). */
export function setOutputs(outputs: Outputs): void {
  for (const [name, value] of Object.entries(outputs)) output(name, value);
}
