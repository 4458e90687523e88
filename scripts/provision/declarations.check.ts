// Holds index.d.mts (the types TypeScript importers see) to the JavaScript it describes: each
// declared export must accept the JSDoc-typed one. Checked by `npm run typecheck`
// (scripts/provision/tsconfig.json); never run.
import type * as declared from './index.mjs';
import * as parts from './parts.mjs';
import * as provision from './provision.mjs';

export const checked = [
  parts.PARTS satisfies typeof declared.PARTS,
  parts.PART_NAMES satisfies typeof declared.PART_NAMES,
  parts.PROGRAMS satisfies typeof declared.PROGRAMS,
  parts.SBIN_DIRS satisfies typeof declared.SBIN_DIRS,
  parts.sbinDirs satisfies typeof declared.sbinDirs,
  parts.lookupProgram satisfies typeof declared.lookupProgram,
  parts.findPrograms satisfies typeof declared.findPrograms,
  parts.programsHint satisfies typeof declared.programsHint,
  parts.isPartName satisfies typeof declared.isPartName,
  provision.STATUS_ENV satisfies typeof declared.STATUS_ENV,
  provision.cannotInstall satisfies typeof declared.cannotInstall,
  provision.decide satisfies typeof declared.decide,
  provision.installCommand satisfies typeof declared.installCommand,
  provision.skipLine satisfies typeof declared.skipLine,
  provision.provision satisfies typeof declared.provision,
  provision.readStatus satisfies typeof declared.readStatus,
  provision.ciFailure satisfies typeof declared.ciFailure,
];
