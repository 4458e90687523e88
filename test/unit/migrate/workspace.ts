/** A temporary checkout with a db/migrations folder, as the action would see the repository. */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface Workspace {
  /** The checkout's root (the workspace). */
  root: string;
  /** The migrations folder, relative to the root, as a user writes it in migrations-dir. */
  migrationsDir: string;
  write(fileName: string, content: string): Promise<void>;
  remove(fileName: string): Promise<void>;
  cleanup(): Promise<void>;
}

export async function createWorkspace(files: Record<string, string> = {}): Promise<Workspace> {
  const root = await mkdtemp(path.join(tmpdir(), 'migrate-'));
  const migrationsDir = 'db/migrations';
  const folder = path.join(root, migrationsDir);
  await mkdir(folder, { recursive: true });
  const workspace: Workspace = {
    root,
    migrationsDir,
    write: (fileName, content) => writeFile(path.join(folder, fileName), content),
    remove: (fileName) => rm(path.join(folder, fileName)),
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
  for (const [name, content] of Object.entries(files)) await workspace.write(name, content);
  return workspace;
}
