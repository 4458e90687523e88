// npm run build [names…]: bundles every action (or the named ones) into its committed dist/.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { ROOT, actionNames, bundleAction } from './actions.mjs';

const requested = process.argv.slice(2);
const names = requested.length > 0 ? requested : actionNames();
for (const name of names) {
  const dist = path.join(ROOT, 'actions', name, 'dist');
  await rm(dist, { recursive: true, force: true });
  await bundleAction(name, dist);
  console.log(`built actions/${name}/dist`);
}
